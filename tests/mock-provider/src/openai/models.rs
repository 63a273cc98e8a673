//! `GET /v1/models` and `GET /v1/models/{id}`, listing
//! [`crate::MockOptions::models`] or, when none are configured,
//! [`crate::DEFAULT_MODELS`]. Routed by [`crate::dialect`].

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;

use super::ApiError;
use crate::{AppState, DEFAULT_MODELS};

/// The `created` of every listed model (a fixed date keeps answers stable).
const CREATED: u64 = 1_704_067_200;

#[derive(Debug, Serialize)]
pub(crate) struct Model {
    id: String,
    object: &'static str,
    created: u64,
    owned_by: &'static str,
}

#[derive(Debug, Serialize)]
pub(crate) struct ModelList {
    object: &'static str,
    data: Vec<Model>,
}

fn model(id: &str) -> Model {
    Model {
        id: id.to_owned(),
        object: "model",
        created: CREATED,
        owned_by: "mock",
    }
}

pub(crate) async fn list(State(state): State<AppState>) -> Json<ModelList> {
    Json(ModelList {
        object: "list",
        data: state
            .listed_models(&DEFAULT_MODELS)
            .iter()
            .map(|id| model(id))
            .collect(),
    })
}

pub(crate) async fn retrieve(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Model>, ApiError> {
    if state.listed_models(&DEFAULT_MODELS).contains(&id) {
        Ok(Json(model(&id)))
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            format!("The model '{id}' does not exist"),
        )
        .param("model")
        .code("model_not_found"))
    }
}
