//! Prices over the admin API: the effective price of every model Switchyard knows of, with
//! where it comes from, and the `[prices]` overrides to add, change or remove.
//!
//! "Knows of" means what a user would look for: models the providers list, route targets,
//! models that answered in the last 30 days, then the rest of the built-in table. Each is
//! priced by the same lookup a request uses ([`crate::pricing::lookup`]), so the page shows
//! exactly what the next request will be charged.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;

use super::edits;
use crate::config::Config;
use crate::config::edit::{self, PriceInput};
use crate::error::ProxyError;
use crate::history::query;
use crate::pricing::{self, Priced, builtin};
use crate::state::SharedState;

const SEEN_DAYS: i64 = 30;

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct PriceList {
    pub models: Vec<EffectivePrice>,
    pub overrides: Vec<PriceOverride>,
    /// Models in an imported price file, if one was imported.
    pub imported_models: Option<u64>,
    /// Its format: `LiteLLM` or `models.dev`.
    pub imported_format: Option<String>,
    pub builtin: Vec<BuiltinSection>,
}

/// The price a request for `model` at `provider` would be charged, USD per million tokens.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct EffectivePrice {
    /// `provider/model`, or the table's own name for built-in entries no provider lists.
    pub model: String,
    pub provider: Option<String>,
    /// Listed by a provider, a route target, or used in the last 30 days.
    pub in_use: bool,
    pub input: Option<f64>,
    pub output: Option<f64>,
    pub cached_input: Option<f64>,
    pub cache_write: Option<f64>,
    /// Above this many prompt tokens the long-context prices apply.
    pub long_context_above: Option<u64>,
    /// `config:…`, `imported:…`, `builtin:… (as of …)`; null when the model has no price.
    pub source: Option<String>,
    /// Priced from a built-in table last checked more than 90 days ago: worth checking the
    /// provider's page (or importing a newer price file).
    pub stale: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct PriceOverride {
    pub model: String,
    pub input: f64,
    pub output: f64,
    pub cached_input: Option<f64>,
    pub cache_write: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct BuiltinSection {
    pub section: String,
    pub vendor: String,
    pub source: String,
    pub as_of: String,
    pub checked: String,
    pub notes: Option<String>,
    pub models: u64,
    /// `checked` is more than 90 days ago.
    pub stale: bool,
}

pub async fn list(State(state): State<SharedState>) -> Result<Json<PriceList>, ProxyError> {
    price_list(&state).await.map(Json)
}

/// `PUT /api/prices/{model}` (the model URL-encoded, e.g. `openai%2Fgpt-4.1`).
pub async fn put(
    State(state): State<SharedState>,
    Path(model): Path<String>,
    Json(price): Json<PriceInput>,
) -> Result<Json<PriceList>, ProxyError> {
    let model = model.trim().to_owned();
    for (field, value) in [
        ("input", Some(price.input)),
        ("output", Some(price.output)),
        ("cached_input", price.cached_input),
        ("cache_write", price.cache_write),
    ] {
        if value.is_some_and(|v| !v.is_finite() || v < 0.0) {
            return Err(ProxyError::InvalidRequest {
                message: format!("{field} must be a price in USD per million tokens, 0 or more."),
                param: Some(field.into()),
            });
        }
    }
    edits::apply(&state, |text| edit::set_price(text, &model, &price)).await?;
    price_list(&state).await.map(Json)
}

/// `DELETE /api/prices/{model}`: back to the imported or built-in price.
pub async fn remove(
    State(state): State<SharedState>,
    Path(model): Path<String>,
) -> Result<Json<PriceList>, ProxyError> {
    edits::apply(&state, |text| edit::remove_price(text, &model)).await?;
    price_list(&state).await.map(Json)
}

async fn price_list(state: &SharedState) -> Result<PriceList, ProxyError> {
    let since = chrono::Utc::now().timestamp_millis() - SEEN_DAYS * 86_400_000;
    let seen = state
        .history
        .read(move |c| query::models_seen(c, since))
        .await
        .map_err(|e| ProxyError::Internal(e.to_string()))?;
    let config = state.config.load_full();
    Ok(PriceList {
        models: effective_prices(&config, &seen),
        overrides: overrides(&config),
        imported_models: config
            .imported_prices
            .as_ref()
            .map(|p| p.models.len() as u64),
        imported_format: config
            .imported_prices
            .as_ref()
            .map(|p| p.format.name().to_owned()),
        builtin: builtin::table()
            .sections
            .iter()
            .map(|s| BuiltinSection {
                section: s.key.clone(),
                vendor: s.vendor.clone(),
                source: s.source.clone(),
                as_of: s.as_of.clone(),
                checked: s.checked.clone(),
                notes: s.notes.clone(),
                models: s.models.len() as u64,
                stale: builtin::is_stale(&s.checked, today()),
            })
            .collect(),
    })
}

fn effective_prices(config: &Config, seen: &[(String, String)]) -> Vec<EffectivePrice> {
    let mut in_use: Vec<(String, String)> = Vec::new();
    let mut add = |provider: &str, model: &str| {
        let pair = (provider.to_owned(), model.to_owned());
        if !in_use.contains(&pair) {
            in_use.push(pair);
        }
    };
    for p in &config.providers {
        for m in &p.models {
            add(&p.id, m);
        }
    }
    for r in &config.routes {
        for (p, m) in &r.targets {
            add(&config.providers[*p].id, m);
        }
    }
    for (p, m) in seen {
        add(p, m);
    }
    let mut out: Vec<EffectivePrice> = in_use
        .iter()
        .map(|(p, m)| {
            row(
                format!("{p}/{m}"),
                Some(p.clone()),
                true,
                pricing::lookup(config, p, m),
            )
        })
        .collect();
    let priced: BTreeSet<String> = out.iter().filter_map(|e| e.source.clone()).collect();
    for section in &builtin::table().sections {
        for name in section.models.keys() {
            let Some(found) = pricing::lookup_named(config, name) else {
                continue;
            };
            if priced.contains(&found.source) {
                continue;
            }
            out.push(row(name.clone(), None, false, Some(found)));
        }
    }
    out
}

fn row(model: String, provider: Option<String>, in_use: bool, p: Option<Priced>) -> EffectivePrice {
    let base = p.as_ref().map(|p| p.price.base);
    EffectivePrice {
        model,
        provider,
        in_use,
        input: base.map(|b| b.input),
        output: base.map(|b| b.output),
        cached_input: base.and_then(|b| b.cached_input),
        cache_write: base.and_then(|b| b.cache_write),
        long_context_above: p.as_ref().and_then(|p| p.price.long.map(|l| l.above)),
        stale: p
            .as_ref()
            .and_then(|p| p.checked.as_deref())
            .is_some_and(|checked| builtin::is_stale(checked, today())),
        source: p.map(|p| p.source),
    }
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn overrides(config: &Config) -> Vec<PriceOverride> {
    let mut out: Vec<PriceOverride> = config
        .prices
        .iter()
        .map(|(model, p)| PriceOverride {
            model: model.clone(),
            input: p.input,
            output: p.output,
            cached_input: p.cached_input,
            cache_write: p.cache_write,
        })
        .collect();
    out.sort_by(|a, b| a.model.cmp(&b.model));
    out
}
