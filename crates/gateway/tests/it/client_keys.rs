//! Client keys: issued (shown once), listed, renamed and revoked over the admin API; every
//! request attributed to its key's name; and, with `require_client_key = true`, requests
//! without a valid key refused in the client's own error format.

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{self, Harness, chat, request_id};

async fn issue(h: &Harness, name: &str) -> Value {
    let response = h
        .admin_request(Method::POST, "/api/client-keys")
        .json(&json!({ "name": name }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn chat_with_key(h: &Harness, key: Option<&str>) -> reqwest::Response {
    let mut request = h
        .http
        .post(h.url("/v1/chat/completions"))
        .json(&chat("gpt-4.1"));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn an_issued_key_is_shown_once_and_listed_without_it() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let issued = issue(&h, "ci-bot").await;
    let key = issued["key"].as_str().unwrap();
    assert!(key.starts_with("sk-sy-"), "{issued}");
    assert_eq!(issued["name"], "ci-bot");
    assert_eq!(issued["last_four"], &key[key.len() - 4..]);

    let listed = h.admin("/api/client-keys").await;
    let entry = &listed["keys"][0];
    assert_eq!(entry["name"], "ci-bot");
    assert_eq!(entry["last_four"], issued["last_four"]);
    assert!(entry["created_at"].as_str().is_some());
    assert_eq!(entry["last_used_at"], Value::Null, "not used yet");
    assert!(entry.get("key").is_none(), "never read back: {entry}");
    assert!(!listed.to_string().contains(&key[6..]), "not even in part");
}

#[tokio::test]
async fn requests_are_attributed_to_their_key_and_costs_group_by_it() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let laptop = issue(&h, "laptop").await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let ci = issue(&h, "ci").await["key"].as_str().unwrap().to_owned();
    for key in [
        Some(laptop.as_str()),
        Some(laptop.as_str()),
        Some(ci.as_str()),
        None,
    ] {
        assert_eq!(chat_with_key(&h, key).await.status(), 200);
    }
    let response = chat_with_key(&h, Some(&ci)).await;
    let row = h.row(&request_id(&response)).await;
    assert_eq!(row["client_key"], "ci");

    let costs = h.admin("/api/costs?by=client_key").await;
    let mut groups: Vec<(Value, u64)> = costs["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].clone(), r["requests"].as_u64().unwrap()))
        .collect();
    groups.sort_by_key(|(k, _)| k.to_string());
    assert_eq!(
        groups,
        [(json!("ci"), 2), (json!("laptop"), 2), (Value::Null, 1)],
        "each key's requests, and the one without a key"
    );
    let filtered = h.admin("/api/requests?client_key=laptop").await;
    assert_eq!(filtered["total"], 2);

    let mut used = Value::Null;
    for _ in 0..50 {
        let listed = h.admin("/api/client-keys").await;
        used = listed["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["name"] == "laptop")
            .unwrap()["last_used_at"]
            .clone();
        if !used.is_null() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(used.is_string(), "last use is recorded");
}

#[tokio::test]
async fn when_keys_are_required_a_request_without_a_valid_one_is_refused_in_its_own_format() {
    let mock = harness::mock().await;
    let config = format!(
        "[server]\nrequire_client_key = true\n{}",
        harness::one_provider(&mock, "")
    );
    let h = harness::start(&config).await;

    let refused = chat_with_key(&h, None).await;
    assert_eq!(refused.status(), 401);
    let id = request_id(&refused);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_api_key", "{body}");
    assert_eq!(h.row(&id).await["outcome"], "rejected", "recorded");

    let anthropic = h
        .http
        .post(h.url("/v1/messages"))
        .header("x-api-key", "sk-ant-not-one-of-ours")
        .json(&json!({"model": "gpt-4.1", "max_tokens": 16,
                      "messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(anthropic.status(), 401);
    let body: Value = anthropic.json().await.unwrap();
    assert_eq!(body["type"], "error", "Anthropic's error shape: {body}");
    assert_eq!(body["error"]["type"], "authentication_error");
    assert!(mock.received().is_empty(), "nothing reached the provider");

    let issued = issue(&h, "editor").await;
    let key = issued["key"].as_str().unwrap();
    let accepted = h
        .http
        .post(h.url("/v1/messages"))
        .header("x-api-key", key)
        .json(&json!({"model": "gpt-4.1", "max_tokens": 16,
                      "messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200, "x-api-key works as well as Bearer");
    assert_eq!(chat_with_key(&h, Some(key)).await.status(), 200);

    let revoked = h
        .admin_request(
            Method::DELETE,
            &format!("/api/client-keys/{}", issued["id"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    assert_eq!(chat_with_key(&h, Some(key)).await.status(), 401, "revoked");
    let listed = h.admin("/api/client-keys").await;
    assert!(
        listed["keys"][0]["revoked_at"].is_string(),
        "kept, marked revoked"
    );
}

#[tokio::test]
async fn a_renamed_key_attributes_new_requests_to_its_new_name_and_names_stay_unique() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let first = issue(&h, "alice").await;
    issue(&h, "bob").await;
    let path = format!("/api/client-keys/{}", first["id"].as_str().unwrap());
    let clash = h
        .admin_request(Method::PATCH, &path)
        .json(&json!({"name": "bob"}))
        .send()
        .await
        .unwrap();
    assert_eq!(clash.status(), 400, "bob is taken");
    let renamed: Value = h
        .admin_request(Method::PATCH, &path)
        .json(&json!({"name": "alice-laptop"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(renamed["name"], "alice-laptop");
    let response = chat_with_key(&h, first["key"].as_str()).await;
    assert_eq!(
        h.row(&request_id(&response)).await["client_key"],
        "alice-laptop"
    );
}
