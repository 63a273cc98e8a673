//! Recorded requests: `MockProvider::received` and `/_mock/requests`.

use serde_json::{Value, json};

use crate::support::{client, post_with, start};

#[tokio::test]
async fn received_requests_keep_method_path_query_headers_and_body_in_order() {
    let mock = start().await;
    let first = json!({"model": "a", "messages": [{"role": "user", "content": "one"}]});
    post_with(&mock, "/chat/completions", &first, Some("sk-abc")).await;
    client()
        .post(format!("{}/embeddings?api-version=2024", mock.base_url()))
        .header("X-Custom-Header", "Value")
        .body(json!({"model": "e", "input": "x"}).to_string())
        .send()
        .await
        .unwrap();

    let received = mock.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].method, "POST");
    assert_eq!(received[0].path, "/v1/chat/completions");
    assert_eq!(received[0].query, None);
    assert_eq!(received[0].body, first);
    assert_eq!(received[0].header("Authorization"), Some("Bearer sk-abc"));
    assert_eq!(received[0].header("content-type"), Some("application/json"));
    assert_eq!(received[1].path, "/v1/embeddings");
    assert_eq!(received[1].query.as_deref(), Some("api-version=2024"));
    assert_eq!(received[1].header("x-custom-header"), Some("Value"));
    assert!(
        received[1]
            .headers
            .iter()
            .any(|(name, _)| name == "x-custom-header")
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_recorded_as_null() {
    let mock = start().await;
    client()
        .post(format!("{}/chat/completions", mock.base_url()))
        .body("plain text")
        .send()
        .await
        .unwrap();
    assert_eq!(mock.received()[0].body, Value::Null);
}

#[tokio::test]
async fn clear_received_forgets_earlier_requests() {
    let mock = start().await;
    client()
        .get(format!("{}/models", mock.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(mock.received().len(), 1);
    mock.clear_received();
    assert!(mock.received().is_empty());
}

#[tokio::test]
async fn mock_requests_endpoint_lists_and_clears_without_recording_itself() {
    let mock = start().await;
    let inspect = format!("http://{}/_mock/requests", mock.addr());
    client()
        .get(format!("{}/models", mock.base_url()))
        .send()
        .await
        .unwrap();

    let listed: Value = serde_json::from_slice(
        &client()
            .get(&inspect)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(
        listed.len(),
        1,
        "the inspection request itself is not recorded"
    );
    assert_eq!(listed[0]["method"], "GET");
    assert_eq!(listed[0]["path"], "/v1/models");
    assert_eq!(listed[0]["query"], Value::Null);
    assert_eq!(listed[0]["body"], Value::Null);
    assert!(
        listed[0]["headers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h[0] == "host")
    );

    let cleared = client().delete(&inspect).send().await.unwrap();
    assert!(cleared.status().is_success());
    assert!(mock.received().is_empty());
}
