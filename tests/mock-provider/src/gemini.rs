//! The Gemini mock: `models/{model}:generateContent`,
//! `:streamGenerateContent` (SSE with `?alt=sse`, else a streamed JSON
//! array), `:countTokens` and the model list, under `/v1beta` and under `/v1`
//! (where google-genai 3.6 calls), in the Gemini API's wire format.
//!
//! This mock exists to catch translation bugs, so it is as strict as the
//! real API: requests go through the proto-JSON parse (`proto`), then the
//! field and conversation rules (`rules`), Gemini 3 thought signatures
//! included (`signature`), and every failure has Google's error body
//! ([`GoogleError`]). The answer is decided in `answer`, written in
//! `response` and streamed in `stream`; token arithmetic is in `tokens`.
//!
//! This file holds the transport: routes, the API key check (`x-goog-api-key`
//! or `?key=`), query parameters, the headers Google's front end adds, and
//! the common start of every POST (JSON, scripted model names, `mock`).
//! Scripted names work as in [`crate::script`], plus `blocked` and `unsafe`.

mod answer;
mod error;
mod models;
mod proto;
mod response;
mod rules;
mod signature;
mod stream;
mod tokens;

pub use error::GoogleError;
pub use models::DEFAULT_GEMINI_MODELS;
pub use tokens::THOUGHT_TOKENS;

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use self::answer::Plan;
use self::response::Meta;
use self::stream::Framing;
use crate::script::{Knobs, Script};
use crate::{AppState, MockOptions, Shared, ids};

/// The OpenAI mock serves `GET /v1/models/{id}` on this exact path; Gemini's
/// `POST /v1/models/{model}:{method}` must use the same one so axum merges
/// the two methods instead of refusing overlapping routes.
const V1_MODEL_PATH: &str = "/v1/models/{*id}";

/// Query parameters every Google API accepts besides its own.
const SYSTEM_PARAMETERS: [&str; 11] = [
    "key",
    "alt",
    "$alt",
    "fields",
    "prettyPrint",
    "quotaUser",
    "callback",
    "access_token",
    "upload_protocol",
    "uploadType",
    "$.xgafv",
];

/// The Gemini endpoints. Each handler checks the API key itself, so that a
/// POST to `/v1/models/{id}` without a Gemini method still gets the OpenAI
/// mock's answer.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1beta/models", get(list))
        .route("/v1beta/models/{*id}", get(retrieve).post(call_v1beta))
        .route(V1_MODEL_PATH, post(call_v1))
        .layer(from_fn(google_headers))
}

/// What a `models/{model}:{method}` path asks for.
#[derive(Debug)]
struct Target<'a> {
    model: &'a str,
    method: GeminiMethod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GeminiMethod {
    Generate,
    Stream(Framing),
    CountTokens,
}

impl GeminiMethod {
    fn name(self) -> &'static str {
        match self {
            GeminiMethod::Generate => "generateContent",
            GeminiMethod::Stream(_) => "streamGenerateContent",
            GeminiMethod::CountTokens => "countTokens",
        }
    }
}

/// The query string, as ordered pairs.
#[derive(Debug)]
struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Rejects parameters that are neither system ones nor in `own`.
    fn check(&self, own: &[&str]) -> Result<(), GoogleError> {
        match self
            .0
            .iter()
            .find(|(k, _)| !SYSTEM_PARAMETERS.contains(&k.as_str()) && !own.contains(&k.as_str()))
        {
            Some((key, _)) => Err(GoogleError::invalid_argument(format!(
                "Invalid JSON payload received. Unknown name \"{key}\": Cannot bind query \
                 parameter. Field '{key}' could not be found in request message."
            ))),
            None => Ok(()),
        }
    }
}

/// `x-goog-api-key` (preferred) or `?key=` must be the configured key.
fn authorize(
    options: &MockOptions,
    headers: &HeaderMap,
    params: &Params,
) -> Result<(), GoogleError> {
    let Some(expected) = options.api_key.as_deref() else {
        return Ok(());
    };
    let provided = headers
        .get("x-goog-api-key")
        .and_then(|v| v.to_str().ok())
        .or_else(|| params.get("key"));
    match provided {
        Some(key) if key == expected => Ok(()),
        Some(_) => Err(GoogleError::api_key_invalid()),
        None => Err(GoogleError::api_key_missing()),
    }
}

/// Adds the headers Google's front end sends with every answer.
async fn google_headers(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        ("server", "scaffolding on HTTPServer2"),
        ("vary", "Origin, X-Origin, Referer"),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "SAMEORIGIN"),
        ("x-xss-protection", "0"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    let millis = started.elapsed().as_millis();
    if let Ok(value) = HeaderValue::from_str(&format!("gfet4t7; dur={millis}")) {
        headers.insert("server-timing", value);
    }
    response
}

/// A pretty-printed JSON body, as Google writes every non-streamed answer.
pub(crate) fn pretty_json<T: Serialize>(value: &T) -> Response {
    let body = serde_json::to_vec_pretty(value).unwrap_or_default();
    let mut response = Response::new(axum::body::Body::from(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    response
}

/// A non-streamed answer; `midstream-reset` cuts it halfway through the
/// body and `midstream-error` turns it into a 500.
fn finish_json<T: Serialize>(script: Script, answer: &T) -> Response {
    match script {
        Script::MidstreamReset => {
            let json = serde_json::to_vec_pretty(answer).unwrap_or_default();
            let half = json.len() / 2;
            let events = vec![
                crate::sse::Event::Frame(Bytes::from(json).slice(..half)),
                crate::sse::Event::Reset,
            ];
            let mut response = Response::new(crate::sse::body(events, Duration::ZERO));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=UTF-8"),
            );
            response
        }
        Script::MidstreamError => GoogleError::internal().into_response(),
        _ => pretty_json(answer),
    }
}

fn into_response(result: Result<Response, GoogleError>) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `GET /v1beta/models`.
async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let params = Params(params);
    into_response((|| {
        authorize(&state.options, &headers, &params)?;
        params.check(&["pageSize", "pageToken"])?;
        let page = models::list(
            &state.options,
            params.get("pageSize"),
            params.get("pageToken"),
        )?;
        Ok(pretty_json(&page))
    })())
}

/// `GET /v1beta/models/{model}`.
async fn retrieve(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let params = Params(params);
    into_response((|| {
        authorize(&state.options, &headers, &params)?;
        params.check(&[])?;
        if id.contains(':') {
            return Err(GoogleError::not_found("Method"));
        }
        Ok(pretty_json(&models::get(&state.options, &id, "v1beta")?))
    })())
}

/// `POST /v1beta/models/{model}:{method}`.
async fn call_v1beta(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
    raw: Bytes,
) -> Response {
    into_response(call(&state, "v1beta", &id, &headers, &Params(params), &raw).await)
}

/// `POST /v1/models/{model}:{method}`; without a method the path is the
/// OpenAI mock's, which only knows `GET` there.
async fn call_v1(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
    raw: Bytes,
) -> Response {
    if !id.contains(':') {
        return crate::openai::method_not_allowed(Method::POST, uri)
            .await
            .into_response();
    }
    into_response(call(&state, "v1", &id, &headers, &Params(params), &raw).await)
}

/// Auth, path, body, script; then the method.
async fn call(
    state: &Shared,
    version: &'static str,
    id: &str,
    headers: &HeaderMap,
    params: &Params,
    raw: &Bytes,
) -> Result<Response, GoogleError> {
    authorize(&state.options, headers, params)?;
    params.check(&[])?;
    let target = target(version, id, params)?;
    let body = parse_body(raw)?;
    let script = Script::from_model(target.model);
    match script {
        Script::Error(status) => {
            return Err(GoogleError::scripted(
                status,
                target.model,
                version,
                target.method.name(),
            ));
        }
        Script::Slow(delay) => tokio::time::sleep(delay).await,
        _ => {}
    }
    let knobs = Knobs::from_body(&body);
    // `mock` is the test's knob, not part of Gemini's request.
    let mut request = body.clone();
    if let Some(object) = request.as_object_mut() {
        object.remove("mock");
    }
    match target.method {
        GeminiMethod::CountTokens => count_tokens(&request, &body, version, script),
        GeminiMethod::Generate | GeminiMethod::Stream(_) => {
            proto::check(&request, &proto::GENERATE_CONTENT_REQUEST, version)?;
            rules::check_fields(&request, "GenerateContentRequest")?;
            let signs = target.model.starts_with("gemini-3");
            rules::check_conversation(rules::items(&request, "contents"), signs)?;
            let seed = state.next_seed();
            let plan = Plan::new(&body, target.model, &knobs, seed);
            let meta = Meta {
                model_version: target.model.to_owned(),
                response_id: ids::alnum(seed, 23),
            };
            Ok(match target.method {
                GeminiMethod::Stream(framing) => stream::respond(
                    framing,
                    script,
                    &response::chunks(&plan, &meta),
                    knobs.interval,
                ),
                _ => finish_json(script, &response::full(&plan, &meta)),
            })
        }
    }
}

/// `{model}:{method}` → what to do; `?alt=sse` picks SSE framing.
fn target<'a>(
    version: &'static str,
    id: &'a str,
    params: &Params,
) -> Result<Target<'a>, GoogleError> {
    let Some((model, method)) = id.rsplit_once(':') else {
        return Err(GoogleError::not_found("Method"));
    };
    let method = match method {
        "generateContent" => GeminiMethod::Generate,
        "streamGenerateContent" => {
            let alt = params.get("alt").or_else(|| params.get("$alt"));
            GeminiMethod::Stream(if alt == Some("sse") {
                Framing::Sse
            } else {
                Framing::JsonArray
            })
        }
        "countTokens" => GeminiMethod::CountTokens,
        _ => return Err(GoogleError::not_found("Method")),
    };
    if model.is_empty() || model.contains('/') {
        return Err(GoogleError::new(
            StatusCode::NOT_FOUND,
            format!(
                "models/{model} is not found for API version {version}, or is not supported for \
                 {}. Call ListModels to see the list of available models and their supported \
                 methods.",
                method.name()
            ),
        ));
    }
    Ok(Target { model, method })
}

/// The JSON body; an empty body is an empty request, as for Google.
fn parse_body(raw: &Bytes) -> Result<Value, GoogleError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    let body: Value = serde_json::from_slice(raw)
        .map_err(|_| GoogleError::unparseable_json("Unexpected token."))?;
    if !body.is_object() {
        return Err(GoogleError::unparseable_json(
            "Unknown name \"\": Root element must be a message.",
        ));
    }
    Ok(body)
}

/// `:countTokens`: `contents`, or a whole `generateContentRequest`, counted
/// as `generateContent` would count its prompt.
fn count_tokens(
    request: &Value,
    body: &Value,
    version: &str,
    script: Script,
) -> Result<Response, GoogleError> {
    proto::check(request, &proto::COUNT_TOKENS_REQUEST, version)?;
    let inner = rules::field(request, "generate_content_request");
    let counted = match inner {
        Some(_) if !rules::items(request, "contents").is_empty() => {
            return Err(GoogleError::invalid_argument(
                "* CountTokensRequest.contents: contents and generate_content_request are \
                 mutually exclusive.\n",
            ));
        }
        Some(inner) => {
            rules::check_fields(inner, "CountTokensRequest.generate_content_request")?;
            inner
        }
        None => {
            rules::check_fields(request, "CountTokensRequest")?;
            request
        }
    };
    rules::check_conversation(rules::items(counted, "contents"), false)?;
    let pins = tokens::UsagePins::from_body(body);
    Ok(finish_json(script, &tokens::count(counted, &pins)))
}
