//! OpenAI's error responses: `{"error":{"message","type","param","code"}}`.
//!
//! Every failure the OpenAI mock produces (validation, auth, scripted status
//! codes, mid-stream errors) goes through [`ApiError`] so that they all have
//! the documented shape and plausible `type`/`code` values.

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An OpenAI-shaped error with its HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status of the response.
    pub status: StatusCode,
    /// `error.message`.
    pub message: String,
    /// `error.type`, e.g. `invalid_request_error`.
    pub kind: String,
    /// `error.param`.
    pub param: Option<String>,
    /// `error.code`.
    pub code: Option<String>,
    /// Sent as `retry-after-ms` (instead of a 429's default `retry-after: 1`).
    pub retry_after_ms: Option<u64>,
}

/// The wire form, `{"error": {...}}`.
#[derive(Debug, Serialize)]
pub(crate) struct ErrorBody<'a> {
    error: ErrorObject<'a>,
}

#[derive(Debug, Serialize)]
struct ErrorObject<'a> {
    message: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    param: Option<&'a str>,
    code: Option<&'a str>,
}

impl ApiError {
    /// A new error; `param` and `code` start as null.
    pub fn new(status: StatusCode, kind: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            kind: kind.to_owned(),
            param: None,
            code: None,
            retry_after_ms: None,
        }
    }

    /// Asks the client to wait this long before retrying (`retry-after-ms`).
    pub fn retry_after_ms(mut self, ms: u64) -> Self {
        self.retry_after_ms = Some(ms);
        self
    }

    /// A 400 `invalid_request_error`.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
    }

    /// Sets `error.param`.
    pub fn param(mut self, param: &str) -> Self {
        self.param = Some(param.to_owned());
        self
    }

    /// Sets `error.code`.
    pub fn code(mut self, code: &str) -> Self {
        self.code = Some(code.to_owned());
        self
    }

    /// `Missing required parameter: '<param>'.`
    pub fn missing(param: &str) -> Self {
        Self::invalid_request(format!("Missing required parameter: '{param}'."))
            .param(param)
            .code("missing_required_parameter")
    }

    /// What OpenAI answers to a body that is not JSON.
    pub fn unparseable_json() -> Self {
        Self::invalid_request(
            "We could not parse the JSON body of your request. (HINT: This likely means you \
             aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, \
             but what was sent was not valid JSON. If you have trouble figuring out how to fix \
             this, please contact us through our help center at help.openai.com.)",
        )
    }

    /// The 500 sent mid-stream (and for a non-streamed `midstream-error`).
    pub fn server_error() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "The server had an error while processing your request.",
        )
    }

    /// The error a scripted `error-<status>` model answers with.
    pub fn scripted(status: StatusCode, model: &str) -> Self {
        match status.as_u16() {
            400 => Self::invalid_request(format!(
                "Invalid request (scripted by the mock model '{model}')."
            )),
            401 => Self::new(
                status,
                "invalid_request_error",
                "Incorrect API key provided: sk-mock****. You can find your API key at \
                 https://platform.openai.com/account/api-keys.",
            )
            .code("invalid_api_key"),
            403 => Self::new(
                status,
                "request_forbidden",
                "Country, region, or territory not supported",
            )
            .code("unsupported_country_region_territory"),
            404 => Self::new(
                status,
                "invalid_request_error",
                format!("The model `{model}` does not exist or you do not have access to it."),
            )
            .code("model_not_found"),
            429 => Self::new(
                status,
                "requests",
                format!(
                    "Rate limit reached for {model} in organization org-mock on requests per \
                     min (RPM): Limit 3, Used 3, Requested 1. Please try again in 1s."
                ),
            )
            .code("rate_limit_exceeded"),
            503 => Self::new(
                status,
                "server_error",
                "The engine is currently overloaded, please try again later.",
            ),
            s if s >= 500 => Self::new(
                status,
                "server_error",
                "The server had an error while processing your request. Sorry about that!",
            ),
            _ => Self::new(
                status,
                "invalid_request_error",
                format!("Request failed (scripted by the mock model '{model}')."),
            ),
        }
    }

    /// The `{"error": {...}}` body.
    pub(crate) fn body(&self) -> ErrorBody<'_> {
        ErrorBody {
            error: ErrorObject {
                message: &self.message,
                kind: &self.kind,
                param: self.param.as_deref(),
                code: self.code.as_deref(),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        if let Some(ms) = self.retry_after_ms {
            if let Ok(value) = HeaderValue::from_str(&ms.to_string()) {
                response.headers_mut().insert("retry-after-ms", value);
            }
        } else if self.status == StatusCode::TOO_MANY_REQUESTS {
            let headers = response.headers_mut();
            for (name, value) in [
                ("retry-after", "1"),
                ("x-ratelimit-limit-requests", "3"),
                ("x-ratelimit-remaining-requests", "0"),
                ("x-ratelimit-reset-requests", "1s"),
            ] {
                headers.insert(name, HeaderValue::from_static(value));
            }
        }
        response
    }
}
