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
mod prices;
pub mod providers;
mod routes;
mod settings;
pub mod token;

use std::collections::HashMap;

use crate::error::ProxyError;
use crate::history::costs::{self, GroupBy};
use crate::history::overview::Overview;
use crate::history::query::{self, Cursor, Filter, Page, SortKey, StatusFilter};
use crate::state::SharedState;
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{NaiveDate, TimeZone, Utc};

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

type Params = Query<HashMap<String, String>>;

fn filter_from(params: &HashMap<String, String>) -> Result<Filter, ProxyError> {
    let text = |k: &str| {
        params
            .get(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let status = match text("status") {
        Some(s) => Some(StatusFilter::parse(&s).ok_or_else(|| {
            bad(
                format!(
                    "status '{s}' is not a status code, a class like 5xx, 'error', or an outcome"
                ),
                "status",
            )
        })?),
        None => None,
    };
    Ok(Filter {
        model: text("model"),
        provider: text("provider"),
        status,
        since_ms: text("since").map(|s| parse_time(&s, false)).transpose()?,
        until_ms: text("until").map(|s| parse_time(&s, true)).transpose()?,
        tag: text("tag"),
        client: text("client"),
        client_key: text("client_key"),
        q: text("q"),
    })
}

/// `YYYY-MM-DD` (a UTC day; `until` includes the whole day) or RFC 3339, as epoch ms.
fn parse_time(text: &str, end_of_day: bool) -> Result<i64, ProxyError> {
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let day = if end_of_day {
            day.succ_opt().unwrap_or(day)
        } else {
            day
        };
        let midnight = day.and_hms_opt(0, 0, 0).map(|t| Utc.from_utc_datetime(&t));
        return midnight
            .map(|t| t.timestamp_millis())
            .ok_or_else(|| bad(format!("'{text}' is not a valid date"), "since"));
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis())
        .map_err(|_| {
            bad(
                format!("'{text}' is neither YYYY-MM-DD nor an RFC 3339 time"),
                "since",
            )
        })
}

fn bad(message: String, param: &str) -> ProxyError {
    ProxyError::InvalidRequest {
        message,
        param: Some(param.to_owned()),
    }
}

fn page_from(params: &HashMap<String, String>) -> Result<Page, ProxyError> {
    let number = |k: &str, default: u32| -> Result<u32, ProxyError> {
        params.get(k).map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| bad(format!("{k} must be a non-negative whole number"), k))
        })
    };
    let sort = match params.get("sort") {
        Some(s) => SortKey::parse(s).ok_or_else(|| bad(format!("cannot sort by '{s}'"), "sort"))?,
        None => SortKey::default(),
    };
    let descending = params.get("order").is_none_or(|o| o != "asc");
    let before = match params.get("before").filter(|b| !b.is_empty()) {
        None => None,
        Some(_) if sort != SortKey::StartedAt || !descending => {
            return Err(bad(
                "before pages the newest-first list only; use offset with another sort".into(),
                "before",
            ));
        }
        Some(text) => Some(Cursor::parse(text).ok_or_else(|| {
            bad(
                format!("'{text}' is not a page cursor (take it from the last answer's next)"),
                "before",
            )
        })?),
    };
    Ok(Page {
        limit: number("limit", 50)?.clamp(1, 1000),
        offset: number("offset", 0)?,
        sort,
        descending,
        before,
    })
}

fn wants_csv(params: &HashMap<String, String>) -> bool {
    params.get("format").is_some_and(|f| f == "csv")
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
        Some(detail) => Ok(Json(detail).into_response()),
        None => Err(ProxyError::NotFound(format!(
            "No request with id '{id}' in history."
        ))),
    }
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
    let now = Utc::now().timestamp_millis();
    state
        .history
        .read(move |c| crate::history::overview::overview(c, now))
        .await
        .map(Json)
        .map_err(|e| ProxyError::Internal(e.to_string()))
}
