//! What the history's writer and its callers tell each other: counts of records handed over
//! and written, the retention to apply, and why rows are not being taken.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Notify;

use super::retention;

/// Counts records handed over and written, for read-your-writes and the benchmark's lag figure,
/// and what the writer needs to know and tell (retention, a database that cannot take rows).
#[derive(Debug)]
pub struct Progress {
    pub enqueued: AtomicU64,
    /// Records written, or given up for good.
    pub written: AtomicU64,
    /// Records the database could not take yet, waiting in the writer to be retried.
    pub held: AtomicU64,
    /// How much history to keep; read by the writer at each prune.
    pub(super) retention: retention::Limits,
    /// Why the database is not taking rows right now, if it is not.
    trouble: std::sync::Mutex<Option<String>>,
    /// Requests started whose record has not been handed over yet.
    pub in_flight: AtomicU64,
    pub(super) changed: Notify,
    /// The ids of each committed batch, for live views (the dashboard's event stream). Only
    /// sent while someone listens, so an unwatched gateway pays nothing for it.
    pub(super) committed: tokio::sync::broadcast::Sender<Arc<[String]>>,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            enqueued: AtomicU64::default(),
            written: AtomicU64::default(),
            held: AtomicU64::default(),
            retention: retention::Limits::default(),
            trouble: std::sync::Mutex::new(None),
            in_flight: AtomicU64::default(),
            changed: Notify::default(),
            committed: tokio::sync::broadcast::channel(64).0,
        }
    }
}

impl Progress {
    /// A request has started: shutdown waits for its record.
    pub fn begin(&self) {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
    }

    /// A request's record has been handed over.
    pub fn end(&self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.changed.notify_waiters();
    }

    /// Why the database is not taking rows (locked, disk full, read-only), while it is not.
    pub fn trouble(&self) -> Option<String> {
        self.trouble.lock().ok().and_then(|t| t.clone())
    }

    pub(super) fn set_trouble(&self, trouble: Option<String>) {
        if let Ok(mut slot) = self.trouble.lock() {
            *slot = trouble;
        }
    }
}
