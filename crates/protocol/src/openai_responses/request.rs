//! A Responses request decoded into a canonical [`ChatRequest`], plus the
//! [`ResponsesContext`] the answer side needs.
//!
//! `input` is a flat list of items where the canonical model has turns: assistant-side items
//! (`reasoning`, assistant `message`, `function_call`, `custom_tool_call`, `local_shell_call`)
//! join the assistant turn they follow, tool outputs join the user turn of tool results they
//! follow (all results of one turn in one message, translation rule 11), and `system` / `developer`
//! messages are lifted into the system prompt after `instructions`.

use std::collections::HashMap;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::tools::{decode_tool_choice, decode_tools};
use super::wire::{
    CallOutputItem, CustomToolCallItem, FunctionCallItem, InputPart, LocalShellCallItem,
    ReasoningItem, ReasoningParam, TextFormat, TextParam,
};
use super::{LOCAL_SHELL, ResponsesContext, Sealed, flatten};
use crate::canonical::{
    ChatRequest, Content, Effort, MediaSource, Message, Reasoning, ResponseFormat, Role,
    SystemBlock, ToolCall, ToolResult, TranslateError,
};
use crate::raw::RawObject;

/// Request members a `response` object echoes, in the order OpenAI writes them.
const ECHOED: [&str; 13] = [
    "instructions",
    "max_output_tokens",
    "metadata",
    "parallel_tool_calls",
    "reasoning",
    "store",
    "temperature",
    "text",
    "tool_choice",
    "tools",
    "top_p",
    "truncation",
    "user",
];

/// Decodes a Responses request body. Fails on invalid JSON, on members of the wrong type, and
/// on anything only OpenAI could serve (see the module docs); ignores the rest of what only
/// OpenAI uses (`store`, `include`, `prompt_cache_key`, `metadata`, `text.verbosity`, …).
pub fn decode_request(body: &[u8]) -> Result<(ChatRequest, ResponsesContext), TranslateError> {
    let raw = RawObject::parse(body).map_err(|e| TranslateError::new(e.to_string()))?;
    decode_object(&raw)
}

/// [`decode_request`] from the body's members, already split by the caller.
pub fn decode_object(
    raw: &RawObject<'_>,
) -> Result<(ChatRequest, ResponsesContext), TranslateError> {
    refuse_stored_state(raw)?;

    let mut ctx = ResponsesContext::default();
    let mut req = ChatRequest {
        model: field(raw, "model")?.unwrap_or_default(),
        stream: field(raw, "stream")?.unwrap_or(false),
        parallel_tool_calls: field(raw, "parallel_tool_calls")?,
        max_tokens: field(raw, "max_output_tokens")?,
        temperature: field(raw, "temperature")?,
        top_p: field(raw, "top_p")?,
        user: match field(raw, "user")? {
            Some(user) => Some(user),
            None => field(raw, "safety_identifier")?,
        },
        ..ChatRequest::default()
    };

    if let Some(text) = field::<String>(raw, "instructions")?
        && !text.is_empty()
    {
        req.system.push(system_block(text));
    }
    let mut history = History::default();
    match field::<Value>(raw, "input")? {
        None => {}
        Some(Value::String(text)) => history.messages.push(Message {
            role: Role::User,
            content: vec![text_content(text)],
        }),
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                history.item(i, item)?;
            }
        }
        Some(_) => {
            return Err(TranslateError::at(
                "input",
                "'input' must be a string or an array of items",
            ));
        }
    }
    req.system.extend(history.system);
    req.messages = history.messages;
    ctx.warnings = history.warnings;

    req.tools = decode_tools(field(raw, "tools")?.unwrap_or_default(), &mut ctx)?;
    req.tool_choice = decode_tool_choice(field(raw, "tool_choice")?, &mut req.tools)?;
    if let Some(crate::canonical::ToolChoice::Tool(forced)) = &req.tool_choice
        && !req.tools.iter().any(|tool| &tool.name == forced)
    {
        return Err(TranslateError::at(
            "tool_choice",
            format!("tool_choice forces '{forced}', a tool this provider cannot run"),
        ));
    }
    req.response_format = field::<TextParam>(raw, "text")?
        .and_then(|text| text.format)
        .map(|format| match format {
            TextFormat::Text => ResponseFormat::Text,
            TextFormat::JsonObject => ResponseFormat::JsonObject,
            TextFormat::JsonSchema {
                name,
                schema,
                strict,
            } => ResponseFormat::JsonSchema {
                name,
                schema,
                strict,
            },
        });
    req.reasoning = decode_reasoning(field(raw, "reasoning")?)?;

    for key in ECHOED {
        let value = match (field::<Value>(raw, key)?, key) {
            (Some(value), _) => value,
            // The members OpenAI's response object always has, at their defaults.
            (None, "parallel_tool_calls") => Value::Bool(true),
            (None, "tool_choice") => Value::from("auto"),
            (None, "tools") => Value::Array(Vec::new()),
            (None, _) => continue,
        };
        ctx.echo.insert(key.to_owned(), value);
    }
    Ok((req, ctx))
}

/// Reads one member; `null` counts as absent. A wrong type names the member.
fn field<T: DeserializeOwned>(raw: &RawObject, key: &str) -> Result<Option<T>, TranslateError> {
    raw.get::<Option<T>>(key)
        .map(Option::flatten)
        .map_err(|message| TranslateError::at(key, message))
}

/// Members that point at state stored at OpenAI, which no other provider can resolve.
fn refuse_stored_state(raw: &RawObject) -> Result<(), TranslateError> {
    let stored = [
        ("previous_response_id", "a response stored at OpenAI"),
        ("conversation", "a conversation stored at OpenAI"),
        ("prompt", "a prompt template stored at OpenAI"),
    ];
    for (key, what) in stored {
        if raw.has(key) {
            return Err(TranslateError::at(
                key,
                format!(
                    "'{key}' refers to {what}, which this provider cannot read: send the whole \
                     conversation in 'input' instead"
                ),
            ));
        }
    }
    if field::<bool>(raw, "background")? == Some(true) {
        return Err(TranslateError::at(
            "background",
            "background responses are only available from OpenAI",
        ));
    }
    Ok(())
}

fn system_block(text: String) -> SystemBlock {
    SystemBlock {
        text,
        cache_control: None,
    }
}

fn text_content(text: String) -> Content {
    Content::Text {
        text,
        cache_control: None,
    }
}

/// The conversation as it is rebuilt from `input` items.
#[derive(Default)]
struct History {
    system: Vec<SystemBlock>,
    messages: Vec<Message>,
    /// `call_id` → tool name, so tool outputs (which carry only the id) get their name
    /// (translation rule 7).
    call_names: HashMap<String, String>,
    /// A Gemini thought signature from a sealed reasoning item, for the call right after it.
    thought_signature: Option<String>,
    /// Items left out, for [`ResponsesContext::warnings`].
    warnings: Vec<String>,
}

impl History {
    fn item(&mut self, i: usize, item: &Value) -> Result<(), TranslateError> {
        let kind = match item.get("type") {
            // `{role, content}` without a type is an "easy" input message.
            None | Some(Value::Null) => "message",
            Some(Value::String(kind)) => kind.as_str(),
            Some(_) => return Err(input_error(i, "'type' must be a string")),
        };
        if !matches!(kind, "reasoning" | "function_call" | "custom_tool_call") {
            self.thought_signature = None;
        }
        match kind {
            "message" => self.message(i, item),
            "function_call" => {
                let call: FunctionCallItem = parse_item(i, item)?;
                let arguments = parse_arguments(&call.arguments);
                let name = flatten(call.namespace.as_deref(), &call.name);
                self.call(call.call_id, name, arguments);
                Ok(())
            }
            "custom_tool_call" => {
                let call: CustomToolCallItem = parse_item(i, item)?;
                let name = flatten(call.namespace.as_deref(), &call.name);
                self.call(call.call_id, name, json!({ "input": call.input }));
                Ok(())
            }
            "local_shell_call" => {
                let call: LocalShellCallItem = parse_item(i, item)?;
                let id = call
                    .call_id
                    .or(call.id)
                    .ok_or_else(|| input_error(i, "a local_shell_call needs a 'call_id'"))?;
                // The tool's schema has no `type`; it is put back when the call is answered.
                let mut action = call.action;
                action.remove("type");
                self.call(id, LOCAL_SHELL.to_owned(), Value::Object(action));
                Ok(())
            }
            "function_call_output" | "custom_tool_call_output" | "local_shell_call_output" => {
                let output: CallOutputItem = parse_item(i, item)?;
                let call_id = output
                    .call_id
                    .or(output.id)
                    .ok_or_else(|| input_error(i, "a tool output needs a 'call_id'"))?;
                let content = output_content(&output.output).map_err(|e| input_error(i, &e))?;
                self.result(ToolResult {
                    name: self.call_names.get(&call_id).cloned(),
                    call_id,
                    content,
                    is_error: false,
                    cache_control: None,
                });
                Ok(())
            }
            "reasoning" => {
                self.reasoning(parse_item(i, item)?);
                Ok(())
            }
            "item_reference" => Err(input_error(
                i,
                "item references point at items stored at OpenAI: send the items themselves",
            )),
            // What OpenAI's hosted tools did on an earlier turn, compaction summaries only
            // OpenAI can decrypt, and item types newer than this gateway: no other provider can
            // replay them, and the answers that followed already say what came of them.
            other => {
                self.warnings.push(format!(
                    "input[{i}]: '{other}' items cannot be replayed to this provider and were left out"
                ));
                Ok(())
            }
        }
    }

    fn message(&mut self, i: usize, item: &Value) -> Result<(), TranslateError> {
        #[derive(Deserialize)]
        struct MessageItem {
            role: String,
            #[serde(default)]
            content: Value,
        }
        let message: MessageItem = parse_item(i, item)?;
        let content = message_content(&message.content).map_err(|e| input_error(i, &e))?;
        match message.role.as_str() {
            "user" if !content.is_empty() => self.messages.push(Message {
                role: Role::User,
                content,
            }),
            "user" => {}
            "assistant" => content.into_iter().for_each(|c| self.push_assistant(c)),
            "system" | "developer" => {
                for part in content {
                    match part {
                        Content::Text { text, .. } => self.system.push(system_block(text)),
                        _ => {
                            return Err(input_error(
                                i,
                                "system and developer messages can hold only text",
                            ));
                        }
                    }
                }
            }
            other => return Err(input_error(i, &format!("unknown role '{other}'"))),
        }
        Ok(())
    }

    fn call(&mut self, id: String, name: String, arguments: Value) {
        self.call_names.insert(id.clone(), name.clone());
        let thought_signature = self.thought_signature.take();
        self.push_assistant(Content::ToolCall(ToolCall {
            id,
            name,
            arguments,
            thought_signature,
        }));
    }

    /// Reasoning the gateway sealed comes back as the provider sent it; OpenAI's own
    /// encrypted reasoning (no `switchyard:` prefix) only OpenAI can read, so only its summary
    /// text is kept.
    fn reasoning(&mut self, item: ReasoningItem) {
        let mut parts: Vec<String> = item.summary.into_iter().map(|s| s.text).collect();
        if parts.is_empty() {
            parts = item
                .content
                .unwrap_or_default()
                .into_iter()
                .map(|s| s.text)
                .collect();
        }
        let text = parts.join("\n\n");
        match item.encrypted_content.as_deref().and_then(Sealed::open) {
            Some(Sealed::Signature(signature)) => self.push_assistant(Content::Thinking {
                text,
                signature: Some(signature),
            }),
            Some(Sealed::Redacted(data)) => {
                self.push_assistant(Content::RedactedThinking { data });
            }
            Some(Sealed::ThoughtSignature(signature)) => self.thought_signature = Some(signature),
            None if text.is_empty() => {}
            None => self.push_assistant(Content::Thinking {
                text,
                signature: None,
            }),
        }
    }

    fn push_assistant(&mut self, content: Content) {
        match self.messages.last_mut() {
            Some(last) if last.role == Role::Assistant => last.content.push(content),
            _ => self.messages.push(Message {
                role: Role::Assistant,
                content: vec![content],
            }),
        }
    }

    fn result(&mut self, result: ToolResult) {
        match self.messages.last_mut() {
            Some(last)
                if last.role == Role::User
                    && last
                        .content
                        .iter()
                        .all(|c| matches!(c, Content::ToolResult(_))) =>
            {
                last.content.push(Content::ToolResult(result));
            }
            _ => self.messages.push(Message {
                role: Role::User,
                content: vec![Content::ToolResult(result)],
            }),
        }
    }
}

fn input_error(i: usize, message: &str) -> TranslateError {
    TranslateError::at("input", format!("input[{i}]: {message}"))
}

fn parse_item<T: DeserializeOwned>(i: usize, item: &Value) -> Result<T, TranslateError> {
    T::deserialize(item).map_err(|e| input_error(i, &e.to_string()))
}

/// Arguments text as a JSON value: empty becomes `{}` (translation rule 6), unparsable text is
/// kept as a string so nothing is lost.
fn parse_arguments(arguments: &str) -> Value {
    if arguments.trim().is_empty() {
        return json!({});
    }
    serde_json::from_str(arguments).unwrap_or_else(|_| Value::String(arguments.to_owned()))
}

/// A message's `content`: a string or an array of parts.
fn message_content(content: &Value) -> Result<Vec<Content>, String> {
    match content {
        Value::Null => Ok(Vec::new()),
        Value::String(text) => Ok(vec![text_content(text.clone())]),
        Value::Array(parts) => parts
            .iter()
            .enumerate()
            .map(|(j, part)| {
                InputPart::deserialize(part)
                    .map_err(|e| e.to_string())
                    .and_then(part_content)
                    .map_err(|e| format!("content[{j}]: {e}"))
            })
            .collect(),
        _ => Err("'content' must be a string or an array of parts".to_owned()),
    }
}

/// A tool output: a string, an array of parts, or (older clients) an object holding
/// `content`.
fn output_content(output: &Value) -> Result<Vec<Content>, String> {
    match output {
        Value::Object(object) => match object.get("content") {
            Some(Value::String(text)) => Ok(vec![text_content(text.clone())]),
            _ => Ok(vec![text_content(output.to_string())]),
        },
        Value::Number(_) | Value::Bool(_) => Ok(vec![text_content(output.to_string())]),
        _ => message_content(output),
    }
}

fn part_content(part: InputPart) -> Result<Content, String> {
    const FILE_ID: &str = "files uploaded to OpenAI ('file_id') cannot be read by this \
                           provider: send the file inline";
    Ok(match part {
        InputPart::InputText { text } | InputPart::OutputText { text } => text_content(text),
        InputPart::Refusal { refusal } => text_content(refusal),
        // `detail` has no equivalent elsewhere and is dropped.
        InputPart::InputImage {
            image_url: Some(url),
            ..
        } => Content::Image {
            source: MediaSource::from_url(&url),
            cache_control: None,
        },
        InputPart::InputImage {
            file_id: Some(_), ..
        } => return Err(FILE_ID.to_owned()),
        InputPart::InputImage { .. } => return Err("an input_image needs an 'image_url'".into()),
        InputPart::InputFile {
            file_data: Some(data),
            filename,
            ..
        } => Content::Document {
            source: file_source(&data, filename.as_deref()),
            name: filename,
            cache_control: None,
        },
        InputPart::InputFile {
            file_url: Some(url),
            filename,
            ..
        } => Content::Document {
            source: MediaSource::Url { url },
            name: filename,
            cache_control: None,
        },
        InputPart::InputFile {
            file_id: Some(_), ..
        } => return Err(FILE_ID.to_owned()),
        InputPart::InputFile { .. } => return Err("an input_file needs 'file_data'".into()),
    })
}

/// `file_data` is normally a data URL; bare base64 gets its media type from the file name.
fn file_source(data: &str, filename: Option<&str>) -> MediaSource {
    if data.starts_with("data:") {
        return MediaSource::from_url(data);
    }
    let extension = filename
        .and_then(|name| name.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase());
    let media_type = match extension.as_deref() {
        Some("txt") => "text/plain",
        Some("md") => "text/markdown",
        Some("csv") => "text/csv",
        Some("html" | "htm") => "text/html",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        _ => "application/pdf",
    };
    MediaSource::Base64 {
        media_type: media_type.to_owned(),
        data: data.into(),
    }
}

/// Summaries asked for (any `summary` but `none`) means the client wants thoughts back.
fn decode_reasoning(param: Option<ReasoningParam>) -> Result<Option<Reasoning>, TranslateError> {
    let Some(param) = param else {
        return Ok(None);
    };
    let effort = match param.effort.as_deref() {
        None => None,
        Some("none") => Some(Effort::None),
        Some("minimal") => Some(Effort::Minimal),
        Some("low") => Some(Effort::Low),
        Some("medium") => Some(Effort::Medium),
        // Levels above `high` have no canonical equivalent: `high` is the most anyone offers.
        Some("high" | "xhigh" | "max") => Some(Effort::High),
        Some(other) => {
            return Err(TranslateError::at(
                "reasoning",
                format!("unknown reasoning effort '{other}'"),
            ));
        }
    };
    let summary = param.summary.or(param.generate_summary);
    if effort.is_none() && summary.is_none() {
        return Ok(None);
    }
    Ok(Some(Reasoning {
        effort,
        budget_tokens: None,
        include_thoughts: summary.is_some_and(|s| s != "none"),
    }))
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
