//! Editing the config file changes the running gateway; a broken edit is refused and the
//! previous config keeps serving.

use std::time::Duration;

use crate::harness::{self, chat};

async fn status_of(h: &harness::Harness, model: &str) -> u16 {
    h.post("/v1/chat/completions", chat(model))
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_valid_edit_applies_and_an_invalid_one_is_refused() {
    let mock = harness::mock().await;
    let config = harness::one_provider(&mock, "");
    let h = harness::start(&config).await;
    assert_eq!(status_of(&h, "fresh-alias").await, 404);

    let path = h.dir.join("config.toml");
    std::fs::write(
        &path,
        format!("{config}\n[[routes]]\nalias = \"fresh-alias\"\ntargets = [\"mock/gpt-4.1\"]\n"),
    )
    .unwrap();
    let mut applied = false;
    for _ in 0..50 {
        if status_of(&h, "fresh-alias").await == 200 {
            applied = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(applied, "the new route was picked up");

    std::fs::write(
        &path,
        "[[providers]]\nid = \"broken\"\nkind = \"nonsense\"\n",
    )
    .unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        status_of(&h, "fresh-alias").await,
        200,
        "the invalid edit was refused; the last good config serves"
    );
}
