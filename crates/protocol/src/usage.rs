//! The canonical token count every API's usage maps into.
//!
//! Semantics are OpenAI's, whatever the provider: `input_tokens` counts every prompt
//! token including cache reads and cache writes; `output_tokens` includes reasoning tokens.
//! Each API module converts its own usage shape into this one, so the history and the cost
//! formula never need to know which provider answered.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub cached_input_tokens: u64,
    pub cache_write_tokens: u64,
    pub output_tokens: u64,
    pub reasoning_tokens: u64,
}

impl Usage {
    /// Prompt tokens billed at the plain input price: neither read from nor written to a cache.
    /// Saturates so that a provider reporting inconsistent numbers cannot produce a negative cost.
    pub fn uncached_input_tokens(&self) -> u64 {
        self.input_tokens
            .saturating_sub(self.cached_input_tokens)
            .saturating_sub(self.cache_write_tokens)
    }

    /// Takes a later report into this one, field by field: a field the later report gives (not
    /// zero) wins. Providers report usage in pieces (Anthropic's input in `message_start` and
    /// output in `message_delta`; OpenAI's in a last chunk), and an encoder or meter must add
    /// up to the whole without a later piece zeroing an earlier one.
    pub fn merge(&mut self, later: &Usage) {
        let pick = |old: &mut u64, new: u64| {
            if new != 0 {
                *old = new;
            }
        };
        pick(&mut self.input_tokens, later.input_tokens);
        pick(&mut self.cached_input_tokens, later.cached_input_tokens);
        pick(&mut self.cache_write_tokens, later.cache_write_tokens);
        pick(&mut self.output_tokens, later.output_tokens);
        pick(&mut self.reasoning_tokens, later.reasoning_tokens);
    }
}

#[cfg(test)]
mod tests {
    use super::Usage;

    #[test]
    fn a_later_report_wins_only_where_it_says_something() {
        let mut usage = Usage {
            input_tokens: 1200,
            cached_input_tokens: 1000,
            ..Usage::default()
        };
        usage.merge(&Usage {
            output_tokens: 40,
            ..Usage::default()
        });
        assert_eq!(
            usage,
            Usage {
                input_tokens: 1200,
                cached_input_tokens: 1000,
                output_tokens: 40,
                ..Usage::default()
            },
            "output from message_delta joins input from message_start"
        );
        usage.merge(&Usage {
            input_tokens: 1300,
            output_tokens: 45,
            ..Usage::default()
        });
        assert_eq!(
            (
                usage.input_tokens,
                usage.cached_input_tokens,
                usage.output_tokens
            ),
            (1300, 1000, 45)
        );
    }
}
