//! Paths more than one provider answers: `GET /v1/models` and the fallbacks
//! for unknown paths and methods.
//!
//! Clients of different providers call the same `/v1/models`; the real
//! services tell them apart by host, the mock by what the request carries.
//! [`Dialect::of`] decides once, and each provider module keeps its own auth,
//! headers and shapes. Model lists are one of the places gateways get wrong
//! (see docs/translation-rules.md), so each client gets exactly its provider's shape.

use std::collections::HashMap;

use axum::Extension;
use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::anthropic::{self, Exchange};
use crate::{AppState, openai};

/// Which provider's API a request speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    OpenAi,
    Anthropic,
}

impl Dialect {
    /// Anthropic when the request carries `anthropic-version` (every
    /// Anthropic SDK sends it) or targets `/v1/messages…`; else OpenAI.
    pub(crate) fn of(headers: &HeaderMap, path: &str) -> Dialect {
        if headers.contains_key("anthropic-version")
            || path == "/v1/messages"
            || path.starts_with("/v1/messages/")
        {
            Dialect::Anthropic
        } else {
            Dialect::OpenAi
        }
    }
}

/// `GET /v1/models[/{id}]`, behind the guard of the caller's dialect.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/v1/models", get(list))
        .route("/v1/models/{*id}", get(retrieve))
        .route_layer(from_fn_with_state(state, guard))
}

/// The dialect's own auth and response headers.
async fn guard(state: State<AppState>, request: Request, next: Next) -> Response {
    match Dialect::of(request.headers(), request.uri().path()) {
        Dialect::OpenAi => openai::guard(state, request, next).await,
        Dialect::Anthropic => anthropic::guard(state, request, next).await,
    }
}

/// The Anthropic guard leaves an [`Exchange`]; its absence means OpenAI.
async fn list(
    State(state): State<AppState>,
    exchange: Option<Extension<Exchange>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    match exchange {
        Some(Extension(exchange)) => anthropic::models::list(&state, &query, &exchange.request_id),
        None => openai::models::list(State(state)).await.into_response(),
    }
}

async fn retrieve(
    State(state): State<AppState>,
    exchange: Option<Extension<Exchange>>,
    Path(id): Path<String>,
) -> Response {
    match exchange {
        Some(Extension(exchange)) => anthropic::models::retrieve(&state, &id, &exchange.request_id),
        None => openai::models::retrieve(State(state), Path(id))
            .await
            .into_response(),
    }
}

/// Unknown paths, in the caller's error shape.
pub(crate) async fn not_found(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    match Dialect::of(&headers, uri.path()) {
        Dialect::OpenAi => openai::not_found(method, uri).await.into_response(),
        Dialect::Anthropic => anthropic::not_found(&state),
    }
}

/// Known paths with the wrong method, in the caller's error shape.
pub(crate) async fn method_not_allowed(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    match Dialect::of(&headers, uri.path()) {
        Dialect::OpenAi => openai::method_not_allowed(method, uri)
            .await
            .into_response(),
        Dialect::Anthropic => anthropic::method_not_allowed(&state),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn anthropic_clients_are_told_by_their_version_header_or_path() {
        let mut headers = HeaderMap::new();
        assert_eq!(Dialect::of(&headers, "/v1/models"), Dialect::OpenAi);
        assert_eq!(
            Dialect::of(&headers, "/v1/messages/batches"),
            Dialect::Anthropic
        );
        headers.insert("anthropic-version", HeaderValue::from_static("2023-06-01"));
        assert_eq!(Dialect::of(&headers, "/v1/models"), Dialect::Anthropic);
    }
}
