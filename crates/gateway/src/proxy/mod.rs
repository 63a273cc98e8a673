//! The client-facing proxy endpoints and the plumbing they share.
//!
//! Handlers stay thin: each names the API it speaks and hands the request to [`flow`], which
//! reads it, resolves the model and tries targets, by pass-through ([`passthrough`]) when the
//! provider speaks the client's API or through the canonical model ([`translated`]) otherwise.
//! Every endpoint answers at `/v1/x`, `/x` and the doubled `/v1/v1/x` that users paste by
//! mistake. The Gemini API answers under `/v1beta/models/…` and `/v1/models/…` (the
//! google-genai SDK uses the latter), where the URL names the model and the method.

mod accounting;
mod body;
mod cached;
mod call;
mod client;
mod estimate;
mod flow;
mod frames;
mod inbound;
mod keys;
mod models;
mod passthrough;
mod pipe;
mod recorder;
mod sse;
mod translated;

use axum::Router;
use std::collections::HashMap;

use axum::extract::{Path, Query, Request, State};
use axum::http::HeaderValue;
use axum::response::Response;
use axum::routing::{get, post};

use crate::error::ProxyError;
use crate::state::SharedState;

pub use body::BODY_READ_TIMEOUT;
pub use call::is_retryable_status;
pub use client::ClientApi;
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
            .route(&format!("{prefix}/models"), get(models::list))
            .route(
                &format!("{prefix}/models/{{*name}}"),
                get(models::one).post(gemini_call),
            );
    }
    router
        .route("/v1beta/models", get(models::gemini_list))
        .route(
            "/v1beta/models/{*name}",
            get(models::gemini_one).post(gemini_call),
        )
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

/// `POST …/models/{model}:{method}`: Google's `generateContent`, `streamGenerateContent`
/// (`?alt=sse` for server-sent events) and `countTokens`. A key in `?key=` is a client key
/// like any other: it moves to `x-goog-api-key` and never reaches a provider.
async fn gemini_call(
    State(state): State<SharedState>,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    mut request: Request,
) -> Response {
    if let Some(key) = query.get("key")
        && !request.headers().contains_key("x-goog-api-key")
        && let Ok(value) = HeaderValue::from_str(key)
    {
        request.headers_mut().insert("x-goog-api-key", value);
    }
    let name = name.strip_prefix("models/").unwrap_or(&name);
    let (api, stream) = match name.rsplit_once(':').map(|(_, method)| method) {
        Some("generateContent") => (ClientApi::GenerateContent, false),
        Some("streamGenerateContent") => (ClientApi::GenerateContent, true),
        Some("countTokens") => (ClientApi::GeminiCountTokens, false),
        _ => {
            let err = ProxyError::NotFound(format!(
                "Switchyard serves generateContent, streamGenerateContent and countTokens; \
                 'models/{name}' is none of them."
            ));
            return ClientApi::GenerateContent.error_response(&err);
        }
    };
    let model = name.rsplit_once(':').map_or(name, |(model, _)| model);
    let call = inbound::GeminiCall {
        model: model.to_owned(),
        stream,
        sse: query.get("alt").map(String::as_str) == Some("sse"),
    };
    flow::handle_call(state, api, request, Some(call)).await
}
