//! Reading typed fields of a request body, and OpenAI's wording for what
//! is wrong with them: `Missing required parameter`, `Unknown parameter`,
//! `Invalid type for`, `Invalid value: … Supported values are`, and the
//! range errors, each with the `param` path and `code` OpenAI gives.

use serde_json::{Map, Value};

use crate::openai::ApiError;

/// `fields[key]`, unless absent or null.
pub(super) fn present<'a>(fields: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    fields.get(key).filter(|v| !v.is_null())
}

/// `value` as an object, else an `invalid_type` error at `path`.
pub(super) fn object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ApiError> {
    value
        .as_object()
        .ok_or_else(|| invalid_type(path, "an object", value))
}

/// Rejects the first key of `fields` not in `allowed`: `Unknown parameter: 'path.key'.`
pub(super) fn only_keys(
    fields: &Map<String, Value>,
    allowed: &[&str],
    path: &str,
) -> Result<(), ApiError> {
    match fields.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(extra) => {
            let param = join(path, extra);
            Err(
                ApiError::invalid_request(format!("Unknown parameter: '{param}'."))
                    .param(&param)
                    .code("unknown_parameter"),
            )
        }
        None => Ok(()),
    }
}

/// The optional string `fields[key]`.
pub(super) fn string<'a>(
    fields: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, ApiError> {
    match present(fields, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(invalid_type(path, "a string", other)),
    }
}

/// The required string `fields[key]`.
pub(super) fn required_string<'a>(
    fields: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a str, ApiError> {
    string(fields, key, path)?.ok_or_else(|| ApiError::missing(path))
}

/// The optional boolean `fields[key]`.
pub(super) fn boolean(
    fields: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<bool>, ApiError> {
    match present(fields, key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(invalid_type(path, "a boolean", other)),
    }
}

/// The optional integer `fields[key]`.
pub(super) fn integer(
    fields: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<i64>, ApiError> {
    match present(fields, key) {
        None => Ok(None),
        Some(Value::Number(n)) if n.is_i64() => Ok(n.as_i64()),
        Some(Value::Number(n)) if n.is_u64() => Ok(Some(i64::MAX)),
        Some(other) => Err(invalid_type(path, "an integer", other)),
    }
}

/// The optional string `fields[key]`, one of `allowed`.
pub(super) fn enumerated<'a>(
    fields: &'a Map<String, Value>,
    key: &str,
    path: &str,
    allowed: &[&str],
) -> Result<Option<&'a str>, ApiError> {
    match string(fields, key, path)? {
        Some(value) if !allowed.contains(&value) => Err(invalid_value(path, value, allowed)),
        value => Ok(value),
    }
}

/// The optional number `fields[key]`, between 0 and `max`.
pub(super) fn number_in(fields: &Map<String, Value>, key: &str, max: f64) -> Result<(), ApiError> {
    match present(fields, key) {
        None => Ok(()),
        Some(Value::Number(n)) => {
            let n = n.as_f64().unwrap_or(f64::MAX);
            if (0.0..=max).contains(&n) {
                Ok(())
            } else {
                Err(out_of_range(key, 0.0, max, n))
            }
        }
        Some(other) => Err(invalid_type(key, "a number", other)),
    }
}

/// `Invalid type for 'path': expected X, but got Y instead.`
pub(super) fn invalid_type(path: &str, expected: &str, got: &Value) -> ApiError {
    ApiError::invalid_request(format!(
        "Invalid type for '{path}': expected {expected}, but got {} instead.",
        json_type(got)
    ))
    .param(path)
    .code("invalid_type")
}

/// `Invalid value: 'v'. Supported values are: 'a', 'b', and 'c'.`
pub(super) fn invalid_value(path: &str, value: &str, allowed: &[&str]) -> ApiError {
    let quoted: Vec<String> = allowed.iter().map(|a| format!("'{a}'")).collect();
    let list = match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [first, second] => format!("{first} and {second}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    };
    ApiError::invalid_request(format!(
        "Invalid value: '{value}'. Supported values are: {list}."
    ))
    .param(path)
    .code("invalid_value")
}

pub(super) fn below_min(path: &str, min: u64, got: i64) -> ApiError {
    ApiError::invalid_request(format!(
        "Invalid '{path}': integer below minimum value. Expected a value >= {min}, but got \
         {got} instead."
    ))
    .param(path)
    .code("integer_below_min_value")
}

pub(super) fn out_of_range(path: &str, min: f64, max: f64, got: f64) -> ApiError {
    let (code, bound, word) = if got < min {
        ("decimal_below_min_value", min, ">=")
    } else {
        ("decimal_above_max_value", max, "<=")
    };
    ApiError::invalid_request(format!(
        "Invalid '{path}': decimal {} value. Expected a value {word} {bound}, but got {got} \
         instead.",
        if got < min {
            "below minimum"
        } else {
            "above maximum"
        }
    ))
    .param(path)
    .code(code)
}

/// `parent.key`, or `key` at the top level.
pub(super) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// How OpenAI names a JSON value's type in its errors.
pub(super) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a decimal",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
