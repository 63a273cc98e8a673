//! Reading history back: the filtered, sorted, paged list and the detail of one request.
//!
//! Filters are typed ([`Filter`]) and turned into SQL with bound parameters only; the sort
//! column comes from a closed enum, never from user text.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

pub use super::filter::{Filter, StatusFilter};
use super::record::Attempt;
use super::requests::{self, COLUMNS, RequestRow};
use super::{attempts, bodies};
use crate::pricing::rates::CostBreakdown;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortKey {
    #[default]
    StartedAt,
    Latency,
    Cost,
    Tokens,
    Model,
    Status,
}

impl SortKey {
    pub fn parse(text: &str) -> Option<SortKey> {
        Some(match text {
            "started_at" | "time" => SortKey::StartedAt,
            "latency_ms" | "latency" => SortKey::Latency,
            "cost_usd" | "cost" => SortKey::Cost,
            "tokens" | "total_tokens" => SortKey::Tokens,
            "model" | "requested_model" => SortKey::Model,
            "status" => SortKey::Status,
            _ => return None,
        })
    }

    /// The `ORDER BY` terms, ending in `id` so pages never overlap. Sorting by time needs no
    /// other term: `requests_by_time` holds `(started_at, id)` (the key rides along in a
    /// WITHOUT ROWID index), so the newest page is read straight off the index instead of
    /// sorting the whole history. Only columns that can be null get `NULLS LAST`.
    fn order_by(self, direction: &str) -> String {
        match self {
            SortKey::StartedAt => format!("started_at {direction}, id {direction}"),
            SortKey::Cost | SortKey::Model => format!(
                "{} {direction} NULLS LAST, started_at {direction}, id {direction}",
                self.column()
            ),
            _ => format!(
                "{} {direction}, started_at {direction}, id {direction}",
                self.column()
            ),
        }
    }

    fn column(self) -> &'static str {
        match self {
            SortKey::StartedAt => "started_at",
            SortKey::Latency => "latency_ms",
            SortKey::Cost => "cost_usd",
            SortKey::Tokens => "(input_tokens + output_tokens)",
            SortKey::Model => "requested_model",
            SortKey::Status => "status",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Page {
    pub limit: u32,
    pub offset: u32,
    pub sort: SortKey,
    pub descending: bool,
    /// Newest first only: start after this row (keyset paging; the offset then counts from
    /// it). Deep pages cost what the first one does, where an offset reads every row it skips.
    pub before: Option<Cursor>,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            limit: 50,
            offset: 0,
            sort: SortKey::StartedAt,
            descending: true,
            before: None,
        }
    }
}

/// The most rows one answer holds: a page asks for at most 1000 (the admin API clamps it), a
/// CSV export for every matching row up to this bound.
pub const EXPORT_LIMIT: u32 = 1_000_000;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Listing {
    pub items: Vec<RequestRow>,
    pub total: u64,
    /// The `before` of the next page, newest first; null on the last page or another sort.
    pub next: Option<String>,
}

/// One request in full: the row, each attempt, and the stored bodies.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Detail {
    #[serde(flatten)]
    pub row: RequestRow,
    pub attempt_details: Vec<Attempt>,
    pub request_body: Option<String>,
    pub response_body: Option<String>,
    /// What each kind of token cost, when the price that priced the request still applies
    /// (filled in by the admin API, which knows the prices).
    pub cost_breakdown: Option<CostBreakdown>,
}

pub fn list(conn: &Connection, filter: &Filter, page: Page) -> rusqlite::Result<Listing> {
    let (mut where_sql, mut params) = filter.to_sql();
    // Counted from the daily roll-ups: counting a million rows takes tens of milliseconds.
    let total = super::totals::overall(conn, filter)?.requests;
    let newest_first = page.sort == SortKey::StartedAt && page.descending;
    // A filter that matches a good share of the history is best served by walking the time
    // index until the page is full; SQLite, not knowing the share, would rather collect every
    // match through the filter's own index and sort them (half a second for a model used by
    // a sixth of a million requests). A rare match is left to it: there, that is right.
    let walk_time = page.sort == SortKey::StartedAt
        && !where_sql.is_empty()
        && total * 100 >= super::totals::overall(conn, &Filter::default())?.requests;
    let from = if walk_time {
        "requests r INDEXED BY requests_by_time"
    } else {
        "requests r"
    };
    if let Some(cursor) = page.before.as_ref().filter(|_| newest_first) {
        params.push(Value::Integer(cursor.started_at_ms));
        params.push(Value::Text(cursor.id.clone()));
        let n = params.len();
        let clause = format!("(started_at, id) < (?{}, ?{n})", n - 1);
        where_sql = if where_sql.is_empty() {
            format!("WHERE {clause}")
        } else {
            format!("{where_sql} AND {clause}")
        };
    }
    let direction = if page.descending { "DESC" } else { "ASC" };
    params.push(Value::Integer(i64::from(page.limit.min(EXPORT_LIMIT))));
    params.push(Value::Integer(i64::from(page.offset)));
    let n = params.len();
    let sql = format!(
        "SELECT {COLUMNS} FROM {from} {where_sql} ORDER BY {} LIMIT ?{} OFFSET ?{}",
        page.sort.order_by(direction),
        n - 1,
        n
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut last: Option<Cursor> = None;
    let items = stmt
        .query_map(rusqlite::params_from_iter(params.iter()), |row| {
            last = Some(Cursor {
                started_at_ms: row.get(1)?,
                id: row.get(0)?,
            });
            requests::from_row(row)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let full = items.len() as u64 == u64::from(page.limit);
    Ok(Listing {
        next: last.filter(|_| newest_first && full).map(|c| c.to_string()),
        items,
        total,
    })
}

/// Where a newest-first page ends: the next page holds the rows strictly older than it.
/// Written `<started_at ms>.<id>`, opaque to clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub started_at_ms: i64,
    pub id: String,
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.started_at_ms, self.id)
    }
}

impl Cursor {
    pub fn parse(text: &str) -> Option<Cursor> {
        let (ms, id) = text.split_once('.')?;
        Some(Cursor {
            started_at_ms: ms.parse().ok()?,
            id: id.to_owned(),
        })
    }
}

pub fn detail(conn: &Connection, id: &str) -> rusqlite::Result<Option<Detail>> {
    let row = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM requests WHERE id = ?1"))?
        .query_row([id], requests::from_row)
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    let attempt_details = attempts::for_request(conn, id)?;
    let (request_body, response_body) = bodies::for_request(conn, id)?.unwrap_or((None, None));
    Ok(Some(Detail {
        row,
        attempt_details,
        request_body,
        response_body,
        cost_breakdown: None,
    }))
}

/// The rows with these ids, newest first (for the live event stream; ids not found are skipped).
pub fn rows_by_ids(conn: &Connection, ids: &[String]) -> rusqlite::Result<Vec<RequestRow>> {
    let mut rows = Vec::with_capacity(ids.len());
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM requests WHERE id = ?1"))?;
    for id in ids {
        if let Some(row) = stmt.query_row([id], requests::from_row).optional()? {
            rows.push(row);
        }
    }
    rows.sort_by(|a, b| b.started_at.cmp(&a.started_at));
    Ok(rows)
}

/// Every `(provider, upstream model)` pair that answered since `since_ms`, most used first.
pub fn models_seen(conn: &Connection, since_ms: i64) -> rusqlite::Result<Vec<(String, String)>> {
    let since = Filter {
        since_ms: Some(since_ms),
        ..Filter::default()
    };
    let mut groups = super::totals::totals(conn, &since, super::totals::Grouping::ProviderModel)?;
    groups.sort_by(|a, b| b.requests.cmp(&a.requests).then_with(|| a.key.cmp(&b.key)));
    Ok(groups
        .into_iter()
        .filter_map(|t| Some((t.key?, t.key2?)))
        .take(200)
        .collect())
}
