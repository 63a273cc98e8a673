//! `GET /v1/models` and `GET /v1/models/{id}`.

use mock_provider::MockOptions;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{get, start, start_with};

#[tokio::test]
async fn models_lists_the_default_models() {
    let mock = start().await;
    let body = get(&mock, "/models").await.json();
    assert_eq!(body["object"], "list");
    let ids: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["gpt-4.1", "gpt-4.1-mini", "text-embedding-3-small"]);
    let first = &body["data"][0];
    assert_eq!(first["object"], "model");
    assert_eq!(first["owned_by"], "mock");
    assert!(first["created"].is_u64());
}

#[tokio::test]
async fn configured_models_are_listed_and_retrievable_and_others_are_404() {
    let mock = start_with(MockOptions {
        models: vec!["org/custom-model".into()],
        ..MockOptions::default()
    })
    .await;
    let body = get(&mock, "/models").await.json();
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    let answer = get(&mock, "/models/org/custom-model").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["id"], "org/custom-model");
    let answer = get(&mock, "/models/gpt-4.1").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.json()["error"]["code"], json!("model_not_found"));
}
