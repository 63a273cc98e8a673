//! Legacy `POST /v1/completions` (fill-in-the-middle autocomplete).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{post, start};

#[tokio::test]
async fn legacy_completion_is_a_text_completion_with_plain_usage() {
    let mock = start().await;
    let answer = post(
        &mock,
        "/completions",
        &json!({"model": "codestral", "prompt": "def add(a, b):", "suffix": "    return",
                "max_tokens": 64}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = answer.json();
    assert!(body["id"].as_str().unwrap().starts_with("cmpl-"));
    assert_eq!(body["object"], "text_completion");
    assert_eq!(body["model"], "codestral");
    assert_eq!(
        body["choices"],
        json!([{"text": "mock completion", "index": 0, "logprobs": null, "finish_reason": "stop"}])
    );
    // Prompt "def add(a, b):" (14 chars → 4) + suffix "    return" (10 chars → 3).
    assert_eq!(
        body["usage"],
        json!({"prompt_tokens": 7, "completion_tokens": 2, "total_tokens": 9})
    );
}

#[tokio::test]
async fn an_array_prompt_gets_one_choice_per_prompt() {
    let mock = start().await;
    let body = post(
        &mock,
        "/completions",
        &json!({"model": "m", "prompt": ["a", "b", "c"]}),
    )
    .await
    .json();
    let indexes: Vec<u64> = body["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["index"].as_u64().unwrap())
        .collect();
    assert_eq!(indexes, [0, 1, 2]);
    assert_eq!(body["usage"]["completion_tokens"], 6);
}

#[tokio::test]
async fn legacy_stream_chunks_are_text_completions_and_honour_include_usage() {
    let mock = start().await;
    let plain = post(
        &mock,
        "/completions",
        &json!({"model": "m", "prompt": "x", "stream": true}),
    )
    .await;
    assert!(!plain.text.contains("usage"));
    let events = plain.json_events();
    let texts: Vec<&str> = events
        .iter()
        .map(|e| e["choices"][0]["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["mock", " completion", ""]);
    for event in &events {
        assert_eq!(event["object"], "text_completion");
        assert!(event["id"].as_str().unwrap().starts_with("cmpl-"));
        assert_eq!(event["choices"][0]["logprobs"], Value::Null);
    }
    assert_eq!(events[2]["choices"][0]["finish_reason"], "stop");

    let with_usage = post(
        &mock,
        "/completions",
        &json!({"model": "m", "prompt": "x", "stream": true,
                "stream_options": {"include_usage": true}}),
    )
    .await
    .json_events();
    let (last, chunks) = with_usage.split_last().unwrap();
    assert!(
        chunks
            .iter()
            .all(|c| c["usage"].is_null() && c.get("usage").is_some())
    );
    assert_eq!(last["choices"], json!([]));
    assert_eq!(
        last["usage"],
        json!({"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3})
    );
}

#[tokio::test]
async fn a_missing_prompt_is_an_openai_400() {
    let mock = start().await;
    let answer = post(&mock, "/completions", &json!({"model": "m"})).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json()["error"]["param"], "prompt");
}
