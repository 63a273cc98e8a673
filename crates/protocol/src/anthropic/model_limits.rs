//! Output limits of Anthropic's models, for the `max_tokens` the Messages API requires.
//!
//! A request from another format often has no output limit, or one above what the model takes
//! (OpenAI clients ask for 100k+ for GPT-5), and Anthropic rejects both. The table is small and
//! errs low: a limit too low truncates an answer, a limit too high fails the whole request.
//! Names this module does not know (newer Claude models, Anthropic-compatible providers) get
//! the current models' 64,000.

/// Output limits by model name. Names are matched loosely so that dated and provider-prefixed
/// spellings (`claude-opus-4-1-20250805`, `anthropic/claude-3-5-haiku`) are recognised.
pub(super) struct ModelLimits {
    /// The most output tokens (thinking included) the model accepts as `max_tokens`.
    pub max_output: u64,
    /// Whether the model accepts `thinking`.
    pub thinking: bool,
}

impl ModelLimits {
    pub fn of(model: &str) -> ModelLimits {
        let m = model.to_ascii_lowercase().replace('.', "-");
        let (max_output, thinking) = if m.contains("claude-3-haiku")
            || m.contains("claude-3-opus")
            || m.contains("claude-3-sonnet")
        {
            (4096, false)
        } else if m.contains("claude-3-5") {
            (8192, false)
        } else if m.contains("claude-opus-4-0")
            || m.contains("claude-opus-4-1")
            || m.contains("claude-opus-4-2025")
            || m.ends_with("claude-opus-4")
        {
            (32000, true)
        } else {
            (64000, true)
        };
        ModelLimits {
            max_output,
            thinking,
        }
    }

    /// `max_tokens` when the request has none.
    pub fn default_max_tokens(&self) -> u64 {
        self.max_output.min(8192)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dated_and_prefixed_model_names_are_recognised() {
        assert_eq!(ModelLimits::of("claude-opus-4-20250514").max_output, 32000);
        assert_eq!(
            ModelLimits::of("anthropic/claude-opus-4.1").max_output,
            32000
        );
        assert_eq!(
            ModelLimits::of("claude-opus-4-5-20251101").max_output,
            64000
        );
        assert_eq!(
            ModelLimits::of("claude-3-5-sonnet-20241022").max_output,
            8192
        );
        assert!(!ModelLimits::of("claude-3-5-sonnet-20241022").thinking);
        assert!(ModelLimits::of("claude-3-7-sonnet-latest").thinking);
        assert_eq!(ModelLimits::of("deepseek-chat").default_max_tokens(), 8192);
    }
}
