//! Tool declarations and `tool_choice`: function tools pass as they are, Codex's freeform
//! (`custom`) tools and its `local_shell` built-in become functions the answer side turns back
//! into their own item types, and OpenAI's hosted tools are dropped or refused (see the module
//! docs for which and why).

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::{Value, json};

use super::wire::{CustomTool, FunctionTool};
use super::{LOCAL_SHELL, ResponsesContext};
use crate::canonical::{Tool, ToolChoice, TranslateError};

pub(super) fn decode_tools(
    tools: Vec<Value>,
    ctx: &mut ResponsesContext,
) -> Result<Vec<Tool>, TranslateError> {
    let mut out = Vec::with_capacity(tools.len());
    for (i, tool) in tools.iter().enumerate() {
        let error = |message: String| TranslateError::at("tools", format!("tools[{i}]: {message}"));
        let kind = tool.get("type").and_then(Value::as_str).unwrap_or_default();
        match kind {
            "function" => {
                let f = FunctionTool::deserialize(tool).map_err(|e| error(e.to_string()))?;
                out.push(Tool {
                    name: f.name,
                    description: f.description,
                    parameters: f.parameters.unwrap_or_else(empty_object_schema),
                    strict: f.strict,
                    cache_control: None,
                });
            }
            "custom" => {
                let custom = CustomTool::deserialize(tool).map_err(|e| error(e.to_string()))?;
                ctx.custom_tools.insert(custom.name.clone());
                out.push(custom_tool(custom));
            }
            "local_shell" => {
                ctx.local_shell = true;
                out.push(local_shell_tool());
            }
            kind if kind.starts_with("web_search") || kind == "image_generation" => {
                ctx.dropped_tools.push(kind.to_owned());
            }
            "file_search"
            | "computer_use_preview"
            | "computer_use"
            | "computer"
            | "code_interpreter"
            | "mcp" => {
                return Err(error(format!(
                    "the '{kind}' tool runs only on OpenAI and cannot be used with this provider"
                )));
            }
            other => return Err(error(format!("unsupported tool type '{other}'"))),
        }
    }
    Ok(out)
}

fn empty_object_schema() -> Value {
    json!({"type": "object", "properties": {}})
}

/// A freeform tool becomes a function of one string argument, `input`. Its grammar goes into
/// the description, since only OpenAI enforces grammars.
fn custom_tool(custom: CustomTool) -> Tool {
    let mut description = custom.description.unwrap_or_default();
    if let Some(format) = custom.format.filter(|f| f.kind == "grammar")
        && let Some(definition) = format.definition
    {
        let syntax = format.syntax.unwrap_or_else(|| "lark".to_owned());
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str(&format!(
            "The input must match this {syntax} grammar:\n```\n{definition}\n```"
        ));
    }
    Tool {
        name: custom.name,
        description: (!description.is_empty()).then_some(description),
        parameters: json!({
            "type": "object",
            "properties": {"input": {"type": "string", "description": "The raw tool input (plain text, not JSON)."}},
            "required": ["input"]
        }),
        strict: None,
        cache_control: None,
    }
}

/// Codex's `local_shell` built-in as a function whose arguments are its `exec` action.
fn local_shell_tool() -> Tool {
    Tool {
        name: LOCAL_SHELL.to_owned(),
        description: Some("Runs a command on the user's machine and returns its output.".into()),
        parameters: json!({
            "type": "object",
            "properties": {
                "command": {"type": "array", "items": {"type": "string"}, "description": "The program and its arguments, e.g. [\"bash\", \"-lc\", \"ls\"]."},
                "working_directory": {"type": "string"},
                "timeout_ms": {"type": "integer"}
            },
            "required": ["command"]
        }),
        strict: None,
        cache_control: None,
    }
}

/// `allowed_tools` keeps only the listed tools (the provider sees no others) and becomes a
/// plain mode.
pub(super) fn decode_tool_choice(
    choice: Option<Value>,
    tools: &mut Vec<Tool>,
) -> Result<Option<ToolChoice>, TranslateError> {
    let error = |message: String| TranslateError::at("tool_choice", message);
    let Some(choice) = choice else {
        return Ok(None);
    };
    if let Some(mode) = choice.as_str() {
        return mode_choice(mode)
            .map(Some)
            .ok_or_else(|| error(format!("unknown tool_choice '{mode}'")));
    }
    let kind = choice
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let name = choice.get("name").and_then(Value::as_str);
    match (kind, name) {
        ("function" | "custom", Some(name)) => Ok(Some(ToolChoice::Tool(name.to_owned()))),
        ("local_shell", _) => Ok(Some(ToolChoice::Tool(LOCAL_SHELL.to_owned()))),
        ("allowed_tools", _) => {
            let mode = choice.get("mode").and_then(Value::as_str).unwrap_or("auto");
            let allowed: BTreeSet<&str> = choice
                .get("tools")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(|t| match t.get("type").and_then(Value::as_str) {
                            Some("local_shell") => Some(LOCAL_SHELL),
                            _ => t.get("name").and_then(Value::as_str),
                        })
                        .collect()
                })
                .unwrap_or_default();
            tools.retain(|tool| allowed.contains(tool.name.as_str()));
            mode_choice(mode)
                .map(Some)
                .ok_or_else(|| error(format!("unknown allowed_tools mode '{mode}'")))
        }
        ("function" | "custom", None) => Err(error("a forced tool needs a 'name'".into())),
        (kind, _) => Err(error(format!(
            "tool_choice '{kind}' forces a tool this provider cannot run"
        ))),
    }
}

fn mode_choice(mode: &str) -> Option<ToolChoice> {
    match mode {
        "auto" => Some(ToolChoice::Auto),
        "none" => Some(ToolChoice::None),
        "required" => Some(ToolChoice::Required),
        _ => None,
    }
}
