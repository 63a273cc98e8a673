//! `tools` and `tool_choice`: custom tools with a name the API accepts and
//! an object schema, versioned server tools, unique names, and a
//! `tool_choice` that names a defined tool.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::{Ttl, cache_control, object, only_keys, string};
use crate::anthropic::ApiError;

/// Keys a custom tool definition may have.
const CUSTOM_TOOL_FIELDS: &[&str] = &[
    "type",
    "name",
    "description",
    "input_schema",
    "cache_control",
    "strict",
    "input_examples",
    "defer_loading",
    "allowed_callers",
    "eager_input_streaming",
];

/// A tool the request defines.
#[derive(Debug)]
pub(crate) struct Tool<'a> {
    pub(crate) name: &'a str,
    /// `input_schema` of a custom tool; None for server tools.
    pub(crate) schema: Option<&'a Value>,
    pub(crate) cache: Option<Ttl>,
}

impl Tool<'_> {
    /// Custom tools are answered with `tool_use`; server tools run at Anthropic.
    pub(crate) fn is_custom(&self) -> bool {
        self.schema.is_some()
    }
}

/// `tool_choice`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ToolChoice<'a> {
    Auto { parallel: bool },
    Any { parallel: bool },
    Tool { name: &'a str, parallel: bool },
    None,
}

/// `tools`: custom tools (name, input_schema) and versioned server tools.
pub(super) fn tools(value: Option<&Value>) -> Result<Vec<Tool<'_>>, ApiError> {
    let tools = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(tools)) => tools,
        Some(_) => {
            return Err(ApiError::invalid_request(
                "tools: Input should be a valid list",
            ));
        }
    };
    let mut names = HashSet::new();
    let mut parsed = Vec::with_capacity(tools.len());
    for (i, tool) in tools.iter().enumerate() {
        let path = format!("tools.{i}");
        let fields = object(tool, &path)?;
        let kind = match fields.get("type") {
            None | Some(Value::Null) => "custom",
            Some(Value::String(kind)) => kind.as_str(),
            Some(_) => {
                return Err(ApiError::invalid_request(format!(
                    "{path}.type: Input should be a valid string"
                )));
            }
        };
        let parsed_tool = if kind == "custom" {
            let path = format!("{path}.custom");
            only_keys(fields, CUSTOM_TOOL_FIELDS, &path)?;
            let name = tool_name(fields, &path)?;
            let schema = fields
                .get("input_schema")
                .ok_or_else(|| ApiError::required(&format!("{path}.input_schema")))?;
            let schema_fields = object(schema, &format!("{path}.input_schema"))?;
            if schema_fields.get("type").and_then(Value::as_str) != Some("object") {
                return Err(ApiError::invalid_request(format!(
                    "{path}.input_schema.type: Input should be 'object'"
                )));
            }
            Tool {
                name,
                schema: Some(schema),
                cache: cache_control(fields, &path)?,
            }
        } else if is_server_tool_type(kind) {
            let path = format!("{path}.{kind}");
            Tool {
                name: tool_name(fields, &path)?,
                schema: None,
                cache: cache_control(fields, &path)?,
            }
        } else {
            return Err(ApiError::invalid_request(format!(
                "{path}: Input tag '{kind}' found using 'type' does not match any of the expected \
                 tags: 'custom' or a versioned server tool type such as 'web_search_20250305'"
            )));
        };
        if !names.insert(parsed_tool.name) {
            return Err(ApiError::invalid_request(
                "tools: Tool names must be unique.",
            ));
        }
        parsed.push(parsed_tool);
    }
    Ok(parsed)
}

/// Server tool types carry a date: `web_search_20250305`, `bash_20250124`, ….
fn is_server_tool_type(kind: &str) -> bool {
    kind.rsplit_once('_').is_some_and(|(stem, date)| {
        !stem.is_empty()
            && date.len() == 8
            && date.bytes().all(|b| b.is_ascii_digit())
            && stem
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    })
}

/// A tool's `name`, which must match `^[a-zA-Z0-9_-]{1,128}$`.
fn tool_name<'a>(fields: &'a Map<String, Value>, path: &str) -> Result<&'a str, ApiError> {
    let name = string(fields, "name", &format!("{path}.name"))?;
    let valid = (1..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid {
        Ok(name)
    } else {
        Err(ApiError::invalid_request(format!(
            "{path}.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'"
        )))
    }
}

/// `tool_choice`: auto (default), any, tool (naming a defined tool) or none.
pub(super) fn tool_choice<'a>(
    value: Option<&'a Value>,
    tools: &[Tool<'_>],
) -> Result<ToolChoice<'a>, ApiError> {
    let fields = match value {
        None | Some(Value::Null) => return Ok(ToolChoice::Auto { parallel: true }),
        Some(value) => object(value, "tool_choice")?,
    };
    let kind = string(fields, "type", "tool_choice.type")?;
    let path = format!("tool_choice.{kind}");
    let parallel = || -> Result<bool, ApiError> {
        match fields.get("disable_parallel_tool_use") {
            None | Some(Value::Null) => Ok(true),
            Some(Value::Bool(disable)) => Ok(!disable),
            Some(_) => Err(ApiError::invalid_request(format!(
                "{path}.disable_parallel_tool_use: Input should be a valid boolean"
            ))),
        }
    };
    match kind {
        "auto" => {
            only_keys(fields, &["type", "disable_parallel_tool_use"], &path)?;
            Ok(ToolChoice::Auto {
                parallel: parallel()?,
            })
        }
        "any" => {
            only_keys(fields, &["type", "disable_parallel_tool_use"], &path)?;
            if tools.is_empty() {
                return Err(ApiError::invalid_request(
                    "tool_choice: `any` may only be specified while providing tools",
                ));
            }
            Ok(ToolChoice::Any {
                parallel: parallel()?,
            })
        }
        "tool" => {
            only_keys(
                fields,
                &["type", "name", "disable_parallel_tool_use"],
                &path,
            )?;
            let name = string(fields, "name", &format!("{path}.name"))?;
            if !tools.iter().any(|t| t.name == name) {
                return Err(ApiError::invalid_request(format!(
                    "tool_choice.tool.name: Tool '{name}' not found in tools"
                )));
            }
            Ok(ToolChoice::Tool {
                name,
                parallel: parallel()?,
            })
        }
        "none" => {
            only_keys(fields, &["type"], &path)?;
            Ok(ToolChoice::None)
        }
        other => Err(ApiError::invalid_request(format!(
            "tool_choice: Input tag '{other}' found using 'type' does not match any of the \
             expected tags: 'auto', 'any', 'tool', 'none'"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_tool_types_carry_a_date() {
        assert!(is_server_tool_type("web_search_20250305"));
        assert!(is_server_tool_type("text_editor_20250728"));
        assert!(!is_server_tool_type("function"));
        assert!(!is_server_tool_type("web_search_2025"));
    }
}
