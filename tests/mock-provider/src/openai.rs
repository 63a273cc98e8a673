//! The OpenAI mock: `/v1/chat/completions`, `/v1/completions`,
//! `/v1/embeddings`, `/v1/responses` and `/v1/models` (the latter routed through the
//! `dialect` module, as Anthropic clients call it too), in OpenAI's
//! documented wire format.
//!
//! This file holds what the endpoints share: the router, the `guard`
//! (Bearer auth and the response headers OpenAI always sends), the common
//! start of every POST
//! ([`begin`]: JSON parsing, `model`, scripted failures, `stream_options`)
//! and the end of every non-streamed answer ([`finish_json`]).

mod chat;
mod completions;
mod embeddings;
mod error;
pub(crate) mod models;
pub mod responses;
mod usage;

pub use error::ApiError;
pub use usage::{ChatUsage, PlainUsage, text_tokens};

use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use crate::script::{Knobs, Script};
use crate::sse::Event;
use crate::{AppState, Shared, ids};

/// The OpenAI endpoints, behind [`guard`].
pub(crate) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/v1/chat/completions", post(chat::create))
        .route("/v1/completions", post(completions::create))
        .route("/v1/embeddings", post(embeddings::create))
        .merge(responses::routes())
        .route_layer(from_fn_with_state(state, guard))
}

/// Unknown paths: OpenAI's `Invalid URL` 404.
pub(crate) async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        format!("Invalid URL ({method} {})", uri.path()),
    )
}

/// Known paths with the wrong method.
pub(crate) async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request_error",
        format!("Invalid method for URL ({method} {})", uri.path()),
    )
}

/// Rejects requests without the configured `Authorization: Bearer <key>`
/// and adds the headers OpenAI sends with every answer (`x-request-id`, …).
pub(crate) async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let mut response = match authorize(&state, request.headers()) {
        Ok(()) => next.run(request).await,
        Err(error) => error.into_response(),
    };
    let request_id = format!("req_{}", ids::hex(state.next_seed(), 32));
    let headers: &mut HeaderMap = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert("x-request-id", value);
    }
    headers.insert("openai-version", HeaderValue::from_static("2020-10-01"));
    headers.insert("openai-organization", HeaderValue::from_static("org-mock"));
    headers.insert(
        "openai-processing-ms",
        HeaderValue::from(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)),
    );
    response
}

/// The configured key, if any, must come as `Authorization: Bearer <key>`.
fn authorize(state: &Shared, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(expected) = state.options.api_key.as_deref() else {
        return Ok(());
    };
    let provided = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    match provided {
        Some(key) if key == expected => Ok(()),
        Some(key) => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            format!(
                "Incorrect API key provided: {}. You can find your API key at \
                 https://platform.openai.com/account/api-keys.",
                mask_key(key)
            ),
        )
        .code("invalid_api_key")),
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            "You didn't provide an API key. You need to provide your API key in an \
             Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or \
             as the password field (with blank username) if you're accessing the API from \
             your browser and are prompted for a username and password. You can obtain an API \
             key from https://platform.openai.com/account/api-keys.",
        )
        .code("invalid_api_key")),
    }
}

/// `sk-abcdef1234` → `sk-ab****1234`, as OpenAI masks keys in errors.
fn mask_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..5].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
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
    /// `stream: true` on an endpoint that can stream.
    pub(crate) stream: bool,
    /// `stream_options.include_usage: true` on a streamed request.
    pub(crate) include_usage: bool,
}

/// Parses the body, requires `model`, plays scripted errors and delays and
/// checks `stream_options`. `streamable` says whether the endpoint can stream.
pub(crate) async fn begin(
    state: &Shared,
    raw: &Bytes,
    streamable: bool,
) -> Result<Begun, ApiError> {
    let body: Value = serde_json::from_slice(raw).map_err(|_| ApiError::unparseable_json())?;
    let model = body
        .get("model")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
        .ok_or_else(|| ApiError::invalid_request("you must provide a model parameter"))?
        .to_owned();
    let script = Script::from_model(&model);
    let knobs = Knobs::from_body(&body);
    let scripted = |status| {
        let error = ApiError::scripted(status, &model);
        match knobs.retry_after_ms {
            Some(ms) => error.retry_after_ms(ms),
            None => error,
        }
    };
    match script {
        Script::Error(status) => return Err(scripted(status)),
        Script::Flaky { failures, status } if state.count_request(&model) < failures => {
            return Err(scripted(status));
        }
        Script::Slow(delay) => tokio::time::sleep(delay).await,
        _ => {}
    }
    let stream = streamable && body.get("stream").and_then(Value::as_bool) == Some(true);
    let stream_options = body.get("stream_options");
    if streamable && state.options.reject_stream_options && stream_options.is_some() {
        return Err(ApiError::invalid_request(
            "Unrecognized request argument supplied: stream_options",
        ));
    }
    let stream_options = stream_options.filter(|o| !o.is_null());
    if stream_options.is_some() && !stream {
        return Err(ApiError::invalid_request(
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        )
        .param("stream_options"));
    }
    let include_usage = stream_options
        .and_then(|o| o.get("include_usage"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(Begun {
        body,
        model,
        script,
        knobs,
        stream,
        include_usage,
    })
}

/// A non-streamed answer; `midstream-reset` cuts it halfway through the
/// body and `midstream-error` turns it into a 500.
pub(crate) fn finish_json<T: Serialize>(script: Script, answer: &T) -> Response {
    match script {
        Script::MidstreamReset => {
            let json = serde_json::to_vec(answer).unwrap_or_default();
            let half = json.len() / 2;
            let events = vec![Event::Frame(Bytes::from(json).slice(..half)), Event::Reset];
            let mut response = Response::new(crate::sse::body(events, Duration::ZERO));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Script::MidstreamError => ApiError::server_error().into_response(),
        _ => Json(answer).into_response(),
    }
}

/// The events a stream plays: all of `events` then `[DONE]`, or, when the
/// model scripts a mid-stream failure, the first two then the failure.
pub(crate) fn stream_events(script: Script, mut events: Vec<Event>) -> Vec<Event> {
    if script.cuts_stream() {
        events.truncate(2);
        if script == Script::MidstreamReset {
            events.push(Event::Reset);
        } else {
            events.push(Event::data(&ApiError::server_error().body()));
        }
    } else {
        events.push(Event::done());
    }
    events
}
