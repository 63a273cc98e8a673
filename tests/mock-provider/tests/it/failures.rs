//! Failures: auth, scripted `error-<status>`/`slow-<ms>`/`midstream-*`
//! models, `reject_stream_options`, unknown paths.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use mock_provider::MockOptions;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{client, post, post_with, start, start_with};

fn chat(model: &str, stream: bool) -> serde_json::Value {
    json!({"model": model, "stream": stream, "messages": [{"role": "user", "content": "hi"}]})
}

#[tokio::test]
async fn a_missing_or_wrong_api_key_is_rejected_with_401_invalid_api_key() {
    let mock = start_with(MockOptions {
        api_key: Some("sk-test-secret-1234".into()),
        ..MockOptions::default()
    })
    .await;
    for bearer in [None, Some("sk-wrong-key-0000")] {
        let answer = post_with(&mock, "/chat/completions", &chat("m", false), bearer).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{bearer:?}");
        let error = &answer.json()["error"];
        assert_eq!(error["type"], "invalid_request_error");
        assert_eq!(error["code"], "invalid_api_key");
        assert_eq!(error["param"], serde_json::Value::Null);
        assert!(
            !error["message"]
                .as_str()
                .unwrap()
                .contains("sk-test-secret")
        );
    }
    let answer = post_with(
        &mock,
        "/chat/completions",
        &chat("m", false),
        Some("sk-test-secret-1234"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn error_429_model_answers_a_rate_limit_error_with_retry_after() {
    let mock = start().await;
    let answer = post(&mock, "/chat/completions", &chat("error-429", false)).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.headers["retry-after"], "1");
    let error = &answer.json()["error"];
    assert_eq!(error["type"], "requests");
    assert_eq!(error["code"], "rate_limit_exceeded");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("Rate limit reached")
    );
}

#[tokio::test]
async fn error_models_answer_their_status_with_a_fitting_error_on_every_post_endpoint() {
    let mock = start().await;
    let cases = [
        (
            "/chat/completions",
            chat("error-503", true),
            503,
            "server_error",
            None,
        ),
        (
            "/chat/completions",
            chat("error-500", false),
            500,
            "server_error",
            None,
        ),
        (
            "/chat/completions",
            chat("error-400", false),
            400,
            "invalid_request_error",
            None,
        ),
        (
            "/chat/completions",
            chat("error-401", false),
            401,
            "invalid_request_error",
            Some("invalid_api_key"),
        ),
        (
            "/chat/completions",
            chat("error-404", false),
            404,
            "invalid_request_error",
            Some("model_not_found"),
        ),
        (
            "/completions",
            json!({"model": "error-502", "prompt": "x"}),
            502,
            "server_error",
            None,
        ),
        (
            "/embeddings",
            json!({"model": "error-429", "input": "x"}),
            429,
            "requests",
            Some("rate_limit_exceeded"),
        ),
    ];
    for (path, request, status, kind, code) in cases {
        let answer = post(&mock, path, &request).await;
        assert_eq!(answer.status.as_u16(), status, "{path} {request}");
        let error = &answer.json()["error"];
        assert_eq!(error["type"], kind, "{path} {request}");
        assert_eq!(error["code"], json!(code), "{path} {request}");
        assert!(error.get("param").is_some() && error["message"].is_string());
    }
}

#[tokio::test]
async fn slow_model_waits_before_answering_normally() {
    let mock = start().await;
    let started = Instant::now();
    let answer = post(&mock, "/chat/completions", &chat("slow-150", false)).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.json()["choices"][0]["message"]["content"],
        "Hello! This is a mock answer from slow-150."
    );
}

#[tokio::test]
async fn reject_stream_options_answers_400_unrecognized_argument() {
    let mock = start_with(MockOptions {
        reject_stream_options: true,
        ..MockOptions::default()
    })
    .await;
    let mut request = chat("m", true);
    request["stream_options"] = json!({"include_usage": true});
    let answer = post(&mock, "/chat/completions", &request).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.json(),
        json!({"error": {"message": "Unrecognized request argument supplied: stream_options",
                         "type": "invalid_request_error", "param": null, "code": null}})
    );
    let answer = post(&mock, "/chat/completions", &chat("m", true)).await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "without stream_options it streams"
    );
}

#[tokio::test]
async fn stream_options_without_stream_is_rejected_like_openai() {
    let mock = start().await;
    let mut request = chat("m", false);
    request["stream_options"] = json!({"include_usage": true});
    let answer = post(&mock, "/chat/completions", &request).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json()["error"]["param"], "stream_options");
}

#[tokio::test]
async fn midstream_reset_sends_two_chunks_then_cuts_the_body_with_an_error() {
    let mock = start().await;
    let response = client()
        .post(format!("{}/chat/completions", mock.base_url()))
        .header("content-type", "application/json")
        .body(chat("midstream-reset", true).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.bytes_stream();
    let mut received = Vec::new();
    let mut failed = false;
    while let Some(chunk) = body.next().await {
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
    assert_eq!(text.matches("data: ").count(), 2, "{text}");
    assert!(!text.contains("[DONE]"));
}

#[tokio::test]
async fn midstream_error_sends_two_chunks_then_an_error_event_and_no_done() {
    let mock = start().await;
    let answer = post(&mock, "/chat/completions", &chat("midstream-error", true)).await;
    assert_eq!(answer.status, StatusCode::OK);
    let events = answer.events();
    assert_eq!(events.len(), 3);
    let error: serde_json::Value = serde_json::from_str(&events[2]).unwrap();
    assert_eq!(
        error,
        json!({"error": {"message": "The server had an error while processing your request.",
                         "type": "server_error", "param": null, "code": null}})
    );
}

#[tokio::test]
async fn unknown_paths_get_an_openai_404() {
    let mock = start().await;
    let answer = post(&mock, "/chat/completion", &chat("m", false)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer.json(),
        json!({"error": {"message": "Invalid URL (POST /v1/chat/completion)",
                         "type": "invalid_request_error", "param": null, "code": null}})
    );
}
