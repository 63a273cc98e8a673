//! `switchyard serve` as a new user first runs it: the banner names the proxy URL and the
//! dashboard and, while no provider has a key, says so in one line with the way to add one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn the_first_run_banner_says_that_no_provider_has_a_key_yet() {
    let root = std::env::temp_dir().join(format!("switchyard-serve-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let config = root.join("config.toml");
    std::fs::write(
        &config,
        "[[providers]]\nid = \"openai\"\nkind = \"openai\"\nkey_env = \"SWITCHYARD_TEST_NEVER_SET_KEY\"\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(root.join("data"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("SWITCHYARD_TEST_NEVER_SET_KEY")
        // No Secret Service here: the key could only come from the variable, which is unset.
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Read on a thread of its own: the pipe stays open while the gateway runs, so a banner
    // shorter than expected must end the wait by time, not hang the test.
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, lines_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut lines = Vec::new();
    while let Ok(line) = lines_rx.recv_timeout(std::time::Duration::from_secs(20)) {
        let last = line.starts_with("First run:");
        lines.push(line);
        if last || lines.len() >= 8 {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&root);
    assert!(lines[0].starts_with("Switchyard "), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Proxy base URL: http://127.0.0.1:")),
        "{lines:?}"
    );
    let first_run = lines.last().unwrap();
    assert!(
        first_run.starts_with("First run:      no provider has a key yet;"),
        "{lines:?}"
    );
    assert!(
        first_run.contains("switchyard keys set PROVIDER"),
        "{first_run}"
    );
}
