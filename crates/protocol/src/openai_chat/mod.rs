//! OpenAI's Chat Completions wire format, on both sides of the gateway.
//!
//! Chat Completions is the format most clients speak (Cline, Roo, Continue, Zed, Aider, the
//! openai SDKs) and the one most providers speak (OpenAI itself and every "OpenAI-compatible"
//! server), so this module translates both ways:
//!
//! - client side: [`decode_request`], [`encode_response`], [`Encoder`], [`encode_error`];
//! - provider side: [`encode_request`], [`decode_response`], [`Decoder`], [`decode_error`].
//!
//! Same-format traffic never comes through here: the gateway passes it through and only reads
//! it with the probes in [`wire`] (usage, usage-only chunks, error bodies), which the legacy
//! Completions and Embeddings endpoints share.
//!
//! Three habits run through the translation, each learnt from a client or provider breaking:
//! clients are lenient readers but strict about event order, so encoders write exactly what
//! OpenAI writes; OpenAI-compatible providers are strict readers, so the provider-side encoder
//! sends only documented fields (no `cache_control`, no `top_k`); and providers are sloppy
//! writers (missing tool call ids, `reasoning` instead of `reasoning_content`, content and
//! `finish_reason` in one chunk), so the provider-side decoders accept every variant seen.

mod client_request;
mod decoder;
mod encoder;
mod error;
mod provider_request;
mod response;
mod wire;

#[cfg(test)]
mod scenarios;

pub use client_request::{decode_object, decode_request};
pub use decoder::Decoder;
pub use encoder::Encoder;
pub use error::{decode_error, encode_error};
pub use provider_request::{encode_body, encode_request};
pub use response::{decode_response, encode_response};
pub use wire::{
    AnswerProbe, ChunkProbe, CompletionTokensDetails, DONE, ErrorBody, ErrorDetail,
    PromptTokensDetails, WireUsage,
};

use serde_json::{Value, json};

use crate::canonical::{Effort, StopReason};

/// The `finish_reason` a client reads (translation rule 10). OpenAI reports a matched stop
/// sequence as a plain `stop`.
fn finish_reason(stop: StopReason) -> &'static str {
    match stop {
        StopReason::EndTurn | StopReason::StopSequence => "stop",
        StopReason::MaxTokens => "length",
        StopReason::ToolUse => "tool_calls",
        StopReason::ContentFilter => "content_filter",
    }
}

/// The canonical reason for a provider's `finish_reason`.
///
/// Some compatible servers (Ollama, Gemini's OpenAI endpoint, older vLLM) answer tool calls
/// with `stop`; clients that run tools only on `tool_calls` / `tool_use` would then stall, so
/// an answer that did call tools stopped for [`StopReason::ToolUse`] whatever the label.
fn stop_reason(finish: &str, called_tools: bool) -> StopReason {
    match finish {
        "length" | "max_tokens" => StopReason::MaxTokens,
        "content_filter" => StopReason::ContentFilter,
        "tool_calls" | "function_call" => StopReason::ToolUse,
        _ if called_tools => StopReason::ToolUse,
        _ => StopReason::EndTurn,
    }
}

/// Tool call arguments as a JSON value (translation rule 6): empty text is `{}`, text that is
/// not JSON is kept as a JSON string so nothing the model wrote is lost.
fn parse_arguments(text: &str) -> Value {
    if text.trim().is_empty() {
        return json!({});
    }
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// Arguments as read from the wire, where some servers send an object instead of JSON text.
fn arguments_from_wire(value: Option<&Value>) -> Value {
    match value {
        None | Some(Value::Null) => json!({}),
        Some(Value::String(text)) => parse_arguments(text),
        Some(other) => other.clone(),
    }
}

/// Arguments as OpenAI's JSON text. A string value is text that never parsed: it goes back
/// exactly as the model wrote it.
fn arguments_text(arguments: &Value) -> String {
    match arguments {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Gemini's thought signature on an OpenAI tool call (translation rule 8). Gemini's own
/// OpenAI-compatible endpoint puts it in `extra_content.google.thought_signature`; some
/// clients and proxies flatten it to `thought_signature`. Both are read.
fn thought_signature_of(call: &Value) -> Option<String> {
    let nested = call
        .get("extra_content")
        .and_then(|e| e.get("google"))
        .and_then(|g| g.get("thought_signature"));
    let flat = call.get("thought_signature");
    let function = call
        .get("function")
        .and_then(|f| f.get("thought_signature"));
    [nested, flat, function]
        .into_iter()
        .flatten()
        .find_map(Value::as_str)
        .map(str::to_owned)
}

/// Writes a thought signature the way Gemini's OpenAI-compatible endpoint does, so a client
/// that already round-trips Gemini's own answers round-trips ours.
fn put_thought_signature(call: &mut Value, signature: Option<&str>) {
    if let (Some(signature), Some(obj)) = (signature, call.as_object_mut()) {
        obj.insert(
            "extra_content".into(),
            json!({"google": {"thought_signature": signature}}),
        );
    }
}

fn effort_name(effort: Effort) -> &'static str {
    match effort {
        Effort::None => "none",
        Effort::Minimal => "minimal",
        Effort::Low => "low",
        Effort::Medium => "medium",
        Effort::High => "high",
    }
}

/// The tool call id for a call the provider sent without one (translation rule 6), from its
/// position in the answer, as the canonical model prescribes.
fn generated_call_id(position: usize) -> String {
    format!("call_{position}")
}

/// Seconds since the Unix epoch, for `created`.
fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_sequences_and_natural_ends_both_read_as_stop() {
        assert_eq!(finish_reason(StopReason::StopSequence), "stop");
        assert_eq!(finish_reason(StopReason::EndTurn), "stop");
        assert_eq!(finish_reason(StopReason::MaxTokens), "length");
        assert_eq!(finish_reason(StopReason::ToolUse), "tool_calls");
        assert_eq!(finish_reason(StopReason::ContentFilter), "content_filter");
    }

    #[test]
    fn a_stop_after_tool_calls_is_a_tool_use_stop() {
        assert_eq!(stop_reason("stop", true), StopReason::ToolUse);
        assert_eq!(stop_reason("stop", false), StopReason::EndTurn);
        assert_eq!(stop_reason("length", true), StopReason::MaxTokens);
        assert_eq!(stop_reason("weird_new_reason", false), StopReason::EndTurn);
    }

    #[test]
    fn arguments_parse_empty_as_an_empty_object_and_keep_garbage_as_text() {
        assert_eq!(parse_arguments(""), json!({}));
        assert_eq!(parse_arguments("  "), json!({}));
        assert_eq!(parse_arguments(r#"{"a":1}"#), json!({"a": 1}));
        assert_eq!(parse_arguments("{\"a\":"), json!("{\"a\":"));
        assert_eq!(arguments_text(&json!("{\"a\":")), "{\"a\":");
        assert_eq!(arguments_text(&json!({"a": 1})), r#"{"a":1}"#);
        assert_eq!(arguments_from_wire(Some(&json!({"a": 1}))), json!({"a": 1}));
    }

    #[test]
    fn thought_signatures_are_read_nested_or_flat() {
        let nested = json!({"id": "c", "extra_content": {"google": {"thought_signature": "sig"}}});
        let flat = json!({"id": "c", "thought_signature": "sig"});
        assert_eq!(thought_signature_of(&nested).as_deref(), Some("sig"));
        assert_eq!(thought_signature_of(&flat).as_deref(), Some("sig"));
        assert_eq!(thought_signature_of(&json!({"id": "c"})), None);
    }
}
