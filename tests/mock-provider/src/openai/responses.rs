//! `POST /v1/responses`: OpenAI's Responses API, the only wire format Codex
//! CLI speaks, as JSON and as SSE (`stream: true`); plus
//! `GET` and `DELETE /v1/responses/{id}` for stored responses.
//!
//! The request is checked as strictly as OpenAI checks it ([`request`],
//! then `history` for the rules that need the previous response or stored
//! items), the answer is planned deterministically (`plan`), written as a
//! response object (`object`) or as the documented event sequence
//! (`stream`), and kept in the server's `store` unless `store: false`, so
//! that `previous_response_id` works and unknown ids are rejected. Reasoning
//! items carry `encrypted_content` the mock can verify when it comes back
//! (`encrypted`). Scripted models (`error-<status>`, `slow-<ms>`,
//! `midstream-reset`, `midstream-error`) and the `mock` body field work as
//! on every other endpoint.
//!
//! [`stream_check`] and [`validate_request`] are public so that the
//! gateway's tests can hold their own Responses output and requests to the
//! same rules.

mod encrypted;
mod history;
mod object;
mod plan;
mod request;
mod store;
mod stream;
pub mod stream_check;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use bytes::Bytes;
use serde_json::{Value, json};

use self::object::{Draft, Echo};
use self::plan::{Planned, Reply};
use self::store::{Store, Stored};
use super::{ApiError, finish_json};
use crate::script::{Knobs, Script};
use crate::{AppState, Shared, ids};

/// The Responses routes, with the server's response store. The caller adds
/// the OpenAI guard.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/responses", post(create))
        .route("/v1/responses/{id}", get(retrieve).delete(delete))
        .layer(Extension(Store::default()))
}

/// Checks a `POST /v1/responses` body exactly as a freshly started mock
/// does, without a server: a translator's unit tests can assert their output
/// is accepted. A fresh mock has stored nothing, so a `previous_response_id`
/// or a reference to a stored item is rejected as unknown.
pub fn validate_request(body: &Value) -> Result<(), ApiError> {
    let request = request::check(body)?;
    history::check(&request, &Store::default()).map(|_| ())
}

/// A reasoning `encrypted_content` token this mock (any instance) accepts, carrying `text`:
/// what a replayed recording puts where the recorder left a placeholder for the token the
/// mock minted in that run.
pub fn reasoning_token(text: &str) -> String {
    encrypted::seal(text.as_bytes(), ids::fnv1a64(text.as_bytes()))
}

async fn create(
    State(state): State<AppState>,
    Extension(store): Extension<Store>,
    raw: Bytes,
) -> Response {
    match respond(&state, &store, &raw).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn respond(state: &Shared, store: &Store, raw: &Bytes) -> Result<Response, ApiError> {
    let body: Value = serde_json::from_slice(raw).map_err(|_| ApiError::unparseable_json())?;
    // Scripted models answer before the body is checked, as on every endpoint.
    if let Some(model) = body.get("model").and_then(Value::as_str) {
        match Script::from_model(model) {
            Script::Error(status) => return Err(ApiError::scripted(status, model)),
            Script::Slow(delay) => tokio::time::sleep(delay).await,
            _ => {}
        }
    }
    let request = request::check(&body)?;
    let script = Script::from_model(request.model);
    let previous = history::check(&request, store)?;
    let knobs = Knobs::from_body(&body);
    let reply = Reply::plan(
        &request,
        &knobs,
        state.next_seed(),
        previous.map_or(0, |p| p.context_tokens),
    );
    let draft = Draft {
        id: &reply.id,
        created_at: ids::unix_now(),
        model: request.model,
        echo: Echo::of(&body, &request),
    };
    let finished = draft.finished(&reply.items, reply.incomplete, reply.usage);
    // A response cut by a scripted failure never finished, so it is not kept.
    if request.store && !script.cuts_stream() {
        store.insert(
            reply.id.clone(),
            Stored {
                object: finished.clone(),
                context_tokens: reply.context_tokens,
                calls: reply.items.iter().filter_map(Planned::call).collect(),
                item_ids: reply.items.iter().map(|i| i.id().to_owned()).collect(),
            },
        );
    }
    if request.stream {
        Ok(stream::respond(
            &draft,
            &reply,
            &finished,
            request.obfuscation,
            script,
            &knobs,
        ))
    } else {
        Ok(finish_json(script, &finished))
    }
}

/// `GET /v1/responses/{id}`: a stored response.
async fn retrieve(Extension(store): Extension<Store>, Path(id): Path<String>) -> Response {
    match store.get(&id) {
        Some(stored) => Json(stored.object).into_response(),
        None => not_found(&id).into_response(),
    }
}

/// `DELETE /v1/responses/{id}`: forgets a stored response.
async fn delete(Extension(store): Extension<Store>, Path(id): Path<String>) -> Response {
    if store.remove(&id) {
        Json(json!({"id": id, "object": "response", "deleted": true})).into_response()
    } else {
        not_found(&id).into_response()
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        format!("Response with id '{id}' not found."),
    )
}
