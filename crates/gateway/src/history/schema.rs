//! Applies each table's migrations once, in order, and remembers which ran.
//!
//! Migrations are named (`requests/1`, `tags/1`, …) rather than numbered globally, so a table
//! module can add its next step without coordinating with the others.

use rusqlite::Connection;

use super::{attempts, bodies, client_keys, requests, rollups, tags};

/// Every migration, in the order a new database applies them.
fn all() -> Vec<(&'static str, &'static str)> {
    [
        requests::MIGRATIONS,
        attempts::MIGRATIONS,
        tags::MIGRATIONS,
        bodies::MIGRATIONS,
        client_keys::MIGRATIONS,
        rollups::MIGRATIONS,
    ]
    .concat()
}

/// Migrations after which the roll-ups are computed afresh from the rows already there (new
/// roll-up tables start empty): once, at the end of the migrating transaction.
const REBUILD_ROLLUPS: &[&str] = &["rollups/1"];

pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            name TEXT PRIMARY KEY,
            applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        )",
    )?;
    let tx = conn.transaction()?;
    let mut rebuild = false;
    for (name, sql) in all() {
        let done: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE name = ?1)",
            [name],
            |row| row.get(0),
        )?;
        if !done {
            tx.execute_batch(sql)?;
            rebuild |= REBUILD_ROLLUPS.contains(&name);
            tx.execute("INSERT INTO schema_migrations (name) VALUES (?1)", [name])?;
        }
    }
    if rebuild {
        rollups::rebuild(&tx)?;
    }
    tx.commit()
}

/// Whether every migration has been applied (a history written by an older Switchyard has not
/// been, until a gateway or a write opens it).
pub fn current(conn: &Connection) -> rusqlite::Result<bool> {
    let mut stmt = conn.prepare("SELECT name FROM schema_migrations")?;
    let applied: std::collections::HashSet<String> = stmt
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(all().iter().all(|(name, _)| applied.contains(*name)))
}
