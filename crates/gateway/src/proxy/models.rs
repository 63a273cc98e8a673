//! `GET /v1/models` in the three shapes clients expect (FIELD-NOTES): Codex CLI's
//! `{"models": [...]}` when `client_version` is in the query, Anthropic's list when an
//! `anthropic-version` header is sent, and OpenAI's `{"object": "list", "data": [...]}`
//! otherwise. The list is the route aliases plus every provider's listed models.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;

use crate::state::SharedState;

/// A fixed creation time: the models are configuration, not objects with a history.
const CREATED: i64 = 1_735_689_600; // 2025-01-01T00:00:00Z

pub async fn list(
    State(state): State<SharedState>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
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
