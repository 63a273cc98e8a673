//! Anthropic's Messages API (`POST /v1/messages`), on both sides of the gateway.
//!
//! Client side: Claude Code and the anthropic SDKs send Messages requests that may be routed to
//! any provider. [`decode_request`] reads them into the canonical model, refusing what no other
//! provider can do (server tools, remote MCP servers, Files API ids) with an error that says so;
//! [`encode_response`], [`Encoder`] and [`encode_error`] write answers back in Anthropic's shapes,
//! with the event order Claude Code insists on; [`count_tokens_estimate`] answers
//! `/v1/messages/count_tokens` locally when the provider cannot.
//!
//! Provider side: [`encode_request`] writes a canonical request as a Messages body, repairing
//! what the API rejects but other formats allow (translation rules 11–13, 16); [`decode_response`],
//! [`Decoder`] and [`decode_error`] read Anthropic's answers back.
//!
//! Usage: Anthropic's `input_tokens` excludes cache reads and writes, the canonical
//! [`Usage`](crate::Usage) includes them (translation rule 1). The conversion lives in this file and
//! nowhere else.
//!
//! Same-format traffic (Anthropic client, Anthropic provider) is passed through by the gateway
//! and never comes here.

mod client_request;
mod count_tokens;
mod error;
mod model_limits;
mod provider_request;
mod response;
mod stream_decoder;
mod stream_encoder;
pub mod wire;

#[cfg(test)]
mod snapshot_tests;
#[cfg(test)]
mod stream_decoder_tests;
#[cfg(test)]
mod stream_encoder_tests;

pub use client_request::{decode_object, decode_request, decode_request_with_warnings};
pub use count_tokens::{count_tokens_estimate, encode_count_tokens};
pub use error::{decode_error, encode_error};
pub use provider_request::{encode_body, encode_request};
pub use response::{decode_response, encode_response};
pub use stream_decoder::Decoder;
pub use stream_encoder::Encoder;

use crate::canonical::{CacheControl, StopReason};
use crate::usage::Usage;
use wire::{CacheControlParam, WireUsage};

/// Anthropic's tool name limit: `^[a-zA-Z0-9_-]{1,128}$`.
pub const MAX_TOOL_NAME: usize = 128;

/// Joins a tool call id and a Gemini thought signature in the `tool_use.id` given to Anthropic
/// clients: `<id>__thought__<signature>`.
///
/// Gemini 3 rejects a conversation whose function calls come back without their thought
/// signatures (translation rule 8), and the Messages format has no field for one. The id is the one
/// thing every client replays verbatim, in the `tool_use` and in its `tool_result`, so the
/// signature rides in it and [`decode_request`] splits it off again.
pub const THOUGHT_SIGNATURE_SEPARATOR: &str = "__thought__";

fn id_with_signature(id: &str, signature: Option<&str>) -> String {
    match signature {
        Some(signature) if !signature.is_empty() => {
            format!("{id}{THOUGHT_SIGNATURE_SEPARATOR}{signature}")
        }
        _ => id.to_owned(),
    }
}

fn split_signature(id: &str) -> (String, Option<String>) {
    match id.split_once(THOUGHT_SIGNATURE_SEPARATOR) {
        Some((id, signature)) if !signature.is_empty() => {
            (id.to_owned(), Some(signature.to_owned()))
        }
        _ => (id.to_owned(), None),
    }
}

fn stop_reason_to_wire(reason: StopReason) -> &'static str {
    match reason {
        StopReason::EndTurn => "end_turn",
        StopReason::StopSequence => "stop_sequence",
        StopReason::MaxTokens => "max_tokens",
        StopReason::ToolUse => "tool_use",
        StopReason::ContentFilter => "refusal",
    }
}

/// translation rule 10. `pause_turn` (a server tool loop paused) reads as a natural end: the client
/// of another format has no way to resume it. Unknown reasons also read as a natural end.
fn stop_reason_from_wire(reason: &str) -> StopReason {
    match reason {
        "stop_sequence" => StopReason::StopSequence,
        "max_tokens" | "model_context_window_exceeded" => StopReason::MaxTokens,
        "tool_use" => StopReason::ToolUse,
        "refusal" => StopReason::ContentFilter,
        _ => StopReason::EndTurn,
    }
}

impl WireUsage {
    /// Anthropic → canonical: input gains the cache reads and writes Anthropic counts apart.
    pub fn to_canonical(&self) -> Usage {
        let cache_read = self.cache_read_input_tokens.unwrap_or(0);
        let cache_write = self.cache_creation_input_tokens.unwrap_or(0);
        Usage {
            input_tokens: self
                .input_tokens
                .unwrap_or(0)
                .saturating_add(cache_read)
                .saturating_add(cache_write),
            cached_input_tokens: cache_read,
            cache_write_tokens: cache_write,
            output_tokens: self.output_tokens.unwrap_or(0),
            // Anthropic counts thinking in output_tokens and reports no split.
            reasoning_tokens: 0,
        }
    }

    /// Canonical → Anthropic: input loses the cache reads and writes, which get their own fields.
    pub fn from_canonical(usage: &Usage) -> WireUsage {
        WireUsage {
            input_tokens: Some(usage.uncached_input_tokens()),
            cache_creation_input_tokens: Some(usage.cache_write_tokens),
            cache_read_input_tokens: Some(usage.cached_input_tokens),
            output_tokens: Some(usage.output_tokens),
        }
    }

    /// Field by field, the later report wins where it says anything.
    fn merge(&mut self, later: &WireUsage) {
        let pick = |old: &mut Option<u64>, new: Option<u64>| {
            if new.is_some() {
                *old = new;
            }
        };
        pick(&mut self.input_tokens, later.input_tokens);
        pick(
            &mut self.cache_creation_input_tokens,
            later.cache_creation_input_tokens,
        );
        pick(
            &mut self.cache_read_input_tokens,
            later.cache_read_input_tokens,
        );
        pick(&mut self.output_tokens, later.output_tokens);
    }
}

fn cache_control_from_wire(param: Option<&CacheControlParam>) -> Option<CacheControl> {
    param.map(|p| CacheControl { ttl: p.ttl.clone() })
}

fn cache_control_to_wire(cache: Option<&CacheControl>) -> Option<CacheControlParam> {
    cache.map(|c| CacheControlParam {
        kind: "ephemeral".to_owned(),
        ttl: c.ttl.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anthropic_input_tokens_exclude_cache_and_canonical_input_includes_it() {
        let wire = WireUsage {
            input_tokens: Some(20),
            cache_creation_input_tokens: Some(300),
            cache_read_input_tokens: Some(4000),
            output_tokens: Some(50),
        };
        let usage = wire.to_canonical();
        assert_eq!(
            usage,
            Usage {
                input_tokens: 4320,
                cached_input_tokens: 4000,
                cache_write_tokens: 300,
                output_tokens: 50,
                reasoning_tokens: 0
            },
            "canonical input counts every prompt token once (translation rule 1)"
        );
        assert_eq!(
            WireUsage::from_canonical(&usage),
            wire,
            "and back again without double counting"
        );
    }

    #[test]
    fn stop_reasons_map_both_ways() {
        for reason in [
            StopReason::EndTurn,
            StopReason::StopSequence,
            StopReason::MaxTokens,
            StopReason::ToolUse,
            StopReason::ContentFilter,
        ] {
            assert_eq!(stop_reason_from_wire(stop_reason_to_wire(reason)), reason);
        }
        assert_eq!(stop_reason_from_wire("pause_turn"), StopReason::EndTurn);
        assert_eq!(stop_reason_from_wire("refusal"), StopReason::ContentFilter);
    }

    #[test]
    fn gemini_thought_signatures_survive_a_claude_code_round_trip_in_the_tool_use_id() {
        use crate::canonical::{ChatResponse, Content, ToolCall, ToolNames};
        use serde_json::json;

        let answer = ChatResponse {
            id: "r".into(),
            model: "gemini-3-pro-preview".into(),
            content: vec![Content::ToolCall(ToolCall {
                id: "call_0".into(),
                name: "Read".into(),
                arguments: json!({"file_path": "a.rs"}),
                thought_signature: Some("CiQB0e2Kb3+/=".into()),
            })],
            stop_reason: StopReason::ToolUse,
            usage: Usage::default(),
        };
        let sent = encode_response(&answer, &ToolNames::default());
        let tool_use = sent["content"][0].clone();
        assert_eq!(tool_use["id"], "call_0__thought__CiQB0e2Kb3+/=");

        // Claude Code replays the block and answers it with a tool_result for the same id.
        let next_turn = json!({
            "model": "gemini-3-pro-preview", "max_tokens": 100,
            "messages": [
                {"role": "user", "content": "read a.rs"},
                {"role": "assistant", "content": [tool_use]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "call_0__thought__CiQB0e2Kb3+/=", "content": "fn main() {}"}]}
            ]
        });
        let req = decode_request(next_turn.to_string().as_bytes()).unwrap();
        let Content::ToolCall(call) = &req.messages[1].content[0] else {
            panic!("{:?}", req.messages[1]);
        };
        assert_eq!(call.id, "call_0");
        assert_eq!(call.thought_signature.as_deref(), Some("CiQB0e2Kb3+/="));
        let Content::ToolResult(result) = &req.messages[2].content[0] else {
            panic!("{:?}", req.messages[2]);
        };
        assert_eq!(result.call_id, "call_0");
        assert_eq!(result.name.as_deref(), Some("Read"));
    }
}
