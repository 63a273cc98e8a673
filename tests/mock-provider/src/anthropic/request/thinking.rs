//! `thinking` and the sampling parameters it constrains: budgets of at
//! least 1024 below `max_tokens`, `temperature`/`top_k`/`top_p` left at
//! their defaults while thinking, and (from API version 2026-10-21) no
//! sampling parameters at all.

use serde_json::{Map, Value};

use super::{ApiVersion, object, only_keys, string};
use crate::anthropic::ApiError;

/// `thinking`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Thinking {
    Off,
    /// `enabled` or `adaptive`; `omitted` when `display: "omitted"`.
    On {
        omitted: bool,
    },
}

/// `thinking`: enabled (budget ≥ 1024 and < max_tokens), adaptive or disabled.
pub(super) fn thinking(
    value: Option<&Value>,
    max_tokens: Option<u64>,
) -> Result<Thinking, ApiError> {
    let fields = match value {
        None | Some(Value::Null) => return Ok(Thinking::Off),
        Some(value) => object(value, "thinking")?,
    };
    let kind = string(fields, "type", "thinking.type")?;
    let path = format!("thinking.{kind}");
    let omitted = |fields: &Map<String, Value>| match fields.get("display") {
        None | Some(Value::Null) => Ok(false),
        Some(Value::String(d)) if d == "summarized" => Ok(false),
        Some(Value::String(d)) if d == "omitted" => Ok(true),
        Some(_) => Err(ApiError::invalid_request(format!(
            "{path}.display: Input should be 'summarized' or 'omitted'"
        ))),
    };
    match kind {
        "enabled" => {
            only_keys(fields, &["type", "budget_tokens", "display"], &path)?;
            let budget = match fields.get("budget_tokens") {
                None | Some(Value::Null) => {
                    return Err(ApiError::required(&format!("{path}.budget_tokens")));
                }
                Some(Value::Number(n)) if n.is_i64() || n.is_u64() => {
                    n.as_i64().unwrap_or(i64::MAX)
                }
                Some(_) => {
                    return Err(ApiError::invalid_request(format!(
                        "{path}.budget_tokens: Input should be a valid integer"
                    )));
                }
            };
            if budget < 1024 {
                return Err(ApiError::invalid_request(format!(
                    "{path}.budget_tokens: Input should be greater than or equal to 1024"
                )));
            }
            if let Some(max_tokens) = max_tokens
                && u64::try_from(budget).unwrap_or(u64::MAX) >= max_tokens
            {
                return Err(ApiError::invalid_request(
                    "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult \
                     our documentation at https://docs.claude.com/en/docs/build-with-claude/\
                     extended-thinking#max-tokens-and-context-window-size",
                ));
            }
            Ok(Thinking::On {
                omitted: omitted(fields)?,
            })
        }
        "adaptive" => {
            only_keys(fields, &["type", "display"], &path)?;
            Ok(Thinking::On {
                omitted: omitted(fields)?,
            })
        }
        "disabled" => {
            only_keys(fields, &["type"], &path)?;
            Ok(Thinking::Off)
        }
        other => Err(ApiError::invalid_request(format!(
            "thinking: Input tag '{other}' found using 'type' does not match any of the expected \
             tags: 'enabled', 'disabled', 'adaptive'"
        ))),
    }
}

/// `temperature`, `top_p`, `top_k`: gone in 2026-10-21; before it, in range
/// and, with thinking on, left at their defaults.
pub(super) fn sampling(
    fields: &Map<String, Value>,
    version: ApiVersion,
    thinking: Thinking,
) -> Result<(), ApiError> {
    let present = |key: &str| fields.get(key).filter(|v| !v.is_null());
    for key in ["temperature", "top_p", "top_k"] {
        if version >= ApiVersion::V2026_10_21 && present(key).is_some() {
            return Err(ApiError::invalid_request(format!(
                "{key}: `{key}` is not supported in API version 2026-10-21; remove it from the \
                 request (it is rejected even at its default value)"
            )));
        }
    }
    let number = |key: &str, max: f64| -> Result<Option<f64>, ApiError> {
        let Some(value) = present(key) else {
            return Ok(None);
        };
        let n = value.as_f64().ok_or_else(|| {
            ApiError::invalid_request(format!("{key}: Input should be a valid number"))
        })?;
        if n < 0.0 {
            return Err(ApiError::invalid_request(format!(
                "{key}: Input should be greater than or equal to 0"
            )));
        }
        if n > max {
            return Err(ApiError::invalid_request(format!(
                "{key}: Input should be less than or equal to {max}"
            )));
        }
        Ok(Some(n))
    };
    let temperature = number("temperature", 1.0)?;
    let top_p = number("top_p", 1.0)?;
    let top_k = match present("top_k") {
        None => None,
        Some(Value::Number(n)) if n.is_u64() => n.as_u64(),
        Some(_) => {
            return Err(ApiError::invalid_request(
                "top_k: Input should be a valid integer greater than or equal to 0",
            ));
        }
    };
    if thinking == Thinking::Off {
        return Ok(());
    }
    if temperature.is_some_and(|t| (t - 1.0).abs() > f64::EPSILON) {
        return Err(ApiError::invalid_request(
            "`temperature` may only be set to 1 when thinking is enabled. Please consult our \
             documentation at https://docs.claude.com/en/docs/build-with-claude/\
             extended-thinking#feature-compatibility",
        ));
    }
    if top_k.is_some() {
        return Err(ApiError::invalid_request(
            "`top_k` must be unset when thinking is enabled. Please consult our documentation \
             at https://docs.claude.com/en/docs/build-with-claude/\
             extended-thinking#feature-compatibility",
        ));
    }
    if top_p.is_some_and(|p| p < 0.95) {
        return Err(ApiError::invalid_request(
            "`top_p` must be greater than or equal to 0.95 or unset when thinking is enabled. \
             Please consult our documentation at https://docs.claude.com/en/docs/\
             build-with-claude/extended-thinking#feature-compatibility",
        ));
    }
    Ok(())
}
