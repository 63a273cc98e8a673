//! A `POST /v1/responses` body, checked the way the real API checks it and
//! parsed into the view the answer is planned from.
//!
//! The mock exists to catch translation bugs, so what OpenAI rejects with a
//! 400 is rejected here too, in OpenAI's words and with its `param` paths
//! (`input[2].content[0].type`): unknown parameters, wrong types, values
//! outside their enums, `max_output_tokens` below 16, `json_object` output
//! without the word "json" in the input. This file owns the top-level
//! settings; [`input`] owns the items of `input` and [`tools`] the tools,
//! `tool_choice` and the strict-schema rules. Rules that need server state
//! (the previous response, stored items) live in `history`.

mod fields;
mod input;
mod tools;

pub(crate) use input::{CallKind, Item, Role};
pub(crate) use tools::{Tool, ToolChoice, ToolKind, strict_schema_error};

use serde_json::{Map, Value};

use self::fields::{
    below_min, boolean, enumerated, integer, invalid_type, invalid_value, json_type, number_in,
    object, only_keys, out_of_range, present, required_string, string,
};
use crate::openai::ApiError;

/// Top-level fields the endpoint accepts; `mock` is the mock's own.
/// `client_metadata` is what Codex CLI sends next to the documented ones.
const FIELDS: &[&str] = &[
    "background",
    "client_metadata",
    "conversation",
    "include",
    "input",
    "instructions",
    "max_output_tokens",
    "max_tool_calls",
    "metadata",
    "model",
    "parallel_tool_calls",
    "previous_response_id",
    "prompt",
    "prompt_cache_key",
    "prompt_cache_retention",
    "reasoning",
    "safety_identifier",
    "service_tier",
    "store",
    "stream",
    "stream_options",
    "temperature",
    "text",
    "tool_choice",
    "tools",
    "top_logprobs",
    "top_p",
    "truncation",
    "user",
    "mock",
];

/// Values `include` accepts.
const INCLUDABLE: &[&str] = &[
    "code_interpreter_call.outputs",
    "computer_call_output.output.image_url",
    "file_search_call.results",
    "message.input_image.image_url",
    "message.output_text.logprobs",
    "reasoning.encrypted_content",
    "web_search_call.action.sources",
    "web_search_call.results",
];

/// The include value that asks for reasoning items' `encrypted_content`.
pub(crate) const ENCRYPTED_CONTENT: &str = "reasoning.encrypted_content";

/// The smallest `max_output_tokens` the API accepts.
const MIN_OUTPUT_TOKENS: u64 = 16;

const EFFORTS: &[&str] = &["none", "minimal", "low", "medium", "high", "xhigh"];
const SUMMARIES: &[&str] = &["auto", "concise", "detailed"];
const VERBOSITIES: &[&str] = &["low", "medium", "high"];
const SERVICE_TIERS: &[&str] = &["auto", "default", "flex", "scale", "priority"];
const TRUNCATIONS: &[&str] = &["auto", "disabled"];
const CACHE_RETENTIONS: &[&str] = &["in-memory", "24h"];
const FORMATS: &[&str] = &["text", "json_schema", "json_object"];

/// A checked request.
#[derive(Debug)]
pub(crate) struct Request<'a> {
    pub(crate) model: &'a str,
    pub(crate) instructions: Option<&'a str>,
    pub(crate) items: Vec<Item<'a>>,
    pub(crate) tools: Vec<Tool<'a>>,
    pub(crate) tool_choice: ToolChoice<'a>,
    pub(crate) parallel_tool_calls: bool,
    pub(crate) reasoning: Reasoning<'a>,
    /// `include` has `reasoning.encrypted_content`.
    pub(crate) include_encrypted: bool,
    pub(crate) format: Format<'a>,
    pub(crate) max_output_tokens: Option<u64>,
    pub(crate) store: bool,
    pub(crate) stream: bool,
    /// `stream_options.include_obfuscation`, true unless turned off.
    pub(crate) obfuscation: bool,
    pub(crate) previous_response_id: Option<&'a str>,
}

/// `reasoning`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Reasoning<'a> {
    /// `reasoning.effort` as sent.
    pub(crate) effort: Option<&'a str>,
    /// `reasoning.summary` (or the deprecated `generate_summary`) as sent.
    pub(crate) summary: Option<&'a str>,
    /// Whether the model reasons: `reasoning` is set and its effort is not `none`.
    pub(crate) on: bool,
}

/// `text.format`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Format<'a> {
    Text,
    JsonObject,
    /// The `schema` of a `json_schema` format.
    JsonSchema(&'a Value),
}

/// Checks a whole body.
pub(crate) fn check(body: &Value) -> Result<Request<'_>, ApiError> {
    let fields = body.as_object().ok_or_else(|| {
        ApiError::invalid_request(format!(
            "Invalid type for body: expected an object, but got {} instead.",
            json_type(body)
        ))
        .code("invalid_type")
    })?;
    only_keys(fields, FIELDS, "")?;
    let model = required_string(fields, "model", "model")?;
    unsupported(fields)?;
    let items = input::items(fields.get("input"))?;
    let instructions = string(fields, "instructions", "instructions")?;
    let tools = tools::tools(fields.get("tools"))?;
    let tool_choice = tools::tool_choice(fields.get("tool_choice"), &tools)?;
    let reasoning = reasoning(fields.get("reasoning"))?;
    let format = text(fields.get("text"))?;
    if format == Format::JsonObject && !mentions_json(&items, instructions) {
        return Err(ApiError::invalid_request(
            "Response input messages must contain the word 'json' in some form to use \
             'text.format' of type 'json_object'.",
        )
        .param("input"));
    }
    let max_output_tokens = integer(fields, "max_output_tokens", "max_output_tokens")?;
    if let Some(max) = max_output_tokens
        && max < MIN_OUTPUT_TOKENS as i64
    {
        return Err(below_min("max_output_tokens", MIN_OUTPUT_TOKENS, max));
    }
    if let Some(max) = integer(fields, "max_tool_calls", "max_tool_calls")?
        && max < 1
    {
        return Err(below_min("max_tool_calls", 1, max));
    }
    if let Some(top) = integer(fields, "top_logprobs", "top_logprobs")?
        && !(0..=20).contains(&top)
    {
        return Err(out_of_range("top_logprobs", 0.0, 20.0, top as f64));
    }
    number_in(fields, "temperature", 2.0)?;
    number_in(fields, "top_p", 1.0)?;
    let include = include(fields.get("include"))?;
    metadata(fields.get("metadata"))?;
    for key in [
        "previous_response_id",
        "prompt_cache_key",
        "safety_identifier",
        "user",
    ] {
        string(fields, key, key)?;
    }
    enumerated(fields, "service_tier", "service_tier", SERVICE_TIERS)?;
    enumerated(fields, "truncation", "truncation", TRUNCATIONS)?;
    enumerated(
        fields,
        "prompt_cache_retention",
        "prompt_cache_retention",
        CACHE_RETENTIONS,
    )?;
    if let Some(value) = present(fields, "client_metadata") {
        object(value, "client_metadata")?;
    }
    let stream = boolean(fields, "stream", "stream")?.unwrap_or(false);
    let obfuscation = stream_options(fields, stream)?;
    Ok(Request {
        model,
        instructions,
        items,
        tools,
        tool_choice,
        parallel_tool_calls: boolean(fields, "parallel_tool_calls", "parallel_tool_calls")?
            .unwrap_or(true),
        reasoning,
        include_encrypted: include.contains(&ENCRYPTED_CONTENT),
        format,
        max_output_tokens: max_output_tokens.and_then(|m| u64::try_from(m).ok()),
        store: boolean(fields, "store", "store")?.unwrap_or(true),
        stream,
        obfuscation,
        previous_response_id: string(fields, "previous_response_id", "previous_response_id")?,
    })
}

/// Documented features the mock does not simulate: a clear 400 beats an
/// answer that silently ignores them.
fn unsupported(fields: &Map<String, Value>) -> Result<(), ApiError> {
    let refuse = |param: &str, what: &str| {
        Err(ApiError::invalid_request(format!(
            "mock-provider does not simulate {what}; remove '{param}' from the request."
        ))
        .param(param))
    };
    if present(fields, "conversation").is_some() {
        return refuse("conversation", "conversations");
    }
    if present(fields, "prompt").is_some() {
        return refuse("prompt", "prompt templates");
    }
    if boolean(fields, "background", "background")? == Some(true) {
        return refuse("background", "background responses");
    }
    Ok(())
}

/// `reasoning: {effort, summary, generate_summary}`.
fn reasoning(value: Option<&Value>) -> Result<Reasoning<'_>, ApiError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(Reasoning::default());
    };
    let fields = object(value, "reasoning")?;
    only_keys(
        fields,
        &["effort", "summary", "generate_summary"],
        "reasoning",
    )?;
    let effort = enumerated(fields, "effort", "reasoning.effort", EFFORTS)?;
    let summary = match enumerated(fields, "summary", "reasoning.summary", SUMMARIES)? {
        Some(summary) => Some(summary),
        None => enumerated(
            fields,
            "generate_summary",
            "reasoning.generate_summary",
            SUMMARIES,
        )?,
    };
    Ok(Reasoning {
        effort,
        summary,
        on: effort != Some("none"),
    })
}

/// `text: {format, verbosity}`.
fn text(value: Option<&Value>) -> Result<Format<'_>, ApiError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(Format::Text);
    };
    let fields = object(value, "text")?;
    only_keys(fields, &["format", "verbosity"], "text")?;
    enumerated(fields, "verbosity", "text.verbosity", VERBOSITIES)?;
    let Some(format) = present(fields, "format") else {
        return Ok(Format::Text);
    };
    let format = object(format, "text.format")?;
    let kind = required_string(format, "type", "text.format.type")?;
    match kind {
        "text" | "json_object" => {
            only_keys(format, &["type"], "text.format")?;
            Ok(if kind == "text" {
                Format::Text
            } else {
                Format::JsonObject
            })
        }
        "json_schema" => {
            let name = required_string(format, "name", "text.format.name")?;
            let schema = format
                .get("schema")
                .filter(|s| !s.is_null())
                .ok_or_else(|| ApiError::missing("text.format.schema"))?;
            only_keys(
                format,
                &["type", "name", "schema", "strict", "description"],
                "text.format",
            )?;
            object(schema, "text.format.schema")?;
            string(format, "description", "text.format.description")?;
            if boolean(format, "strict", "text.format.strict")? == Some(true)
                && let Some(detail) = strict_schema_error(schema)
            {
                return Err(ApiError::invalid_request(format!(
                    "Invalid schema for response_format '{name}': {detail}"
                ))
                .param("text.format.schema")
                .code("invalid_json_schema"));
            }
            Ok(Format::JsonSchema(schema))
        }
        other => Err(invalid_value("text.format.type", other, FORMATS)),
    }
}

/// Whether the word "json" appears in the instructions or any message.
fn mentions_json(items: &[Item<'_>], instructions: Option<&str>) -> bool {
    let has = |text: &str| text.to_ascii_lowercase().contains("json");
    instructions.is_some_and(has)
        || items.iter().any(|item| match item {
            Item::Message { text, .. } => has(text),
            _ => false,
        })
}

/// `include`: an array of known values.
fn include(value: Option<&Value>) -> Result<Vec<&str>, ApiError> {
    let values = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(values)) => values,
        Some(other) => return Err(invalid_type("include", "an array", other)),
    };
    values
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let path = format!("include[{i}]");
            match value {
                Value::String(s) if INCLUDABLE.contains(&s.as_str()) => Ok(s.as_str()),
                Value::String(s) => Err(invalid_value(&path, s, INCLUDABLE)),
                other => Err(invalid_type(&path, "a string", other)),
            }
        })
        .collect()
}

/// `metadata`: at most 16 string values under keys of at most 64 characters.
fn metadata(value: Option<&Value>) -> Result<(), ApiError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(());
    };
    let fields = object(value, "metadata")?;
    if fields.len() > 16 {
        return Err(ApiError::invalid_request(format!(
            "Invalid 'metadata': too many properties. Expected an object with at most 16 \
             properties, but got an object with {} properties instead.",
            fields.len()
        ))
        .param("metadata")
        .code("object_above_max_properties"));
    }
    for (key, value) in fields {
        let path = format!("metadata.{key}");
        if !value.is_string() {
            return Err(invalid_type(&path, "a string", value));
        }
    }
    Ok(())
}

/// `stream_options: {include_obfuscation}`, only with `stream: true`.
fn stream_options(fields: &Map<String, Value>, stream: bool) -> Result<bool, ApiError> {
    let Some(value) = present(fields, "stream_options") else {
        return Ok(true);
    };
    if !stream {
        return Err(ApiError::invalid_request(
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        )
        .param("stream_options"));
    }
    let options = object(value, "stream_options")?;
    only_keys(options, &["include_obfuscation"], "stream_options")?;
    Ok(boolean(
        options,
        "include_obfuscation",
        "stream_options.include_obfuscation",
    )?
    .unwrap_or(true))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn error_of(body: Value) -> ApiError {
        check(&body).err().unwrap()
    }

    #[test]
    fn a_string_input_is_one_user_message() {
        let body = json!({"model": "m", "input": "hi"});
        let request = check(&body).unwrap();
        assert_eq!(request.items.len(), 1);
        assert!(matches!(
            request.items[0],
            Item::Message {
                role: Role::User,
                ..
            }
        ));
        assert!(request.store, "store defaults to true");
        assert!(request.parallel_tool_calls);
        assert!(!request.reasoning.on);
    }

    #[test]
    fn supported_values_are_listed_like_openai_lists_them() {
        let error = invalid_value("x", "v", &["a", "b", "c"]);
        assert_eq!(
            error.message,
            "Invalid value: 'v'. Supported values are: 'a', 'b', and 'c'."
        );
        let error = invalid_value("x", "v", &["a", "b"]);
        assert_eq!(
            error.message,
            "Invalid value: 'v'. Supported values are: 'a' and 'b'."
        );
    }

    #[test]
    fn reasoning_is_on_unless_its_effort_is_none() {
        let on = json!({"model": "m", "input": "x", "reasoning": {"summary": "auto"}});
        assert!(check(&on).unwrap().reasoning.on);
        let off = json!({"model": "m", "input": "x", "reasoning": {"effort": "none"}});
        assert!(!check(&off).unwrap().reasoning.on);
    }

    #[test]
    fn temperature_above_two_is_rejected_with_its_bound() {
        let error = error_of(json!({"model": "m", "input": "x", "temperature": 2.5}));
        assert_eq!(error.code.as_deref(), Some("decimal_above_max_value"));
        assert_eq!(
            error.message,
            "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but \
             got 2.5 instead."
        );
    }

    #[test]
    fn metadata_values_must_be_strings() {
        let error = error_of(json!({"model": "m", "input": "x", "metadata": {"n": 1}}));
        assert_eq!(error.param.as_deref(), Some("metadata.n"));
    }
}
