//! What a request cost, by SPEC §5's formula.
//!
//! Prices are USD per million tokens. Cache reads and cache writes are billed at their own
//! prices, falling back to the input price when a model has none; an unpriced model has no
//! cost (`None`), which the history keeps as `null` rather than a misleading zero.

use switchyard_protocol::Usage;

use crate::config::{Config, Price};

/// The cost of `usage` at `price`, in USD.
pub fn cost_usd(usage: &Usage, price: &Price) -> f64 {
    let cached = price.cached_input.unwrap_or(price.input);
    let write = price.cache_write.unwrap_or(price.input);
    (usage.uncached_input_tokens() as f64 * price.input
        + usage.cached_input_tokens as f64 * cached
        + usage.cache_write_tokens as f64 * write
        + usage.output_tokens as f64 * price.output)
        / 1e6
}

/// The price Switchyard uses for a provider's model: the config's `[prices]` override.
pub fn effective_price(config: &Config, provider: &str, model: &str) -> Option<Price> {
    config.price_override(provider, model)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price(input: f64, output: f64, cached: Option<f64>, write: Option<f64>) -> Price {
        Price {
            input,
            output,
            cached_input: cached,
            cache_write: write,
        }
    }

    #[test]
    fn plain_input_and_output() {
        // gpt-4.1 at $2 / $8: 1,000 in + 500 out = 0.002 + 0.004.
        let usage = Usage {
            input_tokens: 1000,
            output_tokens: 500,
            ..Usage::default()
        };
        assert_eq!(cost_usd(&usage, &price(2.0, 8.0, None, None)), 0.006);
    }

    #[test]
    fn cached_reads_are_part_of_input_but_billed_at_the_cache_price() {
        // 10,000 prompt tokens of which 8,000 were cache reads at $0.50:
        // 2,000 × 2 + 8,000 × 0.5 + 100 × 8 = 4,000 + 4,000 + 800 = 8,800 micro-dollars.
        let usage = Usage {
            input_tokens: 10_000,
            cached_input_tokens: 8_000,
            output_tokens: 100,
            ..Usage::default()
        };
        assert_eq!(cost_usd(&usage, &price(2.0, 8.0, Some(0.5), None)), 0.0088);
    }

    #[test]
    fn cache_writes_use_their_price_and_fall_back_to_input() {
        // Anthropic-style: 3,000 prompt tokens, 2,000 of them written to cache at $3.75.
        let usage = Usage {
            input_tokens: 3_000,
            cache_write_tokens: 2_000,
            output_tokens: 0,
            ..Usage::default()
        };
        let with_write_price = cost_usd(&usage, &price(3.0, 15.0, Some(0.3), Some(3.75)));
        assert!(
            (with_write_price - 0.0105).abs() < 1e-15,
            "{with_write_price}"
        );
        let without = cost_usd(&usage, &price(3.0, 15.0, None, None));
        assert!(
            (without - 0.009).abs() < 1e-15,
            "missing write price means input price: {without}"
        );
    }

    #[test]
    fn reasoning_tokens_are_already_inside_output() {
        let usage = Usage {
            input_tokens: 0,
            output_tokens: 1000,
            reasoning_tokens: 800,
            ..Usage::default()
        };
        assert_eq!(cost_usd(&usage, &price(1.0, 4.0, None, None)), 0.004);
    }
}
