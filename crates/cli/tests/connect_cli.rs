//! `switchyard connect` as a user types it, on a HOME that already holds a Codex config full of
//! the user's own settings: `--status` shows each client, `--dry-run` shows the diff and writes
//! nothing, `connect` edits only Switchyard's keys (and `--client-key` issues a key named after
//! the client), `disconnect` gives back the original bytes, a key the user changed in between is
//! left as they set it, and a file that does not parse is refused untouched, naming its line.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A Codex config as people have them: comments, their own providers, projects and MCP servers.
const CODEX_CONFIG: &str = r#"# my codex setup
model = "o4-mini"  # the default I like

[model_providers.work]
name = "Work proxy"
base_url = "https://llm.work.example/v1"

[projects."/home/me/src/app"]
trust_level = "trusted"

[mcp_servers.docs]
command = "npx"
args = ["-y", "docs-mcp"]
"#;

struct Sandbox {
    root: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        let root = std::env::temp_dir().join(format!(
            "switchyard-connect-cli-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("home/.codex")).unwrap();
        Sandbox { root }
    }

    fn home(&self) -> PathBuf {
        self.root.join("home")
    }

    fn codex_config(&self) -> PathBuf {
        self.home().join(".codex/config.toml")
    }

    /// `switchyard ARGS` with this sandbox as HOME, config and data dir; no gateway running.
    fn switchyard(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_switchyard"))
            .arg("--config")
            .arg(self.root.join("config.toml"))
            .arg("--data-dir")
            .arg(self.root.join("data"))
            .args(args)
            .env("HOME", self.home())
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("CODEX_HOME")
            .env_remove("OPENCODE_CONFIG")
            .env_remove("CLAUDE_CONFIG_DIR")
            .env_remove("GEMINI_CLI_HOME")
            .output()
            .unwrap()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "expected success, got {}:\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn status_lists_every_client_with_its_file_and_whether_it_is_connected() {
    let sandbox = Sandbox::new("status");
    std::fs::write(sandbox.codex_config(), CODEX_CONFIG).unwrap();
    let before = stdout(&sandbox.switchyard(&["connect", "--status"]));
    let header = before.lines().next().unwrap();
    assert!(
        ["CLIENT", "FOUND", "CONFIG FILE", "STATE"]
            .iter()
            .all(|c| header.contains(c)),
        "{before}"
    );
    for client in [
        "claude-code",
        "codex",
        "gemini-cli",
        "opencode",
        "continue",
        "aider",
        "zed",
        "cline",
    ] {
        assert!(
            before.lines().any(|l| l.starts_with(client)),
            "expected a row for {client}:\n{before}"
        );
    }
    let codex_row = |table: &str| {
        table
            .lines()
            .find(|l| l.starts_with("codex "))
            .unwrap()
            .to_owned()
    };
    assert!(
        codex_row(&before).contains(&format!("{}", sandbox.codex_config().display())),
        "{before}"
    );
    assert!(codex_row(&before).ends_with("not connected"), "{before}");

    stdout(&sandbox.switchyard(&["connect", "codex"]));
    let after = stdout(&sandbox.switchyard(&["connect", "--status"]));
    assert!(codex_row(&after).ends_with("connected"), "{after}");
    assert!(!codex_row(&after).ends_with("not connected"), "{after}");
}

#[test]
fn a_dry_run_prints_the_diff_and_writes_nothing() {
    let sandbox = Sandbox::new("dry-run");
    std::fs::write(sandbox.codex_config(), CODEX_CONFIG).unwrap();
    let diff = stdout(&sandbox.switchyard(&["connect", "codex", "--dry-run"]));
    assert!(diff.contains("+model_provider = \"switchyard\""), "{diff}");
    assert!(diff.contains("+[model_providers.switchyard]"), "{diff}");
    assert!(diff.contains("wire_api = \"responses\""), "{diff}");
    assert_eq!(read(&sandbox.codex_config()), CODEX_CONFIG);
    assert!(
        !sandbox.root.join("data/connect").exists(),
        "a dry run keeps no receipt"
    );
}

#[test]
fn connect_edits_only_its_keys_and_disconnect_gives_back_the_original_bytes() {
    let sandbox = Sandbox::new("round-trip");
    std::fs::write(sandbox.codex_config(), CODEX_CONFIG).unwrap();
    let said = stdout(&sandbox.switchyard(&["connect", "codex", "--model", "openai/gpt-4.1"]));
    assert!(
        said.contains("Undo with `switchyard disconnect codex`"),
        "{said}"
    );
    let connected = read(&sandbox.codex_config());
    for kept in [
        "# my codex setup",
        "[model_providers.work]",
        "[projects.\"/home/me/src/app\"]",
        "[mcp_servers.docs]",
    ] {
        assert!(connected.contains(kept), "lost {kept:?}:\n{connected}");
    }
    assert!(
        connected.contains("model_provider = \"switchyard\""),
        "{connected}"
    );
    assert!(
        connected.contains("base_url = \"http://127.0.0.1:"),
        "{connected}"
    );

    let said = stdout(&sandbox.switchyard(&["disconnect", "codex"]));
    assert!(
        said.contains("Codex CLI no longer uses Switchyard."),
        "{said}"
    );
    assert_eq!(read(&sandbox.codex_config()), CODEX_CONFIG);
}

#[test]
fn a_key_the_user_changed_after_connect_is_left_as_they_set_it() {
    let sandbox = Sandbox::new("user-edit");
    std::fs::write(sandbox.codex_config(), CODEX_CONFIG).unwrap();
    stdout(&sandbox.switchyard(&["connect", "codex", "--model", "openai/gpt-4.1"]));
    let edited = read(&sandbox.codex_config()).replace(
        "model = \"openai/gpt-4.1\"",
        "model = \"anthropic/claude-sonnet-4-5\"",
    );
    std::fs::write(sandbox.codex_config(), &edited).unwrap();

    let said = stdout(&sandbox.switchyard(&["disconnect", "codex"]));
    assert!(
        said.contains(&format!(
            "left as you set it: model in {} (changed since connect)",
            sandbox.codex_config().display()
        )),
        "{said}"
    );
    let after = read(&sandbox.codex_config());
    assert!(
        after.contains("model = \"anthropic/claude-sonnet-4-5\""),
        "{after}"
    );
    assert!(!after.contains("switchyard"), "{after}");
}

#[test]
fn client_key_issues_a_key_named_after_the_client_and_writes_it_but_never_prints_it() {
    let sandbox = Sandbox::new("client-key");
    let said = stdout(&sandbox.switchyard(&["connect", "opencode", "--client-key"]));
    assert!(said.contains("Issued client key 'opencode' (…"), "{said}");
    let written = read(&sandbox.home().join(".config/opencode/opencode.json"));
    let config: serde_json::Value = serde_json::from_str(&written).unwrap();
    let key = config["provider"]["switchyard"]["options"]["apiKey"]
        .as_str()
        .unwrap();
    assert!(key.len() > 20, "expected an issued key, got {key:?}");
    assert!(!said.contains(key), "the key must not be printed:\n{said}");
}

#[test]
fn a_file_that_does_not_parse_is_refused_untouched_naming_its_line() {
    let sandbox = Sandbox::new("broken");
    let broken = "model = \"o4-mini\"\n[model_providers.work\nname = 1\n";
    std::fs::write(sandbox.codex_config(), broken).unwrap();
    let output = sandbox.switchyard(&["connect", "codex"]);
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains(&format!("{}:2:", sandbox.codex_config().display())),
        "expected the file and line in {said}"
    );
    assert!(said.contains("The file was not changed"), "{said}");
    assert_eq!(read(&sandbox.codex_config()), broken);
}
