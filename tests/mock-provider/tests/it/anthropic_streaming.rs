//! Streamed `POST /v1/messages`: named SSE events in the documented order,
//! deltas of each block kind, and usage split between `message_start` and
//! `message_delta`.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::anthropic_support::{body, message, post, stream, weather_tools};
use crate::support::start;

/// The deltas of the block at `index`.
fn deltas(events: &[(String, Value)], index: u64) -> Vec<&Value> {
    events
        .iter()
        .filter(|(name, data)| name == "content_block_delta" && data["index"] == index)
        .map(|(_, data)| &data["delta"])
        .collect()
}

#[tokio::test]
async fn text_stream_follows_the_documented_event_order() {
    let mock = start().await;
    let checked = stream(&mock, &body(json!({}))).await;
    let mut expected = vec!["message_start", "content_block_start", "ping"];
    expected.extend(["content_block_delta"; 8]);
    expected.extend(["content_block_stop", "message_delta", "message_stop"]);
    assert_eq!(checked.names(), expected);

    let (_, start) = &checked.events[0];
    let started = &start["message"];
    assert!(started["id"].as_str().unwrap().starts_with("msg_01"));
    assert_eq!(started["content"], json!([]));
    assert_eq!(started["stop_reason"], Value::Null);
    assert_eq!(started["usage"]["input_tokens"], 6);
    assert_eq!(started["usage"]["output_tokens"], 1);
    assert_eq!(started["usage"]["cache_read_input_tokens"], 0);

    let (_, block_start) = &checked.events[1];
    assert_eq!(
        *block_start,
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
    );
    let words: Vec<&str> = deltas(&checked.events, 0)
        .iter()
        .map(|d| {
            assert_eq!(d["type"], "text_delta");
            d["text"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        words.concat(),
        "Hello! This is a mock answer from claude-sonnet-4-6."
    );

    let (_, delta) = &checked.events[checked.events.len() - 2];
    assert_eq!(
        *delta,
        json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null},
               "usage": {"output_tokens": 8}})
    );
}

#[tokio::test]
async fn sse_frames_name_each_event_before_its_data() {
    let mock = start().await;
    let answer = post(&mock, "/v1/messages", &body(json!({"stream": true}))).await;
    let first = answer.text.split("\n\n").next().unwrap();
    assert!(
        first.starts_with("event: message_start\ndata: {\"type\":\"message_start\""),
        "{first}"
    );
    assert!(
        answer
            .text
            .ends_with("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
    );
}

#[tokio::test]
async fn streamed_answer_rebuilds_to_the_json_answer() {
    let mock = start().await;
    let request = body(json!({"tools": weather_tools(), "mock": {"parallel_tools": true}}));
    let mut streamed = stream(&mock, &request).await.message;
    let mut plain = message(&mock, &request).await;
    for answer in [&mut streamed, &mut plain] {
        answer["id"] = Value::Null;
        for block in answer["content"].as_array_mut().unwrap() {
            block["id"] = Value::Null;
        }
    }
    assert_eq!(streamed, plain);
}

#[tokio::test]
async fn tool_use_input_json_fragments_concatenate_to_the_input() {
    let mock = start().await;
    let checked = stream(
        &mock,
        &body(json!({"tools": weather_tools(), "mock": {"parallel_tools": true}})),
    )
    .await;
    for (index, name, input) in [
        (
            0,
            "get_weather",
            json!({"city": "mock", "days": 1, "metric": true}),
        ),
        (1, "get_time", json!({"zone": "mock"})),
    ] {
        let (_, start) = checked
            .events
            .iter()
            .find(|(n, d)| n == "content_block_start" && d["index"] == index)
            .unwrap();
        let block = &start["content_block"];
        assert_eq!(block["type"], "tool_use");
        assert_eq!(block["name"], name);
        assert_eq!(
            block["input"],
            json!({}),
            "the start carries an empty input"
        );
        assert!(block["id"].as_str().unwrap().starts_with("toolu_01"));
        let fragments: Vec<&str> = deltas(&checked.events, index)
            .iter()
            .map(|d| {
                assert_eq!(d["type"], "input_json_delta");
                d["partial_json"].as_str().unwrap()
            })
            .collect();
        assert_eq!(
            fragments[0], "",
            "the first fragment is empty, as the API sends it"
        );
        assert_eq!(fragments.len(), 4);
        let parsed: Value = serde_json::from_str(&fragments.concat()).unwrap();
        assert_eq!(parsed, input);
    }
    assert_eq!(checked.message["stop_reason"], "tool_use");
    assert_eq!(checked.message["usage"]["output_tokens"], 6);
}

#[tokio::test]
async fn thinking_stream_has_thinking_deltas_then_one_signature_delta() {
    let mock = start().await;
    let checked = stream(
        &mock,
        &body(json!({"max_tokens": 4096, "thinking": {"type": "enabled", "budget_tokens": 1024}})),
    )
    .await;
    let (_, start) = &checked.events[1];
    assert_eq!(
        start["content_block"],
        json!({"type": "thinking", "thinking": "", "signature": ""})
    );
    let kinds: Vec<&str> = deltas(&checked.events, 0)
        .iter()
        .map(|d| d["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "thinking_delta",
            "thinking_delta",
            "thinking_delta",
            "thinking_delta",
            "thinking_delta",
            "signature_delta"
        ]
    );
    let thinking = &checked.message["content"][0];
    assert_eq!(thinking["thinking"], "Let me think about this.");
    assert!(!thinking["signature"].as_str().unwrap().is_empty());
    assert_eq!(checked.message["content"][1]["type"], "text");
    assert_eq!(deltas(&checked.events, 1)[0]["type"], "text_delta");
}

#[tokio::test]
async fn stop_sequence_and_max_tokens_arrive_in_message_delta() {
    let mock = start().await;
    let checked = stream(&mock, &body(json!({"stop_sequences": ["answer"]}))).await;
    assert_eq!(checked.message["stop_reason"], "stop_sequence");
    assert_eq!(checked.message["stop_sequence"], "answer");
    assert_eq!(
        checked.message["content"][0]["text"],
        "Hello! This is a mock "
    );
    let checked = stream(&mock, &body(json!({"max_tokens": 2}))).await;
    assert_eq!(checked.message["stop_reason"], "max_tokens");
    assert_eq!(checked.message["usage"]["output_tokens"], 2);
}

#[tokio::test]
async fn a_stream_without_content_still_pings_and_ends_properly() {
    let mock = start().await;
    let checked = stream(&mock, &body(json!({"max_tokens": 0}))).await;
    assert_eq!(
        checked.names(),
        ["message_start", "ping", "message_delta", "message_stop"]
    );
}

#[tokio::test]
async fn mock_chunks_sets_the_number_of_text_deltas_and_output_tokens() {
    let mock = start().await;
    let checked = stream(&mock, &body(json!({"mock": {"chunks": 5}}))).await;
    let texts: Vec<&str> = deltas(&checked.events, 0)
        .iter()
        .map(|d| d["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["tok0", " tok1", " tok2", " tok3", " tok4"]);
    assert_eq!(checked.message["usage"]["output_tokens"], 5);
}

#[tokio::test]
async fn interval_ms_paces_the_streamed_events() {
    let mock = start().await;
    let started = Instant::now();
    let checked = stream(
        &mock,
        &body(json!({"mock": {"chunks": 2, "interval_ms": 30}})),
    )
    .await;
    // start, block start, ping, 2 deltas, block stop, message delta, stop: 8 events, 7 pauses.
    assert_eq!(checked.events.len(), 8);
    assert!(
        started.elapsed() >= Duration::from_millis(210),
        "{:?}",
        started.elapsed()
    );
}
