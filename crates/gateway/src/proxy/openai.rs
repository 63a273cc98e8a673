//! Same-format traffic to OpenAI-format providers (`openai`, `openai-compatible`):
//! chat completions, legacy completions (FIM autocomplete) and embeddings.
//!
//! The body is passed through: only `model` is rewritten (and `stream_options` added to ask
//! for usage); every other member reaches the provider as the client wrote it, and the answer
//! comes back the same way. Targets are tried in routing order; a connect error, timeout, 408,
//! 409, 429 or 5xx moves on to the next target, any other answer goes back to the client.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::json;
use switchyard_protocol::RawObject;
use switchyard_protocol::openai_chat::{AnswerProbe, WireUsage};

use super::recorder::Recorder;
use super::{estimate, sse};
use crate::config::{Config, Provider, ResolveError, StreamUsage};
use crate::error::ProxyError;
use crate::history::{Attempt, Outcome};
use crate::state::AppState;
use crate::upstream;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Chat,
    Completions,
    Embeddings,
}

impl Endpoint {
    pub fn inbound_api(self) -> &'static str {
        match self {
            Endpoint::Chat => "chat_completions",
            Endpoint::Completions => "completions",
            Endpoint::Embeddings => "embeddings",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Endpoint::Chat => "/chat/completions",
            Endpoint::Completions => "/completions",
            Endpoint::Embeddings => "/embeddings",
        }
    }

    fn streams(self) -> bool {
        !matches!(self, Endpoint::Embeddings)
    }
}

/// What the gateway learned from the client's body.
struct Inbound<'a> {
    body: RawObject<'a>,
    stream: bool,
    /// The client asked for a usage chunk itself (`stream_options.include_usage`).
    client_wants_usage: bool,
}

/// Handles one request end to end, recording it in history whatever happens.
pub async fn handle(
    state: Arc<AppState>,
    endpoint: Endpoint,
    request: axum::extract::Request,
) -> Response {
    let config = state.config.load_full();
    let (parts, body) = request.into_parts();
    let mut rec = Recorder::start(&state.history, endpoint.inbound_api(), &parts.headers);
    let id = rec.id().to_owned();
    let bytes = match super::read_body(body, config.server.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(err) => return reject(rec, err).await,
    };
    if config.logging.store_bodies {
        rec.row().request_body = Some(crate::history::capped_body(
            &bytes,
            config.logging.max_stored_body_bytes,
        ));
    }
    let inbound = match parse(endpoint, &bytes, &mut rec) {
        Ok(inbound) => inbound,
        Err(err) => return reject(rec, err).await,
    };
    let mut response = match proxy(&state, &config, endpoint, &parts.headers, inbound, rec).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    };
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// Records a request refused before any provider was tried, and answers with the error.
async fn reject(rec: Recorder, err: ProxyError) -> Response {
    let id = rec.id().to_owned();
    rec.finish(
        err.status().as_u16(),
        Outcome::Rejected,
        Some(err.to_string()),
    )
    .await;
    with_request_id(err.into_response(), &id)
}

fn with_request_id(mut response: Response, id: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

fn parse<'a>(
    endpoint: Endpoint,
    bytes: &'a [u8],
    rec: &mut Recorder,
) -> Result<Inbound<'a>, ProxyError> {
    let body = RawObject::parse(bytes).map_err(|e| {
        ProxyError::InvalidJson(format!(
            "We could not parse the JSON body of your request ({e}). Send a JSON object with Content-Type: application/json."
        ))
    })?;
    let invalid = |message: String, param: &str| ProxyError::InvalidRequest {
        message,
        param: Some(param.to_owned()),
    };
    let model = match body.get::<String>("model") {
        Ok(Some(model)) if !model.trim().is_empty() => model,
        Ok(_) => {
            return Err(invalid(
                "You must provide a model parameter.".into(),
                "model",
            ));
        }
        Err(e) => return Err(invalid(e, "model")),
    };
    rec.row().requested_model = Some(model);
    let stream = if endpoint.streams() {
        body.get::<Option<bool>>("stream")
            .map_err(|e| invalid(e, "stream"))?
            .flatten()
            .unwrap_or(false)
    } else {
        false
    };
    rec.row().stream = stream;
    let client_wants_usage = body
        .get::<serde_json::Value>("stream_options")
        .ok()
        .flatten()
        .and_then(|o| o.get("include_usage").and_then(serde_json::Value::as_bool))
        .unwrap_or(false);
    if endpoint == Endpoint::Chat && !body.has("messages") {
        return Err(invalid(
            "Missing required parameter: 'messages'.".into(),
            "messages",
        ));
    }
    Ok(Inbound {
        body,
        stream,
        client_wants_usage,
    })
}

/// How one attempt at one target ended.
enum Tried {
    /// An answer to pass back (success or a client error that fallback cannot fix).
    Answer(reqwest::Response),
    /// Worth trying the next target.
    Retryable(RetryableFailure),
}

enum RetryableFailure {
    Status(reqwest::Response),
    Error(ProxyError),
}

async fn proxy(
    state: &AppState,
    config: &Config,
    endpoint: Endpoint,
    client_headers: &HeaderMap,
    inbound: Inbound<'_>,
    mut rec: Recorder,
) -> Result<Response, ProxyError> {
    let model = rec.row().requested_model.clone().unwrap_or_default();
    let resolution = match config.resolve(&model) {
        Ok(resolution) => resolution,
        Err(why) => return Err(reject_model(rec, config, &model, why).await),
    };
    let targets = state.routing.order(config, &resolution);
    let mut last_failure: Option<RetryableFailure> = None;

    for target in &targets {
        let provider = &config.providers[target.provider];
        rec.row().provider = Some(provider.id.clone());
        rec.row().upstream_model = Some(target.model.clone());
        if !provider.kind.is_openai() {
            let err = ProxyError::NotSupported(format!(
                "Provider '{}' is of kind '{}', which cannot be reached from the OpenAI {} endpoint yet.",
                provider.id,
                provider.kind.as_str(),
                endpoint.inbound_api()
            ));
            push_failed_attempt(
                &mut rec,
                provider,
                &target.model,
                None,
                &err,
                Instant::now(),
            );
            last_failure = Some(RetryableFailure::Error(err));
            continue;
        }
        let key = match state.keys.resolve(provider).await {
            Ok(key) => key,
            Err(missing) => {
                let err = ProxyError::MissingKey(missing.explain());
                push_failed_attempt(
                    &mut rec,
                    provider,
                    &target.model,
                    None,
                    &err,
                    Instant::now(),
                );
                last_failure = Some(RetryableFailure::Error(err));
                continue;
            }
        };
        let key = key.map(|(secret, _)| secret);
        match try_target(
            state,
            provider,
            &target.model,
            endpoint,
            client_headers,
            &inbound,
            key.as_ref(),
            &mut rec,
        )
        .await
        {
            Tried::Answer(response) => {
                return Ok(if inbound.stream && response.status().is_success() {
                    sse::relay(
                        state.abort.clone(),
                        config,
                        response,
                        inbound.client_wants_usage,
                        estimate::input_tokens(&inbound.body),
                        rec,
                    )
                } else {
                    answer(config, response, &inbound, rec).await
                });
            }
            Tried::Retryable(failure) => last_failure = Some(failure),
        }
    }

    // Every target failed in a way fallback could not fix: answer with the last failure.
    match last_failure {
        Some(RetryableFailure::Status(response)) => {
            Ok(answer(config, response, &inbound, rec).await)
        }
        Some(RetryableFailure::Error(err)) => {
            let outcome = if matches!(err, ProxyError::MissingKey(_) | ProxyError::NotSupported(_))
            {
                Outcome::Rejected
            } else {
                Outcome::UpstreamError
            };
            rec.finish(err.status().as_u16(), outcome, Some(err.to_string()))
                .await;
            Err(err)
        }
        None => {
            let err = ProxyError::Internal("the route has no targets".into());
            rec.finish(500, Outcome::Rejected, Some(err.to_string()))
                .await;
            Err(err)
        }
    }
}

async fn reject_model(
    rec: Recorder,
    config: &Config,
    model: &str,
    why: ResolveError,
) -> ProxyError {
    let message = match why {
        ResolveError::Ambiguous(ids) => format!(
            "The model '{model}' is offered by several providers ({}); send it as provider/model, e.g. '{}/{model}'.",
            ids.join(", "),
            ids.first().map(String::as_str).unwrap_or("provider")
        ),
        ResolveError::Unknown => {
            let known: Vec<String> = config
                .listed_models()
                .into_iter()
                .map(|m| m.id)
                .take(12)
                .collect();
            format!(
                "The model '{model}' does not exist in Switchyard's configuration. Use a route alias, provider/model, or a model listed by one provider{}.",
                if known.is_empty() {
                    String::new()
                } else {
                    format!(" (for example: {})", known.join(", "))
                }
            )
        }
    };
    let err = ProxyError::ModelNotFound { message };
    rec.finish(404, Outcome::Rejected, Some(err.to_string()))
        .await;
    err
}

fn push_failed_attempt(
    rec: &mut Recorder,
    provider: &Provider,
    model: &str,
    status: Option<u16>,
    err: &ProxyError,
    started: Instant,
) {
    rec.push_attempt(Attempt {
        provider: provider.id.clone(),
        upstream_model: model.to_owned(),
        status,
        error: Some(err.to_string()),
        latency_ms: started.elapsed().as_millis() as u64,
    });
}

/// One try at one target, including the one retry without `stream_options` for upstreams that
/// turn out to reject it.
#[allow(clippy::too_many_arguments)]
async fn try_target(
    state: &AppState,
    provider: &Provider,
    model: &str,
    endpoint: Endpoint,
    client_headers: &HeaderMap,
    inbound: &Inbound<'_>,
    key: Option<&crate::secrets::Secret>,
    rec: &mut Recorder,
) -> Tried {
    let mut ask_usage =
        inbound.stream && !inbound.client_wants_usage && wants_stream_usage(state, provider);
    loop {
        let started = Instant::now();
        let body = upstream_body(
            &inbound.body,
            model,
            ask_usage,
            inbound.client_wants_usage && inbound.stream,
        );
        let sent = send(state, provider, endpoint, client_headers, body, key).await;
        let response = match sent {
            Ok(response) => response,
            Err(err) => {
                tracing::warn!(provider = %provider.id, error = %err, "upstream attempt failed");
                push_failed_attempt(rec, provider, model, None, &err, started);
                return Tried::Retryable(RetryableFailure::Error(err));
            }
        };
        let status = response.status();
        state
            .routing
            .observe_ttfb(&provider.id, model, started.elapsed());
        if status == StatusCode::BAD_REQUEST
            && ask_usage
            && provider.stream_usage == StreamUsage::Auto
        {
            // A strict upstream refusing `stream_options`: remember, and ask again without it.
            let text = response.text().await.unwrap_or_default();
            if text.contains("stream_options") {
                tracing::info!(provider = %provider.id, "provider rejects stream_options; streaming usage will be estimated");
                if let Ok(mut set) = state.rejects_stream_options.lock() {
                    set.insert(provider.id.clone());
                }
                rec.push_attempt(Attempt {
                    provider: provider.id.clone(),
                    upstream_model: model.to_owned(),
                    status: Some(400),
                    error: Some("provider rejected stream_options; retried without it".into()),
                    latency_ms: started.elapsed().as_millis() as u64,
                });
                ask_usage = false;
                continue;
            }
            return rebuilt_answer(rec, provider, model, status, text, started);
        }
        rec.push_attempt(Attempt {
            provider: provider.id.clone(),
            upstream_model: model.to_owned(),
            status: Some(status.as_u16()),
            error: (!status.is_success()).then(|| format!("provider answered {status}")),
            latency_ms: started.elapsed().as_millis() as u64,
        });
        return if is_retryable_status(status) {
            tracing::warn!(provider = %provider.id, %status, "upstream answered with a retryable status");
            Tried::Retryable(RetryableFailure::Status(response))
        } else {
            Tried::Answer(response)
        };
    }
}

/// A 400 whose body was already read: hand it back as an answer.
fn rebuilt_answer(
    rec: &mut Recorder,
    provider: &Provider,
    model: &str,
    status: StatusCode,
    text: String,
    started: Instant,
) -> Tried {
    rec.push_attempt(Attempt {
        provider: provider.id.clone(),
        upstream_model: model.to_owned(),
        status: Some(status.as_u16()),
        error: Some(format!("provider answered {status}")),
        latency_ms: started.elapsed().as_millis() as u64,
    });
    let rebuilt = http_response(status, text);
    Tried::Answer(rebuilt)
}

fn http_response(status: StatusCode, text: String) -> reqwest::Response {
    let mut builder = axum::http::Response::builder().status(status);
    builder = builder.header(header::CONTENT_TYPE, "application/json");
    match builder.body(text) {
        Ok(response) => reqwest::Response::from(response),
        Err(_) => reqwest::Response::from(axum::http::Response::new(String::new())),
    }
}

pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 409 | 429) || status.is_server_error()
}

fn wants_stream_usage(state: &AppState, provider: &Provider) -> bool {
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

/// The client's body with `model` rewritten and, when asked, usage requested on the stream.
fn upstream_body(body: &RawObject<'_>, model: &str, ask_usage: bool, client_asked: bool) -> Bytes {
    let mut body = body.clone();
    body.set("model", model);
    if ask_usage && !client_asked {
        let mut options = body
            .get::<serde_json::Map<String, serde_json::Value>>("stream_options")
            .ok()
            .flatten()
            .unwrap_or_default();
        options.insert("include_usage".into(), json!(true));
        body.set("stream_options", &options);
    }
    Bytes::from(body.to_vec())
}

/// Client headers that mean something to an OpenAI-format provider and are safe to forward.
const FORWARDED_CLIENT_HEADERS: &[&str] = &["openai-beta", "accept-language"];

async fn send(
    state: &AppState,
    provider: &Provider,
    endpoint: Endpoint,
    client_headers: &HeaderMap,
    body: Bytes,
    key: Option<&crate::secrets::Secret>,
) -> Result<reqwest::Response, ProxyError> {
    let client = state.clients.for_provider(provider)?;
    let mut headers = upstream::headers(provider, key);
    for name in FORWARDED_CLIENT_HEADERS {
        if let Some(value) = client_headers.get(*name) {
            headers.insert(*name, value.clone());
        }
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let request = client
        .post(upstream::url(provider, endpoint.path()))
        .headers(headers)
        .body(body);
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

/// A short, key-free description of why a provider could not be reached.
fn describe_transport_error(e: &reqwest::Error) -> String {
    let mut detail = if e.is_connect() {
        "connection failed".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        let text = inner.to_string();
        if !text.is_empty() && !detail.contains(&text) {
            detail = format!("{detail}: {text}");
        }
        source = inner.source();
    }
    crate::secrets::redact(&detail).into_owned()
}

/// A whole (non-streamed) answer: read it, account for it, pass it back unchanged.
async fn answer(
    config: &Config,
    response: reqwest::Response,
    inbound: &Inbound<'_>,
    mut rec: Recorder,
) -> Response {
    let status = response.status();
    let headers = response.headers().clone();
    let provider = rec.row().provider.clone().unwrap_or_default();
    let idle = config
        .provider(&provider)
        .map_or(Duration::from_secs(300), |p| p.timeouts.idle);
    let bytes = match tokio::time::timeout(idle, response.bytes()).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => {
            let err = ProxyError::UpstreamUnreachable {
                provider,
                detail: format!("the answer was cut off ({})", describe_transport_error(&e)),
            };
            rec.finish(
                err.status().as_u16(),
                Outcome::UpstreamError,
                Some(err.to_string()),
            )
            .await;
            return err.into_response();
        }
        Err(_) => {
            let err = ProxyError::UpstreamTimeout {
                provider,
                seconds: idle.as_secs(),
            };
            rec.finish(
                err.status().as_u16(),
                Outcome::UpstreamError,
                Some(err.to_string()),
            )
            .await;
            return err.into_response();
        }
    };
    rec.mark_first_byte();
    if config.logging.store_bodies {
        rec.row().response_body = Some(crate::history::capped_body(
            &bytes,
            config.logging.max_stored_body_bytes,
        ));
    }
    let mut cost_header = None;
    if status.is_success() {
        let usage = serde_json::from_slice::<AnswerProbe>(&bytes)
            .ok()
            .and_then(|p| p.usage);
        account(config, &mut rec, usage.as_ref(), || {
            (
                estimate::input_tokens(&inbound.body),
                estimate::output_tokens(&bytes),
            )
        });
        cost_header = rec.row().cost_usd;
    }
    let (outcome, error) = if status.is_success() {
        (Outcome::Ok, None)
    } else {
        (
            Outcome::UpstreamError,
            Some(upstream_error_message(status, &bytes)),
        )
    };
    let provider_header = rec.row().provider.clone();
    let model_header = rec.row().upstream_model.clone();
    rec.finish(status.as_u16(), outcome, error).await;

    let mut out = Response::builder().status(status);
    for (name, value) in &headers {
        if upstream::forwardable(name.as_str()) || name == header::CONTENT_TYPE {
            out = out.header(name, value);
        }
    }
    let mut out = out
        .body(Body::from(bytes))
        .unwrap_or_else(|_| Response::new(Body::empty()));
    decorate(
        out.headers_mut(),
        provider_header.as_deref(),
        model_header.as_deref(),
        cost_header,
    );
    out
}

/// Fills usage and cost into the row; when the provider sent no usage, `estimate` supplies
/// (input, output) token estimates and the row is marked as estimated.
pub(super) fn account(
    config: &Config,
    rec: &mut Recorder,
    usage: Option<&WireUsage>,
    estimate: impl FnOnce() -> (u64, u64),
) {
    let row = rec.row();
    match usage {
        Some(wire) => row.usage = wire.into(),
        None => {
            let (input, output) = estimate();
            row.usage.input_tokens = input;
            row.usage.output_tokens = output;
            row.usage_estimated = true;
        }
    }
    let (Some(provider), Some(model)) = (row.provider.as_deref(), row.upstream_model.as_deref())
    else {
        return;
    };
    row.cost_usd = crate::pricing::effective_price(config, provider, model)
        .map(|price| crate::pricing::cost_usd(&row.usage, &price));
}

pub(super) fn decorate(
    headers: &mut HeaderMap,
    provider: Option<&str>,
    model: Option<&str>,
    cost: Option<f64>,
) {
    if let Some(value) = provider.and_then(|p| HeaderValue::from_str(p).ok()) {
        headers.insert("x-switchyard-provider", value);
    }
    if let Some(value) = model.and_then(|m| HeaderValue::from_str(m).ok()) {
        headers.insert("x-switchyard-model", value);
    }
    if let Some(value) = cost.and_then(|c| HeaderValue::from_str(&c.to_string()).ok()) {
        headers.insert("x-switchyard-cost-usd", value);
    }
}

/// The provider's own error message, for the history's `error` column.
fn upstream_error_message(status: StatusCode, body: &[u8]) -> String {
    let message = serde_json::from_slice::<switchyard_protocol::openai_chat::ErrorBody>(body)
        .map(|b| b.error.message)
        .unwrap_or_else(|_| String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned());
    crate::secrets::redact(&format!("provider answered {status}: {message}")).into_owned()
}
