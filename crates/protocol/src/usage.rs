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
}
