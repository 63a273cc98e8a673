//! What-if re-pricing: what a stretch of history would have cost on another model, from the
//! token counts the history stored. The admin API (`/api/costs/what-if`) and the CLI
//! (`switchyard costs --as MODEL`) both answer with [`WhatIf`].
//!
//! A long-context tier applies to exactly the requests that would have crossed it: those are
//! re-priced one by one, the others from token sums (the base tier is linear in tokens). The actual cost sums only the requests that had a
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

/// The token sums of a stretch of history, summed per kind of request (the daily roll-ups
/// give them), for re-pricing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WhatIfUsage {
    /// Requests that had a price, including those in `long`.
    pub priced: UsageSum,
    /// Requests whose model had no price, including those in `long`.
    pub unpriced: UsageSum,
    /// The requests above the target's long-context threshold, one by one: that tier prices
    /// a request whole, so sums cannot tell what they would cost.
    pub long: Vec<UsageRow>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct UsageSum {
    pub requests: u64,
    pub estimated: u64,
    pub usage: Usage,
    pub cost_usd: Option<f64>,
}

impl UsageSum {
    fn add(&mut self, row: &UsageRow, sign: i64) {
        let apply = |total: &mut u64, n: u64| *total = total.saturating_add_signed(sign * n as i64);
        apply(&mut self.requests, 1);
        apply(&mut self.estimated, u64::from(row.usage_estimated));
        apply(&mut self.usage.input_tokens, row.usage.input_tokens);
        apply(
            &mut self.usage.cached_input_tokens,
            row.usage.cached_input_tokens,
        );
        apply(
            &mut self.usage.cache_write_tokens,
            row.usage.cache_write_tokens,
        );
        apply(&mut self.usage.output_tokens, row.usage.output_tokens);
        apply(&mut self.usage.reasoning_tokens, row.usage.reasoning_tokens);
        if let Some(cost) = row.cost_usd {
            *self.cost_usd.get_or_insert(0.0) += sign as f64 * cost;
        }
    }
}

impl WhatIfUsage {
    /// The sums of `rows`, with those above `long_above` prompt tokens also kept whole.
    pub fn from_rows(rows: &[UsageRow], long_above: Option<u64>) -> WhatIfUsage {
        let mut out = WhatIfUsage::default();
        for row in rows {
            let group = if row.cost_usd.is_some() {
                &mut out.priced
            } else {
                &mut out.unpriced
            };
            group.add(row, 1);
            if long_above.is_some_and(|above| row.usage.input_tokens > above) {
                out.long.push(*row);
            }
        }
        out
    }
}

/// Re-prices `history` at `target`.
pub fn reprice(
    model: &str,
    target: &Priced,
    since: Option<String>,
    until: Option<String>,
    history: &WhatIfUsage,
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
    // The base tier is linear in tokens, so the sums price like the requests they sum once
    // the long-context ones are taken out (and priced one by one).
    let (mut priced, mut unpriced) = (history.priced, history.unpriced);
    for row in &history.long {
        if row.cost_usd.is_some() {
            priced.add(row, -1);
        } else {
            unpriced.add(row, -1);
        }
        let mut single = UsageSum::default();
        single.add(row, 1);
        out.add(&single, target.cost(&row.usage));
    }
    for sum in [priced, unpriced] {
        out.add(&sum, target.price.base.cost(&sum.usage, 0));
    }
    out
}

impl WhatIf {
    fn add(&mut self, sum: &UsageSum, cost: f64) {
        self.requests += sum.requests;
        self.input_tokens += sum.usage.input_tokens;
        self.cached_input_tokens += sum.usage.cached_input_tokens;
        self.cache_write_tokens += sum.usage.cache_write_tokens;
        self.output_tokens += sum.usage.output_tokens;
        self.estimated_requests += sum.estimated;
        self.what_if_cost_usd += cost;
        match sum.cost_usd {
            Some(actual) => {
                self.actual_cost_usd += actual;
                self.what_if_priced_cost_usd += cost;
            }
            None => self.unpriced_requests += sum.requests,
        }
    }
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
            checked: None,
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
        let history = WhatIfUsage::from_rows(&rows, None);
        let answer = reprice("gpt-4.1-mini", &target, None, None, &history);
        assert_eq!((answer.requests, answer.unpriced_requests), (2, 1));
        assert!((answer.actual_cost_usd - 2.6).abs() < 1e-12);
        assert!(
            (answer.what_if_priced_cost_usd - 0.5).abs() < 1e-12,
            "{answer:?}"
        );
        assert!((answer.what_if_cost_usd - 0.7).abs() < 1e-12, "{answer:?}");
        assert_eq!(answer.input_tokens, 1_500_000);
    }

    /// Sums price like the requests they sum, except across the long-context threshold: the
    /// requests above it are priced one by one at the long tier.
    #[test]
    fn requests_above_the_long_context_threshold_are_priced_at_the_long_tier_alone() {
        let rates = |input, output| Rates {
            input,
            output,
            ..Rates::default()
        };
        let target = Priced {
            price: ModelPrice {
                base: rates(1.0, 10.0),
                long: Some(crate::pricing::LongContext {
                    above: 200_000,
                    rates: rates(2.0, 20.0),
                }),
            },
            source: "config:test".into(),
            checked: None,
        };
        let row = |input, output, cost| UsageRow {
            usage: Usage {
                input_tokens: input,
                output_tokens: output,
                ..Usage::default()
            },
            cost_usd: cost,
            usage_estimated: false,
        };
        let rows = [
            row(150_000, 1_000, Some(0.1)),
            row(150_000, 1_000, None),
            row(250_000, 2_000, Some(0.2)),
            row(300_000, 0, None),
        ];
        let summed = reprice(
            "m",
            &target,
            None,
            None,
            &WhatIfUsage::from_rows(&rows, Some(200_000)),
        );
        // One by one: 0.16 + 0.16 at the base tier, 0.54 + 0.6 at the long one.
        let each: f64 = rows.iter().map(|r| target.cost(&r.usage)).sum();
        assert!((each - 1.46).abs() < 1e-9, "{each}");
        assert!((summed.what_if_cost_usd - each).abs() < 1e-9, "{summed:?}");
        assert!(
            (summed.what_if_priced_cost_usd - 0.7).abs() < 1e-9,
            "{summed:?}"
        );
        assert!((summed.actual_cost_usd - 0.3).abs() < 1e-9);
        assert_eq!((summed.requests, summed.unpriced_requests), (4, 2));
        assert_eq!(summed.input_tokens, 850_000);
        // Summed without taking the long ones out, the base tier would be used throughout.
        let wrong = reprice(
            "m",
            &target,
            None,
            None,
            &WhatIfUsage::from_rows(&rows, None),
        );
        assert!((wrong.what_if_cost_usd - each).abs() > 0.1);
    }
}
