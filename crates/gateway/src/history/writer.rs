//! The batching history writer: one thread owns the write connection and turns whatever has
//! queued up into a single transaction, so a burst of 64 finished requests costs one commit.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tokio::sync::mpsc;

use super::{Progress, Record, prune, write_batch};

/// Records that may wait in memory before senders are made to wait.
const QUEUE: usize = 4096;
/// Largest batch per transaction: bounds how long readers can be kept from the newest rows.
const BATCH: usize = 512;
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone)]
pub struct WriterHandle {
    sender: Arc<std::sync::Mutex<Option<mpsc::Sender<Record>>>>,
    done: Arc<tokio::sync::Mutex<Option<tokio::sync::oneshot::Receiver<()>>>>,
}

pub fn spawn(
    conn: Connection,
    progress: Arc<Progress>,
    retention_days: u32,
) -> std::io::Result<WriterHandle> {
    let (sender, receiver) = mpsc::channel(QUEUE);
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("history-writer".into())
        .spawn(move || {
            run(conn, receiver, &progress, retention_days);
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

    pub async fn send(&self, record: Record) {
        match self.sender() {
            Some(sender) => {
                if sender.send(record).await.is_err() {
                    tracing::error!("history writer has stopped; a request was not recorded");
                }
            }
            None => tracing::error!("history is closed; a request arrived during shutdown"),
        }
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

fn run(
    mut conn: Connection,
    mut receiver: mpsc::Receiver<Record>,
    progress: &Progress,
    retention_days: u32,
) {
    let mut last_prune = Instant::now();
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(first) = receiver.blocking_recv() {
        batch.push(first);
        while batch.len() < BATCH {
            match receiver.try_recv() {
                Ok(record) => batch.push(record),
                Err(_) => break,
            }
        }
        if let Err(e) = write_batch(&mut conn, &batch) {
            // Retry row by row, so one bad record cannot lose its neighbours.
            tracing::error!(error = %e, rows = batch.len(), "history batch failed; retrying one by one");
            for record in &batch {
                if let Err(e) = write_batch(&mut conn, std::slice::from_ref(record)) {
                    tracing::error!(error = %e, id = %record.id, "history row could not be written");
                }
            }
        }
        progress
            .written
            .fetch_add(batch.len() as u64, Ordering::SeqCst);
        progress.changed.notify_waiters();
        if progress.committed.receiver_count() > 0 {
            let ids: Arc<[String]> = batch.iter().map(|r| r.id.clone()).collect();
            let _ = progress.committed.send(ids);
        }
        batch.clear();
        if retention_days > 0 && last_prune.elapsed() > PRUNE_EVERY {
            prune_logged(&conn, retention_days);
            last_prune = Instant::now();
        }
    }
    if let Err(e) = conn.pragma_update(None, "wal_checkpoint", "TRUNCATE") {
        tracing::debug!(error = %e, "history checkpoint at shutdown failed");
    }
}

pub(super) fn prune_logged(conn: &Connection, days: u32) {
    match prune(conn, days) {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            rows = n,
            days,
            "pruned history older than the retention period"
        ),
        Err(e) => tracing::warn!(error = %e, "history pruning failed"),
    }
}
