//! Usage, cost and the headers that report them, shared by every answer path.

use axum::http::{HeaderMap, HeaderValue};
use switchyard_protocol::Usage;

use crate::config::Config;
use crate::history::Record;

/// Fills usage and cost into a request's row. When the provider reported no usage, `estimate` supplies
/// (input, output) token estimates and the row is marked as estimated.
pub fn account(
    config: &Config,
    row: &mut Record,
    usage: Option<Usage>,
    estimate: impl FnOnce() -> (u64, u64),
) {
    match usage {
        Some(usage) => row.usage = usage,
        None => {
            let (input, output) = estimate();
            row.usage.input_tokens = input;
            row.usage.output_tokens = output;
            row.usage_estimated = true;
        }
    }
    let (Some(provider), Some(model)) = (row.provider.as_deref(), row.upstream_model.as_deref())
    else {
        return;
    };
    let priced = crate::pricing::lookup(config, provider, model);
    row.cost_usd = priced.as_ref().map(|p| p.cost(&row.usage));
    row.price_source = priced.map(|p| p.source);
}

/// Usage for an answer that did not reach its end (the client walked away, or the stream broke
/// off): what the provider reported so far (Anthropic's `message_start` carries the prompt's
/// tokens, Gemini sends running totals), with whatever it had not reported yet filled from the
/// estimates of the prompt and of the text already relayed. The provider bills all of it.
/// Always marked as estimated: the provider's final count never came.
pub fn account_partial(
    config: &Config,
    row: &mut Record,
    seen: Option<Usage>,
    estimated_input: impl FnOnce() -> u64,
    estimated_output: u64,
) {
    let mut usage = seen.unwrap_or_default();
    if usage.input_tokens == 0 {
        usage.input_tokens = estimated_input();
    }
    usage.output_tokens = usage.output_tokens.max(estimated_output);
    account(config, row, Some(usage), || (0, 0));
    row.usage_estimated = true;
}

/// `x-switchyard-provider`, `x-switchyard-model` and (for whole answers) `x-switchyard-cost-usd`.
pub fn decorate(
    headers: &mut HeaderMap,
    provider: Option<&str>,
    model: Option<&str>,
    cost: Option<f64>,
) {
    if let Some(value) = provider.and_then(|p| HeaderValue::from_str(p).ok()) {
        headers.insert("x-switchyard-provider", value);
    }
    if let Some(value) = model.and_then(|m| HeaderValue::from_str(m).ok()) {
        headers.insert("x-switchyard-model", value);
    }
    if let Some(value) = cost.and_then(|c| HeaderValue::from_str(&c.to_string()).ok()) {
        headers.insert("x-switchyard-cost-usd", value);
    }
}
