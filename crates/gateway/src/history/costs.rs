//! Cost and token totals grouped by day, model, provider, tag, client (the user agent's tool)
//! or client key.

use rusqlite::Connection;
use serde::Serialize;
use switchyard_protocol::Usage;

use super::query::Filter;
use super::requests::LONG_PROMPT_INDEXED;
use super::totals::{Grouping, overall, totals};
use crate::pricing::what_if::{UsageRow, UsageSum, WhatIfUsage};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Day,
    Model,
    Provider,
    Tag,
    Client,
    /// The Switchyard client key's name.
    ClientKey,
}

impl GroupBy {
    pub fn parse(text: &str) -> Option<GroupBy> {
        Some(match text {
            "day" => GroupBy::Day,
            "model" => GroupBy::Model,
            "provider" => GroupBy::Provider,
            "tag" => GroupBy::Tag,
            "client" => GroupBy::Client,
            "client_key" => GroupBy::ClientKey,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct CostRow {
    pub key: Option<String>,
    pub requests: u64,
    pub input_tokens: u64,
    pub cached_input_tokens: u64,
    pub cache_write_tokens: u64,
    pub output_tokens: u64,
    pub reasoning_tokens: u64,
    /// `None` when no request in the group had a known price.
    pub cost_usd: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct CostReport {
    pub rows: Vec<CostRow>,
    pub total_cost_usd: f64,
}

/// Groups the requests matching `filter`. Days are UTC calendar days. A request with several
/// tags counts once under each; `total_cost_usd` still counts it once.
pub fn report(conn: &Connection, by: GroupBy, filter: &Filter) -> rusqlite::Result<CostReport> {
    let grouping = match by {
        GroupBy::Day => Grouping::Day,
        GroupBy::Model => Grouping::Model,
        GroupBy::Provider => Grouping::Provider,
        GroupBy::Tag => Grouping::Tag,
        GroupBy::Client => Grouping::Client,
        GroupBy::ClientKey => Grouping::ClientKey,
    };
    let mut rows: Vec<CostRow> = totals(conn, filter, grouping)?
        .into_iter()
        .map(|t| CostRow {
            key: t.key,
            requests: t.requests,
            input_tokens: t.usage.input_tokens,
            cached_input_tokens: t.usage.cached_input_tokens,
            cache_write_tokens: t.usage.cache_write_tokens,
            output_tokens: t.usage.output_tokens,
            reasoning_tokens: t.usage.reasoning_tokens,
            cost_usd: t.cost_usd,
        })
        .collect();
    if by == GroupBy::Day {
        rows.sort_by(|a, b| a.key.cmp(&b.key));
    } else {
        // Costliest first (unpriced groups last, as SQL sorts nulls), then by name.
        rows.sort_by(|a, b| {
            b.cost_usd
                .unwrap_or(f64::NEG_INFINITY)
                .total_cmp(&a.cost_usd.unwrap_or(f64::NEG_INFINITY))
                .then_with(|| a.key.cmp(&b.key))
        });
    }
    let total = if by == GroupBy::Tag {
        overall(conn, filter)?.cost_usd
    } else {
        rows.iter().filter_map(|r| r.cost_usd).reduce(|a, b| a + b)
    };
    Ok(CostReport {
        rows,
        total_cost_usd: total.unwrap_or(0.0),
    })
}

/// What what-if re-prices: the token sums of the requests matching `filter` that reached a
/// provider and used tokens, priced ones apart from the others, with the requests above
/// `long_above` prompt tokens (the target's long-context threshold) given one by one, since
/// the long tier prices each of them whole.
pub fn what_if_usage(
    conn: &Connection,
    filter: &Filter,
    long_above: Option<u64>,
) -> rusqlite::Result<WhatIfUsage> {
    let mut sums = WhatIfUsage::default();
    for t in totals(conn, filter, Grouping::Priced)? {
        let group = UsageSum {
            requests: t.used,
            estimated: t.estimated,
            usage: t.usage,
            cost_usd: t.cost_usd,
        };
        if t.key.as_deref() == Some("1") {
            sums.priced = group;
        } else {
            sums.unpriced = group;
        }
    }
    if let Some(above) = long_above {
        let (where_sql, mut params) = filter.to_sql();
        params.push(rusqlite::types::Value::Integer(above as i64));
        let n = params.len();
        // Prompts that large used tokens; whether they reached a provider is asked apart, so
        // that SQLite reads the partial index of long prompts (the literal bound lets it).
        let (rows, indexed) = if above >= LONG_PROMPT_INDEXED {
            (
                "requests r INDEXED BY requests_long_prompts",
                format!(" AND r.input_tokens > {LONG_PROMPT_INDEXED}"),
            )
        } else {
            ("requests r", String::new())
        };
        let clause = format!("r.input_tokens > ?{n}{indexed} AND +r.provider IS NOT NULL");
        let where_sql = if where_sql.is_empty() {
            format!("WHERE {clause}")
        } else {
            format!("{where_sql} AND {clause}")
        };
        let sql = format!("SELECT {USAGE_COLUMNS} FROM {rows} {where_sql}");
        let mut stmt = conn.prepare(&sql)?;
        sums.long = stmt
            .query_map(rusqlite::params_from_iter(params.iter()), usage_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
    }
    Ok(sums)
}

/// The columns [`usage_row`] reads, in order (`r` is `requests`).
pub(super) const USAGE_COLUMNS: &str = "r.input_tokens, r.cached_input_tokens, \
    r.cache_write_tokens, r.output_tokens, r.reasoning_tokens, r.cost_usd, r.usage_estimated";

/// One request's usage and cost, from [`USAGE_COLUMNS`].
pub(super) fn usage_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<UsageRow> {
    let tokens = |i| row.get::<_, i64>(i).map(|n| n.max(0) as u64);
    Ok(UsageRow {
        usage: Usage {
            input_tokens: tokens(0)?,
            cached_input_tokens: tokens(1)?,
            cache_write_tokens: tokens(2)?,
            output_tokens: tokens(3)?,
            reasoning_tokens: tokens(4)?,
        },
        cost_usd: row.get(5)?,
        usage_estimated: row.get(6)?,
    })
}

/// Total known cost of the requests started at or after `since_ms` (the budgets' starting
/// point when the gateway starts).
/// Requests and spend since `since_ms` (the start of today, for the live figures).
pub fn today_since(conn: &Connection, since_ms: i64) -> rusqlite::Result<crate::budgets::Today> {
    let since = Filter {
        since_ms: Some(since_ms),
        ..Filter::default()
    };
    let totals = overall(conn, &since)?;
    Ok(crate::budgets::Today {
        cost_usd: totals.cost_usd.unwrap_or(0.0),
        requests: totals.requests,
    })
}

pub fn spent_since(conn: &Connection, since_ms: i64) -> rusqlite::Result<f64> {
    let since = Filter {
        since_ms: Some(since_ms),
        ..Filter::default()
    };
    Ok(overall(conn, &since)?.cost_usd.unwrap_or(0.0))
}
