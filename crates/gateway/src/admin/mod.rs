//! The admin API under `/api`: history, costs and configuration for the dashboard and
//! scripts. Every endpoint requires the admin token. Handlers only translate query strings into
//! typed filters and call the history; no key is ever part of an answer.

pub mod bindings;
mod budgets;
mod client_keys;
pub mod connect;
mod edits;
mod events;
mod keys;
mod params;
mod prices;
pub mod providers;
mod routes;
mod settings;
pub mod token;

use crate::error::ProxyError;
use crate::history::costs::{self, GroupBy};
use crate::history::overview::Overview;
use crate::history::query;
use crate::state::SharedState;
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use params::{Params, bad, filter_from, page_from, wants_csv};

pub fn router(state: SharedState) -> Router<SharedState> {
    use axum::routing::{post, put};
    Router::new()
        .route("/api/requests", get(list_requests))
        .route("/api/requests/{id}", get(request_detail))
        .route("/api/events", get(events::stream))
        .route("/api/overview", get(overview))
        .route("/api/costs", get(cost_report))
        .route("/api/costs/what-if", get(budgets::what_if))
        .route("/api/budgets", get(budgets::status))
        .route("/api/status", get(status))
        .route("/api/pause", put(pause))
        .route(
            "/api/providers",
            get(providers::list).post(providers::create),
        )
        .route(
            "/api/providers/{id}",
            put(providers::update).delete(providers::remove),
        )
        .route("/api/provider-kinds", get(providers::kinds))
        .route("/api/routes", get(routes::list))
        .route(
            "/api/routes/{alias}",
            put(routes::put).delete(routes::remove),
        )
        .route("/api/prices", get(prices::list))
        .route(
            "/api/prices/{model}",
            put(prices::put).delete(prices::remove),
        )
        .route("/api/settings", get(settings::get).put(settings::put))
        .route(
            "/api/providers/{id}/key",
            put(keys::set).delete(keys::delete),
        )
        .route("/api/providers/{id}/key/test", post(keys::test))
        .route("/api/providers/{id}/key/reload", post(keys::reload))
        .route(
            "/api/client-keys",
            get(client_keys::list).post(client_keys::issue),
        )
        .route(
            "/api/client-keys/{id}",
            axum::routing::patch(client_keys::rename).delete(client_keys::revoke),
        )
        .route("/api/connect", get(connect::status))
        .route(
            "/api/connect/{client}",
            post(connect::connect).delete(connect::disconnect),
        )
        .route("/api/connect/{client}/preview", post(connect::preview))
        .route_layer(middleware::from_fn_with_state(state, require_token))
}

async fn require_token(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match presented {
        Some(token) if token::matches(token, &state.admin_token) => next.run(request).await,
        _ => ProxyError::Unauthorized(
            "The admin API needs `Authorization: Bearer <token>`; the token is in the admin-token file of the data dir."
                .into(),
        )
        .into_response(),
    }
}

async fn list_requests(
    State(state): State<SharedState>,
    Query(params): Params,
) -> Result<Response, ProxyError> {
    let filter = filter_from(&params)?;
    let mut page = page_from(&params)?;
    let csv = wants_csv(&params);
    if csv && !params.contains_key("limit") {
        // An export holds every matching row, not a page of them.
        page.limit = query::EXPORT_LIMIT;
    }
    let listing = state
        .history
        .read(move |c| query::list(c, &filter, page))
        .await
        .map_err(|e| ProxyError::Internal(e.to_string()))?;
    if csv {
        return csv_response("requests.csv", &listing.items);
    }
    Ok(Json(listing).into_response())
}

async fn request_detail(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> Result<Response, ProxyError> {
    let lookup = id.clone();
    let detail = state
        .history
        .read(move |c| query::detail(c, &lookup))
        .await
        .map_err(|e| ProxyError::Internal(e.to_string()))?;
    match detail {
        Some(mut detail) => {
            detail.cost_breakdown = cost_breakdown(&state.config.load(), &detail.row);
            Ok(Json(detail).into_response())
        }
        None => Err(ProxyError::NotFound(format!(
            "No request with id '{id}' in history."
        ))),
    }
}

/// The server's own cost formula, part by part, for the request detail page.
fn cost_breakdown(
    config: &crate::config::Config,
    row: &crate::history::requests::RequestRow,
) -> Option<crate::pricing::CostBreakdown> {
    let usage = switchyard_protocol::Usage {
        input_tokens: row.input_tokens,
        cached_input_tokens: row.cached_input_tokens,
        cache_write_tokens: row.cache_write_tokens,
        output_tokens: row.output_tokens,
        reasoning_tokens: row.reasoning_tokens,
    };
    crate::pricing::recorded_breakdown(
        config,
        (row.provider.as_deref()?, row.upstream_model.as_deref()?),
        row.price_source.as_deref()?,
        &usage,
        row.cost_usd?,
    )
}

async fn cost_report(
    State(state): State<SharedState>,
    Query(params): Params,
) -> Result<Response, ProxyError> {
    let by_text = params.get("by").map(String::as_str).unwrap_or("day");
    let by = GroupBy::parse(by_text).ok_or_else(|| {
        bad(
            format!("by must be day, model, provider, tag, client or client_key, not '{by_text}'"),
            "by",
        )
    })?;
    let filter = filter_from(&params)?;
    let report = state
        .history
        .read(move |c| costs::report(c, by, &filter))
        .await
        .map_err(|e| ProxyError::Internal(e.to_string()))?;
    if wants_csv(&params) {
        return csv_response("costs.csv", &report.rows);
    }
    Ok(Json(report).into_response())
}

fn csv_response<T: serde::Serialize>(name: &str, rows: &[T]) -> Result<Response, ProxyError> {
    let bytes = crate::export::to_csv(rows).map_err(|e| ProxyError::Internal(e.to_string()))?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `GET /api/status`: what the dashboard's header and the desktop tray show.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct Status {
    pub version: String,
    pub listen: String,
    pub proxy_url: String,
    pub uptime_secs: u64,
    pub config_path: Option<String>,
    /// Proxy requests are refused while paused (the tray's Pause / Resume).
    pub paused: bool,
    pub history: HistoryProgress,
}

#[derive(Debug, serde::Deserialize)]
struct Pause {
    paused: bool,
}

/// `PUT /api/pause` with `{"paused": true|false}`.
async fn pause(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Json(body): Json<Pause>,
) -> Json<Status> {
    state.set_paused(body.paused);
    status(State(state), headers).await
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct HistoryProgress {
    pub enqueued: u64,
    pub written: u64,
    /// Rows waiting in memory because the database cannot take them now.
    pub held: u64,
    /// Why it cannot (locked by another process, disk full, read-only), while it cannot;
    /// requests keep being served and the rows are written once it can.
    #[ts(type = "string | null")]
    pub trouble: Option<String>,
}

async fn status(State(state): State<SharedState>, headers: HeaderMap) -> Json<Status> {
    use std::sync::atomic::Ordering::Relaxed;
    let progress = state.history.progress();
    // Listening on every address, the one the dashboard was opened at is the one that works
    // (the security guard has already checked it is an allowed host).
    let reachable = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|_| state.listen.ip().is_unspecified())
        .map_or_else(|| state.listen.to_string(), str::to_owned);
    Json(Status {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        listen: state.listen.to_string(),
        proxy_url: format!("http://{reachable}/v1"),
        uptime_secs: state.started.elapsed().as_secs(),
        config_path: state.config_path.as_ref().map(|p| p.display().to_string()),
        paused: state.is_paused(),
        history: HistoryProgress {
            enqueued: progress.enqueued.load(Relaxed),
            written: progress.written.load(Relaxed),
            held: progress.held.load(Relaxed),
            trouble: progress.trouble(),
        },
    })
}

/// `GET /api/overview`: the dashboard's first page.
async fn overview(State(state): State<SharedState>) -> Result<Json<Overview>, ProxyError> {
    let now = chrono::Utc::now().timestamp_millis();
    state
        .history
        .read(move |c| crate::history::overview::overview(c, now))
        .await
        .map(Json)
        .map_err(|e| ProxyError::Internal(e.to_string()))
}
