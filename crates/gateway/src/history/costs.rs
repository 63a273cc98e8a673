//! Cost and token totals grouped by day, model, provider, tag, client (the user agent's tool)
//! or client key.

use rusqlite::Connection;
use serde::Serialize;
use switchyard_protocol::Usage;

use super::query::Filter;
use crate::pricing::what_if::UsageRow;

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
    let (where_sql, params) = filter.to_sql();
    let (key, from, order) = match by {
        GroupBy::Day => (
            "strftime('%Y-%m-%d', started_at / 1000, 'unixepoch')",
            "requests",
            "key ASC",
        ),
        GroupBy::Model => (
            "COALESCE(upstream_model, requested_model)",
            "requests",
            "cost DESC, key",
        ),
        GroupBy::Provider => ("provider", "requests", "cost DESC, key"),
        GroupBy::Client => ("client", "requests", "cost DESC, key"),
        GroupBy::ClientKey => ("client_key", "requests", "cost DESC, key"),
        GroupBy::Tag => (
            "CASE WHEN t.value = '' THEN t.key ELSE t.key || '=' || t.value END",
            "requests JOIN request_tags t ON t.request_id = requests.id",
            "cost DESC, key",
        ),
    };
    let sql = format!(
        "SELECT {key} AS key, COUNT(*), SUM(input_tokens), SUM(cached_input_tokens),
                SUM(cache_write_tokens), SUM(output_tokens), SUM(reasoning_tokens),
                SUM(cost_usd) AS cost
         FROM {from} {where_sql} GROUP BY key ORDER BY {order}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(params.iter()), |row| {
            Ok(CostRow {
                key: row.get(0)?,
                requests: row.get::<_, i64>(1)? as u64,
                input_tokens: row.get::<_, i64>(2)? as u64,
                cached_input_tokens: row.get::<_, i64>(3)? as u64,
                cache_write_tokens: row.get::<_, i64>(4)? as u64,
                output_tokens: row.get::<_, i64>(5)? as u64,
                reasoning_tokens: row.get::<_, i64>(6)? as u64,
                cost_usd: row.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let total: Option<f64> = conn.query_row(
        &format!("SELECT SUM(cost_usd) FROM requests {where_sql}"),
        rusqlite::params_from_iter(params.iter()),
        |row| row.get(0),
    )?;
    Ok(CostReport {
        rows,
        total_cost_usd: total.unwrap_or(0.0),
    })
}

/// The stored usage and cost of every request matching `filter` that reached a provider and
/// used tokens, for re-pricing (what-if).
pub fn usage_rows(conn: &Connection, filter: &Filter) -> rusqlite::Result<Vec<UsageRow>> {
    let (where_sql, params) = filter.to_sql();
    let used = "provider IS NOT NULL AND (input_tokens > 0 OR output_tokens > 0)";
    let where_sql = if where_sql.is_empty() {
        format!("WHERE {used}")
    } else {
        format!("{where_sql} AND {used}")
    };
    let sql = format!(
        "SELECT input_tokens, cached_input_tokens, cache_write_tokens, output_tokens,
                reasoning_tokens, cost_usd, usage_estimated
         FROM requests {where_sql}"
    );
    let mut stmt = conn.prepare(&sql)?;
    stmt.query_map(rusqlite::params_from_iter(params.iter()), |row| {
        Ok(UsageRow {
            usage: Usage {
                input_tokens: row.get::<_, i64>(0)? as u64,
                cached_input_tokens: row.get::<_, i64>(1)? as u64,
                cache_write_tokens: row.get::<_, i64>(2)? as u64,
                output_tokens: row.get::<_, i64>(3)? as u64,
                reasoning_tokens: row.get::<_, i64>(4)? as u64,
            },
            cost_usd: row.get(5)?,
            usage_estimated: row.get(6)?,
        })
    })?
    .collect()
}

/// Total known cost of the requests started at or after `since_ms` (the budgets' starting
/// point when the gateway starts).
pub fn spent_since(conn: &Connection, since_ms: i64) -> rusqlite::Result<f64> {
    conn.query_row(
        "SELECT COALESCE(SUM(cost_usd), 0.0) FROM requests WHERE started_at >= ?1",
        [since_ms],
        |row| row.get(0),
    )
}
