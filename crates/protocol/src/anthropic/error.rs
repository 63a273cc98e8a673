//! Anthropic's error shape, `{"type": "error", "error": {"type", "message"}}`, both ways.
//!
//! The `error.type` word and the HTTP status go together (400 `invalid_request_error`, 429
//! `rate_limit_error`, 529 `overloaded_error`, …): the SDKs and Claude Code retry by status, and
//! Claude Code shows "overloaded" only for 529, so an overloaded provider of any format is a 529
//! to an Anthropic client.

use serde_json::Value;

use super::wire::{ErrorBody, ErrorDetail};
use crate::canonical::{ApiError, ErrorKind};

/// A canonical error as an Anthropic client expects it: status and body.
pub fn encode_error(err: &ApiError) -> (u16, Value) {
    let status = match err.kind {
        ErrorKind::Overloaded => 529,
        _ if (400..600).contains(&err.status) => err.status,
        kind => status_for(kind),
    };
    let body = ErrorBody {
        kind: "error".to_owned(),
        error: ErrorDetail {
            kind: type_for(err.kind).to_owned(),
            message: err.message.clone(),
        },
    };
    (status, serde_json::to_value(body).unwrap_or(Value::Null))
}

/// An Anthropic error answer (any status) in canonical terms.
pub fn decode_error(status: u16, body: &[u8]) -> ApiError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(parsed) => {
            let mut err = from_detail(&parsed.error);
            err.status = status;
            if status == 529 {
                err.kind = ErrorKind::Overloaded;
            } else if parsed.error.kind.is_empty() || kind_for(&parsed.error.kind).is_none() {
                err.kind = ErrorKind::from_status(status);
            }
            err
        }
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            ApiError {
                status,
                kind: ErrorKind::from_status(status),
                message: if text.is_empty() {
                    format!("the provider answered HTTP {status} with no body")
                } else {
                    text.chars().take(1000).collect()
                },
                code: None,
            }
        }
    }
}

/// An `error` object from a stream event or a body; the status is the one its type implies.
pub(super) fn from_detail(detail: &ErrorDetail) -> ApiError {
    let kind = kind_for(&detail.kind).unwrap_or(ErrorKind::ServerError);
    ApiError {
        status: status_for(kind),
        kind,
        message: if detail.message.is_empty() {
            detail.kind.clone()
        } else {
            detail.message.clone()
        },
        code: (!detail.kind.is_empty()).then(|| detail.kind.clone()),
    }
}

fn kind_for(word: &str) -> Option<ErrorKind> {
    Some(match word {
        "invalid_request_error" => ErrorKind::InvalidRequest,
        "authentication_error" => ErrorKind::Authentication,
        "permission_error" => ErrorKind::PermissionDenied,
        "not_found_error" => ErrorKind::NotFound,
        "request_too_large" => ErrorKind::RequestTooLarge,
        "rate_limit_error" => ErrorKind::RateLimited,
        "api_error" => ErrorKind::ServerError,
        "overloaded_error" => ErrorKind::Overloaded,
        "timeout_error" => ErrorKind::Timeout,
        _ => return None,
    })
}

fn type_for(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidRequest => "invalid_request_error",
        ErrorKind::Authentication => "authentication_error",
        ErrorKind::PermissionDenied => "permission_error",
        ErrorKind::NotFound => "not_found_error",
        ErrorKind::RequestTooLarge => "request_too_large",
        ErrorKind::RateLimited => "rate_limit_error",
        ErrorKind::Overloaded => "overloaded_error",
        ErrorKind::ServerError => "api_error",
        ErrorKind::Timeout => "timeout_error",
    }
}

fn status_for(kind: ErrorKind) -> u16 {
    match kind {
        ErrorKind::InvalidRequest => 400,
        ErrorKind::Authentication => 401,
        ErrorKind::PermissionDenied => 403,
        ErrorKind::NotFound => 404,
        ErrorKind::RequestTooLarge => 413,
        ErrorKind::RateLimited => 429,
        ErrorKind::Overloaded => 529,
        ErrorKind::ServerError => 500,
        ErrorKind::Timeout => 504,
    }
}

/// The canonical error as the body of a mid-stream `error` event.
pub(super) fn event_body(err: &ApiError) -> Value {
    encode_error(err).1
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn api_error(status: u16, kind: ErrorKind) -> ApiError {
        ApiError {
            status,
            kind,
            message: "boom".into(),
            code: None,
        }
    }

    #[test]
    fn each_kind_gets_anthropics_type_and_status() {
        let cases = [
            (
                api_error(400, ErrorKind::InvalidRequest),
                400,
                "invalid_request_error",
            ),
            (
                api_error(401, ErrorKind::Authentication),
                401,
                "authentication_error",
            ),
            (
                api_error(403, ErrorKind::PermissionDenied),
                403,
                "permission_error",
            ),
            (api_error(404, ErrorKind::NotFound), 404, "not_found_error"),
            (
                api_error(413, ErrorKind::RequestTooLarge),
                413,
                "request_too_large",
            ),
            (
                api_error(429, ErrorKind::RateLimited),
                429,
                "rate_limit_error",
            ),
            (api_error(500, ErrorKind::ServerError), 500, "api_error"),
            (api_error(504, ErrorKind::Timeout), 504, "timeout_error"),
        ];
        for (err, status, word) in cases {
            let (got_status, body) = encode_error(&err);
            assert_eq!(got_status, status);
            assert_eq!(
                body,
                json!({"type": "error", "error": {"type": word, "message": "boom"}})
            );
        }
    }

    #[test]
    fn an_overloaded_provider_is_a_529_whatever_status_it_used() {
        let (status, body) = encode_error(&api_error(503, ErrorKind::Overloaded));
        assert_eq!(status, 529, "Claude Code retries overloads on 529");
        assert_eq!(body["error"]["type"], "overloaded_error");
    }

    #[test]
    fn anthropic_error_bodies_decode_and_529_is_overloaded() {
        let err = decode_error(
            529,
            br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"}"#,
        );
        assert_eq!(err.kind, ErrorKind::Overloaded);
        assert_eq!(err.status, 529);
        assert_eq!(err.message, "Overloaded");
        assert_eq!(err.code.as_deref(), Some("overloaded_error"));

        let limited = decode_error(
            429,
            br#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#,
        );
        assert_eq!(limited.kind, ErrorKind::RateLimited);

        let bare = decode_error(529, b"");
        assert_eq!(bare.kind, ErrorKind::Overloaded);
    }

    #[test]
    fn non_json_error_bodies_keep_their_text_and_status() {
        let err = decode_error(502, b"<html>Bad Gateway</html>");
        assert_eq!(err.kind, ErrorKind::ServerError);
        assert_eq!(err.message, "<html>Bad Gateway</html>");
    }
}
