//! The `bodies` table: request and response bodies for the detail view, when
//! `logging.store_bodies` is on. Kept apart from `requests` so listing history never reads them.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::Record;

pub const MIGRATIONS: &[(&str, &str)] = &[(
    "bodies/1",
    "CREATE TABLE bodies (
        request_id TEXT PRIMARY KEY REFERENCES requests(id) ON DELETE CASCADE,
        request TEXT,
        response TEXT
    ) WITHOUT ROWID;",
)];

pub fn insert(tx: &Transaction<'_>, record: &Record) -> rusqlite::Result<()> {
    if record.request_body.is_none() && record.response_body.is_none() {
        return Ok(());
    }
    tx.prepare_cached("INSERT INTO bodies (request_id, request, response) VALUES (?1, ?2, ?3)")?
        .execute(params![
            record.id,
            record.request_body,
            record.response_body
        ])?;
    Ok(())
}

pub fn for_request(
    conn: &Connection,
    request_id: &str,
) -> rusqlite::Result<Option<(Option<String>, Option<String>)>> {
    conn.prepare_cached("SELECT request, response FROM bodies WHERE request_id = ?1")?
        .query_row([request_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()
}

/// Cuts a body to at most `limit` bytes (on a character boundary), marking the cut.
pub fn capped(body: &[u8], limit: usize) -> String {
    let text = String::from_utf8_lossy(body);
    if text.len() <= limit {
        return text.into_owned();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [truncated: {} bytes in all]", &text[..end], body.len())
}
