//! `tools` and `tool_choice`.
//!
//! Function tools are flat in this API (`{"type": "function", "name": …}`);
//! a chat-style `{"type": "function", "function": {…}}` fails on its missing
//! `name`, as it does against OpenAI. With `strict: true` a function's
//! parameters (and a `json_schema` text format's schema) must follow the
//! structured-outputs rules: every object closed with `additionalProperties:
//! false` and every property listed in `required`. A `namespace` groups
//! function tools under a name (as Codex CLI sends its sub-agent tools); its
//! functions are checked like top-level ones. Hosted tools (web search,
//! local shell, …) and namespaced functions are accepted but never called by
//! the mock.

use serde_json::{Map, Value};

use super::fields::{
    boolean, invalid_type, invalid_value, join, object, only_keys, present, required_string, string,
};
use crate::openai::ApiError;

/// Tool types the mock accepts; only `function` and `custom` get called.
const TOOL_TYPES: &[&str] = &[
    "function",
    "custom",
    "web_search",
    "web_search_preview",
    "web_search_2025_08_26",
    "web_search_preview_2025_03_11",
    "local_shell",
    "file_search",
    "code_interpreter",
    "image_generation",
    "mcp",
    "computer_use_preview",
    "shell",
    "apply_patch",
    "namespace",
];
/// Hosted tools whose own settings the mock does not check.
const HOSTED: &[&str] = &[
    "web_search",
    "web_search_preview",
    "web_search_2025_08_26",
    "web_search_preview_2025_03_11",
    "file_search",
    "code_interpreter",
    "image_generation",
    "mcp",
    "computer_use_preview",
    "shell",
    "apply_patch",
];
const CHOICE_MODES: &[&str] = &["none", "auto", "required"];
const LONGEST_NAME: usize = 64;

/// A tool the request offers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Tool<'a> {
    pub(crate) kind: ToolKind,
    /// Empty for hosted tools.
    pub(crate) name: &'a str,
    /// A function's JSON schema.
    pub(crate) parameters: Option<&'a Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ToolKind {
    Function,
    Custom,
    Hosted,
}

impl Tool<'_> {
    /// Whether the mock answers with a call to this tool.
    pub(crate) fn callable(&self) -> bool {
        matches!(self.kind, ToolKind::Function | ToolKind::Custom)
    }
}

/// `tool_choice`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ToolChoice<'a> {
    None,
    Auto,
    Required,
    /// `{"type": "function" | "custom", "name": …}`.
    Named(&'a str),
    /// `{"type": "allowed_tools", "mode": …, "tools": […]}`.
    Allowed {
        required: bool,
        names: Vec<&'a str>,
    },
    /// A hosted tool, e.g. `{"type": "web_search_preview"}`.
    Hosted,
}

impl ToolChoice<'_> {
    /// Whether the model must call a tool whatever the conversation says.
    pub(crate) fn forces_call(&self) -> bool {
        match self {
            ToolChoice::Required | ToolChoice::Named(_) => true,
            ToolChoice::Allowed { required, .. } => *required,
            ToolChoice::None | ToolChoice::Auto | ToolChoice::Hosted => false,
        }
    }

    /// Whether the choice lets the model call `tool`.
    pub(crate) fn allows(&self, tool: &Tool<'_>) -> bool {
        match self {
            ToolChoice::None | ToolChoice::Hosted => false,
            ToolChoice::Auto | ToolChoice::Required => true,
            ToolChoice::Named(name) => tool.name == *name,
            ToolChoice::Allowed { names, .. } => names.contains(&tool.name),
        }
    }
}

/// `tools`: an array of tool definitions.
pub(super) fn tools(value: Option<&Value>) -> Result<Vec<Tool<'_>>, ApiError> {
    let tools = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(tools)) => tools,
        Some(other) => return Err(invalid_type("tools", "an array", other)),
    };
    tools
        .iter()
        .enumerate()
        .map(|(i, tool)| self::tool(tool, &format!("tools[{i}]")))
        .collect()
}

fn tool<'a>(value: &'a Value, path: &str) -> Result<Tool<'a>, ApiError> {
    let fields = object(value, path)?;
    let kind = required_string(fields, "type", &join(path, "type"))?;
    match kind {
        "function" => {
            let name = name(fields, path)?;
            only_keys(
                fields,
                &["type", "name", "description", "parameters", "strict"],
                path,
            )?;
            string(fields, "description", &join(path, "description"))?;
            let parameters = present(fields, "parameters");
            if let Some(parameters) = parameters {
                object(parameters, &join(path, "parameters"))?;
            }
            if boolean(fields, "strict", &join(path, "strict"))? == Some(true)
                && let Some(detail) = parameters.and_then(strict_schema_error)
            {
                return Err(ApiError::invalid_request(format!(
                    "Invalid schema for function '{name}': {detail}"
                ))
                .param(&join(path, "parameters"))
                .code("invalid_function_parameters"));
            }
            Ok(Tool {
                kind: ToolKind::Function,
                name,
                parameters,
            })
        }
        "custom" => {
            let name = name(fields, path)?;
            only_keys(fields, &["type", "name", "description", "format"], path)?;
            string(fields, "description", &join(path, "description"))?;
            if let Some(format) = present(fields, "format") {
                custom_format(format, &join(path, "format"))?;
            }
            Ok(Tool {
                kind: ToolKind::Custom,
                name,
                parameters: None,
            })
        }
        "namespace" => {
            name(fields, path)?;
            only_keys(fields, &["type", "name", "description", "tools"], path)?;
            string(fields, "description", &join(path, "description"))?;
            let tools_path = join(path, "tools");
            let members = match fields.get("tools") {
                Some(Value::Array(members)) => members,
                None | Some(Value::Null) => return Err(ApiError::missing(&tools_path)),
                Some(other) => return Err(invalid_type(&tools_path, "an array", other)),
            };
            for (i, member) in members.iter().enumerate() {
                let member_path = format!("{tools_path}[{i}]");
                let member_fields = object(member, &member_path)?;
                match required_string(member_fields, "type", &join(&member_path, "type"))? {
                    "function" => tool(member, &member_path).map(|_| ())?,
                    other => {
                        return Err(invalid_value(
                            &join(&member_path, "type"),
                            other,
                            &["function"],
                        ));
                    }
                }
            }
            Ok(hosted())
        }
        "local_shell" => {
            only_keys(fields, &["type"], path)?;
            Ok(hosted())
        }
        hosted_kind if HOSTED.contains(&hosted_kind) => Ok(hosted()),
        other => Err(invalid_value(&join(path, "type"), other, TOOL_TYPES)),
    }
}

fn hosted() -> Tool<'static> {
    Tool {
        kind: ToolKind::Hosted,
        name: "",
        parameters: None,
    }
}

/// A tool's `name`: required, at most 64 of `[a-zA-Z0-9_-]`.
fn name<'a>(fields: &'a Map<String, Value>, path: &str) -> Result<&'a str, ApiError> {
    let path = join(path, "name");
    let name = required_string(fields, "name", &path)?;
    let length = name.chars().count();
    if length > LONGEST_NAME {
        return Err(ApiError::invalid_request(format!(
            "Invalid '{path}': string too long. Expected a string with maximum length \
             {LONGEST_NAME}, but got a string with length {length} instead."
        ))
        .param(&path)
        .code("string_above_max_length"));
    }
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(ApiError::invalid_request(format!(
            "Invalid '{path}': string does not match pattern. Expected a string that matches \
             the pattern '^[a-zA-Z0-9_-]+$'."
        ))
        .param(&path)
        .code("invalid_value"));
    }
    Ok(name)
}

/// A custom tool's `format`: `{"type": "text"}` or a lark/regex grammar.
fn custom_format(value: &Value, path: &str) -> Result<(), ApiError> {
    let fields = object(value, path)?;
    match required_string(fields, "type", &join(path, "type"))? {
        "text" => only_keys(fields, &["type"], path),
        "grammar" => {
            only_keys(fields, &["type", "syntax", "definition"], path)?;
            let syntax = required_string(fields, "syntax", &join(path, "syntax"))?;
            if syntax != "lark" && syntax != "regex" {
                return Err(invalid_value(
                    &join(path, "syntax"),
                    syntax,
                    &["lark", "regex"],
                ));
            }
            required_string(fields, "definition", &join(path, "definition")).map(|_| ())
        }
        other => Err(invalid_value(
            &join(path, "type"),
            other,
            &["text", "grammar"],
        )),
    }
}

/// `tool_choice`: a mode, a named function or custom tool among `tools`,
/// an `allowed_tools` list, or a hosted tool type.
pub(super) fn tool_choice<'a>(
    value: Option<&'a Value>,
    tools: &[Tool<'a>],
) -> Result<ToolChoice<'a>, ApiError> {
    let fields = match value {
        None | Some(Value::Null) => return Ok(ToolChoice::Auto),
        Some(Value::String(mode)) => {
            return match mode.as_str() {
                "none" => Ok(ToolChoice::None),
                "auto" => Ok(ToolChoice::Auto),
                "required" => Ok(ToolChoice::Required),
                other => Err(invalid_value("tool_choice", other, CHOICE_MODES)),
            };
        }
        Some(value) => object(value, "tool_choice")?,
    };
    let kind = required_string(fields, "type", "tool_choice.type")?;
    match kind {
        "function" | "custom" => {
            let name = required_string(fields, "name", "tool_choice.name")?;
            only_keys(fields, &["type", "name"], "tool_choice")?;
            let wanted = if kind == "function" {
                ToolKind::Function
            } else {
                ToolKind::Custom
            };
            if !tools.iter().any(|t| t.kind == wanted && t.name == name) {
                return Err(ApiError::invalid_request(format!(
                    "Invalid value for 'tool_choice': {kind} '{name}' not found in 'tools'."
                ))
                .param("tool_choice"));
            }
            Ok(ToolChoice::Named(name))
        }
        "allowed_tools" => {
            only_keys(fields, &["type", "mode", "tools"], "tool_choice")?;
            let mode = required_string(fields, "mode", "tool_choice.mode")?;
            if mode != "auto" && mode != "required" {
                return Err(invalid_value(
                    "tool_choice.mode",
                    mode,
                    &["auto", "required"],
                ));
            }
            let listed = match fields.get("tools") {
                None | Some(Value::Null) => return Err(ApiError::missing("tool_choice.tools")),
                Some(Value::Array(listed)) => listed,
                Some(other) => return Err(invalid_type("tool_choice.tools", "an array", other)),
            };
            let names = listed
                .iter()
                .enumerate()
                .map(|(i, tool)| {
                    let path = format!("tool_choice.tools[{i}]");
                    let tool = object(tool, &path)?;
                    required_string(tool, "type", &join(&path, "type"))?;
                    Ok(string(tool, "name", &join(&path, "name"))?.unwrap_or_default())
                })
                .collect::<Result<Vec<&str>, ApiError>>()?;
            Ok(ToolChoice::Allowed {
                required: mode == "required",
                names,
            })
        }
        hosted if HOSTED.contains(&hosted) || hosted == "local_shell" => Ok(ToolChoice::Hosted),
        other => Err(invalid_value(
            "tool_choice.type",
            other,
            &[&["function", "custom", "allowed_tools"], HOSTED].concat(),
        )),
    }
}

/// Why `schema` breaks the strict structured-outputs rules, if it does: the
/// first object (depth first) that is not closed or does not require every
/// property, in OpenAI's words with its `context=(…)` path.
pub(crate) fn strict_schema_error(schema: &Value) -> Option<String> {
    strict_at(schema, &mut Vec::new())
}

fn strict_at(schema: &Value, context: &mut Vec<String>) -> Option<String> {
    let fields = schema.as_object()?;
    let is_object = fields.get("type").and_then(Value::as_str) == Some("object")
        || fields.contains_key("properties");
    if is_object {
        if fields.get("additionalProperties") != Some(&Value::Bool(false)) {
            return Some(format!(
                "In context={}, 'additionalProperties' is required to be supplied and to be \
                 false.",
                tuple(context)
            ));
        }
        let properties = fields.get("properties").and_then(Value::as_object);
        let required: Vec<&str> = fields
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(missing) = properties
            .into_iter()
            .flat_map(|p| p.keys())
            .find(|key| !required.contains(&key.as_str()))
        {
            return Some(format!(
                "In context={}, 'required' is required to be supplied and to be an array \
                 including every key in properties. Missing '{missing}'.",
                tuple(context)
            ));
        }
    }
    let nested = |key: &str, child: &Value, context: &mut Vec<String>| {
        context.push(key.to_owned());
        let found = strict_at(child, context);
        context.pop();
        found
    };
    for (group, children) in ["properties", "$defs", "definitions"]
        .iter()
        .filter_map(|g| fields.get(*g).and_then(Value::as_object).map(|c| (*g, c)))
    {
        for (key, child) in children {
            context.push(group.to_owned());
            let found = nested(key, child, context);
            context.pop();
            if found.is_some() {
                return found;
            }
        }
    }
    if let Some(items) = fields.get("items")
        && let Some(found) = nested("items", items, context)
    {
        return Some(found);
    }
    for group in ["anyOf", "allOf"] {
        for (i, child) in fields
            .get(group)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            context.push(group.to_owned());
            let found = nested(&i.to_string(), child, context);
            context.pop();
            if found.is_some() {
                return found;
            }
        }
    }
    None
}

/// A path as the Python tuple OpenAI prints: `()`, `('items',)`, `('properties', 'a')`.
fn tuple(context: &[String]) -> String {
    match context {
        [] => "()".to_owned(),
        [one] => format!("('{one}',)"),
        many => format!(
            "({})",
            many.iter()
                .map(|c| format!("'{c}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn chat_style_function_tools_miss_their_name() {
        let value = json!([{"type": "function", "function": {"name": "f"}}]);
        let error = tools(Some(&value)).err().unwrap();
        assert_eq!(
            error.message,
            "Missing required parameter: 'tools[0].name'."
        );
    }

    #[test]
    fn strict_schemas_must_close_every_object_and_require_every_property() {
        let open = json!({"type": "object", "properties": {"a": {"type": "string"}}});
        assert_eq!(
            strict_schema_error(&open).unwrap(),
            "In context=(), 'additionalProperties' is required to be supplied and to be false."
        );
        let partial = json!({"type": "object", "additionalProperties": false, "required": ["a"],
                             "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}});
        assert!(
            strict_schema_error(&partial)
                .unwrap()
                .ends_with("Missing 'b'.")
        );
        let nested = json!({"type": "object", "additionalProperties": false, "required": ["a"],
                            "properties": {"a": {"type": "array", "items": {"type": "object",
                                "properties": {}}}}});
        assert!(
            strict_schema_error(&nested)
                .unwrap()
                .starts_with("In context=('properties', 'a', 'items'),")
        );
        let closed = json!({"type": "object", "additionalProperties": false, "required": ["a"],
                            "properties": {"a": {"type": "string"}}});
        assert_eq!(strict_schema_error(&closed), None);
    }

    #[test]
    fn a_named_choice_must_name_an_offered_tool() {
        let value = json!([{"type": "function", "name": "f"}]);
        let offered = tools(Some(&value)).unwrap();
        let choice = json!({"type": "function", "name": "g"});
        let error = tool_choice(Some(&choice), &offered).err().unwrap();
        assert_eq!(
            error.message,
            "Invalid value for 'tool_choice': function 'g' not found in 'tools'."
        );
        let choice = json!({"type": "function", "name": "f"});
        assert_eq!(
            tool_choice(Some(&choice), &offered).unwrap(),
            ToolChoice::Named("f")
        );
    }
}
