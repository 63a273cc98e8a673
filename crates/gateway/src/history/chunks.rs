//! The chunk store behind stored bodies: each body is cut into content-defined chunks
//! (FastCDC: cuts fall where the content says, so the same text yields the same chunks
//! wherever it sits), and each distinct chunk is stored once, compressed with zstd.
//!
//! Why: a coding agent resends its whole conversation, tool definitions first, on every
//! turn, so most of what a history's bodies weigh is text it already holds. Stored once, a
//! turn costs the disk (and the writer's compression) only what is new in it; the benchmark
//! in docs/benchmarks.md measures what this saves.
//!
//! Chunks are not reference-counted: each remembers the latest request start that used it
//! (`last_used`, kept to within [`SLACK_MS`] to spare a write per reuse), and retention, which
//! always deletes the oldest requests first, deletes the chunks last used before the oldest
//! request that remains (less the slack): no remaining request can use them.

use std::cell::RefCell;

use rusqlite::{Connection, OptionalExtension, params};

/// Chunk sizes: small enough that a conversation's new turn is a chunk or two, large enough
/// that each compresses well and the lists stay short.
const MIN: usize = 1024;
const AVERAGE: usize = 4 * 1024;
const MAX: usize = 16 * 1024;
/// How stale a chunk's `last_used` may be (and how much longer than needed it is kept).
pub const SLACK_MS: i64 = 3_600_000;
/// zstd's level for chunks: where a higher level cost the writer more time than it saved
/// bytes on the benchmark's bodies (docs/benchmarks.md, "History at scale").
pub const LEVEL: i32 = 1;

pub const MIGRATION: &str = "CREATE TABLE body_chunks (
        id INTEGER PRIMARY KEY,
        hash BLOB NOT NULL UNIQUE,             -- xxh3-128 of the chunk
        last_used INTEGER NOT NULL,            -- ms: the latest request start that used it
        data BLOB NOT NULL                     -- one zstd frame
    );
    CREATE INDEX body_chunks_by_use ON body_chunks (last_used);";

thread_local! {
    /// The writer thread's compression context, made once: making one per chunk cost more
    /// than compressing a small chunk.
    static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
}

fn compress(chunk: &[u8]) -> std::io::Result<Vec<u8>> {
    COMPRESSOR.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            *slot = Some(zstd::bulk::Compressor::new(LEVEL)?);
        }
        match slot.as_mut() {
            Some(compressor) => compressor.compress(chunk),
            None => Err(std::io::Error::other("no zstd context")),
        }
    })
}

/// Stores `body`'s chunks that are not stored yet and returns the list of its chunks' ids
/// (8 bytes each, little-endian), used at `used_at_ms`.
pub fn store(conn: &Connection, body: &[u8], used_at_ms: i64) -> rusqlite::Result<Vec<u8>> {
    let mut ids = Vec::with_capacity(8 * (body.len() / AVERAGE + 1));
    let mut find = conn.prepare_cached("SELECT id, last_used FROM body_chunks WHERE hash = ?1")?;
    let mut touch = conn.prepare_cached("UPDATE body_chunks SET last_used = ?2 WHERE id = ?1")?;
    let mut add = conn.prepare_cached(
        "INSERT INTO body_chunks (hash, last_used, data) VALUES (?1, ?2, ?3) RETURNING id",
    )?;
    for cut in fastcdc::v2020::FastCDC::new(body, MIN, AVERAGE, MAX) {
        let chunk = &body[cut.offset..cut.offset + cut.length];
        let hash = xxhash_rust::xxh3::xxh3_128(chunk).to_le_bytes();
        let found: Option<(i64, i64)> = find
            .query_row([&hash[..]], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        let id = match found {
            Some((id, last_used)) => {
                if last_used < used_at_ms - SLACK_MS {
                    touch.execute(params![id, used_at_ms])?;
                }
                id
            }
            None => {
                let frame = compress(chunk)
                    .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
                add.query_row(params![&hash[..], used_at_ms, frame], |row| row.get(0))?
            }
        };
        ids.extend_from_slice(&i64::to_le_bytes(id));
    }
    Ok(ids)
}

/// The body a list of chunk ids spells, as text. A chunk that cannot be read (a damaged
/// file) is replaced by a note saying so, and the rest is kept.
pub fn load(conn: &Connection, ids: &[u8]) -> rusqlite::Result<String> {
    let mut read = conn.prepare_cached("SELECT data FROM body_chunks WHERE id = ?1")?;
    let mut body = Vec::new();
    for id in ids.chunks_exact(8) {
        let id = i64::from_le_bytes(id.try_into().unwrap_or_default());
        let frame: Option<Vec<u8>> = read.query_row([id], |row| row.get(0)).optional()?;
        match frame.map(|f| zstd::bulk::decompress(&f, MAX)) {
            Some(Ok(chunk)) => body.extend_from_slice(&chunk),
            Some(Err(e)) => body.extend_from_slice(format!("[unreadable part: {e}]").as_bytes()),
            None => body.extend_from_slice(b"[a part of this body is missing]"),
        }
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// Deletes the chunks no remaining request can use: those last used before the oldest
/// request (less the slack), or all of them when no request remains.
pub fn prune(conn: &Connection) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM body_chunks WHERE last_used <
            (SELECT COALESCE(MIN(started_at), 9223372036854775807) FROM requests) - ?1",
        [SLACK_MS],
    )
}
