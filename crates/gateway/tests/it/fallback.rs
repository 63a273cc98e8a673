//! A route's targets are tried in order: failures that another target could fix move on,
//! client errors come back as they are, and every attempt is recorded.

use serde_json::Value;

use crate::harness::{self, chat, request_id};

fn with_route(mock: &mock_provider::MockProvider, targets: &str) -> String {
    harness::one_provider(
        mock,
        &format!(
            r#"
[[providers]]
id = "dead"
kind = "openai-compatible"
base_url = "http://127.0.0.1:9/v1"

[[routes]]
alias = "coder"
targets = [{targets}]
"#
        ),
    )
}

#[tokio::test]
async fn a_failing_first_target_falls_back_to_the_second() {
    let mock = harness::mock().await;
    let h = harness::start(&with_route(&mock, r#""mock/error-503", "mock/gpt-4.1""#)).await;
    let response = h.post("/v1/chat/completions", chat("coder")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-switchyard-model"], "gpt-4.1");
    let row = h.row(&request_id(&response)).await;
    assert_eq!(row["attempts"], 2);
    assert_eq!(row["attempt_details"][0]["status"], 503);
    assert_eq!(row["attempt_details"][1]["status"], 200);
    assert_eq!(row["upstream_model"], "gpt-4.1");
    assert_eq!(row["requested_model"], "coder");
}

#[tokio::test]
async fn connection_refused_and_rate_limits_fall_back_too() {
    let mock = harness::mock().await;
    let h = harness::start(&with_route(
        &mock,
        r#""dead/x", "mock/error-429", "mock/gpt-4.1""#,
    ))
    .await;
    let response = h.post("/v1/chat/completions", chat("coder")).await;
    assert_eq!(response.status(), 200);
    let row = h.row(&request_id(&response)).await;
    assert_eq!(row["attempts"], 3);
    assert_eq!(
        row["attempt_details"][0]["status"],
        Value::Null,
        "no answer from a closed port"
    );
    assert!(
        row["attempt_details"][0]["error"]
            .as_str()
            .unwrap()
            .contains("Could not reach provider 'dead'")
    );
    assert_eq!(row["attempt_details"][1]["status"], 429);
}

#[tokio::test]
async fn a_client_error_is_returned_as_is_without_trying_further() {
    let mock = harness::mock().await;
    let h = harness::start(&with_route(&mock, r#""mock/error-400", "mock/gpt-4.1""#)).await;
    let response = h.post("/v1/chat/completions", chat("coder")).await;
    assert_eq!(response.status(), 400);
    let id = request_id(&response);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["error"]["type"], "invalid_request_error",
        "the provider's own error body"
    );
    let row = h.row(&id).await;
    assert_eq!(row["attempts"], 1);
    assert_eq!(row["outcome"], "upstream_error");
    assert_eq!(row["status"], 400);
}

#[tokio::test]
async fn when_every_target_fails_the_last_failure_is_answered() {
    let mock = harness::mock().await;
    let h = harness::start(&with_route(&mock, r#""mock/error-500", "dead/x""#)).await;
    let response = h.post("/v1/chat/completions", chat("coder")).await;
    assert_eq!(response.status(), 502, "the last target was unreachable");
    let id = request_id(&response);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "upstream_unreachable");
    let row = h.row(&id).await;
    assert_eq!(row["attempts"], 2);
    assert_eq!(row["outcome"], "upstream_error");
}

#[tokio::test]
async fn a_missing_key_is_a_401_naming_the_provider() {
    let mock = harness::mock().await;
    let h = harness::start_with_keys(&harness::one_provider(&mock, ""), &[]).await;
    let response = h.post("/v1/chat/completions", chat("gpt-4.1")).await;
    assert_eq!(response.status(), 401);
    let id = request_id(&response);
    let body: Value = response.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("'mock'") && message.contains("switchyard keys set mock"),
        "{message}"
    );
    assert!(message.contains("SWITCHYARD_TEST_UNUSED_VAR"), "{message}");
    assert!(mock.received().is_empty(), "nothing was sent without a key");
    assert_eq!(h.row(&id).await["status"], 401);
}
