//! The `client_keys` table: the keys Switchyard issued to its own clients (tools, teammates),
//! stored as SHA-256 hashes with a name, the last four characters, and when each was created,
//! last used and revoked. The key itself is never stored: it is shown once, when issued.
//!
//! Revoked keys stay (with `revoked_at`) so history rows attributed to them keep their meaning.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

pub const MIGRATIONS: &[(&str, &str)] = &[(
    "client_keys/1",
    "CREATE TABLE client_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        key_sha256 TEXT NOT NULL UNIQUE,       -- hex; the key is never stored
        last_four TEXT NOT NULL,
        created_at INTEGER NOT NULL,           -- ms since the Unix epoch
        last_used_at INTEGER,
        revoked_at INTEGER
    ) WITHOUT ROWID;",
)];

/// A client key as the admin API lists it: never the key or its hash.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ClientKeyView {
    pub id: String,
    pub name: String,
    pub last_four: String,
    /// RFC 3339.
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// What the proxy needs to recognise an active key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveKey {
    pub id: String,
    pub name: String,
    pub key_sha256: String,
}

pub fn insert(
    conn: &Connection,
    id: &str,
    name: &str,
    key_sha256: &str,
    last_four: &str,
    created_at_ms: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO client_keys (id, name, key_sha256, last_four, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, name, key_sha256, last_four, created_at_ms],
    )?;
    Ok(())
}

/// Every key, newest first.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<ClientKeyView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, last_four, created_at, last_used_at, revoked_at FROM client_keys
         ORDER BY created_at DESC, id",
    )?;
    let time = |ms: Option<i64>| ms.map(super::requests::rfc3339);
    stmt.query_map([], |row| {
        Ok(ClientKeyView {
            id: row.get(0)?,
            name: row.get(1)?,
            last_four: row.get(2)?,
            created_at: super::requests::rfc3339(row.get(3)?),
            last_used_at: time(row.get(4)?),
            revoked_at: time(row.get(5)?),
        })
    })?
    .collect()
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<ClientKeyView>> {
    Ok(list(conn)?.into_iter().find(|k| k.id == id))
}

/// The keys that are not revoked.
pub fn active(conn: &Connection) -> rusqlite::Result<Vec<ActiveKey>> {
    let mut stmt = conn
        .prepare_cached("SELECT id, name, key_sha256 FROM client_keys WHERE revoked_at IS NULL")?;
    stmt.query_map([], |row| {
        Ok(ActiveKey {
            id: row.get(0)?,
            name: row.get(1)?,
            key_sha256: row.get(2)?,
        })
    })?
    .collect()
}

/// Whether an active key other than `except` already has this name.
pub fn name_taken(conn: &Connection, name: &str, except: Option<&str>) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM client_keys WHERE name = ?1 AND revoked_at IS NULL AND id <> ?2)",
        params![name, except.unwrap_or("")],
        |row| row.get(0),
    )
}

/// Renames a key that is not revoked; false when there is none with this id.
pub fn rename(conn: &Connection, id: &str, name: &str) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE client_keys SET name = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, name],
    )? == 1)
}

/// Revokes a key; false when there is no active key with this id.
pub fn revoke(conn: &Connection, id: &str, at_ms: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE client_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, at_ms],
    )? == 1)
}

/// Records a use of the key (only ever moves forward).
pub fn touch(conn: &Connection, id: &str, at_ms: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE client_keys SET last_used_at = ?2
         WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at < ?2)",
        params![id, at_ms],
    )?;
    Ok(())
}

/// The id of the key with this hash, revoked or not (for tests and diagnostics).
pub fn id_of(conn: &Connection, key_sha256: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT id FROM client_keys WHERE key_sha256 = ?1",
        [key_sha256],
        |row| row.get(0),
    )
    .optional()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0].1).unwrap();
        conn
    }

    #[test]
    fn a_key_is_listed_renamed_touched_and_revoked_without_its_hash() {
        let conn = db();
        insert(&conn, "k1", "ci", "ab12", "wxyz", 1_000).unwrap();
        assert_eq!(active(&conn).unwrap().len(), 1);
        assert!(rename(&conn, "k1", "ci-bot").unwrap());
        touch(&conn, "k1", 5_000).unwrap();
        touch(&conn, "k1", 4_000).unwrap();
        let view = get(&conn, "k1").unwrap().unwrap();
        assert_eq!(view.name, "ci-bot");
        assert_eq!(view.last_four, "wxyz");
        assert_eq!(
            view.last_used_at.as_deref(),
            Some("1970-01-01T00:00:05.000Z"),
            "an older use does not move last use back"
        );
        assert!(revoke(&conn, "k1", 6_000).unwrap());
        assert!(!revoke(&conn, "k1", 7_000).unwrap(), "revoked once");
        assert!(
            active(&conn).unwrap().is_empty(),
            "a revoked key is not active"
        );
        assert_eq!(
            id_of(&conn, "ab12").unwrap().as_deref(),
            Some("k1"),
            "but kept"
        );
    }

    #[test]
    fn names_are_unique_among_active_keys_only() {
        let conn = db();
        insert(&conn, "k1", "laptop", "h1", "1111", 1).unwrap();
        assert!(name_taken(&conn, "laptop", None).unwrap());
        assert!(
            !name_taken(&conn, "laptop", Some("k1")).unwrap(),
            "its own name"
        );
        revoke(&conn, "k1", 2).unwrap();
        assert!(
            !name_taken(&conn, "laptop", None).unwrap(),
            "free again once revoked"
        );
    }
}
