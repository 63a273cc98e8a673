//! `switchyard connect` end to end with the published clients: after `connect CLIENT`, the
//! client, run with nothing but `HOME` (plus `PATH` for node and the flags that keep it from
//! phoning home), prints the model's answer through a running `switchyard serve` in front of the
//! mock provider; after `disconnect` it no longer reaches Switchyard.
//!
//! Needs the clients installed (`make test` does it): `SWITCHYARD_CLIENTS_DIR` names the cache
//! that `tests/clients/install.sh` prints, holding `node_modules/.bin/{claude,codex,gemini,
//! opencode}` and `venv/bin/aider`. Hence `#[ignore]`: run it with `-- --ignored`, and it fails
//! when the folder is not given. `SWITCHYARD_CONNECT_CLIENTS=codex,opencode` narrows the clients.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
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
fn client_command(
    client: &str,
    clients_dir: &Path,
) -> (Vec<String>, Vec<(&'static str, &'static str)>) {
    let exe = |name: &str| {
        bin_dir(client, clients_dir)
            .join(name)
            .display()
            .to_string()
    };
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
        // Everything else Aider needs comes from the ~/.aider.conf.yml that connect wrote.
        "aider" => (
            vec![
                exe("aider"),
                "--message".into(),
                prompt,
                "--yes-always".into(),
                "--no-git".into(),
                "--no-check-update".into(),
                "--analytics-disable".into(),
                "--no-show-model-warnings".into(),
                "--no-pretty".into(),
            ],
            // litellm's bundled price list, not the copy it would fetch at start.
            vec![("LITELLM_LOCAL_MODEL_COST_MAP", "True")],
        ),
        other => panic!("no command for {other}"),
    }
}

/// Where the client's executable is in the cache `tests/clients/install.sh` fills.
fn bin_dir(client: &str, clients_dir: &Path) -> PathBuf {
    match client {
        "aider" => clients_dir.join("venv/bin"),
        _ => clients_dir.join("node_modules/.bin"),
    }
}

/// Runs the client with a clean environment, for at most `limit`; its output, stdout and
/// stderr together. The client runs in a process group of its own, and the whole group is
/// killed at the end: Codex's npm wrapper starts a native binary that would outlive the
/// wrapper (retrying a gateway that is gone) if only the wrapper were killed.
fn run_client(dirs: &Dirs, client: &str, clients_dir: &Path, limit: Duration) -> String {
    let (argv, vars) = client_command(client, clients_dir);
    let path = format!(
        "{}:/usr/local/bin:/usr/bin:/bin",
        bin_dir(client, clients_dir).display()
    );
    let log = dirs.root.join(format!("{client}.log"));
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .env_clear()
        .env("HOME", dirs.home())
        .env("PATH", path)
        .envs(vars)
        .current_dir(dirs.home())
        .process_group(0)
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
    // kill(1) with a negative pid signals the group (the workspace forbids unsafe, so no libc).
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .status();
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
#[ignore = "runs the published clients: make test sets SWITCHYARD_CLIENTS_DIR and passes --ignored"]
fn connected_clients_answer_through_switchyard_and_stop_after_disconnect() {
    let clients_dir = std::env::var_os("SWITCHYARD_CLIENTS_DIR")
        .map(PathBuf::from)
        .expect("SWITCHYARD_CLIENTS_DIR must name the client cache (bash tests/clients/install.sh prints it)");
    let clients: Vec<String> = std::env::var("SWITCHYARD_CONNECT_CLIENTS")
        .unwrap_or_else(|_| "claude-code,codex,gemini-cli,opencode,aider".into())
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
    // What the mock answers, as the client must print it: the plain answer, or, when the
    // client offered tools and the mock called one, the answer to the tool's result.
    let answers = [
        "This is a mock answer from gpt-4.1",
        "Tool result received:",
    ];
    // One gateway and HOME per client, all at once: most of each run is the client waiting on
    // its model or, after disconnect, on a provider it cannot reach.
    let check = |client: &str| -> Vec<String> {
        let mut failures = Vec::new();
        let dirs = Dirs::new(client);
        let (mut gateway, base) = serve(&dirs, &mock);
        let connected = run_switchyard(&dirs, &["connect", client, "--model", MODEL]);
        let before = recorded(&dirs, &base);
        let output = run_client(&dirs, client, &clients_dir, Duration::from_secs(240));
        let after = recorded(&dirs, &base);
        if after <= before || !answers.iter().any(|a| output.contains(a)) {
            failures.push(format!(
                "{client}: expected one of the model's answers {answers:?} through Switchyard after connect \
                 ({} requests recorded)\n{connected}\n{output}",
                after - before
            ));
        }
        run_switchyard(&dirs, &["disconnect", client]);
        let output = run_client(&dirs, client, &clients_dir, Duration::from_secs(45));
        let last = recorded(&dirs, &base);
        if last != after {
            failures.push(format!(
                "{client}: still reached Switchyard after disconnect\n{output}"
            ));
        }
        let _ = gateway.kill();
        let _ = gateway.wait();
        failures
    };
    let failures: Vec<String> = std::thread::scope(|scope| {
        let runs: Vec<_> = clients
            .iter()
            .map(|client| scope.spawn(|| check(client)))
            .collect();
        runs.into_iter()
            .flat_map(|run| run.join().expect("a client check panicked"))
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
