//! Memory stays bounded whatever clients and providers do: ten thousand model names nobody
//! configured, and an answer announcing 2 GiB that never ends its line, leave the gateway's
//! resident memory where it was and the gateway serving.
//!
//! This file is its own test binary, so the resident memory measured is the gateway's and
//! these cases' alone; the cases take turns (`ONE_AT_A_TIME`) for the same reason.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use futures_util::future::join_all;
use serde_json::Value;
use switchyard_faults::rig::{Client, Rig, rss_kib};
use switchyard_faults::{Fault, HUGE_BODY_BYTES};
use tokio::sync::Mutex;

static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// How much resident memory a case may leave behind. A leak of one routing entry, one
/// buffered body or one task per request would be far past it after 10,000 requests.
const GROWTH_ALLOWED_KIB: u64 = 48 * 1024;

/// Sends `count` OpenAI requests, 8 at a time (streams and not, by turns), for
/// `chaos/ok-invented-<first + i>`: each a model name the gateway has never seen. Every
/// answer must be a 200.
async fn invented(rig: &Rig, first: usize, count: usize) {
    let names: Vec<String> = (first..first + count)
        .map(|i| format!("ok-invented-{i}"))
        .collect();
    for (batch, names) in names.chunks(8).enumerate() {
        let answers = join_all(
            names
                .iter()
                .map(|name| rig.send(Client::OpenAi, name, batch % 2 == 0)),
        )
        .await;
        for (status, _, body) in answers {
            assert_eq!(status, 200, "{body}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_invented_model_names_leave_memory_flat_and_every_one_recorded() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let rig = Rig::start("invented-models").await;
    // Warm up first: connection pools, SQLite's page cache, the allocator's arenas.
    invented(&rig, 0, 1_000).await;
    let before = rss_kib();
    invented(&rig, 1_000, 10_000).await;
    let after = rss_kib();
    eprintln!("VmRSS {before} KiB after the warm-up, {after} KiB after 10,000 invented models");
    rig.healthz().await;
    assert!(
        after.saturating_sub(before) <= GROWTH_ALLOWED_KIB,
        "resident memory grew from {before} KiB to {after} KiB over 10,000 invented models"
    );
    let status = rig
        .status_until(Duration::from_secs(60), |s| {
            s["history"]["written"].as_u64() >= Some(11_000)
        })
        .await;
    assert_eq!(status["history"]["held"], 0, "{status}");
    let page: Value = rig
        .admin("/api/requests?model=chaos/ok-invented-10999")
        .await;
    assert_eq!(
        page["total"], 1,
        "one row for the last invented model: {page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_of_two_gib_without_a_newline_is_cut_off_and_nothing_is_buffered() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let rig = Rig::start("two-gib").await;
    rig.healthz().await;
    let before = rss_kib();
    for client in Client::ALL {
        let (status, id, body) = rig.send(client, Fault::HugeBody.model(), false).await;
        assert!(status >= 500, "{client:?}: {status} {body}");
        assert!(body.len() < 4096, "{client:?}: the error is short");
        let row = rig.row(&id).await;
        assert!(
            row["error"].as_str().is_some_and(|e| e.contains("MB")),
            "the row names the limit: {row}"
        );
    }
    let after = rss_kib();
    eprintln!("VmRSS {before} KiB before, {after} KiB after three 2 GiB answers were offered");
    rig.healthz().await;
    assert!(
        after.saturating_sub(before) <= GROWTH_ALLOWED_KIB,
        "resident memory grew from {before} KiB to {after} KiB while {} GiB were offered",
        (3 * HUGE_BODY_BYTES) >> 30
    );
}
