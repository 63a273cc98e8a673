//! `GET /v1/models` in the four shapes clients expect: Codex CLI's `{"models": [...]}` when
//! `client_version` is in the query, Anthropic's list when an `anthropic-version` header is
//! sent, Google's `{"models": [{"name": "models/…"}]}` when a Gemini key (`x-goog-api-key`,
//! `?key=`) is, and OpenAI's `{"object": "list", "data": [...]}` otherwise. The list is the
//! route aliases plus every provider's listed models.
//!
//! The lists obey client keys like the calls do: with `require_client_key = true`, a client
//! without an issued key learns nothing about the configuration (401 in its own format).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;

use switchyard_protocol::gemini;

use super::client::ClientApi;
use crate::error::ProxyError;
use crate::state::{AppState, SharedState};

/// A fixed creation time: the models are configuration, not objects with a history.
const CREATED: i64 = 1_735_689_600; // 2025-01-01T00:00:00Z

pub async fn list(
    State(state): State<SharedState>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let api = if speaks_gemini(&headers, &query) {
        ClientApi::GenerateContent
    } else if headers.contains_key("anthropic-version") {
        ClientApi::Messages
    } else {
        ClientApi::Chat
    };
    if let Err(err) = admit(&state, &headers, &query) {
        return api.error_response(&err);
    }
    if api == ClientApi::GenerateContent {
        return gemini_models(&state);
    }
    let config = state.config.load();
    let models = config.listed_models();
    if query.contains_key("client_version") {
        let items: Vec<Value> = models
            .iter()
            .enumerate()
            .map(|(i, m)| {
                json!({
                    "slug": m.id, "display_name": m.id, "description": format!("via {}", m.owned_by),
                    "visibility": "list", "supported_in_api": true, "priority": i,
                    "shell_type": "shell_command", "supported_reasoning_levels": [],
                })
            })
            .collect();
        return Json(json!({ "models": items })).into_response();
    }
    if headers.contains_key("anthropic-version") {
        let items: Vec<Value> = models
            .iter()
            .map(|m| json!({"type": "model", "id": m.id, "display_name": m.id, "created_at": "2025-01-01T00:00:00Z"}))
            .collect();
        let first = models.first().map(|m| m.id.clone());
        let last = models.last().map(|m| m.id.clone());
        return Json(json!({"data": items, "has_more": false, "first_id": first, "last_id": last}))
            .into_response();
    }
    let items: Vec<Value> = models
        .iter()
        .map(|m| json!({"id": m.id, "object": "model", "created": CREATED, "owned_by": m.owned_by}))
        .collect();
    Json(json!({"object": "list", "data": items})).into_response()
}

/// Refuses a client without an issued key when keys are required. Google's `?key=` counts
/// as the `x-goog-api-key` it stands for.
fn admit(
    state: &AppState,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
) -> Result<(), ProxyError> {
    let required = state.config.load().server.require_client_key;
    if !required {
        return Ok(());
    }
    let mut headers = headers.clone();
    if let Some(key) = query.get("key")
        && !headers.contains_key("x-goog-api-key")
        && let Ok(value) = axum::http::HeaderValue::from_str(key)
    {
        headers.insert("x-goog-api-key", value);
    }
    state
        .client_keys
        .admit(&headers, &state.history, required)
        .map(|_| ())
}

/// Google's clients send their key as `x-goog-api-key` or `?key=`, and nothing else does.
fn speaks_gemini(headers: &HeaderMap, query: &HashMap<String, String>) -> bool {
    headers.contains_key("x-goog-api-key") || query.contains_key("key")
}

/// `GET /v1beta/models` (and `/v1/models` from a Gemini client): the same models in Google's
/// shape, `{"models": [{"name": "models/…", …}]}`.
pub async fn gemini_list(
    State(state): State<SharedState>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Err(err) = admit(&state, &headers, &query) {
        return ClientApi::GenerateContent.error_response(&err);
    }
    gemini_models(&state)
}

fn gemini_models(state: &AppState) -> Response {
    let config = state.config.load();
    let items: Vec<Value> = config
        .listed_models()
        .iter()
        .map(|m| gemini::model_entry(&m.id, &m.id))
        .collect();
    Json(json!({ "models": items })).into_response()
}

/// `GET /v1beta/models/{model}`: one model in Google's shape; any name the gateway can
/// route is a model (a client may name a provider's model that is not listed).
pub async fn gemini_one(
    State(state): State<SharedState>,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Err(err) = admit(&state, &headers, &query) {
        return ClientApi::GenerateContent.error_response(&err);
    }
    gemini_model(&state, &name)
}

fn gemini_model(state: &AppState, name: &str) -> Response {
    let name = name.strip_prefix("models/").unwrap_or(name).to_owned();
    if state.config.load().resolve(&name).is_err() {
        let err = ProxyError::ModelNotFound {
            message: format!(
                "models/{name} is not found: it is no route alias, provider/model or listed model."
            ),
        };
        return ClientApi::GenerateContent.error_response(&err);
    }
    Json(gemini::model_entry(&name, &name)).into_response()
}

/// `GET /v1/models/{model}`: OpenAI's model object, or Google's from a Gemini client.
pub async fn one(
    State(state): State<SharedState>,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let gemini = speaks_gemini(&headers, &query);
    if let Err(err) = admit(&state, &headers, &query) {
        let api = if gemini {
            ClientApi::GenerateContent
        } else {
            ClientApi::Chat
        };
        return api.error_response(&err);
    }
    if gemini {
        return gemini_model(&state, &name);
    }
    let config = state.config.load();
    match config.listed_models().into_iter().find(|m| m.id == name) {
        Some(m) => {
            Json(json!({"id": m.id, "object": "model", "created": CREATED, "owned_by": m.owned_by}))
                .into_response()
        }
        None if config.resolve(&name).is_ok() => Json(
            json!({"id": name, "object": "model", "created": CREATED, "owned_by": "switchyard"}),
        )
        .into_response(),
        None => ProxyError::ModelNotFound {
            message: format!("The model '{name}' does not exist in Switchyard's configuration."),
        }
        .into_response(),
    }
}
