//! The `requests` table: one row per proxied request, every field an item of `GET /api/requests` carries.

use rusqlite::{Connection, Row, Transaction, params};

use super::record::{Outcome, Record};

pub const MIGRATIONS: &[(&str, &str)] = &[
    (
        "requests/1",
        "CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        started_at INTEGER NOT NULL,           -- ms since the Unix epoch
        client TEXT,
        user_agent TEXT,
        inbound_api TEXT NOT NULL,
        requested_model TEXT,
        provider TEXT,
        upstream_model TEXT,
        status INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        stream INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        input_tokens INTEGER NOT NULL,
        cached_input_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER NOT NULL,
        usage_estimated INTEGER NOT NULL,
        cost_usd REAL,
        latency_ms INTEGER NOT NULL,
        ttft_ms INTEGER,
        tags TEXT NOT NULL,                    -- JSON object, for display
        error TEXT
    ) WITHOUT ROWID;
    CREATE INDEX requests_by_time ON requests (started_at);
    CREATE INDEX requests_by_model ON requests (upstream_model, started_at);
    CREATE INDEX requests_by_provider ON requests (provider, started_at);",
    ),
    // Where the row's price came from (`config:…`, `imported:…`, `builtin:… (as of …)`);
    // null when the model had no price. Rows written before this migration have null.
    (
        "requests/2",
        "ALTER TABLE requests ADD COLUMN price_source TEXT;",
    ),
    // 1 when the answer came from Switchyard's response cache (no provider was called).
    (
        "requests/3",
        "ALTER TABLE requests ADD COLUMN cache_hit INTEGER NOT NULL DEFAULT 0;",
    ),
    // The last four characters of the provider key that served the request (a provider may
    // have several); null when none was sent.
    (
        "requests/4",
        "ALTER TABLE requests ADD COLUMN key_last_four TEXT;",
    ),
    // The name of the client key the request presented (null without one), for attribution:
    // filter and group costs by it.
    (
        "requests/5",
        "ALTER TABLE requests ADD COLUMN client_key TEXT;
         CREATE INDEX requests_by_client_key ON requests (client_key, started_at);",
    ),
    // What translation left out of the request because the provider cannot express it (a
    // hosted tool, a beta), as a JSON array of sentences; null when nothing was left out.
    (
        "requests/6",
        "ALTER TABLE requests ADD COLUMN warnings TEXT;",
    ),
    // An index for every filter and sort the Requests page offers, so a page of a million
    // rows is read off an index instead of sorting them all. Errors get a partial index: free
    // text searches them, and only failed requests have one. Prompts over 128k tokens get
    // one for what-if, which re-prices them one by one on a model with a long-context tier.
    (
        "requests/7",
        "CREATE INDEX requests_by_requested_model ON requests (requested_model, started_at);
         CREATE INDEX requests_by_client ON requests (client, started_at);
         CREATE INDEX requests_by_status ON requests (status, started_at);
         CREATE INDEX requests_by_latency ON requests (latency_ms, started_at);
         CREATE INDEX requests_by_cost ON requests (cost_usd, started_at);
         CREATE INDEX requests_by_tokens ON requests ((input_tokens + output_tokens), started_at);
         CREATE INDEX requests_with_error ON requests (error) WHERE error IS NOT NULL;
         CREATE INDEX requests_long_prompts ON requests (input_tokens) WHERE input_tokens > 128000;",
    ),
];

/// The prompt size above which `requests_long_prompts` indexes a request.
pub const LONG_PROMPT_INDEXED: u64 = 128_000;

/// Inserts the row; false when a row with its id is already there (it is left as it is, so
/// that the roll-ups, which counted it once, stay exact).
pub fn insert(tx: &Transaction<'_>, r: &Record) -> rusqlite::Result<bool> {
    let tags: serde_json::Map<String, serde_json::Value> = r
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    tx.prepare_cached(
        "INSERT INTO requests (
            id, started_at, client, user_agent, inbound_api, requested_model, provider,
            upstream_model, status, outcome, stream, attempts, input_tokens, cached_input_tokens,
            cache_write_tokens, output_tokens, reasoning_tokens, usage_estimated, cost_usd,
            latency_ms, ttft_ms, tags, error, price_source, cache_hit, key_last_four,
            client_key, warnings)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                 ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)
         ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![
        r.id,
        r.started_at_ms,
        r.client,
        r.user_agent,
        r.inbound_api,
        r.requested_model,
        r.provider,
        r.upstream_model,
        r.status,
        r.outcome.as_str(),
        r.stream,
        r.attempts.len() as i64,
        r.usage.input_tokens as i64,
        r.usage.cached_input_tokens as i64,
        r.usage.cache_write_tokens as i64,
        r.usage.output_tokens as i64,
        r.usage.reasoning_tokens as i64,
        r.usage_estimated,
        r.cost_usd,
        r.latency_ms as i64,
        r.ttft_ms.map(|v| v as i64),
        serde_json::Value::Object(tags).to_string(),
        r.error,
        r.price_source,
        r.cache_hit,
        r.key_last_four,
        r.client_key,
        (!r.warnings.is_empty()).then(|| serde_json::to_string(&r.warnings).unwrap_or_default()),
    ])
    .map(|inserted| inserted == 1)
}

pub fn delete_before(conn: &Connection, cutoff_ms: i64) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM requests WHERE started_at < ?1", [cutoff_ms])
}

/// The columns [`from_row`] reads, in order.
pub const COLUMNS: &str = "id, started_at, client, inbound_api, requested_model, provider, \
    upstream_model, status, outcome, stream, attempts, input_tokens, cached_input_tokens, \
    cache_write_tokens, output_tokens, reasoning_tokens, usage_estimated, cost_usd, latency_ms, \
    ttft_ms, tags, error, user_agent, price_source, cache_hit, key_last_four, client_key, \
    warnings";

/// A history row as the admin API and the CLI show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct RequestRow {
    pub id: String,
    pub started_at: String,
    pub client: Option<String>,
    pub inbound_api: String,
    pub requested_model: Option<String>,
    pub provider: Option<String>,
    pub upstream_model: Option<String>,
    pub status: u16,
    pub outcome: String,
    pub stream: bool,
    pub attempts: u32,
    pub input_tokens: u64,
    pub cached_input_tokens: u64,
    pub cache_write_tokens: u64,
    pub output_tokens: u64,
    pub reasoning_tokens: u64,
    pub usage_estimated: bool,
    pub cost_usd: Option<f64>,
    /// Where the price came from, e.g. `builtin:openai/gpt-4.1 (as of 2026-04)`; null when
    /// the model had no price.
    pub price_source: Option<String>,
    pub latency_ms: u64,
    pub ttft_ms: Option<u64>,
    /// `{"key": "value"}` from `x-switchyard-tags`.
    #[ts(type = "Record<string, string>")]
    pub tags: serde_json::Value,
    pub error: Option<String>,
    pub user_agent: Option<String>,
    /// Answered from Switchyard's response cache: no provider was called, the cost is 0.
    pub cache_hit: bool,
    /// The last four characters of the provider key that served it.
    pub key_last_four: Option<String>,
    /// The name of the Switchyard client key the request presented.
    pub client_key: Option<String>,
    /// What translation left out because the provider cannot express it (empty when nothing).
    pub warnings: Vec<String>,
}

pub fn from_row(row: &Row<'_>) -> rusqlite::Result<RequestRow> {
    let started_ms: i64 = row.get(1)?;
    let tags: String = row.get(20)?;
    Ok(RequestRow {
        id: row.get(0)?,
        started_at: rfc3339(started_ms),
        client: row.get(2)?,
        inbound_api: row.get(3)?,
        requested_model: row.get(4)?,
        provider: row.get(5)?,
        upstream_model: row.get(6)?,
        status: row.get(7)?,
        outcome: row.get(8)?,
        stream: row.get(9)?,
        attempts: row.get(10)?,
        input_tokens: row.get::<_, i64>(11)? as u64,
        cached_input_tokens: row.get::<_, i64>(12)? as u64,
        cache_write_tokens: row.get::<_, i64>(13)? as u64,
        output_tokens: row.get::<_, i64>(14)? as u64,
        reasoning_tokens: row.get::<_, i64>(15)? as u64,
        usage_estimated: row.get(16)?,
        cost_usd: row.get(17)?,
        price_source: row.get(23)?,
        latency_ms: row.get::<_, i64>(18)? as u64,
        ttft_ms: row.get::<_, Option<i64>>(19)?.map(|v| v as u64),
        tags: serde_json::from_str(&tags).unwrap_or(serde_json::Value::Null),
        error: row.get(21)?,
        user_agent: row.get(22)?,
        cache_hit: row.get(24)?,
        key_last_four: row.get(25)?,
        client_key: row.get(26)?,
        warnings: row
            .get::<_, Option<String>>(27)?
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default(),
    })
}

/// RFC 3339 in UTC with millisecond precision.
pub fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

impl Outcome {
    pub fn parse(text: &str) -> Option<Outcome> {
        [
            Outcome::Ok,
            Outcome::UpstreamError,
            Outcome::Rejected,
            Outcome::ClientDisconnected,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
    }
}
