//! Retention: requests older than `retention_days`, and the oldest ones while the database
//! holds more than `retention_max_mb`, are deleted with their attempts, tags and bodies (and
//! the body chunks no remaining request uses).
//!
//! Deleting runs on the writer thread in small batches ([`BATCH`] rows, one transaction each,
//! a few milliseconds), one batch between two writes, so a large prune never holds up the
//! rows of requests being served. Each batch subtracts what it deletes from the daily
//! roll-ups in its own transaction, so totals stay the sums of the rows that remain. Freed
//! pages go back to the file system by `incremental_vacuum` once a prune is done.

use std::sync::atomic::{AtomicU32, Ordering};

use rusqlite::Connection;

use super::rollups;

/// Rows per delete transaction.
pub const BATCH: usize = 2_000;

/// How much history to keep (0: no limit).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    pub days: u32,
    pub max_mb: u32,
}

/// The retention in force, shared between the config reload and the writer thread.
#[derive(Debug, Default)]
pub struct Limits {
    days: AtomicU32,
    max_mb: AtomicU32,
}

impl Limits {
    pub fn set(&self, retention: Retention) {
        self.days.store(retention.days, Ordering::SeqCst);
        self.max_mb.store(retention.max_mb, Ordering::SeqCst);
    }

    pub fn get(&self) -> Retention {
        Retention {
            days: self.days.load(Ordering::SeqCst),
            max_mb: self.max_mb.load(Ordering::SeqCst),
        }
    }
}

/// What one step of pruning did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Step {
    pub deleted: usize,
    /// More rows are due: call again (after the next write).
    pub more: bool,
}

/// Deletes one batch of what `retention` says is due, as of `now_ms`.
pub fn step(conn: &mut Connection, retention: Retention, now_ms: i64) -> rusqlite::Result<Step> {
    let tx = conn.transaction()?;
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS doomed (id TEXT PRIMARY KEY) WITHOUT ROWID;
         DELETE FROM doomed;",
    )?;
    let mut chosen = 0;
    if retention.days > 0 {
        let cutoff = now_ms - i64::from(retention.days) * rollups::DAY_MS;
        chosen = tx.execute(
            "INSERT INTO doomed SELECT id FROM requests WHERE started_at < ?1
             ORDER BY started_at LIMIT ?2",
            rusqlite::params![cutoff, BATCH as i64],
        )?;
    }
    if chosen == 0 && retention.max_mb > 0 {
        let excess = used_bytes(&tx)?.saturating_sub(u64::from(retention.max_mb) << 20);
        if excess > 0 {
            chosen = tx.execute(
                "INSERT INTO doomed SELECT id FROM requests ORDER BY started_at LIMIT ?1",
                [rows_for(&tx, excess)? as i64],
            )?;
        }
    }
    if chosen == 0 {
        return Ok(Step::default());
    }
    rollups::subtract_doomed(&tx)?;
    let deleted = tx.execute(
        "DELETE FROM requests WHERE id IN (SELECT id FROM doomed)",
        [],
    )?;
    tx.execute("DELETE FROM doomed", [])?;
    super::chunks::prune(&tx)?;
    tx.commit()?;
    Ok(Step {
        deleted,
        more: true,
    })
}

/// About how many of the oldest rows hold `excess` bytes (rows weigh what the database
/// weighs on average), at least one and at most a batch.
fn rows_for(conn: &Connection, excess: u64) -> rusqlite::Result<usize> {
    let rows: i64 = conn.query_row(
        "SELECT COALESCE(SUM(requests), 0) FROM rollup_daily",
        [],
        |r| r.get(0),
    )?;
    let per_row = used_bytes(conn)? / (rows.max(1) as u64);
    Ok((excess.div_ceil(per_row.max(1)) as usize).clamp(1, BATCH))
}

/// Prunes batch after batch for at most `limit` (at start).
pub fn for_a_while(conn: &mut Connection, retention: Retention, limit: std::time::Duration) {
    if retention == Retention::default() {
        return;
    }
    let started = std::time::Instant::now();
    let now_ms = chrono::Utc::now().timestamp_millis();
    let mut deleted = 0;
    while started.elapsed() < limit {
        match step(conn, retention, now_ms) {
            Ok(step) if step.more => deleted += step.deleted,
            Ok(_) => break,
            Err(e) => {
                tracing::warn!(error = %e, "history pruning failed");
                break;
            }
        }
    }
    if deleted > 0 {
        release(conn);
        tracing::info!(rows = deleted, "pruned history beyond the retention limits");
    }
}

/// Bytes of the database's pages in use (free pages are not counted: they are reused).
pub fn used_bytes(conn: &Connection) -> rusqlite::Result<u64> {
    let pragma = |name: &str| conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, i64>(0));
    let pages = pragma("page_count")? - pragma("freelist_count")?;
    Ok(pages.max(0) as u64 * pragma("page_size")?.max(0) as u64)
}

/// A database with `auto_vacuum = incremental` can give freed pages back to the file system;
/// one without it (a new file, or one made before) is converted by a `VACUUM` while it is
/// small, and otherwise keeps its size until `switchyard history vacuum`.
pub fn incremental_vacuum(conn: &Connection) -> rusqlite::Result<()> {
    const INCREMENTAL: i64 = 2;
    const CONVERT_BELOW: u64 = 64 << 20;
    conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    let mode: i64 = conn.query_row("PRAGMA auto_vacuum", [], |r| r.get(0))?;
    // Even a new file needs it: switching to WAL has already written its first page.
    if mode != INCREMENTAL && used_bytes(conn)? < CONVERT_BELOW {
        conn.execute_batch("VACUUM")?;
    }
    Ok(())
}

/// Gives the free pages back to the file system (a database made with
/// `auto_vacuum = incremental`; on others this does nothing).
pub fn release(conn: &Connection) {
    // Each step of the pragma frees one page: it is run to its end.
    let freed = conn
        .prepare("PRAGMA incremental_vacuum")
        .and_then(|mut stmt| {
            let mut rows = stmt.query([])?;
            while rows.next()?.is_some() {}
            Ok(())
        });
    if let Err(e) = freed {
        tracing::debug!(error = %e, "history incremental vacuum failed");
    }
}
