//! OpenAI usage objects and the mock's deterministic token arithmetic.
//!
//! Tests of usage accounting (and the benchmark) need numbers they can
//! predict: a text costs `ceil(chars / 4)` tokens, each chat message 4 more,
//! each tool definition 10, and an answer one token per streamed piece. Any
//! number can be pinned through `mock.usage` (see [`UsageOverride`]).

use serde::Serialize;

use crate::script::UsageOverride;

/// Reasoning tokens reported when the request carries `reasoning_effort`.
pub const REASONING_TOKENS: u64 = 16;

/// Tokens a text costs: `ceil(chars / 4)`.
pub fn text_tokens(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4)
}

/// Chat completions' usage object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ChatUsage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
    pub prompt_tokens_details: PromptTokensDetails,
    pub completion_tokens_details: CompletionTokensDetails,
}

/// `usage.prompt_tokens_details`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PromptTokensDetails {
    pub cached_tokens: u64,
    pub audio_tokens: u64,
}

/// `usage.completion_tokens_details`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CompletionTokensDetails {
    pub reasoning_tokens: u64,
    pub audio_tokens: u64,
    pub accepted_prediction_tokens: u64,
    pub rejected_prediction_tokens: u64,
}

/// Legacy completions' and embeddings' plain usage object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PlainUsage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
}

impl ChatUsage {
    /// Usage for `prompt` tokens in and `pieces` answer pieces out, with
    /// `reasoning` hidden tokens, unless `mock.usage` pins the numbers.
    pub fn compute(prompt: u64, pieces: u64, reasoning: u64, pinned: &UsageOverride) -> Self {
        let prompt_tokens = pinned.prompt_tokens.unwrap_or(prompt);
        let reasoning_tokens = pinned.reasoning_tokens.unwrap_or(reasoning);
        let completion_tokens = pinned
            .completion_tokens
            .unwrap_or(pieces + reasoning_tokens);
        ChatUsage {
            prompt_tokens,
            completion_tokens,
            total_tokens: prompt_tokens + completion_tokens,
            prompt_tokens_details: PromptTokensDetails {
                cached_tokens: pinned.cached_tokens.unwrap_or(0),
                audio_tokens: 0,
            },
            completion_tokens_details: CompletionTokensDetails {
                reasoning_tokens,
                audio_tokens: 0,
                accepted_prediction_tokens: 0,
                rejected_prediction_tokens: 0,
            },
        }
    }

    /// The same numbers without the details, as legacy completions report them.
    pub fn plain(&self) -> PlainUsage {
        PlainUsage {
            prompt_tokens: self.prompt_tokens,
            completion_tokens: self.completion_tokens,
            total_tokens: self.total_tokens,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn completion_includes_reasoning_unless_pinned() {
        let usage = ChatUsage::compute(10, 5, REASONING_TOKENS, &UsageOverride::default());
        assert_eq!(usage.completion_tokens, 21);
        assert_eq!(usage.total_tokens, 31);
        let pinned = UsageOverride {
            completion_tokens: Some(3),
            cached_tokens: Some(2),
            ..UsageOverride::default()
        };
        let usage = ChatUsage::compute(10, 5, REASONING_TOKENS, &pinned);
        assert_eq!(usage.completion_tokens, 3);
        assert_eq!(usage.prompt_tokens_details.cached_tokens, 2);
        assert_eq!(usage.total_tokens, 13);
    }

    #[test]
    fn text_costs_a_token_per_four_chars() {
        assert_eq!(text_tokens(""), 0);
        assert_eq!(text_tokens("abcd"), 1);
        assert_eq!(text_tokens("abcde"), 2);
    }
}
