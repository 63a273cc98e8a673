//! Canonical stream events → `chat.completion.chunk` events, exactly as OpenAI sends them:
//!
//! ```text
//! data: {… "choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}
//! data: {… "delta":{"content":"Hel"} …}               text
//! data: {… "delta":{"reasoning_content":"…"} …}       thinking (DeepSeek's field; Zed reads it)
//! data: {… "delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]} …}
//! data: {… "delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":"}}]} …}
//! data: {… "delta":{},"finish_reason":"tool_calls"}]}
//! data: {… "choices":[],"usage":{…}}                  only with stream_options.include_usage
//! data: [DONE]
//! ```
//!
//! Tool call `index` is OpenAI's own: it counts tool calls only, not the canonical block index
//! that counts text and thinking too (translation rule 4). The usage-only chunk is sent only
//! when the client asked for it: its empty `choices` once crashed Cline.
//!
//! A canonical `Error` becomes `data: {"error": {…}}` and the stream ends there, without
//! `[DONE]`: the openai SDKs raise `APIError` on a data event with an `error` key, and a client
//! that stops reading at `[DONE]` would otherwise take a broken answer for a complete one. The
//! gateway's pass-through relay ends failed streams the same way.

use serde_json::{Value, json};

use super::error::encode_error;
use super::wire::WireUsage;
use super::{DONE, finish_reason, now_unix};
use crate::canonical::{SseEvent, StreamEncoder, StreamEvent};
use crate::usage::Usage;

/// One client stream's encoder.
#[derive(Debug)]
pub struct Encoder {
    id: String,
    model: String,
    created: u64,
    include_usage: bool,
    /// Whether the first chunk (the one with `role`) went out.
    started: bool,
    /// Canonical block index of each tool call, by OpenAI tool call index.
    tool_blocks: Vec<usize>,
    usage: Option<Usage>,
    finished: bool,
    /// After an error nothing more is written.
    ended: bool,
}

impl Encoder {
    /// `id` and `model` are what the client sees in every chunk; `include_usage` is the
    /// client's `stream_options.include_usage`.
    pub fn new(id: String, model: String, include_usage: bool) -> Self {
        Encoder {
            id,
            model,
            created: now_unix(),
            include_usage,
            started: false,
            tool_blocks: Vec::new(),
            usage: None,
            finished: false,
            ended: false,
        }
    }

    fn chunk(&self, choices: Value, usage: Option<Value>) -> SseEvent {
        let mut chunk = json!({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": choices,
        });
        // With include_usage OpenAI sends `"usage": null` on every chunk but the last.
        if self.include_usage {
            chunk["usage"] = usage.unwrap_or(Value::Null);
        }
        SseEvent::data(chunk.to_string())
    }

    fn delta(&self, delta: Value, finish: Option<&str>) -> SseEvent {
        self.chunk(
            json!([{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}]),
            None,
        )
    }

    /// The role chunk, once, before anything else the client reads as the answer.
    fn start(&mut self, out: &mut Vec<SseEvent>) {
        if !self.started {
            self.started = true;
            out.push(self.delta(json!({"role": "assistant", "content": ""}), None));
        }
    }

    fn tool_index(&mut self, block: usize) -> usize {
        match self.tool_blocks.iter().position(|b| *b == block) {
            Some(index) => index,
            None => {
                self.tool_blocks.push(block);
                self.tool_blocks.len() - 1
            }
        }
    }
}

impl StreamEncoder for Encoder {
    fn encode(&mut self, event: &StreamEvent) -> Vec<SseEvent> {
        let mut out = Vec::new();
        if self.ended {
            return out;
        }
        match event {
            StreamEvent::Start { usage, .. } => {
                // Usage may arrive only here: Gemini sends a tool call, its finish reason and
                // the usage in one chunk, which decodes to a Start carrying the usage.
                if *usage != Usage::default() {
                    self.usage.get_or_insert_with(Usage::default).merge(usage);
                }
                self.start(&mut out)
            }
            StreamEvent::Usage { usage } => {
                self.usage.get_or_insert_with(Usage::default).merge(usage)
            }
            StreamEvent::Error { error } => {
                self.ended = true;
                let (_, body) = encode_error(error);
                out.push(SseEvent::data(body.to_string()));
            }
            // Content after the finish chunk would be read as a second answer.
            _ if self.finished => {}
            StreamEvent::TextDelta { text, .. } if !text.is_empty() => {
                self.start(&mut out);
                out.push(self.delta(json!({"content": text}), None));
            }
            StreamEvent::ThinkingDelta { text, .. } if !text.is_empty() => {
                self.start(&mut out);
                out.push(self.delta(json!({"reasoning_content": text}), None));
            }
            StreamEvent::ToolCallStart {
                index,
                id,
                name,
                thought_signature,
            } => {
                self.start(&mut out);
                let tool_index = self.tool_index(*index);
                let mut call = json!({
                    "index": tool_index,
                    "id": id,
                    "type": "function",
                    "function": {"name": name, "arguments": ""},
                });
                super::put_thought_signature(&mut call, thought_signature.as_deref());
                out.push(self.delta(json!({"tool_calls": [call]}), None));
            }
            StreamEvent::ToolCallDelta { index, arguments } if !arguments.is_empty() => {
                self.start(&mut out);
                let tool_index = self.tool_index(*index);
                let call = json!({"index": tool_index, "function": {"arguments": arguments}});
                out.push(self.delta(json!({"tool_calls": [call]}), None));
            }
            StreamEvent::Finish { stop_reason } => {
                self.start(&mut out);
                self.finished = true;
                out.push(self.delta(json!({}), Some(finish_reason(*stop_reason))));
            }
            // Block boundaries are implicit in OpenAI's stream, and it has no place for
            // signatures or redacted reasoning.
            _ => {}
        }
        out
    }

    fn finish(&mut self) -> Vec<SseEvent> {
        let mut out = Vec::new();
        if self.ended {
            return out;
        }
        self.ended = true;
        if !self.finished {
            // The canonical stream ended without a reason; clients wait for one.
            self.start(&mut out);
            self.finished = true;
            out.push(self.delta(json!({}), Some("stop")));
        }
        if self.include_usage
            && let Some(usage) = &self.usage
        {
            let usage = serde_json::to_value(WireUsage::from(usage)).unwrap_or(Value::Null);
            out.push(self.chunk(json!([]), Some(usage)));
        }
        out.push(SseEvent::data(DONE));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::{ApiError, ErrorKind, StopReason};

    fn run(encoder: &mut Encoder, events: &[StreamEvent]) -> Vec<Value> {
        let mut out: Vec<SseEvent> = events.iter().flat_map(|e| encoder.encode(e)).collect();
        out.extend(encoder.finish());
        out.iter()
            .map(|e| serde_json::from_str(&e.data).unwrap_or_else(|_| json!(e.data)))
            .collect()
    }

    fn start() -> StreamEvent {
        StreamEvent::Start {
            id: "x".into(),
            model: "m".into(),
            usage: Usage::default(),
        }
    }

    fn tool(index: usize, id: &str) -> [StreamEvent; 3] {
        [
            StreamEvent::ToolCallStart {
                index,
                id: id.into(),
                name: "read".into(),
                thought_signature: None,
            },
            StreamEvent::ToolCallDelta {
                index,
                arguments: "{}".into(),
            },
            StreamEvent::BlockStop { index },
        ]
    }

    #[test]
    fn tool_call_indexes_count_tool_calls_only() {
        let mut events = vec![
            start(),
            StreamEvent::ThinkingStart { index: 0 },
            StreamEvent::ThinkingDelta {
                index: 0,
                text: "plan".into(),
            },
            StreamEvent::BlockStop { index: 0 },
            StreamEvent::TextStart { index: 1 },
            StreamEvent::TextDelta {
                index: 1,
                text: "Reading both.".into(),
            },
            StreamEvent::BlockStop { index: 1 },
        ];
        events.extend(tool(2, "call_a"));
        events.extend(tool(3, "call_b"));
        events.push(StreamEvent::Finish {
            stop_reason: StopReason::ToolUse,
        });
        let chunks = run(&mut Encoder::new("x".into(), "m".into(), false), &events);
        let indexes: Vec<&Value> = chunks
            .iter()
            .filter_map(|c| c["choices"][0]["delta"]["tool_calls"][0].get("index"))
            .collect();
        assert_eq!(
            indexes,
            [0, 0, 1, 1],
            "canonical blocks 2 and 3 are tool calls 0 and 1"
        );
        assert_eq!(
            chunks[1]["choices"][0]["delta"]["reasoning_content"],
            "plan"
        );
    }

    #[test]
    fn usage_known_only_from_the_start_still_reaches_the_usage_chunk() {
        // Regression: a Gemini tool call arrives as one chunk (call, finish, usage), so the only
        // usage the encoder ever sees is the one on Start; the usage chunk went missing.
        let mut encoder = Encoder::new("id".into(), "gemini-2.5-flash".into(), true);
        let usage = Usage {
            input_tokens: 26,
            output_tokens: 29,
            reasoning_tokens: 16,
            ..Usage::default()
        };
        let mut out = Vec::new();
        for event in [
            StreamEvent::Start {
                id: "r".into(),
                model: "gemini-2.5-flash".into(),
                usage,
            },
            StreamEvent::ToolCallStart {
                index: 0,
                id: "call_0".into(),
                name: "f".into(),
                thought_signature: None,
            },
            StreamEvent::ToolCallDelta {
                index: 0,
                arguments: "{}".into(),
            },
            StreamEvent::BlockStop { index: 0 },
            StreamEvent::Finish {
                stop_reason: crate::canonical::StopReason::ToolUse,
            },
        ] {
            out.extend(encoder.encode(&event));
        }
        out.extend(encoder.finish());
        let usage_chunk = out
            .iter()
            .filter_map(|e| serde_json::from_str::<Value>(&e.data).ok())
            .find(|c| c["choices"] == serde_json::json!([]))
            .expect("a usage chunk");
        assert_eq!(usage_chunk["usage"]["prompt_tokens"], 26);
        assert_eq!(usage_chunk["usage"]["completion_tokens"], 29);
    }

    #[test]
    fn usage_chunk_only_when_asked_and_after_finish_even_if_usage_came_late() {
        let usage = Usage {
            input_tokens: 10,
            output_tokens: 2,
            ..Usage::default()
        };
        let events = [
            start(),
            StreamEvent::Finish {
                stop_reason: StopReason::EndTurn,
            },
            StreamEvent::Usage { usage },
        ];
        let with = run(&mut Encoder::new("x".into(), "m".into(), true), &events);
        assert_eq!(with.len(), 4, "{with:?}");
        assert_eq!(with[2]["choices"], json!([]));
        assert_eq!(with[2]["usage"]["prompt_tokens"], 10);
        assert_eq!(with[1]["usage"], Value::Null, "usage: null on other chunks");
        assert_eq!(with[3], json!("[DONE]"));

        let without = run(&mut Encoder::new("x".into(), "m".into(), false), &events);
        assert_eq!(without.len(), 3, "{without:?}");
        assert!(without.iter().all(|c| c.get("usage").is_none()));
    }

    #[test]
    fn usage_pieces_merge_field_by_field() {
        let mut encoder = Encoder::new("x".into(), "m".into(), true);
        let first = Usage {
            input_tokens: 100,
            cached_input_tokens: 80,
            output_tokens: 1,
            ..Usage::default()
        };
        let last = Usage {
            output_tokens: 40,
            ..Usage::default()
        };
        let chunks = run(
            &mut encoder,
            &[
                start(),
                StreamEvent::Usage { usage: first },
                StreamEvent::Usage { usage: last },
            ],
        );
        let usage = &chunks[chunks.len() - 2]["usage"];
        assert_eq!(usage["prompt_tokens"], 100);
        assert_eq!(usage["prompt_tokens_details"]["cached_tokens"], 80);
        assert_eq!(usage["completion_tokens"], 40);
    }

    #[test]
    fn a_finish_with_no_content_still_sends_role_and_reason() {
        let chunks = run(
            &mut Encoder::new("x".into(), "m".into(), false),
            &[StreamEvent::Finish {
                stop_reason: StopReason::MaxTokens,
            }],
        );
        assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
        assert_eq!(chunks[1]["choices"][0]["finish_reason"], "length");
        assert_eq!(chunks[2], json!("[DONE]"));
    }

    #[test]
    fn an_error_ends_the_stream_without_done() {
        let error = ApiError {
            status: 429,
            kind: ErrorKind::RateLimited,
            message: "slow down".into(),
            code: None,
        };
        let chunks = run(
            &mut Encoder::new("x".into(), "m".into(), true),
            &[
                start(),
                StreamEvent::TextDelta {
                    index: 0,
                    text: "Hi".into(),
                },
                StreamEvent::Error { error },
                StreamEvent::Finish {
                    stop_reason: StopReason::EndTurn,
                },
            ],
        );
        assert_eq!(chunks.len(), 3, "{chunks:?}");
        assert_eq!(chunks[2]["error"]["message"], "slow down");
        assert_eq!(chunks[2]["error"]["type"], "requests");
    }

    #[test]
    fn a_stream_without_finish_is_closed_with_stop() {
        let chunks = run(
            &mut Encoder::new("x".into(), "m".into(), false),
            &[
                start(),
                StreamEvent::TextDelta {
                    index: 0,
                    text: "Hi".into(),
                },
            ],
        );
        assert_eq!(chunks[2]["choices"][0]["finish_reason"], "stop");
        assert_eq!(chunks[3], json!("[DONE]"));
    }
}
