//! Decoding Anthropic streams: a recorded Claude Code turn, decoded the same however the
//! network cut its bytes, and no input that makes the decoder panic or break canonical order.

use proptest::prelude::*;

use super::Decoder;
use crate::canonical::{StreamDecoder, StreamEvent, ToolNames};
use crate::usage::Usage;

/// An Anthropic stream as recorded from a Claude Code turn: thinking, text and two tool calls,
/// with cache reads, pings, and tool arguments in several pieces (the first one empty).
pub(super) const RECORDED_STREAM: &str = concat!(
    "event: message_start\n",
    r#"data: {"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":300,"cache_read_input_tokens":12000,"cache_creation":{"ephemeral_5m_input_tokens":300,"ephemeral_1h_input_tokens":0},"output_tokens":4,"service_tier":"standard"}}}"#,
    "\n\n",
    "event: content_block_start\n",
    r#"data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#,
    "\n\n",
    "event: ping\n",
    r#"data: {"type": "ping"}"#,
    "\n\n",
    "event: content_block_delta\n",
    r#"data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"The user wants the Rust files. "}}"#,
    "\n\n",
    "event: content_block_delta\n",
    r#"data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"I'll glob and read Cargo.toml — both at once."}}"#,
    "\n\n",
    "event: content_block_delta\n",
    r#"data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxDYmN5CkZBQGhEkS8iMNvQnB2Dg3t4QxAuJ+gBGjCzhAk="}}"#,
    "\n\n",
    "event: content_block_stop\n",
    r#"data: {"type":"content_block_stop","index":0}"#,
    "\n\n",
    "event: content_block_start\n",
    r#"data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#,
    "\n\n",
    "event: content_block_delta\n",
    r#"data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"I'll look at the "}}"#,
    "\n\n",
    "event: content_block_delta\n",
    r#"data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"project layout first."}}"#,
    "\n\n",
    "event: content_block_stop\n",
    r#"data: {"type":"content_block_stop","index":1}"#,
    "\n\n",
    "event: content_block_start\n",
    r#"data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"Glob","input":{}}}"#,
    "\n\n",
    "event: content_block_delta\n",
    r#"data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}"#,
    "\n\n",
    "event: content_block_delta\n",
    r#"data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"pattern\": \"**/*"}}"#,
    "\n\n",
    "event: content_block_delta\n",
    r#"data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":".rs\"}"}}"#,
    "\n\n",
    "event: content_block_stop\n",
    r#"data: {"type":"content_block_stop","index":2}"#,
    "\n\n",
    "event: content_block_start\n",
    r#"data: {"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"toolu_01B7rJ2nD9pXcTq4Hh3Lw8Zs","name":"mcp__filesystem__read_text_file","input":{}}}"#,
    "\n\n",
    "event: content_block_delta\n",
    r#"data: {"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"{\"path\": \"Cargo.toml\"}"}}"#,
    "\n\n",
    "event: content_block_stop\n",
    r#"data: {"type":"content_block_stop","index":3}"#,
    "\n\n",
    "event: message_delta\n",
    r#"data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":472,"cache_creation_input_tokens":300,"cache_read_input_tokens":12000,"output_tokens":211}}"#,
    "\n\n",
    "event: message_stop\n",
    r#"data: {"type":"message_stop"}"#,
    "\n\n",
);

/// A minimal SSE reader like the gateway's: bytes accumulate, events end at a blank line.
#[derive(Default)]
pub(super) struct SseSplitter {
    buffer: Vec<u8>,
}

impl SseSplitter {
    pub(super) fn push(&mut self, bytes: &[u8]) -> Vec<(Option<String>, String)> {
        self.buffer.extend_from_slice(bytes);
        let mut events = Vec::new();
        while let Some(end) = self.buffer.windows(2).position(|w| w == b"\n\n") {
            let raw: Vec<u8> = self.buffer.drain(..end + 2).collect();
            let text = String::from_utf8_lossy(&raw);
            let (mut name, mut data) = (None, Vec::new());
            for line in text.lines() {
                if let Some(value) = line.strip_prefix("event:") {
                    name = Some(value.trim().to_owned());
                } else if let Some(value) = line.strip_prefix("data:") {
                    data.push(value.strip_prefix(' ').unwrap_or(value).to_owned());
                }
            }
            if name.is_some() || !data.is_empty() {
                events.push((name, data.join("\n")));
            }
        }
        events
    }
}

/// Decodes `stream` delivered in pieces cut at `cuts` (byte offsets).
pub(super) fn decode_in_pieces(stream: &str, cuts: &[usize]) -> Vec<StreamEvent> {
    let bytes = stream.as_bytes();
    let mut splitter = SseSplitter::default();
    let mut decoder = Decoder::new(ToolNames::default());
    let mut out = Vec::new();
    let mut from = 0;
    for &cut in cuts.iter().chain(std::iter::once(&bytes.len())) {
        let cut = cut.clamp(from, bytes.len());
        for (name, data) in splitter.push(&bytes[from..cut]) {
            out.extend(decoder.decode(name.as_deref(), &data));
        }
        from = cut;
    }
    out.extend(decoder.finish());
    out
}

#[test]
fn the_recorded_stream_decodes_into_contiguous_canonical_blocks() {
    let out = decode_in_pieces(RECORDED_STREAM, &[]);
    let kinds: Vec<String> = out
        .iter()
        .map(|e| {
            serde_json::to_value(e).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "start",
            "thinking_start",
            "thinking_delta",
            "thinking_delta",
            "thinking_signature",
            "block_stop",
            "text_start",
            "text_delta",
            "text_delta",
            "block_stop",
            "tool_call_start",
            "tool_call_delta",
            "tool_call_delta",
            "block_stop",
            "tool_call_start",
            "tool_call_delta",
            "block_stop",
            "finish",
            "usage"
        ]
    );
    assert_eq!(
        out[0],
        StreamEvent::Start {
            id: "msg_01XFDUDYJgAACzvnptvVoYEL".into(),
            model: "claude-sonnet-4-5-20250929".into(),
            usage: Usage {
                input_tokens: 12772,
                cached_input_tokens: 12000,
                cache_write_tokens: 300,
                output_tokens: 4,
                reasoning_tokens: 0
            }
        },
        "input includes cache reads and writes (translation rule 1)"
    );
}

proptest! {
    #[test]
    fn the_recorded_stream_decodes_identically_however_the_bytes_are_cut(
        mut cuts in proptest::collection::vec(0usize..RECORDED_STREAM.len(), 0..30),
    ) {
        cuts.sort_unstable();
        let whole = decode_in_pieces(RECORDED_STREAM, &[]);
        prop_assert_eq!(decode_in_pieces(RECORDED_STREAM, &cuts), whole);
    }

    #[test]
    fn the_decoder_survives_any_input_and_keeps_canonical_order(
        events in proptest::collection::vec(
            (0usize..8, 0usize..4, "[a-z\"{}]{0,5}"), 0..30),
        junk in "\\PC{0,40}",
    ) {
        let templates = [
            r#"{"type":"message_start","message":{"id":"m","model":"x","usage":{"input_tokens":3}}}"#,
            r#"{"type":"content_block_start","index":IDX,"content_block":{"type":"text","text":""}}"#,
            r#"{"type":"content_block_start","index":IDX,"content_block":{"type":"tool_use","id":"t","name":"n","input":{}}}"#,
            r#"{"type":"content_block_delta","index":IDX,"delta":{"type":"text_delta","text":"TXT"}}"#,
            r#"{"type":"content_block_delta","index":IDX,"delta":{"type":"input_json_delta","partial_json":"TXT"}}"#,
            r#"{"type":"content_block_stop","index":IDX}"#,
            r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}"#,
            r#"{"type":"message_stop"}"#,
        ];
        let mut decoder = Decoder::new(ToolNames::default());
        let mut out = decoder.decode(Some("junk"), &junk);
        for (template, index, text) in events {
            let data = templates[template]
                .replace("IDX", &index.to_string())
                .replace("TXT", &text.replace('"', "\\\""));
            out.extend(decoder.decode(None, &data));
        }
        out.extend(decoder.finish());
        let mut open = Vec::new();
        let mut seen = Vec::new();
        for event in &out {
            let value = serde_json::to_value(event).unwrap();
            let index = value["index"].as_u64();
            match value["type"].as_str().unwrap() {
                "text_start" | "tool_call_start" | "thinking_start" => {
                    let index = index.unwrap();
                    prop_assert!(!seen.contains(&index), "index reused: {:?}", out);
                    prop_assert_eq!(index, seen.len() as u64, "indexes contiguous: {:?}", out);
                    seen.push(index);
                    open.push(index);
                }
                "text_delta" | "tool_call_delta" | "thinking_delta" => {
                    prop_assert!(open.contains(&index.unwrap()), "delta without start: {:?}", out);
                }
                "block_stop" => {
                    prop_assert!(open.contains(&index.unwrap()), "stop without start: {:?}", out);
                    open.retain(|i| Some(*i) != index);
                }
                _ => {}
            }
        }
    }
}
