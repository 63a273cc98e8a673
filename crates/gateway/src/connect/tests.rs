//! Golden tests of connect and disconnect over real-world config files full of the user's own
//! settings (`testdata/<client>/`, laid out as in a home directory): connect changes only the
//! keys Switchyard manages (the expected files are `testdata/<client>.after/`; run with
//! `UPDATE_GOLDEN=1` to rewrite them after a deliberate change), disconnect gives back the
//! original bytes, the user's edits in between survive, a file that does not parse is refused
//! untouched, and two connects at once leave one valid file.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::*;
use crate::secrets::Secret;

const CLIENTS_WITH_FILES: [Client; 7] = [
    Client::ClaudeCode,
    Client::Codex,
    Client::GeminiCli,
    Client::Opencode,
    Client::Continue,
    Client::Aider,
    Client::Zed,
];

fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/connect/testdata")
}

/// A temporary home with a data dir beside it, removed on drop.
struct Home {
    root: PathBuf,
}

impl Home {
    fn empty() -> Home {
        let root =
            std::env::temp_dir().join(format!("switchyard-connect-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(root.join("home")).unwrap();
        Home { root }
    }

    /// A home holding the client's real-world files.
    fn with(client: Client) -> Home {
        let home = Home::empty();
        copy_tree(&testdata().join(client.id()), &home.home());
        home
    }

    fn home(&self) -> PathBuf {
        self.root.join("home")
    }

    fn connector(&self) -> Connector {
        Connector::new(
            ClientEnv::with_home(self.home(), &[]),
            &self.root.join("data"),
        )
    }

    fn files(&self) -> Vec<(PathBuf, String)> {
        let mut files = Vec::new();
        collect(&self.home(), &self.home(), &mut files);
        files.sort();
        files
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path.strip_prefix(root).unwrap().to_path_buf(), text));
        }
    }
}

fn target() -> Target {
    Target {
        root_url: "http://127.0.0.1:4545".into(),
        model: Some("coder".into()),
        aliases: vec!["coder".into(), "sonnet".into()],
        provider_models: vec![
            "anthropic/claude-sonnet-4-5".into(),
            "openai/gpt-4.1".into(),
        ],
        key: None,
    }
}

#[test]
fn connect_changes_only_the_managed_keys_of_real_world_files() {
    for client in CLIENTS_WITH_FILES {
        let home = Home::with(client);
        home.connector().connect(client, &target(), None).unwrap();
        let golden = testdata().join(format!("{}.after", client.id()));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            let _ = std::fs::remove_dir_all(&golden);
            for (path, text) in home.files() {
                let dest = golden.join(path);
                std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
                std::fs::write(dest, text).unwrap();
            }
        }
        let mut expected = Vec::new();
        collect(&golden, &golden, &mut expected);
        expected.sort();
        assert_eq!(
            home.files(),
            expected,
            "{}: connect's edit differs from testdata/{}.after",
            client.id(),
            client.id()
        );
    }
}

#[test]
fn disconnect_gives_back_the_original_bytes() {
    for client in CLIENTS_WITH_FILES {
        let home = Home::with(client);
        let before = home.files();
        let connector = home.connector();
        connector.connect(client, &target(), None).unwrap();
        assert_ne!(
            home.files(),
            before,
            "{}: connect changed nothing",
            client.id()
        );
        let undone = connector.disconnect(client).unwrap();
        assert!(undone.was_connected && undone.kept.is_empty(), "{undone:?}");
        assert_eq!(
            home.files(),
            before,
            "{}: disconnect left a difference",
            client.id()
        );
        let status = connector.status();
        let row = status.clients.iter().find(|c| c.client == client).unwrap();
        assert_eq!(row.state, ConnectionState::NotConnected);
    }
}

#[test]
fn a_client_without_a_config_file_gets_one_and_loses_it_on_disconnect() {
    for client in CLIENTS_WITH_FILES {
        let home = Home::empty();
        let connector = home.connector();
        let outcome = connector.connect(client, &target(), None).unwrap();
        assert!(outcome.files.iter().all(|f| f.created), "{outcome:?}");
        assert!(!home.files().is_empty(), "{}: no file written", client.id());
        connector.disconnect(client).unwrap();
        assert_eq!(
            home.files(),
            Vec::new(),
            "{}: files left behind",
            client.id()
        );
    }
}

#[test]
fn a_dry_run_shows_the_diff_and_writes_nothing() {
    let home = Home::with(Client::Codex);
    let before = home.files();
    let preview = home.connector().preview(Client::Codex, &target()).unwrap();
    assert!(preview.dry_run);
    let diff = &preview.files[0].diff;
    assert!(
        diff.contains("+model_provider = \"switchyard\"\n"),
        "{diff}"
    );
    assert!(
        diff.contains("-model = \"gpt-5-codex\"\n+model = \"coder\"\n"),
        "{diff}"
    );
    assert!(diff.contains("+[model_providers.switchyard]\n"), "{diff}");
    assert!(
        !diff.contains("[mcp_servers"),
        "the diff shows only what changes: {diff}"
    );
    assert_eq!(home.files(), before, "a dry run writes nothing");
    assert!(
        !home.root.join("data/connect/codex.json").exists(),
        "and keeps no receipt"
    );
}

#[test]
fn an_issued_client_key_is_written_but_never_shown_in_a_diff_or_kept_in_the_receipt() {
    let home = Home::with(Client::ClaudeCode);
    let key = "sk-sy-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let mut target = target();
    target.key = Some(Secret::new(key.to_owned()));
    let outcome = home
        .connector()
        .connect(Client::ClaudeCode, &target, Some("key-id-1".into()))
        .unwrap();
    let settings = std::fs::read_to_string(home.home().join(".claude/settings.json")).unwrap();
    assert!(
        settings.contains(&format!("\"ANTHROPIC_AUTH_TOKEN\": \"{key}\"")),
        "{settings}"
    );
    assert!(
        !outcome.files[0].diff.contains(key),
        "the diff hides the key"
    );
    assert!(outcome.files[0].diff.contains("<client key>"));
    let receipt = std::fs::read_to_string(home.root.join("data/connect/claude-code.json")).unwrap();
    assert!(
        !receipt.contains(key),
        "the receipt keeps a hash, not the key: {receipt}"
    );
    assert!(receipt.contains("key-id-1"));
}

#[test]
fn claude_code_never_has_both_an_api_key_and_a_token() {
    let home = Home::with(Client::ClaudeCode);
    let connector = home.connector();
    connector
        .connect(Client::ClaudeCode, &target(), None)
        .unwrap();
    let path = home.home().join(".claude/settings.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let settings: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        settings["env"]["ANTHROPIC_AUTH_TOKEN"],
        json!(PLACEHOLDER_KEY)
    );
    assert_eq!(settings["env"].get("ANTHROPIC_API_KEY"), None, "{text}");
    assert_eq!(
        settings["env"]["ANTHROPIC_BASE_URL"],
        json!("http://127.0.0.1:4545"),
        "no /v1"
    );
    assert_eq!(
        settings["env"]["ANTHROPIC_DEFAULT_SONNET_MODEL"],
        json!("sonnet"),
        "the alias named after the family"
    );
    assert_eq!(
        settings["env"]["ANTHROPIC_DEFAULT_HAIKU_MODEL"],
        json!("coder"),
        "else --model"
    );
}

#[test]
fn user_edits_made_after_connect_survive_disconnect() {
    let home = Home::with(Client::ClaudeCode);
    let connector = home.connector();
    connector
        .connect(Client::ClaudeCode, &target(), None)
        .unwrap();
    let path = home.home().join(".claude/settings.json");
    let connected = std::fs::read_to_string(&path).unwrap();
    // The user adds a permission and points the model at something else by hand.
    let edited = connected
        .replace(
            "\"Read(~/.zshrc)\"",
            "\"Read(~/.zshrc)\",\n      \"WebFetch\"",
        )
        .replace(
            "\"ANTHROPIC_MODEL\": \"coder\"",
            "\"ANTHROPIC_MODEL\": \"openai/gpt-4.1\"",
        );
    assert_ne!(edited, connected);
    std::fs::write(&path, &edited).unwrap();

    let status = connector.status();
    let row = status
        .clients
        .iter()
        .find(|c| c.client == Client::ClaudeCode)
        .unwrap();
    assert_eq!(row.state, ConnectionState::ChangedSince);
    assert_eq!(row.changed_keys, vec!["env.ANTHROPIC_MODEL".to_owned()]);

    let undone = connector.disconnect(Client::ClaudeCode).unwrap();
    assert_eq!(
        undone
            .kept
            .iter()
            .map(|k| k.key.as_str())
            .collect::<Vec<_>>(),
        vec!["env.ANTHROPIC_MODEL"],
        "the key the user changed is reported as left alone"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let after: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(
        text.contains("\"WebFetch\""),
        "the user's new permission stays: {text}"
    );
    assert_eq!(
        after["env"]["ANTHROPIC_MODEL"],
        json!("openai/gpt-4.1"),
        "their value stays"
    );
    assert_eq!(
        after["env"]["ANTHROPIC_API_KEY"],
        json!("sk-ant-api03-users-own-key"),
        "the old key is back"
    );
    assert_eq!(after["env"].get("ANTHROPIC_BASE_URL"), None);
    assert_eq!(after["env"].get("ANTHROPIC_AUTH_TOKEN"), None);
    let original =
        std::fs::read_to_string(testdata().join("claude-code/.claude/settings.json")).unwrap();
    let original: serde_json::Value = serde_json::from_str(&original).unwrap();
    assert_eq!(
        after["hooks"], original["hooks"],
        "everything else as it was"
    );
}

#[test]
fn codex_keeps_other_providers_projects_and_comments_through_a_round_trip_with_an_edit() {
    let home = Home::with(Client::Codex);
    let connector = home.connector();
    connector.connect(Client::Codex, &target(), None).unwrap();
    let path = home.home().join(".codex/config.toml");
    let connected = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        connected.replace("trust_level = \"untrusted\"", "trust_level = \"trusted\""),
    )
    .unwrap();
    let undone = connector.disconnect(Client::Codex).unwrap();
    assert!(undone.kept.is_empty(), "{undone:?}");
    let original = std::fs::read_to_string(testdata().join("codex/.codex/config.toml")).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        original.replace("trust_level = \"untrusted\"", "trust_level = \"trusted\""),
        "every managed key restored, the user's edit kept, nothing else touched"
    );
}

#[test]
fn continue_keeps_anchors_and_other_models_through_a_round_trip_with_an_edit() {
    let home = Home::with(Client::Continue);
    let connector = home.connector();
    connector
        .connect(Client::Continue, &target(), None)
        .unwrap();
    let path = home.home().join(".continue/config.yaml");
    let connected = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        connected.replace(
            "  - provider: diff\n",
            "  - provider: diff\n  - provider: terminal\n",
        ),
    )
    .unwrap();
    connector.disconnect(Client::Continue).unwrap();
    let original =
        std::fs::read_to_string(testdata().join("continue/.continue/config.yaml")).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        original.replace(
            "  - provider: diff\n",
            "  - provider: diff\n  - provider: terminal\n"
        )
    );
}

#[test]
fn a_file_that_does_not_parse_is_refused_untouched() {
    let broken = [
        (
            Client::ClaudeCode,
            ".claude/settings.json",
            "{\n  \"model\": \"opus\",\n  \"env\": {\n    \"A\": ]\n  }\n}\n",
            4,
        ),
        (
            Client::Codex,
            ".codex/config.toml",
            "model = \"gpt-5\"\n[projects\n",
            2,
        ),
        (
            Client::GeminiCli,
            ".gemini/.env",
            "A=1\nthis is not a variable\n",
            2,
        ),
        (
            Client::Opencode,
            ".config/opencode/opencode.json",
            "{\n  \"model\": ,\n}\n",
            2,
        ),
        (
            Client::Aider,
            ".aider.conf.yml",
            "model: sonnet\nread: [a, b\n",
            0,
        ),
    ];
    for (client, file, text, line) in broken {
        let home = Home::empty();
        let path = home.home().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        let err = home
            .connector()
            .connect(client, &target(), None)
            .unwrap_err();
        assert!(err.is_refused_file(), "{err}");
        let message = err.to_string();
        assert!(
            message.contains(&path.display().to_string()),
            "names the file: {message}"
        );
        if line > 0 {
            assert!(
                message.contains(&format!(":{line}:")),
                "names line {line}: {message}"
            );
        }
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text,
            "{}: file touched",
            client.id()
        );
        assert!(
            !home
                .root
                .join(format!("data/connect/{}.json", client.id()))
                .exists(),
            "no receipt"
        );
    }
}

#[test]
fn a_refused_second_file_leaves_the_first_untouched_too() {
    let home = Home::with(Client::GeminiCli);
    let settings = home.home().join(".gemini/settings.json");
    std::fs::write(&settings, "{ \"ui\": ").unwrap();
    let before = home.files();
    assert!(
        home.connector()
            .connect(Client::GeminiCli, &target(), None)
            .is_err()
    );
    assert_eq!(
        home.files(),
        before,
        ".env must not be written when settings.json is refused"
    );
}

#[test]
fn connecting_twice_keeps_the_first_previous_values_and_disconnect_still_restores_the_original() {
    let home = Home::with(Client::Opencode);
    let before = home.files();
    let connector = home.connector();
    connector
        .connect(Client::Opencode, &target(), None)
        .unwrap();
    let mut other = target();
    other.model = Some("openai/gpt-4.1".into());
    let again = connector.connect(Client::Opencode, &other, None).unwrap();
    assert_eq!(again.files.len(), 1, "the model changes");
    let same = connector.connect(Client::Opencode, &other, None).unwrap();
    assert!(
        same.files.is_empty(),
        "connecting the same way again changes nothing"
    );
    connector.disconnect(Client::Opencode).unwrap();
    assert_eq!(home.files(), before);
}

#[test]
fn two_connects_at_once_leave_one_valid_file() {
    let home = Home::with(Client::Codex);
    let before = home.files();
    let models = [
        "coder",
        "sonnet",
        "openai/gpt-4.1",
        "anthropic/claude-sonnet-4-5",
    ];
    std::thread::scope(|scope| {
        for model in models {
            let connector = home.connector();
            scope.spawn(move || {
                let mut target = target();
                target.model = Some(model.into());
                connector.connect(Client::Codex, &target, None).unwrap();
            });
        }
    });
    let path = home.home().join(".codex/config.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let parsed: toml::Table = toml::from_str(&text).unwrap();
    assert!(
        models.contains(&parsed["model"].as_str().unwrap()),
        "{text}"
    );
    assert_eq!(
        text.matches("[model_providers.switchyard]").count(),
        1,
        "{text}"
    );
    home.connector().disconnect(Client::Codex).unwrap();
    assert_eq!(
        home.files(),
        before,
        "the receipt kept the values from before the first connect"
    );
}

#[path = "tests_status.rs"]
mod status;
