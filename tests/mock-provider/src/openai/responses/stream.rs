//! The streamed form of a response: named SSE events, each with its `type`
//! and a `sequence_number` counting from 0, in the documented order.
//!
//! `response.created` and `response.in_progress` (the response in progress,
//! no output, no usage); then per output item `response.output_item.added`
//! (the item in progress and empty), its parts and deltas, and
//! `response.output_item.done` (the finished item):
//! - reasoning: per summary part `response.reasoning_summary_part.added`,
//!   `response.reasoning_summary_text.delta`…, `….done`,
//!   `response.reasoning_summary_part.done`;
//! - message: `response.content_part.added`, `response.output_text.delta`…,
//!   `response.output_text.done`, `response.content_part.done`;
//! - function call: `response.function_call_arguments.delta`…, `….done`;
//! - custom tool call: `response.custom_tool_call_input.delta`…, `….done`.
//!
//! Last comes `response.completed` (or `response.incomplete`) with the whole
//! response and its usage. There is no `[DONE]`. Deltas carry OpenAI's
//! `obfuscation` padding unless `stream_options.include_obfuscation` is
//! false. Scripted mid-stream failures keep the first four events, then cut
//! the connection or send `response.failed` with a `server_error`.

use axum::response::Response;
use serde::Serialize;
use serde_json::Value;

use super::object::{Draft, OutputItem, OutputText, ResponseError, SummaryText};
use super::plan::{Planned, Reply};
use crate::ids::{self, fnv1a64};
use crate::script::{Knobs, Script};
use crate::sse::{self, Event};

/// Events a scripted mid-stream failure lets through.
const EVENTS_BEFORE_FAILURE: usize = 4;
/// Deltas and their obfuscation are padded to this many characters.
const PADDED_LENGTH: usize = 16;

/// An event's fields besides `type` and `sequence_number`.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Body<'a> {
    Response {
        response: &'a Value,
    },
    Item {
        output_index: usize,
        item: OutputItem,
    },
    ContentPart {
        item_id: &'a str,
        output_index: usize,
        content_index: usize,
        part: OutputText,
    },
    TextDelta {
        item_id: &'a str,
        output_index: usize,
        content_index: usize,
        delta: &'a str,
        logprobs: Vec<Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        obfuscation: Option<String>,
    },
    TextDone {
        item_id: &'a str,
        output_index: usize,
        content_index: usize,
        text: String,
        logprobs: Vec<Value>,
    },
    SummaryPart {
        item_id: &'a str,
        output_index: usize,
        summary_index: usize,
        part: SummaryText,
    },
    SummaryDelta {
        item_id: &'a str,
        output_index: usize,
        summary_index: usize,
        delta: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        obfuscation: Option<String>,
    },
    SummaryDone {
        item_id: &'a str,
        output_index: usize,
        summary_index: usize,
        text: String,
    },
    /// Function call arguments and custom tool input deltas.
    CallDelta {
        item_id: &'a str,
        output_index: usize,
        delta: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        obfuscation: Option<String>,
    },
    ArgumentsDone {
        item_id: &'a str,
        output_index: usize,
        arguments: String,
    },
    InputDone {
        item_id: &'a str,
        output_index: usize,
        input: String,
    },
}

/// One event on the wire.
#[derive(Debug, Serialize)]
struct Frame<'e, 'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    sequence_number: usize,
    #[serde(flatten)]
    body: &'e Body<'a>,
}

/// Collects the events of one stream.
struct Events<'a> {
    list: Vec<(&'static str, Body<'a>)>,
    obfuscate: bool,
}

impl<'a> Events<'a> {
    fn push(&mut self, kind: &'static str, body: Body<'a>) {
        self.list.push((kind, body));
    }

    /// Padding that hides the delta's length, unless turned off.
    fn obfuscation(&self, delta: &str) -> Option<String> {
        self.obfuscate.then(|| {
            let seed = fnv1a64(delta.as_bytes()) ^ self.list.len() as u64;
            ids::alnum(seed, PADDED_LENGTH.saturating_sub(delta.len()).max(1))
        })
    }

    /// The events of the item at `output_index`, from added to done.
    fn item(&mut self, output_index: usize, planned: &'a Planned) {
        self.push(
            "response.output_item.added",
            Body::Item {
                output_index,
                item: OutputItem::added(planned),
            },
        );
        let item_id = planned.id();
        match planned {
            Planned::Reasoning { summary, .. } => {
                for (summary_index, pieces) in summary.iter().enumerate() {
                    self.summary(item_id, output_index, summary_index, pieces);
                }
            }
            Planned::Message { pieces, .. } => self.message(item_id, output_index, pieces),
            Planned::FunctionCall { fragments, .. } | Planned::CustomToolCall { fragments, .. } => {
                let function = matches!(planned, Planned::FunctionCall { .. });
                let delta_kind = if function {
                    "response.function_call_arguments.delta"
                } else {
                    "response.custom_tool_call_input.delta"
                };
                for fragment in fragments {
                    let obfuscation = self.obfuscation(fragment);
                    self.push(
                        delta_kind,
                        Body::CallDelta {
                            item_id,
                            output_index,
                            delta: fragment,
                            obfuscation,
                        },
                    );
                }
                if function {
                    self.push(
                        "response.function_call_arguments.done",
                        Body::ArgumentsDone {
                            item_id,
                            output_index,
                            arguments: fragments.concat(),
                        },
                    );
                } else {
                    self.push(
                        "response.custom_tool_call_input.done",
                        Body::InputDone {
                            item_id,
                            output_index,
                            input: fragments.concat(),
                        },
                    );
                }
            }
        }
        self.push(
            "response.output_item.done",
            Body::Item {
                output_index,
                item: OutputItem::done(planned),
            },
        );
    }

    fn summary(
        &mut self,
        item_id: &'a str,
        output_index: usize,
        summary_index: usize,
        pieces: &'a [String],
    ) {
        self.push(
            "response.reasoning_summary_part.added",
            Body::SummaryPart {
                item_id,
                output_index,
                summary_index,
                part: SummaryText::new(String::new()),
            },
        );
        for piece in pieces {
            let obfuscation = self.obfuscation(piece);
            self.push(
                "response.reasoning_summary_text.delta",
                Body::SummaryDelta {
                    item_id,
                    output_index,
                    summary_index,
                    delta: piece,
                    obfuscation,
                },
            );
        }
        self.push(
            "response.reasoning_summary_text.done",
            Body::SummaryDone {
                item_id,
                output_index,
                summary_index,
                text: pieces.concat(),
            },
        );
        self.push(
            "response.reasoning_summary_part.done",
            Body::SummaryPart {
                item_id,
                output_index,
                summary_index,
                part: SummaryText::new(pieces.concat()),
            },
        );
    }

    fn message(&mut self, item_id: &'a str, output_index: usize, pieces: &'a [String]) {
        let content_index = 0;
        self.push(
            "response.content_part.added",
            Body::ContentPart {
                item_id,
                output_index,
                content_index,
                part: OutputText::new(String::new()),
            },
        );
        for piece in pieces {
            let obfuscation = self.obfuscation(piece);
            self.push(
                "response.output_text.delta",
                Body::TextDelta {
                    item_id,
                    output_index,
                    content_index,
                    delta: piece,
                    logprobs: Vec::new(),
                    obfuscation,
                },
            );
        }
        self.push(
            "response.output_text.done",
            Body::TextDone {
                item_id,
                output_index,
                content_index,
                text: pieces.concat(),
                logprobs: Vec::new(),
            },
        );
        self.push(
            "response.content_part.done",
            Body::ContentPart {
                item_id,
                output_index,
                content_index,
                part: OutputText::new(pieces.concat()),
            },
        );
    }

    /// The SSE frames, numbered from 0.
    fn frames(&self) -> Vec<Event> {
        self.list
            .iter()
            .enumerate()
            .map(|(sequence_number, (kind, body))| {
                Event::named(
                    kind,
                    &Frame {
                        kind,
                        sequence_number,
                        body,
                    },
                )
            })
            .collect()
    }
}

/// The SSE response playing `reply`; `finished` is the final response object.
pub(crate) fn respond(
    draft: &Draft<'_>,
    reply: &Reply,
    finished: &Value,
    obfuscate: bool,
    script: Script,
    knobs: &Knobs,
) -> Response {
    let started = draft.in_progress();
    let mut events = Events {
        list: Vec::new(),
        obfuscate,
    };
    events.push("response.created", Body::Response { response: &started });
    events.push(
        "response.in_progress",
        Body::Response { response: &started },
    );
    for (output_index, planned) in reply.items.iter().enumerate() {
        events.item(output_index, planned);
    }
    let terminal = if reply.incomplete {
        "response.incomplete"
    } else {
        "response.completed"
    };
    events.push(terminal, Body::Response { response: finished });
    let mut frames = events.frames();
    if script.cuts_stream() {
        frames.truncate(EVENTS_BEFORE_FAILURE);
        if script == Script::MidstreamReset {
            frames.push(Event::Reset);
        } else {
            let failed = draft.failed(ResponseError {
                code: "server_error",
                message: "The server had an error processing your request. Sorry about that! \
                          You can retry your request, or contact us through our help center \
                          at help.openai.com if you keep seeing this error."
                    .to_owned(),
            });
            let body = Body::Response { response: &failed };
            frames.push(Event::named(
                "response.failed",
                &Frame {
                    kind: "response.failed",
                    sequence_number: EVENTS_BEFORE_FAILURE,
                    body: &body,
                },
            ));
        }
    }
    sse::response(frames, knobs.interval)
}
