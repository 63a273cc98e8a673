//! `GET /api/budgets` (limits, spend, reset times) and `GET /api/costs/what-if` (the history
//! re-priced on another model). Thin: the figures come from [`crate::budgets`] and
//! [`crate::pricing::what_if`].

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

use super::params::{Params, bad, filter_from};
use crate::error::ProxyError;
use crate::history::costs;
use crate::history::query::Filter;
use crate::pricing::{self, what_if};
use crate::state::SharedState;

pub async fn status(State(state): State<SharedState>) -> Json<crate::budgets::BudgetStatus> {
    let config = state.config.load();
    Json(
        state
            .budgets
            .status(config.budgets.as_ref(), chrono::Utc::now()),
    )
}

/// `?model=X&since&until`: what the period would have cost on `X`.
pub async fn what_if(
    State(state): State<SharedState>,
    Query(params): Params,
) -> Result<Response, ProxyError> {
    let model = params
        .get("model")
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
        .ok_or_else(|| {
            bad(
                "model is required, e.g. ?model=gpt-4.1-mini".into(),
                "model",
            )
        })?;
    let config = state.config.load_full();
    let target = pricing::lookup_named(&config, &model).ok_or_else(|| {
        bad(
            format!(
                "No price is known for '{model}'. Add one under [prices.\"{model}\"] in the config, or import a price file."
            ),
            "model",
        )
    })?;
    let parsed = filter_from(&params)?;
    let filter = Filter {
        since_ms: parsed.since_ms,
        until_ms: parsed.until_ms,
        ..Filter::default()
    };
    let long_above = target.price.long.map(|long| long.above);
    let usage = state
        .history
        .read(move |c| costs::what_if_usage(c, &filter, long_above))
        .await
        .map_err(|e| ProxyError::Internal(e.to_string()))?;
    let answer = what_if::reprice(
        &model,
        &target,
        params.get("since").cloned(),
        params.get("until").cloned(),
        &usage,
    );
    Ok(Json(answer).into_response())
}
