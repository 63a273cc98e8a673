//! What-if re-pricing: what a stretch of history would have cost on another model, from the
//! token counts the history stored. The admin API (`/api/costs/what-if`) and the CLI
//! (`switchyard costs --as MODEL`) both answer with [`WhatIf`].
//!
//! Each request is re-priced on its own, so a long-context tier applies to exactly the
//! requests that would have crossed it. The actual cost sums only the requests that had a
//! price; requests without one are counted apart, as is what they would have cost.

use serde::Serialize;
use switchyard_protocol::Usage;

use super::Priced;

/// One request's stored usage and cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UsageRow {
    pub usage: Usage,
    pub cost_usd: Option<f64>,
    pub usage_estimated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct WhatIf {
    /// The model the history is re-priced on, as asked.
    pub model: String,
    pub price_source: String,
    pub since: Option<String>,
    pub until: Option<String>,
    /// Requests in the period that used tokens.
    pub requests: u64,
    /// Of those, requests whose actual cost is unknown (their model had no price).
    pub unpriced_requests: u64,
    /// Of those, requests whose token counts are Switchyard's estimate.
    pub estimated_requests: u64,
    pub input_tokens: u64,
    pub cached_input_tokens: u64,
    pub cache_write_tokens: u64,
    pub output_tokens: u64,
    /// What the priced requests cost.
    pub actual_cost_usd: f64,
    /// What every request would have cost on `model`.
    pub what_if_cost_usd: f64,
    /// What the priced requests alone would have cost on `model`: the like-for-like figure
    /// to compare with `actual_cost_usd`.
    pub what_if_priced_cost_usd: f64,
}

/// Re-prices `rows` at `target`.
pub fn reprice(
    model: &str,
    target: &Priced,
    since: Option<String>,
    until: Option<String>,
    rows: &[UsageRow],
) -> WhatIf {
    let mut out = WhatIf {
        model: model.to_owned(),
        price_source: target.source.clone(),
        since,
        until,
        requests: 0,
        unpriced_requests: 0,
        estimated_requests: 0,
        input_tokens: 0,
        cached_input_tokens: 0,
        cache_write_tokens: 0,
        output_tokens: 0,
        actual_cost_usd: 0.0,
        what_if_cost_usd: 0.0,
        what_if_priced_cost_usd: 0.0,
    };
    for row in rows {
        let cost = target.cost(&row.usage);
        out.requests += 1;
        out.input_tokens += row.usage.input_tokens;
        out.cached_input_tokens += row.usage.cached_input_tokens;
        out.cache_write_tokens += row.usage.cache_write_tokens;
        out.output_tokens += row.usage.output_tokens;
        out.estimated_requests += u64::from(row.usage_estimated);
        out.what_if_cost_usd += cost;
        match row.cost_usd {
            Some(actual) => {
                out.actual_cost_usd += actual;
                out.what_if_priced_cost_usd += cost;
            }
            None => out.unpriced_requests += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::{ModelPrice, Rates};

    #[test]
    fn every_request_is_repriced_and_unpriced_ones_are_counted_apart() {
        let target = Priced {
            price: ModelPrice {
                base: Rates {
                    input: 0.4,
                    output: 1.6,
                    cached_input: Some(0.1),
                    ..Rates::default()
                },
                long: None,
            },
            source: "builtin:openai/gpt-4.1-mini (as of 2026-04)".into(),
        };
        let row = |input, cached, output, cost| UsageRow {
            usage: Usage {
                input_tokens: input,
                cached_input_tokens: cached,
                output_tokens: output,
                ..Usage::default()
            },
            cost_usd: cost,
            usage_estimated: false,
        };
        let rows = [
            // 1,000,000 in (200,000 cached), 100,000 out at $0.40/$0.10/$1.60:
            // 800,000 × 0.4 + 200,000 × 0.1 + 100,000 × 1.6 = 0.32 + 0.02 + 0.16 = $0.50.
            row(1_000_000, 200_000, 100_000, Some(2.6)),
            // 500,000 in, no output: 500,000 × 0.4 = $0.20; the actual cost is unknown.
            row(500_000, 0, 0, None),
        ];
        let answer = reprice("gpt-4.1-mini", &target, None, None, &rows);
        assert_eq!((answer.requests, answer.unpriced_requests), (2, 1));
        assert!((answer.actual_cost_usd - 2.6).abs() < 1e-12);
        assert!(
            (answer.what_if_priced_cost_usd - 0.5).abs() < 1e-12,
            "{answer:?}"
        );
        assert!((answer.what_if_cost_usd - 0.7).abs() < 1e-12, "{answer:?}");
        assert_eq!(answer.input_tokens, 1_500_000);
    }
}
