//! A provider's `chat.completion.chunk` events → canonical stream events.
//!
//! OpenAI's stream has no block boundaries: text, reasoning and tool call fragments simply
//! arrive in deltas. The canonical stream needs them (Anthropic clients fail on a delta without
//! its block start), so the decoder opens a block lazily at the first fragment of a new kind
//! or a new tool call, and closes the open one when another begins or the answer finishes.
//! Canonical block indexes count every block; OpenAI's tool call `index` only keys the calls
//! (translation rule 4).
//!
//! Providers differ in the details, and each variant is accepted: `reasoning` for
//! `reasoning_content`; content and `finish_reason` in one chunk (translation rule 2); usage on
//! the last content chunk, on every chunk, or alone with `choices: []`; tool calls without ids
//! (translation rule 6), without `index`, or with the name in a later fragment; `stop` as the
//! finish reason of a tool-calling answer.
//!
//! Tool calls are streamed one after the other by every provider seen; a fragment for a call
//! that was already closed cannot be placed in the canonical stream and is dropped.

use serde_json::Value;

use super::error::decode_stream_error;
use super::wire::WireUsage;
use super::{DONE, generated_call_id, stop_reason, thought_signature_of};
use crate::canonical::{ApiError, ErrorKind, StopReason, StreamDecoder, StreamEvent, ToolNames};
use crate::usage::Usage;

/// One provider stream's decoder.
#[derive(Debug)]
pub struct Decoder {
    names: ToolNames,
    started: bool,
    /// Canonical blocks opened so far (the next block's index).
    blocks: usize,
    open: Option<Block>,
    /// OpenAI index and wire id of each tool call already closed.
    closed_calls: Vec<(u64, Option<String>)>,
    /// Tool calls seen so far (for generated ids and for a `stop` that means tool use).
    calls: usize,
    finished: bool,
    /// After `[DONE]` or an error nothing more is decoded.
    ended: bool,
}

#[derive(Debug)]
enum Block {
    Text(usize),
    Thinking(usize),
    Tool(ToolBlock),
}

/// A tool call being streamed. Its `ToolCallStart` waits until the name is known; argument
/// fragments that arrive before are held.
#[derive(Debug)]
struct ToolBlock {
    key: u64,
    position: usize,
    id: Option<String>,
    name: String,
    thought_signature: Option<String>,
    /// The canonical index, once `ToolCallStart` went out.
    index: Option<usize>,
    held: String,
    /// Whether any argument text went out (otherwise `{}` is sent at the end).
    sent_arguments: bool,
}

impl Decoder {
    /// A decoder restoring the tool names `names` shortened in the request.
    pub fn new(names: ToolNames) -> Self {
        Decoder {
            names,
            started: false,
            blocks: 0,
            open: None,
            closed_calls: Vec::new(),
            calls: 0,
            finished: false,
            ended: false,
        }
    }

    fn next_index(&mut self) -> usize {
        self.blocks += 1;
        self.blocks - 1
    }

    /// Closes the open block: a tool call without its start gets one now, one without
    /// arguments gets `{}` (translation rule 6).
    fn close(&mut self, out: &mut Vec<StreamEvent>) {
        let Some(block) = self.open.take() else {
            return;
        };
        let index = match block {
            Block::Text(index) | Block::Thinking(index) => index,
            Block::Tool(mut tool) => {
                let index = self.start_tool(&mut tool, out);
                if !tool.sent_arguments {
                    out.push(StreamEvent::ToolCallDelta {
                        index,
                        arguments: "{}".into(),
                    });
                }
                self.closed_calls.push((tool.key, tool.id.clone()));
                index
            }
        };
        out.push(StreamEvent::BlockStop { index });
    }

    /// Sends the tool call's start if it has not gone out yet, then any held arguments.
    fn start_tool(&mut self, tool: &mut ToolBlock, out: &mut Vec<StreamEvent>) -> usize {
        if let Some(index) = tool.index {
            return index;
        }
        let index = self.next_index();
        tool.index = Some(index);
        out.push(StreamEvent::ToolCallStart {
            index,
            id: tool
                .id
                .clone()
                .unwrap_or_else(|| generated_call_id(tool.position)),
            name: self.names.restore(&tool.name),
            thought_signature: tool.thought_signature.clone(),
        });
        if !tool.held.is_empty() {
            tool.sent_arguments = true;
            out.push(StreamEvent::ToolCallDelta {
                index,
                arguments: std::mem::take(&mut tool.held),
            });
        }
        index
    }

    fn text(&mut self, text: &str, thinking: bool, out: &mut Vec<StreamEvent>) {
        if text.is_empty() {
            return;
        }
        let index = match self.open {
            Some(Block::Text(index)) if !thinking => index,
            Some(Block::Thinking(index)) if thinking => index,
            _ => {
                self.close(out);
                let index = self.next_index();
                if thinking {
                    self.open = Some(Block::Thinking(index));
                    out.push(StreamEvent::ThinkingStart { index });
                } else {
                    self.open = Some(Block::Text(index));
                    out.push(StreamEvent::TextStart { index });
                }
                index
            }
        };
        let text = text.to_owned();
        out.push(if thinking {
            StreamEvent::ThinkingDelta { index, text }
        } else {
            StreamEvent::TextDelta { index, text }
        });
    }

    fn tool_call(&mut self, call: &Value, out: &mut Vec<StreamEvent>) {
        let id = call
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty());
        let named = call
            .get("function")
            .and_then(|f| f.get("name"))
            .and_then(Value::as_str)
            .is_some_and(|name| !name.is_empty());
        let open = match &self.open {
            Some(Block::Tool(tool)) => Some((tool.key, tool.id.clone())),
            _ => None,
        };
        let key = match call.get("index").and_then(Value::as_u64) {
            Some(key) => key,
            // Servers that leave out `index` send the calls one after the other: a fragment
            // without an id, or with the open call's id, continues the open call.
            None => match &open {
                Some((key, open_id)) if id.is_none() || id == open_id.as_deref() => *key,
                _ => self.calls as u64,
            },
        };
        // The wire id of the latest call with this key, if there was one.
        let previous = match &open {
            Some((open_key, open_id)) if *open_key == key => Some(open_id.clone()),
            _ => self
                .closed_calls
                .iter()
                .rev()
                .find(|(closed, _)| *closed == key)
                .map(|(_, id)| id.clone()),
        };
        let starts_call = match previous {
            None => true,
            // Some servers number every call 0: a named fragment with another id is the next.
            Some(previous) => {
                named && id.is_some() && previous.is_some() && id != previous.as_deref()
            }
        };
        if starts_call {
            self.close(out);
            self.open = Some(Block::Tool(ToolBlock {
                key,
                position: self.calls,
                id: None,
                name: String::new(),
                thought_signature: None,
                index: None,
                held: String::new(),
                sent_arguments: false,
            }));
            self.calls += 1;
        } else if open.as_ref().map(|(open_key, _)| *open_key) != Some(key) {
            // A fragment for a call already closed: the canonical stream has no place for it.
            return;
        }
        let Some(Block::Tool(mut tool)) = self.open.take() else {
            return;
        };
        let function = call.get("function");
        if tool.index.is_none() {
            if let Some(id) = id {
                tool.id = Some(id.to_owned());
            }
            if let Some(name) = function.and_then(|f| f.get("name")).and_then(Value::as_str) {
                tool.name.push_str(name);
            }
            if let Some(signature) = thought_signature_of(call) {
                tool.thought_signature = Some(signature);
            }
        }
        let arguments = match function.and_then(|f| f.get("arguments")) {
            Some(Value::String(text)) => text.clone(),
            None | Some(Value::Null) => String::new(),
            // Some servers send the arguments as an object.
            Some(other) => other.to_string(),
        };
        if tool.index.is_none() {
            tool.held.push_str(&arguments);
            if !tool.name.is_empty() {
                self.start_tool(&mut tool, out);
            }
        } else if let Some(index) = tool.index.filter(|_| !arguments.is_empty()) {
            tool.sent_arguments = true;
            out.push(StreamEvent::ToolCallDelta { index, arguments });
        }
        self.open = Some(Block::Tool(tool));
    }

    fn choice(&mut self, choice: &Value, out: &mut Vec<StreamEvent>) {
        if let Some(delta) = choice.get("delta").filter(|d| d.is_object()) {
            // Some servers send the same text under both names; `reasoning_content` wins.
            let reasoning = ["reasoning_content", "reasoning"]
                .into_iter()
                .find_map(|field| delta.get(field).and_then(Value::as_str));
            if let Some(text) = reasoning {
                self.text(text, true, out);
            }
            if let Some(text) = delta.get("content").and_then(Value::as_str) {
                self.text(text, false, out);
            }
            if let Some(text) = delta.get("refusal").and_then(Value::as_str) {
                self.text(text, false, out);
            }
            if let Some(calls) = delta.get("tool_calls").and_then(Value::as_array) {
                for call in calls {
                    self.tool_call(call, out);
                }
            }
        }
    }

    fn finish_with(&mut self, reason: Option<&str>, out: &mut Vec<StreamEvent>) {
        self.close(out);
        if !self.finished {
            self.finished = true;
            let stop_reason = match reason {
                Some(reason) => stop_reason(reason, self.calls > 0),
                None if self.calls > 0 => StopReason::ToolUse,
                None => StopReason::EndTurn,
            };
            out.push(StreamEvent::Finish { stop_reason });
        }
    }

    fn start(&mut self, chunk: &Value, out: &mut Vec<StreamEvent>) {
        if self.started {
            return;
        }
        self.started = true;
        let field = |name: &str| {
            chunk
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        out.push(StreamEvent::Start {
            id: field("id"),
            model: field("model"),
            usage: Usage::default(),
        });
    }
}

impl StreamDecoder for Decoder {
    fn decode(&mut self, _event: Option<&str>, data: &str) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        if self.ended {
            return out;
        }
        let data = data.trim();
        if data == DONE {
            return self.finish();
        }
        // Keep-alive comments and garbage carry nothing.
        let Ok(chunk) = serde_json::from_str::<Value>(data) else {
            return out;
        };
        if chunk.get("error").is_some_and(|e| !e.is_null()) {
            self.ended = true;
            out.push(StreamEvent::Error {
                error: decode_stream_error(&chunk),
            });
            return out;
        }
        self.start(&chunk, &mut out);
        let choice = chunk
            .get("choices")
            .and_then(Value::as_array)
            .and_then(|c| {
                c.iter()
                    .find(|c| c.get("index").and_then(Value::as_u64).unwrap_or(0) == 0)
            });
        let mut finish = None;
        if let (Some(choice), false) = (choice, self.finished) {
            self.choice(choice, &mut out);
            finish = choice.get("finish_reason").and_then(Value::as_str);
        }
        // Usage goes before a Finish in the same chunk: encoders that hold their last event
        // for the final usage can then send it at once.
        if let Some(usage) = chunk
            .get("usage")
            .filter(|u| u.is_object())
            .and_then(|u| serde_json::from_value::<WireUsage>(u.clone()).ok())
        {
            if let Some(reason) = finish {
                self.close(&mut out);
                out.push(StreamEvent::Usage {
                    usage: Usage::from(&usage),
                });
                self.finish_with(Some(reason), &mut out);
                return out;
            }
            out.push(StreamEvent::Usage {
                usage: Usage::from(&usage),
            });
        }
        if let Some(reason) = finish {
            self.finish_with(Some(reason), &mut out);
        }
        out
    }

    fn finish(&mut self) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        if self.ended {
            return out;
        }
        self.ended = true;
        if self.started {
            self.finish_with(None, &mut out);
        } else {
            // A 200 with an empty stream is a provider failure, not an empty answer.
            out.push(StreamEvent::Error {
                error: ApiError {
                    status: 502,
                    kind: ErrorKind::ServerError,
                    message: "The provider's stream ended before any answer.".into(),
                    code: Some("empty_stream".into()),
                },
            });
        }
        out
    }
}

#[cfg(test)]
pub(super) mod tests;
