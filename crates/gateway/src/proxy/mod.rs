//! The client-facing proxy endpoints (SPEC §4) and the plumbing they share.
//!
//! Handlers stay thin: each names the API it speaks and hands the request to [`flow`], which
//! reads it, resolves the model and tries targets, by pass-through ([`passthrough`]) when the
//! provider speaks the client's API or through the canonical model ([`translated`]) otherwise.
//! Every endpoint answers at `/v1/x`, `/x` and the doubled `/v1/v1/x` that users paste by
//! mistake.

mod accounting;
mod cached;
mod call;
mod client;
mod estimate;
mod flow;
mod keys;
mod models;
mod passthrough;
mod pipe;
mod probes;
mod recorder;
mod sse;
mod translated;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::{get, post};
use bytes::Bytes;
use http_body_util::BodyExt;

use crate::error::ProxyError;
use crate::state::SharedState;

pub use client::ClientApi;
pub use flow::is_retryable_status;
pub use recorder::CLIENT_CLOSED;

pub fn router() -> Router<SharedState> {
    let mut router = Router::new().route("/healthz", get(healthz));
    for prefix in ["", "/v1", "/v1/v1"] {
        router = router
            .route(
                &format!("{prefix}/chat/completions"),
                post(chat_completions),
            )
            .route(&format!("{prefix}/completions"), post(completions))
            .route(&format!("{prefix}/embeddings"), post(embeddings))
            .route(&format!("{prefix}/messages"), post(messages))
            .route(
                &format!("{prefix}/messages/count_tokens"),
                post(count_tokens),
            )
            .route(&format!("{prefix}/responses"), post(responses))
            .route(&format!("{prefix}/models"), get(models::list));
    }
    router
}

async fn healthz() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({"status": "ok"}))
}

async fn chat_completions(State(state): State<SharedState>, request: Request) -> Response {
    flow::handle(state, ClientApi::Chat, request).await
}

async fn completions(State(state): State<SharedState>, request: Request) -> Response {
    flow::handle(state, ClientApi::Completions, request).await
}

async fn embeddings(State(state): State<SharedState>, request: Request) -> Response {
    flow::handle(state, ClientApi::Embeddings, request).await
}

async fn messages(State(state): State<SharedState>, request: Request) -> Response {
    flow::handle(state, ClientApi::Messages, request).await
}

async fn count_tokens(State(state): State<SharedState>, request: Request) -> Response {
    flow::handle(state, ClientApi::CountTokens, request).await
}

async fn responses(State(state): State<SharedState>, request: Request) -> Response {
    flow::handle(state, ClientApi::Responses, request).await
}

/// Reads a request body, refusing it as soon as it grows past `limit` bytes.
pub(crate) async fn read_body(body: Body, limit: usize) -> Result<Bytes, ProxyError> {
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            Err(ProxyError::BodyTooLarge { limit_bytes: limit })
        }
        Err(e) => Err(ProxyError::InvalidRequest {
            message: format!("The request body could not be read: {e}"),
            param: None,
        }),
    }
}
