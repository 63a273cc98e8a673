//! Encoding Anthropic streams for clients: the event order Claude Code checks, checked by a
//! small validator over everything the encoder writes, for hand-picked and arbitrary canonical
//! sequences.

use std::collections::HashMap;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::Encoder;
use crate::canonical::{ApiError, ErrorKind, SseEvent, StopReason, StreamEncoder, StreamEvent};
use crate::usage::Usage;

/// Checks encoder output against the order Claude Code enforces. Returns the first violation.
pub(super) fn validate(events: &[SseEvent]) -> Result<(), String> {
    let (mut started, mut delta_sent, mut ended) = (false, false, false);
    let mut open: Option<(u64, String)> = None;
    let mut next_index = 0u64;
    let mut tool_input: HashMap<u64, String> = HashMap::new();
    for (n, event) in events.iter().enumerate() {
        let at = |msg: &str| format!("event {n} ({:?}): {msg}", event.event);
        let name = event.event.as_deref().ok_or_else(|| at("no event name"))?;
        let data: Value = serde_json::from_str(&event.data).map_err(|e| at(&e.to_string()))?;
        if data["type"] != name {
            return Err(at("type differs from the event name"));
        }
        if ended {
            return Err(at("event after the end of the stream"));
        }
        let index = data["index"].as_u64();
        match name {
            "error" => {
                if !data["error"]["type"].is_string() || !data["error"]["message"].is_string() {
                    return Err(at("error without type and message"));
                }
                ended = true;
            }
            "message_start" => {
                if started {
                    return Err(at("second message_start"));
                }
                started = true;
                let usage = &data["message"]["usage"];
                if usage["input_tokens"].as_u64().unwrap_or(0) == 0 {
                    return Err(at("message_start without input tokens"));
                }
                for field in ["cache_creation_input_tokens", "cache_read_input_tokens"] {
                    if !usage[field].is_u64() {
                        return Err(at(&format!("message_start usage lacks {field}")));
                    }
                }
            }
            _ if !started => return Err(at("before message_start")),
            "ping" => {}
            "content_block_start" => {
                if open.is_some() || delta_sent {
                    return Err(at(
                        "block opened while another is open or after message_delta",
                    ));
                }
                if index != Some(next_index) {
                    return Err(at(&format!("expected index {next_index}")));
                }
                next_index += 1;
                let kind = data["content_block"]["type"].as_str().unwrap_or_default();
                open = Some((next_index - 1, kind.to_owned()));
            }
            "content_block_delta" => {
                let Some((open_index, kind)) = &open else {
                    return Err(at("Content block not found"));
                };
                if index != Some(*open_index) {
                    return Err(at("Content block not found"));
                }
                let delta_type = data["delta"]["type"].as_str().unwrap_or_default();
                let fits = matches!(
                    (kind.as_str(), delta_type),
                    ("text", "text_delta")
                        | ("thinking", "thinking_delta" | "signature_delta")
                        | ("tool_use", "input_json_delta")
                );
                if !fits {
                    return Err(at(&format!("{delta_type} in a {kind} block")));
                }
                if let Some(part) = data["delta"]["partial_json"].as_str() {
                    tool_input.entry(*open_index).or_default().push_str(part);
                }
            }
            "content_block_stop" => {
                match &open {
                    Some((open_index, kind)) if index == Some(*open_index) => {
                        if kind == "tool_use"
                            && tool_input.get(open_index).is_none_or(String::is_empty)
                        {
                            return Err(at("tool_use block with no input at all"));
                        }
                    }
                    _ => return Err(at("stop of a block that is not open")),
                }
                open = None;
            }
            "message_delta" => {
                if open.is_some() || delta_sent {
                    return Err(at("message_delta with a block open, or twice"));
                }
                if !data["delta"]["stop_reason"].is_string()
                    || !data["usage"]["output_tokens"].is_u64()
                {
                    return Err(at("message_delta without stop_reason and output usage"));
                }
                delta_sent = true;
            }
            "message_stop" => {
                if !delta_sent {
                    return Err(at("message_stop before message_delta"));
                }
                ended = true;
            }
            other => return Err(at(&format!("unknown event {other}"))),
        }
    }
    if !ended {
        return Err("the stream never ended".to_owned());
    }
    Ok(())
}

pub(super) fn encode_all(encoder: &mut Encoder, events: &[StreamEvent]) -> Vec<SseEvent> {
    let mut out: Vec<SseEvent> = events.iter().flat_map(|e| encoder.encode(e)).collect();
    out.extend(encoder.finish());
    out
}

fn names(events: &[SseEvent]) -> Vec<&str> {
    events.iter().filter_map(|e| e.event.as_deref()).collect()
}

fn data(event: &SseEvent) -> Value {
    serde_json::from_str(&event.data).unwrap_or(Value::Null)
}

#[test]
fn an_openai_upstream_gets_an_estimated_message_start_and_a_held_message_delta() {
    // OpenAI reports usage in its last chunk, after the one carrying the finish reason.
    let mut encoder = Encoder::new("chatcmpl-9x", "gpt-5", 1234);
    let before_usage = [
        StreamEvent::Start {
            id: "chatcmpl-9x".into(),
            model: "gpt-5".into(),
            usage: Usage::default(),
        },
        StreamEvent::TextStart { index: 0 },
        StreamEvent::TextDelta {
            index: 0,
            text: "Hi".into(),
        },
        StreamEvent::BlockStop { index: 0 },
        StreamEvent::Finish {
            stop_reason: StopReason::EndTurn,
        },
    ];
    let first: Vec<SseEvent> = before_usage
        .iter()
        .flat_map(|e| encoder.encode(e))
        .collect();
    assert_eq!(
        names(&first),
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_stop"
        ],
        "message_delta waits for the usage (translation rule 2)"
    );
    assert_eq!(data(&first[0])["message"]["usage"]["input_tokens"], 1234);
    assert_eq!(data(&first[0])["message"]["id"], "msg_chatcmpl-9x");

    let usage = Usage {
        input_tokens: 1500,
        cached_input_tokens: 1024,
        cache_write_tokens: 0,
        output_tokens: 7,
        reasoning_tokens: 0,
    };
    let last = encoder.encode(&StreamEvent::Usage { usage });
    assert_eq!(names(&last), ["message_delta", "message_stop"]);
    assert_eq!(
        data(&last[0])["usage"],
        json!({"input_tokens": 476, "cache_creation_input_tokens": 0,
               "cache_read_input_tokens": 1024, "output_tokens": 7})
    );
    assert!(encoder.finish().is_empty());
    let all: Vec<SseEvent> = first.into_iter().chain(last).collect();
    validate(&all).unwrap();
}

#[test]
fn interleaved_tool_calls_are_written_one_block_after_the_other() {
    let mut encoder = Encoder::new("msg_1", "m", 10);
    let events = [
        StreamEvent::ToolCallStart {
            index: 0,
            id: "call_a".into(),
            name: "read".into(),
            thought_signature: None,
        },
        StreamEvent::ToolCallDelta {
            index: 0,
            arguments: "{\"path\":".into(),
        },
        StreamEvent::ToolCallStart {
            index: 1,
            id: "call_b".into(),
            name: "glob".into(),
            thought_signature: None,
        },
        StreamEvent::ToolCallDelta {
            index: 1,
            arguments: "{\"pattern\":\"*\"}".into(),
        },
        StreamEvent::ToolCallDelta {
            index: 0,
            arguments: "\"a.rs\"}".into(),
        },
        StreamEvent::BlockStop { index: 0 },
        StreamEvent::BlockStop { index: 1 },
        StreamEvent::Finish {
            stop_reason: StopReason::ToolUse,
        },
    ];
    let out = encode_all(&mut encoder, &events);
    validate(&out).unwrap();
    let deltas: Vec<(u64, String)> = out
        .iter()
        .map(data)
        .filter(|d| d["type"] == "content_block_delta")
        .map(|d| {
            (
                d["index"].as_u64().unwrap(),
                d["delta"]["partial_json"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        deltas,
        [
            (0, "{\"path\":".to_owned()),
            (0, "\"a.rs\"}".to_owned()),
            (1, "{\"pattern\":\"*\"}".to_owned())
        ]
    );
}

#[test]
fn a_tool_call_without_arguments_gets_an_empty_object() {
    let mut encoder = Encoder::new("msg_1", "m", 10);
    let out = encode_all(
        &mut encoder,
        &[
            StreamEvent::ToolCallStart {
                index: 0,
                id: "call_1".into(),
                name: "list_files".into(),
                thought_signature: None,
            },
            StreamEvent::BlockStop { index: 0 },
            StreamEvent::Finish {
                stop_reason: StopReason::ToolUse,
            },
        ],
    );
    validate(&out).unwrap();
    assert_eq!(
        data(&out[2])["delta"],
        json!({"type": "input_json_delta", "partial_json": "{}"})
    );
}

#[test]
fn a_mid_stream_error_is_an_error_event_and_the_end() {
    let mut encoder = Encoder::new("msg_1", "m", 10);
    let mut out = encoder.encode(&StreamEvent::TextDelta {
        index: 0,
        text: "partial".into(),
    });
    out.extend(encoder.encode(&StreamEvent::Error {
        error: ApiError {
            status: 503,
            kind: ErrorKind::Overloaded,
            message: "upstream overloaded".into(),
            code: None,
        },
    }));
    out.extend(encoder.encode(&StreamEvent::TextDelta {
        index: 0,
        text: "more".into(),
    }));
    out.extend(encoder.finish());
    validate(&out).unwrap();
    assert_eq!(
        names(&out),
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "error"
        ]
    );
    assert_eq!(
        data(&out[3]),
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "upstream overloaded"}})
    );
}

#[test]
fn content_decoded_after_the_finish_reason_is_not_lost() {
    // translation rule 2: one OpenAI chunk may carry the last text and the finish reason.
    let mut encoder = Encoder::new("msg_1", "m", 10);
    let out = encode_all(
        &mut encoder,
        &[
            StreamEvent::TextDelta {
                index: 0,
                text: "Hel".into(),
            },
            StreamEvent::Finish {
                stop_reason: StopReason::EndTurn,
            },
            StreamEvent::TextDelta {
                index: 0,
                text: "lo".into(),
            },
            StreamEvent::Usage {
                usage: Usage {
                    input_tokens: 9,
                    output_tokens: 2,
                    ..Usage::default()
                },
            },
        ],
    );
    validate(&out).unwrap();
    let text: String = out
        .iter()
        .map(data)
        .filter_map(|d| d["delta"]["text"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(text, "Hello");
}

#[test]
fn an_empty_text_block_is_never_written() {
    // OpenAI's first chunk often carries `content: ""`; Claude Code would replay an empty text
    // block, and Anthropic rejects those ("text content blocks must be non-empty").
    let mut encoder = Encoder::new("msg_1", "m", 10);
    let out = encode_all(
        &mut encoder,
        &[
            StreamEvent::TextStart { index: 0 },
            StreamEvent::TextDelta {
                index: 0,
                text: String::new(),
            },
            StreamEvent::BlockStop { index: 0 },
            StreamEvent::ToolCallStart {
                index: 1,
                id: "call_1".into(),
                name: "ls".into(),
                thought_signature: None,
            },
            StreamEvent::BlockStop { index: 1 },
        ],
    );
    validate(&out).unwrap();
    let starts: Vec<Value> = out
        .iter()
        .map(data)
        .filter(|d| d["type"] == "content_block_start")
        .collect();
    assert_eq!(starts.len(), 1);
    assert_eq!(starts[0]["index"], 0);
    assert_eq!(starts[0]["content_block"]["type"], "tool_use");
}

#[test]
fn a_finish_with_no_content_is_still_a_complete_message() {
    let mut encoder = Encoder::new("msg_1", "m", 0);
    let out = encode_all(
        &mut encoder,
        &[StreamEvent::Finish {
            stop_reason: StopReason::MaxTokens,
        }],
    );
    validate(&out).unwrap();
    assert_eq!(
        names(&out),
        ["message_start", "message_delta", "message_stop"]
    );
    assert_eq!(data(&out[1])["delta"]["stop_reason"], "max_tokens");
}

#[test]
fn tool_calls_after_a_plain_stop_report_tool_use() {
    let mut encoder = Encoder::new("msg_1", "m", 10);
    let out = encode_all(
        &mut encoder,
        &[
            StreamEvent::ToolCallStart {
                index: 0,
                id: "c".into(),
                name: "f".into(),
                thought_signature: None,
            },
            StreamEvent::ToolCallDelta {
                index: 0,
                arguments: "{}".into(),
            },
            StreamEvent::Finish {
                stop_reason: StopReason::EndTurn,
            },
        ],
    );
    validate(&out).unwrap();
    let delta = out
        .iter()
        .map(data)
        .find(|d| d["type"] == "message_delta")
        .unwrap();
    assert_eq!(delta["delta"]["stop_reason"], "tool_use");
}

#[test]
fn streams_are_independent_per_encoder_and_decoder() {
    // translation rule 3: two interleaved streams must not see each other's blocks.
    let mut a = Encoder::new("msg_a", "m", 10);
    let mut b = Encoder::new("msg_b", "m", 10);
    let text = |index, t: &str| StreamEvent::TextDelta {
        index,
        text: t.into(),
    };
    let mut out_a = a.encode(&text(0, "a1"));
    let mut out_b = b.encode(&text(0, "b1"));
    out_a.extend(a.encode(&text(0, "a2")));
    out_b.extend(b.finish());
    out_a.extend(a.finish());
    validate(&out_a).unwrap();
    validate(&out_b).unwrap();
    assert_eq!(data(&out_b[0])["message"]["id"], "msg_b");
}

fn arb_event() -> impl Strategy<Value = StreamEvent> {
    let index = 0usize..4;
    let text = "[a-z{}\":]{0,6}";
    prop_oneof![
        Just(StreamEvent::Start {
            id: "x".into(),
            model: "m".into(),
            usage: Usage::default()
        }),
        index
            .clone()
            .prop_map(|index| StreamEvent::TextStart { index }),
        (index.clone(), text).prop_map(|(index, text)| StreamEvent::TextDelta { index, text }),
        index
            .clone()
            .prop_map(|index| StreamEvent::ThinkingStart { index }),
        (index.clone(), text).prop_map(|(index, text)| StreamEvent::ThinkingDelta { index, text }),
        (index.clone(), text)
            .prop_map(|(index, signature)| StreamEvent::ThinkingSignature { index, signature }),
        (index.clone(), text)
            .prop_map(|(index, data)| StreamEvent::RedactedThinking { index, data }),
        index.clone().prop_map(|index| StreamEvent::ToolCallStart {
            index,
            id: format!("call_{index}"),
            name: "f".into(),
            thought_signature: None
        }),
        (index.clone(), text)
            .prop_map(|(index, arguments)| StreamEvent::ToolCallDelta { index, arguments }),
        index.prop_map(|index| StreamEvent::BlockStop { index }),
        (0u64..5000, 0u64..500).prop_map(|(input_tokens, output_tokens)| StreamEvent::Usage {
            usage: Usage {
                input_tokens,
                output_tokens,
                ..Usage::default()
            }
        }),
        prop_oneof![
            Just(StopReason::EndTurn),
            Just(StopReason::ToolUse),
            Just(StopReason::MaxTokens)
        ]
        .prop_map(|stop_reason| StreamEvent::Finish { stop_reason }),
        Just(StreamEvent::Error {
            error: ApiError {
                status: 500,
                kind: ErrorKind::ServerError,
                message: "x".into(),
                code: None
            }
        }),
    ]
}

proptest! {
    #[test]
    fn any_canonical_sequence_encodes_to_a_stream_claude_code_accepts(
        events in proptest::collection::vec(arb_event(), 0..40),
        estimate in 0u64..100,
    ) {
        let mut encoder = Encoder::new("msg_p", "m", estimate);
        let out = encode_all(&mut encoder, &events);
        prop_assert_eq!(validate(&out), Ok(()), "{:?}\n{:#?}", events, out);
    }
}
