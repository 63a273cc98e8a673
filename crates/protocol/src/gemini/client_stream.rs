//! Client side: canonical stream events written as Gemini's stream (`streamGenerateContent`).
//!
//! Each SSE `data:` is one whole `GenerateContentResponse` chunk holding the next part; Gemini
//! names no events. Without `alt=sse` the same chunks go out as one JSON array (`[`, the chunks
//! joined by `,`, `]`), which is the gateway's framing to choose; the chunks are the same.
//!
//! - **Text and thinking** go out as they come, one part per chunk: `{text}` and
//!   `{text, thought: true}`. One part per chunk also matters to Gemini CLI, which ignores
//!   every part of a chunk that holds an empty non-thought text.
//! - **Signatures.** A thinking block's signature arrives at its end and goes out as an empty
//!   thought part carrying it, which the request decoder joins to the thought pieces before
//!   it, so the block is replayed whole. A block that is only a signature (one Gemini put on a
//!   text part) goes out the way Gemini sends it: an empty text part with `thoughtSignature`.
//! - **Function calls.** Gemini sends a call whole, in one part. A call's start and argument
//!   fragments are held, by block index (providers may interleave several calls), until its
//!   block stops or the answer finishes, then go out as one `functionCall` part with the
//!   call's thought signature. Arguments that are empty become `{}`, and text that is not a
//!   JSON object becomes `{"value": text}`.
//! - **The last chunk** has empty parts, the `finishReason` and the `usageMetadata`. Usage
//!   may arrive after the finish reason (OpenAI sends it in a later chunk), so both wait for
//!   [`StreamEncoder::finish`]. A stream without content still ends with that chunk: Gemini
//!   CLI retries a stream that has no finish reason.
//! - **An error** ends the stream: Google's error body (`{"error": {…}}`, as
//!   [`super::encode_client_error`] writes it) is the last data event, held calls are
//!   discarded, and nothing follows.

use std::collections::HashSet;

use super::client_response::{arguments_from_text, call_part, chunk, text_part, thought_part};
use super::error::encode_client_error;
use super::wire::Part;
use crate::canonical::{SseEvent, StopReason, StreamEncoder, StreamEvent};
use crate::usage::Usage;

/// Encodes one answer as a Gemini stream. One per request: stream state is never shared.
#[derive(Debug)]
pub struct ClientEncoder {
    response_id: String,
    model: String,
    usage: Usage,
    stop_reason: Option<StopReason>,
    /// Calls whose arguments are still streaming, in the order they started.
    calls: Vec<HeldCall>,
    /// Thinking blocks, by index, that have streamed text.
    thoughts: HashSet<usize>,
    done: bool,
}

#[derive(Debug)]
struct HeldCall {
    index: usize,
    name: String,
    signature: Option<String>,
    arguments: String,
}

impl ClientEncoder {
    /// `response_id` and `model` are what every chunk's `responseId` and `modelVersion` say.
    pub fn new(response_id: &str, model: &str) -> Self {
        ClientEncoder {
            response_id: response_id.to_owned(),
            model: model.to_owned(),
            usage: Usage::default(),
            stop_reason: None,
            calls: Vec::new(),
            thoughts: HashSet::new(),
            done: false,
        }
    }

    fn part(&self, part: Part) -> SseEvent {
        let chunk = chunk(&self.response_id, &self.model, vec![part], None, None);
        SseEvent::data(chunk.to_string())
    }

    fn call(&self, call: HeldCall) -> SseEvent {
        let args = arguments_from_text(&call.arguments);
        self.part(call_part(&call.name, args, call.signature.as_deref()))
    }

    fn flush_calls(&mut self, out: &mut Vec<SseEvent>) {
        for call in std::mem::take(&mut self.calls) {
            out.push(self.call(call));
        }
    }
}

impl StreamEncoder for ClientEncoder {
    fn encode(&mut self, event: &StreamEvent) -> Vec<SseEvent> {
        let mut out = Vec::new();
        if self.done {
            return out;
        }
        match event {
            StreamEvent::Start { usage, .. } | StreamEvent::Usage { usage } => {
                self.usage.merge(usage);
            }
            StreamEvent::TextDelta { text, .. } if !text.is_empty() => {
                out.push(self.part(text_part(text)));
            }
            StreamEvent::ThinkingDelta { index, text } if !text.is_empty() => {
                self.thoughts.insert(*index);
                out.push(self.part(thought_part(text, None)));
            }
            StreamEvent::ThinkingSignature { index, signature } => {
                let part = if self.thoughts.contains(index) {
                    thought_part("", Some(signature))
                } else {
                    Part {
                        thought_signature: Some(signature.clone()),
                        ..text_part("")
                    }
                };
                out.push(self.part(part));
            }
            StreamEvent::ToolCallStart {
                index,
                name,
                thought_signature,
                ..
            } => self.calls.push(HeldCall {
                index: *index,
                name: name.clone(),
                signature: thought_signature.clone(),
                arguments: String::new(),
            }),
            StreamEvent::ToolCallDelta { index, arguments } => {
                // A fragment without its start has no call to belong to and is dropped.
                if let Some(call) = self.calls.iter_mut().find(|c| c.index == *index) {
                    call.arguments.push_str(arguments);
                }
            }
            StreamEvent::BlockStop { index } => {
                if let Some(position) = self.calls.iter().position(|c| c.index == *index) {
                    let call = self.calls.remove(position);
                    out.push(self.call(call));
                }
            }
            StreamEvent::Finish { stop_reason } => {
                self.stop_reason = Some(*stop_reason);
                self.flush_calls(&mut out);
            }
            StreamEvent::Error { error } => {
                self.done = true;
                self.calls.clear();
                out.push(SseEvent::data(encode_client_error(error).1.to_string()));
            }
            StreamEvent::TextStart { .. }
            | StreamEvent::TextDelta { .. }
            | StreamEvent::ThinkingStart { .. }
            | StreamEvent::ThinkingDelta { .. }
            // Anthropic's encrypted reasoning has no Gemini form.
            | StreamEvent::RedactedThinking { .. } => {}
        }
        out
    }

    fn finish(&mut self) -> Vec<SseEvent> {
        let mut out = Vec::new();
        if self.done {
            return out;
        }
        self.done = true;
        self.flush_calls(&mut out);
        let stop_reason = self.stop_reason.unwrap_or(StopReason::EndTurn);
        let last = chunk(
            &self.response_id,
            &self.model,
            Vec::new(),
            Some(stop_reason),
            Some(&self.usage),
        );
        out.push(SseEvent::data(last.to_string()));
        out
    }
}

#[cfg(test)]
#[path = "client_stream_tests.rs"]
mod tests;
