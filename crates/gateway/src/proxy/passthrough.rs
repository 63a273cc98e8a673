//! Same-format traffic: the client's API is the provider's.
//!
//! The body is passed through: only `model` is rewritten (plus `stream_options` to ask an
//! OpenAI-format provider for streamed usage); every other member reaches the provider as the
//! client wrote it, and the answer comes back the same way. Usage is read off the answer (or
//! the stream, by observing it) for the history, never by re-encoding it.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::json;
use switchyard_protocol::Usage;
use switchyard_protocol::canonical::{ApiError, SseEvent};
use switchyard_protocol::{RawObject, anthropic, gemini, openai_responses};

use super::accounting::{account, decorate};
use super::call::{self, UpstreamRequest, base_headers, wants_stream_usage};
use super::client::ClientApi;
use super::estimate::{self, InputEstimate};
use super::inbound::{Inbound, Mode, Tried};
use super::pipe::{JsonArray, Observed, OpenAiPassthrough, Pipe};
use super::recorder::Recorder;
use super::sse::{RelayParts, relay};
use crate::cache::CachedBody;
use crate::config::{Config, Provider, ProviderKind};
use crate::error::ProxyError;
use crate::history::Outcome;
use crate::secrets::Secret;
use crate::state::AppState;
use crate::upstream::ReadError;

/// Client headers that mean something to a provider of the same API, forwarded unchanged.
fn forwarded_headers(api: ClientApi) -> &'static [&'static str] {
    match api {
        // Claude Code relies on its betas reaching Anthropic unchanged.
        ClientApi::Messages | ClientApi::CountTokens => &["anthropic-version", "anthropic-beta"],
        _ => &["openai-beta"],
    }
}

pub async fn attempt(
    state: &AppState,
    provider: &Provider,
    model: &str,
    inbound: &Inbound<'_>,
    key: Option<&Secret>,
    rec: &mut Recorder,
) -> Tried {
    let api = inbound.api;
    let mut url = match &inbound.gemini {
        // Streams are always asked for as SSE, which the relay reads; a client that wanted the
        // JSON-array framing gets it re-framed.
        Some(call) => crate::upstream::url(provider, &gemini_path(api, model, call.stream)),
        None => crate::upstream::url(provider, api.upstream_path()),
    };
    if let (ClientApi::Messages | ClientApi::CountTokens, Some(query)) = (api, inbound.query) {
        url = format!("{url}?{query}"); // `?beta=true` from Claude Code
    }
    let mut headers = base_headers(provider, key);
    for name in forwarded_headers(api) {
        if let Some(value) = inbound.headers.get(*name) {
            headers.insert(*name, value.clone());
        }
    }
    let asks_usage = matches!(api, ClientApi::Chat | ClientApi::Completions)
        && inbound.stream
        && !inbound.client_wants_usage
        && wants_stream_usage(state, provider);
    let request = UpstreamRequest {
        provider,
        model,
        url,
        headers,
        body: |ask: bool| upstream_body(&inbound.body, api, model, ask),
        ask_usage: asks_usage,
        mode: Mode::Passthrough {
            kind: provider.kind,
        },
    };
    call::call(state, request, rec).await
}

/// The upstream path of a Gemini API call for `model`.
fn gemini_path(api: ClientApi, model: &str, stream: bool) -> String {
    if api == ClientApi::GeminiCountTokens {
        return gemini::path_for(model, "countTokens");
    }
    gemini::path(model, stream)
}

/// The client's body with `model` rewritten, usage requested when asked, and (for Responses)
/// reasoning items sealed by Switchyard for another provider removed: OpenAI cannot read them.
/// A Gemini API body is sent as it came: its model is in the URL, and Google rejects members
/// it does not know.
fn upstream_body(body: &RawObject<'_>, api: ClientApi, model: &str, ask_usage: bool) -> Bytes {
    if api.speaks_gemini() {
        return Bytes::from(body.to_vec());
    }
    let mut body = body.clone();
    body.set("model", model);
    if ask_usage {
        let mut options = body
            .get::<serde_json::Map<String, serde_json::Value>>("stream_options")
            .ok()
            .flatten()
            .unwrap_or_default();
        options.insert("include_usage".into(), json!(true));
        body.set("stream_options", &options);
    }
    if api == ClientApi::Responses
        && body
            .get_raw("input")
            .is_some_and(|raw| raw.contains("switchyard:"))
        && let Ok(Some(items)) = body.get::<Vec<serde_json::Value>>("input")
    {
        let kept: Vec<&serde_json::Value> = items
            .iter()
            .filter(|item| {
                let sealed = item.get("type").and_then(|t| t.as_str()) == Some("reasoning")
                    && item
                        .get("encrypted_content")
                        .and_then(|c| c.as_str())
                        .is_some_and(openai_responses::is_gateway_reasoning);
                !sealed
            })
            .collect();
        body.set("input", &kept);
    }
    Bytes::from(body.to_vec())
}

pub async fn answer(
    state: &AppState,
    config: &Arc<Config>,
    response: reqwest::Response,
    kind: ProviderKind,
    inbound: &Inbound<'_>,
    rec: Recorder,
) -> Response {
    let api = inbound.api;
    if inbound.stream && response.status().is_success() {
        let probe = kind.adapter().stream_probe(api.dialect());
        let pipe: Box<dyn Pipe> = match (probe, api) {
            (Some(probe), ClientApi::Messages) => Box::new(Observed::new(
                probe,
                &["message_stop"],
                anthropic_error_event,
            )),
            (Some(probe), ClientApi::Responses) => Box::new(Observed::new(
                probe,
                &[
                    "response.completed",
                    "response.incomplete",
                    "response.failed",
                ],
                responses_error_event,
            )),
            (Some(probe), ClientApi::GenerateContent) => {
                Box::new(Observed::new(probe, &[], gemini_error_event))
            }
            _ => Box::new(OpenAiPassthrough::new(inbound.client_wants_usage)),
        };
        let pipe = JsonArray::wrap_unless_sse(pipe, inbound.json_array_stream());
        let parts = RelayParts {
            config: config.clone(),
            abort: state.abort.clone(),
            pipe,
            input_estimate: InputEstimate::ClientBody(inbound.body_bytes.clone()),
            cache: inbound.cache.clone(),
            idle: inbound.route_timeouts.idle,
            deadline: inbound.deadline,
        };
        return relay(response, parts, rec);
    }
    whole(config, response, kind, inbound, rec).await
}

/// A whole (non-streamed) answer: read it, account for it, pass it back unchanged.
async fn whole(
    config: &Config,
    response: reqwest::Response,
    kind: ProviderKind,
    inbound: &Inbound<'_>,
    rec: Recorder,
) -> Response {
    let api = inbound.api;
    let status = response.status();
    let headers = response.headers().clone();
    let (bytes, mut rec) = match read_answer(config, response, rec, inbound).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let mut cost = None;
    if status.is_success() {
        // Counting tokens is not using them.
        let usage = if api.counts_tokens() {
            Some(Usage::default())
        } else {
            kind.adapter().answer_usage(api.dialect(), &bytes)
        };
        account(config, rec.row(), usage, || {
            (
                estimate::input_tokens(&inbound.body),
                estimate::output_tokens(&bytes),
            )
        });
        cost = rec.row().cost_usd;
    }
    let (outcome, error) = if status.is_success() {
        (Outcome::Ok, None)
    } else {
        (
            Outcome::UpstreamError,
            Some(upstream_error_message(status, &bytes)),
        )
    };
    let provider = rec.row().provider.clone();
    let model = rec.row().upstream_model.clone();
    rec.finish(status.as_u16(), outcome, error).await;
    if let Some(fill) = inbound.cache.as_ref().filter(|_| status.is_success()) {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .cloned()
            .unwrap_or_else(|| HeaderValue::from_static("application/json"));
        fill.store(
            provider.as_deref().unwrap_or_default(),
            model.as_deref().unwrap_or_default(),
            content_type,
            CachedBody::Whole(bytes.clone()),
        );
    }

    let mut out = Response::builder().status(status);
    for (name, value) in &headers {
        if crate::upstream::forwardable(name.as_str()) || name == header::CONTENT_TYPE {
            out = out.header(name, value);
        }
    }
    let mut out = out
        .body(Body::from(bytes))
        .unwrap_or_else(|_| ().into_response());
    decorate(
        out.headers_mut(),
        provider.as_deref(),
        model.as_deref(),
        cost,
    );
    out
}

/// Reads a whole answer body, bounded by the provider's idle timeout, and keeps it for the
/// history. When it cannot be read, the row is finished and the client's error is returned.
pub async fn read_answer(
    config: &Config,
    response: reqwest::Response,
    mut rec: Recorder,
    inbound: &Inbound<'_>,
) -> Result<(Bytes, Recorder), Response> {
    let api = inbound.api;
    let provider = rec.row().provider.clone().unwrap_or_default();
    let idle = inbound.idle_timeout(config.provider(&provider).map(|p| &**p));
    let limit = config.server.max_answer_bytes;
    let err = match tokio::time::timeout(idle, crate::upstream::read_capped(response, limit)).await
    {
        Ok(Ok(bytes)) => {
            rec.mark_first_byte();
            if config.logging.store_bodies {
                let limit = config.logging.max_stored_body_bytes;
                rec.row().response_body = Some(crate::history::capped_body(&bytes, limit));
            }
            return Ok((bytes, rec));
        }
        Ok(Err(e @ ReadError::Transport(_))) => ProxyError::UpstreamUnreachable {
            provider,
            detail: format!("the answer was cut off ({e})"),
        },
        Ok(Err(e)) => ProxyError::UpstreamUnreachable {
            provider,
            detail: e.to_string(),
        },
        Err(_) => ProxyError::UpstreamTimeout {
            provider,
            seconds: idle.as_secs(),
        },
    };
    rec.finish(
        err.status().as_u16(),
        Outcome::UpstreamError,
        Some(err.to_string()),
    )
    .await;
    Err(api.error_response(&err))
}

/// The provider's own error message, for the history's `error` column.
fn upstream_error_message(status: axum::http::StatusCode, body: &[u8]) -> String {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let message = value
        .pointer("/error/message")
        .and_then(|m| m.as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned());
    crate::secrets::redact(&format!("provider answered {status}: {message}")).into_owned()
}

fn anthropic_error_event(error: &ApiError) -> SseEvent {
    let (_, body) = anthropic::encode_error(error);
    SseEvent::named("error", body.to_string())
}

fn gemini_error_event(error: &ApiError) -> SseEvent {
    let (_, body) = gemini::encode_client_error(error);
    SseEvent::data(body.to_string())
}

fn responses_error_event(error: &ApiError) -> SseEvent {
    let body =
        json!({"type": "error", "code": error.code, "message": error.message, "param": null});
    SseEvent::named("error", body.to_string())
}
