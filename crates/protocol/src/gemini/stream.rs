//! `streamGenerateContent?alt=sse` → canonical stream events.
//!
//! Every SSE `data:` is a complete `GenerateContentResponse` holding the next few parts, so
//! the decoder turns parts into blocks: consecutive text parts extend one text block,
//! consecutive thought parts one thinking block, and each `functionCall` (Gemini sends calls
//! whole, never in pieces) is a block of its own: start, one delta with all the arguments,
//! stop. A block is closed when the next part is of another kind, before `Finish`, and at the
//! end of the stream.
//!
//! Signatures: a thought part's signature becomes the thinking block's `ThinkingSignature`,
//! sent when the block closes; a second signed thought starts a new block so neither is
//! lost. A signature on a text part (Gemini signs the last part of an answer, often an empty
//! text part in the last chunk) becomes an empty thinking block right after the text, the
//! streamed twin of what [`super::decode_response`] does. Image parts are not streamed.
//!
//! `usageMetadata` comes on several chunks, cumulative, with unknown fields absent: the
//! decoder merges them and sends a complete [`StreamEvent::Usage`] whenever the totals
//! change. The first chunk's usage rides on `Start` (Anthropic clients want input tokens in
//! `message_start`). An `error` object in a data event, or an event that is not JSON, ends
//! the stream with [`StreamEvent::Error`].

use super::error::error_from_status;
use super::response::{call_arguments, call_id, fallback_id, stop_reason, usage};
use super::wire::{GenerateContentResponse, Part, UsageMetadata};
use crate::canonical::{ApiError, ErrorKind, StopReason, StreamDecoder, StreamEvent, ToolNames};
use crate::usage::Usage;

/// Decodes one Gemini stream. One per request.
#[derive(Debug)]
pub struct Decoder {
    names: ToolNames,
    started: bool,
    /// `Finish` was sent: later parts are ignored, later usage still counts.
    finished: bool,
    /// An error was sent, or the stream was finished: nothing more is emitted.
    done: bool,
    next_index: usize,
    open: Option<Open>,
    calls: usize,
    usage: UsageMetadata,
    reported: Usage,
}

#[derive(Debug)]
struct Open {
    index: usize,
    kind: OpenKind,
}

#[derive(Debug, PartialEq)]
enum OpenKind {
    Text,
    /// A thinking block, with the signature to send when it closes.
    Thinking(Option<String>),
}

impl Decoder {
    pub fn new(names: ToolNames) -> Self {
        Decoder {
            names,
            started: false,
            finished: false,
            done: false,
            next_index: 0,
            open: None,
            calls: 0,
            usage: UsageMetadata::default(),
            reported: Usage::default(),
        }
    }

    fn chunk(&mut self, data: &str, value: serde_json::Value, out: &mut Vec<StreamEvent>) {
        if let Some(error) = value.get("error") {
            let error = serde_json::from_value(error.clone()).unwrap_or_default();
            self.fail(error_from_status(None, &error), out);
            return;
        }
        let chunk: GenerateContentResponse = match serde_json::from_value(value) {
            Ok(chunk) => chunk,
            Err(e) => {
                self.fail(unreadable(&format!("unexpected stream event: {e}")), out);
                return;
            }
        };
        if let Some(metadata) = &chunk.usage_metadata {
            self.usage.merge(metadata);
        }
        if !self.started {
            self.started = true;
            self.reported = usage(&self.usage);
            out.push(StreamEvent::Start {
                id: chunk
                    .response_id
                    .clone()
                    .unwrap_or_else(|| fallback_id(data.as_bytes())),
                model: chunk.model_version.clone().unwrap_or_default(),
                usage: self.reported,
            });
        }

        let candidate = chunk.candidates.first();
        if !self.finished {
            let parts = candidate.and_then(|c| c.content.as_ref()).map(|c| &c.parts);
            for part in parts.into_iter().flatten() {
                self.part(part, out);
            }
        }
        self.report_usage(out);

        let finish = match candidate {
            Some(candidate) => candidate
                .finish_reason
                .as_deref()
                .map(|reason| stop_reason(Some(reason), self.calls > 0)),
            None => chunk
                .prompt_feedback
                .as_ref()
                .and_then(|f| f.block_reason.as_ref())
                .map(|_| StopReason::ContentFilter),
        };
        if let (Some(stop_reason), false) = (finish, self.finished) {
            self.close(out);
            self.finished = true;
            out.push(StreamEvent::Finish { stop_reason });
        }
    }

    fn part(&mut self, part: &Part, out: &mut Vec<StreamEvent>) {
        let signature = part.thought_signature.clone();
        if let Some(call) = &part.function_call {
            self.close(out);
            let index = self.take_index();
            out.push(StreamEvent::ToolCallStart {
                index,
                id: call_id(call.id.as_deref(), self.calls),
                name: self.names.restore(&call.name),
                thought_signature: signature,
            });
            out.push(StreamEvent::ToolCallDelta {
                index,
                arguments: call_arguments(call.args.as_ref()).to_string(),
            });
            out.push(StreamEvent::BlockStop { index });
            self.calls += 1;
            return;
        }
        let text = part.text.as_deref().unwrap_or_default();
        if part.thought {
            if text.is_empty() && signature.is_none() {
                return;
            }
            let reuse = matches!(
                &self.open,
                Some(Open {
                    kind: OpenKind::Thinking(None),
                    ..
                })
            );
            if !reuse {
                self.close(out);
                let index = self.take_index();
                out.push(StreamEvent::ThinkingStart { index });
                self.open = Some(Open {
                    index,
                    kind: OpenKind::Thinking(None),
                });
            }
            if let Some(open) = &mut self.open {
                if !text.is_empty() {
                    out.push(StreamEvent::ThinkingDelta {
                        index: open.index,
                        text: text.to_owned(),
                    });
                }
                if signature.is_some() {
                    open.kind = OpenKind::Thinking(signature);
                }
            }
            return;
        }
        if part.text.is_none() {
            // Images, executable code and other parts have no canonical stream form.
            return;
        }
        if !text.is_empty() {
            if !matches!(
                &self.open,
                Some(Open {
                    kind: OpenKind::Text,
                    ..
                })
            ) {
                self.close(out);
                let index = self.take_index();
                out.push(StreamEvent::TextStart { index });
                self.open = Some(Open {
                    index,
                    kind: OpenKind::Text,
                });
            }
            if let Some(open) = &self.open {
                out.push(StreamEvent::TextDelta {
                    index: open.index,
                    text: text.to_owned(),
                });
            }
        }
        if let Some(signature) = signature {
            self.close(out);
            let index = self.take_index();
            out.push(StreamEvent::ThinkingStart { index });
            out.push(StreamEvent::ThinkingSignature { index, signature });
            out.push(StreamEvent::BlockStop { index });
        }
    }

    fn take_index(&mut self) -> usize {
        let index = self.next_index;
        self.next_index += 1;
        index
    }

    fn close(&mut self, out: &mut Vec<StreamEvent>) {
        if let Some(open) = self.open.take() {
            if let OpenKind::Thinking(Some(signature)) = open.kind {
                out.push(StreamEvent::ThinkingSignature {
                    index: open.index,
                    signature,
                });
            }
            out.push(StreamEvent::BlockStop { index: open.index });
        }
    }

    fn report_usage(&mut self, out: &mut Vec<StreamEvent>) {
        let current = usage(&self.usage);
        if current != self.reported {
            self.reported = current;
            out.push(StreamEvent::Usage { usage: current });
        }
    }

    fn fail(&mut self, error: ApiError, out: &mut Vec<StreamEvent>) {
        self.done = true;
        out.push(StreamEvent::Error { error });
    }
}

impl StreamDecoder for Decoder {
    fn decode(&mut self, _event: Option<&str>, data: &str) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        let data = data.trim();
        if self.done || data.is_empty() {
            return out;
        }
        match serde_json::from_str::<serde_json::Value>(data) {
            // Without `alt=sse` Gemini streams one JSON array; accept its elements too.
            Ok(serde_json::Value::Array(chunks)) => {
                for chunk in chunks {
                    if !self.done {
                        self.chunk(data, chunk, &mut out);
                    }
                }
            }
            Ok(chunk) => self.chunk(data, chunk, &mut out),
            Err(e) => self.fail(
                unreadable(&format!("stream event is not JSON: {e}")),
                &mut out,
            ),
        }
        out
    }

    fn finish(&mut self) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        if self.done {
            return out;
        }
        if !self.started {
            self.fail(unreadable("stream ended before any answer"), &mut out);
            return out;
        }
        self.close(&mut out);
        if !self.finished {
            self.finished = true;
            let stop_reason = if self.calls > 0 {
                StopReason::ToolUse
            } else {
                StopReason::EndTurn
            };
            out.push(StreamEvent::Finish { stop_reason });
        }
        self.done = true;
        out
    }
}

fn unreadable(message: &str) -> ApiError {
    ApiError {
        status: 502,
        kind: ErrorKind::ServerError,
        message: format!("Gemini: {message}"),
        code: None,
    }
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
