//! Anthropic's error responses:
//! `{"type":"error","error":{"type","message"},"request_id"}`.
//!
//! Every failure the Anthropic mock produces (auth, missing version,
//! validation, scripted status codes, mid-stream errors) goes through
//! [`ApiError`], so they all carry the documented shape, the `type` the docs
//! pair with each HTTP status, and the `request-id` of the exchange.

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An Anthropic-shaped error with its HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status of the response.
    pub status: StatusCode,
    /// `error.type`, e.g. `invalid_request_error`.
    pub kind: String,
    /// `error.message`.
    pub message: String,
    /// Top-level `request_id` (also sent as the `request-id` header).
    pub request_id: Option<String>,
}

/// The wire form.
#[derive(Debug, Serialize)]
pub(crate) struct ErrorBody<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    error: ErrorObject<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct ErrorObject<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    message: &'a str,
}

impl ApiError {
    /// A new error without a request id.
    pub fn new(status: StatusCode, kind: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            kind: kind.to_owned(),
            message: message.into(),
            request_id: None,
        }
    }

    /// A 400 `invalid_request_error`, what every validation failure is.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
    }

    /// A 401 `authentication_error`.
    pub fn authentication(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "authentication_error", message)
    }

    /// A 404 `not_found_error`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found_error", message)
    }

    /// The 529 the API answers when it is overloaded (also its mid-stream error).
    pub fn overloaded() -> Self {
        Self::new(
            StatusCode::from_u16(529).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
            "overloaded_error",
            "Overloaded",
        )
    }

    /// `<field>: Extra inputs are not permitted`.
    pub fn extra_input(path: &str) -> Self {
        Self::invalid_request(format!("{path}: Extra inputs are not permitted"))
    }

    /// `<field>: Field required`.
    pub fn required(path: &str) -> Self {
        Self::invalid_request(format!("{path}: Field required"))
    }

    /// Attaches the exchange's request id.
    pub fn with_request_id(mut self, request_id: &str) -> Self {
        self.request_id = Some(request_id.to_owned());
        self
    }

    /// The error `type` the docs pair with an HTTP status.
    pub fn kind_for(status: StatusCode) -> &'static str {
        match status.as_u16() {
            400 => "invalid_request_error",
            401 => "authentication_error",
            402 => "billing_error",
            403 => "permission_error",
            404 => "not_found_error",
            413 => "request_too_large",
            429 => "rate_limit_error",
            504 => "timeout_error",
            529 => "overloaded_error",
            s if s >= 500 => "api_error",
            _ => "invalid_request_error",
        }
    }

    /// The error a scripted `error-<status>` model answers with.
    pub fn scripted(status: StatusCode, model: &str) -> Self {
        let kind = Self::kind_for(status);
        let message = match kind {
            "authentication_error" => "invalid x-api-key".to_owned(),
            "billing_error" => "Your credit balance is too low to access the Anthropic API. \
                                Please go to Plans & Billing to upgrade or purchase credits."
                .to_owned(),
            "permission_error" => {
                "Your API key does not have permission to use the specified resource.".to_owned()
            }
            "not_found_error" => format!("model: {model}"),
            "request_too_large" => {
                "Request exceeds the maximum allowed number of bytes.".to_owned()
            }
            "rate_limit_error" => format!(
                "This request would exceed the rate limit for your organization of 50 requests \
                 per minute (model {model}). Please retry after the time in the retry-after header."
            ),
            "timeout_error" => "Request timed out.".to_owned(),
            "overloaded_error" => "Overloaded".to_owned(),
            "api_error" => "Internal server error".to_owned(),
            _ => format!("Request failed (scripted by the mock model '{model}')."),
        };
        Self::new(status, kind, message)
    }

    /// The body, as sent in a response or an `error` stream event.
    pub(crate) fn body(&self) -> ErrorBody<'_> {
        ErrorBody {
            kind: "error",
            error: ErrorObject {
                kind: &self.kind,
                message: &self.message,
            },
            request_id: self.request_id.as_deref(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        let headers = response.headers_mut();
        if let Some(value) = self
            .request_id
            .as_deref()
            .and_then(|id| HeaderValue::from_str(id).ok())
        {
            headers.insert("request-id", value);
        }
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            for (name, value) in [
                ("retry-after", "1"),
                ("anthropic-ratelimit-requests-limit", "50"),
                ("anthropic-ratelimit-requests-remaining", "0"),
            ] {
                headers.insert(name, HeaderValue::from_static(value));
            }
        }
        response
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_documented_status_has_its_error_type() {
        let kinds: Vec<&str> = [400, 401, 402, 403, 404, 413, 429, 500, 504, 529]
            .iter()
            .map(|s| ApiError::kind_for(StatusCode::from_u16(*s).unwrap()))
            .collect();
        assert_eq!(
            kinds,
            [
                "invalid_request_error",
                "authentication_error",
                "billing_error",
                "permission_error",
                "not_found_error",
                "request_too_large",
                "rate_limit_error",
                "api_error",
                "timeout_error",
                "overloaded_error"
            ]
        );
    }

    #[test]
    fn body_has_the_documented_shape() {
        let error = ApiError::invalid_request("messages: Field required").with_request_id("req_1");
        assert_eq!(
            serde_json::to_value(error.body()).unwrap(),
            json!({"type": "error",
                   "error": {"type": "invalid_request_error", "message": "messages: Field required"},
                   "request_id": "req_1"})
        );
    }
}
