//! Whole-module tests: snapshots of realistic Gemini traffic in both directions, the stream
//! decoder's rules, and property tests (byte splits, arbitrary chunks).
//!
//! Snapshots live in `snapshots/`; they were reviewed by reading them, and a change to one is
//! a change of behaviour to review the same way.

use serde_json::{Value, json};

use super::*;
use crate::canonical::{
    ChatRequest, Content, Effort, Message, Reasoning, Role, StopReason, StreamDecoder, StreamEvent,
    SystemBlock, Tool, ToolCall, ToolChoice, ToolNames, ToolResult,
};

// ---------------------------------------------------------------------------------------------
// Helpers

/// Splits an SSE byte stream the way a client does: accumulate bytes, cut events at a blank
/// line, join `data:` lines. Feeding `pieces` one by one models arbitrary network reads.
pub(crate) fn decode_sse(pieces: &[&[u8]], names: ToolNames) -> Vec<StreamEvent> {
    let mut decoder = Decoder::new(names);
    let mut events = Vec::new();
    let mut buffer: Vec<u8> = Vec::new();
    for piece in pieces {
        buffer.extend_from_slice(piece);
        while let Some(end) = buffer.windows(2).position(|w| w == b"\n\n") {
            let raw: Vec<u8> = buffer.drain(..end + 2).collect();
            let text = String::from_utf8_lossy(&raw);
            let data: Vec<&str> = text
                .lines()
                .filter_map(|line| line.strip_prefix("data:"))
                .map(|d| d.strip_prefix(' ').unwrap_or(d))
                .collect();
            if !data.is_empty() {
                events.extend(decoder.decode(None, &data.join("\n")));
            }
        }
    }
    events.extend(decoder.finish());
    events
}

pub(crate) fn sse(chunks: &[Value]) -> Vec<u8> {
    chunks
        .iter()
        .flat_map(|chunk| {
            format!("data: {chunk}\r\n\r\n")
                .replace("\r\n", "\n")
                .into_bytes()
        })
        .collect()
}

pub(crate) fn decode_chunks(chunks: &[Value]) -> Vec<StreamEvent> {
    decode_sse(&[&sse(chunks)], ToolNames::default())
}

/// The `StreamEvent` contract every decoder owes the encoders: starts before deltas, stops
/// after, indexes in order, one finish, nothing after an error.
pub(crate) fn assert_well_formed(events: &[StreamEvent]) {
    let mut open: Option<usize> = None;
    let mut next = 0;
    let mut finished = false;
    for (i, event) in events.iter().enumerate() {
        assert!(
            !matches!(
                events.get(i.wrapping_sub(1)),
                Some(StreamEvent::Error { .. })
            ),
            "events after an error: {events:#?}"
        );
        match event {
            StreamEvent::Start { .. } => assert_eq!(i, 0, "Start comes first"),
            StreamEvent::TextStart { index }
            | StreamEvent::ThinkingStart { index }
            | StreamEvent::ToolCallStart { index, .. } => {
                assert!(open.is_none(), "block opened inside another: {events:#?}");
                assert!(!finished, "block after Finish");
                assert_eq!(*index, next, "indexes count every block in order");
                open = Some(*index);
                next += 1;
            }
            StreamEvent::TextDelta { index, .. }
            | StreamEvent::ThinkingDelta { index, .. }
            | StreamEvent::ThinkingSignature { index, .. }
            | StreamEvent::ToolCallDelta { index, .. }
            | StreamEvent::RedactedThinking { index, .. } => {
                assert_eq!(open, Some(*index), "delta outside its block: {events:#?}");
            }
            StreamEvent::BlockStop { index } => {
                assert_eq!(open.take(), Some(*index), "stop of a block not open");
            }
            StreamEvent::Finish { .. } => {
                assert!(open.is_none(), "Finish with a block open");
                assert!(!finished, "two Finish events");
                finished = true;
            }
            StreamEvent::Usage { .. } | StreamEvent::Error { .. } => {}
        }
    }
}

fn weather_tool() -> Tool {
    Tool {
        name: "get_weather".into(),
        description: Some("Current weather for a city.".into()),
        parameters: json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "additionalProperties": false,
            "$defs": {
                "Unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "Temperature unit"}
            },
            "properties": {
                "city": {"type": "string", "description": "City name"},
                "unit": {"$ref": "#/$defs/Unit"},
                "days": {"type": ["integer", "null"], "minimum": 1, "maximum": 7, "default": 1}
            },
            "required": ["city"]
        }),
        strict: Some(true),
        cache_control: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Snapshots

#[test]
fn snapshot_request_with_system_tools_and_a_signed_call_in_history() {
    let req = ChatRequest {
        model: "gemini-3-pro-preview".into(),
        system: vec![SystemBlock {
            text: "You are a concise weather assistant.".into(),
            cache_control: None,
        }],
        messages: vec![
            Message {
                role: Role::User,
                content: vec![Content::Text {
                    text: "What's the weather in Paris?".into(),
                    cache_control: None,
                }],
            },
            Message {
                role: Role::Assistant,
                content: vec![
                    Content::Thinking {
                        text: "**Checking the weather**\n\nI need the forecast for Paris.".into(),
                        signature: None,
                    },
                    Content::ToolCall(ToolCall {
                        id: "call_0".into(),
                        name: "get_weather".into(),
                        arguments: json!({"city": "Paris", "unit": "celsius"}),
                        thought_signature: Some(
                            "CiQBjz1rX2Vq8mW3sJ5Tc0n9m8q4dWf7yZa1bC2dE3fG4hI5jK6=".into(),
                        ),
                    }),
                ],
            },
            Message {
                role: Role::User,
                content: vec![Content::ToolResult(ToolResult {
                    call_id: "call_0".into(),
                    name: None,
                    content: vec![Content::Text {
                        text: "{\"temp\": 18, \"sky\": \"cloudy\"}".into(),
                        cache_control: None,
                    }],
                    is_error: false,
                    cache_control: None,
                })],
            },
        ],
        tools: vec![weather_tool()],
        tool_choice: Some(ToolChoice::Auto),
        max_tokens: Some(2048),
        temperature: Some(1.0),
        reasoning: Some(Reasoning {
            effort: Some(Effort::Medium),
            budget_tokens: None,
            include_thoughts: true,
        }),
        stream: true,
        ..ChatRequest::default()
    };
    let body = encode_request(&req, &mut ToolNames::default()).unwrap();
    insta::assert_json_snapshot!(body);
}

/// A Gemini 3 answer streamed with thought summaries: two thought chunks, a sentence, then two
/// parallel calls in one chunk (the first signed) with the final usage and finish reason.
pub(crate) fn thinking_text_and_two_calls() -> Vec<Value> {
    vec![
        json!({"candidates": [{"content": {"parts": [{"text": "**Planning the lookup**\n\nThe user wants the weather in two cities, ", "thought": true}], "role": "model"}, "index": 0}],
               "usageMetadata": {"promptTokenCount": 112, "totalTokenCount": 112, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 112}]},
               "modelVersion": "gemini-3-pro-preview", "responseId": "x5lAaM3nO4-JmMcP0oSs2Ak"}),
        json!({"candidates": [{"content": {"parts": [{"text": "so I'll call the tool for both at once.", "thought": true}], "role": "model"}, "index": 0}],
               "usageMetadata": {"promptTokenCount": 112, "totalTokenCount": 112},
               "modelVersion": "gemini-3-pro-preview", "responseId": "x5lAaM3nO4-JmMcP0oSs2Ak"}),
        json!({"candidates": [{"content": {"parts": [{"text": "Let me check both "}], "role": "model"}, "index": 0}],
               "modelVersion": "gemini-3-pro-preview", "responseId": "x5lAaM3nO4-JmMcP0oSs2Ak"}),
        json!({"candidates": [{"content": {"parts": [{"text": "cities."}], "role": "model"}, "index": 0}],
               "modelVersion": "gemini-3-pro-preview", "responseId": "x5lAaM3nO4-JmMcP0oSs2Ak"}),
        json!({"candidates": [{"content": {"parts": [
                    {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": "CiQBjz1rX2Vq8mW3sJ5Tc0n9"},
                    {"functionCall": {"name": "get_weather", "args": {"city": "Tokyo"}}}
                ], "role": "model"}, "finishReason": "STOP", "index": 0}],
               "usageMetadata": {"promptTokenCount": 112, "candidatesTokenCount": 41, "thoughtsTokenCount": 187, "totalTokenCount": 340},
               "modelVersion": "gemini-3-pro-preview", "responseId": "x5lAaM3nO4-JmMcP0oSs2Ak"}),
    ]
}

#[test]
fn snapshot_stream_with_thoughts_text_and_two_calls() {
    let events = decode_chunks(&thinking_text_and_two_calls());
    assert_well_formed(&events);
    insta::assert_json_snapshot!(events);
}

#[test]
fn snapshot_safety_blocked_answer() {
    let body = json!({
        "candidates": [{
            "content": {"role": "model"},
            "finishReason": "SAFETY",
            "index": 0,
            "safetyRatings": [
                {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": true},
                {"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"}
            ]
        }],
        "usageMetadata": {"promptTokenCount": 23, "totalTokenCount": 23},
        "modelVersion": "gemini-2.5-flash",
        "responseId": "Bk1BaOH-LpqbmMcPq5bQ8Q4"
    });
    let answer = decode_response(body.to_string().as_bytes(), &ToolNames::default()).unwrap();
    assert_eq!(answer.stop_reason, StopReason::ContentFilter);
    insta::assert_json_snapshot!(answer);
}

#[test]
fn snapshot_answer_with_thought_text_and_signed_call() {
    let body = json!({
        "candidates": [{
            "content": {"role": "model", "parts": [
                {"text": "**Reading the file**\n\nThe user asked for the README.", "thought": true},
                {"text": "I'll read it."},
                {"functionCall": {"name": "read_file", "args": {"path": "README.md"}}, "thoughtSignature": "CiQBjz1rXsig"}
            ]},
            "finishReason": "STOP",
            "index": 0
        }],
        "usageMetadata": {"promptTokenCount": 3100, "cachedContentTokenCount": 2048, "candidatesTokenCount": 25,
                          "thoughtsTokenCount": 96, "totalTokenCount": 3221},
        "modelVersion": "gemini-2.5-pro",
        "responseId": "mD1BaKmXBZ6imMcPzvDw6Ag"
    });
    let answer = decode_response(body.to_string().as_bytes(), &ToolNames::default()).unwrap();
    insta::assert_json_snapshot!(answer);
}

#[test]
fn url_paths_follow_the_generate_content_convention() {
    assert_eq!(
        path("gemini-2.5-flash", false),
        "/v1beta/models/gemini-2.5-flash:generateContent"
    );
    assert_eq!(
        path("models/gemini-2.5-flash", true),
        "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    );
}

// ---------------------------------------------------------------------------------------------
// Round trips

#[test]
fn a_decoded_answer_replays_as_the_parts_gemini_sent() {
    // translation rules 8 and 16: thoughts, signatures and calls come back as they were, on
    // the same parts, whether the answer was streamed or not.
    let parts = json!([
        {"text": "**Planning**\n\nTwo cities, one call each.", "thought": true, "thoughtSignature": "sig-thought"},
        {"text": "Checking both."},
        {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": "sig-call"},
        {"functionCall": {"name": "get_weather", "args": {"city": "Tokyo"}}}
    ]);
    let body = json!({"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP"}], "responseId": "r"});
    let answer = decode_response(body.to_string().as_bytes(), &ToolNames::default()).unwrap();

    let streamed = decode_chunks(std::slice::from_ref(&body));
    let streamed_calls: Vec<(String, Option<String>)> = streamed
        .iter()
        .filter_map(|e| match e {
            StreamEvent::ToolCallStart {
                id,
                thought_signature,
                ..
            } => Some((id.clone(), thought_signature.clone())),
            _ => None,
        })
        .collect();
    let whole_calls: Vec<(String, Option<String>)> = answer
        .content
        .iter()
        .filter_map(|c| match c {
            Content::ToolCall(call) => Some((call.id.clone(), call.thought_signature.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        streamed_calls, whole_calls,
        "same ids and signatures either way"
    );

    let mut results = Vec::new();
    for (id, _) in &whole_calls {
        results.push(Content::ToolResult(ToolResult {
            call_id: id.clone(),
            name: None,
            content: vec![Content::Text {
                text: "ok".into(),
                cache_control: None,
            }],
            is_error: false,
            cache_control: None,
        }));
    }
    let next_turn = ChatRequest {
        model: "gemini-3-pro-preview".into(),
        messages: vec![
            Message {
                role: Role::User,
                content: vec![Content::Text {
                    text: "Weather?".into(),
                    cache_control: None,
                }],
            },
            Message {
                role: Role::Assistant,
                content: answer.content,
            },
            Message {
                role: Role::User,
                content: results,
            },
        ],
        ..ChatRequest::default()
    };
    let body = encode_request(&next_turn, &mut ToolNames::default()).unwrap();
    assert_eq!(body["contents"][1]["parts"], parts);
    assert_eq!(
        body["contents"][2]["parts"][1]["functionResponse"]["name"],
        "get_weather"
    );
}

/// Issue 15: a model name from the client reached the upstream URL path unescaped.
#[test]
fn regression_a_model_name_cannot_leave_its_path_segment() {
    assert_eq!(
        path("../../x?y", false),
        "/v1beta/models/..%2F..%2Fx%3Fy:generateContent"
    );
    assert_eq!(
        path("models/gemini-2.5-flash", true),
        "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
        "ordinary names are unchanged"
    );
    assert_eq!(
        path_for("a b#c", "countTokens"),
        "/v1beta/models/a%20b%23c:countTokens"
    );
}
