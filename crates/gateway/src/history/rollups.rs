//! Daily roll-ups: per UTC day, the request count, tokens and cost of every combination of
//! provider, models, client, client key, status and outcome (`rollup_daily`), the same per
//! tag (`rollup_daily_tags`), and of the day alone (`rollup_days`). The overview, the cost reports, the budgets' spend at start,
//! the tray's today and what-if read these instead of every request row, so they take the
//! same time with a year of history as with a day of it.
//!
//! The invariant: the roll-ups are exactly the sums of the `requests` rows present. The writer
//! adds each batch in the same transaction as its rows ([`add`]); retention subtracts what it
//! deletes in the same transaction as the delete ([`subtract`]); [`rebuild`] recomputes them
//! from the rows (the migration that introduced them, `switchyard history rebuild-rollups`).
//!
//! Dimensions are `NOT NULL` (a null provider is stored as `''`) because SQLite treats nulls
//! as distinct in a primary key, and an upsert must find the group it adds to. Readers turn
//! `''` back into null. `priced` is a dimension rather than a count so that a group's cost is
//! null exactly when none of its requests had a price, as in the rows.

use std::collections::HashMap;

use rusqlite::{Connection, Transaction, params};

use super::record::{Outcome, Record};

pub const DAY_MS: i64 = 86_400_000;

/// The columns every roll-up row is grouped by, besides its day (and tag): `''` stands for a
/// null; `priced` is 1 when every request of the group has a cost.
macro_rules! dimension_columns {
    () => {
        "provider TEXT NOT NULL, requested_model TEXT NOT NULL, upstream_model TEXT NOT NULL,
         client TEXT NOT NULL, client_key TEXT NOT NULL, status INTEGER NOT NULL,
         outcome TEXT NOT NULL, priced INTEGER NOT NULL,"
    };
}

/// What every roll-up row sums: `used` counts the requests that reached a provider and used
/// tokens, `estimated` those of them with Switchyard's token estimate; the token columns sum
/// the requests that reached a provider; `cost_usd` is null where `priced` is 0.
macro_rules! counter_columns {
    () => {
        "requests INTEGER NOT NULL, used INTEGER NOT NULL, estimated INTEGER NOT NULL,
         input_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL,
         cache_write_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
         reasoning_tokens INTEGER NOT NULL, cost_usd REAL,"
    };
}

/// `day` is the UTC day number (days since the Unix epoch). `rollup_days` holds the day alone
/// (at most four rows a day, `ok` is 1 for the outcome `ok`): what the unfiltered views read
/// (the list's total, costs by day, today's spend), a year in a few hundred rows. The indexes
/// let a filtered view read the groups of its provider, model, client, key, status or tag
/// only, not every group of the range.
pub const MIGRATIONS: &[(&str, &str)] = &[(
    "rollups/1",
    concat!(
        "CREATE TABLE rollup_daily (day INTEGER NOT NULL, ",
        dimension_columns!(),
        counter_columns!(),
        "PRIMARY KEY (day, provider, requested_model, upstream_model, client, client_key,
                      status, outcome, priced)
         ) WITHOUT ROWID;
         CREATE TABLE rollup_daily_tags (day INTEGER NOT NULL, tag_key TEXT NOT NULL,
                                         tag_value TEXT NOT NULL, ",
        dimension_columns!(),
        counter_columns!(),
        "PRIMARY KEY (day, tag_key, tag_value, provider, requested_model, upstream_model,
                      client, client_key, status, outcome, priced)
         ) WITHOUT ROWID;
         CREATE TABLE rollup_days (day INTEGER NOT NULL, priced INTEGER NOT NULL,
                                   ok INTEGER NOT NULL, ",
        counter_columns!(),
        "PRIMARY KEY (day, priced, ok)
         ) WITHOUT ROWID;
         CREATE INDEX rollup_daily_by_provider ON rollup_daily (provider, day);
         CREATE INDEX rollup_daily_by_model ON rollup_daily (upstream_model, day);
         CREATE INDEX rollup_daily_by_requested_model ON rollup_daily (requested_model, day);
         CREATE INDEX rollup_daily_by_client ON rollup_daily (client, day);
         CREATE INDEX rollup_daily_by_client_key ON rollup_daily (client_key, day);
         CREATE INDEX rollup_daily_by_status ON rollup_daily (status, day);
         CREATE INDEX rollup_daily_tags_by_tag ON rollup_daily_tags (tag_key, tag_value, day);"
    ),
)];

/// The dimensions shared by both tables, in their primary key's order.
const DIMS: &str =
    "provider, requested_model, upstream_model, client, client_key, status, outcome, priced";
const COUNTERS: &str = "requests, used, estimated, input_tokens, cached_input_tokens, \
    cache_write_tokens, output_tokens, reasoning_tokens, cost_usd";
/// What an upsert does when the group exists: add (a negative delta subtracts).
const ACCUMULATE: &str = "requests = requests + excluded.requests, used = used + excluded.used, \
    estimated = estimated + excluded.estimated, \
    input_tokens = input_tokens + excluded.input_tokens, \
    cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens, \
    cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, \
    output_tokens = output_tokens + excluded.output_tokens, \
    reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, \
    cost_usd = cost_usd + excluded.cost_usd";
/// A request row's dimensions, as stored.
const ROW_DIMS: &str = "COALESCE(r.provider, ''), COALESCE(r.requested_model, ''), \
    COALESCE(r.upstream_model, ''), COALESCE(r.client, ''), COALESCE(r.client_key, ''), \
    r.status, r.outcome, r.cost_usd IS NOT NULL";
/// A request is `used` when it reached a provider and used tokens (what-if and the
/// overview's unpriced count look at those only).
pub const USED: &str = "(r.provider IS NOT NULL AND (r.input_tokens > 0 OR r.output_tokens > 0))";

/// The sum of a token column over the requests that reached a provider: tokens are what a
/// provider counted, and what-if re-prices exactly those.
pub fn provided(column: &str) -> String {
    format!("SUM(CASE WHEN r.provider IS NOT NULL THEN r.{column} ELSE 0 END)")
}

/// Sums of request rows in SQL, `sign` 1 to add them, -1 to subtract them.
fn row_sums(sign: i64) -> String {
    format!(
        "{sign} * COUNT(*), {sign} * SUM({USED}), {sign} * SUM({USED} AND r.usage_estimated), \
         {sign} * {}, {sign} * {}, {sign} * {}, {sign} * {}, {sign} * {}, \
         {sign} * SUM(r.cost_usd)",
        provided("input_tokens"),
        provided("cached_input_tokens"),
        provided("cache_write_tokens"),
        provided("output_tokens"),
        provided("reasoning_tokens"),
    )
}

/// Adds (or, with `sign = -1`, subtracts) the rows `WHERE {rows}` selects (`r` is `requests`)
/// to both tables.
fn fold(conn: &Connection, rows: &str, sign: i64) -> rusqlite::Result<()> {
    let sums = row_sums(sign);
    conn.execute_batch(&format!(
        "INSERT INTO rollup_daily (day, {DIMS}, {COUNTERS})
         SELECT r.started_at / {DAY_MS}, {ROW_DIMS}, {sums}
         FROM requests r WHERE {rows} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
         ON CONFLICT DO UPDATE SET {ACCUMULATE};
         INSERT INTO rollup_daily_tags (day, tag_key, tag_value, {DIMS}, {COUNTERS})
         SELECT r.started_at / {DAY_MS}, t.key, t.value, {ROW_DIMS}, {sums}
         FROM requests r JOIN request_tags t ON t.request_id = r.id WHERE {rows}
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
         ON CONFLICT DO UPDATE SET {ACCUMULATE};
         INSERT INTO rollup_days (day, priced, ok, {COUNTERS})
         SELECT r.started_at / {DAY_MS}, r.cost_usd IS NOT NULL, r.outcome = 'ok', {sums}
         FROM requests r WHERE {rows} GROUP BY 1, 2, 3
         ON CONFLICT DO UPDATE SET {ACCUMULATE};
         DELETE FROM rollup_daily WHERE requests <= 0;
         DELETE FROM rollup_daily_tags WHERE requests <= 0;
         DELETE FROM rollup_days WHERE requests <= 0;"
    ))
}

/// Recomputes the roll-up tables from the request rows.
pub fn rebuild(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "DELETE FROM rollup_daily; DELETE FROM rollup_daily_tags; DELETE FROM rollup_days;",
    )?;
    fold(conn, "true", 1)
}

/// Subtracts the requests whose ids are in the temporary table `doomed`, before they are
/// deleted in the same transaction.
pub fn subtract_doomed(conn: &Connection) -> rusqlite::Result<()> {
    fold(conn, "r.id IN (SELECT id FROM doomed)", -1)
}

/// One group's dimensions, borrowed from the records of a batch.
#[derive(PartialEq, Eq, Hash)]
struct Group<'a> {
    day: i64,
    tag: Option<(&'a str, &'a str)>,
    provider: &'a str,
    requested_model: &'a str,
    upstream_model: &'a str,
    client: &'a str,
    client_key: &'a str,
    status: u16,
    outcome: &'static str,
    priced: bool,
}

#[derive(Default)]
struct Sums {
    requests: i64,
    used: i64,
    estimated: i64,
    input: i64,
    cached: i64,
    cache_write: i64,
    output: i64,
    reasoning: i64,
    cost: Option<f64>,
}

impl Sums {
    fn add(&mut self, r: &Record) {
        let used = r.provider.is_some() && (r.usage.input_tokens > 0 || r.usage.output_tokens > 0);
        self.requests += 1;
        self.used += i64::from(used);
        self.estimated += i64::from(used && r.usage_estimated);
        if r.provider.is_some() {
            self.input += r.usage.input_tokens as i64;
            self.cached += r.usage.cached_input_tokens as i64;
            self.cache_write += r.usage.cache_write_tokens as i64;
            self.output += r.usage.output_tokens as i64;
            self.reasoning += r.usage.reasoning_tokens as i64;
        }
        if let Some(cost) = r.cost_usd {
            *self.cost.get_or_insert(0.0) += cost;
        }
    }
}

/// Adds a batch of newly written records: one upsert per group, not per record (a burst of
/// an agent's requests shares a handful of groups).
pub fn add(tx: &Transaction<'_>, records: &[&Record]) -> rusqlite::Result<()> {
    let mut groups: HashMap<Group<'_>, Sums> = HashMap::new();
    let mut days: HashMap<(i64, bool, bool), Sums> = HashMap::new();
    for r in records {
        let base = Group {
            day: r.started_at_ms.div_euclid(DAY_MS),
            tag: None,
            provider: r.provider.as_deref().unwrap_or(""),
            requested_model: r.requested_model.as_deref().unwrap_or(""),
            upstream_model: r.upstream_model.as_deref().unwrap_or(""),
            client: r.client.as_deref().unwrap_or(""),
            client_key: r.client_key.as_deref().unwrap_or(""),
            status: r.status,
            outcome: r.outcome.as_str(),
            priced: r.cost_usd.is_some(),
        };
        for (key, value) in super::tags::stored(&r.tags) {
            let tagged = Group {
                tag: Some((key, value)),
                ..base
            };
            groups.entry(tagged).or_default().add(r);
        }
        days.entry((base.day, base.priced, r.outcome == Outcome::Ok))
            .or_default()
            .add(r);
        groups.entry(base).or_default().add(r);
    }
    let mut plain = tx.prepare_cached(&format!(
        "INSERT INTO rollup_daily (day, {DIMS}, {COUNTERS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
         ON CONFLICT DO UPDATE SET {ACCUMULATE}"
    ))?;
    let mut tagged = tx.prepare_cached(&format!(
        "INSERT INTO rollup_daily_tags (day, tag_key, tag_value, {DIMS}, {COUNTERS})
         VALUES (?1, ?19, ?20, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                 ?16, ?17, ?18)
         ON CONFLICT DO UPDATE SET {ACCUMULATE}"
    ))?;
    for (g, s) in &groups {
        let values = params![
            g.day,
            g.provider,
            g.requested_model,
            g.upstream_model,
            g.client,
            g.client_key,
            g.status,
            g.outcome,
            g.priced,
            s.requests,
            s.used,
            s.estimated,
            s.input,
            s.cached,
            s.cache_write,
            s.output,
            s.reasoning,
            s.cost,
        ];
        match g.tag {
            None => plain.execute(values)?,
            Some((key, value)) => {
                let mut with_tag: Vec<&dyn rusqlite::ToSql> = values.to_vec();
                with_tag.push(&key);
                with_tag.push(&value);
                tagged.execute(with_tag.as_slice())?
            }
        };
    }
    let mut per_day = tx.prepare_cached(&format!(
        "INSERT INTO rollup_days (day, priced, ok, {COUNTERS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT DO UPDATE SET {ACCUMULATE}"
    ))?;
    for ((day, priced, ok), s) in &days {
        per_day.execute(params![
            day,
            priced,
            ok,
            s.requests,
            s.used,
            s.estimated,
            s.input,
            s.cached,
            s.cache_write,
            s.output,
            s.reasoning,
            s.cost,
        ])?;
    }
    Ok(())
}
