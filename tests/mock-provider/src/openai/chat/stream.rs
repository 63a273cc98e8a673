//! The streamed form of a chat answer: `chat.completion.chunk` events,
//! exactly as OpenAI sends them.
//!
//! Text: a role chunk (`{"role":"assistant","content":"","refusal":null}`),
//! one chunk per content piece, a chunk with an empty delta and the
//! `finish_reason`. Tool calls: per call a header chunk (id, name, empty
//! arguments; the first one also carries the role) then argument fragments.
//! With `stream_options.include_usage`, every chunk has `"usage": null` and a
//! last chunk with `"choices": []` carries the usage. Then `data: [DONE]`.

use axum::response::Response;
use serde::Serialize;
use serde_json::Value;

use super::{Meta, PlannedCall, Reply};
use crate::ids::SYSTEM_FINGERPRINT;
use crate::openai::usage::ChatUsage;
use crate::openai::{Begun, stream_events};
use crate::sse::{self, Event};

#[derive(Debug, Serialize)]
struct Chunk<'a> {
    id: &'a str,
    object: &'static str,
    created: u64,
    model: &'a str,
    service_tier: &'static str,
    system_fingerprint: &'static str,
    choices: Vec<ChunkChoice>,
    /// Absent without `include_usage`; `null` on content chunks with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<Option<ChatUsage>>,
}

#[derive(Debug, Serialize)]
struct ChunkChoice {
    index: u32,
    delta: Delta,
    logprobs: Option<Value>,
    finish_reason: Option<&'static str>,
}

/// A delta; absent fields are left out, `Some(None)` fields are `null`.
#[derive(Debug, Default, Serialize)]
struct Delta {
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_calls: Option<Vec<ToolCallDelta>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refusal: Option<Option<String>>,
}

#[derive(Debug, Serialize)]
struct ToolCallDelta {
    index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    function: FunctionDelta,
}

#[derive(Debug, Serialize)]
struct FunctionDelta {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    arguments: String,
}

impl Delta {
    fn content(text: &str) -> Delta {
        Delta {
            content: Some(Some(text.to_owned())),
            ..Delta::default()
        }
    }

    /// The first chunk of a call: id, name and empty arguments.
    fn call_header(index: usize, call: &PlannedCall) -> Delta {
        Delta {
            tool_calls: Some(vec![ToolCallDelta {
                index,
                id: Some(call.id.clone()),
                kind: Some("function"),
                function: FunctionDelta {
                    name: Some(call.name.clone()),
                    arguments: String::new(),
                },
            }]),
            ..Delta::default()
        }
    }

    fn call_arguments(index: usize, fragment: &str) -> Delta {
        Delta {
            tool_calls: Some(vec![ToolCallDelta {
                index,
                id: None,
                kind: None,
                function: FunctionDelta {
                    name: None,
                    arguments: fragment.to_owned(),
                },
            }]),
            ..Delta::default()
        }
    }
}

/// The SSE response for `reply`.
pub(super) fn respond(begun: &Begun, meta: &Meta, reply: &Reply, usage: ChatUsage) -> Response {
    let usage_field = begun.include_usage.then_some(None);
    let chunk = |choices: Vec<ChunkChoice>, usage: Option<Option<ChatUsage>>| {
        Event::data(&Chunk {
            id: &meta.id,
            object: "chat.completion.chunk",
            created: meta.created,
            model: &meta.model,
            service_tier: "default",
            system_fingerprint: SYSTEM_FINGERPRINT,
            choices,
            usage,
        })
    };
    let delta_chunk = |delta: Delta, finish_reason: Option<&'static str>| {
        let choice = ChunkChoice {
            index: 0,
            delta,
            logprobs: None,
            finish_reason,
        };
        chunk(vec![choice], usage_field)
    };

    let mut events = Vec::new();
    let finish_reason = match reply {
        Reply::Text(pieces) => {
            events.push(delta_chunk(
                Delta {
                    role: Some("assistant"),
                    content: Some(Some(String::new())),
                    refusal: Some(None),
                    ..Delta::default()
                },
                None,
            ));
            events.extend(pieces.iter().map(|p| delta_chunk(Delta::content(p), None)));
            "stop"
        }
        Reply::ToolCalls(calls) => {
            for (index, call) in calls.iter().enumerate() {
                let mut header = Delta::call_header(index, call);
                if index == 0 {
                    header.role = Some("assistant");
                    header.content = Some(None);
                    header.refusal = Some(None);
                }
                events.push(delta_chunk(header, None));
                events.extend(
                    call.fragments
                        .iter()
                        .map(|f| delta_chunk(Delta::call_arguments(index, f), None)),
                );
            }
            "tool_calls"
        }
    };
    events.push(delta_chunk(Delta::default(), Some(finish_reason)));
    if begun.include_usage {
        events.push(chunk(Vec::new(), Some(Some(usage))));
    }
    sse::response(stream_events(begun.script, events), begun.knobs.interval)
}
