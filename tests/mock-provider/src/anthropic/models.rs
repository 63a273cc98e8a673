//! `GET /v1/models` and `GET /v1/models/{id}` in Anthropic's shape, for
//! requests that carry `anthropic-version` (the crate's `dialect` module
//! decides).
//!
//! Lists [`crate::MockOptions::models`], or [`DEFAULT_MODELS`] when none are
//! configured, paginated by `limit` (1–1000, default 20), `after_id` and
//! `before_id` like the real list.

use std::collections::HashMap;

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::ApiError;
use crate::Shared;

/// Listed when [`crate::MockOptions::models`] is empty.
pub const DEFAULT_MODELS: [&str; 3] = ["claude-opus-4-6", "claude-sonnet-4-6", "claude-haiku-4-5"];

/// The `created_at` of every listed model (a fixed date keeps answers stable).
const CREATED_AT: &str = "2025-01-01T00:00:00Z";

#[derive(Debug, Serialize)]
struct Model {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    display_name: String,
    created_at: &'static str,
}

#[derive(Debug, Serialize)]
struct ModelList {
    data: Vec<Model>,
    has_more: bool,
    first_id: Option<String>,
    last_id: Option<String>,
}

fn model(id: &str) -> Model {
    Model {
        kind: "model",
        id: id.to_owned(),
        display_name: display_name(id),
        created_at: CREATED_AT,
    }
}

/// `claude-sonnet-4-6` → `Claude Sonnet 4.6`: words capitalized, version
/// numbers joined with dots, a date suffix dropped.
fn display_name(id: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut last_was_number = false;
    let is_date = |p: &str| p.len() == 8 && p.bytes().all(|b| b.is_ascii_digit());
    for part in id.split('-').filter(|p| !p.is_empty() && !is_date(p)) {
        let is_number = part.bytes().all(|b| b.is_ascii_digit());
        match words.last_mut() {
            Some(previous) if is_number && last_was_number => {
                previous.push('.');
                previous.push_str(part);
            }
            _ => {
                let mut chars = part.chars();
                let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
                words.push(first.unwrap_or_default() + chars.as_str());
            }
        }
        last_was_number = is_number;
    }
    words.join(" ")
}

/// The list, paginated by the query.
pub(crate) fn list(state: &Shared, query: &HashMap<String, String>, request_id: &str) -> Response {
    let ids = state.listed_models(&DEFAULT_MODELS);
    let limit = match query.get("limit").map(|l| l.parse::<usize>()) {
        None => 20,
        Some(Ok(limit)) if (1..=1000).contains(&limit) => limit,
        Some(_) => {
            return ApiError::invalid_request("limit: Input should be an integer from 1 to 1000")
                .with_request_id(request_id)
                .into_response();
        }
    };
    let position = |id: &String| ids.iter().position(|m| m == id);
    let (start, end) = match (query.get("after_id"), query.get("before_id")) {
        (Some(after), _) => {
            let start = position(after).map_or(ids.len(), |p| p + 1);
            (start, (start + limit).min(ids.len()))
        }
        (None, Some(before)) => {
            let end = position(before).unwrap_or(0);
            (end.saturating_sub(limit), end)
        }
        (None, None) => (0, limit.min(ids.len())),
    };
    let page = &ids[start..end];
    let has_more = match query.get("before_id") {
        Some(_) if query.get("after_id").is_none() => start > 0,
        _ => end < ids.len(),
    };
    Json(ModelList {
        data: page.iter().map(|id| model(id)).collect(),
        has_more,
        first_id: page.first().cloned(),
        last_id: page.last().cloned(),
    })
    .into_response()
}

/// One model, or `not_found_error`.
pub(crate) fn retrieve(state: &Shared, id: &str, request_id: &str) -> Response {
    if state.listed_models(&DEFAULT_MODELS).iter().any(|m| m == id) {
        Json(model(id)).into_response()
    } else {
        ApiError::not_found(format!("model: {id}"))
            .with_request_id(request_id)
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_read_like_anthropics() {
        assert_eq!(display_name("claude-sonnet-4-6"), "Claude Sonnet 4.6");
        assert_eq!(
            display_name("claude-3-5-haiku-20241022"),
            "Claude 3.5 Haiku"
        );
        assert_eq!(display_name("gpt-4.1"), "Gpt 4.1");
    }
}
