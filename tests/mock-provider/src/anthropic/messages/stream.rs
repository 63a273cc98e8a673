//! The streamed form of a message: named SSE events, in the order the
//! streaming docs give.
//!
//! `message_start` (the message with empty content; usage with the final
//! input and cache numbers and `output_tokens: 1`), then per block
//! `content_block_start` → deltas → `content_block_stop` (`text_delta`;
//! `input_json_delta` with an empty first fragment then the input in three;
//! `thinking_delta` then one `signature_delta`), then `message_delta`
//! (stop reason, stop sequence, cumulative `output_tokens`) and
//! `message_stop`. A `ping` follows the first `content_block_start`, as in
//! the docs' example. Scripted mid-stream failures keep the first four events
//! (through the first delta), then cut the connection or send an `error`
//! event with an `overloaded_error`.

use axum::response::Response;
use serde::Serialize;

use super::{ContentBlock, MessageBody, Planned, Reply};
use crate::anthropic::usage::Usage;
use crate::anthropic::{ApiError, Begun};
use crate::script::Script;
use crate::sse::{self, Event};

/// Events a scripted mid-stream failure lets through.
const EVENTS_BEFORE_FAILURE: usize = 4;

/// One stream event; its `type` is also the SSE event name.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StreamEvent<'a> {
    MessageStart {
        message: MessageBody<'a>,
    },
    ContentBlockStart {
        index: usize,
        content_block: ContentBlock,
    },
    Ping,
    ContentBlockDelta {
        index: usize,
        delta: Delta,
    },
    ContentBlockStop {
        index: usize,
    },
    MessageDelta {
        delta: MessageDelta,
        usage: DeltaUsage,
    },
    MessageStop,
}

/// A content block delta; the wire `type` is the variant name plus `_delta`.
#[derive(Debug, Serialize)]
#[serde(tag = "type")]
enum Delta {
    #[serde(rename = "text_delta")]
    Text { text: String },
    #[serde(rename = "input_json_delta")]
    InputJson { partial_json: String },
    #[serde(rename = "thinking_delta")]
    Thinking { thinking: String },
    #[serde(rename = "signature_delta")]
    Signature { signature: String },
}

#[derive(Debug, Serialize)]
struct MessageDelta {
    stop_reason: &'static str,
    stop_sequence: Option<String>,
}

#[derive(Debug, Serialize)]
struct DeltaUsage {
    output_tokens: u64,
}

impl StreamEvent<'_> {
    fn name(&self) -> &'static str {
        match self {
            StreamEvent::MessageStart { .. } => "message_start",
            StreamEvent::ContentBlockStart { .. } => "content_block_start",
            StreamEvent::Ping => "ping",
            StreamEvent::ContentBlockDelta { .. } => "content_block_delta",
            StreamEvent::ContentBlockStop { .. } => "content_block_stop",
            StreamEvent::MessageDelta { .. } => "message_delta",
            StreamEvent::MessageStop => "message_stop",
        }
    }

    fn frame(&self) -> Event {
        Event::named(self.name(), self)
    }
}

/// The deltas that fill `block`.
fn deltas(block: &Planned) -> Vec<Delta> {
    match block {
        Planned::Thinking { pieces, signature } => pieces
            .iter()
            .map(|p| Delta::Thinking {
                thinking: p.clone(),
            })
            .chain([Delta::Signature {
                signature: signature.clone(),
            }])
            .collect(),
        Planned::Text { pieces } => pieces
            .iter()
            .map(|p| Delta::Text { text: p.clone() })
            .collect(),
        // The API opens every input with an empty fragment.
        Planned::ToolUse { fragments, .. } => std::iter::once(String::new())
            .chain(fragments.iter().cloned())
            .map(|partial_json| Delta::InputJson { partial_json })
            .collect(),
    }
}

/// The SSE response for `reply`.
pub(super) fn respond(begun: &Begun, id: &str, reply: &Reply, usage: Usage) -> Response {
    let mut events = vec![
        StreamEvent::MessageStart {
            message: MessageBody::started(id, &begun.model, usage),
        }
        .frame(),
    ];
    for (index, block) in reply.blocks.iter().enumerate() {
        events.push(
            StreamEvent::ContentBlockStart {
                index,
                content_block: ContentBlock::opening(block),
            }
            .frame(),
        );
        if index == 0 {
            events.push(StreamEvent::Ping.frame());
        }
        events.extend(
            deltas(block)
                .into_iter()
                .map(|delta| StreamEvent::ContentBlockDelta { index, delta }.frame()),
        );
        events.push(StreamEvent::ContentBlockStop { index }.frame());
    }
    if reply.blocks.is_empty() {
        events.push(StreamEvent::Ping.frame());
    }
    events.push(
        StreamEvent::MessageDelta {
            delta: MessageDelta {
                stop_reason: reply.stop_reason,
                stop_sequence: reply.stop_sequence.clone(),
            },
            usage: DeltaUsage {
                output_tokens: usage.output_tokens,
            },
        }
        .frame(),
    );
    events.push(StreamEvent::MessageStop.frame());
    sse::response(cut(begun.script, events), begun.knobs.interval)
}

/// Applies a scripted mid-stream failure.
fn cut(script: Script, mut events: Vec<Event>) -> Vec<Event> {
    if script.cuts_stream() {
        events.truncate(EVENTS_BEFORE_FAILURE);
        if script == Script::MidstreamReset {
            events.push(Event::Reset);
        } else {
            events.push(Event::named("error", &ApiError::overloaded().body()));
        }
    }
    events
}
