//! `switchyard serve` killed with SIGKILL in the middle of a load of streams (a power cut, the
//! OOM killer, `kill -9`): the history it leaves is a sound database holding every row the
//! gateway had reported written, and nothing but requests a client really sent; it starts
//! again on it and serves. Only requests in flight (and the few finished in the instant
//! before, still on their way to the database) may be missing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use switchyard_faults::Chaos;

/// The `switchyard` binary: `SWITCHYARD_BIN`, or the one `cargo test --workspace` built next
/// to this test (`target/debug/switchyard`, this being `target/debug/deps/crash-…`).
fn switchyard_bin() -> PathBuf {
    let bin = std::env::var_os("SWITCHYARD_BIN").map_or_else(
        || {
            let exe = std::env::current_exe().unwrap();
            exe.parent().unwrap().parent().unwrap().join("switchyard")
        },
        PathBuf::from,
    );
    assert!(
        bin.exists(),
        "{} is not built: run `cargo test --workspace` (or set SWITCHYARD_BIN)",
        bin.display()
    );
    bin
}

struct Serve {
    child: Child,
    addr: String,
    token: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `switchyard serve` on the dir's config and data and waits for `/healthz`.
async fn serve(dir: &std::path::Path, http: &reqwest::Client) -> Serve {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(switchyard_bin())
        .arg("serve")
        .arg("--config")
        .arg(dir.join("config.toml"))
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args(["--listen", &addr])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    // Dropped, it is killed and waited for: a start that fails leaves nothing running.
    let mut serve = Serve {
        child,
        addr,
        token: String::new(),
    };
    for _ in 0..400 {
        if let Ok(r) = http
            .get(format!("http://{}/healthz", serve.addr))
            .send()
            .await
            && r.status() == 200
        {
            let token = std::fs::read_to_string(dir.join("data/admin-token")).unwrap();
            serve.token = token.trim().to_owned();
            return serve;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("switchyard serve did not answer /healthz within 20 s");
}

impl Serve {
    async fn status(&self, http: &reqwest::Client) -> Value {
        http.get(format!("http://{}/api/status", self.addr))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

/// One client in a loop: slow streams and quick answers, by turns, until aborted. Every
/// request id the gateway answered with goes into `sent`.
async fn client_loop(http: reqwest::Client, addr: String, sent: Arc<Mutex<HashSet<String>>>) {
    for i in 0u64.. {
        let stream = i % 2 == 0;
        let model = if stream {
            "chaos/ok-slow"
        } else {
            "chaos/ok-quick"
        };
        let response = http
            .post(format!("http://{addr}/v1/chat/completions"))
            .json(&json!({"model": model, "stream": stream,
                "messages": [{"role": "user", "content": "hi"}]}))
            .send()
            .await;
        let Ok(response) = response else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        if let Some(id) = response.headers().get("x-request-id") {
            sent.lock().unwrap().insert(id.to_str().unwrap().to_owned());
        }
        let _ = response.bytes().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_load_leaves_a_sound_history_with_every_row_reported_written() {
    let chaos = Chaos::start().await.unwrap();
    let dir = switchyard_faults::rig::work_dir("crash", &chaos);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();

    let mut gateway = serve(&dir, &http).await;
    let sent = Arc::new(Mutex::new(HashSet::new()));
    let clients: Vec<_> = (0..12)
        .map(|_| {
            tokio::spawn(client_loop(
                http.clone(),
                gateway.addr.clone(),
                sent.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let written = gateway.status(&http).await["history"]["written"]
        .as_u64()
        .unwrap();
    gateway.child.kill().unwrap(); // SIGKILL
    gateway.child.wait().unwrap();
    // Let the clients take in what reached them before the kill, request ids included.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for client in &clients {
        client.abort();
    }
    assert!(written >= 20, "the load ran: {written} rows written");

    let db = rusqlite::Connection::open(dir.join("data/history.sqlite3")).unwrap();
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(check, "ok", "the database is sound");
    let ids: Vec<String> = db
        .prepare("SELECT id FROM requests")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    drop(db);
    assert!(
        ids.len() as u64 >= written,
        "{} rows, but {written} were reported written before the kill",
        ids.len()
    );
    let sent = sent.lock().unwrap().clone();
    for id in &ids {
        assert!(sent.contains(id), "row {id} is of a request no client sent");
    }
    eprintln!(
        "{} requests answered, {} in history, {} in flight or on their way at the kill",
        sent.len(),
        ids.len(),
        sent.len() - ids.len()
    );

    let again = serve(&dir, &http).await;
    let answer = http
        .post(format!("http://{}/v1/chat/completions", again.addr))
        .json(&json!({"model": "chaos/ok-after", "messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200, "it serves again on the same history");
    let status = again.status(&http).await;
    assert_eq!(status["history"]["trouble"], Value::Null, "{status}");
    drop(again);
    let _ = std::fs::remove_dir_all(&dir);
}
