//! What a client sends never reshapes what Switchyard sends on or keeps: the model name stays
//! inside its URL path segment, text a spreadsheet would run is exported as text, and a key
//! quoted in a body is stored redacted.

use axum::Router;
use axum::http::Uri;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

use crate::harness::{self, request_id};
use crate::rogue;

/// Issue 15: `gemini/../../x?y` reached the upstream URL path unescaped.
#[tokio::test]
async fn regression_a_gemini_model_name_stays_in_its_path_segment() {
    let paths = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = paths.clone();
    let upstream = rogue::serve(Router::new().fallback(move |uri: Uri| async move {
        seen.lock().unwrap().push(uri.to_string());
        axum::Json(json!({
            "candidates": [{"content": {"role": "model", "parts": [{"text": "hi"}]},
                            "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": 1,
                              "totalTokenCount": 2}
        }))
    }))
    .await;
    let h = harness::start_with_keys(
        &rogue::provider("gemini", &upstream, ""),
        &[("rogue", harness::KEY)],
    )
    .await;
    let response = h
        .post("/v1/chat/completions", harness::chat("rogue/../../x?y"))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        paths.lock().unwrap().as_slice(),
        ["/v1beta/models/..%2F..%2Fx%3Fy:generateContent"],
        "the whole name is one encoded segment under /v1beta/models/"
    );
}

/// Issue 15: CSV exports put client-supplied strings in cells unescaped.
#[tokio::test]
async fn regression_a_model_name_that_is_a_formula_is_exported_as_text() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let refused = h
        .post(
            "/v1/chat/completions",
            harness::chat("=HYPERLINK(\"https://evil.example\")"),
        )
        .await;
    assert_eq!(refused.status(), 404, "unknown model, still recorded");
    h.wait_rows(1).await;
    let csv = h.admin_text("/api/requests?format=csv").await;
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"https://evil.example\"\")\""),
        "the cell starts with ' so a spreadsheet shows it as text: {csv}"
    );
    let by_model = h.admin_text("/api/costs?by=model&format=csv").await;
    assert!(by_model.contains("'=HYPERLINK"), "{by_model}");
}

/// Issue 15: stored response bodies skipped the redactor.
#[tokio::test]
async fn regression_a_key_in_a_prompt_or_an_answer_is_stored_redacted() {
    let upstream = rogue::serve(Router::new().fallback(|| async {
        axum::Json(json!({
            "id": "x", "object": "chat.completion", "created": 1, "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant",
                                     "content": "your key sk-proj-answered0123456789 is noted"}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
        }))
    }))
    .await;
    let h = harness::start(&rogue::provider(
        "openai-compatible",
        &format!("{upstream}/v1"),
        "",
    ))
    .await;
    let body = json!({"model": "rogue/m",
                      "messages": [{"role": "user", "content": "use sk-proj-prompted0123456789"}]});
    let response = h.post("/v1/chat/completions", body).await;
    assert_eq!(response.status(), 200);
    let id = request_id(&response);
    let answer: Value = response.json().await.unwrap();
    assert!(
        answer.to_string().contains("sk-proj-answered0123456789"),
        "the client itself gets the answer unchanged"
    );
    h.wait_rows(1).await;
    let row = h.row(&id).await;
    let stored = format!("{} {}", row["request_body"], row["response_body"]);
    assert!(
        !stored.contains("prompted0123456789") && !stored.contains("answered0123456789"),
        "{stored}"
    );
    assert!(stored.contains("<redacted>"), "{stored}");
}
