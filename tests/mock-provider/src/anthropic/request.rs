//! A Messages (or count_tokens) request body, checked as strictly as the real
//! API checks it and parsed into the view the answer is planned from.
//!
//! The mock exists to catch translation bugs, so everything the real service
//! rejects with a 400 is rejected here too, with its `path: reason` message
//! style: unknown fields, missing `max_tokens`, malformed tools, thinking
//! budgets, sampling parameters the API version forbids, and every rule
//! about messages and content blocks. This module owns the top-level fields
//! and delegates: [`tools`], [`thinking`] (with sampling), [`content`] (one
//! message and its blocks), [`turns`] (rules across messages).

mod content;
mod thinking;
mod tools;
mod turns;

pub(crate) use content::{Block, Message, Role};
pub(crate) use thinking::Thinking;
pub(crate) use tools::{Tool, ToolChoice};

use serde_json::{Map, Value};

use super::ApiError;

/// Which endpoint a body is for: they accept different top-level fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /v1/messages`.
    Messages,
    /// `POST /v1/messages/count_tokens`.
    CountTokens,
}

/// The `anthropic-version` a request was sent with, as far as it changes
/// what the API accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ApiVersion {
    /// `2023-06-01` (and anything dated before 2026-10-21).
    V2023_06_01,
    /// `2026-10-21` and later: no `temperature`/`top_p`/`top_k`, no document
    /// blocks in assistant messages, no citations on user text blocks.
    V2026_10_21,
}

impl ApiVersion {
    /// Reads the header value; dates compare as strings, so any value sorting
    /// at or after `2026-10-21` gets that version's rules.
    pub fn from_header(value: &str) -> ApiVersion {
        if value.trim() >= "2026-10-21" {
            ApiVersion::V2026_10_21
        } else {
            ApiVersion::V2023_06_01
        }
    }
}

/// Top-level fields `POST /v1/messages` accepts (beta ones included, as Claude
/// Code sends them with `?beta=true`). `mock` is the mock's own.
const MESSAGES_FIELDS: &[&str] = &[
    "model",
    "messages",
    "max_tokens",
    "system",
    "metadata",
    "stop_sequences",
    "stream",
    "temperature",
    "top_k",
    "top_p",
    "tools",
    "tool_choice",
    "thinking",
    "service_tier",
    "container",
    "mcp_servers",
    "context_management",
    "output_config",
    "output_format",
    "cache_control",
    "inference_geo",
    "speed",
    "mock",
];

/// Top-level fields `POST /v1/messages/count_tokens` accepts.
const COUNT_TOKENS_FIELDS: &[&str] = &[
    "model",
    "messages",
    "system",
    "tools",
    "tool_choice",
    "thinking",
    "mcp_servers",
    "context_management",
    "output_config",
    "output_format",
    "cache_control",
    "speed",
    "mock",
];

/// Most `cache_control` breakpoints one request may carry.
const MAX_BREAKPOINTS: usize = 4;

/// How long a `cache_control` breakpoint keeps its prefix cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ttl {
    FiveMinutes,
    OneHour,
}

/// A checked request.
#[derive(Debug)]
pub(crate) struct Request<'a> {
    pub(crate) model: &'a str,
    pub(crate) system: Vec<Block<'a>>,
    pub(crate) messages: Vec<Message<'a>>,
    pub(crate) tools: Vec<Tool<'a>>,
    pub(crate) tool_choice: ToolChoice<'a>,
    pub(crate) thinking: Thinking,
    /// None on count_tokens.
    pub(crate) max_tokens: Option<u64>,
    pub(crate) stop_sequences: Vec<&'a str>,
    pub(crate) stream: bool,
    /// Top-level `cache_control`: a breakpoint on the last cacheable block.
    pub(crate) cache_control: Option<Ttl>,
}

/// Checks `body` for `endpoint` under `version`'s rules.
pub(crate) fn check(
    body: &Value,
    endpoint: Endpoint,
    version: ApiVersion,
) -> Result<Request<'_>, ApiError> {
    let fields = object(body, "body")?;
    let allowed = match endpoint {
        Endpoint::Messages => MESSAGES_FIELDS,
        Endpoint::CountTokens => COUNT_TOKENS_FIELDS,
    };
    only_keys(fields, allowed, "")?;
    let model = string(fields, "model", "model")?;
    let max_tokens = match endpoint {
        Endpoint::Messages => Some(max_tokens(fields)?),
        Endpoint::CountTokens => None,
    };
    let system = system(fields.get("system"))?;
    let tools = tools::tools(fields.get("tools"))?;
    let tool_choice = tools::tool_choice(fields.get("tool_choice"), &tools)?;
    let thinking = thinking::thinking(fields.get("thinking"), max_tokens)?;
    thinking::sampling(fields, version, thinking)?;
    if thinking != Thinking::Off
        && matches!(
            tool_choice,
            ToolChoice::Any { .. } | ToolChoice::Tool { .. }
        )
    {
        return Err(ApiError::invalid_request(
            "Thinking may not be enabled when tool_choice forces tool use.",
        ));
    }
    let messages_value = fields
        .get("messages")
        .ok_or_else(|| ApiError::required("messages"))?;
    let messages = turns::messages(messages_value, version)?;
    if thinking != Thinking::Off {
        turns::require_thinking_before_tool_loop(&messages)?;
    }
    let stop_sequences = stop_sequences(fields.get("stop_sequences"))?;
    metadata(fields.get("metadata"))?;
    let stream = match fields.get("stream") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(stream)) => *stream,
        Some(_) => {
            return Err(ApiError::invalid_request(
                "stream: Input should be a valid boolean",
            ));
        }
    };
    match fields.get("service_tier") {
        None | Some(Value::Null) => {}
        Some(Value::String(tier)) if tier == "auto" || tier == "standard_only" => {}
        Some(_) => {
            return Err(ApiError::invalid_request(
                "service_tier: Input should be 'auto' or 'standard_only'",
            ));
        }
    }
    let cache_control = cache_control(fields, "")?;
    let request = Request {
        model,
        system,
        messages,
        tools,
        tool_choice,
        thinking,
        max_tokens,
        stop_sequences,
        stream,
        cache_control,
    };
    let breakpoints = request.breakpoints();
    if breakpoints > MAX_BREAKPOINTS {
        return Err(ApiError::invalid_request(format!(
            "A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. Found {breakpoints}."
        )));
    }
    Ok(request)
}

impl Request<'_> {
    /// How many `cache_control` breakpoints the request carries.
    fn breakpoints(&self) -> usize {
        let tools = self.tools.iter().filter(|t| t.cache.is_some()).count();
        let blocks = self
            .system
            .iter()
            .chain(self.messages.iter().flat_map(|m| m.blocks.iter()))
            .filter(|b| b.cache().is_some())
            .count();
        tools + blocks + usize::from(self.cache_control.is_some())
    }
}

/// `max_tokens`: required, an integer ≥ 0 (0 only warms the prompt cache).
fn max_tokens(fields: &Map<String, Value>) -> Result<u64, ApiError> {
    match fields.get("max_tokens") {
        None | Some(Value::Null) => Err(ApiError::required("max_tokens")),
        Some(Value::Number(n)) if n.is_u64() => Ok(n.as_u64().unwrap_or(0)),
        Some(Value::Number(n)) if n.is_i64() => Err(ApiError::invalid_request(
            "max_tokens: Input should be greater than or equal to 0",
        )),
        Some(_) => Err(ApiError::invalid_request(
            "max_tokens: Input should be a valid integer",
        )),
    }
}

/// `system`: a string or a list of text blocks.
fn system(value: Option<&Value>) -> Result<Vec<Block<'_>>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(text)) if text.is_empty() => Ok(Vec::new()),
        Some(Value::String(text)) => Ok(vec![Block::Text { text, cache: None }]),
        Some(Value::Array(blocks)) => blocks
            .iter()
            .enumerate()
            .map(|(i, block)| {
                let path = format!("system.{i}");
                let fields = object(block, &path)?;
                if fields.get("type").and_then(Value::as_str) != Some("text") {
                    return Err(ApiError::invalid_request(format!(
                        "{path}.type: Input should be 'text'"
                    )));
                }
                content::text_block(fields, &path)
            })
            .collect(),
        Some(_) => Err(ApiError::invalid_request(
            "system: Input should be a valid string or a list of text blocks",
        )),
    }
}

/// `stop_sequences`: a list of strings with non-whitespace text.
fn stop_sequences(value: Option<&Value>) -> Result<Vec<&str>, ApiError> {
    let sequences = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(sequences)) => sequences,
        Some(_) => {
            return Err(ApiError::invalid_request(
                "stop_sequences: Input should be a valid list",
            ));
        }
    };
    sequences
        .iter()
        .enumerate()
        .map(|(i, s)| match s.as_str() {
            Some(s) if !s.trim().is_empty() => Ok(s),
            Some(_) => Err(ApiError::invalid_request(
                "stop_sequences: each stop sequence must contain non-whitespace",
            )),
            None => Err(ApiError::invalid_request(format!(
                "stop_sequences.{i}: Input should be a valid string"
            ))),
        })
        .collect()
}

/// `metadata`: only `user_id`.
fn metadata(value: Option<&Value>) -> Result<(), ApiError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(());
    };
    let fields = object(value, "metadata")?;
    only_keys(fields, &["user_id"], "metadata")?;
    match fields.get("user_id") {
        None | Some(Value::Null | Value::String(_)) => Ok(()),
        Some(_) => Err(ApiError::invalid_request(
            "metadata.user_id: Input should be a valid string",
        )),
    }
}

/// The `cache_control` of an object at `path`: `{"type": "ephemeral", "ttl"?: "5m" | "1h"}`.
pub(crate) fn cache_control(
    fields: &Map<String, Value>,
    path: &str,
) -> Result<Option<Ttl>, ApiError> {
    let Some(value) = fields.get("cache_control").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let path = join(path, "cache_control");
    let control = object(value, &path)?;
    only_keys(control, &["type", "ttl"], &path)?;
    if control.get("type").and_then(Value::as_str) != Some("ephemeral") {
        return Err(ApiError::invalid_request(format!(
            "{path}.type: Input should be 'ephemeral'"
        )));
    }
    match control.get("ttl") {
        None | Some(Value::Null) => Ok(Some(Ttl::FiveMinutes)),
        Some(Value::String(ttl)) if ttl == "5m" => Ok(Some(Ttl::FiveMinutes)),
        Some(Value::String(ttl)) if ttl == "1h" => Ok(Some(Ttl::OneHour)),
        Some(_) => Err(ApiError::invalid_request(format!(
            "{path}.ttl: Input should be '5m' or '1h'"
        ))),
    }
}

/// `value` as an object, else `path: Input should be a valid dictionary`.
pub(crate) fn object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ApiError> {
    value.as_object().ok_or_else(|| {
        ApiError::invalid_request(format!("{path}: Input should be a valid dictionary"))
    })
}

/// Rejects any key of `fields` not in `allowed`, as `path.key: Extra inputs are not permitted`.
pub(crate) fn only_keys(
    fields: &Map<String, Value>,
    allowed: &[&str],
    path: &str,
) -> Result<(), ApiError> {
    match fields.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(extra) => Err(ApiError::extra_input(&join(path, extra))),
        None => Ok(()),
    }
}

/// The required string `fields[key]`, reported at `path`.
pub(crate) fn string<'a>(
    fields: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a str, ApiError> {
    match fields.get(key) {
        None | Some(Value::Null) => Err(ApiError::required(path)),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(ApiError::invalid_request(format!(
            "{path}: Input should be a valid string"
        ))),
    }
}

/// `parent.key`, or `key` at the top level.
pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn error_of(body: Value) -> String {
        check(&body, Endpoint::Messages, ApiVersion::V2023_06_01)
            .err()
            .map(|e| e.message)
            .unwrap_or_default()
    }

    fn base() -> Value {
        json!({"model": "m", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]})
    }

    #[test]
    fn versions_are_dates_compared_as_text() {
        assert_eq!(
            ApiVersion::from_header("2023-06-01"),
            ApiVersion::V2023_06_01
        );
        assert_eq!(
            ApiVersion::from_header("2026-10-21"),
            ApiVersion::V2026_10_21
        );
        assert_eq!(
            ApiVersion::from_header("2027-01-01"),
            ApiVersion::V2026_10_21
        );
    }

    #[test]
    fn a_minimal_request_parses() {
        let body = base();
        let request = check(&body, Endpoint::Messages, ApiVersion::V2023_06_01).unwrap();
        assert_eq!(request.model, "m");
        assert_eq!(request.max_tokens, Some(64));
        assert_eq!(request.tool_choice, ToolChoice::Auto { parallel: true });
        assert_eq!(request.thinking, Thinking::Off);
    }

    #[test]
    fn count_tokens_rejects_generation_fields() {
        let body = base();
        let error = check(&body, Endpoint::CountTokens, ApiVersion::V2023_06_01)
            .err()
            .unwrap();
        assert_eq!(error.message, "max_tokens: Extra inputs are not permitted");
    }

    #[test]
    fn more_than_four_breakpoints_are_rejected() {
        let mut body = base();
        let block = json!({"type": "text", "text": "x", "cache_control": {"type": "ephemeral"}});
        body["system"] = json!([block, block, block, block, block]);
        assert_eq!(
            error_of(body),
            "A maximum of 4 blocks with cache_control may be provided. Found 5."
        );
    }

    #[test]
    fn cache_control_ttl_must_be_five_minutes_or_one_hour() {
        let mut body = base();
        body["system"] = json!([{"type": "text", "text": "x", "cache_control": {"type": "ephemeral", "ttl": "2h"}}]);
        assert_eq!(
            error_of(body),
            "system.0.text.cache_control.ttl: Input should be '5m' or '1h'"
        );
    }
}
