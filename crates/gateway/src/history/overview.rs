//! The figures of the dashboard's first page, computed in SQL so that the answer stays small
//! and fast however long the history is: spend, requests and errors over today, 7 and 30 days;
//! cost per day per provider; the top models and clients of the last 30 days.
//!
//! Days are UTC calendar days, as in [`super::costs`], so the two pages agree.

use rusqlite::Connection;
use serde::Serialize;

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
/// days, so one pass grouped by day and provider yields them and the chart alike.
pub fn overview(conn: &Connection, now_ms: i64) -> rusqlite::Result<Overview> {
    let today_start = now_ms - now_ms.rem_euclid(DAY_MS);
    let since_7 = today_start - 6 * DAY_MS;
    let since_30 = today_start - 29 * DAY_MS;
    let days = per_day(conn, since_30)?;
    let period = |since_ms: i64| {
        let first_day = super::requests::rfc3339(since_ms)[..10].to_owned();
        let mut p = Period {
            since: super::requests::rfc3339(since_ms),
            requests: 0,
            errors: 0,
            cost_usd: 0.0,
            unpriced: 0,
        };
        for d in days.iter().filter(|d| d.cost.day >= first_day) {
            p.requests += d.cost.requests;
            p.errors += d.errors;
            p.cost_usd += d.cost.cost_usd;
            p.unpriced += d.unpriced;
        }
        p
    };
    Ok(Overview {
        today: period(today_start),
        last_7_days: period(since_7),
        last_30_days: period(since_30),
        top_models: top(conn, "COALESCE(upstream_model, requested_model)", since_30)?,
        top_clients: top(conn, "client", since_30)?,
        cost_per_day: days.into_iter().map(|d| d.cost).collect(),
    })
}

struct Day {
    cost: DayProviderCost,
    errors: u64,
    unpriced: u64,
}

fn per_day(conn: &Connection, since_ms: i64) -> rusqlite::Result<Vec<Day>> {
    let mut stmt = conn.prepare_cached(
        "SELECT started_at / 86400000 AS day, provider,
                COUNT(*), COALESCE(SUM(cost_usd), 0.0), SUM(outcome <> 'ok'),
                SUM(cost_usd IS NULL AND provider IS NOT NULL
                    AND (input_tokens > 0 OR output_tokens > 0))
         FROM requests WHERE started_at >= ?1
         GROUP BY day, provider ORDER BY day, provider",
    )?;
    stmt.query_map([since_ms], |row| {
        Ok(Day {
            cost: DayProviderCost {
                // Grouped by day number (cheap integer maths per row); formatted once per group.
                day: super::requests::rfc3339(row.get::<_, i64>(0)? * DAY_MS)[..10].to_owned(),
                provider: row.get(1)?,
                requests: row.get::<_, i64>(2)? as u64,
                cost_usd: row.get(3)?,
            },
            errors: row.get::<_, i64>(4)? as u64,
            unpriced: row.get::<_, i64>(5)? as u64,
        })
    })?
    .collect()
}

/// `column` is one of two fixed expressions above, never user input.
fn top(conn: &Connection, column: &str, since_ms: i64) -> rusqlite::Result<Vec<TopRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {column} AS key, COUNT(*) AS n, SUM(cost_usd) AS cost,
                SUM(input_tokens), SUM(output_tokens)
         FROM requests WHERE started_at >= ?1
         GROUP BY key ORDER BY cost DESC NULLS LAST, n DESC, key LIMIT {TOP}"
    ))?;
    stmt.query_map([since_ms], |row| {
        Ok(TopRow {
            key: row.get(0)?,
            requests: row.get::<_, i64>(1)? as u64,
            cost_usd: row.get(2)?,
            input_tokens: row.get::<_, i64>(3)? as u64,
            output_tokens: row.get::<_, i64>(4)? as u64,
        })
    })?
    .collect()
}
