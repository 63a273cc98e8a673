//! Provider keys through the admin API: stored in the keychain, tested against the provider,
//! deleted, and never read back.

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{self, chat};

#[tokio::test]
async fn a_key_set_through_the_admin_api_is_used_tested_and_deleted() {
    let mock = harness::mock().await;
    let h = harness::start_with_keys(&harness::one_provider(&mock, ""), &[]).await;
    assert_eq!(
        h.post("/v1/chat/completions", chat("gpt-4.1"))
            .await
            .status(),
        401
    );

    let set: Value = h
        .admin_request(Method::PUT, "/api/providers/mock/key")
        .json(&json!({"key": harness::KEY}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        set,
        json!({"source": "keychain", "last_four": "WXYZ", "hint": null})
    );
    assert_eq!(
        h.post("/v1/chat/completions", chat("gpt-4.1"))
            .await
            .status(),
        200,
        "used at once"
    );

    let tested: Value = h
        .admin_request(Method::POST, "/api/providers/mock/key/test")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tested["ok"], true, "{tested}");
    assert_eq!(tested["source"], "keychain");

    h.admin_request(Method::PUT, "/api/providers/mock/key")
        .json(&json!({"key": "sk-wrong-key-00000000"}))
        .send()
        .await
        .unwrap();
    let tested: Value = h
        .admin_request(Method::POST, "/api/providers/mock/key/test")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tested["ok"], false);
    assert_eq!(tested["status"], 401);
    let message = tested["message"].as_str().unwrap();
    assert!(
        message.contains("Incorrect API key"),
        "the provider's own words: {message}"
    );
    assert!(
        !message.contains("sk-wrong-key-00000000"),
        "but never the key: {message}"
    );

    let deleted: Value = h
        .admin_request(Method::DELETE, "/api/providers/mock/key")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(deleted["source"], "missing", "the key is gone: {deleted}");
    assert_eq!(
        h.post("/v1/chat/completions", chat("gpt-4.1"))
            .await
            .status(),
        401
    );
    let providers = h.admin("/api/providers").await;
    let key = &providers["providers"][0]["key"];
    assert_eq!(key["source"], "missing", "no key anywhere now");
    assert_eq!(key["last_four"], Value::Null);
    assert!(
        key["hint"].as_str().unwrap().contains("keys set mock"),
        "and the way to add one: {key}"
    );
}

#[tokio::test]
async fn keys_for_unknown_providers_and_empty_keys_are_refused() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let unknown = h
        .admin_request(Method::PUT, "/api/providers/nope/key")
        .json(&json!({"key": "x-123456"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let body: Value = unknown.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("known: mock")
    );
    let empty = h
        .admin_request(Method::PUT, "/api/providers/mock/key")
        .json(&json!({"key": "  "}))
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 400);
}
