//! Client side: a Gemini request body (Gemini CLI, the google-genai SDKs) read into the
//! canonical model, so that any provider can answer it. This file reads the conversation
//! (`systemInstruction`, `contents`); the settings around it (tools, `toolConfig`,
//! `generationConfig`) are read in `client_config`.
//!
//! The body is read member by member rather than into one typed struct, because the gateway
//! must know what it could not forward. Every member at the top level, in `generationConfig`
//! (and its `thinkingConfig`), in `tools[]` and in `toolConfig` that is not carried over is
//! listed in [`ClientRequest::dropped`] by its camelCase path (`safetySettings`,
//! `tools[1].googleSearch`, `generationConfig.seed`), and the turn goes on without it; so are
//! the part kinds with no canonical form (`executableCode`, `codeExecutionResult`,
//! `videoMetadata`). Unknown members further down (in parts, in function declarations) are
//! ignored. A request is refused only where dropping would change what it asks for: more than
//! one candidate, no turns, a role other than `user`/`model`, a function call outside a model
//! turn or a response outside a user turn, a function response that answers no call,
//! `allowedFunctionNames` naming no tool.
//!
//! - **URL, not body.** The model and whether to stream are in the URL
//!   (`models/{model}:streamGenerateContent`): `model` stays empty and `stream` false for the
//!   gateway to set. A countTokens body (`{"contents": …}`, or the whole request wrapped in
//!   `generateContentRequest`) reads the same way.
//! - **Both spellings.** The REST API maps proto fields from camelCase and snake_case alike
//!   (`system_instruction`, `inline_data`, `function_declarations`, …); so does this.
//! - **Roles.** `user`, a missing role and `function` (where older SDKs put function
//!   responses) are user turns; `model` is the assistant.
//! - **Call ids.** Gemini rarely sends them. A call without one gets `call_<n>`, n counting
//!   the calls of the request (ids the client used are skipped), so the same history gives
//!   the same ids on every turn. A `functionResponse` answers the call of the preceding model
//!   turn with the same `id` when both carry one, otherwise the earliest unanswered call of the
//!   same name (Gemini CLI puts its own ids on responses only, and answers calls in order);
//!   failing both, the latest earlier call of that name.
//! - **Tool output.** `response` becomes the result's text: its only member when that is
//!   `output` or `content` (Gemini CLI sends `{"output": …}`) or `error` (which marks the result
//!   as failed), the JSON text of the whole object otherwise. Media nested in
//!   `functionResponse.parts` (Gemini 3) joins the result.
//! - **Thoughts.** `thought: true` parts become [`Content::Thinking`]; consecutive ones make
//!   one block (a stream's pieces of one thought, signed on the last) until one carries a
//!   signature. A signature on a `functionCall` is the call's [`ToolCall::thought_signature`];
//!   on any other part it follows the part as a `Thinking` with empty text, as in
//!   [`super::decode_response`].
//! - **Media.** `inlineData` → base64, `fileData` → URL (Files API URIs included: only Gemini
//!   can read those); images by MIME type, everything else is a document.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::Value;

use super::client_config::{
    generation_config, leftovers, member, not_an_object, take, tool_choice, tools,
};
use super::request::mime_from_url;
use super::response::call_arguments;
use super::wire::{self, Blob, FileData, Part};
use crate::canonical::{
    ChatRequest, Content, MediaSource, Message, Role, SystemBlock, ToolCall, ToolResult,
    TranslateError,
};
use crate::raw::RawObject;

/// A Gemini request in canonical form, with what of it could not be carried over.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientRequest {
    /// `model` is empty and `stream` false: both come from the URL.
    pub request: ChatRequest,
    /// Members accepted but dropped, as camelCase paths (`cachedContent`,
    /// `tools[0].codeExecution`, `generationConfig.seed`), for the gateway to log as warnings.
    pub dropped: Vec<String>,
}

/// Reads the body of `generateContent`, `streamGenerateContent` or `countTokens`.
pub fn decode_client_request(body: &[u8]) -> Result<ClientRequest, TranslateError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| TranslateError::new(format!("invalid Gemini request: {e}")))?;
    let Value::Object(top) = value else {
        return Err(TranslateError::new(
            "invalid Gemini request: the body must be a JSON object",
        ));
    };
    decode_members(top)
}

/// [`decode_client_request`] from the body's members, already split by the caller.
pub fn decode_client_object(raw: &RawObject<'_>) -> Result<ClientRequest, TranslateError> {
    let top = raw
        .deserialize()
        .map_err(|e| TranslateError::new(format!("invalid Gemini request: {e}")))?;
    decode_members(top)
}

fn decode_members(
    mut top: serde_json::Map<String, Value>,
) -> Result<ClientRequest, TranslateError> {
    if let Some(inner) = take(&mut top, "generateContentRequest") {
        let Value::Object(inner) = inner else {
            return Err(not_an_object("generateContentRequest"));
        };
        top = inner;
    }

    let mut dropped = Vec::new();
    let mut request = ChatRequest {
        system: system(take(&mut top, "systemInstruction"), &mut dropped)?,
        messages: Conversation::default().read(take(&mut top, "contents"), &mut dropped)?,
        tools: tools(take(&mut top, "tools"), &mut dropped)?,
        ..ChatRequest::default()
    };
    if let Some(config) = take(&mut top, "toolConfig") {
        request.tool_choice = tool_choice(config, &mut request.tools, &mut dropped)?;
    }
    if let Some(config) = take(&mut top, "generationConfig") {
        generation_config(config, &mut request, &mut dropped)?;
    }
    // The countTokens wrapper repeats the model of the URL.
    top.remove("model");
    leftovers("", &top, &mut dropped);
    Ok(ClientRequest { request, dropped })
}

/// Reads `contents`, giving calls their ids and pairing responses with calls.
#[derive(Default)]
struct Conversation {
    messages: Vec<Message>,
    /// Every call so far, as (canonical id, name).
    calls: Vec<(String, String)>,
    /// The calls of the latest model turn, which its following user turns answer.
    open: Vec<OpenCall>,
    /// Ids the client put on calls: generated ids avoid them.
    client_ids: HashSet<String>,
    last_role: Option<Role>,
}

struct OpenCall {
    id: String,
    name: String,
    client_id: Option<String>,
    answered: bool,
}

impl Conversation {
    fn read(
        mut self,
        contents: Option<Value>,
        dropped: &mut Vec<String>,
    ) -> Result<Vec<Message>, TranslateError> {
        let turns = match contents {
            Some(Value::Array(turns)) if !turns.is_empty() => turns,
            Some(Value::Array(_)) | None => {
                return Err(TranslateError::at(
                    "contents",
                    "contents: at least one turn is required",
                ));
            }
            Some(_) => {
                return Err(TranslateError::at(
                    "contents",
                    "contents must be an array of turns",
                ));
            }
        };
        self.client_ids = turns
            .iter()
            .filter_map(|turn| member(turn, "parts")?.as_array())
            .flatten()
            .filter_map(|part| member(member(part, "functionCall")?, "id")?.as_str())
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .collect();
        for (i, turn) in turns.iter().enumerate() {
            self.turn(&format!("contents[{i}]"), turn, dropped)?;
        }
        if self.messages.is_empty() {
            return Err(TranslateError::at(
                "contents",
                "contents: no turn has any part that can be forwarded",
            ));
        }
        Ok(self.messages)
    }

    fn turn(
        &mut self,
        path: &str,
        turn: &Value,
        dropped: &mut Vec<String>,
    ) -> Result<(), TranslateError> {
        let role = match member(turn, "role").and_then(Value::as_str) {
            None | Some("" | "user" | "function") => Role::User,
            Some("model") => Role::Assistant,
            Some(other) => {
                return Err(TranslateError::at(
                    &format!("{path}.role"),
                    format!("{path}.role: `{other}` is not a role; use `user` or `model`"),
                ));
            }
        };
        if role == Role::Assistant && self.last_role != Some(Role::Assistant) {
            self.open.clear();
        }
        self.last_role = Some(role);
        let parts = match member(turn, "parts") {
            None => &[][..],
            Some(Value::Array(parts)) => parts.as_slice(),
            Some(_) => {
                return Err(TranslateError::at(
                    &format!("{path}.parts"),
                    format!("{path}.parts must be an array"),
                ));
            }
        };
        let mut content = Vec::with_capacity(parts.len());
        for (j, part) in parts.iter().enumerate() {
            self.part(
                &format!("{path}.parts[{j}]"),
                role,
                part,
                &mut content,
                dropped,
            )?;
        }
        if !content.is_empty() {
            self.messages.push(Message { role, content });
        }
        Ok(())
    }

    fn part(
        &mut self,
        path: &str,
        role: Role,
        value: &Value,
        content: &mut Vec<Content>,
        dropped: &mut Vec<String>,
    ) -> Result<(), TranslateError> {
        let part = Part::deserialize(value).map_err(|e| invalid(path, &e))?;
        for kind in ["executableCode", "codeExecutionResult", "videoMetadata"] {
            if member(value, kind).is_some() {
                dropped.push(format!("{path}.{kind}"));
            }
        }
        let signature = part.thought_signature.filter(|s| !s.is_empty());
        if let Some(call) = &part.function_call {
            if role != Role::Assistant || call.name.is_empty() {
                return Err(TranslateError::at(
                    &format!("{path}.functionCall"),
                    format!("{path}.functionCall: a function call needs a name and a `model` turn"),
                ));
            }
            content.push(Content::ToolCall(self.call(call, signature)));
            return Ok(());
        }
        if let Some(response) = &part.function_response {
            if role != Role::User {
                return Err(TranslateError::at(
                    &format!("{path}.functionResponse"),
                    format!(
                        "{path}.functionResponse: a function response belongs in a `user` turn"
                    ),
                ));
            }
            let nested = member(value, "functionResponse").and_then(|r| member(r, "parts"));
            content.push(Content::ToolResult(self.result(path, response, nested)?));
            return Ok(());
        }
        if part.thought {
            push_thought(content, part.text.unwrap_or_default(), signature);
            return Ok(());
        }
        if let Some(text) = part.text.filter(|t| !t.is_empty()) {
            content.push(Content::Text {
                text,
                cache_control: None,
            });
        } else if let Some(blob) = &part.inline_data {
            content.push(blob_content(blob));
        } else if let Some(file) = &part.file_data {
            content.push(file_content(file));
        }
        if let Some(signature) = signature {
            content.push(Content::Thinking {
                text: String::new(),
                signature: Some(signature),
            });
        }
        Ok(())
    }

    fn call(&mut self, call: &wire::FunctionCall, signature: Option<String>) -> ToolCall {
        let client_id = call.id.clone().filter(|id| !id.is_empty());
        let id = client_id
            .clone()
            .unwrap_or_else(|| self.fresh_id(self.calls.len()));
        self.calls.push((id.clone(), call.name.clone()));
        self.open.push(OpenCall {
            id: id.clone(),
            name: call.name.clone(),
            client_id,
            answered: false,
        });
        ToolCall {
            id,
            name: call.name.clone(),
            arguments: call_arguments(call.args.as_ref()),
            thought_signature: signature,
        }
    }

    /// `call_<position>`, or a variant of it when the client used that id itself.
    fn fresh_id(&self, position: usize) -> String {
        let mut id = format!("call_{position}");
        let mut variant = 1;
        while self.client_ids.contains(&id) {
            id = format!("call_{position}_{variant}");
            variant += 1;
        }
        id
    }

    fn result(
        &mut self,
        path: &str,
        response: &wire::FunctionResponse,
        nested: Option<&Value>,
    ) -> Result<ToolResult, TranslateError> {
        let client_id = response.id.as_deref().filter(|id| !id.is_empty());
        let Some((call_id, name)) = self.answer(&response.name, client_id) else {
            return Err(TranslateError::at(
                &format!("{path}.functionResponse"),
                format!(
                    "{path}.functionResponse `{}` answers no functionCall of that name earlier in \
                     the conversation",
                    response.name
                ),
            ));
        };
        let (mut content, is_error) = tool_output(&response.response);
        for (k, value) in nested
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let part = Part::deserialize(value)
                .map_err(|e| invalid(&format!("{path}.functionResponse.parts[{k}]"), &e))?;
            if let Some(blob) = &part.inline_data {
                content.push(blob_content(blob));
            } else if let Some(file) = &part.file_data {
                content.push(file_content(file));
            }
        }
        Ok(ToolResult {
            call_id,
            name: Some(name),
            content,
            is_error,
            cache_control: None,
        })
    }

    /// The (id, name) of the call a response answers, marking it answered.
    fn answer(&mut self, name: &str, client_id: Option<&str>) -> Option<(String, String)> {
        let by_id = client_id.and_then(|id| {
            self.open
                .iter()
                .position(|c| !c.answered && c.client_id.as_deref() == Some(id))
        });
        let open = by_id.or_else(|| self.open.iter().position(|c| !c.answered && c.name == name));
        if let Some(call) = open.and_then(|k| self.open.get_mut(k)) {
            call.answered = true;
            return Some((call.id.clone(), call.name.clone()));
        }
        self.calls
            .iter()
            .rev()
            .find(|(_, call_name)| !name.is_empty() && call_name == name)
            .cloned()
    }
}

/// Appends a thought, extending the thought before it while that one is unsigned.
fn push_thought(content: &mut Vec<Content>, text: String, signature: Option<String>) {
    if text.is_empty() && signature.is_none() {
        return;
    }
    if let Some(Content::Thinking {
        text: open,
        signature: open_signature @ None,
    }) = content.last_mut()
    {
        open.push_str(&text);
        *open_signature = signature;
        return;
    }
    content.push(Content::Thinking { text, signature });
}

/// A function's `response` object as the result's content and error flag.
fn tool_output(response: &Value) -> (Vec<Content>, bool) {
    let single = match response {
        Value::Object(members) if members.len() == 1 => members.iter().next(),
        _ => None,
    };
    let (text, is_error) = match single {
        Some((key, value)) if key == "output" || key == "content" => (plain(value), false),
        Some((key, value)) if key == "error" => (plain(value), true),
        _ => (plain(response), false),
    };
    let content = if text.is_empty() {
        Vec::new()
    } else {
        vec![Content::Text {
            text,
            cache_control: None,
        }]
    };
    (content, is_error)
}

/// A string as itself, anything else as JSON text; null as nothing.
fn plain(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn blob_content(blob: &Blob) -> Content {
    let source = MediaSource::Base64 {
        media_type: blob.mime_type.clone(),
        data: blob.data.clone(),
    };
    media(source, &blob.mime_type)
}

fn file_content(file: &FileData) -> Content {
    let mime = file
        .mime_type
        .as_deref()
        .filter(|m| !m.is_empty())
        .or_else(|| mime_from_url(&file.file_uri))
        .unwrap_or_default();
    let source = MediaSource::Url {
        url: file.file_uri.clone(),
    };
    media(source, mime)
}

fn media(source: MediaSource, mime_type: &str) -> Content {
    if mime_type.starts_with("image/") {
        Content::Image {
            source,
            cache_control: None,
        }
    } else {
        Content::Document {
            source,
            name: None,
            cache_control: None,
        }
    }
}

fn system(
    value: Option<Value>,
    dropped: &mut Vec<String>,
) -> Result<Vec<SystemBlock>, TranslateError> {
    let block = |text: String| SystemBlock {
        text,
        cache_control: None,
    };
    let content = match value {
        None => return Ok(Vec::new()),
        Some(Value::String(text)) => return Ok(vec![block(text)]),
        Some(value) => {
            wire::Content::deserialize(&value).map_err(|e| invalid("systemInstruction", &e))?
        }
    };
    let mut blocks = Vec::new();
    for (j, part) in content.parts.into_iter().enumerate() {
        match part.text {
            Some(text) if text.is_empty() => {}
            Some(text) => blocks.push(block(text)),
            None => dropped.push(format!("systemInstruction.parts[{j}]")),
        }
    }
    Ok(blocks)
}

pub(super) fn invalid(path: &str, error: &serde_json::Error) -> TranslateError {
    TranslateError::at(path, format!("{path}: {error}"))
}

#[cfg(test)]
#[path = "client_request_tests.rs"]
mod tests;
