//! Request and response bodies for the detail view, when `logging.store_bodies` is on. Kept
//! apart from `requests` so listing history never reads them, and stored as lists of chunks
//! ([`super::chunks`]): compressed, and each distinct piece of text once, because an agent
//! resends its whole conversation on every turn.
//!
//! `bodies` holds the plain text written before chunks were introduced; it is still read,
//! and emptied by retention like the rest.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::chunks;
use super::record::Record;

pub const MIGRATIONS: &[(&str, &str)] = &[
    (
        "bodies/1",
        "CREATE TABLE bodies (
        request_id TEXT PRIMARY KEY REFERENCES requests(id) ON DELETE CASCADE,
        request TEXT,
        response TEXT
    ) WITHOUT ROWID;",
    ),
    ("bodies/2", chunks::MIGRATION),
    // Each body as the ids of its chunks, 8 bytes each.
    (
        "bodies/3",
        "CREATE TABLE stored_bodies (
        request_id TEXT PRIMARY KEY REFERENCES requests(id) ON DELETE CASCADE,
        request BLOB,
        response BLOB
    ) WITHOUT ROWID;",
    ),
];

pub fn insert(tx: &Transaction<'_>, record: &Record) -> rusqlite::Result<()> {
    if record.request_body.is_none() && record.response_body.is_none() {
        return Ok(());
    }
    let store = |body: &Option<String>| {
        body.as_deref()
            .map(|b| chunks::store(tx, b.as_bytes(), record.started_at_ms))
            .transpose()
    };
    let (request, response) = (store(&record.request_body)?, store(&record.response_body)?);
    tx.prepare_cached(
        "INSERT INTO stored_bodies (request_id, request, response) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![record.id, request, response])?;
    Ok(())
}

/// A body as the ids of its chunks, 8 bytes each.
type ChunkIds = Vec<u8>;

pub fn for_request(
    conn: &Connection,
    request_id: &str,
) -> rusqlite::Result<Option<(Option<String>, Option<String>)>> {
    let lists: Option<(Option<ChunkIds>, Option<ChunkIds>)> = conn
        .prepare_cached("SELECT request, response FROM stored_bodies WHERE request_id = ?1")?
        .query_row([request_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    if let Some((request, response)) = lists {
        let load = |ids: Option<Vec<u8>>| ids.map(|ids| chunks::load(conn, &ids)).transpose();
        return Ok(Some((load(request)?, load(response)?)));
    }
    conn.prepare_cached("SELECT request, response FROM bodies WHERE request_id = ?1")?
        .query_row([request_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()
}

/// Margin read past the cut before redacting, so a key the cut runs through is still seen
/// whole (and scrubbed) rather than kept as a recognisable prefix.
const REDACT_MARGIN: usize = 512;

/// Cuts a body to at most `limit` bytes (on a character boundary), marking the cut, with
/// keys and tokens scrubbed as in log lines and error messages (a prompt can quote a key, an
/// answer can echo it).
pub fn capped(body: &[u8], limit: usize) -> String {
    let kept = body.len().min(limit.saturating_add(REDACT_MARGIN));
    let lossy = String::from_utf8_lossy(&body[..kept]);
    let text = crate::secrets::redact(&lossy);
    if text.len() <= limit && kept == body.len() {
        return text.into_owned();
    }
    let mut end = limit.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [truncated: {} bytes in all]", &text[..end], body.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 15: stored bodies skipped the redactor that error messages and logs go through.
    #[test]
    fn regression_a_key_quoted_in_a_body_is_stored_redacted_even_where_the_cut_falls() {
        let body = br#"{"content":"my key is sk-live-0123456789abcdef, keep it"}"#;
        let stored = capped(body, 1024);
        assert!(!stored.contains("0123456789abcdef"), "{stored}");
        assert!(stored.contains("<redacted>"), "{stored}");
        let cut = capped(body, 30);
        assert!(
            !cut.contains("sk-live-0123"),
            "the cut did not keep a prefix: {cut}"
        );
        assert!(cut.contains("[truncated: "), "{cut}");
    }

    #[test]
    fn a_body_within_the_limit_is_kept_whole() {
        assert_eq!(capped(b"{\"a\": 1}", 1024), "{\"a\": 1}");
        let multibyte = "é".repeat(10);
        let cut = capped(multibyte.as_bytes(), 5);
        assert!(cut.starts_with("éé…"), "cut on a character boundary: {cut}");
    }
}
