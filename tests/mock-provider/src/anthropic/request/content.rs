//! One message and its content blocks, checked like the real API checks
//! them; the rules that span several messages are in [`super::turns`].
//!
//! Translators break these often (see docs/translation-rules.md): nothing may be empty
//! (only a final assistant prefill, which must not end in whitespace), blocks
//! only appear in the role the API allows them in, unknown block types and
//! fields are rejected, tool inputs are objects, tool ids have the API's
//! alphabet, images are real base64 with a supported media type or an http(s)
//! URL, and API version 2026-10-21 forbids document blocks in assistant
//! messages and citations in user text.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use super::{ApiVersion, Ttl, cache_control, object, only_keys, string};
use crate::anthropic::ApiError;

/// Keys a message may have (`clear_at` and `output_config` are beta fields).
const MESSAGE_FIELDS: &[&str] = &["role", "content", "clear_at", "output_config"];

/// Every block type the API knows, in the order its errors list them.
const BLOCK_TYPES: &[&str] = &[
    "text",
    "image",
    "document",
    "search_result",
    "thinking",
    "redacted_thinking",
    "tool_use",
    "tool_result",
    "server_tool_use",
    "web_search_tool_result",
    "web_fetch_tool_result",
    "code_execution_tool_result",
    "bash_code_execution_tool_result",
    "text_editor_code_execution_tool_result",
    "tool_search_tool_result",
    "mcp_tool_use",
    "mcp_tool_result",
    "container_upload",
];

/// Media types an image block may declare.
const IMAGE_MEDIA_TYPES: &[&str] = &["image/jpeg", "image/png", "image/gif", "image/webp"];

/// Who speaks a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    User,
    Assistant,
}

impl Role {
    pub(super) fn name(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

/// One checked message.
#[derive(Debug)]
pub(crate) struct Message<'a> {
    pub(crate) role: Role,
    pub(crate) blocks: Vec<Block<'a>>,
}

/// One checked content block, with what token counting and the answer need.
#[derive(Debug)]
pub(crate) enum Block<'a> {
    Text {
        text: &'a str,
        cache: Option<Ttl>,
    },
    ToolUse {
        id: &'a str,
        name: &'a str,
        input: &'a Value,
        cache: Option<Ttl>,
    },
    ToolResult {
        tool_use_id: &'a str,
        /// The result's text (its text blocks joined).
        text: String,
        cache: Option<Ttl>,
    },
    Thinking {
        thinking: &'a str,
    },
    /// Images, documents, redacted thinking, server tool blocks, ….
    Other {
        kind: &'a str,
        raw: &'a Value,
        cache: Option<Ttl>,
    },
}

impl Block<'_> {
    /// The block's `cache_control` breakpoint, if any.
    pub(crate) fn cache(&self) -> Option<Ttl> {
        match self {
            Block::Text { cache, .. }
            | Block::ToolUse { cache, .. }
            | Block::ToolResult { cache, .. }
            | Block::Other { cache, .. } => *cache,
            Block::Thinking { .. } => None,
        }
    }

    pub(super) fn kind(&self) -> &str {
        match self {
            Block::Text { .. } => "text",
            Block::ToolUse { .. } => "tool_use",
            Block::ToolResult { .. } => "tool_result",
            Block::Thinking { .. } => "thinking",
            Block::Other { kind, .. } => kind,
        }
    }
}

/// One message: its keys, role, and non-empty content.
pub(super) fn message(
    value: &Value,
    i: usize,
    is_last: bool,
    version: ApiVersion,
) -> Result<Message<'_>, ApiError> {
    let path = format!("messages.{i}");
    let fields = object(value, &path)?;
    only_keys(fields, MESSAGE_FIELDS, &path)?;
    let role = match string(fields, "role", &format!("{path}.role"))? {
        "user" => Role::User,
        "assistant" => Role::Assistant,
        _ => {
            return Err(ApiError::invalid_request(format!(
                "{path}.role: Input should be 'user' or 'assistant'"
            )));
        }
    };
    // Only a final assistant message (a prefill) may be empty.
    let may_be_empty = is_last && role == Role::Assistant;
    let empty = || {
        ApiError::invalid_request(format!(
            "{path}: all messages must have non-empty content except for the optional final \
             assistant message"
        ))
    };
    let blocks = match fields.get("content") {
        None | Some(Value::Null) => return Err(ApiError::required(&format!("{path}.content"))),
        Some(Value::String(text)) if text.is_empty() && may_be_empty => Vec::new(),
        Some(Value::String(text)) if text.is_empty() => return Err(empty()),
        Some(Value::String(text)) => {
            non_whitespace(text, &path)?;
            vec![Block::Text { text, cache: None }]
        }
        Some(Value::Array(list)) if list.is_empty() && !may_be_empty => return Err(empty()),
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(j, b)| block(b, &format!("{path}.content.{j}"), role, version))
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => {
            return Err(ApiError::invalid_request(format!(
                "{path}.content: Input should be a valid string or a list of content blocks"
            )));
        }
    };
    if may_be_empty
        && let Some(Block::Text { text, .. }) = blocks.last()
        && text.ends_with(char::is_whitespace)
    {
        return Err(ApiError::invalid_request(
            "messages: final assistant content cannot end with trailing whitespace",
        ));
    }
    Ok(Message { role, blocks })
}

/// Text must not be empty nor only whitespace.
fn non_whitespace(text: &str, path: &str) -> Result<(), ApiError> {
    if text.is_empty() {
        return Err(ApiError::invalid_request(format!(
            "{path}: text content blocks must be non-empty"
        )));
    }
    if text.trim().is_empty() {
        return Err(ApiError::invalid_request(format!(
            "{path}: text content blocks must contain non-whitespace text"
        )));
    }
    Ok(())
}

/// One content block at `path` of a `role` message.
fn block<'a>(
    value: &'a Value,
    path: &str,
    role: Role,
    version: ApiVersion,
) -> Result<Block<'a>, ApiError> {
    let fields = object(value, path)?;
    let kind = string(fields, "type", &format!("{path}.type"))?;
    let Some(kind) = BLOCK_TYPES.iter().find(|k| **k == kind) else {
        let expected = BLOCK_TYPES
            .iter()
            .map(|k| format!("'{k}'"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ApiError::invalid_request(format!(
            "{path}: Input tag '{kind}' found using 'type' does not match any of the expected \
             tags: {expected}"
        )));
    };
    let kind: &'a str = kind;
    let allowed_in = |roles: &[Role]| {
        if roles.contains(&role) {
            Ok(())
        } else {
            let only = if role == Role::User {
                "assistant"
            } else {
                "user"
            };
            Err(ApiError::invalid_request(format!(
                "{path}.type: `{kind}` blocks are only allowed in `{only}` messages"
            )))
        }
    };
    let typed = format!("{path}.{kind}");
    match kind {
        "text" => {
            if role == Role::User
                && version >= ApiVersion::V2026_10_21
                && fields
                    .get("citations")
                    .and_then(Value::as_array)
                    .is_some_and(|c| !c.is_empty())
            {
                return Err(ApiError::invalid_request(format!(
                    "{typed}.citations: citations on text blocks in `user` messages are not \
                     supported in API version 2026-10-21"
                )));
            }
            text_block(fields, path)
        }
        "image" => {
            allowed_in(&[Role::User])?;
            only_keys(fields, &["type", "source", "cache_control"], &typed)?;
            image_source(fields, &typed)?;
            other(kind, value, fields, &typed)
        }
        "document" => {
            if role == Role::Assistant && version >= ApiVersion::V2026_10_21 {
                return Err(ApiError::invalid_request(format!(
                    "{path}: `document` blocks are not allowed directly in `assistant` messages \
                     in API version 2026-10-21"
                )));
            }
            only_keys(
                fields,
                &[
                    "type",
                    "source",
                    "title",
                    "context",
                    "citations",
                    "cache_control",
                ],
                &typed,
            )?;
            let source = fields
                .get("source")
                .ok_or_else(|| ApiError::required(&format!("{typed}.source")))?;
            let source_kind = string(
                object(source, &format!("{typed}.source"))?,
                "type",
                &format!("{typed}.source.type"),
            )?;
            if !["base64", "text", "content", "url", "file"].contains(&source_kind) {
                return Err(ApiError::invalid_request(format!(
                    "{typed}.source: Input tag '{source_kind}' found using 'type' does not match \
                     any of the expected tags: 'base64', 'text', 'content', 'url', 'file'"
                )));
            }
            other(kind, value, fields, &typed)
        }
        "tool_use" => {
            allowed_in(&[Role::Assistant])?;
            only_keys(
                fields,
                &["type", "id", "name", "input", "cache_control", "caller"],
                &typed,
            )?;
            let id = string(fields, "id", &format!("{typed}.id"))?;
            if id.is_empty()
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Err(ApiError::invalid_request(format!(
                    "{typed}.id: String should match pattern '^[a-zA-Z0-9_-]+$'"
                )));
            }
            let name = string(fields, "name", &format!("{typed}.name"))?;
            let input = match fields.get("input") {
                None => return Err(ApiError::required(&format!("{typed}.input"))),
                Some(input @ Value::Object(_)) => input,
                Some(_) => {
                    return Err(ApiError::invalid_request(format!(
                        "{typed}.input: Input should be a valid dictionary"
                    )));
                }
            };
            Ok(Block::ToolUse {
                id,
                name,
                input,
                cache: cache_control(fields, &typed)?,
            })
        }
        "tool_result" => {
            allowed_in(&[Role::User])?;
            only_keys(
                fields,
                &[
                    "type",
                    "tool_use_id",
                    "content",
                    "is_error",
                    "cache_control",
                ],
                &typed,
            )?;
            let tool_use_id = string(fields, "tool_use_id", &format!("{typed}.tool_use_id"))?;
            if !matches!(
                fields.get("is_error"),
                None | Some(Value::Null | Value::Bool(_))
            ) {
                return Err(ApiError::invalid_request(format!(
                    "{typed}.is_error: Input should be a valid boolean"
                )));
            }
            let text = tool_result_text(fields.get("content"), &typed, version)?;
            Ok(Block::ToolResult {
                tool_use_id,
                text,
                cache: cache_control(fields, &typed)?,
            })
        }
        "thinking" => {
            allowed_in(&[Role::Assistant])?;
            only_keys(fields, &["type", "thinking", "signature"], &typed)?;
            let thinking = string(fields, "thinking", &format!("{typed}.thinking"))?;
            string(fields, "signature", &format!("{typed}.signature"))?;
            Ok(Block::Thinking { thinking })
        }
        "redacted_thinking" => {
            allowed_in(&[Role::Assistant])?;
            only_keys(fields, &["type", "data"], &typed)?;
            string(fields, "data", &format!("{typed}.data"))?;
            other(kind, value, fields, &typed)
        }
        "search_result" | "container_upload" => {
            allowed_in(&[Role::User])?;
            other(kind, value, fields, &typed)
        }
        // Server tool calls and their results are the assistant's.
        _ => {
            allowed_in(&[Role::Assistant])?;
            other(kind, value, fields, &typed)
        }
    }
}

/// A text block's fields (also the form of system blocks).
pub(super) fn text_block<'a>(
    fields: &'a Map<String, Value>,
    path: &str,
) -> Result<Block<'a>, ApiError> {
    let typed = format!("{path}.text");
    only_keys(
        fields,
        &["type", "text", "cache_control", "citations"],
        &typed,
    )?;
    let text = string(fields, "text", &format!("{typed}.text"))?;
    non_whitespace(text, path)?;
    Ok(Block::Text {
        text,
        cache: cache_control(fields, &typed)?,
    })
}

fn other<'a>(
    kind: &'a str,
    raw: &'a Value,
    fields: &'a Map<String, Value>,
    path: &str,
) -> Result<Block<'a>, ApiError> {
    Ok(Block::Other {
        kind,
        raw,
        cache: cache_control(fields, path)?,
    })
}

/// An image's `source`: base64 with a supported media type and decodable
/// data, an http(s) URL, or a file id.
fn image_source(fields: &Map<String, Value>, path: &str) -> Result<(), ApiError> {
    let path = format!("{path}.source");
    let source = object(
        fields
            .get("source")
            .ok_or_else(|| ApiError::required(&path))?,
        &path,
    )?;
    match string(source, "type", &format!("{path}.type"))? {
        "base64" => {
            let path = format!("{path}.base64");
            only_keys(source, &["type", "media_type", "data"], &path)?;
            let media_type = string(source, "media_type", &format!("{path}.media_type"))?;
            if !IMAGE_MEDIA_TYPES.contains(&media_type) {
                return Err(ApiError::invalid_request(format!(
                    "{path}.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or \
                     'image/webp'"
                )));
            }
            let data = string(source, "data", &format!("{path}.data"))?;
            if data.is_empty() || STANDARD.decode(data).is_err() {
                return Err(ApiError::invalid_request(format!(
                    "{path}.data: The image data is not valid base64 (send the bytes alone, \
                     without a `data:` URL prefix)"
                )));
            }
            Ok(())
        }
        "url" => {
            let path = format!("{path}.url");
            only_keys(source, &["type", "url"], &path)?;
            let url = string(source, "url", &format!("{path}.url"))?;
            if url.starts_with("https://") || url.starts_with("http://") {
                Ok(())
            } else {
                Err(ApiError::invalid_request(format!(
                    "{path}.url: Only http and https URLs are supported"
                )))
            }
        }
        "file" => {
            let path = format!("{path}.file");
            only_keys(source, &["type", "file_id"], &path)?;
            string(source, "file_id", &format!("{path}.file_id")).map(|_| ())
        }
        other => Err(ApiError::invalid_request(format!(
            "{path}: Input tag '{other}' found using 'type' does not match any of the expected \
             tags: 'base64', 'url', 'file'"
        ))),
    }
}

/// A tool result's `content`: absent, a string, or a list of text, image,
/// document or search_result blocks. Returns its text.
fn tool_result_text(
    content: Option<&Value>,
    path: &str,
    version: ApiVersion,
) -> Result<String, ApiError> {
    match content {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(text)) => Ok(text.clone()),
        Some(Value::Array(blocks)) => {
            let mut text = String::new();
            for (k, inner) in blocks.iter().enumerate() {
                let inner_path = format!("{path}.content.{k}");
                let parsed = block(inner, &inner_path, Role::User, version)?;
                match parsed {
                    Block::Text { text: t, .. } => text.push_str(t),
                    Block::Other {
                        kind: "image" | "document" | "search_result",
                        ..
                    } => {}
                    other => {
                        return Err(ApiError::invalid_request(format!(
                            "{inner_path}.type: `{}` blocks are not allowed in `tool_result` content",
                            other.kind()
                        )));
                    }
                }
            }
            Ok(text)
        }
        Some(_) => Err(ApiError::invalid_request(format!(
            "{path}.content: Input should be a valid string or a list of content blocks"
        ))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn error_of(message: Value, is_last: bool) -> String {
        super::message(&message, 1, is_last, ApiVersion::V2023_06_01)
            .err()
            .map(|e| e.message)
            .unwrap_or_default()
    }

    #[test]
    fn a_prefill_may_be_empty_but_not_end_in_whitespace() {
        assert_eq!(
            error_of(json!({"role": "assistant", "content": ""}), true),
            ""
        );
        assert_eq!(
            error_of(json!({"role": "assistant", "content": ""}), false),
            "messages.1: all messages must have non-empty content except for the optional final \
             assistant message"
        );
        assert_eq!(
            error_of(json!({"role": "assistant", "content": "Sure "}), true),
            "messages: final assistant content cannot end with trailing whitespace"
        );
    }

    #[test]
    fn tool_inputs_must_be_objects() {
        let message = json!({"role": "assistant", "content": [
            {"type": "tool_use", "id": "t1", "name": "w", "input": "{}"}]});
        assert_eq!(
            error_of(message, false),
            "messages.1.content.0.tool_use.input: Input should be a valid dictionary"
        );
    }

    #[test]
    fn tool_result_text_joins_its_text_blocks() {
        let message = json!({"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t",
            "content": [{"type": "text", "text": "su"}, {"type": "text", "text": "n"}]}]});
        let parsed = super::message(&message, 0, true, ApiVersion::V2023_06_01).unwrap();
        assert!(matches!(&parsed.blocks[0], Block::ToolResult { text, .. } if text == "sun"));
    }
}
