//! Errors in OpenAI's shape, both ways.
//!
//! OpenAI clients decide what to do from the HTTP status (the SDKs retry 408/409/429/5xx and
//! raise a typed exception per status) and show `error.message`; `type` and `code` are for
//! humans and logs. So the status is kept as the provider gave it, except Anthropic's 529,
//! which OpenAI never sends and clients know as 503.

use serde_json::Value;

use super::wire::{ErrorBody, ErrorDetail};
use crate::canonical::{ApiError, ErrorKind};

/// The status and `{"error": {message, type, param, code}}` body a client sees.
pub fn encode_error(err: &ApiError) -> (u16, Value) {
    let (status, kind, code) = match err.kind {
        ErrorKind::InvalidRequest => (400, "invalid_request_error", None),
        ErrorKind::Authentication => (401, "authentication_error", Some("invalid_api_key")),
        ErrorKind::PermissionDenied => (403, "permission_error", None),
        ErrorKind::NotFound => (404, "not_found_error", None),
        ErrorKind::RequestTooLarge => (413, "invalid_request_error", Some("request_too_large")),
        // OpenAI's rate-limit `type` is what ran out: `requests` or `tokens`.
        ErrorKind::RateLimited => (429, "requests", Some("rate_limit_exceeded")),
        ErrorKind::Overloaded => (503, "server_error", Some("overloaded")),
        ErrorKind::ServerError => (500, "server_error", None),
        ErrorKind::Timeout => (504, "timeout", Some("timeout")),
    };
    let status = match err.status {
        529 => 503,
        given @ 400..=599 => given,
        _ => status,
    };
    let body = ErrorBody {
        error: ErrorDetail {
            message: err.message.clone(),
            kind: Some(kind.to_owned()),
            param: None,
            code: err.code.clone().or_else(|| code.map(str::to_owned)),
        },
    };
    let value = serde_json::to_value(&body).unwrap_or(Value::Null);
    (status, value)
}

/// Reads a provider's error answer. Compatible servers vary: besides OpenAI's shape they send
/// `{"error": "text"}`, `{"message": …}`, `{"detail": …}` (FastAPI-based servers), a one-element
/// array (Gemini's OpenAI endpoint), numeric codes, or plain text.
pub fn decode_error(status: u16, body: &[u8]) -> ApiError {
    let value: Option<Value> = serde_json::from_slice(body).ok();
    let value = match value {
        Some(Value::Array(items)) => items.into_iter().next(),
        other => other,
    };
    let (message, kind, code) = match &value {
        Some(value @ Value::Object(_)) => read_object(value),
        _ => (None, None, None),
    };
    let message = message.unwrap_or_else(|| {
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        if text.is_empty() {
            format!("The provider answered with HTTP {status} and no message.")
        } else {
            text.chars().take(2000).collect()
        }
    });
    let by_type = kind.as_deref().and_then(kind_of_type);
    let kind = match (status, by_type) {
        // A status says the most; the body's type only where the status is vague.
        (400..=599, Some(kind)) if matches!(status, 400 | 500) => kind,
        (400..=599, _) => ErrorKind::from_status(status),
        (_, Some(kind)) => kind,
        _ => ErrorKind::ServerError,
    };
    ApiError {
        status,
        kind,
        message,
        code,
    }
}

/// Reads an error event in the middle of a provider's stream, which comes with no status of its
/// own: the status is the one its type or numeric code implies.
pub(super) fn decode_stream_error(value: &Value) -> ApiError {
    let (message, kind, code) = read_object(value);
    let numeric = code
        .as_deref()
        .and_then(|c| c.parse::<u16>().ok())
        .filter(|c| (400..=599).contains(c));
    let kind = match (numeric, kind.as_deref().and_then(kind_of_type)) {
        (Some(status), _) => ErrorKind::from_status(status),
        (None, Some(kind)) => kind,
        (None, None) => ErrorKind::ServerError,
    };
    ApiError {
        status: numeric.unwrap_or_else(|| status_of(kind)),
        kind,
        message: message.unwrap_or_else(|| "The provider's stream failed.".into()),
        code,
    }
}

/// Message, type and code of an error object, wherever the server put them.
fn read_object(value: &Value) -> (Option<String>, Option<String>, Option<String>) {
    let inner = value
        .get("error")
        .filter(|e| e.is_object())
        .unwrap_or(value);
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    };
    let message = inner
        .get("message")
        .and_then(text)
        .or_else(|| {
            value
                .get("error")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .or_else(|| value.get("detail").and_then(text))
        .filter(|m| !m.is_empty());
    let kind = inner.get("type").and_then(Value::as_str).map(str::to_owned);
    let code = inner.get("code").and_then(text);
    (message, kind, code)
}

fn kind_of_type(kind: &str) -> Option<ErrorKind> {
    Some(match kind {
        "invalid_request_error" | "invalid_request" => ErrorKind::InvalidRequest,
        "authentication_error" => ErrorKind::Authentication,
        "permission_error" | "permission_denied" => ErrorKind::PermissionDenied,
        "not_found_error" => ErrorKind::NotFound,
        "requests"
        | "tokens"
        | "rate_limit_exceeded"
        | "rate_limit_error"
        | "insufficient_quota" => ErrorKind::RateLimited,
        "overloaded_error" => ErrorKind::Overloaded,
        "server_error" | "api_error" | "internal_error" => ErrorKind::ServerError,
        "timeout" | "timeout_error" => ErrorKind::Timeout,
        _ => return None,
    })
}

fn status_of(kind: ErrorKind) -> u16 {
    match kind {
        ErrorKind::InvalidRequest => 400,
        ErrorKind::Authentication => 401,
        ErrorKind::PermissionDenied => 403,
        ErrorKind::NotFound => 404,
        ErrorKind::RequestTooLarge => 413,
        ErrorKind::RateLimited => 429,
        ErrorKind::Overloaded => 503,
        ErrorKind::ServerError => 500,
        ErrorKind::Timeout => 504,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn openai_shaped_errors_keep_message_type_and_code() {
        let err = decode_error(
            400,
            br#"{"error":{"message":"This model's maximum context length is 128000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#,
        );
        assert_eq!(err.kind, ErrorKind::InvalidRequest);
        assert_eq!(err.code.as_deref(), Some("context_length_exceeded"));
        assert!(err.message.starts_with("This model's maximum"));
    }

    #[test]
    fn numeric_codes_plain_text_and_odd_shapes_are_all_read() {
        let err = decode_error(429, br#"{"error":{"message":"slow down","code":429}}"#);
        assert_eq!(
            (err.kind, err.code.as_deref()),
            (ErrorKind::RateLimited, Some("429"))
        );

        let err = decode_error(502, b"<html>Bad Gateway</html>\n");
        assert_eq!(err.message, "<html>Bad Gateway</html>");
        assert_eq!(err.kind, ErrorKind::ServerError);

        let err = decode_error(
            400,
            br#"[{"error":{"code":400,"message":"API key not valid","status":"INVALID_ARGUMENT"}}]"#,
        );
        assert_eq!(err.message, "API key not valid");

        let err = decode_error(422, br#"{"detail":[{"msg":"field required"}]}"#);
        assert!(err.message.contains("field required"), "{}", err.message);

        let err = decode_error(503, b"");
        assert_eq!(err.kind, ErrorKind::Overloaded);
        assert!(err.message.contains("503"));

        let err = decode_error(400, br#"{"error":"model not loaded"}"#);
        assert_eq!(err.message, "model not loaded");
    }

    #[test]
    fn a_vague_status_defers_to_the_body_type() {
        let err = decode_error(
            400,
            br#"{"error":{"message":"bad key","type":"authentication_error"}}"#,
        );
        assert_eq!(err.kind, ErrorKind::Authentication);
    }

    #[test]
    fn client_errors_use_openai_types_and_statuses() {
        let err = ApiError {
            status: 529,
            kind: ErrorKind::Overloaded,
            message: "Overloaded".into(),
            code: None,
        };
        assert_eq!(
            encode_error(&err),
            (
                503,
                json!({"error": {"message": "Overloaded", "type": "server_error", "param": null, "code": "overloaded"}})
            ),
            "529 is Anthropic's; OpenAI clients retry 503"
        );
        let err = ApiError {
            status: 429,
            kind: ErrorKind::RateLimited,
            message: "slow down".into(),
            code: None,
        };
        let (status, body) = encode_error(&err);
        assert_eq!(status, 429);
        assert_eq!(body["error"]["type"], "requests");
        assert_eq!(body["error"]["code"], "rate_limit_exceeded");
        let err = ApiError {
            status: 0,
            kind: ErrorKind::NotFound,
            message: "no such model".into(),
            code: Some("model_not_found".into()),
        };
        let (status, body) = encode_error(&err);
        assert_eq!(status, 404, "a missing status comes from the kind");
        assert_eq!(body["error"]["type"], "not_found_error");
        assert_eq!(body["error"]["code"], "model_not_found");
    }

    #[test]
    fn mid_stream_errors_take_their_status_from_code_or_type() {
        let err = decode_stream_error(&json!({"error": {"message": "quota", "code": 429}}));
        assert_eq!((err.status, err.kind), (429, ErrorKind::RateLimited));
        let err = decode_stream_error(&json!({"error": {"message": "x", "type": "server_error"}}));
        assert_eq!((err.status, err.kind), (500, ErrorKind::ServerError));
        let err = decode_stream_error(&json!({"error": "plain"}));
        assert_eq!(err.message, "plain");
    }
}
