//! The Anthropic mock: `POST /v1/messages` (JSON and SSE) and
//! `POST /v1/messages/count_tokens`, in Anthropic's documented wire format,
//! validated as strictly as the real API. `GET /v1/models` answers in
//! Anthropic's shape when the request carries `anthropic-version` (the
//! `dialect` module decides).
//!
//! This file holds what the endpoints share: the router, the `guard` every
//! request passes (request id, auth by `x-api-key` or `Authorization: Bearer`
//! like the service and its SDK 2.x, the required `anthropic-version`), and
//! the common start of every POST (`begin`: JSON parsing, `model`, scripted
//! failures). Query strings such as Claude Code's `?beta=true` are ignored.

mod count_tokens;
mod error;
mod messages;
pub mod models;
mod request;
pub mod stream_check;
mod usage;

pub use error::ApiError;
pub use request::{ApiVersion, Endpoint};
pub use usage::{TOKENS_PER_MESSAGE, TOKENS_PER_TOOL};

pub(crate) use usage::PromptCache;

use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use serde_json::Value;

use crate::script::{Knobs, Script};
use crate::{AppState, Shared, ids};

/// The organization every answer claims to come from.
const ORGANIZATION_ID: &str = "6d6f636b-0000-4000-8000-000000000001";

/// The Anthropic endpoints, behind [`guard`].
pub(crate) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/v1/messages", post(messages::create))
        .route("/v1/messages/count_tokens", post(count_tokens::create))
        .route_layer(from_fn_with_state(state, guard))
}

/// What the guard learned about one exchange, for the handlers.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    /// `req_…`, sent as the `request-id` header and in error bodies.
    pub(crate) request_id: String,
    /// The rules the request's `anthropic-version` selects.
    pub(crate) version: ApiVersion,
}

/// Gives the exchange a request id, checks the key and `anthropic-version`,
/// and stamps Anthropic's headers on the answer.
pub(crate) async fn guard(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let request_id = new_request_id(&state);
    let checked = authorize(&state, request.headers()).and_then(|()| version(request.headers()));
    let mut response = match checked {
        Ok(version) => {
            request.extensions_mut().insert(Exchange {
                request_id: request_id.clone(),
                version,
            });
            next.run(request).await
        }
        Err(error) => error.with_request_id(&request_id).into_response(),
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert("request-id", value);
    }
    headers.insert(
        "anthropic-organization-id",
        HeaderValue::from_static(ORGANIZATION_ID),
    );
    headers.insert(
        "x-envoy-upstream-service-time",
        HeaderValue::from(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)),
    );
    response
}

/// `req_011C…`, shaped like the service's request ids.
pub(crate) fn new_request_id(state: &Shared) -> String {
    format!("req_011C{}", ids::alnum(state.next_seed(), 20))
}

/// `x-api-key: KEY`, else `Authorization: Bearer KEY` (what SDK 2.x sends),
/// must equal the configured key.
fn authorize(state: &Shared, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(expected) = state.options.api_key.as_deref() else {
        return Ok(());
    };
    let api_key = headers.get("x-api-key").and_then(|v| v.to_str().ok());
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
    match api_key.or(bearer).map(str::trim) {
        Some(key) if key == expected => Ok(()),
        Some(_) => Err(ApiError::authentication("invalid x-api-key")),
        None => Err(ApiError::authentication("x-api-key header is required")),
    }
}

/// `anthropic-version` is required; one value, of any date.
fn version(headers: &HeaderMap) -> Result<ApiVersion, ApiError> {
    let mut values = headers.get_all("anthropic-version").iter();
    let Some(first) = values.next() else {
        return Err(ApiError::invalid_request(
            "anthropic-version: header is required",
        ));
    };
    let value = first.to_str().unwrap_or_default();
    // A proxy that adds its own version next to the client's sends two; the
    // service rejects the joined value.
    if values.next().is_some() || value.contains(',') || value.trim().is_empty() {
        let joined: Vec<&str> = headers
            .get_all("anthropic-version")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        return Err(ApiError::invalid_request(format!(
            "anthropic-version: \"{}\" is not a valid version",
            joined.join(", ")
        )));
    }
    Ok(ApiVersion::from_header(value))
}

/// A POST body after the checks every endpoint shares.
#[derive(Debug)]
pub(crate) struct Begun {
    /// The whole JSON body.
    pub(crate) body: Value,
    /// `model`, echoed in the answer.
    pub(crate) model: String,
    /// What the model name scripts.
    pub(crate) script: Script,
    /// The `mock` body field.
    pub(crate) knobs: Knobs,
}

/// Parses the body, requires `model`, and plays scripted errors and delays.
pub(crate) async fn begin(raw: &Bytes) -> Result<Begun, ApiError> {
    let body: Value = serde_json::from_slice(raw).map_err(|error| {
        ApiError::invalid_request(format!("The request body is not valid JSON: {error}"))
    })?;
    let model = match body.get("model") {
        None | Some(Value::Null) => return Err(ApiError::required("model")),
        Some(Value::String(model)) if !model.is_empty() => model.clone(),
        Some(_) => {
            return Err(ApiError::invalid_request(
                "model: Input should be a valid string",
            ));
        }
    };
    let script = Script::from_model(&model);
    match script {
        Script::Error(status) => return Err(ApiError::scripted(status, &model)),
        Script::Slow(delay) => tokio::time::sleep(delay).await,
        _ => {}
    }
    let knobs = Knobs::from_body(&body);
    Ok(Begun {
        body,
        model,
        script,
        knobs,
    })
}

/// Unknown paths, for clients that speak Anthropic.
pub(crate) fn not_found(state: &Shared) -> Response {
    ApiError::not_found("Not Found")
        .with_request_id(&new_request_id(state))
        .into_response()
}

/// Known paths with the wrong method, for clients that speak Anthropic.
pub(crate) fn method_not_allowed(state: &Shared) -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request_error",
        "Method Not Allowed",
    )
    .with_request_id(&new_request_id(state))
    .into_response()
}

/// Checks a `POST /v1/messages` body exactly as the mock does, without a
/// server: a translator's unit tests can assert their output is accepted.
pub fn validate_messages_request(body: &Value, version: ApiVersion) -> Result<(), ApiError> {
    request::check(body, Endpoint::Messages, version).map(|_| ())
}

/// Checks a `POST /v1/messages/count_tokens` body exactly as the mock does.
pub fn validate_count_tokens_request(body: &Value, version: ApiVersion) -> Result<(), ApiError> {
    request::check(body, Endpoint::CountTokens, version).map(|_| ())
}

/// The total input tokens the mock counts for a valid request (what
/// count_tokens answers, and `input_tokens + cache_creation_input_tokens +
/// cache_read_input_tokens` of the message usage).
pub fn count_input_tokens(
    body: &Value,
    endpoint: Endpoint,
    version: ApiVersion,
) -> Result<u64, ApiError> {
    request::check(body, endpoint, version).map(|r| usage::count_input(&r).total)
}
