//! What a request cost, by the cost formula in the README, and where that price came from.
//!
//! Prices are USD per million tokens. A price is looked up in three places, first hit wins:
//! the config's `[prices]` overrides, a price file imported with `switchyard prices import`
//! (LiteLLM's format, [`imported`]), and the built-in table compiled from
//! `prices/prices.toml` ([`builtin`]). Model names are normalised for the lookup
//! ([`normalise`]): dated snapshots, `-latest`, provider and OpenRouter prefixes, Bedrock and
//! Vertex spellings all find the same entry. An unpriced model has no cost (`None`), which the
//! history keeps as `null` rather than a misleading zero.
//!
//! The formula never changes with the source: cache reads and writes are billed at their own
//! prices, falling back to the input price when a model has none; a long-context tier, when
//! the request's prompt is larger than its threshold, prices the whole request. This module
//! knows nothing of HTTP or of the history's storage.

pub mod builtin;
pub mod imported;
pub mod normalise;
pub mod what_if;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use switchyard_protocol::Usage;

use crate::config::{Config, Price, Provider};

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

impl From<Price> for Rates {
    fn from(p: Price) -> Rates {
        Rates {
            input: p.input,
            output: p.output,
            cached_input: p.cached_input,
            cache_write: p.cache_write,
            cache_write_1h: None,
        }
    }
}

impl Rates {
    pub fn as_price(&self) -> Price {
        Price {
            input: self.input,
            output: self.output,
            cached_input: self.cached_input,
            cache_write: self.cache_write,
        }
    }

    /// The cost formula: uncached input, cache reads, cache writes and output, each at its
    /// own price, per million tokens. `writes_1h` of the cache writes (at most all of them)
    /// were 1-hour writes, billed at their own price.
    pub fn cost(&self, usage: &Usage, writes_1h: u64) -> f64 {
        let cached = self.cached_input.unwrap_or(self.input);
        let write = self.cache_write.unwrap_or(self.input);
        let write_1h = self.cache_write_1h.unwrap_or(write);
        let writes_1h = writes_1h.min(usage.cache_write_tokens);
        (usage.uncached_input_tokens() as f64 * self.input
            + usage.cached_input_tokens as f64 * cached
            + (usage.cache_write_tokens - writes_1h) as f64 * write
            + writes_1h as f64 * write_1h
            + usage.output_tokens as f64 * self.output)
            / 1e6
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

impl From<Price> for ModelPrice {
    fn from(p: Price) -> ModelPrice {
        ModelPrice {
            base: p.into(),
            long: None,
        }
    }
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
}

/// A price and where it came from, e.g. `config:openai/gpt-4.1`,
/// `imported:claude-sonnet-4-5`, `builtin:openai/gpt-4.1 (as of 2026-04)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Priced {
    pub price: ModelPrice,
    pub source: String,
}

impl Priced {
    pub fn cost(&self, usage: &Usage) -> f64 {
        self.price.cost(usage)
    }
}

/// The cost of `usage` at a flat `price`, in USD (no tiers, every cache write at the default
/// write price).
pub fn cost_usd(usage: &Usage, price: &Price) -> f64 {
    Rates::from(*price).cost(usage, 0)
}

/// The base price Switchyard uses for a provider's model, whatever its source. Kept for the
/// `cheapest` routing strategy, which compares list prices.
pub fn effective_price(config: &Config, provider: &str, model: &str) -> Option<Price> {
    lookup(config, provider, model).map(|p| p.price.base.as_price())
}

/// The price of `model` as sent to the provider with id `provider`: config overrides, then
/// the imported file, then the built-in table.
pub fn lookup(config: &Config, provider: &str, model: &str) -> Option<Priced> {
    let configured = config.provider(provider).map(|p| p.as_ref());
    find(config, Some(provider), configured, model)
}

/// The price of a model named the way a user would name it, e.g. for a what-if question:
/// a route alias (its first target), `provider/model`, a bare listed model, or any name the
/// price tables know.
pub fn lookup_named(config: &Config, name: &str) -> Option<Priced> {
    use crate::config::Resolution;
    match config.resolve(name) {
        Ok(Resolution::Direct(index, model)) => lookup(config, &config.providers[index].id, &model),
        Ok(Resolution::Route(route)) => route
            .targets
            .iter()
            .find_map(|(index, model)| lookup(config, &config.providers[*index].id, model)),
        Err(_) => find(config, None, None, name),
    }
}

fn find(
    config: &Config,
    provider_id: Option<&str>,
    provider: Option<&Provider>,
    model: &str,
) -> Option<Priced> {
    let candidates = normalise::candidates(model);
    if candidates.is_empty() {
        return None;
    }
    if let Some(found) = from_config(config, provider_id, model, &candidates) {
        return Some(found);
    }
    let home = builtin::table().home_sections(provider_id, provider);
    if let Some(imported) = &config.imported_prices
        && let Some(found) = imported.find(provider_id, &home, &candidates)
    {
        return Some(found);
    }
    builtin::table().find(&home, &candidates)
}

fn from_config(
    config: &Config,
    provider: Option<&str>,
    model: &str,
    candidates: &[String],
) -> Option<Priced> {
    if config.prices.is_empty() {
        return None;
    }
    let exact = std::iter::once(model.to_owned());
    for name in exact.chain(candidates.iter().cloned()) {
        let keys = provider
            .map(|p| format!("{p}/{name}"))
            .into_iter()
            .chain(std::iter::once(name));
        for key in keys {
            if let Some(price) = config.prices.get(&key) {
                return Some(Priced {
                    price: (*price).into(),
                    source: format!("config:{key}"),
                });
            }
        }
    }
    None
}
