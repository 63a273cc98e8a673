//! The OS keychain end to end, with the real binary and a real Secret Service.
//!
//! Needs a D-Bus session with an unlocked Secret Service, which `make test` provides
//! (`scripts/test.sh` runs this file inside `dbus-run-session` with gnome-keyring); a plain
//! `cargo test` lists it as ignored rather than failing on a machine without one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use mock_provider::{MockOptions, MockProvider};

const KEY: &str = "sk-keychain-e2e-0123456789abcdefQRST";

struct Dirs {
    root: PathBuf,
}

impl Dirs {
    fn new() -> Dirs {
        let root = std::env::temp_dir().join(format!("switchyard-keychain-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        Dirs { root }
    }
    fn config(&self) -> PathBuf {
        self.root.join("config.toml")
    }
    fn data(&self) -> PathBuf {
        self.root.join("data")
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
        .env("SWITCHYARD_CONFIG", dirs.config())
        .env("SWITCHYARD_DATA_DIR", dirs.data())
        .env_remove("SWITCHYARD_LISTEN")
        .env_remove("SWITCHYARD_KEYCHAIN_TEST_UNSET");
    command
}

fn keys(dirs: &Dirs, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = switchyard(dirs)
        .arg("keys")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A refused command may exit before reading its input: a broken pipe is not a failure.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Starts `switchyard serve` on a free port; returns the child and its base URL.
fn serve(dirs: &Dirs, log: &Path) -> (Child, String) {
    let mut child = switchyard(dirs)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    for line in stdout.lines() {
        let line = line.unwrap();
        if let Some(url) = line.strip_prefix("Proxy base URL: ") {
            return (child, url.trim_end_matches("/v1").to_owned());
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!(
        "switchyard serve printed no base URL; see {}",
        log.display()
    );
}

fn terminate(mut child: Child, log: &Path) {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    let log = std::fs::read_to_string(log).unwrap_or_default();
    let tail: Vec<&str> = log.lines().filter(|l| !l.contains("DEBUG")).collect();
    assert!(
        status.success(),
        "serve exits cleanly on SIGTERM: {status}\n{}",
        tail.join("\n")
    );
}

async fn chat(base: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/v1/chat/completions"))
        .json(&serde_json::json!({"model": "mock/gpt-4.1", "messages": [{"role": "user", "content": "hi"}]}))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
#[ignore = "needs a Secret Service session: run by `make test` inside dbus-run-session"]
async fn a_key_set_with_the_cli_lives_in_the_keychain_and_nowhere_else() {
    let dirs = Dirs::new();
    let mock = MockProvider::start(MockOptions {
        api_key: Some(KEY.into()),
        ..MockOptions::default()
    })
    .await
    .unwrap();
    std::fs::write(
        dirs.config(),
        format!(
            "[[providers]]\nid = \"mock\"\nkind = \"openai-compatible\"\nbase_url = \"{}\"\nkey_env = \"SWITCHYARD_KEYCHAIN_TEST_UNSET\"\n",
            mock.base_url()
        ),
    )
    .unwrap();

    let (ok, out, err) = keys(&dirs, &["set", "mock"], KEY);
    assert!(ok, "keys set failed: {out}{err}");
    assert!(
        out.contains("…QRST") && !out.contains(KEY),
        "only the last four are shown: {out}"
    );

    let (ok, out, _) = keys(&dirs, &["list"], "");
    assert!(ok);
    assert!(out.contains("keychain") && out.contains("QRST"), "{out}");
    assert!(!out.contains(KEY), "keys list never shows a key: {out}");

    let (ok, _, err) = keys(&dirs, &["set", "nope"], KEY);
    assert!(!ok, "an unknown provider is refused");
    assert!(err.contains("known providers: mock"), "{err}");

    let log = dirs.root.join("serve.log");
    let (server, base) = serve(&dirs, &log);
    let answer = chat(&base).await;
    assert_eq!(
        answer.status(),
        200,
        "the key came from the keychain: no variable holds it"
    );
    let upstream = mock.received().pop().unwrap();
    assert_eq!(
        upstream.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );

    let (ok, out, err) = keys(&dirs, &["delete", "mock"], "");
    assert!(ok, "{out}{err}");
    assert!(
        err.contains("picked up the change"),
        "the running gateway was told: {err}"
    );
    let answer = chat(&base).await;
    assert_eq!(
        answer.status(),
        401,
        "with the key deleted, the provider has none"
    );
    let body: serde_json::Value = answer.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("switchyard keys set mock")
    );
    terminate(server, &log);

    for file in walk(&dirs.root) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(
            !text.contains(KEY),
            "the key leaked into {}",
            file.display()
        );
    }
    assert!(
        std::fs::metadata(&log).unwrap().len() > 0,
        "the debug log was captured and scanned"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
