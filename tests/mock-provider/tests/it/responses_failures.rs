//! Scripted failures on `/v1/responses`: `error-<status>`, `slow-<ms>`,
//! and streams that fail (`response.failed`) or are cut mid-way.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use mock_provider::openai::responses::stream_check::{check_stream, parse_events};
use serde_json::{Value, json};

use crate::responses_support::{body, respond};
use crate::support::{client, post, start};

#[tokio::test]
async fn error_models_answer_openai_shaped_errors_with_their_status() {
    let mock = start().await;
    for (model, status, kind, code) in [
        ("error-400", 400, "invalid_request_error", Value::Null),
        (
            "error-401",
            401,
            "invalid_request_error",
            json!("invalid_api_key"),
        ),
        (
            "error-404",
            404,
            "invalid_request_error",
            json!("model_not_found"),
        ),
        ("error-429", 429, "requests", json!("rate_limit_exceeded")),
        ("error-500", 500, "server_error", Value::Null),
        ("error-503", 503, "server_error", Value::Null),
    ] {
        for stream in [false, true] {
            let answer = post(
                &mock,
                "/responses",
                &body(json!({"model": model, "stream": stream})),
            )
            .await;
            assert_eq!(answer.status.as_u16(), status, "{model} {stream}");
            let error = &answer.json()["error"];
            assert_eq!(error["type"], kind, "{model}");
            assert_eq!(error["code"], code, "{model}");
            assert!(error["message"].is_string() && error.get("param").is_some());
            if status == 429 {
                assert_eq!(answer.headers["retry-after"], "1");
            }
        }
    }
}

#[tokio::test]
async fn a_scripted_error_wins_over_validation() {
    let mock = start().await;
    let answer = post(
        &mock,
        "/responses",
        &json!({"model": "error-503", "messages": []}),
    )
    .await;
    assert_eq!(answer.status, 503);
}

#[tokio::test]
async fn slow_models_wait_then_answer_normally() {
    let mock = start().await;
    let started = Instant::now();
    let response = respond(&mock, &body(json!({"model": "slow-150"}))).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(
        response["output"][0]["content"][0]["text"],
        "Hello! This is a mock answer from slow-150."
    );
}

#[tokio::test]
async fn midstream_error_sends_a_few_events_then_response_failed() {
    let mock = start().await;
    let answer = post(
        &mock,
        "/responses",
        &body(json!({"model": "midstream-error", "stream": true})),
    )
    .await;
    assert_eq!(answer.status, 200);
    let events = parse_events(&answer.text).unwrap();
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "response.created",
            "response.in_progress",
            "response.output_item.added",
            "response.content_part.added",
            "response.failed"
        ]
    );
    let (_, failed) = events.last().unwrap();
    assert_eq!(failed["sequence_number"], 4);
    let response = &failed["response"];
    assert_eq!(response["status"], "failed");
    assert_eq!(response["error"]["code"], "server_error");
    assert!(response["error"]["message"].is_string());
    assert_eq!(response["id"], events[0].1["response"]["id"]);
    let error = check_stream(&answer.text).err().unwrap();
    assert!(error.contains("reports a failure"), "{error}");
}

#[tokio::test]
async fn midstream_reset_cuts_the_stream_before_response_completed() {
    let mock = start().await;
    let response = client()
        .post(format!("{}/responses", mock.base_url()))
        .header("content-type", "application/json")
        .body(body(json!({"model": "midstream-reset", "stream": true})).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut stream = response.bytes_stream();
    let mut received = Vec::new();
    let mut failed = false;
    while let Some(chunk) = stream.next().await {
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
    assert_eq!(text.matches("event: ").count(), 4, "{text}");
    assert!(!text.contains("response.completed"));
    assert_eq!(
        check_stream(&text).err().unwrap(),
        "the stream ended without response.completed"
    );
}

#[tokio::test]
async fn non_streamed_midstream_failures_are_a_500_or_a_cut_body() {
    let mock = start().await;
    let answer = post(
        &mock,
        "/responses",
        &body(json!({"model": "midstream-error"})),
    )
    .await;
    assert_eq!(answer.status, 500);
    assert_eq!(answer.json()["error"]["type"], "server_error");

    let cut = client()
        .post(format!("{}/responses", mock.base_url()))
        .header("content-type", "application/json")
        .body(body(json!({"model": "midstream-reset"})).to_string())
        .send()
        .await
        .unwrap();
    assert!(cut.bytes().await.is_err(), "the body is cut");
}

#[tokio::test]
async fn a_failed_response_is_not_stored() {
    let mock = start().await;
    let answer = post(
        &mock,
        "/responses",
        &body(json!({"model": "midstream-error", "stream": true})),
    )
    .await;
    let events = parse_events(&answer.text).unwrap();
    let id = events[0].1["response"]["id"].as_str().unwrap().to_owned();
    let follow_up = post(
        &mock,
        "/responses",
        &body(json!({"previous_response_id": id})),
    )
    .await;
    assert_eq!(follow_up.status, 400);
    assert_eq!(
        follow_up.json()["error"]["code"],
        "previous_response_not_found"
    );
}
