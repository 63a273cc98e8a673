//! The writer when the database will not take rows: held, reported, written once it can; a
//! record handed over by a request that is dropped meanwhile; a retention lowered at run time.

use std::time::Duration;

use super::tests::record;
use super::*;

struct TempDb {
    dir: std::path::PathBuf,
}

impl TempDb {
    fn new() -> TempDb {
        let dir = std::env::temp_dir().join(format!("switchyard-hist-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDb { dir }
    }
    fn path(&self) -> std::path::PathBuf {
        self.dir.join("history.sqlite3")
    }
    fn count(&self) -> i64 {
        open_read_only(&self.path())
            .unwrap()
            .query_row("SELECT COUNT(*) FROM requests", [], |r| r.get(0))
            .unwrap()
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Another process's write lock on the database, as `sqlite3 history.sqlite3` with
/// `BEGIN EXCLUSIVE` would hold it.
fn lock(path: &std::path::Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("BEGIN EXCLUSIVE").unwrap();
    conn
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..300 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

#[tokio::test]
async fn rows_wait_while_another_process_locks_the_database_and_are_written_after() {
    let db = TempDb::new();
    let history = History::open(&db.path(), Retention::default()).unwrap();
    let locker = lock(&db.path());
    let now = chrono::Utc::now().timestamp_millis();
    for i in 0..3 {
        history
            .record(record(&format!("r{i}"), now, "m", None))
            .await;
    }
    let progress = history.progress();
    // The writer may meet the lock with the first row alone and take the others in its next
    // tries: wait until all three are held.
    until("the writer reports the lock and holds every row", || {
        progress.trouble().is_some() && progress.held.load(Ordering::SeqCst) == 3
    })
    .await;
    assert!(
        progress.trouble().unwrap().contains("locked"),
        "{:?}",
        progress.trouble()
    );

    drop(locker); // the other process lets go
    until("the held rows are written", || {
        progress.written.load(Ordering::SeqCst) == 3
    })
    .await;
    assert_eq!(progress.trouble(), None, "the trouble is over");
    assert_eq!(progress.held.load(Ordering::SeqCst), 0);
    history.close().await;
    assert_eq!(db.count(), 3, "no row was lost to the lock");
}

#[tokio::test]
async fn a_record_whose_request_is_dropped_while_the_queue_is_full_is_still_written() {
    let db = TempDb::new();
    let history = History::open(&db.path(), Retention::default()).unwrap();
    let locker = lock(&db.path());
    let now = chrono::Utc::now().timestamp_millis();
    // More than the queue holds, while the writer is stuck on the lock: later handovers wait
    // for room, and each waits only 5 ms before its request is dropped (a client gone).
    let total = 6_000;
    let mut dropped = 0;
    for i in 0..total {
        let handover = history.record(record(&format!("r{i}"), now, "m", None));
        if tokio::time::timeout(Duration::from_millis(5), handover)
            .await
            .is_err()
        {
            dropped += 1;
        }
    }
    assert!(
        dropped > 0,
        "the queue filled up, so some handovers were dropped"
    );

    drop(locker);
    history.close().await;
    assert_eq!(
        db.count(),
        total,
        "every record reached the database, {dropped} of them after their request was dropped"
    );
}

#[tokio::test]
async fn a_lowered_retention_prunes_without_a_restart() {
    let db = TempDb::new();
    let history = History::open(&db.path(), Retention::default()).unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    history
        .record(record("old", now - 40 * 86_400_000, "m", None))
        .await;
    history.record(record("new", now, "m", None)).await;

    history.set_retention(super::tests::days(30)); // the config was edited and reloaded
    history.record(record("newer", now, "m", None)).await;
    history.close().await;
    let conn = open_read_only(&db.path()).unwrap();
    let ids: Vec<String> = conn
        .prepare("SELECT id FROM requests ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ids, ["new", "newer"]);
}
