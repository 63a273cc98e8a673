//! Google's error responses: `{"error":{"code","message","status","details"}}`.
//!
//! Every failure of the Gemini mock (auth, validation, scripted statuses,
//! mid-stream errors) goes through [`GoogleError`], so each one carries the
//! HTTP code, the canonical `google.rpc.Code` name and, where Google sends
//! them, typed `details` (`ErrorInfo`, `BadRequest`, `RetryInfo`, …).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A Google-shaped error with its HTTP status.
#[derive(Debug, Clone, PartialEq)]
pub struct GoogleError {
    /// HTTP status, also `error.code`.
    pub status: StatusCode,
    /// `error.message`.
    pub message: String,
    /// `error.details`: typed messages, each with its `@type`; left out when empty.
    pub details: Vec<Value>,
}

/// The canonical `google.rpc.Code` name Google pairs with an HTTP status.
pub fn status_name(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ABORTED",
        412 => "FAILED_PRECONDITION",
        429 => "RESOURCE_EXHAUSTED",
        499 => "CANCELLED",
        500 => "INTERNAL",
        501 => "NOT_IMPLEMENTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        s if s >= 500 => "UNKNOWN",
        _ => "FAILED_PRECONDITION",
    }
}

impl GoogleError {
    /// An error without details.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// A 400 `INVALID_ARGUMENT`.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// Appends one `details` entry.
    pub fn detail(mut self, detail: Value) -> Self {
        self.details.push(detail);
        self
    }

    /// What Google answers to a body that is not JSON.
    pub fn unparseable_json(reason: &str) -> Self {
        let message = format!("Invalid JSON payload received. {reason}");
        Self::invalid_argument(message.clone()).detail(json!({
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"description": message}]
        }))
    }

    /// A key was sent but is not the configured one.
    pub fn api_key_invalid() -> Self {
        let message = "API key not valid. Please pass a valid API key.";
        Self::invalid_argument(message)
            .detail(json!({
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"}
            }))
            .detail(json!({
                "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                "locale": "en-US",
                "message": message
            }))
    }

    /// No key at all.
    pub fn api_key_missing() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Method doesn't allow unregistered callers (callers without established identity). \
             Please use API Key or other form of API consumer identity to call this API.",
        )
        .detail(json!({
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "SERVICE_DISABLED",
            "domain": "googleapis.com",
            "metadata": {"service": "generativelanguage.googleapis.com"}
        }))
    }

    /// A path that names no method the mock serves.
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("{what} is not found."))
    }

    /// The 500 sent mid-stream (and for a non-streamed `midstream-error`).
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "An internal error has occurred. Please retry or report in \
             https://developers.generativeai.google/guide/troubleshooting",
        )
    }

    /// The error a scripted `error-<status>` model answers with.
    pub fn scripted(status: StatusCode, model: &str, version: &str, method: &str) -> Self {
        match status.as_u16() {
            400 => Self::invalid_argument("Request contains an invalid argument."),
            401 => Self::new(
                status,
                "Request had invalid authentication credentials. Expected OAuth 2 access token, \
                 login cookie or other valid authentication credential. See \
                 https://developers.google.com/identity/sign-in/web/devconsole-project.",
            ),
            403 => Self::new(status, "The caller does not have permission"),
            404 => Self::new(
                status,
                format!(
                    "models/{model} is not found for API version {version}, or is not supported \
                     for {method}. Call ListModels to see the list of available models and their \
                     supported methods."
                ),
            ),
            429 => Self::new(
                status,
                "You exceeded your current quota, please check your plan and billing details. \
                 For more information on this error, head to: \
                 https://ai.google.dev/gemini-api/docs/rate-limits.",
            )
            .detail(json!({
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [{
                    "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                    "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                    "quotaDimensions": {"location": "global", "model": model},
                    "quotaValue": "10"
                }]
            }))
            .detail(json!({
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [{
                    "description": "Learn more about Gemini API quotas",
                    "url": "https://ai.google.dev/gemini-api/docs/rate-limits"
                }]
            }))
            .detail(json!({
                "@type": "type.googleapis.com/google.rpc.RetryInfo",
                "retryDelay": "1s"
            })),
            500 => Self::internal(),
            503 => Self::new(status, "The model is overloaded. Please try again later."),
            504 => Self::new(
                status,
                "Deadline expired before operation could complete.",
            ),
            _ => Self::new(
                status,
                format!("Request failed (scripted by the mock model '{model}')."),
            ),
        }
    }

    /// The `{"error": {...}}` body.
    pub fn body(&self) -> Value {
        let mut error = json!({
            "code": self.status.as_u16(),
            "message": self.message,
            "status": status_name(self.status),
        });
        if !self.details.is_empty() {
            error["details"] = Value::Array(self.details.clone());
        }
        json!({ "error": error })
    }
}

impl IntoResponse for GoogleError {
    fn into_response(self) -> Response {
        let mut response = super::pretty_json(&self.body());
        *response.status_mut() = self.status;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=UTF-8"),
        );
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_names_the_canonical_status_and_omits_empty_details() {
        let body =
            GoogleError::scripted(StatusCode::SERVICE_UNAVAILABLE, "m", "v1beta", "x").body();
        assert_eq!(body["error"]["code"], 503);
        assert_eq!(body["error"]["status"], "UNAVAILABLE");
        assert!(body["error"].get("details").is_none());
        let body = GoogleError::scripted(StatusCode::TOO_MANY_REQUESTS, "m", "v1beta", "x").body();
        assert_eq!(body["error"]["status"], "RESOURCE_EXHAUSTED");
        assert_eq!(body["error"]["details"][2]["retryDelay"], "1s");
    }
}
