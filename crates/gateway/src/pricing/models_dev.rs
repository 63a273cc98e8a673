//! Prices in models.dev's `api.json` format, the catalogue opencode and other clients read.
//!
//! The file is an object of providers (`openai`, `anthropic`, `google`, `openrouter`, …), each
//! with `models`, an object of model ids; a model's `cost` is USD per million tokens already:
//! `input`, `output`, `cache_read` → cached input, `cache_write` → cache write. Long-context
//! prices come as `tiers` (`{"tier": {"type": "context", "size": N}, "input": …}`: above N
//! prompt tokens) or, in older files, as `context_over_200k`; the lowest context tier is kept,
//! since one request falls in one tier. Models without an input and output price are skipped.
//!
//! Each model is stored as `provider/model`, with Google's models under `gemini/` as in
//! LiteLLM's files, so that one lookup serves both formats; the makers' own models (the
//! built-in table's first-party sections: OpenAI, Anthropic, Google, …) are also stored bare
//! (`gpt-4.1`), for providers Switchyard does not recognise by id. A host of other makers'
//! models (Groq, OpenRouter) never claims a bare name.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::builtin;
use super::rates::{LongContext, ModelPrice, Rates};

/// Whether `entries` (the file's top level) looks like models.dev's: providers with `models`.
pub fn is_models_dev(entries: &Map<String, Value>) -> bool {
    entries
        .values()
        .any(|provider| provider.get("models").is_some_and(Value::is_object))
}

/// The priced models of the file, keyed as described above, and how many were skipped.
pub fn prices(entries: &Map<String, Value>) -> (HashMap<String, ModelPrice>, usize) {
    let mut models = HashMap::new();
    let mut skipped = 0;
    let makers: Vec<&str> = builtin::table()
        .sections
        .iter()
        .filter(|s| s.first_party)
        .map(|s| s.key.as_str())
        .collect();
    let mut bare: Vec<(usize, String, ModelPrice)> = Vec::new();
    for (provider, entry) in entries {
        let Some(listed) = entry.get("models").and_then(Value::as_object) else {
            continue;
        };
        let provider = provider.to_ascii_lowercase();
        let prefix = if provider == "google" {
            "gemini"
        } else {
            &provider
        };
        let rank = makers.iter().position(|p| *p == provider);
        for (id, model) in listed {
            let Some(price) = model.get("cost").and_then(Value::as_object).and_then(price) else {
                skipped += 1;
                continue;
            };
            let id = id.to_ascii_lowercase();
            models.insert(format!("{prefix}/{id}"), price);
            if let Some(rank) = rank {
                bare.push((rank, id, price));
            }
        }
    }
    // The maker's own price for a bare name: a reseller listing the same id comes later.
    bare.sort_by_key(|(rank, _, _)| *rank);
    for (_, id, price) in bare {
        models.entry(id).or_insert(price);
    }
    (models, skipped)
}

fn price(cost: &Map<String, Value>) -> Option<ModelPrice> {
    let base = rates(cost)?;
    let long = lowest_context_tier(cost)
        .or_else(|| {
            let over = cost.get("context_over_200k")?.as_object()?;
            Some((200_000, over))
        })
        .and_then(|(above, tier)| {
            let tier_rates = rates(tier)?;
            Some(LongContext {
                above,
                rates: Rates {
                    cached_input: tier_rates.cached_input.or(base.cached_input),
                    cache_write: tier_rates.cache_write.or(base.cache_write),
                    ..tier_rates
                },
            })
        });
    Some(ModelPrice { base, long })
}

fn rates(cost: &Map<String, Value>) -> Option<Rates> {
    let number = |key: &str| {
        cost.get(key)
            .and_then(Value::as_f64)
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    Some(Rates {
        input: number("input")?,
        output: number("output")?,
        cached_input: number("cache_read"),
        cache_write: number("cache_write"),
        cache_write_1h: None,
    })
}

/// The context tier with the smallest threshold, and its prices.
fn lowest_context_tier(cost: &Map<String, Value>) -> Option<(u64, &Map<String, Value>)> {
    cost.get("tiers")?
        .as_array()?
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|tier| {
            let kind = tier.get("tier")?;
            if kind.get("type").and_then(Value::as_str) != Some("context") {
                return None;
            }
            Some((kind.get("size")?.as_u64()?, tier))
        })
        .min_by_key(|(size, _)| *size)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../../tests/fixtures/models-dev-api.json");

    fn parsed() -> (HashMap<String, ModelPrice>, usize) {
        let Value::Object(entries) = serde_json::from_str(FIXTURE).unwrap() else {
            panic!("the fixture is an object");
        };
        assert!(is_models_dev(&entries));
        prices(&entries)
    }

    #[test]
    fn costs_are_per_million_already_and_cache_prices_map_onto_ours() {
        let (models, _) = parsed();
        let sonnet = models["anthropic/claude-sonnet-4-5"];
        assert_eq!(sonnet.base.input, 3.0);
        assert_eq!(sonnet.base.output, 15.0);
        assert_eq!(sonnet.base.cached_input, Some(0.3));
        assert_eq!(sonnet.base.cache_write, Some(3.75));
    }

    #[test]
    fn the_lowest_context_tier_or_context_over_200k_is_the_long_context_price() {
        let (models, _) = parsed();
        let gpt = models["openai/gpt-5.5"].long.unwrap();
        assert_eq!(gpt.above, 200_000, "the 200k tier, not the 272k one");
        assert_eq!(gpt.rates.input, 10.0);
        let gemini = models["gemini/gemini-2.5-pro"].long.unwrap();
        assert_eq!(
            gemini.above, 200_000,
            "context_over_200k when there are no tiers"
        );
        assert_eq!(gemini.rates.output, 15.0);
        assert_eq!(
            gemini.rates.cached_input,
            Some(0.31),
            "a tier without its own cache price keeps the base one"
        );
    }

    #[test]
    fn first_party_models_are_also_bare_and_the_maker_wins_over_a_reseller() {
        let (models, skipped) = parsed();
        assert_eq!(
            models["gpt-4.1"].base.input, 2.0,
            "openai's own, not the reseller's"
        );
        assert_eq!(models["reseller/gpt-4.1"].base.input, 2.5);
        assert!(
            models.contains_key("openrouter/openai/gpt-4.1"),
            "ids with a slash keep it"
        );
        assert_eq!(skipped, 1, "the embedding model without an output price");
    }
}
