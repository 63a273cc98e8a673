//! The canonical model every translation goes through.
//!
//! Translating between N API formats pairwise needs N² translators; through one model in the
//! middle it needs 2N. Each API module converts its wire format into these types and back:
//!
//! ```text
//!   client request  --decode_request-->  ChatRequest  --encode_request-->  provider request
//!   provider answer --decode_response--> ChatResponse --encode_response--> client answer
//!   provider events --StreamDecoder-->   StreamEvent  --StreamEncoder-->   client events
//!   provider error  --decode_error-->    ApiError     --encode_error-->    client error
//! ```
//!
//! The model is the union of what the formats can say, so nothing a client sent is dropped on
//! the way: thinking blocks keep their signatures, tool calls keep Gemini's thought signatures,
//! content keeps its `cache_control`. Where a target format cannot express something, its
//! encoder decides (drop, degrade, or refuse with a [`TranslateError`]) and says why in a
//! comment. Usage is always in the semantics of [`Usage`] (OpenAI's).
//!
//! Same-format traffic never comes here: it is passed through (see [`crate::raw`]).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::media::Base64Text;
use crate::usage::Usage;

/// Where one encoding of a request goes: the model the target names, whether to stream, and
/// whether to ask an OpenAI-format provider for a usage chunk (`stream_options`). A request is
/// decoded once and sent to each target in turn; these are the only members that differ
/// between targets, so the encoders take them apart instead of from a copy of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Destination<'a> {
    pub model: &'a str,
    pub stream: bool,
    pub stream_usage: bool,
}

impl<'a> Destination<'a> {
    /// The request's own model and stream flag; usage is asked for whenever it streams.
    pub fn of(request: &'a ChatRequest) -> Self {
        Destination {
            model: &request.model,
            stream: request.stream,
            stream_usage: request.stream,
        }
    }
}

/// A chat request in no particular API's format.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// The model name as it goes upstream (the gateway sets it after routing).
    pub model: String,
    /// System instructions, in order. Formats with system messages anywhere in the list lift
    /// them here; formats with one system field join them with a blank line.
    pub system: Vec<SystemBlock>,
    /// The conversation, alternating roles not guaranteed (encoders that need alternation merge
    /// consecutive same-role messages).
    pub messages: Vec<Message>,
    pub tools: Vec<Tool>,
    pub tool_choice: Option<ToolChoice>,
    /// `Some(false)` asks for at most one tool call per turn.
    pub parallel_tool_calls: Option<bool>,
    pub response_format: Option<ResponseFormat>,
    pub stop: Vec<String>,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub top_k: Option<u64>,
    /// Output token limit (including reasoning tokens where the provider counts them so).
    pub max_tokens: Option<u64>,
    pub reasoning: Option<Reasoning>,
    pub stream: bool,
    /// An end-user id for abuse tracking (`user` / `metadata.user_id`).
    pub user: Option<String>,
}

impl ChatRequest {
    /// About how many bytes the request takes as JSON: its text and inline media, plus a
    /// little per message. Encoders reserve this much once instead of growing their output
    /// buffer by doubling (which, for a request carrying a 2 MiB image, allocated 6 MiB).
    pub fn encoded_size_hint(&self) -> usize {
        fn size(content: &Content) -> usize {
            match content {
                Content::Text { text, .. } | Content::Thinking { text, .. } => text.len(),
                Content::RedactedThinking { data } => data.len(),
                Content::Image { source, .. } | Content::Document { source, .. } => match source {
                    MediaSource::Base64 { data, .. } => data.len(),
                    MediaSource::Url { url } => url.len(),
                },
                Content::ToolCall(call) => call.name.len() + 64,
                Content::ToolResult(result) => result.content.iter().map(size).sum(),
            }
        }
        let messages: usize = self
            .messages
            .iter()
            .map(|m| 64 + m.content.iter().map(|c| 32 + size(c)).sum::<usize>())
            .sum();
        let system: usize = self.system.iter().map(|b| 32 + b.text.len()).sum();
        1024 + messages + system + self.tools.len() * 512
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemBlock {
    pub text: String,
    pub cache_control: Option<CacheControl>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: Vec<Content>,
}

/// One piece of a message. Tool calls live in assistant messages, tool results in user
/// messages (OpenAI's `tool` role decodes to a user message holding `ToolResult`s).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    Text {
        text: String,
        cache_control: Option<CacheControl>,
    },
    Image {
        source: MediaSource,
        cache_control: Option<CacheControl>,
    },
    /// A PDF or other document (Anthropic `document`, Gemini inline data, OpenAI `file`).
    Document {
        source: MediaSource,
        /// File name where the format carries one.
        name: Option<String>,
        cache_control: Option<CacheControl>,
    },
    ToolCall(ToolCall),
    ToolResult(ToolResult),
    /// Model reasoning that must be replayed unchanged on the next turn (Anthropic requires the
    /// signature; tool loops wedge without it).
    Thinking {
        text: String,
        signature: Option<String>,
    },
    /// Anthropic's encrypted reasoning; opaque, replayed as is.
    RedactedThinking {
        data: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MediaSource {
    /// Raw base64 (no `data:` prefix) with its media type, e.g. `image/png`, `application/pdf`.
    Base64 {
        media_type: String,
        data: Base64Text,
    },
    /// An http(s) URL the provider fetches itself.
    Url { url: String },
}

impl MediaSource {
    /// Parses a `data:<media type>;base64,<data>` URL, or keeps anything else as a URL.
    pub fn from_url(url: &str) -> MediaSource {
        MediaSource::from_url_owned(url.to_owned())
    }

    /// [`MediaSource::from_url`] keeping the URL's own buffer: a data URL's base64 stays where
    /// it is (its prefix cut off), not copied, which matters for megabytes of image.
    pub fn from_url_owned(mut url: String) -> MediaSource {
        if let Some(rest) = url.strip_prefix("data:")
            && let Some((meta, _)) = rest.split_once(',')
            && let Some(media_type) = meta.strip_suffix(";base64")
        {
            let media_type = media_type.to_owned();
            let prefix = "data:".len() + meta.len() + 1;
            url.drain(..prefix);
            return MediaSource::Base64 {
                media_type,
                data: url.into(),
            };
        }
        MediaSource::Url { url }
    }

    /// The source as a URL: data URLs for base64.
    pub fn to_url(&self) -> String {
        match self {
            MediaSource::Base64 { media_type, data } => format!("data:{media_type};base64,{data}"),
            MediaSource::Url { url } => url.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// Never empty: decoders generate a stable id (`call_<n>` from the position) when the
    /// provider sent none (Gemini).
    pub id: String,
    pub name: String,
    /// The arguments as a JSON value (an object). Empty or missing streamed arguments become
    /// `{}`; unparsable argument text is kept as a JSON string so nothing is lost.
    pub arguments: Value,
    /// Gemini 3's `thoughtSignature`, which must come back with the call on the next turn.
    pub thought_signature: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolResult {
    pub call_id: String,
    /// The function's name: Gemini needs it; decoders fill it from the matching earlier
    /// `ToolCall` when the wire format carries only the id (OpenAI).
    pub name: Option<String>,
    /// Text and images.
    pub content: Vec<Content>,
    pub is_error: bool,
    pub cache_control: Option<CacheControl>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub description: Option<String>,
    /// JSON Schema of the arguments (an object schema).
    pub parameters: Value,
    pub strict: Option<bool>,
    pub cache_control: Option<CacheControl>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "name", rename_all = "snake_case")]
pub enum ToolChoice {
    Auto,
    /// Call no tool (Anthropic: send no tools at all).
    None,
    /// Call at least one tool (Anthropic `any`, Gemini `ANY`).
    Required,
    /// Call this tool.
    Tool(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResponseFormat {
    Text,
    JsonObject,
    JsonSchema {
        name: String,
        schema: Value,
        strict: Option<bool>,
    },
}

/// Prompt-caching marker (Anthropic's `{"type": "ephemeral", "ttl": "1h"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheControl {
    /// `"5m"` (default) or `"1h"`.
    pub ttl: Option<String>,
}

/// Reasoning ("thinking") settings. Formats speak either an effort level (OpenAI) or a token
/// budget (Anthropic, Gemini); encoders convert with [`Reasoning::budget_for`] and
/// [`Reasoning::effort_for`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reasoning {
    pub effort: Option<Effort>,
    pub budget_tokens: Option<u64>,
    /// Whether the client wants reasoning text (summaries) back.
    pub include_thoughts: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effort {
    None,
    Minimal,
    Low,
    Medium,
    High,
}

impl Reasoning {
    /// A thinking budget in tokens: the explicit one, or one derived from the effort.
    /// Anthropic requires at least 1024.
    pub fn budget_for(&self) -> Option<u64> {
        if let Some(budget) = self.budget_tokens {
            return Some(budget);
        }
        match self.effort? {
            Effort::None => None,
            Effort::Minimal => Some(1024),
            Effort::Low => Some(2048),
            Effort::Medium => Some(8192),
            Effort::High => Some(24576),
        }
    }

    /// An effort level: the explicit one, or one derived from the budget.
    pub fn effort_for(&self) -> Option<Effort> {
        if let Some(effort) = self.effort {
            return Some(effort);
        }
        Some(match self.budget_tokens? {
            0 => Effort::None,
            1..=1024 => Effort::Minimal,
            1025..=4096 => Effort::Low,
            4097..=16384 => Effort::Medium,
            _ => Effort::High,
        })
    }
}

/// A whole (non-streamed) answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatResponse {
    pub id: String,
    pub model: String,
    /// Text, thinking and tool calls, in the order the model produced them.
    pub content: Vec<Content>,
    pub stop_reason: StopReason,
    pub usage: Usage,
}

/// Why generation stopped, in one vocabulary (translation rule 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// Natural end (OpenAI `stop`, Anthropic `end_turn`/`pause_turn`, Gemini `STOP`).
    EndTurn,
    /// A stop sequence matched (OpenAI reports this as `stop` too).
    StopSequence,
    /// The output token limit (OpenAI `length`, Anthropic `max_tokens`, Gemini `MAX_TOKENS`).
    MaxTokens,
    /// The model called tools (OpenAI `tool_calls`, Anthropic `tool_use`).
    ToolUse,
    /// Refused or filtered (OpenAI `content_filter`, Anthropic `refusal`, Gemini SAFETY,
    /// BLOCKLIST, PROHIBITED_CONTENT, SPII, RECITATION).
    ContentFilter,
}

/// One step of a streamed answer, in provider-neutral terms.
///
/// Block indexes count every content block of the answer in order (text, thinking and tool
/// calls alike), as Anthropic's do. A `*Start` always precedes the deltas of its block, and a
/// `BlockStop` follows them: encoders rely on it (Claude Code fails with "Content block not
/// found" on a delta without its start).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamEvent {
    /// The answer began. `usage` carries what is known up front (Anthropic's input tokens).
    Start {
        id: String,
        model: String,
        usage: Usage,
    },
    TextStart {
        index: usize,
    },
    TextDelta {
        index: usize,
        text: String,
    },
    ThinkingStart {
        index: usize,
    },
    ThinkingDelta {
        index: usize,
        text: String,
    },
    /// The signature of a thinking block, sent once at its end.
    ThinkingSignature {
        index: usize,
        signature: String,
    },
    RedactedThinking {
        index: usize,
        data: String,
    },
    ToolCallStart {
        index: usize,
        id: String,
        name: String,
        thought_signature: Option<String>,
    },
    /// A fragment of the arguments' JSON text; the fragments of one call concatenate to it.
    ToolCallDelta {
        index: usize,
        arguments: String,
    },
    BlockStop {
        index: usize,
    },
    /// Usage so far. Later events replace earlier numbers field by field (a provider may send
    /// input tokens first and output tokens last); the last one is final.
    Usage {
        usage: Usage,
    },
    /// Generation finished for this reason. Usage may still follow.
    Finish {
        stop_reason: StopReason,
    },
    /// The provider failed mid-stream. No events follow.
    Error {
        error: ApiError,
    },
}

/// An error in provider-neutral terms, with the HTTP status a client should see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub status: u16,
    pub kind: ErrorKind,
    pub message: String,
    /// The provider's own code where it had one (`context_length_exceeded`, …).
    pub code: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    InvalidRequest,
    Authentication,
    PermissionDenied,
    NotFound,
    RequestTooLarge,
    RateLimited,
    /// The provider is overloaded (Anthropic 529).
    Overloaded,
    ServerError,
    Timeout,
}

impl ErrorKind {
    /// The kind an HTTP status means, for providers whose error bodies say little.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            400 | 422 => ErrorKind::InvalidRequest,
            401 => ErrorKind::Authentication,
            403 => ErrorKind::PermissionDenied,
            404 => ErrorKind::NotFound,
            408 | 504 => ErrorKind::Timeout,
            413 => ErrorKind::RequestTooLarge,
            429 => ErrorKind::RateLimited,
            529 | 503 => ErrorKind::Overloaded,
            _ if status >= 500 => ErrorKind::ServerError,
            _ => ErrorKind::InvalidRequest,
        }
    }
}

/// A request that cannot be translated into the target format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TranslateError {
    pub message: String,
    /// The offending request field, where there is one.
    pub param: Option<String>,
}

impl TranslateError {
    pub fn new(message: impl Into<String>) -> Self {
        TranslateError {
            message: message.into(),
            param: None,
        }
    }

    pub fn at(param: &str, message: impl Into<String>) -> Self {
        TranslateError {
            message: message.into(),
            param: Some(param.to_owned()),
        }
    }
}

/// One server-sent event as a stream encoder produces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` name (Anthropic and Responses name their events; OpenAI chat does not).
    pub event: Option<String>,
    pub data: String,
}

impl SseEvent {
    pub fn data(data: impl Into<String>) -> Self {
        SseEvent {
            event: None,
            data: data.into(),
        }
    }

    pub fn named(event: &str, data: impl Into<String>) -> Self {
        SseEvent {
            event: Some(event.to_owned()),
            data: data.into(),
        }
    }

    /// The event in SSE framing.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = String::with_capacity(self.data.len() + 32);
        if let Some(event) = &self.event {
            out.push_str("event: ");
            out.push_str(event);
            out.push('\n');
        }
        for line in self.data.split('\n') {
            out.push_str("data: ");
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
        out.into_bytes()
    }
}

/// Turns one provider's stream events into canonical ones. One decoder per request: stream
/// state is never shared (translation rule 3).
pub trait StreamDecoder: Send {
    /// Feeds one SSE event (`event` is its name, if any). Returns the canonical events it
    /// completes, possibly none.
    fn decode(&mut self, event: Option<&str>, data: &str) -> Vec<StreamEvent>;
    /// The provider's stream ended (connection closed cleanly). Returns events still owed, e.g.
    /// a `Finish` the provider never sent.
    fn finish(&mut self) -> Vec<StreamEvent>;
}

/// Turns canonical events into one client format's SSE events. One encoder per request.
pub trait StreamEncoder: Send {
    fn encode(&mut self, event: &StreamEvent) -> Vec<SseEvent>;
    /// The stream is over: returns the closing events the format requires (`[DONE]`,
    /// `message_stop`, `response.completed`), with final usage.
    fn finish(&mut self) -> Vec<SseEvent>;
}

/// Tool names a provider would reject (OpenAI and Gemini allow `[A-Za-z0-9_-]{1,64}`; Claude
/// Code's MCP tools are often longer), shortened on the way to the provider and restored on
/// the way back (translation rule 5).
///
/// Shortening is deterministic (a prefix plus a hash of the full name), so the same tool gets
/// the same short name on every turn of a conversation without any stored state; the map only
/// remembers which short names this request produced, to restore them in the answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolNames {
    restored: std::collections::HashMap<String, String>,
}

impl ToolNames {
    /// The longest name OpenAI and Gemini accept.
    pub const MAX: usize = 64;

    /// The name to send to a provider that accepts `[A-Za-z0-9_-]{1,max}`.
    pub fn shorten(&mut self, name: &str, max: usize) -> String {
        let valid = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        if !name.is_empty() && name.len() <= max && name.chars().all(valid) {
            return name.to_owned();
        }
        let cleaned: String = name
            .chars()
            .map(|c| if valid(c) { c } else { '_' })
            .collect();
        let short = if cleaned.len() <= max && !cleaned.is_empty() {
            cleaned
        } else {
            let hash = fnv1a(name.as_bytes());
            let keep = max.saturating_sub(9);
            format!("{}_{hash:08x}", &cleaned[..keep.min(cleaned.len())])
        };
        self.restored.insert(short.clone(), name.to_owned());
        short
    }

    /// The client's original name for a name the provider used.
    pub fn restore(&self, name: &str) -> String {
        self.restored
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_owned())
    }
}

fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |hash, b| {
        (hash ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_tool_names_are_shortened_stably_and_restored() {
        let long = "mcp__github_enterprise_server__create_pull_request_review_comment_reply";
        let mut names = ToolNames::default();
        let short = names.shorten(long, ToolNames::MAX);
        assert!(short.len() <= 64, "{short}");
        assert_eq!(
            ToolNames::default().shorten(long, 64),
            short,
            "same name every turn"
        );
        assert_eq!(names.restore(&short), long);
        assert_eq!(
            names.shorten("get_weather", 64),
            "get_weather",
            "valid names are untouched"
        );
        assert_eq!(names.restore("get_weather"), "get_weather");
        let dotted = names.shorten("files.read", 64);
        assert_eq!(dotted, "files_read");
        assert_eq!(names.restore(&dotted), "files.read");
    }

    #[test]
    fn data_urls_become_base64_sources_and_back() {
        let source = MediaSource::from_url("data:image/png;base64,iVBORw0KGgo=");
        assert_eq!(
            source,
            MediaSource::Base64 {
                media_type: "image/png".into(),
                data: "iVBORw0KGgo=".into()
            }
        );
        assert_eq!(source.to_url(), "data:image/png;base64,iVBORw0KGgo=");
        assert_eq!(
            MediaSource::from_url("https://example.com/cat.png"),
            MediaSource::Url {
                url: "https://example.com/cat.png".into()
            }
        );
    }

    #[test]
    fn effort_and_budget_convert_both_ways() {
        let high = Reasoning {
            effort: Some(Effort::High),
            budget_tokens: None,
            include_thoughts: false,
        };
        assert_eq!(high.budget_for(), Some(24576));
        let budget = Reasoning {
            effort: None,
            budget_tokens: Some(2000),
            include_thoughts: true,
        };
        assert_eq!(budget.effort_for(), Some(Effort::Low));
        assert_eq!(budget.budget_for(), Some(2000));
    }

    #[test]
    fn sse_events_frame_multiline_data() {
        let event = SseEvent::named("message_start", "{\"a\":1}\n{\"b\":2}");
        assert_eq!(
            String::from_utf8(event.to_bytes()).unwrap(),
            "event: message_start\ndata: {\"a\":1}\ndata: {\"b\":2}\n\n"
        );
    }
}
