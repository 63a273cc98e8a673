//! The Messages API's JSON shapes, as serde types.
//!
//! One set of types serves both directions: clients' requests are read with them and provider
//! requests are written with them; provider answers and stream events are read with them and
//! client answers and events are written with them. Fields the translation does not use are not
//! declared, so serde ignores them on input (the API adds fields often) and never invents them on
//! output.
//!
//! Content is a string or an array of blocks in several places; those are read through
//! [`Blocks`], whose errors name the offending block (`content[3]: unknown variant ...`) instead of
//! serde's "data did not match any variant of untagged enum".

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::media::Base64Text;

/// `POST /v1/messages` (and `/v1/messages/count_tokens`, which takes the same body).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MessagesRequest {
    #[serde(default)]
    pub model: String,
    #[serde(default, deserialize_with = "nullable")]
    pub messages: Vec<MessageParam>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<Blocks<SystemBlockParam>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u64>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub stop_sequences: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tools: Vec<ToolParam>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoiceParam>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking: Option<ThinkingParam>,
    /// `effort` and structured output (`format`), read from clients only.
    #[serde(default, skip_serializing)]
    pub output_config: Option<OutputConfig>,
    /// The structured-output beta's older spelling of `output_config.format`.
    #[serde(default, skip_serializing)]
    pub output_format: Option<OutputFormat>,
    /// Remote MCP servers Anthropic would connect to itself; read only to refuse them.
    #[serde(default, deserialize_with = "nullable", skip_serializing)]
    pub mcp_servers: Vec<Value>,
    /// Anthropic's context editing (clearing old tool results and thinking); read only to say
    /// it was left out when translating.
    #[serde(default, skip_serializing)]
    pub context_management: Option<Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageParam {
    pub role: WireRole,
    pub content: Blocks<ContentBlock>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireRole {
    User,
    Assistant,
    /// A system message inside `messages`: Claude Code sends one mid-conversation when its
    /// tools change (beta `mid-conversation-tool-changes-2026-07-01`). Read, never written.
    System,
}

/// A string or an array of blocks (message content, `system`, tool result content).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Blocks<T> {
    Text(String),
    Blocks(Vec<T>),
}

impl<T> Default for Blocks<T> {
    fn default() -> Self {
        Blocks::Blocks(Vec::new())
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Blocks<T> {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        match Value::deserialize(de)? {
            Value::String(text) => Ok(Blocks::Text(text)),
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    serde_json::from_value(item)
                        .map_err(|e| D::Error::custom(format!("content block {i}: {e}")))
                })
                .collect::<Result<Vec<T>, D::Error>>()
                .map(Blocks::Blocks),
            Value::Null => Ok(Blocks::Blocks(Vec::new())),
            _ => Err(D::Error::custom(
                "expected a string or an array of content blocks",
            )),
        }
    }
}

/// A block of `system`: text only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemBlockParam {
    #[serde(rename = "type", default = "text_type")]
    pub kind: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControlParam>,
}

fn text_type() -> String {
    "text".to_owned()
}

/// `{"type": "ephemeral", "ttl": "1h"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheControlParam {
    #[serde(rename = "type", default = "ephemeral")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
}

fn ephemeral() -> String {
    "ephemeral".to_owned()
}

/// A block of a request message. Types not listed here (server tool results, `search_result`,
/// `container_upload`, …) fail to parse: they only mean something to Anthropic itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentBlock {
    Text {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControlParam>,
    },
    Image {
        source: ImageSource,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControlParam>,
    },
    Document {
        source: DocumentSource,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        context: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControlParam>,
    },
    ToolUse {
        id: String,
        name: String,
        #[serde(default = "empty_object")]
        input: Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControlParam>,
    },
    ToolResult {
        tool_use_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content: Option<Blocks<ContentBlock>>,
        #[serde(
            default,
            deserialize_with = "nullable",
            skip_serializing_if = "is_false"
        )]
        is_error: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControlParam>,
    },
    Thinking {
        thinking: String,
        #[serde(default, deserialize_with = "nullable")]
        signature: String,
    },
    RedactedThinking {
        data: String,
    },
}

fn empty_object() -> Value {
    Value::Object(serde_json::Map::new())
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ImageSource {
    Base64 {
        media_type: String,
        data: Base64Text,
    },
    Url {
        url: String,
    },
    /// Files API upload: only Anthropic can resolve the id.
    File {
        file_id: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DocumentSource {
    /// A PDF.
    Base64 {
        media_type: String,
        data: Base64Text,
    },
    /// A PDF by URL.
    Url { url: String },
    /// Plain text (`media_type` is `text/plain`).
    Text {
        #[serde(default)]
        media_type: String,
        data: String,
    },
    /// "Custom content": text and image blocks the client already split up.
    Content { content: Blocks<ContentBlock> },
    /// Files API upload: only Anthropic can resolve the id.
    File { file_id: String },
}

/// A tool definition. Client tools have no `type` (or `custom`); anything else is a server tool
/// Anthropic runs itself (`web_search_20250305`, `bash_20250124`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolParam {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_schema: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControlParam>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToolChoiceParam {
    Auto {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        disable_parallel_tool_use: Option<bool>,
    },
    Any {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        disable_parallel_tool_use: Option<bool>,
    },
    Tool {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        disable_parallel_tool_use: Option<bool>,
    },
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ThinkingParam {
    Enabled {
        budget_tokens: u64,
    },
    Disabled,
    /// The model decides how much to think (newer models); `display: "omitted"` hides the text.
    Adaptive {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        display: Option<String>,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct OutputConfig {
    /// `low`, `medium`, `high` (the effort beta).
    #[serde(default)]
    pub effort: Option<String>,
    #[serde(default)]
    pub format: Option<OutputFormat>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OutputFormat {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub schema: Option<Value>,
}

/// A whole answer, and the skeleton `message_start` carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageResponse {
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    #[serde(rename = "type", default = "message_type")]
    pub kind: String,
    #[serde(default = "assistant_role")]
    pub role: String,
    #[serde(default, deserialize_with = "nullable")]
    pub model: String,
    #[serde(default, deserialize_with = "nullable")]
    pub content: Vec<ResponseBlock>,
    #[serde(default)]
    pub stop_reason: Option<String>,
    #[serde(default)]
    pub stop_sequence: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub usage: WireUsage,
}

fn message_type() -> String {
    "message".to_owned()
}

fn assistant_role() -> String {
    "assistant".to_owned()
}

/// A block of an answer (and of `content_block_start`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResponseBlock {
    Text {
        #[serde(default, deserialize_with = "nullable")]
        text: String,
    },
    Thinking {
        #[serde(default, deserialize_with = "nullable")]
        thinking: String,
        #[serde(default, deserialize_with = "nullable")]
        signature: String,
    },
    RedactedThinking {
        #[serde(default, deserialize_with = "nullable")]
        data: String,
    },
    ToolUse {
        id: String,
        name: String,
        #[serde(default = "empty_object")]
        input: Value,
    },
    /// Server tool blocks and anything newer: nothing a client of another format could use.
    #[serde(other)]
    Other,
}

/// Anthropic's usage: `input_tokens` excludes cache reads and writes (translation rule 1).
///
/// Every field is optional because `message_delta` may carry any subset, and a field it omits
/// must not overwrite what `message_start` said.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireUsage {
    #[serde(default)]
    pub input_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_creation_input_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read_input_tokens: Option<u64>,
    #[serde(default)]
    pub output_tokens: Option<u64>,
}

/// One event of a Messages stream; the `type` member repeats the SSE `event:` name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WireStreamEvent {
    MessageStart {
        message: MessageResponse,
    },
    ContentBlockStart {
        index: usize,
        content_block: ResponseBlock,
    },
    ContentBlockDelta {
        index: usize,
        delta: BlockDelta,
    },
    ContentBlockStop {
        index: usize,
    },
    MessageDelta {
        delta: MessageDeltaBody,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        usage: Option<WireUsage>,
    },
    MessageStop,
    Ping,
    Error {
        error: ErrorDetail,
    },
    #[serde(other)]
    Unknown,
}

impl WireStreamEvent {
    /// The SSE `event:` name Anthropic sends with this event.
    pub fn name(&self) -> &'static str {
        match self {
            WireStreamEvent::MessageStart { .. } => "message_start",
            WireStreamEvent::ContentBlockStart { .. } => "content_block_start",
            WireStreamEvent::ContentBlockDelta { .. } => "content_block_delta",
            WireStreamEvent::ContentBlockStop { .. } => "content_block_stop",
            WireStreamEvent::MessageDelta { .. } => "message_delta",
            WireStreamEvent::MessageStop => "message_stop",
            WireStreamEvent::Ping => "ping",
            WireStreamEvent::Error { .. } => "error",
            WireStreamEvent::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BlockDelta {
    TextDelta {
        #[serde(default, deserialize_with = "nullable")]
        text: String,
    },
    InputJsonDelta {
        #[serde(default, deserialize_with = "nullable")]
        partial_json: String,
    },
    ThinkingDelta {
        #[serde(default, deserialize_with = "nullable")]
        thinking: String,
    },
    SignatureDelta {
        #[serde(default, deserialize_with = "nullable")]
        signature: String,
    },
    /// `citations_delta` and anything newer.
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageDeltaBody {
    #[serde(default)]
    pub stop_reason: Option<String>,
    #[serde(default)]
    pub stop_sequence: Option<String>,
}

/// `{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(rename = "type", default = "error_type")]
    pub kind: String,
    pub error: ErrorDetail,
}

fn error_type() -> String {
    "error".to_owned()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default, deserialize_with = "nullable")]
    pub message: String,
}

/// `null` reads as the type's default (clients send `"tools": null`, `"signature": null`).
fn nullable<'de, D, T>(de: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(de)?.unwrap_or_default())
}
