//! The `attempts` table: every try at every target, so a fallback can be read back in detail.

use rusqlite::{Connection, Transaction, params};

use super::record::Attempt;

pub const MIGRATIONS: &[(&str, &str)] = &[(
    "attempts/1",
    "CREATE TABLE attempts (
        request_id TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
        attempt INTEGER NOT NULL,
        provider TEXT NOT NULL,
        upstream_model TEXT NOT NULL,
        status INTEGER,
        error TEXT,
        latency_ms INTEGER NOT NULL,
        PRIMARY KEY (request_id, attempt)
    ) WITHOUT ROWID;",
)];

pub fn insert(
    tx: &Transaction<'_>,
    request_id: &str,
    attempts: &[Attempt],
) -> rusqlite::Result<()> {
    if attempts.is_empty() {
        return Ok(());
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO attempts (request_id, attempt, provider, upstream_model, status, error, latency_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (i, a) in attempts.iter().enumerate() {
        stmt.execute(params![
            request_id,
            i as i64 + 1,
            a.provider,
            a.upstream_model,
            a.status,
            a.error,
            a.latency_ms as i64
        ])?;
    }
    Ok(())
}

pub fn for_request(conn: &Connection, request_id: &str) -> rusqlite::Result<Vec<Attempt>> {
    let mut stmt = conn.prepare_cached(
        "SELECT provider, upstream_model, status, error, latency_ms
         FROM attempts WHERE request_id = ?1 ORDER BY attempt",
    )?;
    let rows = stmt.query_map([request_id], |row| {
        Ok(Attempt {
            provider: row.get(0)?,
            upstream_model: row.get(1)?,
            status: row.get(2)?,
            error: row.get(3)?,
            latency_ms: row.get::<_, i64>(4)? as u64,
        })
    })?;
    rows.collect()
}
