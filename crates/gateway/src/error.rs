//! The one error type of the proxy and the admin API, and how it reaches a client.
//!
//! Every variant has its HTTP status and is written in the client's own error shape (OpenAI's
//! `{"error": {...}}` for the OpenAI endpoints and the admin API). Internal detail is logged
//! where the error is made; the message here is what a user can act on, and never contains a
//! key or token.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use switchyard_protocol::openai_chat::ErrorBody;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ProxyError {
    #[error("{0}")]
    InvalidJson(String),
    #[error("{message}")]
    InvalidRequest {
        message: String,
        param: Option<String>,
    },
    /// The client took too long to send its request.
    #[error("{0}")]
    RequestTimeout(String),
    #[error("The request body is larger than the limit of {limit_bytes} bytes.")]
    BodyTooLarge { limit_bytes: usize },
    #[error("{message}")]
    ModelNotFound { message: String },
    #[error("{0}")]
    MissingKey(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    NotSupported(String),
    #[error("Could not reach provider '{provider}': {detail}")]
    UpstreamUnreachable { provider: String, detail: String },
    /// A 3xx from a provider: never followed, since the key would go along to `location`.
    #[error(
        "Provider '{provider}' answered {status} redirecting to {location}. Switchyard does not follow redirects (the provider's key would go along); check the provider's base_url."
    )]
    UpstreamRedirect {
        provider: String,
        status: u16,
        location: String,
    },
    #[error("Provider '{provider}' did not answer within {seconds} s.")]
    UpstreamTimeout { provider: String, seconds: u64 },
    /// A `block` budget is used up (see [`crate::budgets`]).
    #[error("{0}")]
    BudgetExceeded(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

impl ProxyError {
    pub fn status(&self) -> StatusCode {
        match self {
            ProxyError::InvalidJson(_) | ProxyError::InvalidRequest { .. } => {
                StatusCode::BAD_REQUEST
            }
            ProxyError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ProxyError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ProxyError::ModelNotFound { .. } | ProxyError::NotFound(_) => StatusCode::NOT_FOUND,
            ProxyError::MissingKey(_) | ProxyError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ProxyError::Forbidden(_) => StatusCode::FORBIDDEN,
            ProxyError::NotSupported(_) => StatusCode::NOT_IMPLEMENTED,
            ProxyError::UpstreamUnreachable { .. } | ProxyError::UpstreamRedirect { .. } => {
                StatusCode::BAD_GATEWAY
            }
            ProxyError::UpstreamTimeout { .. } => StatusCode::GATEWAY_TIMEOUT,
            ProxyError::BudgetExceeded(_) => StatusCode::TOO_MANY_REQUESTS,
            ProxyError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ProxyError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// OpenAI's `type` and `code` for this error.
    fn kind_and_code(&self) -> (&'static str, Option<&'static str>) {
        match self {
            ProxyError::InvalidJson(_) => ("invalid_request_error", Some("invalid_json")),
            ProxyError::InvalidRequest { .. } => ("invalid_request_error", None),
            ProxyError::BodyTooLarge { .. } => ("invalid_request_error", Some("request_too_large")),
            ProxyError::RequestTimeout(_) => ("invalid_request_error", Some("request_timeout")),
            ProxyError::ModelNotFound { .. } => ("invalid_request_error", Some("model_not_found")),
            ProxyError::MissingKey(_) => ("authentication_error", Some("missing_provider_key")),
            ProxyError::Unauthorized(_) => ("authentication_error", Some("invalid_api_key")),
            ProxyError::Forbidden(_) => ("permission_error", Some("forbidden")),
            ProxyError::NotFound(_) => ("invalid_request_error", Some("not_found")),
            ProxyError::NotSupported(_) => ("invalid_request_error", Some("not_supported")),
            ProxyError::UpstreamUnreachable { .. } => {
                ("upstream_error", Some("upstream_unreachable"))
            }
            ProxyError::UpstreamRedirect { .. } => ("upstream_error", Some("upstream_redirect")),
            ProxyError::UpstreamTimeout { .. } => ("upstream_error", Some("upstream_timeout")),
            ProxyError::BudgetExceeded(_) => ("budget_exceeded", Some("budget_exceeded")),
            ProxyError::Unavailable(_) => ("server_error", Some("unavailable")),
            ProxyError::Internal(_) => ("server_error", None),
        }
    }

    /// The body a client in OpenAI's format receives.
    pub fn openai_body(&self) -> ErrorBody {
        let (kind, code) = self.kind_and_code();
        let body = ErrorBody::new(self.to_string(), kind, code);
        match self {
            ProxyError::InvalidRequest { param: Some(p), .. } => body.with_param(p),
            ProxyError::ModelNotFound { .. } => body.with_param("model"),
            _ => body,
        }
    }

    /// The error in provider-neutral terms, for clients whose format is not OpenAI's.
    pub fn to_api_error(&self) -> switchyard_protocol::canonical::ApiError {
        let status = self.status().as_u16();
        switchyard_protocol::canonical::ApiError {
            status,
            kind: switchyard_protocol::canonical::ErrorKind::from_status(status),
            message: self.to_string(),
            code: self.kind_and_code().1.map(str::to_owned),
        }
    }

    /// Whether trying the next target of a route could help.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ProxyError::UpstreamUnreachable { .. }
                | ProxyError::UpstreamTimeout { .. }
                | ProxyError::UpstreamRedirect { .. }
        )
    }
}

impl IntoResponse for ProxyError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.openai_body()).unwrap_or_default();
        let mut response = (self.status(), body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_not_found_is_openai_shaped() {
        let err = ProxyError::ModelNotFound {
            message: "The model 'x' does not exist.".into(),
        };
        assert_eq!(err.status(), StatusCode::NOT_FOUND);
        let body = serde_json::to_value(err.openai_body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"error": {"message": "The model 'x' does not exist.",
                "type": "invalid_request_error", "param": "model", "code": "model_not_found"}})
        );
    }
}
