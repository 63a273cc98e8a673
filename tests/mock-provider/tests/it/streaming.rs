//! Streamed (`stream: true`) chat completions: SSE framing and the exact
//! chunk sequence OpenAI sends.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{deltas, post, start};

fn chat(extra: Value) -> Value {
    let mut request = json!({"model": "gpt-4.1", "stream": true,
                             "messages": [{"role": "user", "content": "Hi there"}]});
    for (key, value) in extra.as_object().unwrap() {
        request[key] = value.clone();
    }
    request
}

#[tokio::test]
async fn stream_is_role_chunk_then_word_chunks_then_finish_chunk_then_done() {
    let mock = start().await;
    let answer = post(&mock, "/chat/completions", &chat(json!({}))).await;
    assert_eq!(
        answer.headers["content-type"],
        "text/event-stream; charset=utf-8"
    );
    let events = answer.json_events();

    let first = &events[0];
    for event in &events {
        assert_eq!(event["object"], "chat.completion.chunk");
        assert_eq!(event["id"], first["id"], "every chunk shares the id");
        assert_eq!(event["created"], first["created"]);
        assert_eq!(event["model"], "gpt-4.1");
        assert!(
            event["system_fingerprint"]
                .as_str()
                .unwrap()
                .starts_with("fp_")
        );
        assert_eq!(event["choices"][0]["index"], 0);
        assert_eq!(event["choices"][0]["logprobs"], Value::Null);
    }
    assert!(first["id"].as_str().unwrap().starts_with("chatcmpl-"));

    let deltas = deltas(&events);
    assert_eq!(
        *deltas[0],
        json!({"role": "assistant", "content": "", "refusal": null})
    );
    let words: Vec<&str> = deltas[1..deltas.len() - 1]
        .iter()
        .map(|d| d["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        words,
        [
            "Hello!",
            " This",
            " is",
            " a",
            " mock",
            " answer",
            " from",
            " gpt-4.1."
        ]
    );
    assert_eq!(*deltas[deltas.len() - 1], json!({}));
    let finish: Vec<&Value> = events
        .iter()
        .map(|e| &e["choices"][0]["finish_reason"])
        .collect();
    assert!(finish[..finish.len() - 1].iter().all(|f| f.is_null()));
    assert_eq!(finish[finish.len() - 1], "stop");
}

#[tokio::test]
async fn stream_without_include_usage_carries_no_usage_anywhere() {
    let mock = start().await;
    let answer = post(&mock, "/chat/completions", &chat(json!({}))).await;
    assert!(!answer.text.contains("usage"), "{}", answer.text);
    for event in answer.json_events() {
        assert!(event.get("usage").is_none());
        assert_eq!(event["choices"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn include_usage_adds_null_usage_to_chunks_and_a_final_usage_chunk_before_done() {
    let mock = start().await;
    let answer = post(
        &mock,
        "/chat/completions",
        &chat(json!({"stream_options": {"include_usage": true}})),
    )
    .await;
    let events = answer.json_events();
    let (last, chunks) = events.split_last().unwrap();
    for chunk in chunks {
        assert_eq!(chunk.get("usage"), Some(&Value::Null), "{chunk}");
    }
    assert_eq!(last["object"], "chat.completion.chunk");
    assert_eq!(last["id"], chunks[0]["id"]);
    assert_eq!(last["choices"], json!([]));
    assert_eq!(last["usage"]["prompt_tokens"], 6);
    assert_eq!(last["usage"]["completion_tokens"], 8);
    assert_eq!(last["usage"]["total_tokens"], 14);
    assert_eq!(last["usage"]["prompt_tokens_details"]["cached_tokens"], 0);
    assert_eq!(
        last["usage"]["completion_tokens_details"]["reasoning_tokens"],
        0
    );
}

#[tokio::test]
async fn mock_chunks_sets_the_number_of_content_deltas_and_completion_tokens() {
    let mock = start().await;
    let answer = post(
        &mock,
        "/chat/completions",
        &chat(json!({"stream_options": {"include_usage": true}, "mock": {"chunks": 5}})),
    )
    .await;
    let events = answer.json_events();
    let contents: Vec<&str> = deltas(&events)[1..]
        .iter()
        .filter_map(|d| d["content"].as_str())
        .collect();
    assert_eq!(contents, ["tok0", " tok1", " tok2", " tok3", " tok4"]);
    assert_eq!(events.last().unwrap()["usage"]["completion_tokens"], 5);
}

#[tokio::test]
async fn streamed_tool_call_fragments_concatenate_to_valid_json_arguments() {
    let mock = start().await;
    let tools = json!([
        {"type": "function", "function": {"name": "get_weather", "parameters": {
            "type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "number"}}}}},
        {"type": "function", "function": {"name": "get_time", "parameters": {
            "type": "object", "properties": {"zone": {"type": "string"}}}}}
    ]);
    let answer = post(
        &mock,
        "/chat/completions",
        &chat(json!({"tools": tools, "mock": {"parallel_tools": true},
                     "stream_options": {"include_usage": true}})),
    )
    .await;
    let events = answer.json_events();
    let deltas = deltas(&events);

    // The first chunk opens the message and the first call.
    assert_eq!(deltas[0]["role"], "assistant");
    assert_eq!(deltas[0]["content"], Value::Null);
    let opening = &deltas[0]["tool_calls"][0];
    assert_eq!(opening["index"], 0);
    assert_eq!(opening["type"], "function");
    assert_eq!(
        opening["function"],
        json!({"name": "get_weather", "arguments": ""})
    );

    let mut names = BTreeMap::new();
    let mut arguments: BTreeMap<u64, String> = BTreeMap::new();
    let mut fragments = 0;
    for delta in &deltas {
        let Some(calls) = delta.get("tool_calls") else {
            continue;
        };
        let call = &calls[0];
        let index = call["index"].as_u64().unwrap();
        if let Some(id) = call.get("id") {
            assert!(id.as_str().unwrap().starts_with("call_"));
            names.insert(index, call["function"]["name"].as_str().unwrap().to_owned());
            assert_eq!(call["function"]["arguments"], "");
        } else {
            assert!(call["function"].get("name").is_none());
            fragments += 1;
            arguments
                .entry(index)
                .or_default()
                .push_str(call["function"]["arguments"].as_str().unwrap());
        }
    }
    assert_eq!(names[&0], "get_weather");
    assert_eq!(names[&1], "get_time");
    let weather: Value = serde_json::from_str(&arguments[&0]).unwrap();
    assert_eq!(weather, json!({"city": "mock", "days": 1}));
    let time: Value = serde_json::from_str(&arguments[&1]).unwrap();
    assert_eq!(time, json!({"zone": "mock"}));
    assert_eq!(
        fragments, 6,
        "each call's arguments come in three fragments"
    );

    let finish = events
        .iter()
        .filter_map(|e| e["choices"][0]["finish_reason"].as_str())
        .collect::<Vec<_>>();
    assert_eq!(finish, ["tool_calls"]);
    assert_eq!(
        events.last().unwrap()["usage"]["completion_tokens"],
        fragments
    );
}

#[tokio::test]
async fn interval_ms_paces_the_streamed_events() {
    let mock = start().await;
    let started = Instant::now();
    let answer = post(
        &mock,
        "/chat/completions",
        &chat(json!({"mock": {"chunks": 3, "interval_ms": 40}})),
    )
    .await;
    // role + 3 contents + finish + [DONE] = 6 events, 5 pauses.
    assert_eq!(answer.events().len(), 6);
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "{:?}",
        started.elapsed()
    );
}
