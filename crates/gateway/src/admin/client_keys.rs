//! Client keys over the admin API: issue (the key is in that answer only), list, rename and
//! revoke. See [`crate::client_keys`] for what they are for.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::error::ProxyError;
use crate::history::client_keys::ClientKeyView;
use crate::state::SharedState;

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ClientKeyList {
    pub keys: Vec<ClientKeyView>,
}

/// The answer to issuing a key: the only time the key itself is shown.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct IssuedClientKey {
    #[serde(flatten)]
    pub view: ClientKeyView,
    /// Give this to the client now: Switchyard keeps only its hash.
    pub key: String,
}

/// Issue or rename: the key's name.
#[derive(Debug, Clone, PartialEq, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct ClientKeyInput {
    pub name: String,
}

pub async fn list(State(state): State<SharedState>) -> Result<Json<ClientKeyList>, ProxyError> {
    let keys = state.client_keys.list(&state.history).await?;
    Ok(Json(ClientKeyList { keys }))
}

pub async fn issue(
    State(state): State<SharedState>,
    Json(input): Json<ClientKeyInput>,
) -> Result<(StatusCode, Json<IssuedClientKey>), ProxyError> {
    let issued = state.client_keys.issue(&state.history, &input.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedClientKey {
            view: issued.view,
            key: issued.key.expose().to_owned(),
        }),
    ))
}

pub async fn rename(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    Json(input): Json<ClientKeyInput>,
) -> Result<Json<ClientKeyView>, ProxyError> {
    let view = state
        .client_keys
        .rename(&state.history, &id, &input.name)
        .await?;
    Ok(Json(view))
}

pub async fn revoke(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ProxyError> {
    state.client_keys.revoke(&state.history, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
