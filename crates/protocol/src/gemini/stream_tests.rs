//! The stream decoder's rules, each against a small Gemini stream, and property tests: byte
//! splits change nothing, and no sequence of chunks breaks the `StreamEvent` contract.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::gemini::decode_response;
use crate::gemini::tests::{
    assert_well_formed, decode_chunks, decode_sse, sse, thinking_text_and_two_calls,
};

#[test]
fn blocks_are_indexed_across_thinking_text_and_calls() {
    // translation rule 4: indexes count every block, and several calls is where they go wrong.
    let events = decode_chunks(&thinking_text_and_two_calls());
    let starts: Vec<(usize, &str)> = events
        .iter()
        .filter_map(|e| match e {
            StreamEvent::ThinkingStart { index } => Some((*index, "thinking")),
            StreamEvent::TextStart { index } => Some((*index, "text")),
            StreamEvent::ToolCallStart { index, .. } => Some((*index, "call")),
            _ => None,
        })
        .collect();
    assert_eq!(
        starts,
        [(0, "thinking"), (1, "text"), (2, "call"), (3, "call")]
    );
    assert_eq!(
        events.iter().rev().find_map(|e| match e {
            StreamEvent::Finish { stop_reason } => Some(*stop_reason),
            _ => None,
        }),
        Some(StopReason::ToolUse),
        "Gemini says STOP for tool calls too"
    );
}

#[test]
fn start_carries_prompt_usage_and_final_usage_comes_before_finish() {
    // translation rules 1 and 2.
    let events = decode_chunks(&thinking_text_and_two_calls());
    assert!(matches!(
        &events[0],
        StreamEvent::Start { usage, id, model }
            if usage.input_tokens == 112 && id == "x5lAaM3nO4-JmMcP0oSs2Ak" && model == "gemini-3-pro-preview"
    ));
    let usages: Vec<&Usage> = events
        .iter()
        .filter_map(|e| match e {
            StreamEvent::Usage { usage } => Some(usage),
            _ => None,
        })
        .collect();
    assert_eq!(
        usages,
        [&Usage {
            input_tokens: 112,
            cached_input_tokens: 0,
            cache_write_tokens: 0,
            output_tokens: 228,
            reasoning_tokens: 187
        }],
        "unchanged usage is not repeated; thoughts count as output"
    );
}

#[test]
fn partial_usage_chunks_merge_field_by_field() {
    let events = decode_chunks(&[
        json!({"candidates": [{"content": {"parts": [{"text": "a"}]}}], "usageMetadata": {"promptTokenCount": 50, "cachedContentTokenCount": 32}}),
        json!({"candidates": [{"content": {"parts": [{"text": "b"}]}, "finishReason": "STOP"}], "usageMetadata": {"candidatesTokenCount": 2}}),
    ]);
    let last = events.iter().rev().find_map(|e| match e {
        StreamEvent::Usage { usage } => Some(*usage),
        _ => None,
    });
    assert_eq!(
        last,
        Some(Usage {
            input_tokens: 50,
            cached_input_tokens: 32,
            cache_write_tokens: 0,
            output_tokens: 2,
            reasoning_tokens: 0
        })
    );
}

#[test]
fn a_chunk_with_content_and_finish_reason_keeps_its_content() {
    let events = decode_chunks(&[json!({
        "candidates": [{"content": {"parts": [{"text": "Done."}]}, "finishReason": "MAX_TOKENS"}],
        "responseId": "r1"
    })]);
    assert_eq!(
        events,
        [
            StreamEvent::Start {
                id: "r1".into(),
                model: String::new(),
                usage: Usage::default()
            },
            StreamEvent::TextStart { index: 0 },
            StreamEvent::TextDelta {
                index: 0,
                text: "Done.".into()
            },
            StreamEvent::BlockStop { index: 0 },
            StreamEvent::Finish {
                stop_reason: StopReason::MaxTokens
            },
        ]
    );
}

#[test]
fn a_signature_on_the_last_text_part_becomes_an_empty_signed_thinking_block() {
    let events = decode_chunks(&[
        json!({"candidates": [{"content": {"parts": [{"text": "Hello"}]}}], "responseId": "r"}),
        json!({"candidates": [{"content": {"parts": [{"text": "", "thoughtSignature": "sig-end"}]}, "finishReason": "STOP"}]}),
    ]);
    assert_eq!(
        &events[1..],
        [
            StreamEvent::TextStart { index: 0 },
            StreamEvent::TextDelta {
                index: 0,
                text: "Hello".into()
            },
            StreamEvent::BlockStop { index: 0 },
            StreamEvent::ThinkingStart { index: 1 },
            StreamEvent::ThinkingSignature {
                index: 1,
                signature: "sig-end".into()
            },
            StreamEvent::BlockStop { index: 1 },
            StreamEvent::Finish {
                stop_reason: StopReason::EndTurn
            },
        ]
    );
}

#[test]
fn an_error_event_mid_stream_ends_the_stream() {
    let events = decode_chunks(&[
        json!({"candidates": [{"content": {"parts": [{"text": "Par"}]}}], "responseId": "r"}),
        json!({"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}}),
        json!({"candidates": [{"content": {"parts": [{"text": "tial"}]}}]}),
    ]);
    let last = events.last().unwrap();
    assert!(
        matches!(last, StreamEvent::Error { error } if error.kind == crate::canonical::ErrorKind::Overloaded && error.status == 503),
        "{events:#?}"
    );
    assert_well_formed(&events);
}

#[test]
fn a_blocked_prompt_streams_a_content_filter_finish() {
    let events = decode_chunks(&[json!({
        "promptFeedback": {"blockReason": "SAFETY"},
        "usageMetadata": {"promptTokenCount": 7, "totalTokenCount": 7},
        "modelVersion": "gemini-2.5-flash"
    })]);
    assert!(matches!(events[0], StreamEvent::Start { .. }));
    assert_eq!(
        events[1],
        StreamEvent::Finish {
            stop_reason: StopReason::ContentFilter
        }
    );
    assert_eq!(events.len(), 2);
}

#[test]
fn finish_closes_open_blocks_and_owes_a_finish() {
    let mut decoder = Decoder::new(ToolNames::default());
    decoder.decode(
        None,
        r#"{"candidates":[{"content":{"parts":[{"text":"cut off"}]}}]}"#,
    );
    assert_eq!(
        decoder.finish(),
        [
            StreamEvent::BlockStop { index: 0 },
            StreamEvent::Finish {
                stop_reason: StopReason::EndTurn
            }
        ]
    );
    assert!(decoder.finish().is_empty(), "finish is idempotent");
    let mut empty = Decoder::new(ToolNames::default());
    assert!(
        matches!(empty.finish().as_slice(), [StreamEvent::Error { error }] if error.status == 502),
        "a stream that ended before any answer is an upstream failure"
    );
}

#[test]
fn concurrent_streams_keep_separate_state() {
    // translation rule 3.
    let mut a = Decoder::new(ToolNames::default());
    let mut b = Decoder::new(ToolNames::default());
    let chunk = |text: &str| {
        format!(r#"{{"candidates":[{{"content":{{"parts":[{{"text":"{text}"}}]}}}}]}}"#)
    };
    let first_a = a.decode(None, &chunk("a1"));
    let first_b = b.decode(None, &chunk("b1"));
    assert_eq!(
        first_a[1..],
        first_b[1..]
            .iter()
            .map(|e| match e {
                StreamEvent::TextDelta { index, .. } => StreamEvent::TextDelta {
                    index: *index,
                    text: "a1".into()
                },
                other => other.clone(),
            })
            .collect::<Vec<_>>()[..]
    );
    assert_eq!(
        a.decode(None, &chunk("a2")),
        [StreamEvent::TextDelta {
            index: 0,
            text: "a2".into()
        }]
    );
}

#[test]
fn streamed_tool_names_are_restored_and_args_sent_whole() {
    let long = "mcp__github_enterprise_server__create_pull_request_review_comment_reply";
    let mut names = ToolNames::default();
    let short = names.shorten(long, ToolNames::MAX);
    let chunk = json!({"candidates": [{"content": {"parts": [{"functionCall": {"name": short}}]}, "finishReason": "STOP"}]});
    let events = decode_sse(&[&sse(&[chunk])], names);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, StreamEvent::ToolCallStart { name, .. } if name == long))
    );
    assert!(
        events.contains(&StreamEvent::ToolCallDelta {
            index: 0,
            arguments: "{}".into()
        }),
        "translation rule 6"
    );
}

proptest! {
    #[test]
    fn chunked_streams_decode_identically_at_any_byte_split(
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12)
    ) {
        let mut chunks = thinking_text_and_two_calls();
        // Multi-byte characters make byte splits land inside a character too.
        chunks.insert(3, json!({"candidates": [{"content": {"parts": [{"text": "… 18 °C ☁️ "}]}}]}));
        let bytes = sse(&chunks);
        let whole = decode_sse(&[&bytes], ToolNames::default());
        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
        points.sort_unstable();
        points.dedup();
        let mut pieces: Vec<&[u8]> = Vec::new();
        let mut from = 0;
        for point in points {
            pieces.push(&bytes[from..point]);
            from = point;
        }
        pieces.push(&bytes[from..]);
        prop_assert_eq!(decode_sse(&pieces, ToolNames::default()), whole);
    }

    #[test]
    fn arbitrary_data_never_panics(events in prop::collection::vec(".{0,80}", 0..6)) {
        let mut decoder = Decoder::new(ToolNames::default());
        let mut out = Vec::new();
        for data in &events {
            out.extend(decoder.decode(None, data));
        }
        out.extend(decoder.finish());
        assert_well_formed(&out);
    }

    #[test]
    fn arbitrary_gemini_chunks_give_well_formed_event_sequences(chunks in prop::collection::vec(arb_chunk(), 0..8)) {
        let events = decode_chunks(&chunks);
        assert_well_formed(&events);
        let answer_bytes: Vec<u8> = chunks.first().map(|c| c.to_string().into_bytes()).unwrap_or_default();
        let _ = decode_response(&answer_bytes, &ToolNames::default());
    }
}

fn arb_part() -> impl Strategy<Value = Value> {
    prop_oneof![
        "[a-z .]{0,12}".prop_map(|t| json!({"text": t})),
        "[a-z .]{0,12}".prop_map(|t| json!({"text": t, "thought": true})),
        "[a-z .]{0,12}"
            .prop_map(|t| json!({"text": t, "thought": true, "thoughtSignature": "sig"})),
        Just(json!({"text": "", "thoughtSignature": "end"})),
        Just(
            json!({"functionCall": {"name": "f", "args": {"x": [1, {"y": null}]}}, "thoughtSignature": "c"})
        ),
        Just(json!({"functionCall": {"name": "g", "id": "id-g"}})),
        Just(json!({"inlineData": {"mimeType": "image/png", "data": "AAAA"}})),
        Just(json!({"executableCode": {"language": "PYTHON", "code": "print(1)"}})),
        Just(json!({"functionCall": "not an object"})),
        Just(json!({})),
    ]
}

fn arb_chunk() -> impl Strategy<Value = Value> {
    let finish = prop::option::of(prop_oneof![
        Just("STOP"),
        Just("MAX_TOKENS"),
        Just("SAFETY"),
        Just("MALFORMED_FUNCTION_CALL"),
        Just("OTHER")
    ]);
    let usage = prop::option::of((
        0u64..500,
        prop::option::of(0u64..100),
        prop::option::of(0u64..100),
    ));
    (prop::collection::vec(arb_part(), 0..4), finish, usage, 0u8..20).prop_map(|(parts, finish, usage, kind)| {
        match kind {
            0 => json!({"error": {"code": 500, "message": "Internal error", "status": "INTERNAL"}}),
            1 => json!({"promptFeedback": {"blockReason": "OTHER"}}),
            2 => json!([{"candidates": [{"content": {"parts": parts}}]}]),
            3 => json!({"candidates": "nope"}),
            _ => {
                let mut chunk = json!({"candidates": [{"content": {"role": "model", "parts": parts}}]});
                if let Some(reason) = finish {
                    chunk["candidates"][0]["finishReason"] = json!(reason);
                }
                if let Some((prompt, candidates, thoughts)) = usage {
                    chunk["usageMetadata"] = json!({"promptTokenCount": prompt, "candidatesTokenCount": candidates, "thoughtsTokenCount": thoughts});
                }
                chunk
            }
        }
    })
}
