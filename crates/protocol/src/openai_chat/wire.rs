//! The wire shapes Chat Completions shares with the legacy Completions and Embeddings
//! endpoints (usage object, error body), and the probes pass-through traffic is read with.
//!
//! Pass-through traffic is never fully deserialised: the gateway only needs to know whether a
//! stream chunk carries usage and whether it has any choices (to hide the usage-only chunk from
//! a client that did not ask for it). [`ChunkProbe`] reads exactly that and skips the rest.

use serde::{Deserialize, Serialize};

use crate::usage::Usage;

/// OpenAI's `usage` object (chat, completions and embeddings all use this shape; embeddings
/// omit `completion_tokens`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireUsage {
    #[serde(default)]
    pub prompt_tokens: u64,
    #[serde(default)]
    pub completion_tokens: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_tokens_details: Option<PromptTokensDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_tokens_details: Option<CompletionTokensDetails>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromptTokensDetails {
    #[serde(default, deserialize_with = "null_as_zero")]
    pub cached_tokens: u64,
    /// Not part of OpenAI's documented shape, but sent by some OpenAI-compatible upstreams
    /// (and by Switchyard itself when translating from Anthropic) for prompt-cache writes.
    #[serde(
        default,
        skip_serializing_if = "is_zero",
        deserialize_with = "null_as_zero"
    )]
    pub cache_write_tokens: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletionTokensDetails {
    #[serde(default, deserialize_with = "null_as_zero")]
    pub reasoning_tokens: u64,
}

impl From<&WireUsage> for Usage {
    fn from(wire: &WireUsage) -> Self {
        let details = wire.prompt_tokens_details.clone().unwrap_or_default();
        Usage {
            input_tokens: wire.prompt_tokens,
            cached_input_tokens: details.cached_tokens,
            cache_write_tokens: details.cache_write_tokens,
            output_tokens: wire.completion_tokens,
            reasoning_tokens: wire
                .completion_tokens_details
                .as_ref()
                .map_or(0, |d| d.reasoning_tokens),
        }
    }
}

impl From<&Usage> for WireUsage {
    /// The usage object a client sees. The details objects are always present: Cline and Roo
    /// read `prompt_tokens_details.cached_tokens` to show cache hits.
    fn from(usage: &Usage) -> Self {
        WireUsage {
            prompt_tokens: usage.input_tokens,
            completion_tokens: usage.output_tokens,
            total_tokens: Some(usage.input_tokens.saturating_add(usage.output_tokens)),
            prompt_tokens_details: Some(PromptTokensDetails {
                cached_tokens: usage.cached_input_tokens,
                cache_write_tokens: usage.cache_write_tokens,
            }),
            completion_tokens_details: Some(CompletionTokensDetails {
                reasoning_tokens: usage.reasoning_tokens,
            }),
        }
    }
}

/// What the gateway reads from one streamed chunk (chat or legacy completions).
#[derive(Debug, Default, Deserialize)]
pub struct ChunkProbe {
    #[serde(default)]
    pub usage: Option<WireUsage>,
    /// `None` when the chunk has no `choices` member at all (e.g. an error event).
    #[serde(default)]
    pub choices: Option<Vec<serde::de::IgnoredAny>>,
    #[serde(default)]
    pub error: Option<ErrorDetail>,
}

impl ChunkProbe {
    /// The chunk OpenAI sends last when `stream_options.include_usage` is set: usage and no
    /// choices. A client that did not ask for usage must not see it (it once crashed Cline).
    pub fn is_usage_only(&self) -> bool {
        self.usage.is_some() && self.choices.as_ref().is_some_and(Vec::is_empty)
    }
}

/// What the gateway reads from a whole (non-streamed) answer.
#[derive(Debug, Default, Deserialize)]
pub struct AnswerProbe {
    #[serde(default)]
    pub usage: Option<WireUsage>,
}

/// The `[DONE]` sentinel that ends an OpenAI stream.
pub const DONE: &str = "[DONE]";

/// OpenAI's error body: `{"error": {"message", "type", "param", "code"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    #[serde(default)]
    pub message: String,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub param: Option<String>,
    #[serde(default, deserialize_with = "code_as_string")]
    pub code: Option<String>,
}

impl ErrorBody {
    pub fn new(message: impl Into<String>, kind: &str, code: Option<&str>) -> Self {
        ErrorBody {
            error: ErrorDetail {
                message: message.into(),
                kind: Some(kind.to_owned()),
                param: None,
                code: code.map(str::to_owned),
            },
        }
    }

    pub fn with_param(mut self, param: &str) -> Self {
        self.error.param = Some(param.to_owned());
        self
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn null_as_zero<'de, D: serde::Deserializer<'de>>(de: D) -> Result<u64, D::Error> {
    Ok(Option::<u64>::deserialize(de)?.unwrap_or(0))
}

/// Some upstreams send numeric error codes (`"code": 429`); keep them as text.
fn code_as_string<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(de)? {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_with_cache_and_reasoning_maps_to_openai_semantics() {
        let wire: WireUsage = serde_json::from_str(
            r#"{"prompt_tokens":1200,"completion_tokens":300,"total_tokens":1500,
                "prompt_tokens_details":{"cached_tokens":1000,"audio_tokens":0},
                "completion_tokens_details":{"reasoning_tokens":128,"audio_tokens":0}}"#,
        )
        .unwrap();
        let usage = Usage::from(&wire);
        assert_eq!(
            usage,
            Usage {
                input_tokens: 1200,
                cached_input_tokens: 1000,
                cache_write_tokens: 0,
                output_tokens: 300,
                reasoning_tokens: 128
            },
            "prompt_tokens already include cached tokens, completion_tokens include reasoning"
        );
        assert_eq!(usage.uncached_input_tokens(), 200);
    }

    #[test]
    fn null_details_from_compatible_upstreams_read_as_zero() {
        let wire: WireUsage = serde_json::from_str(
            r#"{"prompt_tokens":5,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":null},"completion_tokens_details":null}"#,
        )
        .unwrap();
        assert_eq!(Usage::from(&wire).cached_input_tokens, 0);
    }

    #[test]
    fn usage_only_chunk_is_recognised() {
        let last: ChunkProbe = serde_json::from_str(
            r#"{"id":"x","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#,
        )
        .unwrap();
        assert!(last.is_usage_only());
        let content: ChunkProbe =
            serde_json::from_str(r#"{"id":"x","choices":[{"delta":{}}],"usage":null}"#).unwrap();
        assert!(!content.is_usage_only());
        // Some upstreams put usage on the last content chunk: that one must reach the client.
        let both: ChunkProbe = serde_json::from_str(
            r#"{"choices":[{"delta":{"content":"!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#,
        )
        .unwrap();
        assert!(!both.is_usage_only());
    }

    #[test]
    fn canonical_usage_round_trips_through_the_wire_shape() {
        let usage = Usage {
            input_tokens: 1200,
            cached_input_tokens: 1000,
            cache_write_tokens: 50,
            output_tokens: 300,
            reasoning_tokens: 128,
        };
        let wire = WireUsage::from(&usage);
        assert_eq!(wire.total_tokens, Some(1500));
        assert_eq!(Usage::from(&wire), usage);
    }

    #[test]
    fn numeric_error_codes_are_kept_as_text() {
        let body: ErrorBody = serde_json::from_str(
            r#"{"error":{"message":"slow down","type":"requests","code":429}}"#,
        )
        .unwrap();
        assert_eq!(body.error.code.as_deref(), Some("429"));
    }
}
