//! What a price is, apart from where it comes from: the tiers of one model and the cost
//! formula. A leaf, so that the configuration (which holds the imported table) and every
//! source of prices (config, imported file, built-in table) can share it without importing
//! one another.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use switchyard_protocol::Usage;

/// One tier's prices, USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rates {
    pub input: f64,
    pub output: f64,
    /// Cache reads; `None` means the input price.
    #[serde(default)]
    pub cached_input: Option<f64>,
    /// Cache writes at the default retention (Anthropic: 5 minutes); `None` means the input price.
    #[serde(default)]
    pub cache_write: Option<f64>,
    /// Anthropic's 1-hour cache writes; `None` means the default write price.
    #[serde(default)]
    pub cache_write_1h: Option<f64>,
}

impl Rates {
    /// The cost formula: uncached input, cache reads, cache writes and output, each at its
    /// own price, per million tokens. `writes_1h` of the cache writes (at most all of them)
    /// were 1-hour writes, billed at their own price.
    pub fn cost(&self, usage: &Usage, writes_1h: u64) -> f64 {
        self.priced_tokens(usage, writes_1h)
            .iter()
            .map(|(tokens, price)| *tokens as f64 * price)
            .sum::<f64>()
            / 1e6
    }

    /// The same formula, part by part: what the dashboard shows next to each kind of token.
    pub fn breakdown(&self, usage: &Usage, writes_1h: u64) -> CostBreakdown {
        let [
            uncached_input,
            cache_reads,
            cache_writes,
            cache_writes_1h,
            output,
        ] = self
            .priced_tokens(usage, writes_1h)
            .map(|(tokens, price)| tokens as f64 * price / 1e6);
        CostBreakdown {
            uncached_input,
            cache_reads,
            cache_writes,
            cache_writes_1h,
            output,
        }
    }

    /// Each kind of token with its price per million: uncached input, cache reads, cache
    /// writes at the default retention, 1-hour cache writes, output.
    fn priced_tokens(&self, usage: &Usage, writes_1h: u64) -> [(u64, f64); 5] {
        let cached = self.cached_input.unwrap_or(self.input);
        let write = self.cache_write.unwrap_or(self.input);
        let write_1h = self.cache_write_1h.unwrap_or(write);
        let writes_1h = writes_1h.min(usage.cache_write_tokens);
        [
            (usage.uncached_input_tokens(), self.input),
            (usage.cached_input_tokens, cached),
            (usage.cache_write_tokens - writes_1h, write),
            (writes_1h, write_1h),
            (usage.output_tokens, self.output),
        ]
    }
}

/// What each kind of token of one request cost, in USD. Its parts add up to the request's
/// cost (up to floating-point rounding).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, ts_rs::TS)]
pub struct CostBreakdown {
    pub uncached_input: f64,
    pub cache_reads: f64,
    pub cache_writes: f64,
    /// Anthropic's 1-hour cache writes, at their own price.
    pub cache_writes_1h: f64,
    pub output: f64,
}

impl CostBreakdown {
    pub fn total(&self) -> f64 {
        self.uncached_input
            + self.cache_reads
            + self.cache_writes
            + self.cache_writes_1h
            + self.output
    }
}

/// Prices of one model: a base tier and, for some, a long-context tier.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ModelPrice {
    pub base: Rates,
    pub long: Option<LongContext>,
}

/// Above `above` prompt tokens, the whole request is billed at `rates`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LongContext {
    pub above: u64,
    pub rates: Rates,
}

impl ModelPrice {
    /// The tier a request falls in. The prompt size is `input_tokens` in OpenAI semantics,
    /// so cache reads and writes count towards the threshold, as Anthropic and Google count.
    pub fn rates_for(&self, usage: &Usage) -> &Rates {
        match &self.long {
            Some(long) if usage.input_tokens > long.above => &long.rates,
            _ => &self.base,
        }
    }

    pub fn cost(&self, usage: &Usage) -> f64 {
        self.cost_with_1h_writes(usage, 0)
    }

    /// The cost when `writes_1h` of the cache writes were 1-hour writes. The canonical
    /// [`Usage`] carries one `cache_write_tokens` figure, so the proxy prices every write at
    /// the default (5-minute) price until usage says more.
    pub fn cost_with_1h_writes(&self, usage: &Usage, writes_1h: u64) -> f64 {
        self.rates_for(usage).cost(usage, writes_1h)
    }

    pub fn breakdown(&self, usage: &Usage) -> CostBreakdown {
        self.rates_for(usage).breakdown(usage, 0)
    }
}

/// A price and where it came from, e.g. `config:openai/gpt-4.1`,
/// `imported:claude-sonnet-4-5`, `builtin:openai/gpt-4.1 (as of 2026-04)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Priced {
    pub price: ModelPrice,
    pub source: String,
    /// For a built-in price, the day its table was last compared with the provider's prices;
    /// `None` for config and imported prices.
    pub checked: Option<String>,
}

impl Priced {
    pub fn cost(&self, usage: &Usage) -> f64 {
        self.price.cost(usage)
    }
}

/// Prices imported with `switchyard prices import` (parsed in [`super::imported`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportedPrices {
    /// Keys lower-cased: LiteLLM's exactly as in the file (`gpt-4.1`,
    /// `gemini/gemini-2.5-pro`), models.dev's as `provider/model` (and bare for makers).
    pub models: HashMap<String, ModelPrice>,
    /// Entries in the file that were not text models or had no token prices.
    pub skipped: usize,
    pub format: PriceFormat,
}

/// The format an imported price file was in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PriceFormat {
    /// LiteLLM's `model_prices_and_context_window.json`: prices per token.
    #[default]
    LiteLlm,
    /// models.dev's `api.json`: providers, their models, prices per million.
    ModelsDev,
}

impl PriceFormat {
    pub fn name(self) -> &'static str {
        match self {
            PriceFormat::LiteLlm => "LiteLLM",
            PriceFormat::ModelsDev => "models.dev",
        }
    }
}
