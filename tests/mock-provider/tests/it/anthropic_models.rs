//! `GET /v1/models` answers in Anthropic's shape when the request carries
//! `anthropic-version`, and keeps OpenAI's shape otherwise.

use mock_provider::MockOptions;
use serde_json::json;

use crate::anthropic_support::{VERSION, get_with};
use crate::support::{get, start, start_with};

#[tokio::test]
async fn anthropic_clients_get_anthropics_list_shape() {
    let mock = start().await;
    let answer = get_with(&mock, "/v1/models", &[("anthropic-version", VERSION)]).await;
    assert_eq!(answer.status, 200);
    assert!(
        answer.headers["request-id"]
            .to_str()
            .unwrap()
            .starts_with("req_011C")
    );
    let list = answer.json();
    assert_eq!(
        list["data"][0],
        json!({"type": "model", "id": "claude-opus-4-6", "display_name": "Claude Opus 4.6",
               "created_at": "2025-01-01T00:00:00Z"})
    );
    assert_eq!(list["data"].as_array().unwrap().len(), 3);
    assert_eq!(list["has_more"], false);
    assert_eq!(list["first_id"], "claude-opus-4-6");
    assert_eq!(list["last_id"], "claude-haiku-4-5");
    assert!(list.get("object").is_none());
}

#[tokio::test]
async fn openai_clients_keep_openais_list_shape() {
    let mock = start().await;
    let list = get(&mock, "/models").await.json();
    assert_eq!(list["object"], "list");
    assert_eq!(list["data"][0]["id"], "gpt-4.1");
    assert!(list.get("has_more").is_none());
}

#[tokio::test]
async fn the_anthropic_list_paginates_with_limit_and_after_id() {
    let mock = start_with(MockOptions {
        models: vec![
            "claude-a-1".into(),
            "claude-b-2".into(),
            "claude-c-3".into(),
        ],
        ..MockOptions::default()
    })
    .await;
    let headers = [("anthropic-version", VERSION)];
    let page = get_with(&mock, "/v1/models?limit=2", &headers).await.json();
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert_eq!(page["has_more"], true);
    assert_eq!(page["last_id"], "claude-b-2");
    let next = get_with(&mock, "/v1/models?limit=2&after_id=claude-b-2", &headers)
        .await
        .json();
    assert_eq!(next["data"][0]["id"], "claude-c-3");
    assert_eq!(next["has_more"], false);
    let answer = get_with(&mock, "/v1/models?limit=0", &headers).await;
    assert_eq!(answer.status, 400);
}

#[tokio::test]
async fn a_model_is_retrievable_and_an_unknown_one_is_not_found() {
    let mock = start().await;
    let headers = [("anthropic-version", VERSION)];
    let answer = get_with(&mock, "/v1/models/claude-haiku-4-5", &headers).await;
    assert_eq!(answer.json()["display_name"], "Claude Haiku 4.5");
    let answer = get_with(&mock, "/v1/models/gpt-4.1", &headers).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.json()["error"]["type"], "not_found_error");
}

#[tokio::test]
async fn the_models_list_takes_each_dialects_auth() {
    let mock = start_with(MockOptions {
        api_key: Some("sk-key".into()),
        ..MockOptions::default()
    })
    .await;
    let anthropic = [("anthropic-version", VERSION), ("x-api-key", "sk-key")];
    assert_eq!(get_with(&mock, "/v1/models", &anthropic).await.status, 200);
    let answer = get_with(&mock, "/v1/models", &[("anthropic-version", VERSION)]).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.json()["error"]["type"], "authentication_error");
    let openai = [("authorization", "Bearer sk-key")];
    assert_eq!(
        get_with(&mock, "/v1/models", &openai).await.json()["object"],
        "list"
    );
    let answer = get_with(&mock, "/v1/models", &[("x-api-key", "sk-key")]).await;
    assert_eq!(
        answer.status, 401,
        "without anthropic-version it is OpenAI's Bearer auth"
    );
    assert_eq!(answer.json()["error"]["code"], "invalid_api_key");
}
