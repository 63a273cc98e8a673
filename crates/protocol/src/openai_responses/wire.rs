//! The Responses API's wire shapes: request pieces, the `response` object with its output items,
//! the usage object, and the streamed events.
//!
//! Request members are read one at a time (see `request.rs`), so only the pieces that need a
//! type of their own are declared here. Output shapes are complete and field-ordered like
//! OpenAI's, because strict clients (Codex, typed SDKs) deserialise them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::usage::Usage;

// ---------------------------------------------------------------------------------------------
// Request pieces
// ---------------------------------------------------------------------------------------------

/// `tools[]` entry of type `function`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FunctionTool {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub parameters: Option<Value>,
    #[serde(default)]
    pub strict: Option<bool>,
}

/// `tools[]` entry of type `custom`: a freeform tool whose input is plain text, optionally
/// constrained by a grammar (Codex's `apply_patch`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CustomTool {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub format: Option<CustomToolFormat>,
}

/// `{"type": "text"}` or `{"type": "grammar", "syntax": "lark" | "regex", "definition": …}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CustomToolFormat {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub syntax: Option<String>,
    #[serde(default)]
    pub definition: Option<String>,
}

/// The `reasoning` request member.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ReasoningParam {
    #[serde(default)]
    pub effort: Option<String>,
    /// `auto`, `concise`, `detailed` or `none`.
    #[serde(default)]
    pub summary: Option<String>,
    /// The deprecated spelling of `summary`.
    #[serde(default)]
    pub generate_summary: Option<String>,
}

/// The `text` request member (`verbosity` has no canonical equivalent and is ignored).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct TextParam {
    #[serde(default)]
    pub format: Option<TextFormat>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TextFormat {
    Text,
    JsonObject,
    JsonSchema {
        #[serde(default)]
        name: String,
        #[serde(default)]
        schema: Value,
        #[serde(default)]
        strict: Option<bool>,
    },
}

/// A `function_call` input item (a call the model made on an earlier turn).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FunctionCallItem {
    pub call_id: String,
    pub name: String,
    /// The `namespace` tool the function belongs to, if any.
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub arguments: String,
}

/// A `function_call_output`, `custom_tool_call_output` or `local_shell_call_output` item.
/// `output` is a string or an array of `input_text` / `input_image` / `input_file` parts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CallOutputItem {
    #[serde(default)]
    pub call_id: Option<String>,
    /// `local_shell_call_output` names its call by `id`.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub output: Value,
}

/// A `custom_tool_call` input item.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CustomToolCallItem {
    pub call_id: String,
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub input: String,
}

/// A `local_shell_call` input item. Codex sets `call_id`; the chat-era shape only `id`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LocalShellCallItem {
    #[serde(default)]
    pub call_id: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
    pub action: Map<String, Value>,
}

/// A `reasoning` input item, as the model produced it and the client replays it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ReasoningItem {
    #[serde(default)]
    pub summary: Vec<SummaryText>,
    /// Raw reasoning text (`reasoning_text` parts), sent by open-weight models.
    #[serde(default)]
    pub content: Option<Vec<SummaryText>>,
    #[serde(default)]
    pub encrypted_content: Option<String>,
}

/// A `summary_text` (or `reasoning_text`) part: only the text matters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryText {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub text: String,
}

impl SummaryText {
    pub fn new(text: &str) -> Self {
        SummaryText {
            kind: "summary_text".to_owned(),
            text: text.to_owned(),
        }
    }
}

/// One part of a message's `content` array.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InputPart {
    InputText {
        text: String,
    },
    OutputText {
        text: String,
    },
    Refusal {
        refusal: String,
    },
    InputImage {
        #[serde(default)]
        image_url: Option<String>,
        #[serde(default)]
        file_id: Option<String>,
    },
    InputFile {
        #[serde(default)]
        file_data: Option<String>,
        #[serde(default)]
        file_url: Option<String>,
        #[serde(default)]
        file_id: Option<String>,
        #[serde(default)]
        filename: Option<String>,
    },
}

// ---------------------------------------------------------------------------------------------
// The response object
// ---------------------------------------------------------------------------------------------

/// The `response` object, as returned whole and carried by the lifecycle stream events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseObject {
    pub id: String,
    pub object: String,
    pub created_at: u64,
    /// `in_progress`, `completed`, `incomplete` or `failed`.
    pub status: String,
    pub error: Option<ResponseError>,
    pub incomplete_details: Option<IncompleteDetails>,
    pub model: String,
    pub output: Vec<OutputItem>,
    pub usage: Option<ResponseUsage>,
    /// Request members echoed back (`instructions`, `tools`, `tool_choice`, …), as OpenAI does.
    #[serde(flatten)]
    pub echo: Map<String, Value>,
}

/// `response.error` of a failed response. `code` is one of the codes clients branch on
/// (`context_length_exceeded`, `rate_limit_exceeded`, `insufficient_quota`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseError {
    pub code: String,
    pub message: String,
}

/// `response.incomplete_details`: `max_output_tokens` or `content_filter`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncompleteDetails {
    pub reason: String,
}

/// One item of `response.output`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutputItem {
    Reasoning {
        id: String,
        summary: Vec<SummaryText>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        encrypted_content: Option<String>,
    },
    Message {
        id: String,
        status: String,
        role: String,
        content: Vec<OutputText>,
    },
    FunctionCall {
        id: String,
        status: String,
        arguments: String,
        call_id: String,
        name: String,
        /// Set for a function of a `namespace` tool.
        #[serde(skip_serializing_if = "Option::is_none")]
        namespace: Option<String>,
    },
    CustomToolCall {
        id: String,
        status: String,
        call_id: String,
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        namespace: Option<String>,
        input: String,
    },
    LocalShellCall {
        id: String,
        status: String,
        call_id: String,
        action: Map<String, Value>,
    },
}

impl OutputItem {
    pub fn id(&self) -> &str {
        match self {
            OutputItem::Reasoning { id, .. }
            | OutputItem::Message { id, .. }
            | OutputItem::FunctionCall { id, .. }
            | OutputItem::CustomToolCall { id, .. }
            | OutputItem::LocalShellCall { id, .. } => id,
        }
    }
}

/// An `output_text` content part. Annotations and logprobs are always empty: no other provider
/// produces OpenAI's citation annotations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputText {
    #[serde(rename = "type")]
    pub kind: String,
    pub text: String,
    pub annotations: Vec<Value>,
    pub logprobs: Vec<Value>,
}

impl OutputText {
    pub fn new(text: &str) -> Self {
        OutputText {
            kind: "output_text".to_owned(),
            text: text.to_owned(),
            annotations: Vec::new(),
            logprobs: Vec::new(),
        }
    }
}

/// The Responses usage object. Same semantics as the canonical [`Usage`]: `input_tokens`
/// include cached ones, `output_tokens` include reasoning ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseUsage {
    #[serde(default)]
    pub input_tokens: u64,
    #[serde(default)]
    pub input_tokens_details: InputTokensDetails,
    #[serde(default)]
    pub output_tokens: u64,
    #[serde(default)]
    pub output_tokens_details: OutputTokensDetails,
    #[serde(default)]
    pub total_tokens: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputTokensDetails {
    #[serde(default)]
    pub cached_tokens: u64,
    /// Not in OpenAI's documented shape: prompt-cache writes, as `openai_chat` reports them too
    /// (only when non-zero, so OpenAI-shaped parsers see nothing new).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cache_write_tokens: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputTokensDetails {
    #[serde(default)]
    pub reasoning_tokens: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl From<&Usage> for ResponseUsage {
    fn from(usage: &Usage) -> Self {
        ResponseUsage {
            input_tokens: usage.input_tokens,
            input_tokens_details: InputTokensDetails {
                cached_tokens: usage.cached_input_tokens,
                cache_write_tokens: usage.cache_write_tokens,
            },
            output_tokens: usage.output_tokens,
            output_tokens_details: OutputTokensDetails {
                reasoning_tokens: usage.reasoning_tokens,
            },
            total_tokens: usage.input_tokens.saturating_add(usage.output_tokens),
        }
    }
}

impl From<&ResponseUsage> for Usage {
    fn from(wire: &ResponseUsage) -> Self {
        Usage {
            input_tokens: wire.input_tokens,
            cached_input_tokens: wire.input_tokens_details.cached_tokens,
            cache_write_tokens: wire.input_tokens_details.cache_write_tokens,
            output_tokens: wire.output_tokens,
            reasoning_tokens: wire.output_tokens_details.reasoning_tokens,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Stream events
// ---------------------------------------------------------------------------------------------

/// One streamed event with its `sequence_number` (which every Responses event carries).
/// The SSE `event:` name equals the `type` member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope {
    #[serde(flatten)]
    pub event: ResponseEvent,
    pub sequence_number: u64,
}

/// The stream events this gateway emits, named as OpenAI names them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ResponseEvent {
    #[serde(rename = "response.created")]
    Created { response: Box<ResponseObject> },
    #[serde(rename = "response.in_progress")]
    InProgress { response: Box<ResponseObject> },
    #[serde(rename = "response.completed")]
    Completed { response: Box<ResponseObject> },
    #[serde(rename = "response.incomplete")]
    Incomplete { response: Box<ResponseObject> },
    #[serde(rename = "response.failed")]
    Failed { response: Box<ResponseObject> },
    #[serde(rename = "response.output_item.added")]
    OutputItemAdded {
        output_index: usize,
        item: OutputItem,
    },
    #[serde(rename = "response.output_item.done")]
    OutputItemDone {
        output_index: usize,
        item: OutputItem,
    },
    #[serde(rename = "response.content_part.added")]
    ContentPartAdded {
        item_id: String,
        output_index: usize,
        content_index: usize,
        part: OutputText,
    },
    #[serde(rename = "response.content_part.done")]
    ContentPartDone {
        item_id: String,
        output_index: usize,
        content_index: usize,
        part: OutputText,
    },
    #[serde(rename = "response.output_text.delta")]
    OutputTextDelta {
        item_id: String,
        output_index: usize,
        content_index: usize,
        delta: String,
        logprobs: Vec<Value>,
    },
    #[serde(rename = "response.output_text.done")]
    OutputTextDone {
        item_id: String,
        output_index: usize,
        content_index: usize,
        text: String,
        logprobs: Vec<Value>,
    },
    #[serde(rename = "response.reasoning_summary_part.added")]
    ReasoningSummaryPartAdded {
        item_id: String,
        output_index: usize,
        summary_index: usize,
        part: SummaryText,
    },
    #[serde(rename = "response.reasoning_summary_part.done")]
    ReasoningSummaryPartDone {
        item_id: String,
        output_index: usize,
        summary_index: usize,
        part: SummaryText,
    },
    #[serde(rename = "response.reasoning_summary_text.delta")]
    ReasoningSummaryTextDelta {
        item_id: String,
        output_index: usize,
        summary_index: usize,
        delta: String,
    },
    #[serde(rename = "response.reasoning_summary_text.done")]
    ReasoningSummaryTextDone {
        item_id: String,
        output_index: usize,
        summary_index: usize,
        text: String,
    },
    #[serde(rename = "response.function_call_arguments.delta")]
    FunctionCallArgumentsDelta {
        item_id: String,
        output_index: usize,
        delta: String,
    },
    #[serde(rename = "response.function_call_arguments.done")]
    FunctionCallArgumentsDone {
        item_id: String,
        output_index: usize,
        name: String,
        arguments: String,
    },
    #[serde(rename = "response.custom_tool_call_input.delta")]
    CustomToolCallInputDelta {
        item_id: String,
        output_index: usize,
        delta: String,
    },
    #[serde(rename = "response.custom_tool_call_input.done")]
    CustomToolCallInputDone {
        item_id: String,
        output_index: usize,
        input: String,
    },
}

impl ResponseEvent {
    /// The event's `type`, which is also its SSE `event:` name.
    pub fn name(&self) -> &'static str {
        match self {
            ResponseEvent::Created { .. } => "response.created",
            ResponseEvent::InProgress { .. } => "response.in_progress",
            ResponseEvent::Completed { .. } => "response.completed",
            ResponseEvent::Incomplete { .. } => "response.incomplete",
            ResponseEvent::Failed { .. } => "response.failed",
            ResponseEvent::OutputItemAdded { .. } => "response.output_item.added",
            ResponseEvent::OutputItemDone { .. } => "response.output_item.done",
            ResponseEvent::ContentPartAdded { .. } => "response.content_part.added",
            ResponseEvent::ContentPartDone { .. } => "response.content_part.done",
            ResponseEvent::OutputTextDelta { .. } => "response.output_text.delta",
            ResponseEvent::OutputTextDone { .. } => "response.output_text.done",
            ResponseEvent::ReasoningSummaryPartAdded { .. } => {
                "response.reasoning_summary_part.added"
            }
            ResponseEvent::ReasoningSummaryPartDone { .. } => {
                "response.reasoning_summary_part.done"
            }
            ResponseEvent::ReasoningSummaryTextDelta { .. } => {
                "response.reasoning_summary_text.delta"
            }
            ResponseEvent::ReasoningSummaryTextDone { .. } => {
                "response.reasoning_summary_text.done"
            }
            ResponseEvent::FunctionCallArgumentsDelta { .. } => {
                "response.function_call_arguments.delta"
            }
            ResponseEvent::FunctionCallArgumentsDone { .. } => {
                "response.function_call_arguments.done"
            }
            ResponseEvent::CustomToolCallInputDelta { .. } => {
                "response.custom_tool_call_input.delta"
            }
            ResponseEvent::CustomToolCallInputDone { .. } => "response.custom_tool_call_input.done",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_round_trips_with_openai_semantics() {
        let usage = Usage {
            input_tokens: 1200,
            cached_input_tokens: 1000,
            cache_write_tokens: 0,
            output_tokens: 300,
            reasoning_tokens: 128,
        };
        let wire = ResponseUsage::from(&usage);
        assert_eq!(
            wire.total_tokens, 1500,
            "total is input plus output, no double counting"
        );
        assert_eq!(
            serde_json::to_value(&wire).unwrap(),
            serde_json::json!({
                "input_tokens": 1200,
                "input_tokens_details": {"cached_tokens": 1000},
                "output_tokens": 300,
                "output_tokens_details": {"reasoning_tokens": 128},
                "total_tokens": 1500
            }),
            "cache_write_tokens only appears when there were cache writes"
        );
        assert_eq!(Usage::from(&wire), usage);
    }

    #[test]
    fn events_serialise_with_their_type_and_sequence_number() {
        let envelope = EventEnvelope {
            event: ResponseEvent::FunctionCallArgumentsDelta {
                item_id: "fc_1".into(),
                output_index: 2,
                delta: "{\"a\"".into(),
            },
            sequence_number: 7,
        };
        let value = serde_json::to_value(&envelope).unwrap();
        assert_eq!(value["type"], envelope.event.name());
        assert_eq!(value["sequence_number"], 7);
        let back: EventEnvelope = serde_json::from_value(value).unwrap();
        assert_eq!(back, envelope);
    }
}
