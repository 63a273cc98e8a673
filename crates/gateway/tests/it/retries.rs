//! Retries with backoff before falling back, honouring the provider's `retry-after-ms` within a
//! cap and a per-request budget; and cool-downs for a target that keeps failing.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{self, chat, request_id};

fn config(mock: &mock_provider::MockProvider, retries: &str, targets: &str) -> String {
    harness::one_provider(
        mock,
        &format!(
            r#"
[retries]
{retries}

[[routes]]
alias = "coder"
targets = [{targets}]
"#
        ),
    )
}

fn statuses(row: &Value) -> Vec<Value> {
    row["attempt_details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].clone())
        .collect()
}

fn asking_to_wait(model: &str, ms: u64) -> Value {
    let mut body = chat(model);
    body["mock"] = json!({"retry_after_ms": ms});
    body
}

#[tokio::test]
async fn a_rate_limited_target_is_retried_after_the_wait_it_asked_for() {
    let mock = harness::mock().await;
    let h = harness::start(&config(&mock, "max_retries = 2", r#""mock/flaky-1-429""#)).await;
    let started = Instant::now();
    let response = h
        .post("/v1/chat/completions", asking_to_wait("coder", 300))
        .await;
    let elapsed = started.elapsed();
    assert_eq!(response.status(), 200, "the second try answered");
    assert!(
        elapsed >= Duration::from_millis(300),
        "retry-after-ms: 300 was honoured ({elapsed:?})"
    );
    let row = h.row(&request_id(&response)).await;
    assert_eq!(
        statuses(&row),
        [json!(429), json!(200)],
        "both tries recorded"
    );
    assert_eq!(row["outcome"], "ok");
}

#[tokio::test]
async fn when_retries_run_out_the_next_target_answers() {
    let mock = harness::mock().await;
    let h = harness::start(&config(
        &mock,
        "max_retries = 2\nbase_delay_ms = 5",
        r#""mock/error-503", "mock/gpt-4.1""#,
    ))
    .await;
    let response = h.post("/v1/chat/completions", chat("coder")).await;
    assert_eq!(response.status(), 200);
    let row = h.row(&request_id(&response)).await;
    assert_eq!(
        statuses(&row),
        [json!(503), json!(503), json!(503), json!(200)],
        "one try and two retries on the first target, then the second"
    );
}

#[tokio::test]
async fn a_provider_asking_for_more_than_the_cap_is_not_waited_for() {
    let mock = harness::mock().await;
    let h = harness::start(&config(
        &mock,
        "max_retries = 3\nmax_delay_secs = 0.2",
        r#""mock/error-429", "mock/gpt-4.1""#,
    ))
    .await;
    let started = Instant::now();
    let response = h
        .post("/v1/chat/completions", asking_to_wait("coder", 5000))
        .await;
    assert_eq!(response.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "fell back at once rather than wait 5 s"
    );
    let row = h.row(&request_id(&response)).await;
    assert_eq!(statuses(&row), [json!(429), json!(200)]);
}

#[tokio::test]
async fn all_waiting_of_one_request_stays_within_its_budget() {
    let mock = harness::mock().await;
    let h = harness::start(&config(
        &mock,
        "max_retries = 10\nbudget_secs = 0.5\ncooldown_after = 0",
        r#""mock/error-503""#,
    ))
    .await;
    let started = Instant::now();
    let response = h
        .post("/v1/chat/completions", asking_to_wait("coder", 200))
        .await;
    let elapsed = started.elapsed();
    assert_eq!(response.status(), 503, "the provider's last answer");
    let row = h.row(&request_id(&response)).await;
    assert_eq!(
        row["attempts"], 3,
        "two waits of 200 ms fit in 0.5 s, a third does not"
    );
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
}

#[tokio::test]
async fn a_target_that_keeps_failing_is_cooled_down_and_skipped() {
    let mock = harness::mock().await;
    let h = harness::start(&config(
        &mock,
        "cooldown_after = 2\ncooldown_secs = 0.4",
        r#""mock/error-500", "mock/gpt-4.1""#,
    ))
    .await;
    for _ in 0..2 {
        let response = h.post("/v1/chat/completions", chat("coder")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(h.row(&request_id(&response)).await["attempts"], 2);
    }
    let response = h.post("/v1/chat/completions", chat("coder")).await;
    let row = h.row(&request_id(&response)).await;
    assert_eq!(row["attempts"], 1, "the failing target was skipped");
    assert_eq!(row["upstream_model"], "gpt-4.1");

    tokio::time::sleep(Duration::from_millis(500)).await;
    let response = h.post("/v1/chat/completions", chat("coder")).await;
    let row = h.row(&request_id(&response)).await;
    assert_eq!(row["attempts"], 2, "after the cool-down it is tried again");
    let response = h.post("/v1/chat/completions", chat("coder")).await;
    let row = h.row(&request_id(&response)).await;
    assert_eq!(
        row["attempts"], 1,
        "failing right after its cool-down sets it aside again at once"
    );
}
