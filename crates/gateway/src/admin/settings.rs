//! The settings page over the admin API: listen address, request and body limits, history
//! retention and budgets. A new listen address is written to the file but takes a restart;
//! the answer says so.

use axum::Json;
use axum::extract::State;

use super::edits;
use crate::config::edit::{self, BudgetSettings, Settings};
use crate::config::{BudgetAction, Config};
use crate::error::ProxyError;
use crate::state::SharedState;

pub async fn get(State(state): State<SharedState>) -> Json<Settings> {
    Json(settings(&state, &state.config.load()))
}

pub async fn put(
    State(state): State<SharedState>,
    Json(mut input): Json<Settings>,
) -> Result<Json<Settings>, ProxyError> {
    input.listen = input.listen.trim().to_owned();
    if let Some(b) = &input.budgets
        && b.action != "warn"
        && b.action != "block"
    {
        return Err(ProxyError::InvalidRequest {
            message: format!(
                "The budget action is 'warn' or 'block', not '{}'.",
                b.action
            ),
            param: Some("action".into()),
        });
    }
    let config = edits::apply(&state, |text| edit::set_settings(text, &input)).await?;
    Ok(Json(settings(&state, &config)))
}

fn settings(state: &SharedState, config: &Config) -> Settings {
    Settings {
        listen: config.server.listen.to_string(),
        max_body_mb: (config.server.max_body_bytes / (1024 * 1024)) as u32,
        store_bodies: config.logging.store_bodies,
        retention_days: config.logging.retention_days,
        retention_max_mb: config.logging.retention_max_mb,
        max_stored_body_kb: (config.logging.max_stored_body_bytes / 1024) as u32,
        budgets: config.budgets.as_ref().map(|b| BudgetSettings {
            daily_usd: b.daily_usd,
            monthly_usd: b.monthly_usd,
            action: match b.action {
                BudgetAction::Warn => "warn",
                BudgetAction::Block => "block",
            }
            .to_owned(),
        }),
        restart_required: config.server.listen != state.listen_configured,
    }
}
