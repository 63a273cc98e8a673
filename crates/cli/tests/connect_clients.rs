//! `switchyard connect` end to end with the published clients: after `connect CLIENT`, the
//! client, run with nothing but `HOME` (plus `PATH` for node and the flags that keep it from
//! phoning home), answers through a running `switchyard serve` in front of the mock provider;
//! after `disconnect` it no longer reaches Switchyard.
//!
//! Needs the clients installed: `SWITCHYARD_CLIENTS_BIN` names a folder holding `claude`,
//! `codex`, `gemini` and `opencode` (e.g. `node_modules/.bin` of an npm install of
//! `@anthropic-ai/claude-code @openai/codex @google/gemini-cli opencode-ai`). Without it the
//! test says so and passes; `SWITCHYARD_CONNECT_CLIENTS=codex,opencode` narrows the clients.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mock_provider::{MockOptions, MockProvider};

const MOCK_KEY: &str = "sk-mock-connect-e2e-0123456789";
const MODEL: &str = "mock/gpt-4.1";

struct Dirs {
    root: PathBuf,
}

impl Dirs {
    fn new(name: &str) -> Dirs {
        let root = std::env::temp_dir().join(format!(
            "switchyard-connect-e2e-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("home")).unwrap();
        Dirs { root }
    }
    fn home(&self) -> PathBuf {
        self.root.join("home")
    }
}

impl Drop for Dirs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn switchyard(dirs: &Dirs) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command
        .arg("--config")
        .arg(dirs.root.join("config.toml"))
        .arg("--data-dir")
        .arg(dirs.root.join("data"))
        .env("HOME", dirs.home())
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("CODEX_HOME")
        .env_remove("OPENCODE_CONFIG")
        .env_remove("CLAUDE_CONFIG_DIR")
        .env_remove("GEMINI_CLI_HOME");
    command
}

fn serve(dirs: &Dirs, mock: &MockProvider) -> (Child, String) {
    std::fs::write(
        dirs.root.join("config.toml"),
        format!(
            "[[providers]]\nid = \"mock\"\nkind = \"openai-compatible\"\nbase_url = \"{}\"\nkey_env = \"SWITCHYARD_E2E_MOCK_KEY\"\nmodels = [\"gpt-4.1\"]\n",
            mock.base_url()
        ),
    )
    .unwrap();
    let mut child = switchyard(dirs)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("SWITCHYARD_E2E_MOCK_KEY", MOCK_KEY)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dirs.root.join("serve.log")).unwrap())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    for line in stdout.lines() {
        if let Some(url) = line.unwrap().strip_prefix("Proxy base URL: ") {
            return (child, url.trim_end_matches("/v1").to_owned());
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("switchyard serve printed no base URL");
}

fn run_switchyard(dirs: &Dirs, args: &[&str]) -> String {
    let output = switchyard(dirs).args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "switchyard {args:?} failed:\n{text}"
    );
    text
}

/// The client's command line and the variables (besides HOME and PATH) it needs headless.
fn client_command(client: &str, bin: &Path) -> (Vec<String>, Vec<(&'static str, &'static str)>) {
    let exe = |name: &str| bin.join(name).display().to_string();
    let prompt = "Say hello.".to_owned();
    match client {
        "claude-code" => (
            vec![exe("claude"), "-p".into(), prompt],
            vec![
                ("DISABLE_TELEMETRY", "1"),
                ("DISABLE_AUTOUPDATER", "1"),
                ("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"),
            ],
        ),
        "codex" => (
            vec![
                exe("codex"),
                "exec".into(),
                "--skip-git-repo-check".into(),
                prompt,
            ],
            vec![],
        ),
        "gemini-cli" => (
            vec![exe("gemini"), "-p".into(), prompt],
            vec![("GEMINI_CLI_TRUST_WORKSPACE", "true")],
        ),
        "opencode" => (vec![exe("opencode"), "run".into(), prompt], vec![]),
        other => panic!("no command for {other}"),
    }
}

/// Runs the client with a clean environment, for at most `limit`.
fn run_client(dirs: &Dirs, client: &str, bin: &Path, limit: Duration) -> String {
    let (argv, vars) = client_command(client, bin);
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", bin.display());
    let log = dirs.root.join(format!("{client}.log"));
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .env_clear()
        .env("HOME", dirs.home())
        .env("PATH", path)
        .envs(vars)
        .current_dir(dirs.home())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(Stdio::from(
            std::fs::File::options().append(true).open(&log).unwrap(),
        ))
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() && started.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.kill();
    let _ = child.wait();
    std::fs::read_to_string(&log).unwrap_or_default()
}

/// How many proxy requests the gateway has recorded.
fn recorded(dirs: &Dirs, base: &str) -> u64 {
    let token = std::fs::read_to_string(dirs.root.join("data/admin-token")).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // The history writer batches: give it a moment.
        tokio::time::sleep(Duration::from_millis(800)).await;
        let body: serde_json::Value = reqwest::Client::new()
            .get(format!("{base}/api/requests?limit=1"))
            .bearer_auth(token.trim())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["total"].as_u64().unwrap()
    })
}

#[test]
fn connected_clients_answer_through_switchyard_and_stop_after_disconnect() {
    let Some(bin) = std::env::var_os("SWITCHYARD_CLIENTS_BIN").map(PathBuf::from) else {
        eprintln!("SWITCHYARD_CLIENTS_BIN is not set: the real clients are not run");
        return;
    };
    let clients: Vec<String> = std::env::var("SWITCHYARD_CONNECT_CLIENTS")
        .unwrap_or_else(|_| "claude-code,codex,gemini-cli,opencode".into())
        .split(',')
        .map(str::to_owned)
        .collect();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mock = runtime
        .block_on(MockProvider::start(MockOptions {
            api_key: Some(MOCK_KEY.into()),
            ..MockOptions::default()
        }))
        .unwrap();
    let mut failures = Vec::new();
    for client in &clients {
        let dirs = Dirs::new(client);
        let (mut gateway, base) = serve(&dirs, &mock);
        let connected = run_switchyard(&dirs, &["connect", client, "--model", MODEL]);
        let before = recorded(&dirs, &base);
        let answer = run_client(&dirs, client, &bin, Duration::from_secs(180));
        let after = recorded(&dirs, &base);
        if after <= before {
            failures.push(format!(
                "{client}: no request reached Switchyard after connect\n{connected}\n{answer}"
            ));
        }
        run_switchyard(&dirs, &["disconnect", client]);
        let answer = run_client(&dirs, client, &bin, Duration::from_secs(45));
        let last = recorded(&dirs, &base);
        if last != after {
            failures.push(format!(
                "{client}: still reached Switchyard after disconnect\n{answer}"
            ));
        }
        let _ = gateway.kill();
        let _ = gateway.wait();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
