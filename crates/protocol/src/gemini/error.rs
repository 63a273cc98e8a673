//! Gemini error bodies → [`ApiError`].
//!
//! Google APIs answer errors as `{"error": {"code": 429, "message": "…", "status":
//! "RESOURCE_EXHAUSTED", "details": [...]}}`; streaming endpoints wrap the same object in an
//! array (`[{"error": …}]`), and an error inside an SSE stream comes as a data event holding
//! the object. The canonical kind comes from `status` (the `google.rpc.Code` name), which is
//! more precise than the HTTP status, with two corrections clients care about:
//!
//! - an invalid API key is `400 INVALID_ARGUMENT` with reason `API_KEY_INVALID`: that is an
//!   authentication error, and clients should see 401;
//! - a prompt over the context window ("The input token count (…) exceeds the maximum number
//!   of tokens allowed") gets the code `context_length_exceeded`, the name OpenAI-format
//!   clients (Codex) act on. Other errors keep Gemini's status name as their code.
//!
//! The other way, [`encode_client_error`] writes any canonical error (a provider's, or the
//! gateway's own) in the same shape for Gemini clients. Gemini CLI and the SDKs retry by HTTP
//! status (429 and 5xx), so the status stays what it was wherever Google uses it; the
//! `google.rpc.Code` name follows from it. Statuses Google does not answer with are replaced by
//! the one the error's kind implies: 413 becomes 400 `INVALID_ARGUMENT` (Google's answer to an
//! oversized request), Anthropic's 529 becomes 503 `UNAVAILABLE`, 408 becomes 504
//! `DEADLINE_EXCEEDED`, other 5xx 500 `INTERNAL`.

use serde_json::{Value, json};

use super::wire::ErrorStatus;
use crate::canonical::{ApiError, ErrorKind};

/// A canonical error as a Gemini client expects it: status and `{"error": {code, message,
/// status}}`.
pub fn encode_client_error(err: &ApiError) -> (u16, Value) {
    let (status, rpc) = match err.status {
        400 => (400, "INVALID_ARGUMENT"),
        401 => (401, "UNAUTHENTICATED"),
        403 => (403, "PERMISSION_DENIED"),
        404 => (404, "NOT_FOUND"),
        429 => (429, "RESOURCE_EXHAUSTED"),
        500 => (500, "INTERNAL"),
        503 | 529 => (503, "UNAVAILABLE"),
        504 => (504, "DEADLINE_EXCEEDED"),
        _ => match err.kind {
            ErrorKind::InvalidRequest | ErrorKind::RequestTooLarge => (400, "INVALID_ARGUMENT"),
            ErrorKind::Authentication => (401, "UNAUTHENTICATED"),
            ErrorKind::PermissionDenied => (403, "PERMISSION_DENIED"),
            ErrorKind::NotFound => (404, "NOT_FOUND"),
            ErrorKind::RateLimited => (429, "RESOURCE_EXHAUSTED"),
            ErrorKind::Overloaded => (503, "UNAVAILABLE"),
            ErrorKind::Timeout => (504, "DEADLINE_EXCEEDED"),
            ErrorKind::ServerError => (500, "INTERNAL"),
        },
    };
    let body = json!({"error": {"code": status, "message": err.message, "status": rpc}});
    (status, body)
}

/// Decodes an error answer (any non-2xx status).
pub fn decode_error(status: u16, body: &[u8]) -> ApiError {
    match parse_error(body) {
        Some(error) => error_from_status(Some(status), &error),
        None => {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            let message = if text.is_empty() {
                format!("Gemini answered HTTP {status}")
            } else {
                text.chars().take(500).collect()
            };
            ApiError {
                status: client_status(status, ErrorKind::from_status(status)),
                kind: ErrorKind::from_status(status),
                message,
                code: None,
            }
        }
    }
}

/// The error object of a body, in either the plain or the array-wrapped form.
fn parse_error(body: &[u8]) -> Option<ErrorStatus> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let object = match &value {
        Value::Array(items) => items.first()?.get("error")?,
        other => other.get("error")?,
    };
    serde_json::from_value(object.clone()).ok()
}

/// An [`ApiError`] from Google's error object; `http` is the response status when known
/// (mid-stream errors have only the object's own `code`).
pub(crate) fn error_from_status(http: Option<u16>, error: &ErrorStatus) -> ApiError {
    let http = http
        .filter(|s| *s >= 400)
        .or(error.code.filter(|c| *c >= 400));
    let rpc = error.status.as_deref().unwrap_or_default();
    let mut kind = match rpc {
        "INVALID_ARGUMENT" | "FAILED_PRECONDITION" | "OUT_OF_RANGE" => ErrorKind::InvalidRequest,
        "UNAUTHENTICATED" => ErrorKind::Authentication,
        "PERMISSION_DENIED" => ErrorKind::PermissionDenied,
        "NOT_FOUND" => ErrorKind::NotFound,
        "RESOURCE_EXHAUSTED" => ErrorKind::RateLimited,
        "UNAVAILABLE" => ErrorKind::Overloaded,
        "DEADLINE_EXCEEDED" => ErrorKind::Timeout,
        "INTERNAL" | "UNKNOWN" | "DATA_LOSS" | "UNIMPLEMENTED" | "ABORTED" | "CANCELLED" => {
            ErrorKind::ServerError
        }
        _ => http.map_or(ErrorKind::ServerError, ErrorKind::from_status),
    };
    let mut code = (!rpc.is_empty()).then(|| rpc.to_owned());
    let mut status = http.unwrap_or_else(|| default_status(kind));
    if is_invalid_key(error) {
        kind = ErrorKind::Authentication;
        status = 401;
    } else if error
        .message
        .contains("exceeds the maximum number of tokens")
    {
        kind = ErrorKind::InvalidRequest;
        code = Some("context_length_exceeded".to_owned());
    }
    ApiError {
        status: client_status(status, kind),
        kind,
        message: if error.message.is_empty() {
            format!("Gemini error {}", code.as_deref().unwrap_or("(no details)"))
        } else {
            error.message.clone()
        },
        code,
    }
}

fn is_invalid_key(error: &ErrorStatus) -> bool {
    let reason =
        |detail: &Value| detail.get("reason").and_then(Value::as_str) == Some("API_KEY_INVALID");
    error.details.iter().any(reason) || error.message.contains("API key not valid")
}

/// A status for an error that came without one.
fn default_status(kind: ErrorKind) -> u16 {
    match kind {
        ErrorKind::InvalidRequest => 400,
        ErrorKind::Authentication => 401,
        ErrorKind::PermissionDenied => 403,
        ErrorKind::NotFound => 404,
        ErrorKind::RequestTooLarge => 413,
        ErrorKind::RateLimited => 429,
        ErrorKind::Overloaded => 503,
        ErrorKind::Timeout => 504,
        ErrorKind::ServerError => 500,
    }
}

/// Keeps a status that is an error status; a stray 2xx/3xx becomes the kind's own.
fn client_status(status: u16, kind: ErrorKind) -> u16 {
    if (400..=599).contains(&status) {
        status
    } else {
        default_status(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_rpc_statuses_map_to_kinds() {
        for (status, rpc, kind) in [
            (400, "INVALID_ARGUMENT", ErrorKind::InvalidRequest),
            (400, "FAILED_PRECONDITION", ErrorKind::InvalidRequest),
            (401, "UNAUTHENTICATED", ErrorKind::Authentication),
            (403, "PERMISSION_DENIED", ErrorKind::PermissionDenied),
            (404, "NOT_FOUND", ErrorKind::NotFound),
            (429, "RESOURCE_EXHAUSTED", ErrorKind::RateLimited),
            (500, "INTERNAL", ErrorKind::ServerError),
            (503, "UNAVAILABLE", ErrorKind::Overloaded),
            (504, "DEADLINE_EXCEEDED", ErrorKind::Timeout),
        ] {
            let body = format!(r#"{{"error":{{"code":{status},"message":"m","status":"{rpc}"}}}}"#);
            let error = decode_error(status, body.as_bytes());
            assert_eq!(
                (error.status, error.kind, error.code.as_deref()),
                (status, kind, Some(rpc)),
                "{rpc}"
            );
        }
    }

    #[test]
    fn streaming_endpoints_wrap_the_error_in_an_array() {
        let body = br#"[{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}]"#;
        let error = decode_error(429, body);
        assert_eq!(error.kind, ErrorKind::RateLimited);
        assert_eq!(
            error.message,
            "Resource has been exhausted (e.g. check quota)."
        );
    }

    #[test]
    fn an_invalid_api_key_is_an_authentication_error() {
        let body = br#"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT",
            "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}"#;
        let error = decode_error(400, body);
        assert_eq!((error.status, error.kind), (401, ErrorKind::Authentication));
    }

    #[test]
    fn context_overflow_gets_the_code_clients_know() {
        let body = br#"{"error":{"code":400,"message":"The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}"#;
        let error = decode_error(400, body);
        assert_eq!(error.code.as_deref(), Some("context_length_exceeded"));
        assert_eq!(error.kind, ErrorKind::InvalidRequest);
    }

    #[test]
    fn bodies_that_are_not_google_errors_fall_back_to_the_http_status() {
        let error = decode_error(502, b"<html>Bad Gateway</html>");
        assert_eq!((error.status, error.kind), (502, ErrorKind::ServerError));
        assert_eq!(error.message, "<html>Bad Gateway</html>");
        let empty = decode_error(503, b"");
        assert_eq!(empty.kind, ErrorKind::Overloaded);
        assert_eq!(empty.message, "Gemini answered HTTP 503");
        let odd = decode_error(
            500,
            br#"{"error":{"code":"boom","message":"x","details":{}}}"#,
        );
        assert_eq!(
            (odd.status, odd.message.as_str()),
            (500, "x"),
            "odd fields must not lose the message"
        );
    }

    fn api_error(status: u16, kind: ErrorKind) -> ApiError {
        ApiError {
            status,
            kind,
            message: "m".into(),
            code: None,
        }
    }

    #[test]
    fn client_errors_carry_googles_status_names_by_http_status() {
        for (status, kind, expected, rpc) in [
            (400, ErrorKind::InvalidRequest, 400, "INVALID_ARGUMENT"),
            (401, ErrorKind::Authentication, 401, "UNAUTHENTICATED"),
            (403, ErrorKind::PermissionDenied, 403, "PERMISSION_DENIED"),
            (404, ErrorKind::NotFound, 404, "NOT_FOUND"),
            (413, ErrorKind::RequestTooLarge, 400, "INVALID_ARGUMENT"),
            (429, ErrorKind::RateLimited, 429, "RESOURCE_EXHAUSTED"),
            (500, ErrorKind::ServerError, 500, "INTERNAL"),
            (503, ErrorKind::Overloaded, 503, "UNAVAILABLE"),
            (529, ErrorKind::Overloaded, 503, "UNAVAILABLE"),
            (504, ErrorKind::Timeout, 504, "DEADLINE_EXCEEDED"),
        ] {
            let (sent, body) = encode_client_error(&api_error(status, kind));
            assert_eq!(
                (sent, body),
                (
                    expected,
                    json!({"error": {"code": expected, "message": "m", "status": rpc}})
                ),
                "HTTP {status}"
            );
        }
    }

    #[test]
    fn statuses_google_never_sends_follow_the_kind() {
        for (status, kind, expected, rpc) in [
            (408, ErrorKind::Timeout, 504, "DEADLINE_EXCEEDED"),
            (422, ErrorKind::InvalidRequest, 400, "INVALID_ARGUMENT"),
            (502, ErrorKind::ServerError, 500, "INTERNAL"),
            (502, ErrorKind::Overloaded, 503, "UNAVAILABLE"),
            (200, ErrorKind::RateLimited, 429, "RESOURCE_EXHAUSTED"),
        ] {
            let (sent, body) = encode_client_error(&api_error(status, kind));
            assert_eq!(
                (sent, body["error"]["status"].as_str()),
                (expected, Some(rpc)),
                "HTTP {status} {kind:?}"
            );
        }
    }

    #[test]
    fn an_encoded_error_decodes_back_to_the_same_kind() {
        for kind in [
            ErrorKind::InvalidRequest,
            ErrorKind::Authentication,
            ErrorKind::PermissionDenied,
            ErrorKind::NotFound,
            ErrorKind::RateLimited,
            ErrorKind::Overloaded,
            ErrorKind::Timeout,
            ErrorKind::ServerError,
        ] {
            let (status, body) = encode_client_error(&api_error(default_status(kind), kind));
            let decoded = decode_error(status, body.to_string().as_bytes());
            assert_eq!((decoded.kind, decoded.message.as_str()), (kind, "m"));
        }
    }
}
