//! The canonical answer as a whole `response` object, and the output items the stream
//! [`Encoder`](super::Encoder) builds the same way.
//!
//! Each canonical block becomes one output item, in order: thinking → `reasoning`, text →
//! `message`, tool call → `function_call` (or `custom_tool_call` / `local_shell_call` for the
//! client's freeform and shell tools). A Gemini thought signature travels in a `reasoning` item
//! placed right before its call (see [`Sealed`]). `output_text`, the SDKs' convenience
//! property, is computed client-side and not sent.

use serde_json::{Map, Value};

use super::wire::{
    IncompleteDetails, OutputItem, OutputText, ResponseError, ResponseObject, ResponseUsage,
    SummaryText,
};
use super::{LOCAL_SHELL, ResponsesContext, Sealed, item_id, response_id};
use crate::canonical::{ChatResponse, Content, StopReason, ToolNames};

/// Status of an item that is complete.
pub(super) const COMPLETED: &str = "completed";
/// Status of an item or response still being produced.
pub(super) const IN_PROGRESS: &str = "in_progress";

/// Encodes a whole answer. Tool names are restored to the client's (translation rule 5).
pub fn encode_response(resp: &ChatResponse, names: &ToolNames, ctx: &ResponsesContext) -> Value {
    let id = response_id(&resp.id);
    let mut output = Vec::with_capacity(resp.content.len());
    for content in &resp.content {
        match content {
            Content::Thinking { text, signature } => {
                let sealed = signature.clone().map(Sealed::Signature);
                output.push(reasoning_item(&id, output.len(), text, sealed.as_ref()));
            }
            Content::RedactedThinking { data } => {
                let sealed = Sealed::Redacted(data.clone());
                output.push(reasoning_item(&id, output.len(), "", Some(&sealed)));
            }
            Content::Text { text, .. } => {
                output.push(message_item(&id, output.len(), text, COMPLETED));
            }
            Content::ToolCall(call) => {
                if let Some(signature) = &call.thought_signature {
                    let sealed = Sealed::ThoughtSignature(signature.clone());
                    output.push(reasoning_item(&id, output.len(), "", Some(&sealed)));
                }
                let name = names.restore(&call.name);
                let arguments = arguments_text(&call.arguments);
                output.push(call_item(
                    &id,
                    output.len(),
                    &call.id,
                    &name,
                    &arguments,
                    ctx,
                    COMPLETED,
                ));
            }
            // Answers hold none of these; an image a provider generated (Gemini) has no
            // Responses output item to go in.
            Content::Image { .. } | Content::Document { .. } | Content::ToolResult(_) => {}
        }
    }
    let (status, incomplete) = final_status(Some(resp.stop_reason));
    let object = ResponseObject {
        status: status.to_owned(),
        incomplete_details: incomplete,
        output,
        usage: Some(ResponseUsage::from(&resp.usage)),
        ..response_object(&id, &resp.model, ctx)
    };
    serde_json::to_value(object).unwrap_or(Value::Null)
}

/// An in-progress response object with no output yet.
pub(super) fn response_object(id: &str, model: &str, ctx: &ResponsesContext) -> ResponseObject {
    ResponseObject {
        id: id.to_owned(),
        object: "response".to_owned(),
        created_at: ctx.created_at,
        status: IN_PROGRESS.to_owned(),
        error: None,
        incomplete_details: None,
        model: model.to_owned(),
        output: Vec::new(),
        usage: None,
        echo: ctx.echo.clone(),
    }
}

/// `completed`, or `incomplete` with its reason when the answer was cut short.
pub(super) fn final_status(
    stop_reason: Option<StopReason>,
) -> (&'static str, Option<IncompleteDetails>) {
    let reason = match stop_reason {
        Some(StopReason::MaxTokens) => "max_output_tokens",
        Some(StopReason::ContentFilter) => "content_filter",
        _ => return (COMPLETED, None),
    };
    (
        "incomplete",
        Some(IncompleteDetails {
            reason: reason.to_owned(),
        }),
    )
}

/// A failed response's `error` member.
pub(super) fn failure(code: &str, message: &str) -> ResponseError {
    ResponseError {
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

pub(super) fn reasoning_item(
    response_id: &str,
    output_index: usize,
    text: &str,
    sealed: Option<&Sealed>,
) -> OutputItem {
    OutputItem::Reasoning {
        id: item_id("rs", response_id, output_index),
        summary: if text.is_empty() {
            Vec::new()
        } else {
            vec![SummaryText::new(text)]
        },
        encrypted_content: sealed.map(Sealed::seal),
    }
}

pub(super) fn message_item(
    response_id: &str,
    output_index: usize,
    text: &str,
    status: &str,
) -> OutputItem {
    OutputItem::Message {
        id: item_id("msg", response_id, output_index),
        status: status.to_owned(),
        role: "assistant".to_owned(),
        content: if status == COMPLETED {
            vec![OutputText::new(text)]
        } else {
            Vec::new()
        },
    }
}

/// How a canonical tool call goes back to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CallKind {
    Function,
    /// A `custom` tool: the call's `input` argument is the item's raw `input`.
    Custom,
    /// Codex's `local_shell`: the arguments are the `exec` action.
    LocalShell,
}

impl CallKind {
    pub(super) fn of(name: &str, ctx: &ResponsesContext) -> CallKind {
        if ctx.custom_tools.contains(name) {
            CallKind::Custom
        } else if ctx.local_shell && name == LOCAL_SHELL {
            CallKind::LocalShell
        } else {
            CallKind::Function
        }
    }
}

/// The output item for a tool call, given its arguments' JSON text.
pub(super) fn call_item(
    response_id: &str,
    output_index: usize,
    call_id: &str,
    name: &str,
    arguments: &str,
    ctx: &ResponsesContext,
    status: &str,
) -> OutputItem {
    let kind = CallKind::of(name, ctx);
    let (namespace, name) = ctx.unflatten(name);
    let namespace = namespace.map(str::to_owned);
    match kind {
        CallKind::Function => OutputItem::FunctionCall {
            id: item_id("fc", response_id, output_index),
            status: status.to_owned(),
            arguments: arguments.to_owned(),
            call_id: call_id.to_owned(),
            name: name.to_owned(),
            namespace,
        },
        CallKind::Custom => OutputItem::CustomToolCall {
            id: item_id("ctc", response_id, output_index),
            status: status.to_owned(),
            call_id: call_id.to_owned(),
            name: name.to_owned(),
            namespace,
            input: custom_input(arguments),
        },
        CallKind::LocalShell => OutputItem::LocalShellCall {
            id: item_id("lsh", response_id, output_index),
            status: status.to_owned(),
            call_id: call_id.to_owned(),
            action: local_shell_action(arguments),
        },
    }
}

/// A call's arguments as JSON text; nothing at all becomes `{}` (translation rule 6), and text the
/// provider sent that was not JSON goes back as it was.
pub(super) fn arguments_text(arguments: &Value) -> String {
    match arguments {
        Value::String(text) => text.clone(),
        Value::Null => "{}".to_owned(),
        other => other.to_string(),
    }
}

/// The raw input of a freeform tool: the `input` argument; if the model ignored the schema and
/// sent plain text instead of JSON, that text.
pub(super) fn custom_input(arguments: &str) -> String {
    match serde_json::from_str::<Value>(arguments) {
        Ok(Value::Object(mut object)) => match object.remove("input") {
            Some(Value::String(input)) => input,
            Some(other) => other.to_string(),
            None => arguments.to_owned(),
        },
        Ok(Value::String(input)) => input,
        _ => arguments.to_owned(),
    }
}

/// A `local_shell_call`'s `action`: the arguments with `"type": "exec"` put first.
pub(super) fn local_shell_action(arguments: &str) -> Map<String, Value> {
    let mut action = Map::new();
    action.insert("type".to_owned(), Value::from("exec"));
    if let Ok(Value::Object(object)) = serde_json::from_str::<Value>(arguments) {
        action.extend(object.into_iter().filter(|(key, _)| key != "type"));
    }
    if !action.contains_key("command") {
        action.insert("command".to_owned(), Value::Array(Vec::new()));
    }
    action
}

#[cfg(test)]
#[path = "response_tests.rs"]
mod tests;
