//! Streamed `POST /v1/responses`: the documented event sequence, checked by
//! the public `stream_check` validator, and what each item's deltas add up to.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::responses_support::{body, patch_tool, stream, weather_tools};
use crate::support::{post, start};

#[tokio::test]
async fn a_text_stream_follows_the_documented_event_order() {
    let mock = start().await;
    let checked = stream(&mock, &body(json!({}))).await;
    let mut expected = vec![
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ];
    expected.extend(["response.output_text.delta"; 8]);
    expected.extend([
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]);
    assert_eq!(checked.names(), expected);

    let numbers: Vec<u64> = checked
        .events
        .iter()
        .map(|(_, data)| data["sequence_number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, (0..expected.len() as u64).collect::<Vec<_>>());

    let created = &checked.events[0].1["response"];
    assert_eq!(created["status"], "in_progress");
    assert_eq!(created["output"], json!([]));
    assert_eq!(created["usage"], Value::Null);

    let added = &checked.events[2].1;
    assert_eq!(added["output_index"], 0);
    assert_eq!(added["item"]["status"], "in_progress");
    assert_eq!(added["item"]["content"], json!([]));

    let delta = &checked.events[4].1;
    let item_id = added["item"]["id"].as_str().unwrap();
    assert_eq!(delta["item_id"], item_id);
    assert_eq!(delta["output_index"], 0);
    assert_eq!(delta["content_index"], 0);
    assert_eq!(delta["delta"], "Hello!");
    assert_eq!(delta["logprobs"], json!([]));

    let words: String = checked
        .named("response.output_text.delta")
        .iter()
        .map(|d| d["delta"].as_str().unwrap())
        .collect();
    assert_eq!(words, "Hello! This is a mock answer from gpt-4.1.");
    assert_eq!(checked.output[0]["content"][0]["text"], words);

    let response = &checked.response;
    assert_eq!(response["id"], created["id"]);
    assert_eq!(response["status"], "completed");
    assert_eq!(response["usage"]["input_tokens"], 6);
    assert_eq!(response["usage"]["output_tokens"], 8);
    assert_eq!(response["usage"]["total_tokens"], 14);
}

#[tokio::test]
async fn sse_frames_name_each_event_and_the_stream_has_no_done_marker() {
    let mock = start().await;
    let answer = post(&mock, "/responses", &body(json!({"stream": true}))).await;
    let first = answer.text.split("\n\n").next().unwrap();
    assert!(
        first.starts_with(
            "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,"
        ),
        "{first}"
    );
    assert!(!answer.text.contains("[DONE]"));
    let last = answer.text.trim_end().rsplit("\n\n").next().unwrap();
    assert!(last.starts_with("event: response.completed\n"), "{last}");
}

#[tokio::test]
async fn function_call_argument_deltas_concatenate_to_the_done_arguments() {
    let mock = start().await;
    let checked = stream(
        &mock,
        &body(json!({"tools": weather_tools(), "mock": {"parallel_tools": true}})),
    )
    .await;
    let mut expected = vec!["response.created", "response.in_progress"];
    for _ in 0..2 {
        expected.push("response.output_item.added");
        expected.extend(["response.function_call_arguments.delta"; 3]);
        expected.extend([
            "response.function_call_arguments.done",
            "response.output_item.done",
        ]);
    }
    expected.push("response.completed");
    assert_eq!(checked.names(), expected);

    for (index, call) in checked.output.iter().enumerate() {
        let joined: String = checked
            .named("response.function_call_arguments.delta")
            .iter()
            .filter(|d| d["output_index"] == index)
            .map(|d| d["delta"].as_str().unwrap())
            .collect();
        let done = checked.named("response.function_call_arguments.done")[index];
        assert_eq!(done["arguments"], joined.as_str());
        assert_eq!(call["arguments"], joined.as_str());
        assert_eq!(done["item_id"], call["id"]);
    }
    let weather: Value =
        serde_json::from_str(checked.output[0]["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(weather, json!({"city": "mock", "days": 1}));
    let added = checked.named("response.output_item.added")[0];
    assert_eq!(added["item"]["arguments"], "");
    assert_eq!(added["item"]["name"], "get_weather");
    assert_eq!(checked.response["usage"]["output_tokens"], 6);
}

#[tokio::test]
async fn a_custom_tool_call_streams_its_input() {
    let mock = start().await;
    let checked = stream(&mock, &body(json!({"tools": [patch_tool()]}))).await;
    let input: String = checked
        .named("response.custom_tool_call_input.delta")
        .iter()
        .map(|d| d["delta"].as_str().unwrap())
        .collect();
    assert_eq!(input, "mock input");
    assert_eq!(
        checked.named("response.custom_tool_call_input.done")[0]["input"],
        "mock input"
    );
    assert_eq!(checked.output[0]["type"], "custom_tool_call");
    assert_eq!(checked.output[0]["input"], "mock input");
}

#[tokio::test]
async fn a_reasoning_summary_streams_before_the_message() {
    let mock = start().await;
    let checked = stream(
        &mock,
        &body(
            json!({"reasoning": {"effort": "medium", "summary": "detailed"},
                     "include": ["reasoning.encrypted_content"], "store": false}),
        ),
    )
    .await;
    let names = checked.names();
    let reasoning_events = &names[2..names
        .iter()
        .position(|n| *n == "response.output_item.done")
        .unwrap()
        + 1];
    let mut expected = vec![
        "response.output_item.added",
        "response.reasoning_summary_part.added",
    ];
    expected.extend(["response.reasoning_summary_text.delta"; 3]);
    expected.extend([
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "response.output_item.done",
    ]);
    assert_eq!(reasoning_events, expected);

    let part = checked.named("response.reasoning_summary_part.added")[0];
    assert_eq!(part["summary_index"], 0);
    assert_eq!(part["part"], json!({"type": "summary_text", "text": ""}));
    let done = checked.named("response.reasoning_summary_text.done")[0];
    assert_eq!(done["text"], "**Thinking**\n\nLet me think.");

    let reasoning = &checked.output[0];
    assert_eq!(reasoning["type"], "reasoning");
    assert!(
        reasoning["encrypted_content"]
            .as_str()
            .unwrap()
            .starts_with("gAAAAA")
    );
    let added = checked.named("response.output_item.added")[0];
    assert_eq!(added["item"]["summary"], json!([]));
    assert_eq!(checked.output[1]["type"], "message");
    assert_eq!(
        checked.response["usage"]["output_tokens_details"]["reasoning_tokens"],
        16
    );
}

#[tokio::test]
async fn a_cut_answer_streams_to_response_incomplete() {
    let mock = start().await;
    let checked = stream(
        &mock,
        &body(json!({"max_output_tokens": 16, "mock": {"chunks": 20}})),
    )
    .await;
    assert_eq!(checked.names().last(), Some(&"response.incomplete"));
    assert_eq!(checked.named("response.output_text.delta").len(), 16);
    assert_eq!(checked.output[0]["status"], "incomplete");
    assert_eq!(checked.response["status"], "incomplete");
    assert_eq!(
        checked.response["incomplete_details"]["reason"],
        "max_output_tokens"
    );
}

#[tokio::test]
async fn deltas_carry_obfuscation_unless_it_is_turned_off() {
    let mock = start().await;
    let checked = stream(&mock, &body(json!({}))).await;
    let delta = checked.named("response.output_text.delta")[0];
    assert!(delta["obfuscation"].is_string(), "{delta}");

    let checked = stream(
        &mock,
        &body(json!({"stream_options": {"include_obfuscation": false}})),
    )
    .await;
    let delta = checked.named("response.output_text.delta")[0];
    assert!(delta.get("obfuscation").is_none(), "{delta}");
}

#[tokio::test]
async fn mock_chunks_and_interval_ms_shape_the_stream() {
    let mock = start().await;
    let started = Instant::now();
    let checked = stream(
        &mock,
        &body(json!({"mock": {"chunks": 3, "interval_ms": 30}})),
    )
    .await;
    let deltas: Vec<&str> = checked
        .named("response.output_text.delta")
        .iter()
        .map(|d| d["delta"].as_str().unwrap())
        .collect();
    assert_eq!(deltas, ["tok0", " tok1", " tok2"]);
    // 11 events, 10 pauses.
    assert_eq!(checked.events.len(), 11);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(checked.response["usage"]["output_tokens"], 3);
}
