//! Tool declarations and `tool_choice`: function tools pass as they are, Codex's freeform
//! (`custom`) tools and its `local_shell` built-in become functions the answer side turns back
//! into their own item types, `namespace` groups are flattened into functions named
//! `<namespace>__<name>` (calls go back with their namespace), and tools only OpenAI can run
//! are left out with a warning (see the module docs for why).

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::{Value, json};

use super::wire::{CustomTool, FunctionTool};
use super::{LOCAL_SHELL, ResponsesContext, flatten};
use crate::canonical::{Tool, ToolChoice, TranslateError};

pub(super) fn decode_tools(
    tools: Vec<Value>,
    ctx: &mut ResponsesContext,
) -> Result<Vec<Tool>, TranslateError> {
    let mut out = Vec::with_capacity(tools.len());
    for (i, tool) in tools.iter().enumerate() {
        decode_tool(&format!("tools[{i}]"), tool, None, ctx, &mut out)?;
    }
    Ok(out)
}

/// One tool declaration at `path`; `namespace` is the group it belongs to, if any.
fn decode_tool(
    path: &str,
    tool: &Value,
    namespace: Option<&Namespace>,
    ctx: &mut ResponsesContext,
    out: &mut Vec<Tool>,
) -> Result<(), TranslateError> {
    let error = |message: String| TranslateError::at("tools", format!("{path}: {message}"));
    let kind = tool.get("type").and_then(Value::as_str).unwrap_or_default();
    match kind {
        "function" => {
            let f = FunctionTool::deserialize(tool).map_err(|e| error(e.to_string()))?;
            out.push(Tool {
                name: ctx.tool_name(namespace.map(|ns| ns.name.as_str()), &f.name),
                description: described(namespace, f.description),
                parameters: f.parameters.unwrap_or_else(empty_object_schema),
                strict: f.strict,
                cache_control: None,
            });
        }
        "custom" => {
            let custom = CustomTool::deserialize(tool).map_err(|e| error(e.to_string()))?;
            let name = ctx.tool_name(namespace.map(|ns| ns.name.as_str()), &custom.name);
            ctx.custom_tools.insert(name.clone());
            let mut tool = custom_tool(custom);
            tool.name = name;
            tool.description = described(namespace, tool.description);
            out.push(tool);
        }
        "local_shell" => {
            ctx.local_shell = true;
            out.push(local_shell_tool());
        }
        "namespace" if namespace.is_none() => {
            let group = Namespace::deserialize(tool).map_err(|e| error(e.to_string()))?;
            for (j, member) in group.tools.iter().enumerate() {
                decode_tool(
                    &format!("{path}.tools[{j}]"),
                    member,
                    Some(&group),
                    ctx,
                    out,
                )?;
            }
        }
        // Hosted tools run inside OpenAI, and a newer client may offer tool types this
        // gateway does not know yet. The model simply does not see them: a tool that is
        // merely offered never fails a turn. Forcing one with `tool_choice` is refused there.
        other => {
            let what = if other.is_empty() { "untyped" } else { other };
            ctx.warnings.push(format!(
                "{path}: the '{what}' tool cannot run on this provider and was left out"
            ));
        }
    }
    Ok(())
}

/// A `namespace` tool: a named group of tools (Codex's sub-agent tools, MCP servers).
#[derive(Deserialize)]
struct Namespace {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    tools: Vec<Value>,
}

/// A namespaced tool's description starts with its group's, which the flattened tool would
/// otherwise lose.
fn described(namespace: Option<&Namespace>, description: Option<String>) -> Option<String> {
    let Some(group) = namespace.and_then(|ns| ns.description.as_deref()) else {
        return description;
    };
    Some(match description {
        Some(own) if !own.is_empty() => format!("{group}\n\n{own}"),
        _ => group.to_owned(),
    })
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
    let flat =
        |entry: &Value, name: &str| flatten(entry.get("namespace").and_then(Value::as_str), name);
    match (kind, name) {
        ("function" | "custom", Some(name)) => Ok(Some(ToolChoice::Tool(flat(&choice, name)))),
        ("local_shell", _) => Ok(Some(ToolChoice::Tool(LOCAL_SHELL.to_owned()))),
        ("allowed_tools", _) => {
            let mode = choice.get("mode").and_then(Value::as_str).unwrap_or("auto");
            let allowed: BTreeSet<String> = choice
                .get("tools")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(|t| match t.get("type").and_then(Value::as_str) {
                            Some("local_shell") => Some(LOCAL_SHELL.to_owned()),
                            _ => t.get("name").and_then(Value::as_str).map(|n| flat(t, n)),
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
