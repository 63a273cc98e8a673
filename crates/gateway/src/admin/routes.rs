//! Routes over the admin API: list, create or replace (targets in the order they are tried),
//! remove.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;

use super::edits;
use crate::config::edit::{self, RouteInput};
use crate::config::{Config, Route};
use crate::error::ProxyError;
use crate::state::SharedState;

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct RouteView {
    pub alias: String,
    /// `provider/model`, in the order the strategy starts from.
    pub targets: Vec<String>,
    pub strategy: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct RouteList {
    pub routes: Vec<RouteView>,
}

fn view(config: &Config, r: &Route) -> RouteView {
    RouteView {
        alias: r.alias.clone(),
        targets: r
            .targets
            .iter()
            .map(|(p, m)| format!("{}/{}", config.providers[*p].id, m))
            .collect(),
        strategy: r.strategy.as_str().to_owned(),
    }
}

pub async fn list(State(state): State<SharedState>) -> Json<RouteList> {
    let config = state.config.load_full();
    Json(RouteList {
        routes: config.routes.iter().map(|r| view(&config, r)).collect(),
    })
}

/// `PUT /api/routes/{alias}`: creates the route or replaces its targets and strategy.
pub async fn put(
    State(state): State<SharedState>,
    Path(alias): Path<String>,
    Json(mut input): Json<RouteInput>,
) -> Result<Json<RouteView>, ProxyError> {
    let alias = alias.trim().to_owned();
    if alias.is_empty() {
        return Err(ProxyError::InvalidRequest {
            message: "A route needs an alias: the model name clients will send.".into(),
            param: Some("alias".into()),
        });
    }
    input.targets = input
        .targets
        .iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    let config = edits::apply(&state, |text| edit::upsert_route(text, &alias, &input)).await?;
    config
        .routes
        .iter()
        .find(|r| r.alias == alias)
        .map(|r| Json(view(&config, r)))
        .ok_or_else(|| ProxyError::Internal("the saved route is missing".into()))
}

/// `DELETE /api/routes/{alias}`.
pub async fn remove(
    State(state): State<SharedState>,
    Path(alias): Path<String>,
) -> Result<StatusCode, ProxyError> {
    edits::apply(&state, |text| edit::remove_route(text, &alias)).await?;
    Ok(StatusCode::NO_CONTENT)
}
