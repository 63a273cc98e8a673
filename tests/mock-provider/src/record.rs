//! Recording of what arrived, so tests can assert on what the gateway sent.
//!
//! In-process tests read [`crate::MockProvider::received`]; black-box tests
//! (e.g. Python against the `mock-provider` binary) use `GET /_mock/requests`
//! and `DELETE /_mock/requests`. The `/_mock/` endpoints are neither recorded
//! nor authenticated.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::{AppState, MAX_BODY_BYTES};

/// Path prefix of the mock's own inspection endpoints.
pub(crate) const MOCK_PREFIX: &str = "/_mock/";

/// One request as the mock received it.
#[derive(Debug, Clone, Serialize)]
pub struct ReceivedRequest {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Path without the query, e.g. `/v1/chat/completions`.
    pub path: String,
    /// Raw query string, without the `?`.
    pub query: Option<String>,
    /// Headers in arrival order, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The JSON body; `Null` when empty or not JSON.
    pub body: serde_json::Value,
}

impl ReceivedRequest {
    /// The first value of the header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Middleware: buffers the body, records the request, then passes it on.
pub(crate) async fn record(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().path().starts_with(MOCK_PREFIX) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let received = ReceivedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), value)
            })
            .collect(),
        body: serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    };
    state.received().push(received);
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// `GET` and `DELETE /_mock/requests`.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/_mock/requests", get(list).delete(clear))
}

async fn list(State(state): State<AppState>) -> Json<Vec<ReceivedRequest>> {
    Json(state.received().clone())
}

async fn clear(State(state): State<AppState>) -> StatusCode {
    state.received().clear();
    StatusCode::NO_CONTENT
}
