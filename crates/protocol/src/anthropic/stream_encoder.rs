//! Client side: canonical stream events written as an Anthropic Messages stream.
//!
//! Claude Code checks the event order strictly (docs/clients.md, Claude Code): `message_start`
//! first, with non-zero input usage; then per block `content_block_start` → deltas →
//! `content_block_stop`, one block at a time, numbered 0, 1, 2, … in order; then one
//! `message_delta` with the stop reason and usage; then `message_stop`. A delta for a block
//! that was never started fails with "Content block not found".
//!
//! This encoder produces that order from any canonical sequence:
//! - Blocks are numbered by the encoder itself, in the order they are written. A text or
//!   thinking block is written with its first content: one that stays empty is not written at
//!   all (Claude Code would replay it, and Anthropic rejects empty text blocks).
//! - Only one block is open at a time. Events for another block that arrive while one is open
//!   (a provider streaming two tool calls interleaved) are queued and replayed, in order, once
//!   the open block stops, so nothing is dropped and nothing interleaves.
//! - A text or thinking delta without its start opens the block; a tool call delta without its
//!   start has no id or name to open one with and is dropped, as is anything for a block that
//!   already stopped.
//! - A tool call that streamed no arguments gets an `input_json_delta` of `{}`: the anthropic
//!   SDK starts from the `input: {}` of the block start, but clients that build the input from
//!   the deltas alone would parse an empty string.
//! - `message_delta` waits for the final usage (translation rule 2): an OpenAI provider sends its
//!   usage in a chunk after the one with the finish reason. It is written when usage arrives
//!   after `Finish`, or at [`StreamEncoder::finish`].
//! - An OpenAI provider reports no input usage until the end, so `message_start` carries the
//!   estimate given to [`Encoder::new`]; the real numbers follow in `message_delta`.
//! - A canonical `Error` becomes an `error` event and ends the stream.

use serde_json::json;

use super::error::event_body;
use super::response::message_id;
use super::wire::{
    BlockDelta, MessageDeltaBody, MessageResponse, ResponseBlock, WireStreamEvent, WireUsage,
};
use super::{id_with_signature, stop_reason_to_wire};
use crate::canonical::{SseEvent, StopReason, StreamEncoder, StreamEvent};
use crate::usage::Usage;

/// Encodes one answer as an Anthropic stream. One per request (translation rule 3).
#[derive(Debug)]
pub struct Encoder {
    id: String,
    model: String,
    estimated_input_tokens: u64,
    usage: Usage,
    started: bool,
    current: Option<OpenBlock>,
    /// Events of blocks waiting for the open one to stop, by canonical index, in arrival order.
    queued: Vec<(usize, Vec<StreamEvent>)>,
    /// Canonical indexes whose block has been written and stopped.
    closed: Vec<usize>,
    next_index: usize,
    any_tool_use: bool,
    stop_reason: Option<StopReason>,
    done: bool,
}

#[derive(Debug)]
struct OpenBlock {
    canonical: usize,
    /// The Anthropic index, once `content_block_start` is written. Text and thinking blocks
    /// start with their first content, so that an empty one is never written: Claude Code
    /// replays it, and Anthropic rejects empty text blocks.
    index: Option<usize>,
    start: ResponseBlock,
    kind: Kind,
    has_arguments: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Thinking,
    ToolUse,
}

impl Encoder {
    /// `id` and `model` are what the client sees; `estimated_input_tokens` stands in for the
    /// input usage in `message_start` when the provider reports none up front.
    pub fn new(id: &str, model: &str, estimated_input_tokens: u64) -> Self {
        Encoder {
            id: message_id(id),
            model: model.to_owned(),
            estimated_input_tokens,
            usage: Usage::default(),
            started: false,
            current: None,
            queued: Vec::new(),
            closed: Vec::new(),
            next_index: 0,
            any_tool_use: false,
            stop_reason: None,
            done: false,
        }
    }

    fn emit(out: &mut Vec<SseEvent>, event: &WireStreamEvent) {
        let data = serde_json::to_string(event).unwrap_or_default();
        out.push(SseEvent::named(event.name(), data));
    }

    /// Usage as written to the client: the estimate until the provider reports input.
    fn wire_usage(&self) -> WireUsage {
        let mut wire = WireUsage::from_canonical(&self.usage);
        if self.usage.input_tokens == 0 {
            wire.input_tokens = Some(self.estimated_input_tokens.max(1));
        }
        wire
    }

    fn ensure_started(&mut self, out: &mut Vec<SseEvent>) {
        if self.started {
            return;
        }
        self.started = true;
        let message = MessageResponse {
            id: self.id.clone(),
            kind: "message".to_owned(),
            role: "assistant".to_owned(),
            model: self.model.clone(),
            content: Vec::new(),
            stop_reason: None,
            stop_sequence: None,
            usage: self.wire_usage(),
        };
        Self::emit(out, &WireStreamEvent::MessageStart { message });
    }

    fn open(
        &mut self,
        canonical: usize,
        kind: Kind,
        start: ResponseBlock,
        out: &mut Vec<SseEvent>,
    ) {
        self.current = Some(OpenBlock {
            canonical,
            index: None,
            start,
            kind,
            has_arguments: false,
        });
        if kind == Kind::ToolUse {
            self.write_start(out);
        }
    }

    /// Writes the open block's `content_block_start` if not yet written; its index.
    fn write_start(&mut self, out: &mut Vec<SseEvent>) -> Option<usize> {
        let block = self.current.as_mut()?;
        if let Some(index) = block.index {
            return Some(index);
        }
        let index = self.next_index;
        self.next_index += 1;
        block.index = Some(index);
        let content_block = block.start.clone();
        Self::emit(
            out,
            &WireStreamEvent::ContentBlockStart {
                index,
                content_block,
            },
        );
        Some(index)
    }

    fn close_current(&mut self, out: &mut Vec<SseEvent>) {
        let Some(block) = self.current.take() else {
            return;
        };
        self.closed.push(block.canonical);
        let Some(index) = block.index else {
            return;
        };
        if block.kind == Kind::ToolUse && !block.has_arguments {
            Self::emit(
                out,
                &WireStreamEvent::ContentBlockDelta {
                    index,
                    delta: BlockDelta::InputJsonDelta {
                        partial_json: "{}".to_owned(),
                    },
                },
            );
        }
        Self::emit(out, &WireStreamEvent::ContentBlockStop { index });
    }

    fn delta(&mut self, delta: BlockDelta, out: &mut Vec<SseEvent>) {
        let Some(index) = self.write_start(out) else {
            return;
        };
        if let (Some(block), BlockDelta::InputJsonDelta { partial_json }) =
            (self.current.as_mut(), &delta)
        {
            block.has_arguments |= !partial_json.is_empty();
        }
        Self::emit(out, &WireStreamEvent::ContentBlockDelta { index, delta });
    }

    /// One block event, with one block open at a time (see the module docs).
    fn route(&mut self, event: StreamEvent, out: &mut Vec<SseEvent>) {
        let Some(c) = block_index(&event) else {
            return;
        };
        if self.closed.contains(&c) {
            return;
        }
        match &self.current {
            Some(open) if open.canonical != c => {
                match self.queued.iter_mut().find(|(i, _)| *i == c) {
                    Some((_, events)) => events.push(event),
                    None => self.queued.push((c, vec![event])),
                }
                return;
            }
            None => {
                match &event {
                    StreamEvent::TextStart { .. } | StreamEvent::TextDelta { .. } => {
                        let block = ResponseBlock::Text {
                            text: String::new(),
                        };
                        self.open(c, Kind::Text, block, out);
                    }
                    StreamEvent::ThinkingStart { .. }
                    | StreamEvent::ThinkingDelta { .. }
                    | StreamEvent::ThinkingSignature { .. } => {
                        let block = ResponseBlock::Thinking {
                            thinking: String::new(),
                            signature: String::new(),
                        };
                        self.open(c, Kind::Thinking, block, out);
                    }
                    StreamEvent::ToolCallStart {
                        id,
                        name,
                        thought_signature,
                        ..
                    } => {
                        self.any_tool_use = true;
                        let block = ResponseBlock::ToolUse {
                            id: id_with_signature(id, thought_signature.as_deref()),
                            name: name.clone(),
                            input: json!({}),
                        };
                        self.open(c, Kind::ToolUse, block, out);
                    }
                    // Opaque and complete in one event: written as a whole block at once.
                    StreamEvent::RedactedThinking { data, .. } => {
                        let index = self.next_index;
                        self.next_index += 1;
                        let block = ResponseBlock::RedactedThinking { data: data.clone() };
                        Self::emit(
                            out,
                            &WireStreamEvent::ContentBlockStart {
                                index,
                                content_block: block,
                            },
                        );
                        Self::emit(out, &WireStreamEvent::ContentBlockStop { index });
                        self.closed.push(c);
                        return;
                    }
                    // A tool call delta without its start, or a stop of a block never seen.
                    _ => return,
                }
            }
            Some(_) => {}
        }
        let Some(kind) = self.current.as_ref().map(|b| b.kind) else {
            return;
        };
        match event {
            StreamEvent::TextDelta { text, .. } | StreamEvent::ThinkingDelta { text, .. } => {
                if text.is_empty() {
                    return;
                }
                match kind {
                    Kind::Text => self.delta(BlockDelta::TextDelta { text }, out),
                    Kind::Thinking => self.delta(BlockDelta::ThinkingDelta { thinking: text }, out),
                    Kind::ToolUse => {}
                }
            }
            StreamEvent::ToolCallDelta { arguments, .. }
                if kind == Kind::ToolUse && !arguments.is_empty() =>
            {
                self.delta(
                    BlockDelta::InputJsonDelta {
                        partial_json: arguments,
                    },
                    out,
                );
            }
            StreamEvent::ThinkingSignature { signature, .. }
                if kind == Kind::Thinking && !signature.is_empty() =>
            {
                self.delta(BlockDelta::SignatureDelta { signature }, out);
            }
            StreamEvent::BlockStop { .. } => self.close_current(out),
            _ => {}
        }
    }

    /// Replays queued blocks while no block is open.
    fn drain(&mut self, out: &mut Vec<SseEvent>) {
        while self.current.is_none() && !self.queued.is_empty() {
            let (_, events) = self.queued.remove(0);
            for event in events {
                self.route(event, out);
            }
        }
    }

    /// Writes and stops every block still open or queued: the content is complete.
    fn flush_blocks(&mut self, out: &mut Vec<SseEvent>) {
        loop {
            self.close_current(out);
            if self.queued.is_empty() {
                return;
            }
            self.drain(out);
        }
    }

    fn end(&mut self, out: &mut Vec<SseEvent>) {
        self.ensure_started(out);
        self.flush_blocks(out);
        let mut reason = self.stop_reason.unwrap_or(StopReason::EndTurn);
        // Some OpenAI-compatible providers say `stop` after tool calls; Anthropic clients run
        // tools on `tool_use`.
        if reason == StopReason::EndTurn && self.any_tool_use {
            reason = StopReason::ToolUse;
        }
        Self::emit(
            out,
            &WireStreamEvent::MessageDelta {
                delta: MessageDeltaBody {
                    stop_reason: Some(stop_reason_to_wire(reason).to_owned()),
                    stop_sequence: None,
                },
                usage: Some(self.wire_usage()),
            },
        );
        Self::emit(out, &WireStreamEvent::MessageStop);
        self.done = true;
    }
}

impl StreamEncoder for Encoder {
    fn encode(&mut self, event: &StreamEvent) -> Vec<SseEvent> {
        let mut out = Vec::new();
        if self.done {
            return out;
        }
        match event {
            StreamEvent::Start { usage, .. } => {
                self.usage.merge(usage);
                self.ensure_started(&mut out);
            }
            StreamEvent::Usage { usage } => {
                self.usage.merge(usage);
                if self.stop_reason.is_some() {
                    self.end(&mut out);
                }
            }
            // Blocks stay open until the end: a provider chunk that carries both the last
            // content and the finish reason may be decoded as Finish first (translation rule 2).
            StreamEvent::Finish { stop_reason } => {
                self.ensure_started(&mut out);
                self.stop_reason.get_or_insert(*stop_reason);
            }
            StreamEvent::Error { error } => {
                out.push(SseEvent::named("error", event_body(error).to_string()));
                self.done = true;
            }
            block_event => {
                self.ensure_started(&mut out);
                self.route(block_event.clone(), &mut out);
                self.drain(&mut out);
            }
        }
        out
    }

    fn finish(&mut self) -> Vec<SseEvent> {
        let mut out = Vec::new();
        if !self.done {
            self.end(&mut out);
        }
        out
    }
}

fn block_index(event: &StreamEvent) -> Option<usize> {
    match event {
        StreamEvent::TextStart { index }
        | StreamEvent::TextDelta { index, .. }
        | StreamEvent::ThinkingStart { index }
        | StreamEvent::ThinkingDelta { index, .. }
        | StreamEvent::ThinkingSignature { index, .. }
        | StreamEvent::RedactedThinking { index, .. }
        | StreamEvent::ToolCallStart { index, .. }
        | StreamEvent::ToolCallDelta { index, .. }
        | StreamEvent::BlockStop { index } => Some(*index),
        StreamEvent::Start { .. }
        | StreamEvent::Usage { .. }
        | StreamEvent::Finish { .. }
        | StreamEvent::Error { .. } => None,
    }
}
