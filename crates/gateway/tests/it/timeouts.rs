//! Per-route timeouts: a route's `timeouts = { … }` replaces its providers' connect, first-byte
//! and idle timeouts for requests on that route, and `total_secs` bounds the whole request,
//! fallbacks, retries and streaming included.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{self, chat, request_id, sse_data};

fn with_route(mock: &mock_provider::MockProvider, targets: &str, timeouts: &str) -> String {
    harness::one_provider(
        mock,
        &format!(
            r#"
[[routes]]
alias = "coder"
targets = [{targets}]
timeouts = {{ {timeouts} }}
"#
        ),
    )
}

#[tokio::test]
async fn a_routes_first_byte_timeout_replaces_the_providers_and_falls_back() {
    let mock = harness::mock().await;
    let h = harness::start(&with_route(
        &mock,
        r#""mock/slow-1500", "mock/gpt-4.1""#,
        "first_byte_secs = 0.3",
    ))
    .await;
    let started = Instant::now();
    let response = h.post("/v1/chat/completions", chat("coder")).await;
    assert_eq!(response.status(), 200);
    assert!(
        started.elapsed() < Duration::from_millis(1200),
        "did not wait for the slow one"
    );
    let row = h.row(&request_id(&response)).await;
    assert_eq!(row["attempt_details"][0]["status"], Value::Null);
    assert!(
        row["attempt_details"][0]["error"]
            .as_str()
            .unwrap()
            .contains("did not answer"),
        "{row}"
    );

    let direct = h.post("/v1/chat/completions", chat("mock/slow-500")).await;
    assert_eq!(
        direct.status(),
        200,
        "outside the route the provider's timeout applies"
    );
}

#[tokio::test]
async fn total_secs_bounds_a_request_across_its_fallbacks() {
    let mock = harness::mock().await;
    let h = harness::start(&with_route(
        &mock,
        r#""mock/slow-2000", "mock/slow-2001", "mock/slow-2002", "mock/gpt-4.1""#,
        "first_byte_secs = 0.4, total_secs = 1",
    ))
    .await;
    let started = Instant::now();
    let response = h.post("/v1/chat/completions", chat("coder")).await;
    let elapsed = started.elapsed();
    assert_eq!(
        response.status(),
        504,
        "out of time before any target answered"
    );
    assert!(
        elapsed >= Duration::from_millis(950) && elapsed < Duration::from_millis(1600),
        "{elapsed:?}"
    );
    let row = h.row(&request_id(&response)).await;
    assert_eq!(row["outcome"], "upstream_error");
    assert!(
        row["attempts"].as_u64().unwrap() <= 4,
        "the fast target was never reached in time: {row}"
    );
}

#[tokio::test]
async fn total_secs_ends_a_stream_that_runs_too_long_with_an_error_event() {
    let mock = harness::mock().await;
    let h = harness::start(&with_route(&mock, r#""mock/gpt-4.1""#, "total_secs = 0.5")).await;
    let mut body = chat("coder");
    body["stream"] = json!(true);
    body["mock"] = json!({"chunks": 30, "interval_ms": 50});
    let started = Instant::now();
    let response = h.post("/v1/chat/completions", body).await;
    assert_eq!(response.status(), 200, "the stream had begun");
    let id = request_id(&response);
    let events = sse_data(&response.text().await.unwrap());
    assert!(started.elapsed() < Duration::from_millis(1200));
    let last: Value = serde_json::from_str(events.last().unwrap()).unwrap();
    assert!(
        last["error"]["message"]
            .as_str()
            .unwrap()
            .contains("total time limit"),
        "{last}"
    );
    assert_eq!(h.row(&id).await["outcome"], "upstream_error");
}

#[tokio::test]
async fn a_routes_idle_timeout_ends_a_silent_stream() {
    let mock = harness::mock().await;
    let h = harness::start(&with_route(&mock, r#""mock/gpt-4.1""#, "idle_secs = 0.2")).await;
    let mut body = chat("coder");
    body["stream"] = json!(true);
    body["mock"] = json!({"chunks": 5, "interval_ms": 600});
    let started = Instant::now();
    let response = h.post("/v1/chat/completions", body).await;
    let events = sse_data(&response.text().await.unwrap());
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "not the whole 3 s"
    );
    let last: Value = serde_json::from_str(events.last().unwrap()).unwrap();
    assert_eq!(last["error"]["code"], "upstream_stream_error", "{last}");
}
