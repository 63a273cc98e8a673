//! Canonical stream events as a Responses event stream.
//!
//! The stream opens with `response.created` and `response.in_progress`. Each canonical block
//! becomes one output item, announced by `response.output_item.added` and closed by
//! `response.output_item.done` carrying the complete item, with the item kind's own events in
//! between (content part and text deltas for a message, summary part and summary deltas for
//! reasoning, argument deltas for a function call). It ends with exactly one of
//! `response.completed`, `response.incomplete` (output cut short) or `response.failed`, and
//! nothing after: Codex treats a stream that ends any other way as broken, and reads its token
//! counts from the final response object. Every event carries a `sequence_number`, counting
//! from 0.
//!
//! Two kinds of call are buffered rather than streamed: a `custom` tool's raw input is the
//! `input` member of the JSON the provider streams, so it is sent whole (one delta) when the
//! call ends; and a `local_shell_call` has no delta events at all, so its item is announced
//! when complete.

use std::collections::BTreeMap;

use super::error::failure_code;
use super::response::{
    COMPLETED, CallKind, IN_PROGRESS, call_item, custom_input, failure, final_status, message_item,
    reasoning_item, response_object,
};
use super::wire::{
    EventEnvelope, OutputItem, OutputText, ResponseEvent, ResponseUsage, SummaryText,
};
use super::{ResponsesContext, Sealed, response_id};
use crate::canonical::{ApiError, SseEvent, StopReason, StreamEncoder, StreamEvent};
use crate::usage::Usage;

/// Encodes one response's canonical events. One encoder per request.
#[derive(Debug)]
pub struct Encoder {
    id: String,
    model: String,
    ctx: ResponsesContext,
    sequence: u64,
    started: bool,
    ended: bool,
    next_output_index: usize,
    /// Blocks not yet closed, by canonical block index.
    open: BTreeMap<usize, Block>,
    /// Finished output items with their output index.
    done: Vec<(usize, OutputItem)>,
    usage: Usage,
    stop_reason: Option<StopReason>,
}

#[derive(Debug)]
struct Block {
    /// `None` until the item is announced (a `local_shell_call` is announced when complete).
    output_index: Option<usize>,
    item_id: String,
    state: BlockState,
}

#[derive(Debug)]
enum BlockState {
    Text {
        text: String,
    },
    Reasoning {
        text: String,
        part_open: bool,
        sealed: Option<Sealed>,
    },
    Call {
        call_id: String,
        name: String,
        arguments: String,
        kind: CallKind,
    },
}

impl Encoder {
    /// `id` becomes the response id (prefixed `resp_` if it is not already); an empty `id` or
    /// `model` is taken from the canonical `Start` event instead.
    pub fn new(id: &str, model: &str, ctx: ResponsesContext) -> Self {
        Encoder {
            id: if id.is_empty() {
                String::new()
            } else {
                response_id(id)
            },
            model: model.to_owned(),
            ctx,
            sequence: 0,
            started: false,
            ended: false,
            next_output_index: 0,
            open: BTreeMap::new(),
            done: Vec::new(),
            usage: Usage::default(),
            stop_reason: None,
        }
    }

    fn push(&mut self, out: &mut Vec<SseEvent>, event: ResponseEvent) {
        let name = event.name();
        let envelope = EventEnvelope {
            event,
            sequence_number: self.sequence,
        };
        self.sequence += 1;
        if let Ok(data) = serde_json::to_string(&envelope) {
            out.push(SseEvent::named(name, data));
        }
    }

    fn start(&mut self, out: &mut Vec<SseEvent>) {
        if self.started {
            return;
        }
        self.started = true;
        if self.id.is_empty() {
            self.id = response_id("switchyard");
        }
        let response = Box::new(response_object(&self.id, &self.model, &self.ctx));
        self.push(
            out,
            ResponseEvent::Created {
                response: response.clone(),
            },
        );
        self.push(out, ResponseEvent::InProgress { response });
    }

    fn allocate(&mut self) -> usize {
        let index = self.next_output_index;
        self.next_output_index += 1;
        index
    }

    fn announce(&mut self, out: &mut Vec<SseEvent>, output_index: usize, item: OutputItem) {
        self.push(out, ResponseEvent::OutputItemAdded { output_index, item });
    }

    fn complete(&mut self, out: &mut Vec<SseEvent>, output_index: usize, item: OutputItem) {
        self.push(
            out,
            ResponseEvent::OutputItemDone {
                output_index,
                item: item.clone(),
            },
        );
        self.done.push((output_index, item));
    }

    /// Whether a block of this kind is already open at `index`. A block of another kind there
    /// is closed first: a provider reusing an index must not lose either block.
    fn already_open(
        &mut self,
        index: usize,
        is_kind: fn(&BlockState) -> bool,
        out: &mut Vec<SseEvent>,
    ) -> bool {
        match self.open.get(&index) {
            Some(block) if is_kind(&block.state) => true,
            Some(_) => {
                self.close(index, out);
                false
            }
            None => false,
        }
    }

    fn open_text(&mut self, index: usize, out: &mut Vec<SseEvent>) {
        if self.already_open(index, |s| matches!(s, BlockState::Text { .. }), out) {
            return;
        }
        let output_index = self.allocate();
        let item = message_item(&self.id, output_index, "", IN_PROGRESS);
        let item_id = item.id().to_owned();
        self.announce(out, output_index, item);
        self.push(
            out,
            ResponseEvent::ContentPartAdded {
                item_id: item_id.clone(),
                output_index,
                content_index: 0,
                part: OutputText::new(""),
            },
        );
        self.open.insert(
            index,
            Block {
                output_index: Some(output_index),
                item_id,
                state: BlockState::Text {
                    text: String::new(),
                },
            },
        );
    }

    fn text_delta(&mut self, index: usize, delta: &str, out: &mut Vec<SseEvent>) {
        // A delta without its start still reaches the client, in an item of its own.
        if !self.open.contains_key(&index) {
            self.open_text(index, out);
        }
        let Some(Block {
            output_index: Some(output_index),
            item_id,
            state: BlockState::Text { text },
        }) = self.open.get_mut(&index)
        else {
            return;
        };
        text.push_str(delta);
        let event = ResponseEvent::OutputTextDelta {
            item_id: item_id.clone(),
            output_index: *output_index,
            content_index: 0,
            delta: delta.to_owned(),
            logprobs: Vec::new(),
        };
        self.push(out, event);
    }

    fn open_reasoning(&mut self, index: usize, out: &mut Vec<SseEvent>) {
        if self.already_open(index, |s| matches!(s, BlockState::Reasoning { .. }), out) {
            return;
        }
        let output_index = self.allocate();
        let item = reasoning_item(&self.id, output_index, "", None);
        let item_id = item.id().to_owned();
        self.announce(out, output_index, item);
        self.open.insert(
            index,
            Block {
                output_index: Some(output_index),
                item_id,
                state: BlockState::Reasoning {
                    text: String::new(),
                    part_open: false,
                    sealed: None,
                },
            },
        );
    }

    fn thinking_delta(&mut self, index: usize, delta: &str, out: &mut Vec<SseEvent>) {
        if !self.open.contains_key(&index) {
            self.open_reasoning(index, out);
        }
        let Some(Block {
            output_index: Some(output_index),
            item_id,
            state: BlockState::Reasoning {
                text, part_open, ..
            },
        }) = self.open.get_mut(&index)
        else {
            return;
        };
        text.push_str(delta);
        let (item_id, output_index) = (item_id.clone(), *output_index);
        let first = !std::mem::replace(part_open, true);
        if first {
            let event = ResponseEvent::ReasoningSummaryPartAdded {
                item_id: item_id.clone(),
                output_index,
                summary_index: 0,
                part: SummaryText::new(""),
            };
            self.push(out, event);
        }
        let event = ResponseEvent::ReasoningSummaryTextDelta {
            item_id,
            output_index,
            summary_index: 0,
            delta: delta.to_owned(),
        };
        self.push(out, event);
    }

    fn seal(&mut self, index: usize, value: Sealed, out: &mut Vec<SseEvent>) {
        if matches!(value, Sealed::Redacted(_)) && !self.open.contains_key(&index) {
            self.open_reasoning(index, out);
        }
        if let Some(Block {
            state: BlockState::Reasoning { sealed, .. },
            ..
        }) = self.open.get_mut(&index)
        {
            *sealed = Some(value);
        }
    }

    fn open_call(
        &mut self,
        index: usize,
        id: &str,
        name: &str,
        thought_signature: Option<&String>,
        out: &mut Vec<SseEvent>,
    ) {
        if self.already_open(index, |s| matches!(s, BlockState::Call { .. }), out) {
            return;
        }
        if let Some(signature) = thought_signature {
            let output_index = self.allocate();
            let sealed = Sealed::ThoughtSignature(signature.clone());
            let item = reasoning_item(&self.id, output_index, "", Some(&sealed));
            self.announce(out, output_index, item.clone());
            self.complete(out, output_index, item);
        }
        let kind = CallKind::of(name, &self.ctx);
        let call_id = if id.is_empty() {
            format!("call_{index}")
        } else {
            id.to_owned()
        };
        let (output_index, item_id) = if kind == CallKind::LocalShell {
            (None, String::new())
        } else {
            let output_index = self.allocate();
            let item = call_item(
                &self.id,
                output_index,
                &call_id,
                name,
                "",
                &self.ctx,
                IN_PROGRESS,
            );
            let item_id = item.id().to_owned();
            self.announce(out, output_index, item);
            (Some(output_index), item_id)
        };
        self.open.insert(
            index,
            Block {
                output_index,
                item_id,
                state: BlockState::Call {
                    call_id,
                    name: name.to_owned(),
                    arguments: String::new(),
                    kind,
                },
            },
        );
    }

    fn call_delta(&mut self, index: usize, delta: &str, out: &mut Vec<SseEvent>) {
        // A fragment without its start has no call to belong to and is dropped.
        let Some(Block {
            output_index,
            item_id,
            state: BlockState::Call {
                arguments, kind, ..
            },
        }) = self.open.get_mut(&index)
        else {
            return;
        };
        arguments.push_str(delta);
        if let (CallKind::Function, Some(output_index)) = (*kind, *output_index) {
            let event = ResponseEvent::FunctionCallArgumentsDelta {
                item_id: item_id.clone(),
                output_index,
                delta: delta.to_owned(),
            };
            self.push(out, event);
        }
    }

    fn close(&mut self, index: usize, out: &mut Vec<SseEvent>) {
        let Some(block) = self.open.remove(&index) else {
            return;
        };
        let item_id = block.item_id;
        let output_index = match block.output_index {
            Some(output_index) => output_index,
            None => self.allocate(),
        };
        match block.state {
            BlockState::Text { text } => {
                let events = [
                    ResponseEvent::OutputTextDone {
                        item_id: item_id.clone(),
                        output_index,
                        content_index: 0,
                        text: text.clone(),
                        logprobs: Vec::new(),
                    },
                    ResponseEvent::ContentPartDone {
                        item_id,
                        output_index,
                        content_index: 0,
                        part: OutputText::new(&text),
                    },
                ];
                events.into_iter().for_each(|event| self.push(out, event));
                let item = message_item(&self.id, output_index, &text, COMPLETED);
                self.complete(out, output_index, item);
            }
            BlockState::Reasoning {
                text,
                part_open,
                sealed,
            } => {
                if part_open {
                    let events = [
                        ResponseEvent::ReasoningSummaryTextDone {
                            item_id: item_id.clone(),
                            output_index,
                            summary_index: 0,
                            text: text.clone(),
                        },
                        ResponseEvent::ReasoningSummaryPartDone {
                            item_id,
                            output_index,
                            summary_index: 0,
                            part: SummaryText::new(&text),
                        },
                    ];
                    events.into_iter().for_each(|event| self.push(out, event));
                }
                let item = reasoning_item(&self.id, output_index, &text, sealed.as_ref());
                self.complete(out, output_index, item);
            }
            BlockState::Call {
                call_id,
                name,
                mut arguments,
                kind,
            } => {
                match kind {
                    CallKind::Function => {
                        if arguments.trim().is_empty() {
                            // Clients concatenate deltas: the `{}` must be one of them.
                            arguments.push_str("{}");
                            let delta = ResponseEvent::FunctionCallArgumentsDelta {
                                item_id: item_id.clone(),
                                output_index,
                                delta: "{}".to_owned(),
                            };
                            self.push(out, delta);
                        }
                        let done = ResponseEvent::FunctionCallArgumentsDone {
                            item_id,
                            output_index,
                            name: name.clone(),
                            arguments: arguments.clone(),
                        };
                        self.push(out, done);
                    }
                    CallKind::Custom => {
                        let input = custom_input(&arguments);
                        if !input.is_empty() {
                            let delta = ResponseEvent::CustomToolCallInputDelta {
                                item_id: item_id.clone(),
                                output_index,
                                delta: input.clone(),
                            };
                            self.push(out, delta);
                        }
                        let done = ResponseEvent::CustomToolCallInputDone {
                            item_id,
                            output_index,
                            input,
                        };
                        self.push(out, done);
                    }
                    CallKind::LocalShell => {
                        let item = call_item(
                            &self.id,
                            output_index,
                            &call_id,
                            &name,
                            &arguments,
                            &self.ctx,
                            IN_PROGRESS,
                        );
                        self.announce(out, output_index, item);
                    }
                }
                let item = call_item(
                    &self.id,
                    output_index,
                    &call_id,
                    &name,
                    &arguments,
                    &self.ctx,
                    COMPLETED,
                );
                self.complete(out, output_index, item);
            }
        }
    }

    fn close_all(&mut self, out: &mut Vec<SseEvent>) {
        let indexes: Vec<usize> = self.open.keys().copied().collect();
        for index in indexes {
            self.close(index, out);
        }
    }

    fn output(&self) -> Vec<OutputItem> {
        let mut done = self.done.clone();
        done.sort_by_key(|(output_index, _)| *output_index);
        done.into_iter().map(|(_, item)| item).collect()
    }

    fn fail(&mut self, error: &ApiError, out: &mut Vec<SseEvent>) {
        let mut response = response_object(&self.id, &self.model, &self.ctx);
        response.status = "failed".to_owned();
        response.error = Some(failure(failure_code(error), &error.message));
        response.output = self.output();
        if self.usage != Usage::default() {
            response.usage = Some(ResponseUsage::from(&self.usage));
        }
        self.push(
            out,
            ResponseEvent::Failed {
                response: Box::new(response),
            },
        );
        self.ended = true;
    }
}

impl StreamEncoder for Encoder {
    fn encode(&mut self, event: &StreamEvent) -> Vec<SseEvent> {
        let mut out = Vec::new();
        if self.ended {
            return out;
        }
        if let StreamEvent::Start { id, model, .. } = event {
            if !self.started && self.id.is_empty() && !id.is_empty() {
                self.id = response_id(id);
            }
            if !self.started && self.model.is_empty() {
                self.model.clone_from(model);
            }
        }
        self.start(&mut out);
        match event {
            StreamEvent::Start { usage, .. } | StreamEvent::Usage { usage } => {
                self.usage.merge(usage);
            }
            StreamEvent::TextStart { index } => self.open_text(*index, &mut out),
            StreamEvent::TextDelta { index, text } => self.text_delta(*index, text, &mut out),
            StreamEvent::ThinkingStart { index } => self.open_reasoning(*index, &mut out),
            StreamEvent::ThinkingDelta { index, text } => {
                self.thinking_delta(*index, text, &mut out);
            }
            StreamEvent::ThinkingSignature { index, signature } => {
                self.seal(*index, Sealed::Signature(signature.clone()), &mut out);
            }
            StreamEvent::RedactedThinking { index, data } => {
                self.seal(*index, Sealed::Redacted(data.clone()), &mut out);
            }
            StreamEvent::ToolCallStart {
                index,
                id,
                name,
                thought_signature,
            } => self.open_call(*index, id, name, thought_signature.as_ref(), &mut out),
            StreamEvent::ToolCallDelta { index, arguments } => {
                self.call_delta(*index, arguments, &mut out);
            }
            StreamEvent::BlockStop { index } => self.close(*index, &mut out),
            StreamEvent::Finish { stop_reason } => {
                self.stop_reason = Some(*stop_reason);
                self.close_all(&mut out);
            }
            StreamEvent::Error { error } => self.fail(error, &mut out),
        }
        out
    }

    fn finish(&mut self) -> Vec<SseEvent> {
        let mut out = Vec::new();
        if self.ended {
            return out;
        }
        self.start(&mut out);
        self.close_all(&mut out);
        let (status, incomplete_details) = final_status(self.stop_reason);
        let mut response = response_object(&self.id, &self.model, &self.ctx);
        response.status = status.to_owned();
        response.incomplete_details = incomplete_details;
        response.output = self.output();
        response.usage = Some(ResponseUsage::from(&self.usage));
        let response = Box::new(response);
        let event = if status == COMPLETED {
            ResponseEvent::Completed { response }
        } else {
            ResponseEvent::Incomplete { response }
        };
        self.push(&mut out, event);
        self.ended = true;
        out
    }
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
