//! Errors in the Responses API's shapes: OpenAI's `{"error": {message, type, param, code}}`
//! body for failed requests, and the `code` of a `response.failed` event for failures
//! mid-stream.
//!
//! Codex branches on the code: `context_length_exceeded` makes it compact the conversation,
//! `insufficient_quota` and `invalid_prompt` stop the turn, `server_is_overloaded` and
//! `rate_limit_exceeded` are retried (the latter after the delay the message names), anything
//! else is retried as a generic failure. Providers phrase these conditions differently (an
//! Anthropic "prompt is too long" is a plain 400), so the code is derived from the provider's
//! code, its message and the error kind, in that order.

use serde_json::Value;

use crate::canonical::{ApiError, ErrorKind, TranslateError};
use crate::openai_chat::{ErrorBody, ErrorDetail};

/// Codes clients understand, kept as they are when a provider already uses one.
const KNOWN_CODES: [&str; 8] = [
    "context_length_exceeded",
    "rate_limit_exceeded",
    "insufficient_quota",
    "server_error",
    "server_is_overloaded",
    "invalid_prompt",
    "invalid_api_key",
    "usage_not_included",
];

/// The client's error body and HTTP status for a failed request.
pub fn encode_error(err: &ApiError) -> (u16, Value) {
    let status = if (400..=599).contains(&err.status) {
        err.status
    } else {
        status_of(err.kind)
    };
    let code = recognised_code(err)
        .map(str::to_owned)
        .or_else(|| match err.kind {
            ErrorKind::RateLimited => Some("rate_limit_exceeded".to_owned()),
            ErrorKind::Authentication => Some("invalid_api_key".to_owned()),
            _ => err.code.clone(),
        });
    let kind = match code.as_deref() {
        Some("insufficient_quota") => "insufficient_quota",
        _ => error_type(err.kind),
    };
    let body = ErrorBody {
        error: ErrorDetail {
            message: err.message.clone(),
            kind: Some(kind.to_owned()),
            param: None,
            code,
        },
    };
    (status, serde_json::to_value(body).unwrap_or(Value::Null))
}

/// A request this gateway cannot translate: 400, naming the member at fault.
pub fn encode_translate_error(err: &TranslateError) -> (u16, Value) {
    let mut body = ErrorBody::new(err.message.clone(), "invalid_request_error", None);
    body.error.param = err.param.clone();
    (400, serde_json::to_value(body).unwrap_or(Value::Null))
}

/// The `response.error.code` of a stream that failed with `err`.
pub(super) fn failure_code(err: &ApiError) -> &'static str {
    if let Some(code) = recognised_code(err) {
        return code;
    }
    match err.kind {
        ErrorKind::RequestTooLarge => "context_length_exceeded",
        ErrorKind::RateLimited => "rate_limit_exceeded",
        ErrorKind::Overloaded => "server_is_overloaded",
        ErrorKind::ServerError | ErrorKind::Timeout => "server_error",
        ErrorKind::Authentication | ErrorKind::PermissionDenied => "invalid_api_key",
        ErrorKind::InvalidRequest | ErrorKind::NotFound => "invalid_prompt",
    }
}

/// A client-understood code from the provider's own code or from what its message says.
fn recognised_code(err: &ApiError) -> Option<&'static str> {
    if let Some(code) = err.code.as_deref()
        && let Some(known) = KNOWN_CODES.iter().find(|known| **known == code)
    {
        return Some(known);
    }
    let message = err.message.to_ascii_lowercase();
    let says = |phrases: &[&str]| phrases.iter().any(|p| message.contains(p));
    if says(&[
        "context length",
        "context window",
        "context_length",
        "prompt is too long",
        "too many tokens",
        "exceeds the maximum number of tokens",
        "maximum context",
    ]) {
        return Some("context_length_exceeded");
    }
    if says(&["quota", "credit balance", "billing"]) {
        return Some("insufficient_quota");
    }
    None
}

fn error_type(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidRequest | ErrorKind::NotFound | ErrorKind::RequestTooLarge => {
            "invalid_request_error"
        }
        ErrorKind::Authentication => "authentication_error",
        ErrorKind::PermissionDenied => "permission_error",
        ErrorKind::RateLimited => "rate_limit_error",
        ErrorKind::Overloaded | ErrorKind::ServerError | ErrorKind::Timeout => "server_error",
    }
}

fn status_of(kind: ErrorKind) -> u16 {
    match kind {
        ErrorKind::InvalidRequest => 400,
        ErrorKind::Authentication => 401,
        ErrorKind::PermissionDenied => 403,
        ErrorKind::NotFound => 404,
        ErrorKind::RequestTooLarge => 413,
        ErrorKind::RateLimited => 429,
        ErrorKind::ServerError => 500,
        ErrorKind::Overloaded => 503,
        ErrorKind::Timeout => 504,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn api_error(status: u16, kind: ErrorKind, message: &str, code: Option<&str>) -> ApiError {
        ApiError {
            status,
            kind,
            message: message.to_owned(),
            code: code.map(str::to_owned),
        }
    }

    #[test]
    fn errors_take_openais_shape_and_the_providers_status() {
        let err = api_error(
            429,
            ErrorKind::RateLimited,
            "Rate limit reached. Please try again in 2s.",
            Some("rate_limit_error"),
        );
        assert_eq!(
            encode_error(&err),
            (
                429,
                json!({"error": {
                    "message": "Rate limit reached. Please try again in 2s.",
                    "type": "rate_limit_error",
                    "param": null,
                    "code": "rate_limit_exceeded"
                }})
            )
        );
    }

    #[test]
    fn a_missing_status_is_derived_from_the_kind() {
        let err = api_error(
            0,
            ErrorKind::Overloaded,
            "Overloaded",
            Some("overloaded_error"),
        );
        let (status, body) = encode_error(&err);
        assert_eq!(status, 503);
        assert_eq!(body["error"]["type"], "server_error");
        assert_eq!(
            body["error"]["code"], "overloaded_error",
            "a provider code with no OpenAI equivalent is still worth showing"
        );
    }

    #[test]
    fn anthropics_prompt_too_long_is_a_context_length_error_for_codex() {
        let err = api_error(
            400,
            ErrorKind::InvalidRequest,
            "prompt is too long: 210000 tokens > 200000 maximum",
            Some("invalid_request_error"),
        );
        assert_eq!(failure_code(&err), "context_length_exceeded");
        assert_eq!(
            encode_error(&err).1["error"]["code"],
            "context_length_exceeded"
        );
    }

    #[test]
    fn failure_codes_follow_the_kind_when_the_provider_says_nothing_recognisable() {
        let cases = [
            (ErrorKind::RateLimited, "rate_limit_exceeded"),
            (ErrorKind::Overloaded, "server_is_overloaded"),
            (ErrorKind::ServerError, "server_error"),
            (ErrorKind::Timeout, "server_error"),
            (ErrorKind::InvalidRequest, "invalid_prompt"),
            (ErrorKind::RequestTooLarge, "context_length_exceeded"),
        ];
        for (kind, code) in cases {
            let err = api_error(500, kind, "something happened", None);
            assert_eq!(failure_code(&err), code, "{kind:?}");
        }
        let quota = api_error(
            400,
            ErrorKind::InvalidRequest,
            "Your credit balance is too low to access the Anthropic API.",
            None,
        );
        assert_eq!(failure_code(&quota), "insufficient_quota");
        let known = api_error(429, ErrorKind::RateLimited, "x", Some("insufficient_quota"));
        assert_eq!(failure_code(&known), "insufficient_quota");
        assert_eq!(
            encode_error(&known).1["error"]["type"],
            "insufficient_quota"
        );
    }

    #[test]
    fn untranslatable_requests_are_400s_naming_the_member() {
        let err = TranslateError::at("previous_response_id", "cannot resolve stored responses");
        let (status, body) = encode_translate_error(&err);
        assert_eq!(status, 400);
        assert_eq!(body["error"]["param"], "previous_response_id");
        assert_eq!(body["error"]["type"], "invalid_request_error");
    }
}
