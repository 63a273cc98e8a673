//! History that cannot be written for a while: another process holding the database locked
//! for ten seconds, and a disk with no room left. In both, every request is served, the
//! gateway says why history is not saving (`/api/status` `history.trouble`, which the
//! dashboard shows), and every row is written once the database can take it again.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use switchyard_faults::rig::{Client, Rig};

/// Names the database [`hold_an_exclusive_lock`] locks when this test binary runs it as the
/// other process.
const LOCK_ENV: &str = "SWITCHYARD_FAULTS_LOCK_DB";
/// The small file system the disk-full case fills; `make test` mounts an 8 MiB tmpfs.
const SMALL_FS_ENV: &str = "SWITCHYARD_FAULTS_SMALL_FS";

/// Not a case of its own: the other process of the locked-history case, which runs this test
/// binary again with only this test. It locks the database named in its environment, says
/// so by creating `<db>.locked`, and holds the lock for ten seconds.
#[test]
#[ignore = "the locked-history case runs it as another process"]
fn hold_an_exclusive_lock() {
    let db = std::env::var(LOCK_ENV).unwrap_or_else(|_| {
        panic!("{LOCK_ENV} is not set: this is not a case of its own but the locked-history case's other process")
    });
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("BEGIN EXCLUSIVE").unwrap();
    std::fs::write(format!("{db}.locked"), "").unwrap();
    std::thread::sleep(Duration::from_secs(10));
    conn.execute_batch("ROLLBACK").unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_another_process_locks_for_ten_seconds_loses_nothing() {
    let rig = Rig::start("locked-10s").await;
    let db = rig.data_dir.join("history.sqlite3");
    let mut locker = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "hold_an_exclusive_lock", "--ignored", "--quiet"])
        .env(LOCK_ENV, &db)
        .spawn()
        .unwrap();
    wait_for(&PathBuf::from(format!("{}.locked", db.display()))).await;

    let mut ids = Vec::new();
    let mut i = 0;
    while locker.try_wait().unwrap().is_none() {
        let client = Client::ALL[i % 3];
        let (status, id, body) = rig.send(client, "ok-during-lock", i % 2 == 0).await;
        assert_eq!(status, 200, "served while history is locked: {body}");
        ids.push(id);
        i += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
        if i == 5 {
            trouble_reported(&rig, "locked").await;
        }
    }
    assert!(locker.wait().unwrap().success(), "the locking process ran");
    assert!(ids.len() >= 20, "requests flowed all along: {}", ids.len());

    every_row_written(&rig, &ids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a small file system: make test mounts one and names it in SWITCHYARD_FAULTS_SMALL_FS"]
async fn a_full_disk_is_reported_requests_keep_flowing_and_rows_are_written_once_there_is_room() {
    let small_fs = PathBuf::from(std::env::var(SMALL_FS_ENV).unwrap_or_else(|_| {
        panic!("{SMALL_FS_ENV} must name a small, empty file system (make test mounts one)")
    }));
    let rig = Rig::start_in(
        "disk-full",
        Some(small_fs.join(format!("data-{}", std::process::id()))),
    )
    .await;
    let (status, first, _) = rig.send(Client::OpenAi, "ok-before", false).await;
    assert_eq!(status, 200);
    rig.row(&first).await;

    let filler = small_fs.join("filler");
    fill(&filler);
    // Prompts of 64 KiB: their rows (bodies are stored) need pages the disk no longer has.
    let prompt = "x".repeat(64 * 1024);
    let mut ids = Vec::new();
    for i in 0..12 {
        let (status, id, body) = rig
            .send_text(Client::ALL[i % 3], "ok-disk-full", i % 2 == 1, &prompt)
            .await;
        assert_eq!(status, 200, "served with the disk full: {body}");
        ids.push(id);
    }
    let status = trouble_reported(&rig, "full").await;
    assert!(status["history"]["held"].as_u64().unwrap() >= 1, "{status}");
    rig.healthz().await;

    std::fs::remove_file(&filler).unwrap();
    every_row_written(&rig, &ids).await;
}

/// Waits until `/api/status` reports history trouble, which must name `cause`; returns it.
async fn trouble_reported(rig: &Rig, cause: &str) -> serde_json::Value {
    let status = rig
        .status_until(Duration::from_secs(20), |s| {
            s["history"]["trouble"].is_string()
        })
        .await;
    let trouble = status["history"]["trouble"].as_str().unwrap();
    assert!(
        trouble.contains(cause),
        "the trouble names {cause}: {status}"
    );
    status
}

/// Waits until history has no trouble and holds nothing back, then finds each request's row.
async fn every_row_written(rig: &Rig, ids: &[String]) {
    rig.status_until(Duration::from_secs(30), |s| {
        s["history"]["trouble"].is_null() && s["history"]["held"] == 0
    })
    .await;
    for id in ids {
        assert_eq!(
            rig.row(id).await["status"],
            200,
            "{id} was written afterwards"
        );
    }
}

/// Writes `path` until the file system has no room left.
fn fill(path: &Path) {
    use std::io::Write;
    let mut file = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    loop {
        if let Err(e) = file.write_all(&chunk).and_then(|()| file.sync_all()) {
            assert_eq!(
                e.raw_os_error(),
                Some(28),
                "filling stopped for another reason than ENOSPC: {e}"
            );
            return;
        }
    }
}

async fn wait_for(path: &Path) {
    for _ in 0..200 {
        if path.exists() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{} never appeared", path.display());
}
