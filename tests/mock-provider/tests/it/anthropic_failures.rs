//! Anthropic failures: auth by `x-api-key` or Bearer, the required
//! `anthropic-version`, scripted `error-<status>`/`slow-<ms>`/`midstream-*`
//! models, and unknown paths, all in Anthropic's error shape.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use mock_provider::MockOptions;
use mock_provider::anthropic::stream_check::{check_stream, parse_events};
use serde_json::{Value, json};

use crate::anthropic_support::{VERSION, body, post, post_with};
use crate::support::{Answer, client, start, start_with};

/// Asserts `answer` is an Anthropic error of `status` and `kind`; returns its message.
fn error_of(answer: &Answer, status: u16, kind: &str) -> String {
    assert_eq!(answer.status.as_u16(), status, "{}", answer.text);
    let body = answer.json();
    assert_eq!(body["type"], "error");
    assert_eq!(body["error"]["type"], kind, "{body}");
    let request_id = answer.headers["request-id"].to_str().unwrap();
    assert!(request_id.starts_with("req_011C"), "{request_id}");
    assert_eq!(
        body["request_id"], request_id,
        "the body repeats the request-id header"
    );
    body["error"]["message"].as_str().unwrap().to_owned()
}

async fn keyed_mock() -> mock_provider::MockProvider {
    start_with(MockOptions {
        api_key: Some("sk-ant-test-key".into()),
        ..MockOptions::default()
    })
    .await
}

#[tokio::test]
async fn the_key_is_accepted_as_x_api_key() {
    let mock = keyed_mock().await;
    let headers = [
        ("anthropic-version", VERSION),
        ("x-api-key", "sk-ant-test-key"),
    ];
    let answer = post_with(&mock, "/v1/messages", &body(json!({})), &headers).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
}

#[tokio::test]
async fn the_key_is_accepted_as_a_bearer_token_like_sdk_2_13_sends_it() {
    let mock = keyed_mock().await;
    let headers = [
        ("anthropic-version", "2026-10-21"),
        ("authorization", "Bearer sk-ant-test-key"),
    ];
    let answer = post_with(&mock, "/v1/messages", &body(json!({})), &headers).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
}

#[tokio::test]
async fn a_wrong_or_missing_key_is_a_401_authentication_error() {
    let mock = keyed_mock().await;
    for key in [
        ("x-api-key", "sk-ant-wrong"),
        ("authorization", "Bearer sk-ant-wrong"),
    ] {
        let answer = post_with(
            &mock,
            "/v1/messages",
            &body(json!({})),
            &[("anthropic-version", VERSION), key],
        )
        .await;
        assert_eq!(
            error_of(&answer, 401, "authentication_error"),
            "invalid x-api-key"
        );
    }
    let answer = post_with(
        &mock,
        "/v1/messages",
        &body(json!({})),
        &[("anthropic-version", VERSION)],
    )
    .await;
    assert_eq!(
        error_of(&answer, 401, "authentication_error"),
        "x-api-key header is required"
    );
    // OpenAI routes keep their own scheme: x-api-key alone does not open them.
    let answer = crate::support::post(
        &mock,
        "/chat/completions",
        &json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await;
    assert_eq!(answer.status, 401);
}

#[tokio::test]
async fn a_missing_anthropic_version_is_a_400() {
    let mock = start().await;
    let answer = post_with(&mock, "/v1/messages", &body(json!({})), &[]).await;
    assert_eq!(
        error_of(&answer, 400, "invalid_request_error"),
        "anthropic-version: header is required"
    );
    let answer = post_with(&mock, "/v1/messages/count_tokens", &json!({}), &[]).await;
    assert_eq!(answer.status, 400);
}

#[tokio::test]
async fn any_single_version_is_accepted_but_a_duplicated_header_is_not() {
    let mock = start().await;
    for version in ["2023-06-01", "2026-10-21", "2024-01-01"] {
        let answer = post_with(
            &mock,
            "/v1/messages",
            &body(json!({})),
            &[("anthropic-version", version)],
        )
        .await;
        assert_eq!(answer.status, 200, "{version}: {}", answer.text);
    }
    let twice = [
        ("anthropic-version", "2023-06-01"),
        ("anthropic-version", "2023-06-01"),
    ];
    let answer = post_with(&mock, "/v1/messages", &body(json!({})), &twice).await;
    assert_eq!(
        error_of(&answer, 400, "invalid_request_error"),
        "anthropic-version: \"2023-06-01, 2023-06-01\" is not a valid version"
    );
}

#[tokio::test]
async fn error_models_answer_their_status_with_the_documented_error_type() {
    let mock = start().await;
    let cases = [
        (400, "invalid_request_error"),
        (401, "authentication_error"),
        (403, "permission_error"),
        (404, "not_found_error"),
        (413, "request_too_large"),
        (429, "rate_limit_error"),
        (500, "api_error"),
        (529, "overloaded_error"),
    ];
    for (status, kind) in cases {
        let model = format!("error-{status}");
        for stream in [false, true] {
            let answer = post(
                &mock,
                "/v1/messages",
                &body(json!({"model": model, "stream": stream})),
            )
            .await;
            error_of(&answer, status, kind);
        }
        let answer = post(
            &mock,
            "/v1/messages/count_tokens",
            &json!({"model": model, "messages": []}),
        )
        .await;
        error_of(&answer, status, kind);
    }
}

#[tokio::test]
async fn error_429_carries_retry_after() {
    let mock = start().await;
    let answer = post(&mock, "/v1/messages", &body(json!({"model": "error-429"}))).await;
    error_of(&answer, 429, "rate_limit_error");
    assert_eq!(answer.headers["retry-after"], "1");
}

#[tokio::test]
async fn slow_model_waits_before_answering_normally() {
    let mock = start().await;
    let started = Instant::now();
    let answer = post(&mock, "/v1/messages", &body(json!({"model": "slow-150"}))).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(
        answer.json()["content"][0]["text"],
        "Hello! This is a mock answer from slow-150."
    );
}

#[tokio::test]
async fn midstream_reset_cuts_the_stream_without_message_stop() {
    let mock = start().await;
    let response = client()
        .post(format!("{}/v1/messages", mock.anthropic_base_url()))
        .header("anthropic-version", VERSION)
        .body(body(json!({"model": "midstream-reset", "stream": true})).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut received = Vec::new();
    let mut failed = false;
    let mut chunks = response.bytes_stream();
    while let Some(chunk) = chunks.next().await {
        match chunk {
            Ok(bytes) => received.extend_from_slice(&bytes),
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    assert!(failed, "the client sees a body error");
    let text = String::from_utf8(received).unwrap();
    let names: Vec<String> = parse_events(&text)
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "message_start",
            "content_block_start",
            "ping",
            "content_block_delta"
        ]
    );
    assert_eq!(
        check_stream(&text).unwrap_err(),
        "the stream ended without message_stop"
    );
}

#[tokio::test]
async fn midstream_error_sends_an_overloaded_error_event_after_a_few_events() {
    let mock = start().await;
    let answer = post(
        &mock,
        "/v1/messages",
        &body(json!({"model": "midstream-error", "stream": true})),
    )
    .await;
    assert_eq!(answer.status, 200);
    let events = parse_events(&answer.text).unwrap();
    assert_eq!(events.len(), 5);
    let (name, data) = &events[4];
    assert_eq!(name, "error");
    assert_eq!(
        *data,
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    );
    assert!(answer.text.contains("event: error\ndata: "));
}

#[tokio::test]
async fn non_streamed_midstream_failures_cut_the_body_or_answer_529() {
    let mock = start().await;
    let answer = post(
        &mock,
        "/v1/messages",
        &body(json!({"model": "midstream-error"})),
    )
    .await;
    assert_eq!(error_of(&answer, 529, "overloaded_error"), "Overloaded");
    let response = client()
        .post(format!("{}/v1/messages", mock.anthropic_base_url()))
        .header("anthropic-version", VERSION)
        .body(body(json!({"model": "midstream-reset"})).to_string())
        .send()
        .await
        .unwrap();
    assert!(response.bytes().await.is_err(), "the body is cut");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_400_invalid_request_error() {
    let mock = start().await;
    let response = client()
        .post(format!("{}/v1/messages", mock.anthropic_base_url()))
        .header("anthropic-version", VERSION)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(body["error"]["type"], "invalid_request_error");
}

#[tokio::test]
async fn unknown_anthropic_paths_get_an_anthropic_404() {
    let mock = start().await;
    let answer = post(&mock, "/v1/messages/batches", &json!({})).await;
    assert_eq!(error_of(&answer, 404, "not_found_error"), "Not Found");
}
