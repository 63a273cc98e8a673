//! `POST /v1/chat/completions`: validation, the deterministic answer (text
//! or tool calls) and its non-streamed `chat.completion` form. The streamed
//! `chat.completion.chunk` form lives in [`stream`].
//!
//! The answer is `Hello! This is a mock answer from <model>.`, or
//! `Tool result received: <content>` after a `tool` message, or tool calls
//! when tools are offered and the last message is the user's (the one a
//! `[[mock-tool …]]` directive names, see [`crate::directive`]).

mod stream;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use super::usage::{ChatUsage, REASONING_TOKENS, text_tokens};
use super::{ApiError, Begun, begin, finish_json};
use crate::directive::Directive;
use crate::ids::{self, SYSTEM_FINGERPRINT};
use crate::sample;
use crate::script::{split_even, split_words};
use crate::{AppState, Shared};

/// Tokens each message costs on top of its text.
const TOKENS_PER_MESSAGE: u64 = 4;
/// Tokens each tool definition costs.
const TOKENS_PER_TOOL: u64 = 10;
/// How many fragments a tool call's arguments are streamed in.
const ARGUMENT_FRAGMENTS: usize = 3;

pub(crate) async fn create(State(state): State<AppState>, raw: Bytes) -> Response {
    match respond(&state, &raw).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn respond(state: &Shared, raw: &Bytes) -> Result<Response, ApiError> {
    let begun = begin(state, raw, true).await?;
    let messages = messages(&begun.body)?;
    let tools = tools(&begun.body)?;
    let seed = state.next_seed();
    let reply = Reply::plan(&begun, messages, &tools, seed)?;
    let prompt = messages
        .iter()
        .map(|m| text_tokens(&text_of(m.get("content"))) + TOKENS_PER_MESSAGE)
        .sum::<u64>()
        + TOKENS_PER_TOOL * tools.len() as u64;
    let reasoning = if begun.body.get("reasoning_effort").is_some() {
        REASONING_TOKENS
    } else {
        0
    };
    let usage = ChatUsage::compute(prompt, reply.pieces(), reasoning, &begun.knobs.usage);
    let meta = Meta {
        id: format!("chatcmpl-{}", ids::alnum(seed, 29)),
        created: ids::unix_now(),
        model: begun.model.clone(),
    };
    if begun.stream {
        Ok(stream::respond(&begun, &meta, &reply, usage))
    } else {
        Ok(finish_json(begun.script, &completion(&meta, &reply, usage)))
    }
}

/// What every chunk or completion of one answer repeats.
#[derive(Debug)]
struct Meta {
    id: String,
    created: u64,
    model: String,
}

/// The planned answer.
#[derive(Debug)]
enum Reply {
    /// Content, in the pieces it is streamed in.
    Text(Vec<String>),
    /// Tool calls instead of content.
    ToolCalls(Vec<PlannedCall>),
}

#[derive(Debug)]
struct PlannedCall {
    id: String,
    name: String,
    /// The arguments JSON, in the fragments it is streamed in.
    fragments: Vec<String>,
}

/// A tool the request offers.
#[derive(Debug)]
struct Tool<'a> {
    name: &'a str,
    parameters: Option<&'a Value>,
}

impl Reply {
    fn plan(
        begun: &Begun,
        messages: &[Value],
        tools: &[Tool<'_>],
        seed: u64,
    ) -> Result<Reply, ApiError> {
        let last = messages.last();
        let last_role = last.and_then(|m| m.get("role")).and_then(Value::as_str);
        let choice = begun.body.get("tool_choice");
        let choice_is_none = choice.and_then(Value::as_str) == Some("none");
        if !tools.is_empty() && !choice_is_none && last_role == Some("user") {
            if let Some(directive) = Directive::find(&text_of(last.and_then(|m| m.get("content"))))
            {
                let offered: Vec<&str> = tools.iter().map(|t| t.name).collect();
                let Some(name) = directive.pick(&offered) else {
                    return Ok(Reply::Text(split_words(&directive.unmatched(&offered))));
                };
                return Ok(Reply::ToolCalls(vec![PlannedCall {
                    id: format!("call_{}", ids::alnum(seed.wrapping_add(1), 24)),
                    name: name.to_owned(),
                    fragments: split_even(&directive.arguments(), ARGUMENT_FRAGMENTS),
                }]));
            }
            let named = choice
                .and_then(|c| c.get("function"))
                .and_then(|f| f.get("name"))
                .and_then(Value::as_str);
            let parallel = begun
                .body
                .get("parallel_tool_calls")
                .and_then(Value::as_bool)
                != Some(false)
                && begun.knobs.parallel_tools;
            let selected: Vec<&Tool<'_>> = match named {
                Some(name) => vec![tools.iter().find(|t| t.name == name).ok_or_else(|| {
                    ApiError::invalid_request(format!(
                        "Invalid value for 'tool_choice': function '{name}' not found in 'tools'."
                    ))
                    .param("tool_choice")
                })?],
                None if parallel => tools.iter().collect(),
                None => tools.iter().take(1).collect(),
            };
            let calls = selected
                .into_iter()
                .enumerate()
                .map(|(i, tool)| PlannedCall {
                    id: format!("call_{}", ids::alnum(seed.wrapping_add(i as u64 + 1), 24)),
                    name: tool.name.to_owned(),
                    fragments: split_even(&arguments(tool.parameters), ARGUMENT_FRAGMENTS),
                })
                .collect();
            return Ok(Reply::ToolCalls(calls));
        }
        let text = match last_role {
            Some("tool") => format!(
                "Tool result received: {}",
                text_of(last.and_then(|m| m.get("content")))
            ),
            _ => format!("Hello! This is a mock answer from {}.", begun.model),
        };
        Ok(Reply::Text(begun.knobs.pieces(&text)))
    }

    /// Completion tokens before reasoning: one per piece or argument fragment.
    fn pieces(&self) -> u64 {
        match self {
            Reply::Text(pieces) => pieces.len() as u64,
            Reply::ToolCalls(calls) => calls.iter().map(|c| c.fragments.len() as u64).sum(),
        }
    }
}

/// `messages`, required, a non-empty array of objects with a `role`.
fn messages(body: &Value) -> Result<&[Value], ApiError> {
    let messages = match body.get("messages") {
        None | Some(Value::Null) => return Err(ApiError::missing("messages")),
        Some(Value::Array(messages)) => messages,
        Some(other) => {
            return Err(ApiError::invalid_request(format!(
                "Invalid type for 'messages': expected an array of objects, but got {} instead.",
                json_type(other)
            ))
            .param("messages")
            .code("invalid_type"));
        }
    };
    if messages.is_empty() {
        return Err(ApiError::invalid_request(
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got \
             an empty array instead.",
        )
        .param("messages")
        .code("empty_array"));
    }
    for (i, message) in messages.iter().enumerate() {
        if message.get("role").and_then(Value::as_str).is_none() {
            return Err(ApiError::missing(&format!("messages[{i}].role")));
        }
    }
    Ok(messages)
}

/// `tools`, optional; each needs `function.name`.
fn tools(body: &Value) -> Result<Vec<Tool<'_>>, ApiError> {
    let tools = match body.get("tools") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(tools)) => tools,
        Some(other) => {
            return Err(ApiError::invalid_request(format!(
                "Invalid type for 'tools': expected an array, but got {} instead.",
                json_type(other)
            ))
            .param("tools")
            .code("invalid_type"));
        }
    };
    tools
        .iter()
        .enumerate()
        .map(|(i, tool)| {
            let function = tool.get("function");
            let name = function
                .and_then(|f| f.get("name"))
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::missing(&format!("tools[{i}].function.name")))?;
            Ok(Tool {
                name,
                parameters: function.and_then(|f| f.get("parameters")),
            })
        })
        .collect()
}

/// A message's text: a string, or the `text` of its content parts.
fn text_of(content: Option<&Value>) -> String {
    match content {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect(),
        _ => String::new(),
    }
}

/// Arguments for a tool, as the JSON text OpenAI sends.
fn arguments(parameters: Option<&Value>) -> String {
    Value::Object(sample::arguments(parameters)).to_string()
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `chat.completion`, the non-streamed answer.
#[derive(Debug, Serialize)]
struct ChatCompletion<'a> {
    id: &'a str,
    object: &'static str,
    created: u64,
    model: &'a str,
    choices: Vec<Choice>,
    usage: ChatUsage,
    service_tier: &'static str,
    system_fingerprint: &'static str,
}

#[derive(Debug, Serialize)]
struct Choice {
    index: u32,
    message: Message,
    logprobs: Option<Value>,
    finish_reason: &'static str,
}

#[derive(Debug, Serialize)]
struct Message {
    role: &'static str,
    content: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_calls: Option<Vec<ToolCall>>,
    refusal: Option<String>,
    annotations: Vec<Value>,
}

#[derive(Debug, Serialize)]
struct ToolCall {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    function: Function,
}

#[derive(Debug, Serialize)]
struct Function {
    name: String,
    arguments: String,
}

fn completion<'a>(meta: &'a Meta, reply: &Reply, usage: ChatUsage) -> ChatCompletion<'a> {
    let (content, tool_calls, finish_reason) = match reply {
        Reply::Text(pieces) => (Some(pieces.concat()), None, "stop"),
        Reply::ToolCalls(calls) => {
            let calls = calls
                .iter()
                .map(|call| ToolCall {
                    id: call.id.clone(),
                    kind: "function",
                    function: Function {
                        name: call.name.clone(),
                        arguments: call.fragments.concat(),
                    },
                })
                .collect();
            (None, Some(calls), "tool_calls")
        }
    };
    ChatCompletion {
        id: &meta.id,
        object: "chat.completion",
        created: meta.created,
        model: &meta.model,
        choices: vec![Choice {
            index: 0,
            message: Message {
                role: "assistant",
                content,
                tool_calls,
                refusal: None,
                annotations: Vec::new(),
            },
            logprobs: None,
            finish_reason,
        }],
        usage,
        service_tier: "default",
        system_fingerprint: SYSTEM_FINGERPRINT,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arguments_are_the_sampled_object_as_json_text() {
        let schema = json!({"type": "object", "properties": {"city": {"type": "string"}}});
        assert_eq!(arguments(Some(&schema)), r#"{"city":"mock"}"#);
        assert_eq!(arguments(None), "{}");
    }

    #[test]
    fn text_of_joins_content_parts() {
        let parts = json!([{"type": "text", "text": "ab"}, {"type": "image_url"}, {"type": "text", "text": "cd"}]);
        assert_eq!(text_of(Some(&parts)), "abcd");
        assert_eq!(text_of(Some(&json!("plain"))), "plain");
        assert_eq!(text_of(None), "");
    }
}
