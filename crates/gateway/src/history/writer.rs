//! The batching history writer: one thread owns the write connection and turns whatever has
//! queued up into a single transaction, so a burst of 64 finished requests costs one commit.
//!
//! A database that cannot take rows for a while (another process holding a lock, a full disk,
//! a file turned read-only) must not lose them nor stall requests: rows that failed for such a
//! reason wait in memory (up to [`HELD_MAX`]) and are retried every [`RETRY_EVERY`], and the
//! reason is published in [`Progress`] for `/api/status` and the dashboard. Only a row the
//! database refuses for itself (a constraint) is given up, and logged.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode};
use tokio::sync::mpsc;

use super::progress::Progress;
use super::record::Record;
use super::retention::{self, Retention};
use super::{attempts, bodies, requests, rollups, tags};

/// Records that may wait in memory before senders are made to wait.
const QUEUE: usize = 4096;
/// Largest batch per transaction: bounds how long readers can be kept from the newest rows.
const BATCH: usize = 512;
/// How often the writer looks whether retention has rows to delete (by age or by size).
const PRUNE_EVERY: Duration = Duration::from_secs(30);
/// How often the query planner's statistics are refreshed as the history grows.
const OPTIMIZE_EVERY: Duration = Duration::from_secs(3600);
/// How often an idle writer wakes to see whether a lowered retention wants a prune.
const IDLE_WAKE: Duration = Duration::from_secs(60);
/// How often rows held back by a database that could not take them are tried again.
const RETRY_EVERY: Duration = Duration::from_secs(1);
/// Rows held back at most; beyond, the oldest are given up (and counted in the log).
const HELD_MAX: usize = 20_000;
/// How long shutdown keeps retrying held rows before giving them up.
const SHUTDOWN_RETRIES: usize = 5;

#[derive(Debug, Clone)]
pub struct WriterHandle {
    sender: Arc<std::sync::Mutex<Option<mpsc::Sender<Record>>>>,
    done: Arc<tokio::sync::Mutex<Option<tokio::sync::oneshot::Receiver<()>>>>,
}

pub fn spawn(conn: Connection, progress: Arc<Progress>) -> std::io::Result<WriterHandle> {
    let (sender, receiver) = mpsc::channel(QUEUE);
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    // Made here, not on the thread: it must see the retention History::start pruned with.
    let writer = Writer::new(conn, progress);
    std::thread::Builder::new()
        .name("history-writer".into())
        .spawn(move || {
            writer.run(receiver);
            let _ = done_tx.send(());
        })?;
    Ok(WriterHandle {
        sender: Arc::new(std::sync::Mutex::new(Some(sender))),
        done: Arc::new(tokio::sync::Mutex::new(Some(done_rx))),
    })
}

impl WriterHandle {
    fn sender(&self) -> Option<mpsc::Sender<Record>> {
        self.sender.lock().ok().and_then(|s| s.clone())
    }

    /// Waits for room in the queue. Cancel-safe: nothing is taken until there is room, so a
    /// caller dropped while waiting still holds its record.
    pub async fn reserve(&self) -> Option<mpsc::OwnedPermit<Record>> {
        self.sender()?.reserve_owned().await.ok()
    }

    /// For `Drop` paths: queue without waiting; if the queue is full, finish on a task.
    pub fn send_detached(&self, record: Record) {
        let Some(sender) = self.sender() else {
            tracing::error!("history is closed; a request was not recorded");
            return;
        };
        match sender.try_send(record) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(record)) => {
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    runtime.spawn(async move {
                        let _ = sender.send(record).await;
                    });
                } else {
                    let _ = sender.blocking_send(record);
                }
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                tracing::error!("history writer has stopped; a request was not recorded");
            }
        }
    }

    /// Closes the queue and waits until the writer has committed everything in it.
    pub async fn close(&self) {
        if let Ok(mut sender) = self.sender.lock() {
            sender.take();
        }
        if let Some(done) = self.done.lock().await.take() {
            let _ = done.await;
        }
    }
}

/// The writer thread's state.
struct Writer {
    conn: Connection,
    progress: Arc<Progress>,
    /// Rows the database could not take yet, oldest first.
    held: VecDeque<Record>,
    /// When retention last looked for rows to delete; `None`: at the first chance.
    last_prune: Option<Instant>,
    /// The retention the last prune used: a lowered one prunes at once.
    pruned_with: Retention,
    /// A prune is under way: the next batch follows the next write.
    pruning: bool,
    /// Rows the prune under way has deleted so far.
    pruned: usize,
    /// When the planner's statistics were last refreshed.
    last_optimize: Instant,
}

impl Writer {
    fn new(conn: Connection, progress: Arc<Progress>) -> Writer {
        let pruned_with = progress.retention.get();
        Writer {
            conn,
            progress,
            held: VecDeque::new(),
            last_prune: None,
            pruned_with,
            pruning: false,
            pruned: 0,
            last_optimize: Instant::now(),
        }
    }

    fn run(mut self, mut receiver: mpsc::Receiver<Record>) {
        // A clock for waiting on the queue with a time limit; the thread stays the writer's own.
        let Ok(clock) = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
        else {
            tracing::error!("history writer could not start its timer; no rows will be written");
            return;
        };
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            let wait = if self.pruning || self.last_prune.is_none() {
                Duration::ZERO
            } else if self.held.is_empty() {
                IDLE_WAKE
            } else {
                RETRY_EVERY
            };
            match clock.block_on(async { tokio::time::timeout(wait, receiver.recv()).await }) {
                Ok(Some(first)) => batch.push(first),
                Ok(None) => break,
                Err(_) => {} // time to retry held rows, or to prune
            }
            while batch.len() < BATCH {
                match receiver.try_recv() {
                    Ok(record) => batch.push(record),
                    Err(_) => break,
                }
            }
            self.write(std::mem::take(&mut batch));
            self.prune_when_due();
            if self.last_optimize.elapsed() > OPTIMIZE_EVERY {
                optimize(&self.conn);
                self.last_optimize = Instant::now();
            }
        }
        for _ in 0..SHUTDOWN_RETRIES {
            if self.held.is_empty() {
                break;
            }
            std::thread::sleep(RETRY_EVERY);
            self.write(Vec::new());
        }
        if !self.held.is_empty() {
            tracing::error!(
                rows = self.held.len(),
                "history could not be written before shutdown; these requests are not recorded"
            );
        }
        if let Err(e) = self.conn.pragma_update(None, "wal_checkpoint", "TRUNCATE") {
            tracing::debug!(error = %e, "history checkpoint at shutdown failed");
        }
    }

    /// Writes the held rows and `fresh` in one transaction; on failure, row by row, holding
    /// back those the database could not take for now.
    fn write(&mut self, fresh: Vec<Record>) {
        let mut rows: Vec<Record> = self.held.drain(..).collect();
        rows.extend(fresh);
        if rows.is_empty() {
            return;
        }
        let settled = match write_batch(&mut self.conn, &rows) {
            Ok(()) => {
                self.progress.set_trouble(None);
                rows
            }
            Err(e) if passing(&e) => {
                // Every row would wait out the same lock or full disk: hold them all.
                tracing::warn!(error = %e, rows = rows.len(), "history cannot take rows now; they wait in memory and are retried");
                self.progress.set_trouble(Some(e.to_string()));
                for record in rows {
                    self.hold(record);
                }
                Vec::new()
            }
            Err(e) => {
                tracing::error!(error = %e, rows = rows.len(), "history batch failed; retrying one by one");
                let mut settled = Vec::with_capacity(rows.len());
                let mut trouble = None;
                for record in rows {
                    match write_batch(&mut self.conn, std::slice::from_ref(&record)) {
                        Ok(()) => settled.push(record),
                        Err(e) if passing(&e) => {
                            trouble = Some(e.to_string());
                            self.hold(record);
                        }
                        Err(e) => {
                            tracing::error!(error = %e, id = %record.id, "history row could not be written");
                            settled.push(record);
                        }
                    }
                }
                if let Some(trouble) = &trouble {
                    tracing::warn!(error = %trouble, held = self.held.len(), "history cannot take rows now; they wait in memory and are retried");
                }
                self.progress.set_trouble(trouble);
                settled
            }
        };
        self.progress
            .held
            .store(self.held.len() as u64, Ordering::SeqCst);
        self.progress
            .written
            .fetch_add(settled.len() as u64, Ordering::SeqCst);
        self.progress.changed.notify_waiters();
        if self.progress.committed.receiver_count() > 0 {
            let ids: Arc<[String]> = settled.iter().map(|r| r.id.clone()).collect();
            let _ = self.progress.committed.send(ids);
        }
    }

    fn hold(&mut self, record: Record) {
        if self.held.len() >= HELD_MAX
            && let Some(lost) = self.held.pop_front()
        {
            tracing::error!(id = %lost.id, "history has held {HELD_MAX} rows it could not write; the oldest is given up");
            self.progress.written.fetch_add(1, Ordering::SeqCst);
        }
        self.held.push_back(record);
    }

    /// Deletes one batch of what retention says is due: every [`PRUNE_EVERY`], at once when
    /// the retention was lowered (it is read afresh each time, so a config reload applies
    /// without a restart), and batch after batch, between writes, until nothing is due.
    fn prune_when_due(&mut self) {
        let retention = self.progress.retention.get();
        let lowered = tighter(retention.days, self.pruned_with.days)
            || tighter(retention.max_mb, self.pruned_with.max_mb);
        self.pruned_with = retention;
        let due =
            self.pruning || lowered || self.last_prune.is_none_or(|at| at.elapsed() > PRUNE_EVERY);
        if !due {
            return;
        }
        self.last_prune = Some(Instant::now());
        if retention == Retention::default() {
            self.pruning = false;
            return;
        }
        let now_ms = chrono::Utc::now().timestamp_millis();
        match retention::step(&mut self.conn, retention, now_ms) {
            Ok(step) => {
                self.pruned += step.deleted;
                self.pruning = step.more;
            }
            Err(e) => {
                tracing::warn!(error = %e, "history pruning failed");
                self.pruning = false;
            }
        }
        if !self.pruning && self.pruned > 0 {
            retention::release(&self.conn);
            tracing::info!(
                rows = self.pruned,
                days = retention.days,
                max_mb = retention.max_mb,
                "pruned history beyond the retention limits"
            );
            self.pruned = 0;
        }
    }
}

/// Whether limit `now` keeps less than limit `before` (0 keeps everything).
fn tighter(now: u32, before: u32) -> bool {
    now > 0 && (before == 0 || now < before)
}

/// Whether a write failed for a reason that passes (a lock another process holds, a full
/// disk, a file made read-only or an I/O error), rather than because of the row itself.
fn passing(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(
            ErrorCode::DatabaseBusy
                | ErrorCode::DatabaseLocked
                | ErrorCode::DiskFull
                | ErrorCode::ReadOnly
                | ErrorCode::SystemIoFailure
                | ErrorCode::CannotOpen
        )
    )
}

/// Writes a batch of records in one transaction (used by the writer thread): their rows,
/// attempts, tags and bodies, and the roll-ups with them. A record whose id is already stored is skipped whole.
pub(super) fn write_batch(conn: &mut Connection, batch: &[Record]) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    let mut written = Vec::with_capacity(batch.len());
    for record in batch {
        if !requests::insert(&tx, record)? {
            tracing::warn!(id = %record.id, "a request id was recorded twice; the first record is kept");
            continue;
        }
        attempts::insert(&tx, &record.id, &record.attempts)?;
        tags::insert(&tx, &record.id, &record.tags)?;
        bodies::insert(&tx, record)?;
        written.push(record);
    }
    rollups::add(&tx, &written)?;
    tx.commit()
}

/// Refreshes the statistics SQLite's planner uses when they are missing or stale (cheap:
/// a sample of each index). Without them, a filter by a model used by a fifth of the requests
/// looked rare, and its page was sorted from every match instead of read off the time index.
pub(super) fn optimize(conn: &Connection) {
    if let Err(e) = conn.execute_batch("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;") {
        tracing::debug!(error = %e, "history statistics could not be refreshed");
    }
}
