//! One request from arrival to answer, whatever API the client speaks.
//!
//! Read the body within the limit, learn the model and whether to stream, resolve the model to
//! targets, and try them in order: each target is reached by pass-through when the provider
//! speaks the client's API, or through the canonical model otherwise. A connect error, timeout,
//! 408, 409, 429 or 5xx is retried on the same target as [`crate::retries`] allows, then moves
//! on to the next target; any other answer goes back to the client. Repeated identical requests
//! may be answered from the response cache first ([`super::cached`]).
//! The [`Recorder`] makes sure every request becomes a history row, whichever way it ends.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use bytes::Bytes;
use switchyard_protocol::RawObject;
use tracing::Instrument;

use super::call::push_failed_attempt;
use super::client::ClientApi;
use super::inbound::{Failure, GeminiCall, Inbound, Mode, Tried};
use super::recorder::Recorder;
use super::{cached, keys, passthrough, translated};
use crate::cache::CacheFill;
use crate::config::{
    Config, DEFAULT_STREAM_TOTAL, Provider, Resolution, ResolveError, RouteTimeouts,
};
use crate::error::ProxyError;
use crate::history::Outcome;
use crate::retries::{self, Waited};
use crate::state::AppState;

pub async fn handle(
    state: Arc<AppState>,
    api: ClientApi,
    request: axum::extract::Request,
) -> Response {
    handle_call(state, api, request, None).await
}

/// [`handle`] for an API whose URL names the model (Gemini's).
pub async fn handle_call(
    state: Arc<AppState>,
    api: ClientApi,
    request: axum::extract::Request,
    call: Option<GeminiCall>,
) -> Response {
    let config = state.config.load_full();
    let (parts, body) = request.into_parts();
    let rec = Recorder::start(&state.history, api.inbound_api(), &parts.headers);
    let id = rec.id().to_owned();
    // Every line logged while this request is served (its stream included) carries its id;
    // `route`, `provider` and `model` are filled in as they become known.
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        api = api.inbound_api(),
        route = tracing::field::Empty,
        provider = tracing::field::Empty,
        model = tracing::field::Empty,
    );
    let response = serve(&state, &config, api, parts, body, call, rec)
        .instrument(span)
        .await;
    with_request_id(response, &id)
}

async fn serve(
    state: &AppState,
    config: &Arc<Config>,
    api: ClientApi,
    parts: axum::http::request::Parts,
    body: axum::body::Body,
    call: Option<GeminiCall>,
    mut rec: Recorder,
) -> Response {
    if let Err(err) = admit_client(state, config, &parts.headers, &mut rec) {
        return reject(api, rec, err).await;
    }
    let bytes = match super::body::read(body, config.server.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(err) => return reject(api, rec, err).await,
    };
    if config.logging.store_bodies {
        rec.row().request_body = Some(crate::history::capped_body(
            &bytes,
            config.logging.max_stored_body_bytes,
        ));
    }
    match parse(
        api,
        &bytes,
        &parts.headers,
        parts.uri.query(),
        call,
        &mut rec,
    ) {
        Ok(inbound) => {
            if let Some(model) = &rec.row().requested_model {
                tracing::Span::current().record("route", model.as_str());
            }
            route(state, config, inbound, rec).await
        }
        Err(err) => reject(api, rec, err).await,
    }
}

/// The error of a request whose total time ran out before an answer began.
fn out_of_time(config: &Config, inbound: &Inbound<'_>, provider: &Provider) -> ProxyError {
    let total = total_limit(config, &inbound.route_timeouts, inbound.stream);
    ProxyError::UpstreamTimeout {
        provider: provider.id.clone(),
        seconds: total.map_or(0, |t| t.as_secs()),
    }
}

/// The longest a whole request may take: the route's `total_secs`, else `[timeouts]`'s, else
/// for a stream [`DEFAULT_STREAM_TOTAL`] (a provider that keeps sending forever, each event
/// within the idle timeout, must not hold a connection and a history row open for good).
pub fn total_limit(config: &Config, route: &RouteTimeouts, stream: bool) -> Option<Duration> {
    route
        .total
        .or(config.total_timeout)
        .or(stream.then_some(DEFAULT_STREAM_TOTAL))
}

/// Attributes the request to the client key it presents and, when keys are required, refuses
/// it without a valid one (401 in the client's own format, recorded like any refusal).
fn admit_client(
    state: &AppState,
    config: &Config,
    headers: &HeaderMap,
    rec: &mut Recorder,
) -> Result<(), ProxyError> {
    let name =
        state
            .client_keys
            .admit(headers, &state.history, config.server.require_client_key)?;
    rec.row().client_key = name;
    Ok(())
}

/// Records a request refused before any provider was tried, and answers with the error.
async fn reject(api: ClientApi, rec: Recorder, err: ProxyError) -> Response {
    rec.finish(
        err.status().as_u16(),
        Outcome::Rejected,
        Some(err.to_string()),
    )
    .await;
    api.error_response(&err)
}

fn with_request_id(mut response: Response, id: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

fn parse<'a>(
    api: ClientApi,
    bytes: &'a Bytes,
    headers: &'a HeaderMap,
    query: Option<&'a str>,
    call: Option<GeminiCall>,
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
    let model = match (&call, body.get::<String>("model")) {
        (Some(call), _) => call.model.clone(),
        (None, Ok(Some(model))) if !model.trim().is_empty() => model,
        (None, Ok(_)) => {
            return Err(invalid(
                "You must provide a model parameter.".into(),
                "model",
            ));
        }
        (None, Err(e)) => return Err(invalid(e, "model")),
    };
    rec.row().requested_model = Some(model);
    let stream = match &call {
        Some(call) => call.stream,
        None => {
            api.streams()
                && body
                    .get::<Option<bool>>("stream")
                    .map_err(|e| invalid(e, "stream"))?
                    .flatten()
                    .unwrap_or(false)
        }
    };
    rec.row().stream = stream;
    let client_wants_usage = body
        .get::<serde_json::Value>("stream_options")
        .ok()
        .flatten()
        .and_then(|o| o.get("include_usage").and_then(serde_json::Value::as_bool))
        .unwrap_or(false);
    let required = match api {
        ClientApi::Chat | ClientApi::Messages | ClientApi::CountTokens => Some("messages"),
        ClientApi::Responses => Some("input"),
        ClientApi::Embeddings => Some("input"),
        ClientApi::Completions => Some("prompt"),
        ClientApi::GenerateContent => Some("contents"),
        // `contents`, or a whole `generateContentRequest`.
        ClientApi::GeminiCountTokens => None,
    };
    if let Some(field) = required.filter(|f| !body.has(f)) {
        return Err(invalid(
            format!("Missing required parameter: '{field}'."),
            field,
        ));
    }
    Ok(Inbound {
        api,
        body,
        bytes,
        body_bytes: bytes.clone(),
        stream,
        client_wants_usage,
        headers,
        query,
        decoded: OnceLock::new(),
        cache: None,
        route_timeouts: RouteTimeouts::default(),
        deadline: None,
        gemini: call,
    })
}

async fn route(
    state: &AppState,
    config: &Arc<Config>,
    mut inbound: Inbound<'_>,
    mut rec: Recorder,
) -> Response {
    let api = inbound.api;
    if state.is_paused() {
        let err = ProxyError::Unavailable(
            "Switchyard is paused. Resume it from the tray menu or the dashboard.".into(),
        );
        return reject(api, rec, err).await;
    }
    if !api.counts_tokens()
        && let Err(err) = state
            .budgets
            .admit(config.budgets.as_ref(), chrono::Utc::now())
    {
        // A used-up `block` budget: recorded like any refusal; SDKs must not retry it.
        let mut response = reject(api, rec, err).await;
        let no_retry = HeaderValue::from_static("false");
        response.headers_mut().insert("x-should-retry", no_retry);
        return response;
    }
    let model = rec.row().requested_model.clone().unwrap_or_default();
    let resolution = match config.resolve(&model) {
        Ok(resolution) => resolution,
        Err(why) => return reject(api, rec, unknown_model(config, &model, why)).await,
    };
    if let Resolution::Route(route) = &resolution {
        inbound.route_timeouts = route.timeouts;
    }
    let total = total_limit(config, &inbound.route_timeouts, inbound.stream);
    inbound.deadline = total.map(|total| rec.started() + total);
    let ttl = match cached::ttl(api, &inbound, &resolution) {
        Ok(ttl) => ttl,
        Err(err) => return reject(api, rec, err).await,
    };
    let Some(ttl) = ttl else {
        return try_targets(state, config, &inbound, &resolution, rec).await;
    };
    let key = cached::key(config, &inbound, &resolution);
    if let Some(hit) = state.cache.get(&key) {
        let response = cached::answer(config, &hit, rec).await;
        return cached::with_status(response, "hit");
    }
    inbound.cache = Some(CacheFill::new(&state.cache, key, ttl));
    let response = try_targets(state, config, &inbound, &resolution, rec).await;
    cached::with_status(response, "miss")
}

/// Tries the resolved model's targets in the routing strategy's order until one answers.
async fn try_targets(
    state: &AppState,
    config: &Arc<Config>,
    inbound: &Inbound<'_>,
    resolution: &Resolution<'_>,
    mut rec: Recorder,
) -> Response {
    rec.bill_walk_away(config.clone(), inbound.bytes.len());
    let api = inbound.api;
    let mut last_failure: Option<Failure> = None;
    let mut waited = Waited::default();
    for target in &state.routing.order(config, resolution) {
        let provider = &config.providers[target.provider];
        let step = Target {
            provider,
            model: &target.model,
        };
        match try_target(state, config, inbound, step, &mut rec, &mut waited).await {
            Next::Answer(response, mode) => {
                return answer(state, config, response, mode, inbound, rec).await;
            }
            Next::CountLocally => {
                return translated::count_tokens_locally(config, inbound, rec).await;
            }
            Next::Refused(err) => return reject(api, rec, err).await,
            Next::Failed(failure) => last_failure = Some(failure),
            Next::OutOfTime(err) => {
                last_failure = Some(Failure::Error(err));
                break;
            }
        }
    }
    give_up(state, config, inbound, rec, last_failure).await
}

/// One target of a route: a provider and the model it is asked for.
#[derive(Clone, Copy)]
struct Target<'a> {
    provider: &'a Arc<Provider>,
    model: &'a str,
}

/// What trying one target came to.
enum Next {
    /// An answer to relay: a success, or an error another target would not fix.
    Answer(reqwest::Response, Mode),
    /// A token count for a provider without a count endpoint: answered locally.
    CountLocally,
    /// The request cannot go to this provider at all (untranslatable): the client's mistake.
    Refused(ProxyError),
    /// This target failed; the next may not.
    Failed(Failure),
    /// The request's total time is up: no target is tried any more.
    OutOfTime(ProxyError),
}

/// Tries one target: its keys in turn when one is refused, and the same target again after a
/// pause while the failure is one that passes (the retry policy and the deadline allowing).
async fn try_target(
    state: &AppState,
    config: &Config,
    inbound: &Inbound<'_>,
    target: Target<'_>,
    rec: &mut Recorder,
    waited: &mut Waited,
) -> Next {
    let Target { provider, model } = target;
    rec.row().provider = Some(provider.id.clone());
    rec.row().upstream_model = Some(model.to_owned());
    let span = tracing::Span::current();
    span.record("provider", provider.id.as_str());
    span.record("model", model);
    let api = inbound.api;
    let passes = api.passes_through(provider.kind);
    if !passes && api.counts_tokens() {
        // No count_tokens upstream: answer locally (Claude Code's context meter needs it).
        return Next::CountLocally;
    }
    let failed = |rec: &mut Recorder, err: ProxyError| {
        push_failed_attempt(rec, provider, model, &err, Instant::now());
        err
    };
    if !passes && !api.translates() {
        let err = ProxyError::NotSupported(format!(
            "The {} endpoint reaches OpenAI-format providers only; provider '{}' is of kind '{}'.",
            api.inbound_api(),
            provider.id,
            provider.kind.as_str()
        ));
        return Next::Failed(Failure::Error(failed(rec, err)));
    }
    let mut retry = 0;
    let mut key_switches = 0;
    let tried = loop {
        let key = match state.keys.pick(provider).await {
            Ok(key) => key,
            Err(missing) => {
                let err = ProxyError::MissingKey(missing.explain());
                return Next::Failed(Failure::Error(failed(rec, err)));
            }
        };
        rec.row().key_last_four = key.as_ref().map(|k| k.secret.last_four());
        if inbound.out_of_time() {
            return Next::OutOfTime(failed(rec, out_of_time(config, inbound, provider)));
        }
        let secret = key.as_ref().map(|k| &k.secret);
        let effective = inbound.effective(provider);
        let tried = if passes {
            rec.row().warnings.clear();
            passthrough::attempt(state, &effective, model, inbound, secret, rec).await
        } else {
            translated::attempt(state, &effective, model, inbound, secret, rec).await
        };
        // A key refused or out of quota is set aside; another key of the same provider
        // is tried at once, before any backoff.
        if let Some(key) = &key
            && let Some(duration) = keys::set_aside_for(&tried)
            && state.keys.set_aside(&provider.id, key, duration)
            && key_switches + 1 < key.count()
        {
            key_switches += 1;
            continue;
        }
        let Tried::Retryable(failure) = tried else {
            break tried;
        };
        state.routing.failed(&provider.id, model, &config.retries);
        if !pause_before_retry(state, config, inbound, &failure, retry, waited).await {
            break Tried::Retryable(failure);
        }
        retry += 1;
    };
    match tried {
        Tried::Answer(response, mode) => {
            if response.status().is_success() {
                state.routing.succeeded(&provider.id, model);
            }
            Next::Answer(response, mode)
        }
        Tried::Retryable(failure) => Next::Failed(failure),
        Tried::Refused(err) => Next::Refused(err),
    }
}

/// Waits before trying the same target again, when the retry policy allows another try and
/// it would start before the request's deadline. False when it is time to move on (or the
/// gateway is shutting down).
async fn pause_before_retry(
    state: &AppState,
    config: &Config,
    inbound: &Inbound<'_>,
    failure: &Failure,
    retry: u32,
    waited: &mut Waited,
) -> bool {
    let hint = match failure {
        Failure::Status(response, _) => retries::provider_hint(response.headers()),
        Failure::Error(_) => None,
    };
    let Some(wait) = retries::next_wait(&config.retries, retry, hint, *waited)
        .filter(|wait| inbound.deadline.is_none_or(|d| Instant::now() + *wait < d))
    else {
        return false;
    };
    tracing::info!(
        retry = retry + 1,
        wait_ms = wait.as_millis() as u64,
        "retrying the same target after a pause"
    );
    let shutting_down = tokio::select! {
        () = tokio::time::sleep(wait) => false,
        () = state.abort.cancelled() => true,
    };
    waited.0 += wait;
    !shutting_down
}

/// Every target failed: the last failure is the answer (a provider's own error is relayed
/// as it came).
async fn give_up(
    state: &AppState,
    config: &Arc<Config>,
    inbound: &Inbound<'_>,
    rec: Recorder,
    last_failure: Option<Failure>,
) -> Response {
    let api = inbound.api;
    match last_failure {
        Some(Failure::Status(response, mode)) => {
            answer(state, config, response, mode, inbound, rec).await
        }
        Some(Failure::Error(err)) => {
            let outcome = if matches!(err, ProxyError::MissingKey(_) | ProxyError::NotSupported(_))
            {
                Outcome::Rejected
            } else {
                Outcome::UpstreamError
            };
            rec.finish(err.status().as_u16(), outcome, Some(err.to_string()))
                .await;
            api.error_response(&err)
        }
        None => {
            reject(
                api,
                rec,
                ProxyError::Internal("the route has no targets".into()),
            )
            .await
        }
    }
}

async fn answer(
    state: &AppState,
    config: &Arc<Config>,
    response: reqwest::Response,
    mode: Mode,
    inbound: &Inbound<'_>,
    rec: Recorder,
) -> Response {
    match mode {
        Mode::Passthrough { kind } => {
            passthrough::answer(state, config, response, kind, inbound, rec).await
        }
        Mode::Translated { kind, names } => {
            let response =
                translated::answer(state, config, response, kind, names, inbound, rec).await;
            match inbound.decoded() {
                Ok(decoded) => with_warnings(response, &decoded.warnings),
                Err(_) => response,
            }
        }
    }
}

/// `x-switchyard-warnings`: what translation left out, sentences joined by ` | ` (header
/// values are visible ASCII, so anything else becomes `?`).
fn with_warnings(mut response: Response, warnings: &[String]) -> Response {
    if warnings.is_empty() {
        return response;
    }
    let joined: String = warnings
        .join(" | ")
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .take(2048)
        .collect();
    if let Ok(value) = HeaderValue::from_str(&joined) {
        response
            .headers_mut()
            .insert("x-switchyard-warnings", value);
    }
    response
}

fn unknown_model(config: &Config, model: &str, why: ResolveError) -> ProxyError {
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
    ProxyError::ModelNotFound { message }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 15: a stream had no total limit unless one was configured.
    #[test]
    fn regression_a_stream_without_total_secs_still_ends_after_the_default() {
        let plain = crate::config::parse("").unwrap();
        let none = RouteTimeouts::default();
        assert_eq!(total_limit(&plain, &none, true), Some(DEFAULT_STREAM_TOTAL));
        assert_eq!(
            total_limit(&plain, &none, false),
            None,
            "whole answers: first_byte bounds them"
        );
        let configured = crate::config::parse("[timeouts]\ntotal_secs = 7200\n").unwrap();
        assert_eq!(
            total_limit(&configured, &none, true),
            Some(Duration::from_secs(7200)),
            "total_secs may allow longer"
        );
    }
}
