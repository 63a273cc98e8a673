//! The figures of the dashboard's first page, read from the daily roll-ups so that the answer
//! stays small and fast however long the history is: spend, requests and errors over today, 7 and 30 days;
//! cost per day per provider; the top models and clients of the last 30 days.
//!
//! Days are UTC calendar days, as in [`super::costs`], so the two pages agree.

use rusqlite::Connection;
use serde::Serialize;

use super::query::Filter;
use super::totals::{Grouping, totals};

const DAY_MS: i64 = 86_400_000;
const TOP: usize = 8;

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Overview {
    pub today: Period,
    pub last_7_days: Period,
    pub last_30_days: Period,
    /// One entry per (day, provider) with requests in the last 30 days, oldest day first.
    pub cost_per_day: Vec<DayProviderCost>,
    pub top_models: Vec<TopRow>,
    pub top_clients: Vec<TopRow>,
}

/// Totals over a period that ends now.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Period {
    /// The first moment counted, RFC 3339.
    pub since: String,
    pub requests: u64,
    /// Requests whose outcome was not `ok`.
    pub errors: u64,
    pub cost_usd: f64,
    /// Requests that reached a provider but whose model has no known price.
    pub unpriced: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct DayProviderCost {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Null for requests refused before a provider was chosen.
    pub provider: Option<String>,
    pub requests: u64,
    pub cost_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct TopRow {
    pub key: Option<String>,
    pub requests: u64,
    /// Null when none of the group's requests had a price.
    pub cost_usd: Option<f64>,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// The overview as of `now_ms` (ms since the Unix epoch). The three periods are whole UTC
/// days, so they, the chart and the top lists are read from the daily roll-ups alone.
pub fn overview(conn: &Connection, now_ms: i64) -> rusqlite::Result<Overview> {
    let today_start = now_ms - now_ms.rem_euclid(DAY_MS);
    let since_7 = today_start - 6 * DAY_MS;
    let since_30 = today_start - 29 * DAY_MS;
    let last_30 = Filter {
        since_ms: Some(since_30),
        ..Filter::default()
    };
    let mut days = totals(conn, &last_30, Grouping::DayProvider)?;
    days.sort_by(|a, b| (&a.key, &a.key2).cmp(&(&b.key, &b.key2)));
    let period = |since_ms: i64| {
        let first_day = super::requests::rfc3339(since_ms)[..10].to_owned();
        let mut p = Period {
            since: super::requests::rfc3339(since_ms),
            requests: 0,
            errors: 0,
            cost_usd: 0.0,
            unpriced: 0,
        };
        for d in days.iter().filter(|d| {
            d.key
                .as_deref()
                .is_some_and(|day| day >= first_day.as_str())
        }) {
            p.requests += d.requests;
            p.errors += d.errors;
            p.cost_usd += d.cost_usd.unwrap_or(0.0);
            p.unpriced += d.unpriced;
        }
        p
    };
    Ok(Overview {
        today: period(today_start),
        last_7_days: period(since_7),
        last_30_days: period(since_30),
        top_models: top(conn, &last_30, Grouping::Model)?,
        top_clients: top(conn, &last_30, Grouping::Client)?,
        cost_per_day: days
            .into_iter()
            .map(|d| DayProviderCost {
                day: d.key.unwrap_or_default(),
                provider: d.key2,
                requests: d.requests,
                cost_usd: d.cost_usd.unwrap_or(0.0),
            })
            .collect(),
    })
}

/// The costliest groups (unpriced ones last), then the busiest, then by name.
fn top(conn: &Connection, filter: &Filter, grouping: Grouping) -> rusqlite::Result<Vec<TopRow>> {
    let mut groups = totals(conn, filter, grouping)?;
    groups.sort_by(|a, b| {
        b.cost_usd
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&a.cost_usd.unwrap_or(f64::NEG_INFINITY))
            .then(b.requests.cmp(&a.requests))
            .then_with(|| a.key.cmp(&b.key))
    });
    Ok(groups
        .into_iter()
        .take(TOP)
        .map(|t| TopRow {
            key: t.key,
            requests: t.requests,
            cost_usd: t.cost_usd,
            input_tokens: t.usage.input_tokens,
            output_tokens: t.usage.output_tokens,
        })
        .collect())
}
