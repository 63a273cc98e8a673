//! Unit tests of the client-side stream encoder: the chunks Gemini clients read, one rule of
//! `client_stream.rs`'s docs per test, and a round trip through the provider-side decoder.

use serde_json::{Value, json};

use super::*;
use crate::canonical::{ApiError, ErrorKind, StreamDecoder, ToolNames};
use crate::gemini::Decoder;

const ID: &str = "resp-1";
const MODEL: &str = "gpt-5";

/// Runs `events` through a fresh encoder, then `finish`, returning every data event as JSON.
fn encode_all(events: &[StreamEvent]) -> Vec<Value> {
    let mut encoder = ClientEncoder::new(ID, MODEL);
    let mut sent: Vec<SseEvent> = events.iter().flat_map(|e| encoder.encode(e)).collect();
    sent.extend(encoder.finish());
    sent.iter()
        .map(|event| {
            assert_eq!(event.event, None, "Gemini's SSE names no events");
            serde_json::from_str(&event.data).unwrap()
        })
        .collect()
}

/// The parts of each chunk but the last.
fn parts(chunks: &[Value]) -> Vec<Value> {
    chunks[..chunks.len() - 1]
        .iter()
        .map(|chunk| {
            let parts = &chunk["candidates"][0]["content"]["parts"];
            assert_eq!(
                parts.as_array().map(Vec::len),
                Some(1),
                "one part per chunk: {chunk}"
            );
            parts[0].clone()
        })
        .collect()
}

fn usage(input: u64, output: u64) -> Usage {
    Usage {
        input_tokens: input,
        output_tokens: output,
        ..Usage::default()
    }
}

fn call_start(index: usize, name: &str, signature: Option<&str>) -> StreamEvent {
    StreamEvent::ToolCallStart {
        index,
        id: format!("call_{index}"),
        name: name.into(),
        thought_signature: signature.map(str::to_owned),
    }
}

fn args(index: usize, arguments: &str) -> StreamEvent {
    StreamEvent::ToolCallDelta {
        index,
        arguments: arguments.into(),
    }
}

#[test]
fn text_goes_out_as_it_comes_and_the_last_chunk_has_finish_reason_and_usage() {
    let chunks = encode_all(&[
        StreamEvent::Start {
            id: "upstream".into(),
            model: "upstream-model".into(),
            usage: usage(12, 0),
        },
        StreamEvent::TextStart { index: 0 },
        StreamEvent::TextDelta {
            index: 0,
            text: "Hel".into(),
        },
        StreamEvent::TextDelta {
            index: 0,
            text: "lo".into(),
        },
        StreamEvent::BlockStop { index: 0 },
        StreamEvent::Finish {
            stop_reason: StopReason::EndTurn,
        },
        StreamEvent::Usage { usage: usage(0, 5) },
    ]);
    assert_eq!(
        parts(&chunks),
        [json!({"text": "Hel"}), json!({"text": "lo"})]
    );
    assert_eq!(
        chunks[0],
        json!({"candidates": [{"content": {"role": "model", "parts": [{"text": "Hel"}]}, "index": 0}],
               "modelVersion": MODEL, "responseId": ID}),
        "content chunks carry no finish reason and no usage; id and model are the encoder's"
    );
    assert_eq!(
        chunks.last().unwrap(),
        &json!({"candidates": [{"content": {"role": "model", "parts": []}, "finishReason": "STOP", "index": 0}],
                "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 5, "totalTokenCount": 17},
                "modelVersion": MODEL, "responseId": ID}),
        "usage that came after the finish reason is in the last chunk, merged with the input"
    );
}

#[test]
fn thinking_goes_out_as_thought_parts_with_the_signature_at_the_end() {
    let chunks = encode_all(&[
        StreamEvent::ThinkingStart { index: 0 },
        StreamEvent::ThinkingDelta {
            index: 0,
            text: "Let me ".into(),
        },
        StreamEvent::ThinkingDelta {
            index: 0,
            text: "think.".into(),
        },
        StreamEvent::ThinkingSignature {
            index: 0,
            signature: "sig-a".into(),
        },
        StreamEvent::BlockStop { index: 0 },
        StreamEvent::TextStart { index: 1 },
        StreamEvent::TextDelta {
            index: 1,
            text: "Hi".into(),
        },
        StreamEvent::BlockStop { index: 1 },
        // Gemini's signature on a text part, as the provider-side decoder reports it.
        StreamEvent::ThinkingStart { index: 2 },
        StreamEvent::ThinkingSignature {
            index: 2,
            signature: "sig-text".into(),
        },
        StreamEvent::BlockStop { index: 2 },
    ]);
    assert_eq!(
        parts(&chunks),
        [
            json!({"text": "Let me ", "thought": true}),
            json!({"text": "think.", "thought": true}),
            json!({"text": "", "thought": true, "thoughtSignature": "sig-a"}),
            json!({"text": "Hi"}),
            json!({"text": "", "thoughtSignature": "sig-text"}),
        ],
        "a thought's signature rides on an empty thought part; a signature-only block is an \
         empty text part, as Gemini sends it"
    );
}

#[test]
fn a_tool_call_in_fragments_goes_out_whole_when_its_block_stops() {
    let mut encoder = ClientEncoder::new(ID, MODEL);
    for event in [
        call_start(0, "read_file", Some("sig-call")),
        args(0, "{\"file_"),
        args(0, "path\": \"a.rs\"}"),
    ] {
        assert!(
            encoder.encode(&event).is_empty(),
            "nothing goes out before the call is complete: {event:?}"
        );
    }
    let sent = encoder.encode(&StreamEvent::BlockStop { index: 0 });
    let chunk: Value = serde_json::from_str(&sent[0].data).unwrap();
    assert_eq!(
        chunk["candidates"][0]["content"]["parts"],
        json!([{"functionCall": {"name": "read_file", "args": {"file_path": "a.rs"}},
                "thoughtSignature": "sig-call"}])
    );
}

#[test]
fn two_interleaved_tool_calls_go_out_as_two_whole_parts() {
    let chunks = encode_all(&[
        call_start(0, "weather", None),
        call_start(1, "weather", None),
        args(0, "{\"city\":"),
        args(1, "{\"city\":"),
        args(1, "\"Rome\"}"),
        args(0, "\"Paris\"}"),
        StreamEvent::BlockStop { index: 1 },
        call_start(2, "now", None),
        StreamEvent::BlockStop { index: 2 },
        call_start(3, "broken", None),
        args(3, "{\"a\": "),
        // No BlockStop: the finish sends what is still held.
        StreamEvent::Finish {
            stop_reason: StopReason::ToolUse,
        },
        StreamEvent::BlockStop { index: 0 },
    ]);
    assert_eq!(
        parts(&chunks),
        [
            json!({"functionCall": {"name": "weather", "args": {"city": "Rome"}}}),
            json!({"functionCall": {"name": "now", "args": {}}}),
            json!({"functionCall": {"name": "weather", "args": {"city": "Paris"}}}),
            json!({"functionCall": {"name": "broken", "args": {"value": "{\"a\": "}}}),
        ],
        "fragments stay with their own call; no arguments is `{{}}`, unparsable text is kept"
    );
    assert_eq!(
        chunks.last().unwrap()["candidates"][0]["finishReason"],
        "STOP",
        "Gemini says STOP after function calls"
    );
}

#[test]
fn an_error_mid_stream_is_the_last_event_and_nothing_follows() {
    let mut encoder = ClientEncoder::new(ID, MODEL);
    encoder.encode(&call_start(0, "held", None));
    let text = encoder.encode(&StreamEvent::TextDelta {
        index: 1,
        text: "partial".into(),
    });
    assert_eq!(text.len(), 1);
    let error = ApiError {
        status: 529,
        kind: ErrorKind::Overloaded,
        message: "Overloaded".into(),
        code: None,
    };
    let sent = encoder.encode(&StreamEvent::Error { error });
    assert_eq!(
        sent.len(),
        1,
        "the held call is discarded, not sent: {sent:?}"
    );
    assert_eq!(
        serde_json::from_str::<Value>(&sent[0].data).unwrap(),
        json!({"error": {"code": 503, "message": "Overloaded", "status": "UNAVAILABLE"}}),
        "Google's error body, no chunk around it"
    );
    let after = encoder.encode(&StreamEvent::TextDelta {
        index: 1,
        text: "more".into(),
    });
    assert!(
        after.is_empty() && encoder.finish().is_empty(),
        "nothing after an error"
    );
}

#[test]
fn a_stream_without_content_still_ends_with_a_finish_reason_and_usage() {
    let chunks = encode_all(&[]);
    assert_eq!(
        chunks,
        [
            json!({"candidates": [{"content": {"role": "model", "parts": []}, "finishReason": "STOP", "index": 0}],
                "usageMetadata": {"promptTokenCount": 0, "candidatesTokenCount": 0, "totalTokenCount": 0},
                "modelVersion": MODEL, "responseId": ID})
        ],
        "Gemini CLI retries a stream that ends without a finish reason"
    );
    let limited = encode_all(&[StreamEvent::Finish {
        stop_reason: StopReason::MaxTokens,
    }]);
    assert_eq!(limited[0]["candidates"][0]["finishReason"], "MAX_TOKENS");
    let mut encoder = ClientEncoder::new(ID, MODEL);
    assert_eq!(encoder.finish().len(), 1);
    assert!(encoder.finish().is_empty(), "finish is owed once");
}

#[test]
fn usage_reports_merge_and_reasoning_leaves_the_candidates() {
    let chunks = encode_all(&[
        StreamEvent::Usage {
            usage: Usage {
                input_tokens: 100,
                cached_input_tokens: 80,
                ..Usage::default()
            },
        },
        StreamEvent::Finish {
            stop_reason: StopReason::EndTurn,
        },
        StreamEvent::Usage {
            usage: Usage {
                output_tokens: 30,
                reasoning_tokens: 20,
                ..Usage::default()
            },
        },
    ]);
    assert_eq!(
        chunks.last().unwrap()["usageMetadata"],
        json!({"promptTokenCount": 100, "cachedContentTokenCount": 80, "candidatesTokenCount": 10,
               "thoughtsTokenCount": 20, "totalTokenCount": 130})
    );
}

#[test]
fn the_chunks_decode_back_to_the_same_answer_on_the_provider_side() {
    let events = [
        StreamEvent::ThinkingStart { index: 0 },
        StreamEvent::ThinkingDelta {
            index: 0,
            text: "Plan.".into(),
        },
        StreamEvent::BlockStop { index: 0 },
        StreamEvent::TextStart { index: 1 },
        StreamEvent::TextDelta {
            index: 1,
            text: "Reading ".into(),
        },
        StreamEvent::TextDelta {
            index: 1,
            text: "a.rs".into(),
        },
        StreamEvent::BlockStop { index: 1 },
        call_start(2, "read_file", Some("sig-call")),
        args(2, "{\"file_path\": \"a.rs\"}"),
        StreamEvent::BlockStop { index: 2 },
        StreamEvent::Finish {
            stop_reason: StopReason::ToolUse,
        },
        StreamEvent::Usage {
            usage: usage(40, 9),
        },
    ];
    let mut decoder = Decoder::new(ToolNames::default());
    let mut decoded: Vec<StreamEvent> = encode_all(&events)
        .iter()
        .flat_map(|chunk| decoder.decode(None, &chunk.to_string()))
        .collect();
    decoded.extend(decoder.finish());
    let without_start: Vec<&StreamEvent> = decoded
        .iter()
        .filter(|e| !matches!(e, StreamEvent::Start { .. }))
        .collect();
    let expected = [
        StreamEvent::ThinkingStart { index: 0 },
        StreamEvent::ThinkingDelta {
            index: 0,
            text: "Plan.".into(),
        },
        StreamEvent::BlockStop { index: 0 },
        StreamEvent::TextStart { index: 1 },
        StreamEvent::TextDelta {
            index: 1,
            text: "Reading ".into(),
        },
        StreamEvent::TextDelta {
            index: 1,
            text: "a.rs".into(),
        },
        StreamEvent::BlockStop { index: 1 },
        StreamEvent::ToolCallStart {
            index: 2,
            id: "call_0".into(),
            name: "read_file".into(),
            thought_signature: Some("sig-call".into()),
        },
        args(2, "{\"file_path\":\"a.rs\"}"),
        StreamEvent::BlockStop { index: 2 },
        StreamEvent::Usage {
            usage: usage(40, 9),
        },
        StreamEvent::Finish {
            stop_reason: StopReason::ToolUse,
        },
    ];
    assert_eq!(
        without_start,
        expected.iter().collect::<Vec<_>>(),
        "what a Gemini client reads is what the provider said"
    );
}
