//! Provider side: an Anthropic Messages stream read as canonical events.
//!
//! Anthropic's stream already has the canonical shape (the canonical model borrowed it), so this
//! is mostly renaming. The parts that need care:
//! - usage arrives in pieces (input in `message_start`, output in `message_delta`, which newer
//!   API versions also give input and cache numbers): each report is merged field by field and
//!   the full canonical usage, input including cache reads and writes, is sent on (translation
//!   rules 1–2);
//! - blocks of types no other format has (server tool use and results) are skipped, so canonical
//!   indexes are renumbered to stay contiguous;
//! - a stream that ends without `message_delta` was cut short: that is an error, not an answer.

use std::collections::HashMap;

use super::error::from_detail;
use super::stop_reason_from_wire;
use super::wire::{BlockDelta, ErrorBody, ResponseBlock, WireStreamEvent, WireUsage};
use crate::canonical::{ApiError, ErrorKind, StreamDecoder, StreamEvent, ToolNames};

/// Decodes one Anthropic stream. One per request (translation rule 3).
#[derive(Debug)]
pub struct Decoder {
    names: ToolNames,
    usage: WireUsage,
    /// Anthropic block index → canonical index, for the blocks passed on.
    indexes: HashMap<usize, usize>,
    /// Canonical indexes started and not yet stopped, in order.
    open: Vec<usize>,
    next_index: usize,
    finished: bool,
    ended: bool,
}

impl Decoder {
    /// `names` restores tool names shortened by [`super::encode_request`].
    pub fn new(names: ToolNames) -> Self {
        Decoder {
            names,
            usage: WireUsage::default(),
            indexes: HashMap::new(),
            open: Vec::new(),
            next_index: 0,
            finished: false,
            ended: false,
        }
    }

    fn start_block(&mut self, index: usize, block: ResponseBlock, out: &mut Vec<StreamEvent>) {
        if self.indexes.contains_key(&index) || matches!(block, ResponseBlock::Other) {
            return;
        }
        let c = self.next_index;
        self.next_index += 1;
        self.indexes.insert(index, c);
        self.open.push(c);
        match block {
            ResponseBlock::Text { text } => {
                out.push(StreamEvent::TextStart { index: c });
                if !text.is_empty() {
                    out.push(StreamEvent::TextDelta { index: c, text });
                }
            }
            ResponseBlock::Thinking {
                thinking,
                signature,
            } => {
                out.push(StreamEvent::ThinkingStart { index: c });
                if !thinking.is_empty() {
                    out.push(StreamEvent::ThinkingDelta {
                        index: c,
                        text: thinking,
                    });
                }
                if !signature.is_empty() {
                    out.push(StreamEvent::ThinkingSignature {
                        index: c,
                        signature,
                    });
                }
            }
            ResponseBlock::RedactedThinking { data } => {
                out.push(StreamEvent::RedactedThinking { index: c, data });
            }
            ResponseBlock::ToolUse { id, name, input } => {
                out.push(StreamEvent::ToolCallStart {
                    index: c,
                    id,
                    name: self.names.restore(&name),
                    thought_signature: None,
                });
                // The start carries `{}`; the arguments follow as deltas. Anything else in it
                // is part of the arguments.
                if input.as_object().is_some_and(|o| !o.is_empty()) {
                    out.push(StreamEvent::ToolCallDelta {
                        index: c,
                        arguments: input.to_string(),
                    });
                }
            }
            ResponseBlock::Other => {}
        }
    }

    fn delta(&self, index: usize, delta: BlockDelta, out: &mut Vec<StreamEvent>) {
        let Some(&c) = self.indexes.get(&index) else {
            return;
        };
        if !self.open.contains(&c) {
            return;
        }
        match delta {
            BlockDelta::TextDelta { text } if !text.is_empty() => {
                out.push(StreamEvent::TextDelta { index: c, text });
            }
            BlockDelta::InputJsonDelta { partial_json } if !partial_json.is_empty() => {
                out.push(StreamEvent::ToolCallDelta {
                    index: c,
                    arguments: partial_json,
                });
            }
            BlockDelta::ThinkingDelta { thinking } if !thinking.is_empty() => {
                out.push(StreamEvent::ThinkingDelta {
                    index: c,
                    text: thinking,
                });
            }
            BlockDelta::SignatureDelta { signature } if !signature.is_empty() => {
                out.push(StreamEvent::ThinkingSignature {
                    index: c,
                    signature,
                });
            }
            _ => {}
        }
    }

    fn close_open_blocks(&mut self, out: &mut Vec<StreamEvent>) {
        for index in self.open.drain(..) {
            out.push(StreamEvent::BlockStop { index });
        }
    }
}

impl StreamDecoder for Decoder {
    fn decode(&mut self, event: Option<&str>, data: &str) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        if self.ended {
            return out;
        }
        let parsed = match serde_json::from_str::<WireStreamEvent>(data) {
            Ok(parsed) => parsed,
            // Compatible providers sometimes send `event: error` with a body lacking `type`.
            Err(_) if event == Some("error") => {
                self.ended = true;
                let error = match serde_json::from_str::<ErrorBody>(data) {
                    Ok(body) => from_detail(&body.error),
                    Err(_) => ApiError {
                        status: 502,
                        kind: ErrorKind::ServerError,
                        message: data.trim().chars().take(1000).collect(),
                        code: None,
                    },
                };
                out.push(StreamEvent::Error { error });
                return out;
            }
            Err(_) => return out,
        };
        match parsed {
            WireStreamEvent::MessageStart { message } => {
                self.usage.merge(&message.usage);
                out.push(StreamEvent::Start {
                    id: message.id,
                    model: message.model,
                    usage: self.usage.to_canonical(),
                });
            }
            WireStreamEvent::ContentBlockStart {
                index,
                content_block,
            } => self.start_block(index, content_block, &mut out),
            WireStreamEvent::ContentBlockDelta { index, delta } => {
                self.delta(index, delta, &mut out);
            }
            WireStreamEvent::ContentBlockStop { index } => {
                if let Some(&c) = self.indexes.get(&index)
                    && let Some(pos) = self.open.iter().position(|&i| i == c)
                {
                    self.open.remove(pos);
                    out.push(StreamEvent::BlockStop { index: c });
                }
            }
            WireStreamEvent::MessageDelta { delta, usage } => {
                if let Some(reason) = delta.stop_reason.as_deref()
                    && !self.finished
                {
                    self.finished = true;
                    self.close_open_blocks(&mut out);
                    out.push(StreamEvent::Finish {
                        stop_reason: stop_reason_from_wire(reason),
                    });
                }
                if let Some(usage) = usage {
                    self.usage.merge(&usage);
                    out.push(StreamEvent::Usage {
                        usage: self.usage.to_canonical(),
                    });
                }
            }
            WireStreamEvent::MessageStop => {
                self.ended = true;
                self.close_open_blocks(&mut out);
                if !self.finished {
                    self.finished = true;
                    out.push(StreamEvent::Finish {
                        stop_reason: crate::canonical::StopReason::EndTurn,
                    });
                }
            }
            WireStreamEvent::Error { error } => {
                self.ended = true;
                out.push(StreamEvent::Error {
                    error: from_detail(&error),
                });
            }
            WireStreamEvent::Ping | WireStreamEvent::Unknown => {}
        }
        out
    }

    fn finish(&mut self) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        if self.ended {
            return out;
        }
        self.ended = true;
        if self.finished {
            // Only `message_stop` is missing: the answer itself is complete.
            self.close_open_blocks(&mut out);
            return out;
        }
        out.push(StreamEvent::Error {
            error: ApiError {
                status: 502,
                kind: ErrorKind::ServerError,
                message: "the provider's stream ended before the answer was complete".to_owned(),
                code: None,
            },
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::StopReason;
    use crate::usage::Usage;

    fn run(events: &[(&str, &str)]) -> Vec<StreamEvent> {
        let mut decoder = Decoder::new(ToolNames::default());
        let mut out = Vec::new();
        for (name, data) in events {
            out.extend(decoder.decode(Some(name), data));
        }
        out.extend(decoder.finish());
        out
    }

    #[test]
    fn usage_from_message_start_and_message_delta_merges_with_cache_in_input() {
        let out = run(&[
            (
                "message_start",
                r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":5000,"output_tokens":1}}}"#,
            ),
            (
                "message_delta",
                r#"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":42}}"#,
            ),
            ("message_stop", r#"{"type":"message_stop"}"#),
        ]);
        assert_eq!(
            out.last(),
            Some(&StreamEvent::Usage {
                usage: Usage {
                    input_tokens: 5010,
                    cached_input_tokens: 5000,
                    cache_write_tokens: 0,
                    output_tokens: 42,
                    reasoning_tokens: 0
                }
            }),
            "output from message_delta, input and cache kept from message_start: {out:?}"
        );
    }

    #[test]
    fn a_mid_stream_error_event_becomes_a_canonical_error_and_ends_the_stream() {
        let out = run(&[
            (
                "error",
                r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
            ),
            ("ping", r#"{"type":"ping"}"#),
        ]);
        assert_eq!(out.len(), 1, "{out:?}");
        let StreamEvent::Error { error } = &out[0] else {
            panic!("{out:?}")
        };
        assert_eq!(error.kind, ErrorKind::Overloaded);
        assert_eq!(error.status, 529);
    }

    #[test]
    fn a_stream_cut_before_message_delta_is_an_error_not_an_answer() {
        let out = run(&[(
            "content_block_start",
            r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
        )]);
        assert!(
            matches!(out.last(), Some(StreamEvent::Error { .. })),
            "{out:?}"
        );
    }

    #[test]
    fn server_tool_blocks_are_skipped_and_indexes_stay_contiguous() {
        let out = run(&[
            (
                "content_block_start",
                r#"{"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}}"#,
            ),
            (
                "content_block_delta",
                r#"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"query\":\"x\"}"}}"#,
            ),
            (
                "content_block_stop",
                r#"{"type":"content_block_stop","index":0}"#,
            ),
            (
                "content_block_start",
                r#"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#,
            ),
            (
                "content_block_delta",
                r#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hi"}}"#,
            ),
            (
                "content_block_stop",
                r#"{"type":"content_block_stop","index":1}"#,
            ),
            (
                "message_delta",
                r#"{"type":"message_delta","delta":{"stop_reason":"pause_turn"},"usage":{"output_tokens":3}}"#,
            ),
        ]);
        assert_eq!(out[0], StreamEvent::TextStart { index: 0 });
        assert_eq!(
            out[3],
            StreamEvent::Finish {
                stop_reason: StopReason::EndTurn
            },
            "pause_turn reads as a natural end"
        );
    }

    #[test]
    fn nulls_from_compatible_providers_do_not_drop_blocks() {
        let out = run(&[
            (
                "message_start",
                r#"{"type":"message_start","message":{"id":"m","model":"deepseek-chat","content":null,"usage":null}}"#,
            ),
            (
                "content_block_start",
                r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":null}}"#,
            ),
            (
                "content_block_delta",
                r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ok"}}"#,
            ),
            (
                "message_delta",
                r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":null}"#,
            ),
        ]);
        assert!(
            out.contains(&StreamEvent::TextDelta {
                index: 0,
                text: "ok".into()
            }),
            "{out:?}"
        );
    }

    #[test]
    fn shortened_tool_names_are_restored() {
        let long = "mcp__github_enterprise_server__create_pull_request_review_comment_reply";
        let mut names = ToolNames::default();
        let short = names.shorten(long, 64);
        let mut decoder = Decoder::new(names);
        let data = format!(
            r#"{{"type":"content_block_start","index":0,"content_block":{{"type":"tool_use","id":"toolu_1","name":"{short}","input":{{}}}}}}"#
        );
        let out = decoder.decode(Some("content_block_start"), &data);
        assert!(
            matches!(&out[0], StreamEvent::ToolCallStart { name, .. } if name == long),
            "{out:?}"
        );
    }
}
