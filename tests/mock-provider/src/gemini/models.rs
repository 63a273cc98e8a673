//! `GET /v1beta/models` and `GET /v1beta/models/{model}` in Gemini's shape
//! (`{"models":[{"name":"models/…",…}],"nextPageToken":…}`), paged by
//! `pageSize` and `pageToken` like the real list.
//!
//! The listed models are the `gemini*` names of [`crate::MockOptions::models`],
//! or [`DEFAULT_GEMINI_MODELS`] when it has none, so one option still lists
//! the OpenAI models at `/v1/models` and the Gemini ones here.

use serde::Serialize;

use super::error::GoogleError;
use crate::MockOptions;

/// Listed when [`MockOptions::models`] names no `gemini*` model.
pub const DEFAULT_GEMINI_MODELS: [&str; 4] = [
    "gemini-2.5-flash",
    "gemini-2.5-pro",
    "gemini-3-pro-preview",
    "gemini-3-flash-preview",
];

/// Models per page when `pageSize` is absent (Google's default is 50).
const DEFAULT_PAGE_SIZE: usize = 50;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Model {
    name: String,
    version: &'static str,
    display_name: String,
    description: String,
    input_token_limit: u64,
    output_token_limit: u64,
    supported_generation_methods: [&'static str; 3],
    temperature: f64,
    top_p: f64,
    top_k: u64,
    max_temperature: f64,
    thinking: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ModelList {
    models: Vec<Model>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_page_token: Option<String>,
}

fn gemini_models(options: &MockOptions) -> Vec<String> {
    let named: Vec<String> = options
        .models
        .iter()
        .filter(|m| m.starts_with("gemini"))
        .cloned()
        .collect();
    if named.is_empty() {
        DEFAULT_GEMINI_MODELS
            .iter()
            .map(|m| (*m).to_owned())
            .collect()
    } else {
        named
    }
}

fn model(id: &str) -> Model {
    Model {
        name: format!("models/{id}"),
        version: "001",
        display_name: id.to_owned(),
        description: format!("Mock of {id}"),
        input_token_limit: 1_048_576,
        output_token_limit: 65_536,
        supported_generation_methods: ["generateContent", "countTokens", "streamGenerateContent"],
        temperature: 1.0,
        top_p: 0.95,
        top_k: 64,
        max_temperature: 2.0,
        thinking: id.starts_with("gemini-2.5") || id.starts_with("gemini-3"),
    }
}

/// One page of the list; `page_token` is the offset the previous page gave.
pub(crate) fn list(
    options: &MockOptions,
    page_size: Option<&str>,
    page_token: Option<&str>,
) -> Result<ModelList, GoogleError> {
    let ids = gemini_models(options);
    let size = match page_size {
        None | Some("") => DEFAULT_PAGE_SIZE,
        Some(n) => n
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .unwrap_or(DEFAULT_PAGE_SIZE),
    };
    let start = match page_token {
        None | Some("") => 0,
        Some(token) => token
            .parse::<usize>()
            .ok()
            .filter(|start| *start < ids.len())
            .ok_or_else(|| GoogleError::invalid_argument("Invalid page token."))?,
    };
    let end = (start + size).min(ids.len());
    Ok(ModelList {
        models: ids[start..end].iter().map(|id| model(id)).collect(),
        next_page_token: (end < ids.len()).then(|| end.to_string()),
    })
}

/// One model, or Google's 404.
pub(crate) fn get(options: &MockOptions, id: &str, version: &str) -> Result<Model, GoogleError> {
    if gemini_models(options).iter().any(|m| m == id) {
        Ok(model(id))
    } else {
        Err(GoogleError::new(
            axum::http::StatusCode::NOT_FOUND,
            format!(
                "models/{id} is not found for API version {version}, or is not supported for get."
            ),
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_the_next_page_token() {
        let options = MockOptions::default();
        let first = list(&options, Some("3"), None).unwrap();
        assert_eq!(first.models.len(), 3);
        assert_eq!(first.next_page_token.as_deref(), Some("3"));
        let second = list(&options, Some("3"), Some("3")).unwrap();
        assert_eq!(second.models.len(), 1);
        assert!(second.next_page_token.is_none());
        assert!(list(&options, None, Some("nope")).is_err());
    }
}
