//! Which requests a reader wants, as SQL: the typed [`Filter`] turned into a `WHERE` clause
//! with bound parameters only, and how free text is searched. Shared by the list
//! ([`super::query`]) and the totals ([`super::totals`]).

use rusqlite::types::Value;

use super::record::Outcome;

/// Which requests to list. Times are milliseconds since the Unix epoch.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub model: Option<String>,
    pub provider: Option<String>,
    pub status: Option<StatusFilter>,
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
    /// `key` or `key=value`.
    pub tag: Option<String>,
    pub client: Option<String>,
    /// The name of a Switchyard client key.
    pub client_key: Option<String>,
    /// Free text, matched against id, models, provider, client and error.
    pub q: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StatusFilter {
    Code(u16),
    /// `2xx`, `4xx`, `5xx`: the first digit.
    Class(u16),
    Outcome(String),
    /// Any request that did not end `ok`.
    Failed,
}

impl StatusFilter {
    pub fn parse(text: &str) -> Option<StatusFilter> {
        let text = text.trim();
        if let Ok(code) = text.parse::<u16>() {
            return Some(StatusFilter::Code(code));
        }
        if let Some(class) = text.strip_suffix("xx").and_then(|d| d.parse::<u16>().ok()) {
            return Some(StatusFilter::Class(class));
        }
        match text {
            "error" | "failed" => Some(StatusFilter::Failed),
            other => Outcome::parse(other).map(|_| StatusFilter::Outcome(other.to_owned())),
        }
    }
}

impl Filter {
    /// `WHERE …` (or empty) and its parameters.
    pub(super) fn to_sql(&self) -> (String, Vec<Value>) {
        self.to_sql_searching(Search::Everything)
    }

    /// Free text, when searching for it.
    pub(super) fn text(&self) -> Option<&str> {
        self.q.as_deref().map(str::trim).filter(|q| !q.is_empty())
    }

    /// `WHERE …` with the free text matched as `search` says.
    pub(super) fn to_sql_searching(&self, search: Search) -> (String, Vec<Value>) {
        let mut clauses: Vec<String> = Vec::new();
        let mut params: Vec<Value> = Vec::new();
        let bind = |params: &mut Vec<Value>, v: Value| {
            params.push(v);
            format!("?{}", params.len())
        };
        if let Some(model) = &self.model {
            let p = bind(&mut params, Value::Text(model.clone()));
            clauses.push(format!("(requested_model = {p} OR upstream_model = {p})"));
        }
        if let Some(provider) = &self.provider {
            let p = bind(&mut params, Value::Text(provider.clone()));
            clauses.push(format!("provider = {p}"));
        }
        if let Some(client) = &self.client {
            let p = bind(&mut params, Value::Text(client.clone()));
            clauses.push(format!("client = {p}"));
        }
        if let Some(client_key) = &self.client_key {
            let p = bind(&mut params, Value::Text(client_key.clone()));
            clauses.push(format!("client_key = {p}"));
        }
        match &self.status {
            Some(StatusFilter::Code(code)) => {
                let p = bind(&mut params, Value::Integer(i64::from(*code)));
                clauses.push(format!("status = {p}"));
            }
            Some(StatusFilter::Class(class)) => {
                // A range, not `status / 100`, so that the status index serves it.
                let low = bind(&mut params, Value::Integer(i64::from(*class) * 100));
                let high = bind(&mut params, Value::Integer(i64::from(*class) * 100 + 100));
                clauses.push(format!("status >= {low} AND status < {high}"));
            }
            Some(StatusFilter::Outcome(outcome)) => {
                let p = bind(&mut params, Value::Text(outcome.clone()));
                clauses.push(format!("outcome = {p}"));
            }
            Some(StatusFilter::Failed) => clauses.push("outcome <> 'ok'".to_owned()),
            None => {}
        }
        if let Some(since) = self.since_ms {
            let p = bind(&mut params, Value::Integer(since));
            clauses.push(format!("started_at >= {p}"));
        }
        if let Some(until) = self.until_ms {
            let p = bind(&mut params, Value::Integer(until));
            clauses.push(format!("started_at < {p}"));
        }
        if let Some(tag) = &self.tag {
            let (key, value) = split_tag(tag);
            let k = bind(&mut params, Value::Text(key));
            let value_clause = match value {
                Some(v) => format!(" AND t.value = {}", bind(&mut params, Value::Text(v))),
                None => String::new(),
            };
            clauses.push(format!(
                "EXISTS (SELECT 1 FROM request_tags t WHERE t.request_id = r.id AND t.key = {k}{value_clause})"
            ));
        }
        if let Some(q) = self.text() {
            clauses.push(search.clause(q, &mut params));
        }
        if clauses.is_empty() {
            (String::new(), params)
        } else {
            (format!("WHERE {}", clauses.join(" AND ")), params)
        }
    }
}

/// What free text matches: ids that start with it; models, providers and clients that
/// contain it (names); errors that contain it. Totals split it three ways so each part is
/// read cheaply: names from the daily roll-ups, ids by a range of the primary key, errors
/// through the partial index of failed requests; a search never reads bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Search {
    /// Any of the three (a page of the list).
    Everything,
    /// Ids that start with it, among rows whose names do not contain it.
    IdsBeyondNames,
    /// Errors that contain it, among rows matched neither by name nor by id.
    ErrorsBeyondNamesAndIds,
}

/// The columns free text matches by name, as the roll-ups also hold them.
pub(super) const NAMED: [&str; 4] = ["requested_model", "upstream_model", "provider", "client"];

/// `LIKE` patterns for free text: contained anywhere, and the bounds of ids starting with it.
pub(super) fn patterns(q: &str) -> (String, String, String) {
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let id = q.to_lowercase();
    // Ids compare byte by byte: U+10FFFF sorts after every character an id can hold.
    (
        format!("%{escaped}%"),
        id.clone(),
        format!("{id}\u{10FFFF}"),
    )
}

impl Search {
    fn clause(self, q: &str, params: &mut Vec<Value>) -> String {
        let (within, id_low, id_high) = patterns(q);
        let mut bind = |v: String| {
            params.push(Value::Text(v));
            format!("?{}", params.len())
        };
        let (within, low, high) = (bind(within), bind(id_low), bind(id_high));
        let names = NAMED
            .iter()
            .map(|c| format!("r.{c} LIKE {within} ESCAPE '\\'"))
            .collect::<Vec<_>>()
            .join(" OR ");
        let id = format!("(r.id >= {low} AND r.id < {high})");
        let error = format!("(r.error IS NOT NULL AND r.error LIKE {within} ESCAPE '\\')");
        match self {
            Search::Everything => format!("({id} OR {names} OR {error})"),
            Search::IdsBeyondNames => format!("{id} AND NOT COALESCE({names}, FALSE)"),
            Search::ErrorsBeyondNamesAndIds => {
                format!("{error} AND NOT COALESCE({names}, FALSE) AND NOT {id}")
            }
        }
    }
}

/// `key` or `key=value` as a tag filter: the key, and the value when one is given.
pub(super) fn split_tag(tag: &str) -> (String, Option<String>) {
    match tag.split_once('=') {
        Some((k, v)) => (k.trim().to_owned(), Some(v.trim().to_owned())),
        None => (tag.trim().to_owned(), None),
    }
}
