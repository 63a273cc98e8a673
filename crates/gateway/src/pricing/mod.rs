//! What a request cost, by the cost formula in the README, and where that price came from.
//!
//! Prices are USD per million tokens. A price is looked up in three places, first hit wins:
//! the config's `[prices]` overrides, a price file imported with `switchyard prices import`
//! (LiteLLM's or models.dev's format, [`imported`], [`models_dev`]), and the built-in table compiled from
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
pub mod models_dev;
pub mod normalise;
pub mod what_if;

pub mod rates;

#[cfg(test)]
mod tests;

pub use rates::{CostBreakdown, ImportedPrices, LongContext, ModelPrice, Priced, Rates};

use switchyard_protocol::Usage;

use crate::config::{Config, Price, Provider};

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
}

impl From<Price> for ModelPrice {
    fn from(p: Price) -> ModelPrice {
        ModelPrice {
            base: p.into(),
            long: None,
        }
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

/// How a recorded request's cost splits by kind of token: today's price for its target,
/// when that price has the recorded source and still gives the recorded total. A changed
/// override gives no split rather than a wrong one.
pub fn recorded_breakdown(
    config: &Config,
    target: (&str, &str),
    source: &str,
    usage: &Usage,
    cost_usd: f64,
) -> Option<CostBreakdown> {
    let priced = lookup(config, target.0, target.1).filter(|p| p.source == source)?;
    let breakdown = priced.price.breakdown(usage);
    let tolerance = (cost_usd.abs() * 1e-6).max(1e-12);
    ((breakdown.total() - cost_usd).abs() <= tolerance).then_some(breakdown)
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
                    checked: None,
                });
            }
        }
    }
    None
}
