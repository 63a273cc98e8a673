//! What a provider may send back: never a redirect that takes its key elsewhere, never an
//! answer or an SSE event too large to hold, never a stream without end.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use crate::harness::{self, request_id};
use crate::rogue::{self, Seen};

/// Issue 15: an Anthropic upstream answering 307 to another host received `x-api-key` there
/// (reqwest strips only `Authorization` on a cross-host redirect, and it followed redirects).
#[tokio::test]
async fn regression_a_redirect_to_another_host_is_an_error_and_the_key_stays_home() {
    let elsewhere = Seen::default();
    let seen = elsewhere.clone();
    let thief = rogue::serve(Router::new().route(
        "/v1/messages",
        post(move |headers: HeaderMap| async move {
            seen.push(&headers);
            "{}"
        }),
    ))
    .await;
    // Another host name for the same machine: `localhost` rather than 127.0.0.1.
    let thief = thief.replace("127.0.0.1", "localhost");
    let redirector = rogue::serve(Router::new().route(
        "/v1/messages",
        post(move || async move {
            Response::builder()
                .status(StatusCode::TEMPORARY_REDIRECT)
                .header(header::LOCATION, format!("{thief}/v1/messages"))
                .body(Body::empty())
                .unwrap()
        }),
    ))
    .await;
    let h = harness::start_with_keys(
        &rogue::provider("anthropic", &redirector, ""),
        &[("rogue", harness::KEY)],
    )
    .await;
    let response = h
        .post(
            "/v1/messages",
            json!({"model": "rogue/m", "max_tokens": 10,
                   "messages": [{"role": "user", "content": "hi"}]}),
        )
        .await;
    assert_eq!(response.status(), 502);
    let id = request_id(&response);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], "error", "Anthropic's own error shape: {body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("307") && message.contains("localhost"),
        "the error names the status and where it pointed: {message}"
    );
    assert_eq!(
        elsewhere.count(),
        0,
        "nothing, and no key, reached the other host"
    );
    let row = h.row(&id).await;
    assert!(
        row["error"].as_str().unwrap().contains("redirect"),
        "the history says why: {row}"
    );
}

#[tokio::test]
async fn an_answer_larger_than_max_answer_mb_is_an_error_not_a_buffer() {
    let upstream = rogue::serve(Router::new().route(
        "/v1/chat/completions",
        post(|| async {
            let filler = "x".repeat(2 * 1024 * 1024);
            (
                [(header::CONTENT_TYPE, "application/json")],
                json!({"choices": [{"message": {"content": filler}}]}).to_string(),
            )
                .into_response()
        }),
    ))
    .await;
    let h = harness::start(&format!(
        "[server]\nmax_answer_mb = 1\n{}",
        rogue::provider("openai-compatible", &format!("{upstream}/v1"), "")
    ))
    .await;
    let response = h
        .post("/v1/chat/completions", harness::chat("rogue/m"))
        .await;
    assert_eq!(response.status(), 502);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("max_answer_mb"),
        "the error names the setting: {body}"
    );
    let health = h.http.get(h.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

/// Issue 15: an SSE line without a newline was buffered without end.
#[tokio::test]
async fn regression_an_sse_event_that_never_ends_is_cut_with_an_error_event() {
    let upstream = rogue::serve(Router::new().route(
        "/v1/chat/completions",
        post(|| async {
            // 17 MB of one `data:` line, in 1 MB chunks, and no newline ever.
            let chunks = futures_util::stream::iter((0..17).map(|i| {
                let chunk = if i == 0 {
                    format!("data: {}", "a".repeat(1024 * 1024))
                } else {
                    "a".repeat(1024 * 1024)
                };
                Ok::<_, std::convert::Infallible>(chunk)
            }));
            (
                [(header::CONTENT_TYPE, "text/event-stream")],
                Body::from_stream(chunks),
            )
                .into_response()
        }),
    ))
    .await;
    let h = harness::start(&rogue::provider(
        "openai-compatible",
        &format!("{upstream}/v1"),
        "",
    ))
    .await;
    let mut body = harness::chat("rogue/m");
    body["stream"] = json!(true);
    let response = h.post("/v1/chat/completions", body).await;
    assert_eq!(response.status(), 200, "the stream had begun");
    let id = request_id(&response);
    let text = response.text().await.unwrap();
    assert!(
        text.len() < 64 * 1024,
        "none of the endless line reached the client"
    );
    assert!(
        text.contains("upstream_stream_error") && text.contains("without ending an event"),
        "the stream ends with an OpenAI-shaped error event: {text}"
    );
    let row = h.row(&id).await;
    assert_eq!(row["outcome"], "upstream_error", "{row}");
}
