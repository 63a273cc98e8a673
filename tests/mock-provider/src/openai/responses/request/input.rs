//! The items of `input`: a string (one user message) or an array of typed
//! items, each checked for its own fields.
//!
//! What a translator most often gets wrong is checked here: chat-style
//! messages or tool results (`tool_call_id`, object `arguments`), content
//! parts of the wrong direction (`input_text` in an assistant message,
//! `output_text` in a user message), reasoning items without their
//! `summary`, and `encrypted_content` that this mock did not issue (it
//! cannot be verified, as OpenAI cannot verify another organisation's).
//! Pairing calls with their outputs needs the previous response too and
//! lives in `history`.

use serde_json::{Map, Value};

use super::fields::{
    enumerated, invalid_type, invalid_value, join, object, only_keys, present, required_string,
    string,
};
use crate::openai::ApiError;
use crate::openai::responses::encrypted;

/// Item types `input` accepts.
const ITEM_TYPES: &[&str] = &[
    "message",
    "function_call",
    "function_call_output",
    "custom_tool_call",
    "custom_tool_call_output",
    "local_shell_call",
    "local_shell_call_output",
    "reasoning",
    "web_search_call",
    "compaction",
    "item_reference",
];
const ROLES: &[&str] = &["user", "assistant", "system", "developer"];
/// Content parts of user, system and developer messages (and tool outputs).
const INPUT_PARTS: &[&str] = &["input_text", "input_image", "input_file"];
/// Content parts of assistant messages.
const OUTPUT_PARTS: &[&str] = &["output_text", "refusal"];
const STATUSES: &[&str] = &["in_progress", "completed", "incomplete"];
const IMAGE_DETAILS: &[&str] = &["low", "high", "auto"];

/// A message's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    User,
    Assistant,
    System,
    Developer,
}

/// Which kind of call an output answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallKind {
    Function,
    Custom,
    LocalShell,
}

/// One checked input item, reduced to what the mock uses.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item<'a> {
    Message {
        role: Role,
        /// The text of its content.
        text: String,
    },
    /// `function_call`, `custom_tool_call` or `local_shell_call`.
    Call {
        kind: CallKind,
        call_id: &'a str,
        /// Arguments, custom input or the shell command, for token counting.
        text: String,
    },
    /// `function_call_output`, `custom_tool_call_output` or `local_shell_call_output`.
    Output {
        kind: CallKind,
        call_id: &'a str,
        /// The output's text.
        text: String,
    },
    Reasoning {
        id: Option<&'a str>,
        summary: String,
        encrypted_content: Option<&'a str>,
    },
    /// `item_reference`: an item of a stored response.
    Reference { id: &'a str },
    /// Items the mock only accepts: `web_search_call`, `compaction`.
    Other,
}

impl Item<'_> {
    /// The text the item costs tokens for.
    pub(crate) fn text(&self) -> &str {
        match self {
            Item::Message { text, .. } | Item::Call { text, .. } | Item::Output { text, .. } => {
                text
            }
            Item::Reasoning { summary, .. } => summary,
            Item::Reference { .. } | Item::Other => "",
        }
    }
}

/// `input`: required, a string or a non-empty array of items.
pub(super) fn items(value: Option<&Value>) -> Result<Vec<Item<'_>>, ApiError> {
    match value {
        None | Some(Value::Null) => Err(ApiError::missing("input")),
        Some(Value::String(text)) => Ok(vec![Item::Message {
            role: Role::User,
            text: text.clone(),
        }]),
        Some(Value::Array(items)) if items.is_empty() => Err(ApiError::invalid_request(
            "Invalid 'input': empty array. Expected an array with minimum length 1, but got an \
             empty array instead.",
        )
        .param("input")
        .code("empty_array")),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| self::item(item, &format!("input[{i}]")))
            .collect(),
        Some(other) => Err(invalid_type(
            "input",
            "a string or an array of input items",
            other,
        )),
    }
}

/// One item; the `type` may be left out of messages.
fn item<'a>(value: &'a Value, path: &str) -> Result<Item<'a>, ApiError> {
    let fields = object(value, path)?;
    let kind = match string(fields, "type", &join(path, "type"))? {
        Some(kind) => kind,
        None if fields.contains_key("role") => "message",
        None => return Err(ApiError::missing(&join(path, "type"))),
    };
    let status = |fields: &Map<String, Value>| -> Result<(), ApiError> {
        enumerated(fields, "status", &join(path, "status"), STATUSES).map(|_| ())
    };
    let item = match kind {
        "message" => {
            let role = enumerated(fields, "role", &join(path, "role"), ROLES)?
                .ok_or_else(|| ApiError::missing(&join(path, "role")))?;
            let role = match role {
                "assistant" => Role::Assistant,
                "system" => Role::System,
                "developer" => Role::Developer,
                _ => Role::User,
            };
            let content = fields
                .get("content")
                .filter(|c| !c.is_null())
                .ok_or_else(|| ApiError::missing(&join(path, "content")))?;
            only_keys(
                fields,
                &["type", "role", "content", "id", "status", "phase"],
                path,
            )?;
            let allowed = if role == Role::Assistant {
                OUTPUT_PARTS
            } else {
                INPUT_PARTS
            };
            Item::Message {
                role,
                text: content_text(content, &join(path, "content"), allowed)?,
            }
        }
        "function_call" | "custom_tool_call" => {
            let call_id = required_string(fields, "call_id", &join(path, "call_id"))?;
            required_string(fields, "name", &join(path, "name"))?;
            let (key, call) = if kind == "function_call" {
                ("arguments", CallKind::Function)
            } else {
                ("input", CallKind::Custom)
            };
            let text = required_string(fields, key, &join(path, key))?;
            only_keys(
                fields,
                &["type", "id", "call_id", "name", key, "status"],
                path,
            )?;
            string(fields, "id", &join(path, "id"))?;
            status(fields)?;
            Item::Call {
                kind: call,
                call_id,
                text: text.to_owned(),
            }
        }
        "function_call_output" | "custom_tool_call_output" => {
            let call_id = required_string(fields, "call_id", &join(path, "call_id"))?;
            let output = fields
                .get("output")
                .filter(|o| !o.is_null())
                .ok_or_else(|| ApiError::missing(&join(path, "output")))?;
            only_keys(fields, &["type", "id", "call_id", "output", "status"], path)?;
            status(fields)?;
            Item::Output {
                kind: if kind == "function_call_output" {
                    CallKind::Function
                } else {
                    CallKind::Custom
                },
                call_id,
                text: content_text(output, &join(path, "output"), INPUT_PARTS)?,
            }
        }
        "local_shell_call" => {
            let call_id = required_string(fields, "call_id", &join(path, "call_id"))?;
            let action = fields
                .get("action")
                .filter(|a| !a.is_null())
                .ok_or_else(|| ApiError::missing(&join(path, "action")))?;
            only_keys(fields, &["type", "id", "call_id", "action", "status"], path)?;
            status(fields)?;
            Item::Call {
                kind: CallKind::LocalShell,
                call_id,
                text: shell_action(action, &join(path, "action"))?,
            }
        }
        "local_shell_call_output" => {
            // Its `id` is the call's id: that is what pairs it.
            let call_id = required_string(fields, "id", &join(path, "id"))?;
            let output = required_string(fields, "output", &join(path, "output"))?;
            only_keys(fields, &["type", "id", "output", "status"], path)?;
            status(fields)?;
            Item::Output {
                kind: CallKind::LocalShell,
                call_id,
                text: output.to_owned(),
            }
        }
        "reasoning" => reasoning(fields, path)?,
        "item_reference" => {
            let id = required_string(fields, "id", &join(path, "id"))?;
            only_keys(fields, &["type", "id"], path)?;
            Item::Reference { id }
        }
        "compaction" => {
            required_string(
                fields,
                "encrypted_content",
                &join(path, "encrypted_content"),
            )?;
            only_keys(fields, &["type", "id", "encrypted_content"], path)?;
            Item::Other
        }
        "web_search_call" => {
            only_keys(fields, &["type", "id", "status", "action"], path)?;
            Item::Other
        }
        other => return Err(invalid_value(&join(path, "type"), other, ITEM_TYPES)),
    };
    Ok(item)
}

/// A reasoning item: `summary` required; `encrypted_content` must be one the mock issued.
fn reasoning<'a>(fields: &'a Map<String, Value>, path: &str) -> Result<Item<'a>, ApiError> {
    let summary_path = join(path, "summary");
    let parts = match fields.get("summary") {
        None | Some(Value::Null) => return Err(ApiError::missing(&summary_path)),
        Some(Value::Array(parts)) => parts,
        Some(other) => return Err(invalid_type(&summary_path, "an array", other)),
    };
    let mut summary = String::new();
    for (i, part) in parts.iter().enumerate() {
        let part_path = format!("{summary_path}[{i}]");
        let part = object(part, &part_path)?;
        let kind = required_string(part, "type", &join(&part_path, "type"))?;
        if kind != "summary_text" {
            return Err(invalid_value(
                &join(&part_path, "type"),
                kind,
                &["summary_text"],
            ));
        }
        summary.push_str(required_string(part, "text", &join(&part_path, "text"))?);
        only_keys(part, &["type", "text"], &part_path)?;
    }
    only_keys(
        fields,
        &[
            "type",
            "id",
            "summary",
            "content",
            "encrypted_content",
            "status",
        ],
        path,
    )?;
    if let Some(content) = present(fields, "content")
        && !content.is_array()
    {
        return Err(invalid_type(&join(path, "content"), "an array", content));
    }
    let encrypted_content = string(
        fields,
        "encrypted_content",
        &join(path, "encrypted_content"),
    )?;
    if let Some(token) = encrypted_content
        && !encrypted::verify(token)
    {
        return Err(ApiError::invalid_request(format!(
            "The encrypted content {} could not be verified.",
            encrypted::abbreviate(token)
        ))
        .code("invalid_encrypted_content"));
    }
    Ok(Item::Reasoning {
        id: string(fields, "id", &join(path, "id"))?,
        summary,
        encrypted_content,
    })
}

/// A message's content or a tool output: a string or an array of parts of
/// the `allowed` types; returns its text.
fn content_text(value: &Value, path: &str, allowed: &[&str]) -> Result<String, ApiError> {
    let parts = match value {
        Value::String(text) => return Ok(text.clone()),
        Value::Array(parts) => parts,
        other => {
            return Err(invalid_type(
                path,
                "one of a string or array of content parts",
                other,
            ));
        }
    };
    let mut text = String::new();
    for (i, part) in parts.iter().enumerate() {
        let part_path = format!("{path}[{i}]");
        let fields = object(part, &part_path)?;
        let kind = required_string(fields, "type", &join(&part_path, "type"))?;
        if !allowed.contains(&kind) {
            // OpenAI names the part, not its type, in this error.
            return Err(invalid_value(&part_path, kind, allowed));
        }
        match kind {
            "input_text" => {
                text.push_str(required_string(fields, "text", &join(&part_path, "text"))?);
                only_keys(fields, &["type", "text"], &part_path)?;
            }
            "output_text" => {
                text.push_str(required_string(fields, "text", &join(&part_path, "text"))?);
                only_keys(
                    fields,
                    &["type", "text", "annotations", "logprobs"],
                    &part_path,
                )?;
            }
            "refusal" => {
                text.push_str(required_string(
                    fields,
                    "refusal",
                    &join(&part_path, "refusal"),
                )?);
                only_keys(fields, &["type", "refusal"], &part_path)?;
            }
            "input_image" => {
                only_keys(
                    fields,
                    &["type", "image_url", "file_id", "detail"],
                    &part_path,
                )?;
                let url = string(fields, "image_url", &join(&part_path, "image_url"))?;
                let file = string(fields, "file_id", &join(&part_path, "file_id"))?;
                if url.is_none() && file.is_none() {
                    return Err(ApiError::missing(&join(&part_path, "image_url")));
                }
                enumerated(fields, "detail", &join(&part_path, "detail"), IMAGE_DETAILS)?;
            }
            _ => {
                only_keys(
                    fields,
                    &["type", "file_id", "file_data", "file_url", "filename"],
                    &part_path,
                )?;
                let sources = ["file_id", "file_data", "file_url"];
                for key in sources {
                    string(fields, key, &join(&part_path, key))?;
                }
                if sources.iter().all(|k| present(fields, k).is_none()) {
                    return Err(ApiError::missing(&join(&part_path, "file_id")));
                }
            }
        }
    }
    Ok(text)
}

/// `local_shell_call.action`: `{"type": "exec", "command": [...], ...}`; returns the command line.
fn shell_action(value: &Value, path: &str) -> Result<String, ApiError> {
    let fields = object(value, path)?;
    let kind = required_string(fields, "type", &join(path, "type"))?;
    if kind != "exec" {
        return Err(invalid_value(&join(path, "type"), kind, &["exec"]));
    }
    only_keys(
        fields,
        &[
            "type",
            "command",
            "timeout_ms",
            "working_directory",
            "env",
            "user",
        ],
        path,
    )?;
    let command_path = join(path, "command");
    let words = match fields.get("command") {
        None | Some(Value::Null) => return Err(ApiError::missing(&command_path)),
        Some(Value::Array(words)) => words,
        Some(other) => return Err(invalid_type(&command_path, "an array", other)),
    };
    words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            word.as_str()
                .ok_or_else(|| invalid_type(&format!("{command_path}[{i}]"), "a string", word))
        })
        .collect::<Result<Vec<&str>, ApiError>>()
        .map(|words| words.join(" "))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn error_of(input: Value) -> ApiError {
        items(Some(&input)).err().unwrap()
    }

    #[test]
    fn chat_style_tool_results_are_unknown_parameters() {
        let error = error_of(json!([
            {"type": "function_call_output", "call_id": "c", "output": "x", "tool_call_id": "c"}
        ]));
        assert_eq!(error.message, "Unknown parameter: 'input[0].tool_call_id'.");
        assert_eq!(error.param.as_deref(), Some("input[0].tool_call_id"));
    }

    #[test]
    fn function_call_arguments_must_be_a_json_string() {
        let error = error_of(json!([
            {"type": "function_call", "call_id": "c", "name": "f", "arguments": {"a": 1}}
        ]));
        assert_eq!(
            error.message,
            "Invalid type for 'input[0].arguments': expected a string, but got an object instead."
        );
    }

    #[test]
    fn assistant_messages_take_output_parts_only() {
        let error = error_of(json!([
            {"role": "assistant", "content": [{"type": "input_text", "text": "x"}]}
        ]));
        assert_eq!(
            error.message,
            "Invalid value: 'input_text'. Supported values are: 'output_text' and 'refusal'."
        );
        assert_eq!(error.param.as_deref(), Some("input[0].content[0]"));
    }

    #[test]
    fn message_text_joins_its_parts() {
        let input = json!([{"role": "user", "content": [
            {"type": "input_text", "text": "ab"},
            {"type": "input_image", "image_url": "data:image/png;base64,AA"},
            {"type": "input_text", "text": "cd"}]}]);
        let parsed = items(Some(&input)).unwrap();
        assert_eq!(parsed[0].text(), "abcd");
    }

    #[test]
    fn local_shell_calls_read_their_command() {
        let input = json!([
            {"type": "local_shell_call", "call_id": "c", "status": "completed",
             "action": {"type": "exec", "command": ["ls", "-la"], "timeout_ms": null}}
        ]);
        let parsed = items(Some(&input)).unwrap();
        assert_eq!(parsed[0].text(), "ls -la");
    }
}
