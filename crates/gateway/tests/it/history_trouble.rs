//! A history database another process has locked (a `sqlite3` shell left in a transaction, a
//! backup tool): requests keep being served, `/api/status` says why history is not saving, and
//! every row is written once the lock is gone.

use std::time::Duration;

use serde_json::Value;

use crate::harness::{self, chat, request_id};

#[tokio::test]
async fn a_locked_history_is_reported_and_requests_keep_flowing_and_nothing_is_lost() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let locker = rusqlite::Connection::open(h.dir.join("data/history.sqlite3")).unwrap();
    locker.execute_batch("BEGIN EXCLUSIVE").unwrap();

    let mut ids = Vec::new();
    for _ in 0..3 {
        let response = h.post("/v1/chat/completions", chat("gpt-4.1")).await;
        assert_eq!(response.status(), 200, "served while history is locked");
        ids.push(request_id(&response));
    }
    let status = wait_status(&h, |s| s["history"]["trouble"].is_string()).await;
    assert!(status["history"]["held"].as_u64().unwrap() >= 1, "{status}");
    assert!(
        status["history"]["trouble"]
            .as_str()
            .unwrap()
            .contains("locked"),
        "{status}"
    );

    drop(locker);
    wait_status(&h, |s| {
        s["history"]["trouble"].is_null() && s["history"]["held"] == 0
    })
    .await;
    for id in &ids {
        assert_eq!(
            h.row(id).await["status"],
            200,
            "row {id} was written after the lock"
        );
    }
}

async fn wait_status(h: &harness::Harness, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..300 {
        let status = h.admin("/api/status").await;
        if done(&status) {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("/api/status never reached the expected state");
}
