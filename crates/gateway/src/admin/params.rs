//! The admin API's query parameters, read into history filters and pages; every error names
//! the parameter it is about.

use std::collections::HashMap;

use axum::extract::Query;
use chrono::{NaiveDate, TimeZone, Utc};

use crate::error::ProxyError;
use crate::history::query::{Cursor, Filter, Page, SortKey, StatusFilter};

pub(super) type Params = Query<HashMap<String, String>>;

pub(super) fn filter_from(params: &HashMap<String, String>) -> Result<Filter, ProxyError> {
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

pub(super) fn bad(message: String, param: &str) -> ProxyError {
    ProxyError::InvalidRequest {
        message,
        param: Some(param.to_owned()),
    }
}

pub(super) fn page_from(params: &HashMap<String, String>) -> Result<Page, ProxyError> {
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

pub(super) fn wants_csv(params: &HashMap<String, String>) -> bool {
    params.get("format").is_some_and(|f| f == "csv")
}
