//! Cross-format traffic: the client's request goes through the canonical model into the
//! provider's format, and the answer (whole, streamed, or an error) comes back the same way.
//!
//! The provider side (encoder, decoders, URL, headers) is the provider kind's adapter
//! ([`crate::providers`]); the client side is decided here by an exhaustive match on the client
//! API, so adding a client format is a compile error until it is handled.

use std::sync::Arc;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::Value;
use switchyard_protocol::Usage;
use switchyard_protocol::canonical::{
    ChatResponse, Destination, StreamEncoder, ToolNames, TranslateError,
};
use switchyard_protocol::{anthropic, gemini, openai_chat, openai_responses};

use super::accounting::{account, decorate};
use super::call::{self, UpstreamRequest, base_headers, wants_stream_usage};
use super::client::ClientApi;
use super::estimate::InputEstimate;
use super::inbound::{Decoded, Inbound, Mode, Tried};
use super::passthrough::read_answer;
use super::pipe::{JsonArray, Pipe, Translate};
use super::recorder::Recorder;
use super::sse::{RelayParts, relay};
use crate::cache::CachedBody;
use crate::config::{Config, Provider, ProviderKind};
use crate::error::ProxyError;
use crate::history::Outcome;
use crate::secrets::Secret;
use crate::state::AppState;

fn refused(err: &TranslateError) -> ProxyError {
    ProxyError::InvalidRequest {
        message: err.message.clone(),
        param: err.param.clone(),
    }
}

/// A request this provider cannot be sent, naming the provider it was routed to.
fn refused_by(err: &TranslateError, provider: &Provider) -> ProxyError {
    ProxyError::InvalidRequest {
        message: format!(
            "{} (the model is routed to provider '{}', kind '{}')",
            err.message,
            provider.id,
            provider.kind.as_str()
        ),
        param: err.param.clone(),
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
    let decoded = match inbound.decoded() {
        Ok(decoded) => decoded,
        Err(err) => return Tried::Refused(refused_by(err, provider)),
    };
    rec.row().warnings.clone_from(&decoded.warnings);
    let adapter = provider.kind.adapter();
    let url = crate::upstream::url(provider, &adapter.chat_path(model, inbound.stream));
    // Betas the client sent were meant for its own provider: none go on.
    let headers = base_headers(provider, key);
    let asks_usage =
        adapter.asks_stream_usage() && inbound.stream && wants_stream_usage(state, provider);
    // Encoded once for every retry of this target, straight from the decoded request (the
    // target's model and stream flag are passed beside it, not set on a copy). Only a provider
    // that turns out to reject `stream_options` costs a second encoding.
    let destination = |stream_usage| Destination {
        model,
        stream: inbound.stream,
        stream_usage,
    };
    let mut names = ToolNames::default();
    let first = match adapter.encode_request(&decoded.request, destination(asks_usage), &mut names)
    {
        Ok(body) => body,
        Err(err) => return Tried::Refused(refused_by(&err, provider)),
    };
    let make_body = |ask: bool| {
        if ask == asks_usage {
            return first.clone();
        }
        adapter
            .encode_request(
                &decoded.request,
                destination(ask),
                &mut ToolNames::default(),
            )
            .unwrap_or_default()
    };
    let request = UpstreamRequest {
        provider,
        model,
        url,
        headers,
        body: make_body,
        ask_usage: asks_usage,
        mode: Mode::Translated {
            kind: provider.kind,
            names,
        },
    };
    call::call(state, request, rec).await
}

/// Ids the client sees: its format's prefix on the history id.
fn client_id(api: ClientApi, rec: &Recorder) -> String {
    let id = rec.id().replace('-', "");
    match api {
        ClientApi::Messages | ClientApi::CountTokens => format!("msg_{id}"),
        ClientApi::Responses => format!("resp_{id}"),
        ClientApi::GenerateContent | ClientApi::GeminiCountTokens => id,
        _ => format!("chatcmpl-{id}"),
    }
}

/// The prompt's size for a stream's row if the provider reports none. An Anthropic client
/// needs it anyway (its `message_start` states input tokens), so it is worked out once; for
/// the others only when needed.
fn input_estimate(api: ClientApi, decoded: &Arc<Decoded>) -> InputEstimate {
    match api {
        ClientApi::Messages | ClientApi::CountTokens => {
            InputEstimate::Known(anthropic::count_tokens_estimate(&decoded.request))
        }
        _ => {
            let decoded = decoded.clone();
            InputEstimate::Later(Box::new(move || {
                anthropic::count_tokens_estimate(&decoded.request)
            }))
        }
    }
}

fn client_encoder(
    api: ClientApi,
    decoded: &Decoded,
    id: String,
    model: String,
    include_usage: bool,
    input: &InputEstimate,
) -> Box<dyn StreamEncoder> {
    match api {
        ClientApi::Messages | ClientApi::CountTokens => {
            Box::new(anthropic::Encoder::new(&id, &model, input.tokens()))
        }
        ClientApi::Responses => Box::new(openai_responses::Encoder::new(
            &id,
            &model,
            decoded.responses.clone().unwrap_or_default(),
        )),
        ClientApi::GenerateContent | ClientApi::GeminiCountTokens => {
            Box::new(gemini::ClientEncoder::new(&id, &model))
        }
        ClientApi::Chat | ClientApi::Completions | ClientApi::Embeddings => {
            Box::new(openai_chat::Encoder::new(id, model, include_usage))
        }
    }
}

fn encode_response(
    api: ClientApi,
    decoded: &Decoded,
    response: &ChatResponse,
    names: &ToolNames,
) -> Value {
    match api {
        ClientApi::Messages | ClientApi::CountTokens => anthropic::encode_response(response, names),
        ClientApi::Responses => openai_responses::encode_response(
            response,
            names,
            &decoded.responses.clone().unwrap_or_default(),
        ),
        ClientApi::GenerateContent | ClientApi::GeminiCountTokens => {
            gemini::encode_client_response(response, names)
        }
        ClientApi::Chat | ClientApi::Completions | ClientApi::Embeddings => {
            openai_chat::encode_response(response, names)
        }
    }
}

pub async fn answer(
    state: &AppState,
    config: &Arc<Config>,
    response: reqwest::Response,
    kind: ProviderKind,
    names: ToolNames,
    inbound: &Inbound<'_>,
    mut rec: Recorder,
) -> Response {
    let api = inbound.api;
    let Ok(decoded) = inbound.decoded() else {
        let err = ProxyError::Internal("the request was answered without being decoded".into());
        rec.finish(500, Outcome::Rejected, Some(err.to_string()))
            .await;
        return api.error_response(&err);
    };
    let status = response.status();
    let model = rec.row().upstream_model.clone().unwrap_or_default();
    if inbound.stream && status.is_success() {
        let input_estimate = input_estimate(api, decoded);
        let encoder = client_encoder(
            api,
            decoded,
            client_id(api, &rec),
            model,
            inbound.client_wants_usage,
            &input_estimate,
        );
        let pipe: Box<dyn Pipe> = Box::new(Translate::new(
            kind.adapter().stream_decoder(names),
            encoder,
        ));
        let pipe = JsonArray::wrap_unless_sse(pipe, inbound.json_array_stream());
        let parts = RelayParts {
            config: config.clone(),
            abort: state.abort.clone(),
            pipe,
            input_estimate,
            cache: inbound.cache.clone(),
            idle: inbound.route_timeouts.idle,
            deadline: inbound.deadline,
        };
        return relay(response, parts, rec);
    }
    let (bytes, mut rec) = match read_answer(config, response, rec, inbound).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    if !status.is_success() {
        let error = kind.adapter().decode_error(status.as_u16(), &bytes);
        let message =
            crate::secrets::redact(&format!("provider answered {status}: {}", error.message))
                .into_owned();
        rec.finish(status.as_u16(), Outcome::UpstreamError, Some(message))
            .await;
        return api.api_error_response(&error);
    }
    let decoded_answer = match kind.adapter().decode_response(&bytes, &names) {
        Ok(answer) => answer,
        Err(e) => {
            let err = ProxyError::UpstreamUnreachable {
                provider: rec.row().provider.clone().unwrap_or_default(),
                detail: format!("its answer could not be read: {}", e.message),
            };
            rec.finish(502, Outcome::UpstreamError, Some(err.to_string()))
                .await;
            return api.error_response(&err);
        }
    };
    account(config, rec.row(), Some(decoded_answer.usage), || (0, 0));
    let cost = rec.row().cost_usd;
    let body = encode_response(api, decoded, &decoded_answer, &names);
    let provider = rec.row().provider.clone();
    rec.finish(200, Outcome::Ok, None).await;
    if let Some(fill) = &inbound.cache {
        fill.store(
            provider.as_deref().unwrap_or_default(),
            &model,
            HeaderValue::from_static("application/json"),
            CachedBody::Whole(Bytes::from(body.to_string())),
        );
    }
    json_response(
        StatusCode::OK,
        &body,
        provider.as_deref(),
        Some(&model),
        cost,
    )
}

/// `POST /v1/messages/count_tokens` for a provider without such an endpoint: a careful local
/// estimate, so Claude Code's context meter keeps working. Not billed: the row has no tokens.
pub async fn count_tokens_locally(
    config: &Config,
    inbound: &Inbound<'_>,
    mut rec: Recorder,
) -> Response {
    let decoded = match inbound.decoded() {
        Ok(decoded) => decoded,
        Err(err) => {
            let err = refused(err);
            rec.finish(400, Outcome::Rejected, Some(err.to_string()))
                .await;
            return inbound.api.error_response(&err);
        }
    };
    let count = anthropic::count_tokens_estimate(&decoded.request);
    account(config, rec.row(), Some(Usage::default()), || (0, 0));
    rec.row().usage_estimated = true;
    let provider = rec.row().provider.clone();
    let model = rec.row().upstream_model.clone();
    rec.finish(200, Outcome::Ok, None).await;
    let body = if inbound.api.speaks_gemini() {
        gemini::encode_count_tokens(count)
    } else {
        anthropic::encode_count_tokens(count)
    };
    json_response(
        StatusCode::OK,
        &body,
        provider.as_deref(),
        model.as_deref(),
        None,
    )
}

fn json_response(
    status: StatusCode,
    body: &Value,
    provider: Option<&str>,
    model: Option<&str>,
    cost: Option<f64>,
) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    decorate(response.headers_mut(), provider, model, cost);
    response
}
