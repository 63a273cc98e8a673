//! `streamGenerateContent`: SSE with `?alt=sse`, a JSON array without it.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::support::{
    ask, call, sse_events, streamed_text, user, weather_tool, without_response_id,
};
use crate::support::start;

#[tokio::test]
async fn sse_chunks_are_whole_responses_with_growing_usage_and_the_finish_on_the_last() {
    let mock = start().await;
    let answer = call(
        &mock,
        "gemini-2.0-flash",
        "streamGenerateContent",
        "?alt=sse",
        &ask("Hi there"),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.headers["content-type"], "text/event-stream");
    assert!(
        !answer.text.contains("[DONE]"),
        "Gemini streams end without a marker"
    );
    let chunks = sse_events(&answer);
    assert_eq!(chunks.len(), 8, "one chunk per word");
    for (i, chunk) in chunks.iter().enumerate() {
        let last = i + 1 == chunks.len();
        assert_eq!(chunk["modelVersion"], "gemini-2.0-flash");
        assert_eq!(chunk["responseId"], chunks[0]["responseId"]);
        assert_eq!(chunk["candidates"][0]["content"]["role"], "model");
        let usage = &chunk["usageMetadata"];
        assert_eq!(
            usage["promptTokenCount"], 6,
            "the prompt count is known from the start"
        );
        assert_eq!(usage["candidatesTokenCount"], i + 1);
        assert_eq!(usage["totalTokenCount"], 6 + i + 1);
        assert_eq!(chunk["candidates"][0].get("finishReason").is_some(), last);
    }
    assert_eq!(chunks[7]["candidates"][0]["finishReason"], "STOP");
    assert_eq!(
        chunks[7]["candidates"][0]["content"]["parts"][0]["text"], " gemini-2.0-flash.",
        "the last chunk carries content and the finish reason together"
    );
    assert_eq!(
        streamed_text(&chunks),
        "Hello! This is a mock answer from gemini-2.0-flash."
    );
}

#[tokio::test]
async fn without_alt_sse_the_stream_is_one_json_array_of_the_same_chunks() {
    let mock = start().await;
    let array = call(
        &mock,
        "gemini-2.5-flash",
        "streamGenerateContent",
        "",
        &ask("Hi there"),
    )
    .await;
    assert_eq!(array.status, 200);
    assert_eq!(
        array.headers["content-type"],
        "application/json; charset=UTF-8"
    );
    assert!(array.text.starts_with("[{\n"), "{}", array.text);
    assert!(array.text.contains("}\n,\r\n{"), "{}", array.text);
    assert!(array.text.ends_with("}\n]"), "{}", array.text);
    let elements: Vec<Value> = array.json().as_array().unwrap().clone();

    let sse = call(
        &mock,
        "gemini-2.5-flash",
        "streamGenerateContent",
        "?alt=sse",
        &ask("Hi there"),
    )
    .await;
    let events = sse_events(&sse);
    assert_eq!(elements.len(), events.len());
    for (element, event) in elements.into_iter().zip(events) {
        assert_eq!(without_response_id(element), without_response_id(event));
    }
}

#[tokio::test]
async fn thoughts_stream_first_and_their_count_rides_on_every_chunk() {
    let mock = start().await;
    let mut request = ask("Hi");
    request["generationConfig"] = json!({"thinkingConfig": {"includeThoughts": true}});
    let answer = call(
        &mock,
        "gemini-2.5-flash",
        "streamGenerateContent",
        "?alt=sse",
        &request,
    )
    .await;
    let chunks = sse_events(&answer);
    assert_eq!(
        chunks[0]["candidates"][0]["content"]["parts"],
        json!([{"text": "Let me think…", "thought": true}])
    );
    assert!(
        chunks[0]["usageMetadata"]
            .get("candidatesTokenCount")
            .is_none()
    );
    for chunk in &chunks {
        assert_eq!(chunk["usageMetadata"]["thoughtsTokenCount"], 16);
    }
    let last = chunks.last().unwrap();
    assert_eq!(last["usageMetadata"]["totalTokenCount"], 5 + 8 + 16);
    assert_eq!(
        streamed_text(&chunks),
        "Hello! This is a mock answer from gemini-2.5-flash."
    );
}

#[tokio::test]
async fn function_calls_arrive_whole_in_one_chunk_with_stop() {
    let mock = start().await;
    let mut second = weather_tool();
    second["functionDeclarations"][0]["name"] = json!("get_time");
    let request = json!({"contents": [user("Weather and time?")],
                         "tools": [weather_tool(), second], "mock": {"parallel_tools": true}});
    let answer = call(
        &mock,
        "gemini-3-flash-preview",
        "streamGenerateContent",
        "?alt=sse",
        &request,
    )
    .await;
    let chunks = sse_events(&answer);
    assert_eq!(chunks.len(), 1);
    let candidate = &chunks[0]["candidates"][0];
    assert_eq!(candidate["finishReason"], "STOP");
    let parts = candidate["content"]["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(
        parts[0]["functionCall"],
        json!({"name": "get_weather", "args": {"city": "mock", "days": 1}})
    );
    assert_eq!(parts[1]["functionCall"]["name"], "get_time");
    assert!(
        parts[0]["thoughtSignature"].is_string(),
        "the first call is signed"
    );
    assert!(
        parts[1].get("thoughtSignature").is_none(),
        "later parallel calls are not"
    );
}

#[tokio::test]
async fn mock_chunks_and_interval_shape_the_stream() {
    let mock = start().await;
    let mut request = ask("Hi");
    request["mock"] = json!({"chunks": 3, "interval_ms": 60});
    let started = Instant::now();
    let answer = call(
        &mock,
        "gemini-2.0-flash",
        "streamGenerateContent",
        "?alt=sse",
        &request,
    )
    .await;
    assert!(started.elapsed() >= Duration::from_millis(120));
    let chunks = sse_events(&answer);
    assert_eq!(chunks.len(), 3);
    assert_eq!(streamed_text(&chunks), "tok0 tok1 tok2");
}

#[tokio::test]
async fn gemini_3_signs_the_last_streamed_text_chunk() {
    let mock = start().await;
    let answer = call(
        &mock,
        "gemini-3-pro-preview",
        "streamGenerateContent",
        "?alt=sse",
        &ask("Hi"),
    )
    .await;
    let chunks = sse_events(&answer);
    let signed: Vec<bool> = chunks
        .iter()
        .map(|c| {
            c["candidates"][0]["content"]["parts"][0]
                .get("thoughtSignature")
                .is_some()
        })
        .collect();
    assert_eq!(signed.iter().filter(|s| **s).count(), 1);
    assert_eq!(signed.last(), Some(&true));
}
