//! One POST to a provider and what came of it: the request sent with the provider's timeouts,
//! the answer classified (retryable or not), and each try recorded as an attempt.
//!
//! Which target and which key to use, and whether to try again, is decided by the flow
//! ([`super::flow`]); this module only performs and records a single call (plus the one
//! automatic re-send without `stream_options` for providers that reject it).

use std::time::Instant;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use bytes::Bytes;

use super::inbound::{Failure, Mode, Tried};
use super::recorder::Recorder;
use crate::config::{Provider, StreamUsage};
use crate::error::ProxyError;
use crate::history::Attempt;
use crate::secrets::Secret;
use crate::state::AppState;
use crate::upstream::describe_transport_error;

pub fn push_failed_attempt(
    rec: &mut Recorder,
    provider: &Provider,
    model: &str,
    err: &ProxyError,
    started: Instant,
) {
    rec.push_attempt(Attempt {
        provider: provider.id.clone(),
        upstream_model: model.to_owned(),
        status: None,
        error: Some(err.to_string()),
        latency_ms: started.elapsed().as_millis() as u64,
    });
}

/// Whether to ask an OpenAI-format provider for streamed usage.
pub fn wants_stream_usage(state: &AppState, provider: &Provider) -> bool {
    match provider.stream_usage {
        StreamUsage::Never => false,
        StreamUsage::Always => true,
        StreamUsage::Auto => !state
            .rejects_stream_options
            .lock()
            .map(|set| set.contains(&provider.id))
            .unwrap_or(false),
    }
}

pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 409 | 429) || status.is_server_error()
}

/// One call to make to a provider: where, with what, and how its answer must be read.
pub struct UpstreamRequest<'a, B: Fn(bool) -> Bytes> {
    pub provider: &'a Provider,
    /// The model as the provider names it.
    pub model: &'a str,
    pub url: String,
    pub headers: HeaderMap,
    /// The body, with usage asked for on a stream (`stream_options`) or not.
    pub body: B,
    pub ask_usage: bool,
    pub mode: Mode,
}

/// One POST to a provider, retried once without `stream_options` if an `auto` provider turns
/// out to reject it. Every try is recorded as an attempt.
pub async fn call<B: Fn(bool) -> Bytes>(
    state: &AppState,
    request: UpstreamRequest<'_, B>,
    rec: &mut Recorder,
) -> Tried {
    let UpstreamRequest {
        provider,
        model,
        url,
        headers,
        body: make_body,
        mut ask_usage,
        mode,
    } = request;
    let url = url.as_str();
    loop {
        let started = Instant::now();
        let sent = send(state, provider, url, headers.clone(), make_body(ask_usage)).await;
        let response = match sent {
            Ok(response) => response,
            Err(err) => {
                tracing::warn!(provider = %provider.id, error = %err, "upstream attempt failed");
                push_failed_attempt(rec, provider, model, &err, started);
                return Tried::Retryable(Failure::Error(err));
            }
        };
        let status = response.status();
        if status.is_redirection() {
            let err = crate::upstream::redirect_error(provider, &response);
            tracing::warn!(provider = %provider.id, error = %err, "upstream answered with a redirect");
            push_failed_attempt(rec, provider, model, &err, started);
            return Tried::Retryable(Failure::Error(err));
        }
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            state.key_rejected(&provider.id, status.as_u16());
        }
        state
            .routing
            .observe_ttfb(&provider.id, model, started.elapsed());
        let mut attempt = Attempt {
            provider: provider.id.clone(),
            upstream_model: model.to_owned(),
            status: Some(status.as_u16()),
            error: (!status.is_success()).then(|| format!("provider answered {status}")),
            latency_ms: 0,
        };
        if status == StatusCode::BAD_REQUEST
            && ask_usage
            && provider.stream_usage == StreamUsage::Auto
        {
            let limit = state.config.load().server.max_answer_bytes;
            let text = crate::upstream::read_capped(response, limit)
                .await
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            attempt.latency_ms = started.elapsed().as_millis() as u64;
            if text.contains("stream_options") {
                tracing::info!(provider = %provider.id, "provider rejects stream_options; streamed usage will be estimated");
                if let Ok(mut set) = state.rejects_stream_options.lock() {
                    set.insert(provider.id.clone());
                }
                attempt.error = Some("provider rejected stream_options; retried without it".into());
                rec.push_attempt(attempt);
                ask_usage = false;
                continue;
            }
            rec.push_attempt(attempt);
            return Tried::Answer(rebuilt(status, text), mode);
        }
        attempt.latency_ms = started.elapsed().as_millis() as u64;
        rec.push_attempt(attempt);
        return if is_retryable_status(status) {
            tracing::warn!(provider = %provider.id, %status, "upstream answered with a retryable status");
            Tried::Retryable(Failure::Status(response, mode))
        } else {
            Tried::Answer(response, mode)
        };
    }
}

/// A response whose body was already read, rebuilt to be handed on.
fn rebuilt(status: StatusCode, text: String) -> reqwest::Response {
    let response = axum::http::Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(text)
        .unwrap_or_else(|_| axum::http::Response::new(String::new()));
    reqwest::Response::from(response)
}

async fn send(
    state: &AppState,
    provider: &Provider,
    url: &str,
    headers: HeaderMap,
    body: Bytes,
) -> Result<reqwest::Response, ProxyError> {
    let client = state.clients.for_provider(provider)?;
    let request = client.post(url).headers(headers).body(body);
    let first_byte = provider.timeouts.first_byte;
    let sent = tokio::select! {
        sent = tokio::time::timeout(first_byte, request.send()) => sent,
        () = state.abort.cancelled() => {
            return Err(ProxyError::Unavailable("Switchyard is shutting down; retry in a moment.".into()));
        }
    };
    match sent {
        Err(_) => Err(ProxyError::UpstreamTimeout {
            provider: provider.id.clone(),
            seconds: first_byte.as_secs(),
        }),
        Ok(Err(e)) if e.is_timeout() => Err(ProxyError::UpstreamTimeout {
            provider: provider.id.clone(),
            seconds: provider.timeouts.connect.as_secs(),
        }),
        Ok(Err(e)) => Err(ProxyError::UpstreamUnreachable {
            provider: provider.id.clone(),
            detail: describe_transport_error(&e),
        }),
        Ok(Ok(response)) => Ok(response),
    }
}

/// Upstream headers common to every call: auth, the provider's extra headers, JSON.
pub fn base_headers(provider: &Provider, key: Option<&Secret>) -> HeaderMap {
    let mut headers = crate::upstream::headers(provider, key);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers
}
