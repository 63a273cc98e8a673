//! Scripted failures in Gemini's shapes: `error-<status>`, `slow-<ms>`,
//! `blocked`, `unsafe`, `midstream-reset`, `midstream-error`.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};

use super::support::{ask, call, generate, sse_events};
use crate::support::{client, start};

#[tokio::test]
async fn error_models_answer_googles_status_and_body() {
    let mock = start().await;
    let cases = [
        (400, "INVALID_ARGUMENT"),
        (403, "PERMISSION_DENIED"),
        (404, "NOT_FOUND"),
        (429, "RESOURCE_EXHAUSTED"),
        (500, "INTERNAL"),
        (503, "UNAVAILABLE"),
    ];
    for (method, query) in [
        ("generateContent", ""),
        ("streamGenerateContent", "?alt=sse"),
        ("countTokens", ""),
    ] {
        for (code, status) in cases {
            let answer = call(&mock, &format!("error-{code}"), method, query, &ask("Hi")).await;
            assert_eq!(answer.status.as_u16(), code, "{method}");
            assert_eq!(
                answer.headers["content-type"],
                "application/json; charset=UTF-8"
            );
            let error = &answer.json()["error"];
            assert_eq!(error["code"], code);
            assert_eq!(error["status"], status);
            assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
    }
}

#[tokio::test]
async fn error_429_says_when_to_retry_and_error_404_names_the_model() {
    let mock = start().await;
    let error = call(&mock, "error-429", "generateContent", "", &ask("Hi"))
        .await
        .json()["error"]
        .clone();
    let retry = error["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["@type"] == "type.googleapis.com/google.rpc.RetryInfo")
        .unwrap();
    assert_eq!(retry["retryDelay"], "1s");
    let error = call(&mock, "error-404", "generateContent", "", &ask("Hi"))
        .await
        .json()["error"]
        .clone();
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("models/error-404 is not found for API version v1beta")
    );
}

#[tokio::test]
async fn slow_models_wait_before_answering_normally() {
    let mock = start().await;
    let started = Instant::now();
    let answer = generate(&mock, "slow-150", &ask("Hi")).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(answer["candidates"][0]["finishReason"], "STOP");
}

#[tokio::test]
async fn a_blocked_prompt_has_prompt_feedback_and_no_candidates() {
    let mock = start().await;
    let answer = generate(&mock, "blocked", &ask("Hi")).await;
    assert!(answer.get("candidates").is_none());
    assert_eq!(answer["promptFeedback"]["blockReason"], "SAFETY");
    assert!(answer["promptFeedback"]["safetyRatings"].is_array());
    assert_eq!(answer["usageMetadata"]["promptTokenCount"], 5);
    assert_eq!(answer["usageMetadata"]["totalTokenCount"], 5);

    let streamed = call(
        &mock,
        "blocked",
        "streamGenerateContent",
        "?alt=sse",
        &ask("Hi"),
    )
    .await;
    let chunks = sse_events(&streamed);
    assert_eq!(chunks.len(), 1);
    assert_eq!(chunks[0]["promptFeedback"]["blockReason"], "SAFETY");
}

#[tokio::test]
async fn an_unsafe_answer_is_a_safety_candidate_without_content() {
    let mock = start().await;
    let answer = generate(&mock, "unsafe", &ask("Hi")).await;
    let candidate = &answer["candidates"][0];
    assert_eq!(candidate["finishReason"], "SAFETY");
    assert!(candidate.get("content").is_none());
    assert!(
        candidate["safetyRatings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["blocked"] == true)
    );
}

#[tokio::test]
async fn midstream_reset_sends_two_chunks_then_cuts_the_connection() {
    let mock = start().await;
    for query in ["?alt=sse", ""] {
        let response = client()
            .post(format!(
                "http://{}/v1beta/models/midstream-reset:streamGenerateContent{query}",
                mock.addr()
            ))
            .body(ask("Hi").to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
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
        assert!(failed, "the client sees a body error ({query:?})");
        let text = String::from_utf8(received).unwrap();
        assert_eq!(text.matches("\"responseId\"").count(), 2, "{text}");
        assert!(!text.ends_with(']'), "the array is never closed: {text}");
    }
}

#[tokio::test]
async fn midstream_error_sends_two_chunks_then_an_error_in_either_framing() {
    let mock = start().await;
    let internal = json!({"error": {"code": 500, "status": "INTERNAL",
        "message": "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"}});
    let sse = call(
        &mock,
        "midstream-error",
        "streamGenerateContent",
        "?alt=sse",
        &ask("Hi"),
    )
    .await;
    assert_eq!(sse.status, 200);
    let events = sse_events(&sse);
    assert_eq!(events.len(), 3);
    assert!(events[1]["candidates"].is_array());
    assert_eq!(events[2], internal);

    let array = call(
        &mock,
        "midstream-error",
        "streamGenerateContent",
        "",
        &ask("Hi"),
    )
    .await;
    let elements: Vec<Value> = array.json().as_array().unwrap().clone();
    assert_eq!(elements.len(), 3);
    assert_eq!(elements[2], internal);

    let whole = call(&mock, "midstream-error", "generateContent", "", &ask("Hi")).await;
    assert_eq!(whole.status, 500);
    assert_eq!(whole.json(), internal);
}
