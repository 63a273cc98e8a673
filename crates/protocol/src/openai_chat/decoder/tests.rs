//! How provider chunks become canonical events, and the invariants every decoded stream keeps.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::Decoder;
use crate::canonical::{StopReason, StreamDecoder, StreamEvent, ToolNames};
use crate::usage::Usage;

pub(crate) const PARALLEL_TOOLS: &str =
    include_str!("../fixtures/stream_reasoning_parallel_tools.sse");

/// Feeds bytes as they arrive off the network: accumulates them, cuts events at a blank line,
/// and hands each event's data to the decoder; then ends the stream.
pub(crate) fn decode_pieces(decoder: &mut Decoder, pieces: &[&[u8]]) -> Vec<StreamEvent> {
    let mut buffer: Vec<u8> = Vec::new();
    let mut out = Vec::new();
    for piece in pieces {
        buffer.extend_from_slice(piece);
        while let Some(end) = buffer.windows(2).position(|w| w == b"\n\n") {
            let raw: Vec<u8> = buffer.drain(..end + 2).collect();
            let text = String::from_utf8_lossy(&raw);
            let mut name = None;
            let mut data: Vec<&str> = Vec::new();
            for line in text.lines() {
                if let Some(value) = line.strip_prefix("data:") {
                    data.push(value.strip_prefix(' ').unwrap_or(value));
                } else if let Some(value) = line.strip_prefix("event:") {
                    name = Some(value.trim().to_owned());
                }
            }
            if !data.is_empty() {
                out.extend(decoder.decode(name.as_deref(), &data.join("\n")));
            }
        }
    }
    out.extend(decoder.finish());
    out
}

fn decode_all(stream: &str, names: ToolNames) -> Vec<StreamEvent> {
    decode_pieces(&mut Decoder::new(names), &[stream.as_bytes()])
}

fn names() -> ToolNames {
    let mut names = ToolNames::default();
    names.shorten("weather.forecast", ToolNames::MAX);
    names
}

/// `data:` lines for chunks with the given choices members, ending in `[DONE]`.
fn stream(chunks: &[Value]) -> String {
    let mut out = String::new();
    for chunk in chunks {
        let mut chunk = chunk.clone();
        chunk["id"] = json!("chatcmpl-1");
        chunk["model"] = json!("m");
        out.push_str(&format!("data: {chunk}\n\n"));
    }
    out.push_str("data: [DONE]\n\n");
    out
}

fn delta(delta: Value) -> Value {
    json!({"choices": [{"index": 0, "delta": delta, "finish_reason": null}]})
}

fn finish(reason: &str) -> Value {
    json!({"choices": [{"index": 0, "delta": {}, "finish_reason": reason}]})
}

/// The canonical stream rules (see `StreamEvent`): Start first, every block started before its
/// deltas and stopped after them, block indexes counting up from 0 in order, one Finish,
/// nothing after an Error.
pub(crate) fn assert_well_formed(events: &[StreamEvent]) {
    #[derive(PartialEq)]
    enum State {
        Open,
        Stopped,
    }
    let mut blocks: Vec<State> = Vec::new();
    let mut finishes = 0;
    for (i, event) in events.iter().enumerate() {
        let context = || format!("event {i} in {events:#?}");
        if i == 0 {
            assert!(
                matches!(event, StreamEvent::Start { .. } | StreamEvent::Error { .. }),
                "{}",
                context()
            );
        }
        match event {
            StreamEvent::Start { .. } => assert_eq!(i, 0, "{}", context()),
            StreamEvent::TextStart { index }
            | StreamEvent::ThinkingStart { index }
            | StreamEvent::ToolCallStart { index, .. } => {
                assert_eq!(*index, blocks.len(), "indexes count up: {}", context());
                assert!(
                    blocks.iter().all(|b| *b == State::Stopped),
                    "one open block at a time: {}",
                    context()
                );
                blocks.push(State::Open);
            }
            StreamEvent::TextDelta { index, .. }
            | StreamEvent::ThinkingDelta { index, .. }
            | StreamEvent::ThinkingSignature { index, .. }
            | StreamEvent::ToolCallDelta { index, .. } => {
                assert!(blocks.get(*index) == Some(&State::Open), "{}", context());
            }
            StreamEvent::BlockStop { index } => {
                assert!(blocks.get(*index) == Some(&State::Open), "{}", context());
                blocks[*index] = State::Stopped;
            }
            StreamEvent::Finish { .. } => {
                finishes += 1;
                assert!(blocks.iter().all(|b| *b == State::Stopped), "{}", context());
            }
            StreamEvent::Error { .. } => {
                assert_eq!(i, events.len() - 1, "nothing after an error: {}", context());
            }
            StreamEvent::Usage { .. } | StreamEvent::RedactedThinking { .. } => {}
        }
    }
    assert!(finishes <= 1, "one Finish at most: {events:#?}");
    let errored = matches!(events.last(), Some(StreamEvent::Error { .. }));
    assert!(
        errored || finishes == 1,
        "a stream ends in Finish or Error: {events:#?}"
    );
}

#[test]
fn reasoning_text_and_parallel_tool_calls_get_blocks_counted_together() {
    let events = decode_all(PARALLEL_TOOLS, names());
    assert_well_formed(&events);
    let starts: Vec<(usize, &str)> = events
        .iter()
        .filter_map(|e| match e {
            StreamEvent::ThinkingStart { index } => Some((*index, "thinking")),
            StreamEvent::TextStart { index } => Some((*index, "text")),
            StreamEvent::ToolCallStart { index, name, .. } => Some((*index, name.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        starts,
        [
            (0, "thinking"),
            (1, "text"),
            (2, "get_weather"),
            (3, "weather.forecast")
        ],
        "translation rule 4: OpenAI's tool indexes 0 and 1 are blocks 2 and 3; translation rule 5: names restored"
    );
    let arguments: String = events
        .iter()
        .filter_map(|e| match e {
            StreamEvent::ToolCallDelta {
                index: 3,
                arguments,
            } => Some(arguments.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(arguments, r#"{"city": "Tōkyō", "days": 2}"#);
    let tail = &events[events.len() - 2..];
    assert_eq!(
        tail[0],
        StreamEvent::Finish {
            stop_reason: StopReason::ToolUse
        }
    );
    assert_eq!(
        tail[1],
        StreamEvent::Usage {
            usage: Usage {
                input_tokens: 1200,
                cached_input_tokens: 1024,
                cache_write_tokens: 0,
                output_tokens: 180,
                reasoning_tokens: 96
            }
        },
        "the usage-only chunk arrives after the finish chunk"
    );
}

#[test]
fn content_in_the_finishing_chunk_is_kept() {
    let events = decode_all(
        &stream(&[
            delta(json!({"role": "assistant", "content": "Hel"})),
            json!({"choices": [{"index": 0, "delta": {"content": "lo!"}, "finish_reason": "stop"}],
                   "usage": {"prompt_tokens": 5, "completion_tokens": 2}}),
        ]),
        ToolNames::default(),
    );
    assert_well_formed(&events);
    assert_eq!(
        events[3..],
        [
            StreamEvent::TextDelta {
                index: 0,
                text: "lo!".into()
            },
            StreamEvent::BlockStop { index: 0 },
            StreamEvent::Usage {
                usage: Usage {
                    input_tokens: 5,
                    output_tokens: 2,
                    ..Usage::default()
                }
            },
            StreamEvent::Finish {
                stop_reason: StopReason::EndTurn
            },
        ],
        "translation rule 2"
    );
}

#[test]
fn tool_calls_without_ids_or_arguments_get_stable_ids_and_an_empty_object() {
    let chunks = [
        delta(json!({"tool_calls": [{"index": 0, "function": {"name": "list_files"}}]})),
        delta(json!({"tool_calls": [{"index": 1, "function": {"name": "now", "arguments": ""}}]})),
        finish("tool_calls"),
    ];
    let first = decode_all(&stream(&chunks), ToolNames::default());
    assert_well_formed(&first);
    let ids: Vec<&str> = first
        .iter()
        .filter_map(|e| match e {
            StreamEvent::ToolCallStart { id, .. } => Some(id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(ids, ["call_0", "call_1"]);
    assert_eq!(
        first,
        decode_all(&stream(&chunks), ToolNames::default()),
        "stable"
    );
    let arguments: Vec<&str> = first
        .iter()
        .filter_map(|e| match e {
            StreamEvent::ToolCallDelta { arguments, .. } => Some(arguments.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(arguments, ["{}", "{}"], "translation rule 6");
}

#[test]
fn a_name_arriving_after_the_first_fragment_holds_the_start_back() {
    let events = decode_all(
        &stream(&[
            delta(
                json!({"tool_calls": [{"index": 0, "id": "c1", "function": {"arguments": "{\"a\""}}]}),
            ),
            delta(
                json!({"tool_calls": [{"index": 0, "function": {"name": "f", "arguments": ":1}"}}]}),
            ),
            finish("tool_calls"),
        ]),
        ToolNames::default(),
    );
    assert_well_formed(&events);
    assert_eq!(
        events[1..4],
        [
            StreamEvent::ToolCallStart {
                index: 0,
                id: "c1".into(),
                name: "f".into(),
                thought_signature: None
            },
            StreamEvent::ToolCallDelta {
                index: 0,
                arguments: "{\"a\":1}".into()
            },
            StreamEvent::BlockStop { index: 0 },
        ],
        "fragments held until the name came go out together after the start"
    );
}

#[test]
fn tool_calls_without_index_are_told_apart_by_id() {
    let events = decode_all(
        &stream(&[
            delta(
                json!({"tool_calls": [{"id": "a", "function": {"name": "f", "arguments": "{}"}}]}),
            ),
            delta(
                json!({"tool_calls": [{"id": "b", "function": {"name": "g", "arguments": "{}"}},
                                        {"id": "c", "function": {"name": "h", "arguments": "{}"}}]}),
            ),
            finish("stop"),
        ]),
        ToolNames::default(),
    );
    assert_well_formed(&events);
    let calls = events
        .iter()
        .filter(|e| matches!(e, StreamEvent::ToolCallStart { .. }))
        .count();
    assert_eq!(calls, 3);
    assert_eq!(
        events.last(),
        Some(&StreamEvent::Finish {
            stop_reason: StopReason::ToolUse
        }),
        "a tool-calling answer that says `stop` stopped for tool use"
    );
}

#[test]
fn calls_all_numbered_zero_are_told_apart_by_id_and_name() {
    let events = decode_all(
        &stream(&[
            delta(
                json!({"tool_calls": [{"index": 0, "id": "a", "function": {"name": "f", "arguments": "{\"n\":"}}]}),
            ),
            delta(
                json!({"tool_calls": [{"index": 0, "id": "a", "function": {"arguments": "1}"}}]}),
            ),
            delta(
                json!({"tool_calls": [{"index": 0, "id": "b", "function": {"name": "g", "arguments": "{}"}}]}),
            ),
            finish("tool_calls"),
        ]),
        ToolNames::default(),
    );
    assert_well_formed(&events);
    let calls: Vec<(&str, &str)> = events
        .iter()
        .filter_map(|e| match e {
            StreamEvent::ToolCallStart { id, name, .. } => Some((id.as_str(), name.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(calls, [("a", "f"), ("b", "g")], "{events:#?}");
}

#[test]
fn a_fragment_for_a_closed_call_is_dropped_not_misplaced() {
    let events = decode_all(
        &stream(&[
            delta(
                json!({"tool_calls": [{"index": 0, "id": "a", "function": {"name": "f", "arguments": "{}"}}]}),
            ),
            delta(
                json!({"tool_calls": [{"index": 1, "id": "b", "function": {"name": "g", "arguments": "{}"}}]}),
            ),
            delta(json!({"tool_calls": [{"index": 0, "function": {"arguments": " "}}]})),
            finish("tool_calls"),
        ]),
        ToolNames::default(),
    );
    assert_well_formed(&events);
}

#[test]
fn gemini_thought_signatures_ride_on_the_tool_call_start() {
    let events = decode_all(
        &stream(&[
            delta(
                json!({"tool_calls": [{"index": 0, "id": "c1", "type": "function",
                "function": {"name": "f", "arguments": "{}"},
                "extra_content": {"google": {"thought_signature": "CiQB"}}}]}),
            ),
            finish("tool_calls"),
        ]),
        ToolNames::default(),
    );
    assert!(matches!(
        &events[1],
        StreamEvent::ToolCallStart { thought_signature: Some(s), .. } if s == "CiQB"
    ));
}

#[test]
fn reasoning_sent_under_both_names_is_read_once() {
    let events = decode_all(
        &stream(&[
            delta(json!({"reasoning": "hm", "reasoning_content": "hm"})),
            delta(json!({"reasoning": " ok"})),
            finish("stop"),
        ]),
        ToolNames::default(),
    );
    let thinking: String = events
        .iter()
        .filter_map(|e| match e {
            StreamEvent::ThinkingDelta { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(thinking, "hm ok");
}

#[test]
fn an_error_event_ends_the_stream() {
    let events = decode_all(
        "data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n\
         data: {\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}\n\n\
         data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"more\"}}]}\n\n",
        ToolNames::default(),
    );
    assert_well_formed(&events);
    let Some(StreamEvent::Error { error }) = events.last() else {
        panic!("{events:#?}")
    };
    assert_eq!(
        (error.status, error.message.as_str()),
        (429, "Rate limit reached")
    );
}

#[test]
fn a_stream_cut_short_still_closes_its_block_and_finishes() {
    let mut decoder = Decoder::new(ToolNames::default());
    let events = decode_pieces(
        &mut decoder,
        &[b"data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n"],
    );
    assert_well_formed(&events);
    assert_eq!(
        events[events.len() - 2..],
        [
            StreamEvent::BlockStop { index: 0 },
            StreamEvent::Finish {
                stop_reason: StopReason::EndTurn
            }
        ]
    );
    assert!(decoder.finish().is_empty(), "owed events are sent once");
}

#[test]
fn an_empty_stream_is_an_error_not_an_empty_answer() {
    for stream in ["", "data: [DONE]\n\n"] {
        let events = decode_all(stream, ToolNames::default());
        assert!(
            matches!(events.as_slice(), [StreamEvent::Error { .. }]),
            "{stream:?}: {events:?}"
        );
    }
}

#[test]
fn each_decoder_keeps_its_own_state() {
    let mut a = Decoder::new(ToolNames::default());
    let mut b = Decoder::new(ToolNames::default());
    let text = |t: &str| delta(json!({"content": t})).to_string();
    let tool = delta(json!({"tool_calls": [{"index": 0, "id": "c", "function": {"name": "f"}}]}))
        .to_string();
    let mut from_a = a.decode(None, &text("a"));
    let mut from_b = b.decode(None, &tool);
    from_a.extend(a.decode(None, &text("b")));
    from_b.extend(b.decode(None, &text("x")));
    from_a.extend(a.finish());
    from_b.extend(b.finish());
    assert_well_formed(&from_a);
    assert_well_formed(&from_b);
    assert!(
        matches!(from_a[1], StreamEvent::TextStart { index: 0 }),
        "translation rule 3"
    );
    assert!(
        matches!(from_b[4], StreamEvent::TextStart { index: 1 }),
        "{from_b:#?}"
    );
}

#[test]
fn every_single_byte_boundary_decodes_like_the_whole_stream() {
    let whole = decode_all(PARALLEL_TOOLS, names());
    let bytes = PARALLEL_TOOLS.as_bytes();
    for cut in 0..=bytes.len() {
        let split = decode_pieces(&mut Decoder::new(names()), &[&bytes[..cut], &bytes[cut..]]);
        assert_eq!(split, whole, "cut at byte {cut}");
    }
}

proptest! {
    #[test]
    fn any_split_of_the_stream_decodes_identically(mut cuts in prop::collection::vec(0usize..4000, 0..40)) {
        let bytes = PARALLEL_TOOLS.as_bytes();
        cuts.iter_mut().for_each(|c| *c %= bytes.len() + 1);
        cuts.sort_unstable();
        let mut pieces = Vec::new();
        let mut from = 0;
        for cut in cuts {
            pieces.push(&bytes[from..cut]);
            from = cut;
        }
        pieces.push(&bytes[from..]);
        let split = decode_pieces(&mut Decoder::new(names()), &pieces);
        prop_assert_eq!(split, decode_all(PARALLEL_TOOLS, names()));
    }

    #[test]
    fn arbitrary_data_never_panics(data in prop::collection::vec(".{0,80}", 0..8)) {
        let mut decoder = Decoder::new(ToolNames::default());
        for item in &data {
            decoder.decode(None, item);
        }
        decoder.finish();
    }

    /// Any sequence of plausible chunks, in any order, makes a well-formed canonical stream.
    #[test]
    fn any_chunk_sequence_decodes_to_a_well_formed_stream(picks in prop::collection::vec(0usize..14, 0..24)) {
        let palette = [
            delta(json!({"role": "assistant", "content": ""})),
            delta(json!({"content": "text"})),
            delta(json!({"reasoning_content": "think"})),
            delta(json!({"reasoning": "think"})),
            delta(json!({"tool_calls": [{"index": 0, "id": "a", "type": "function", "function": {"name": "f", "arguments": ""}}]})),
            delta(json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"x\":1}"}}]})),
            delta(json!({"tool_calls": [{"index": 1, "function": {"arguments": "{}"}}]})),
            delta(json!({"tool_calls": [{"index": 2, "function": {"name": "g"}}]})),
            delta(json!({"tool_calls": [{"function": {"arguments": "{}"}}]})),
            finish("stop"),
            finish("tool_calls"),
            json!({"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 4}}),
            json!({"choices": [{"index": 0, "delta": {"content": "!"}, "finish_reason": "length"}]}),
            json!({"error": {"message": "boom"}}),
        ];
        let chunks: Vec<Value> = picks.iter().map(|&i| palette[i].clone()).collect();
        let events = decode_all(&stream(&chunks), ToolNames::default());
        assert_well_formed(&events);
    }
}
