//! Several keys for one provider (keychain accounts `ID`, `ID#2`, …): used in turn, a refused
//! or rate-limited key set aside in favour of the next, and each request's key recorded by its
//! last four characters.

use mock_provider::{MockOptions, MockProvider};
use serde_json::{Value, json};

use crate::harness::{self, chat, request_id};

const FIRST: &str = "sk-first-key-aaaa1111";
const SECOND: &str = "sk-second-key-bbbb2222";

async fn open_mock() -> MockProvider {
    MockProvider::start(MockOptions::default()).await.unwrap()
}

fn statuses(row: &Value) -> Vec<Value> {
    row["attempt_details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].clone())
        .collect()
}

#[tokio::test]
async fn keys_are_used_in_turn_and_each_request_records_its_keys_last_four() {
    let mock = open_mock().await;
    let h = harness::start_with_keys(
        &harness::one_provider(&mock, ""),
        &[("mock", FIRST), ("mock#2", SECOND)],
    )
    .await;
    let mut last_fours = Vec::new();
    for _ in 0..4 {
        let response = h.post("/v1/chat/completions", chat("gpt-4.1")).await;
        assert_eq!(response.status(), 200);
        last_fours.push(h.row(&request_id(&response)).await["key_last_four"].clone());
    }
    assert_eq!(
        last_fours,
        [json!("1111"), json!("2222"), json!("1111"), json!("2222")]
    );
    let sent: Vec<String> = mock
        .received()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(
        sent,
        [FIRST, SECOND, FIRST, SECOND].map(|k| format!("Bearer {k}")),
        "the provider saw each key in turn"
    );
}

#[tokio::test]
async fn a_refused_key_is_set_aside_and_the_next_key_answers_at_once() {
    let mock = harness::mock().await; // accepts harness::KEY only
    let h = harness::start_with_keys(
        &harness::one_provider(&mock, ""),
        &[
            ("mock", "sk-revoked-key-dead0000"),
            ("mock#2", harness::KEY),
        ],
    )
    .await;
    let response = h.post("/v1/chat/completions", chat("gpt-4.1")).await;
    assert_eq!(response.status(), 200, "the client never saw the 401");
    let row = h.row(&request_id(&response)).await;
    assert_eq!(statuses(&row), [json!(401), json!(200)]);
    assert_eq!(row["key_last_four"], "WXYZ", "the key that served it");

    for _ in 0..3 {
        let response = h.post("/v1/chat/completions", chat("gpt-4.1")).await;
        let row = h.row(&request_id(&response)).await;
        assert_eq!(row["attempts"], 1, "the refused key stays aside");
        assert_eq!(row["key_last_four"], "WXYZ");
    }
}

#[tokio::test]
async fn a_rate_limited_key_gives_way_to_the_next_without_waiting() {
    let mock = open_mock().await;
    let h = harness::start_with_keys(
        &harness::one_provider(&mock, ""),
        &[("mock", FIRST), ("mock#2", SECOND)],
    )
    .await;
    let response = h
        .post("/v1/chat/completions", chat("mock/flaky-1-429"))
        .await;
    assert_eq!(response.status(), 200);
    let row = h.row(&request_id(&response)).await;
    assert_eq!(statuses(&row), [json!(429), json!(200)]);
    assert_eq!(row["key_last_four"], "2222");
}

#[tokio::test]
async fn with_every_key_refused_the_client_gets_the_providers_401() {
    let mock = harness::mock().await;
    let h = harness::start_with_keys(
        &harness::one_provider(&mock, ""),
        &[
            ("mock", "sk-wrong-one-00000001"),
            ("mock#2", "sk-wrong-two-00000002"),
        ],
    )
    .await;
    let response = h.post("/v1/chat/completions", chat("gpt-4.1")).await;
    assert_eq!(response.status(), 401);
    let row = h.row(&request_id(&response)).await;
    assert_eq!(
        statuses(&row),
        [json!(401), json!(401)],
        "each key tried once"
    );
}
