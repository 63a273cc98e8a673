//! Totals over the history, grouped: the one query behind the overview, the cost reports, the
//! budgets' spend at start, what-if and the list's `total`.
//!
//! Whole UTC days are read from the daily roll-ups ([`super::rollups`]); only the edges of a
//! range that starts or ends inside a day are summed from the request rows, through the time
//! index. So a report over a month reads a few hundred roll-up rows, not every request of it.
//! Free text (`q`) matches names from the roll-ups too, and ids and errors from the rows
//! through their indexes ([`Search`]). A tag filter combined with grouping by tag is summed
//! from the rows (a request's other tags are not in the tag's roll-up).

use std::collections::HashMap;

use rusqlite::Connection;
use rusqlite::types::Value;
use switchyard_protocol::Usage;

use super::filter::{Filter, NAMED, Search, StatusFilter, patterns, split_tag};
use super::rollups::{DAY_MS, USED, provided};

/// How totals are grouped; each group's key is one or two strings (null for a null column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// One group holding everything.
    All,
    /// `YYYY-MM-DD`, UTC.
    Day,
    /// Day, then provider.
    DayProvider,
    /// The upstream model, or the requested one when none was chosen.
    Model,
    Provider,
    /// Provider, then upstream model.
    ProviderModel,
    Client,
    ClientKey,
    /// `key=value`, or `key` for a tag without value; a request counts under each of its tags.
    Tag,
    /// `"1"` for requests with a known cost, `"0"` for the others.
    Priced,
}

impl Grouping {
    /// The key expressions over request rows (`r`, and `t` for tags) and over roll-up rows.
    fn keys(self) -> [(&'static str, &'static str); 2] {
        const NONE: (&str, &str) = ("NULL", "NULL");
        // Day numbers, formatted once per group in `read` (not once per row in SQL).
        let day = ("r.started_at / 86400000", "day");
        let provider = ("r.provider", "NULLIF(provider, '')");
        match self {
            Grouping::All => [("''", "''"), NONE],
            Grouping::Day => [day, NONE],
            Grouping::DayProvider => [day, provider],
            Grouping::Model => [
                (
                    "COALESCE(r.upstream_model, r.requested_model)",
                    "COALESCE(NULLIF(upstream_model, ''), NULLIF(requested_model, ''))",
                ),
                NONE,
            ],
            Grouping::Provider => [provider, NONE],
            Grouping::ProviderModel => {
                [provider, ("r.upstream_model", "NULLIF(upstream_model, '')")]
            }
            Grouping::Client => [("r.client", "NULLIF(client, '')"), NONE],
            Grouping::ClientKey => [("r.client_key", "NULLIF(client_key, '')"), NONE],
            Grouping::Tag => [
                (
                    "CASE WHEN t.value = '' THEN t.key ELSE t.key || '=' || t.value END",
                    "CASE WHEN tag_value = '' THEN tag_key ELSE tag_key || '=' || tag_value END",
                ),
                NONE,
            ],
            Grouping::Priced => [
                (
                    "CAST(r.cost_usd IS NOT NULL AS TEXT)",
                    "CAST(priced AS TEXT)",
                ),
                NONE,
            ],
        }
    }
}

/// One group's totals.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    pub key: Option<String>,
    pub key2: Option<String>,
    pub requests: u64,
    /// Requests whose outcome was not `ok`.
    pub errors: u64,
    /// Requests that reached a provider and used tokens.
    pub used: u64,
    /// Of those, requests without a known cost.
    pub unpriced: u64,
    /// Of those, requests whose token counts are Switchyard's estimate.
    pub estimated: u64,
    pub usage: Usage,
    /// Null when no request of the group had a known cost.
    pub cost_usd: Option<f64>,
}

impl Totals {
    fn merge(&mut self, other: &Totals) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.used += other.used;
        self.unpriced += other.unpriced;
        self.estimated += other.estimated;
        self.usage.input_tokens += other.usage.input_tokens;
        self.usage.cached_input_tokens += other.usage.cached_input_tokens;
        self.usage.cache_write_tokens += other.usage.cache_write_tokens;
        self.usage.output_tokens += other.usage.output_tokens;
        self.usage.reasoning_tokens += other.usage.reasoning_tokens;
        self.cost_usd = match (self.cost_usd, other.cost_usd) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        };
    }
}

/// The totals of the requests `filter` selects, one per group, in no particular order.
pub fn totals(
    conn: &Connection,
    filter: &Filter,
    grouping: Grouping,
) -> rusqlite::Result<Vec<Totals>> {
    let mut parts = Vec::new();
    if filter.tag.is_some() && grouping == Grouping::Tag {
        parts.extend(from_rows(conn, filter, grouping, Search::Everything)?);
    } else {
        let split = Split::of(filter.since_ms, filter.until_ms);
        for (since_ms, until_ms) in split.edges {
            let edge = Filter {
                since_ms,
                until_ms,
                ..filter.clone()
            };
            parts.extend(from_rows(conn, &edge, grouping, Search::Everything)?);
        }
        if let Some((first_day, end_day)) = split.days {
            parts.extend(from_rollups(conn, filter, (first_day, end_day), grouping)?);
            if filter.text().is_some() {
                // The roll-ups answered for names; ids and errors are found in the rows.
                let whole_days = Filter {
                    since_ms: first_day.map(|d| d * DAY_MS),
                    until_ms: end_day.map(|d| d * DAY_MS),
                    ..filter.clone()
                };
                for search in [Search::IdsBeyondNames, Search::ErrorsBeyondNamesAndIds] {
                    parts.extend(from_rows(conn, &whole_days, grouping, search)?);
                }
            }
        }
    }
    let mut merged: HashMap<(Option<String>, Option<String>), Totals> = HashMap::new();
    for part in parts {
        merged
            .entry((part.key.clone(), part.key2.clone()))
            .and_modify(|t| t.merge(&part))
            .or_insert(part);
    }
    Ok(merged.into_values().collect())
}

/// The totals of everything `filter` selects, as one group.
pub fn overall(conn: &Connection, filter: &Filter) -> rusqlite::Result<Totals> {
    Ok(totals(conn, filter, Grouping::All)?
        .pop()
        .unwrap_or_default())
}

/// A time range cut into whole UTC days (read from the roll-ups) and the partial days at
/// either end (read from the rows). Bounds are `[since, until)` in ms; `None` is open.
#[derive(Debug, PartialEq)]
struct Split {
    /// `[first, last)` day numbers, each bound open when `None`.
    days: Option<(Option<i64>, Option<i64>)>,
    edges: Vec<(Option<i64>, Option<i64>)>,
}

impl Split {
    fn of(since: Option<i64>, until: Option<i64>) -> Split {
        let first_day = since.map(|s| s.div_euclid(DAY_MS) + i64::from(s.rem_euclid(DAY_MS) != 0));
        let end_day = until.map(|u| u.div_euclid(DAY_MS));
        if let (Some(first), Some(end)) = (first_day, end_day)
            && first >= end
        {
            return Split {
                days: None,
                edges: vec![(since, until)],
            };
        }
        let mut edges = Vec::new();
        if let (Some(s), Some(first)) = (since, first_day)
            && s < first * DAY_MS
        {
            edges.push((Some(s), Some(first * DAY_MS)));
        }
        if let (Some(u), Some(end)) = (until, end_day)
            && u > end * DAY_MS
        {
            edges.push((Some(end * DAY_MS), Some(u)));
        }
        Split {
            days: Some((first_day, end_day)),
            edges,
        }
    }
}

const COUNTS_FROM_ROWS: &str = "COUNT(*), SUM(r.outcome <> 'ok')";

pub(super) fn from_rows(
    conn: &Connection,
    filter: &Filter,
    grouping: Grouping,
    search: Search,
) -> rusqlite::Result<Vec<Totals>> {
    let (where_sql, params) = filter.to_sql_searching(search);
    let [(k1, _), (k2, _)] = grouping.keys();
    let rows = if search == Search::ErrorsBeyondNamesAndIds {
        "requests r INDEXED BY requests_with_error"
    } else {
        "requests r"
    };
    let from = if grouping == Grouping::Tag {
        format!("{rows} JOIN request_tags t ON t.request_id = r.id")
    } else {
        rows.to_owned()
    };
    let sql = format!(
        "SELECT {k1}, {k2}, {COUNTS_FROM_ROWS}, SUM({USED}), SUM({USED} AND r.cost_usd IS NULL),
                SUM({USED} AND r.usage_estimated), {}, {}, {}, {}, {}, SUM(r.cost_usd)
         FROM {from} {where_sql} GROUP BY 1, 2",
        provided("input_tokens"),
        provided("cached_input_tokens"),
        provided("cache_write_tokens"),
        provided("output_tokens"),
        provided("reasoning_tokens"),
    );
    read(conn, &sql, params, grouping)
}

fn from_rollups(
    conn: &Connection,
    filter: &Filter,
    (first_day, end_day): (Option<i64>, Option<i64>),
    grouping: Grouping,
) -> rusqlite::Result<Vec<Totals>> {
    let mut clauses: Vec<String> = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    let mut bind = |v: Value| {
        params.push(v);
        format!("?{}", params.len())
    };
    if let Some(first) = first_day {
        clauses.push(format!("day >= {}", bind(Value::Integer(first))));
    }
    if let Some(end) = end_day {
        clauses.push(format!("day < {}", bind(Value::Integer(end))));
    }
    if let Some(model) = &filter.model {
        let p = bind(Value::Text(model.clone()));
        clauses.push(format!("(requested_model = {p} OR upstream_model = {p})"));
    }
    for (column, value) in [
        ("provider", &filter.provider),
        ("client", &filter.client),
        ("client_key", &filter.client_key),
    ] {
        if let Some(value) = value {
            clauses.push(format!("{column} = {}", bind(Value::Text(value.clone()))));
        }
    }
    match &filter.status {
        Some(StatusFilter::Code(code)) => {
            clauses.push(format!(
                "status = {}",
                bind(Value::Integer(i64::from(*code)))
            ));
        }
        Some(StatusFilter::Class(class)) => {
            clauses.push(format!(
                "status / 100 = {}",
                bind(Value::Integer(i64::from(*class)))
            ));
        }
        Some(StatusFilter::Outcome(outcome)) => {
            clauses.push(format!("outcome = {}", bind(Value::Text(outcome.clone()))));
        }
        Some(StatusFilter::Failed) => clauses.push("outcome <> 'ok'".to_owned()),
        None => {}
    }
    if let Some(q) = filter.text() {
        let within = bind(Value::Text(patterns(q).0));
        let names = NAMED
            .iter()
            .map(|c| format!("{c} LIKE {within} ESCAPE '\\'"))
            .collect::<Vec<_>>()
            .join(" OR ");
        clauses.push(format!("({names})"));
    }
    let tagged = grouping == Grouping::Tag || filter.tag.is_some();
    if let Some(tag) = &filter.tag {
        let (key, value) = split_tag(tag);
        clauses.push(format!("tag_key = {}", bind(Value::Text(key))));
        if let Some(value) = value {
            clauses.push(format!("tag_value = {}", bind(Value::Text(value))));
        }
    }
    // Nothing asked of a request but its day: the day-only roll-up (a few rows a day) holds it.
    let by_day_alone = matches!(grouping, Grouping::All | Grouping::Day | Grouping::Priced)
        && clauses.len() == usize::from(first_day.is_some()) + usize::from(end_day.is_some());
    let (table, errors) = if by_day_alone {
        ("rollup_days", "CASE WHEN ok = 0 THEN requests ELSE 0 END")
    } else if tagged {
        (
            "rollup_daily_tags",
            "CASE WHEN outcome <> 'ok' THEN requests ELSE 0 END",
        )
    } else {
        (
            "rollup_daily",
            "CASE WHEN outcome <> 'ok' THEN requests ELSE 0 END",
        )
    };
    let where_sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let [(_, k1), (_, k2)] = grouping.keys();
    let sql = format!(
        "SELECT {k1}, {k2}, SUM(requests), SUM({errors}),
                SUM(used), SUM(CASE WHEN priced = 0 THEN used ELSE 0 END), SUM(estimated),
                SUM(input_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens),
                SUM(output_tokens), SUM(reasoning_tokens), SUM(cost_usd)
         FROM {table} {where_sql} GROUP BY 1, 2"
    );
    read(conn, &sql, params, grouping)
}

fn read(
    conn: &Connection,
    sql: &str,
    params: Vec<Value>,
    grouping: Grouping,
) -> rusqlite::Result<Vec<Totals>> {
    let by_day = matches!(grouping, Grouping::Day | Grouping::DayProvider);
    let key = |row: &rusqlite::Row<'_>, i: usize| -> rusqlite::Result<Option<String>> {
        if by_day && i == 0 {
            let day: Option<i64> = row.get(i)?;
            return Ok(day.map(|d| super::requests::rfc3339(d * DAY_MS)[..10].to_owned()));
        }
        row.get(i)
    };
    let count = |row: &rusqlite::Row<'_>, i: usize| -> rusqlite::Result<u64> {
        Ok(row.get::<_, Option<i64>>(i)?.unwrap_or(0).max(0) as u64)
    };
    let mut stmt = conn.prepare_cached(sql)?;
    stmt.query_map(rusqlite::params_from_iter(params.iter()), |row| {
        Ok(Totals {
            key: key(row, 0)?,
            key2: key(row, 1)?,
            requests: count(row, 2)?,
            errors: count(row, 3)?,
            used: count(row, 4)?,
            unpriced: count(row, 5)?,
            estimated: count(row, 6)?,
            usage: Usage {
                input_tokens: count(row, 7)?,
                cached_input_tokens: count(row, 8)?,
                cache_write_tokens: count(row, 9)?,
                output_tokens: count(row, 10)?,
                reasoning_tokens: count(row, 11)?,
            },
            cost_usd: row.get(12)?,
        })
    })?
    .filter(|t| t.as_ref().map_or(true, |t| t.requests > 0))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: i64 = DAY_MS;

    #[test]
    fn a_range_of_whole_days_reads_only_roll_ups() {
        let split = Split::of(Some(10 * D), Some(20 * D));
        assert_eq!(split.days, Some((Some(10), Some(20))));
        assert!(split.edges.is_empty());
        let open = Split::of(Some(10 * D), None);
        assert_eq!(open.days, Some((Some(10), None)));
        assert!(open.edges.is_empty());
    }

    #[test]
    fn partial_days_at_either_end_are_read_from_rows() {
        let split = Split::of(Some(10 * D + 5), Some(20 * D + 7));
        assert_eq!(split.days, Some((Some(11), Some(20))));
        assert_eq!(
            split.edges,
            vec![
                (Some(10 * D + 5), Some(11 * D)),
                (Some(20 * D), Some(20 * D + 7))
            ]
        );
    }

    #[test]
    fn a_range_inside_one_day_is_read_from_rows_alone() {
        let split = Split::of(Some(10 * D + 5), Some(10 * D + 9));
        assert_eq!(split.days, None);
        assert_eq!(split.edges, vec![(Some(10 * D + 5), Some(10 * D + 9))]);
        let next_midnight = Split::of(Some(10 * D + 5), Some(11 * D));
        assert_eq!(next_midnight.days, None);
        assert_eq!(next_midnight.edges, vec![(Some(10 * D + 5), Some(11 * D))]);
    }
}
