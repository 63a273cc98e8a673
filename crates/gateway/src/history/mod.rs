//! The request history: one SQLite row per proxied request, written off the request
//! path, read by the admin API and the CLI.
//!
//! Writing goes through [`writer`]: handlers hand a finished [`Record`] to a bounded channel and
//! move on; one thread batches records into transactions. When the channel is full, senders
//! wait (backpressure) rather than drop a row. Reads use their own connection (WAL mode lets
//! them run beside the writer) and first wait until every record handed over so far is written,
//! so a client that reads history right after its answer sees its own request.
//!
//! Each table module ([`requests`], [`attempts`], [`tags`], [`bodies`], [`client_keys`]) owns its schema
//! migration and its typed queries; [`schema`] only applies migrations in order.

mod attempts;
mod bodies;
mod chunks;
pub mod client_keys;
pub use bodies::capped as capped_body;
pub mod costs;
mod filter;
pub mod overview;
mod progress;
pub mod query;
mod record;
pub mod requests;
mod retention;
pub mod rollups;
mod schema;
mod tags;
pub mod totals;
pub use tags::parse_header as parse_tags;
mod writer;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::Mutex;

pub use progress::Progress;
pub use record::{Attempt, Outcome, Record};
pub use retention::Retention;
pub use writer::WriterHandle;

/// Handle to the history: hands records to the writer and answers queries.
#[derive(Debug, Clone)]
pub struct History {
    writer: WriterHandle,
    reader: Arc<Mutex<Connection>>,
    progress: Arc<Progress>,
    observer: Arc<ObserverSlot>,
}

/// Called with every record as it is handed over (before it is written): how live figures
/// such as the budgets' spend follow the history without querying it per request.
pub type RecordObserver = Arc<dyn Fn(&Record) + Send + Sync>;

#[derive(Default)]
struct ObserverSlot(std::sync::OnceLock<RecordObserver>);

impl std::fmt::Debug for ObserverSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "ObserverSlot(set)"
        } else {
            "ObserverSlot(empty)"
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("history database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("history database: {0}")]
    Io(#[from] std::io::Error),
    #[error("history reader task failed")]
    Join,
}

impl History {
    /// Opens (creating and migrating) the database at `path` and starts the writer thread,
    /// which prunes what `retention` says is due in the background.
    pub fn open(path: &Path, retention: Retention) -> Result<History, HistoryError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut conn = open_connection(path)?;
        retention::incremental_vacuum(&conn)?;
        schema::migrate(&mut conn)?;
        // What is due is pruned before the first request for up to a second; a longer
        // backlog (a retention just lowered on a long history) goes on in the writer.
        retention::for_a_while(&mut conn, retention, Duration::from_secs(1));
        writer::optimize(&conn);
        let reader = open_connection(path)?;
        Self::start(conn, reader, retention)
    }

    /// An in-memory history for tests (shared cache, so reader and writer see the same data).
    pub fn open_in_memory() -> Result<History, HistoryError> {
        let name = format!(
            "file:switchyard-{}?mode=memory&cache=shared",
            uuid::Uuid::now_v7()
        );
        let flags = rusqlite::OpenFlags::default() | rusqlite::OpenFlags::SQLITE_OPEN_URI;
        let mut conn = Connection::open_with_flags(&name, flags)?;
        schema::migrate(&mut conn)?;
        let reader = Connection::open_with_flags(&name, flags)?;
        Self::start(conn, reader, Retention::default())
    }

    fn start(
        conn: Connection,
        reader: Connection,
        retention: Retention,
    ) -> Result<History, HistoryError> {
        let progress = Arc::new(Progress::default());
        progress.retention.set(retention);
        let writer = writer::spawn(conn, progress.clone())?;
        Ok(History {
            writer,
            reader: Arc::new(Mutex::new(reader)),
            progress,
            observer: Arc::default(),
        })
    }

    /// Sets the one observer of handed-over records (later calls are ignored).
    pub fn observe(&self, observer: RecordObserver) {
        let _ = self.observer.0.set(observer);
    }

    fn notify(&self, record: &Record) {
        if let Some(observer) = self.observer.0.get() {
            observer(record);
        }
    }

    /// Hands a finished record to the writer, waiting while the queue is full. Cancel-safe: if
    /// this future is dropped while it waits, the record is handed over without waiting
    /// instead, so it is never lost.
    pub async fn record(&self, record: Record) {
        let mut pending = PendingRecord {
            history: self,
            record: Some(record),
        };
        let permit = self.writer.reserve().await;
        if let (Some(permit), Some(record)) = (permit, pending.record.take()) {
            self.notify(&record);
            self.progress.enqueued.fetch_add(1, Ordering::SeqCst);
            permit.send(record);
        }
    }

    /// How much history to keep from now on; a lowered limit prunes within a minute, without
    /// a restart.
    pub fn set_retention(&self, retention: Retention) {
        self.progress.retention.set(retention);
    }

    /// Hands a record over from synchronous code (a `Drop`): never blocks, never drops.
    pub fn record_detached(&self, record: Record) {
        self.notify(&record);
        self.progress.enqueued.fetch_add(1, Ordering::SeqCst);
        self.writer.send_detached(record);
    }

    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// The ids of every batch committed from now on. A receiver that falls behind by more
    /// than 64 batches gets `Lagged` and should reload what it shows.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Arc<[String]>> {
        self.progress.committed.subscribe()
    }

    /// Stops accepting records, writes everything queued, and waits for the writer to finish.
    pub async fn close(&self) {
        self.writer.close().await;
    }

    /// Runs a read query after the writer has caught up with everything handed over so far.
    pub async fn read<T, F>(&self, query: F) -> Result<T, HistoryError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        self.caught_up(Duration::from_secs(2)).await;
        let conn = self.reader.clone().lock_owned().await;
        tokio::task::spawn_blocking(move || query(&conn))
            .await
            .map_err(|_| HistoryError::Join)?
            .map_err(HistoryError::from)
    }

    /// Runs a small write on the reading connection: admin edits such as client keys. Request
    /// rows stay with the batching writer; WAL and the busy timeout let the two take turns.
    pub async fn write<T, F>(&self, change: F) -> Result<T, HistoryError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let conn = self.reader.clone().lock_owned().await;
        tokio::task::spawn_blocking(move || change(&conn))
            .await
            .map_err(|_| HistoryError::Join)?
            .map_err(HistoryError::from)
    }

    /// Waits (at most `limit`) until no request is in flight; true when none is.
    pub async fn wait_idle(&self, limit: Duration) -> bool {
        let wait = async {
            loop {
                let changed = self.progress.changed.notified();
                if self.progress.in_flight.load(Ordering::SeqCst) == 0 {
                    return;
                }
                changed.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }

    async fn caught_up(&self, limit: Duration) {
        let target = self.progress.enqueued.load(Ordering::SeqCst);
        let wait = async {
            loop {
                let changed = self.progress.changed.notified();
                // Rows held back by a database that cannot take them are not waited for.
                let settled = self.progress.written.load(Ordering::SeqCst)
                    + self.progress.held.load(Ordering::SeqCst);
                if settled >= target {
                    return;
                }
                changed.await;
            }
        };
        let _ = tokio::time::timeout(limit, wait).await;
    }
}

/// A record on its way into the queue: handed over without waiting if the wait is dropped.
struct PendingRecord<'a> {
    history: &'a History,
    record: Option<Record>,
}

impl Drop for PendingRecord<'_> {
    fn drop(&mut self) {
        if let Some(record) = self.record.take() {
            self.history.record_detached(record);
        }
    }
}

fn open_connection(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(Duration::from_secs(5))?;
    Ok(conn)
}

/// Runs one query on the history file at `path`, opened read-only (for the CLI, beside a
/// running gateway). `Ok(None)` when there is no history yet.
pub fn query_file<T>(
    path: &Path,
    query: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> Result<Option<T>, HistoryError> {
    if !path.exists() {
        return Ok(None);
    }
    let conn = open_read_only(path)?;
    if !schema::current(&conn).unwrap_or(false) {
        // Written by an older Switchyard: bring it up to date first (what a gateway does at
        // start), so the query finds the tables it reads.
        drop(conn);
        schema::migrate(&mut open_connection(path)?)?;
        return Ok(Some(query(&open_read_only(path)?)?));
    }
    Ok(Some(query(&conn)?))
}

/// Opens an existing history read-only.
pub fn open_read_only(path: &Path) -> Result<Connection, HistoryError> {
    let conn = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(5))?;
    Ok(conn)
}

/// What [`rebuild_rollups`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rebuilt {
    pub requests: u64,
    /// Rows of `rollup_daily`.
    pub groups: u64,
}

/// Recomputes the daily roll-ups of the history at `path` from its rows, in one transaction
/// (a running gateway's writer waits for it, then goes on).
pub fn rebuild_rollups(path: &Path) -> Result<Rebuilt, HistoryError> {
    let mut conn = open_connection(path)?;
    schema::migrate(&mut conn)?;
    let tx = conn.transaction()?;
    rollups::rebuild(&tx)?;
    let count = |sql: &str| tx.query_row(sql, [], |r| r.get::<_, i64>(0));
    let rebuilt = Rebuilt {
        requests: count("SELECT COALESCE(SUM(requests), 0) FROM rollup_daily")? as u64,
        groups: count("SELECT COUNT(*) FROM rollup_daily")? as u64,
    };
    tx.commit()?;
    Ok(rebuilt)
}

/// Rewrites the history at `path` without its free pages, with incremental vacuum from then
/// on; returns the file's size before and after.
pub fn vacuum(path: &Path) -> Result<(u64, u64), HistoryError> {
    let size = || std::fs::metadata(path).map(|m| m.len());
    let before = size()?;
    let conn = open_connection(path)?;
    conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    conn.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")?;
    drop(conn);
    Ok((before, size()?))
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_rollups;
#[cfg(test)]
mod tests_writer;
