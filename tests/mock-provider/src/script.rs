//! Scripted behaviours, chosen per request by the model name and the `mock`
//! body field, so a test can provoke any failure without configuring the
//! server.
//!
//! Model names (any provider, any POST endpoint; each provider answers in its
//! own error shape):
//! - `error-<status>` (e.g. `error-429`): answer with that HTTP status and the
//!   provider's error body for it.
//! - `slow-<ms>`: wait that many milliseconds, then answer normally.
//! - `midstream-reset`: a streamed answer sends a few events, then the
//!   connection is cut (OpenAI: two chunks and no `[DONE]`; Anthropic: up to
//!   the first content delta and no `message_stop`).
//! - `midstream-error`: a streamed answer sends the same few events, then an
//!   error event, then ends.
//! - `flaky-<n>-<status>` (e.g. `flaky-2-429`; OpenAI dialect): the first `n`
//!   requests for this model name (counted per server) fail with that status,
//!   later ones answer normally. For retries and cool-downs.
//!
//! Any scripted OpenAI error carries `retry-after-ms: <ms>` instead of the
//! default 429 `retry-after: 1` when the body sets `mock.retry_after_ms`.
//!
//! A non-streamed `midstream-reset` answer is cut halfway through its JSON
//! body; a non-streamed `midstream-error` is the provider's overload error
//! (OpenAI: 500 `server_error`; Anthropic: 529 `overloaded_error`).
//!
//! Any other model name answers normally. The optional `mock` object in the
//! request body (forwarded untouched by the gateway) tunes the answer, see
//! [`Knobs`].
//!
//! Prompt text (every dialect): when the text of the last user turn contains
//! `[[mock-tool NAME {json args}]]` and tools are offered, the answer is one
//! call to the offered tool named `NAME` (or one whose name ends in `NAME`
//! after a `__`, `.` or `_` separator, since gateways may prefix tool names)
//! with exactly those arguments; the turn after the tool result answers
//! `Tool result received: <content>` as always. A directive naming no
//! offered tool gets a text answer listing the offered ones. This is how a
//! test drives a real client through a tool loop with a tool the client
//! knows how to run (see `directive.rs`).

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::Value;

/// What the model name asks the mock to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Answer normally.
    Normal,
    /// Fail with this status and an error body.
    Error(StatusCode),
    /// Wait, then answer normally.
    Slow(Duration),
    /// Stream a few events, then cut the connection.
    MidstreamReset,
    /// Stream a few events, then an error event.
    MidstreamError,
    /// Fail the first `failures` requests for this model name, then answer.
    Flaky { failures: u64, status: StatusCode },
}

impl Script {
    /// Reads the script from a model name; unknown names answer normally.
    pub fn from_model(model: &str) -> Script {
        if let Some(status) = model
            .strip_prefix("error-")
            .and_then(|s| s.parse::<u16>().ok())
            .and_then(|s| StatusCode::from_u16(s).ok())
            .filter(|s| s.is_client_error() || s.is_server_error())
        {
            return Script::Error(status);
        }
        if let Some((failures, status)) = model
            .strip_prefix("flaky-")
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(n, s)| Some((n.parse::<u64>().ok()?, s.parse::<u16>().ok()?)))
            .and_then(|(n, s)| Some((n, StatusCode::from_u16(s).ok()?)))
            .filter(|(_, s)| s.is_client_error() || s.is_server_error())
        {
            return Script::Flaky { failures, status };
        }
        if let Some(ms) = model
            .strip_prefix("slow-")
            .and_then(|ms| ms.parse::<u64>().ok())
        {
            return Script::Slow(Duration::from_millis(ms));
        }
        match model {
            "midstream-reset" => Script::MidstreamReset,
            "midstream-error" => Script::MidstreamError,
            _ => Script::Normal,
        }
    }

    /// Whether a stream should stop after its first few events.
    pub fn cuts_stream(self) -> bool {
        matches!(self, Script::MidstreamReset | Script::MidstreamError)
    }
}

/// Exact usage numbers requested through `mock.usage`; each one optional.
///
/// Each provider reads the keys of its own usage object: OpenAI the first
/// four, Anthropic the last four.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UsageOverride {
    /// OpenAI `prompt_tokens`.
    pub prompt_tokens: Option<u64>,
    /// OpenAI total `completion_tokens`, reasoning included.
    pub completion_tokens: Option<u64>,
    /// OpenAI `prompt_tokens_details.cached_tokens`.
    pub cached_tokens: Option<u64>,
    /// OpenAI `completion_tokens_details.reasoning_tokens`.
    pub reasoning_tokens: Option<u64>,
    /// Anthropic `input_tokens` (cache reads and writes excluded).
    pub input_tokens: Option<u64>,
    /// Anthropic `output_tokens` (thinking included).
    pub output_tokens: Option<u64>,
    /// Anthropic `cache_read_input_tokens`.
    pub cache_read_input_tokens: Option<u64>,
    /// Anthropic `cache_creation_input_tokens`.
    pub cache_creation_input_tokens: Option<u64>,
}

/// Tuning read from the request's `mock` object.
///
/// `{"mock": {"usage": {...}, "chunks": N, "interval_ms": MS, "parallel_tools": true}}`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Knobs {
    /// `mock.usage`: exact usage numbers.
    pub usage: UsageOverride,
    /// `mock.chunks`: the answer is exactly this many content pieces.
    pub chunks: Option<usize>,
    /// `mock.interval_ms`: pause between streamed events.
    pub interval: Duration,
    /// `mock.parallel_tools`: call every tool at once.
    pub parallel_tools: bool,
    /// `mock.retry_after_ms`: scripted OpenAI errors carry `retry-after-ms`.
    pub retry_after_ms: Option<u64>,
}

impl Knobs {
    /// Reads `body.mock`; anything missing or malformed is left at its default.
    pub fn from_body(body: &Value) -> Knobs {
        let Some(mock) = body.get("mock").filter(|m| m.is_object()) else {
            return Knobs::default();
        };
        let usage = mock.get("usage").unwrap_or(&Value::Null);
        let number = |key: &str| usage.get(key).and_then(Value::as_u64);
        Knobs {
            usage: UsageOverride {
                prompt_tokens: number("prompt_tokens"),
                completion_tokens: number("completion_tokens"),
                cached_tokens: number("cached_tokens"),
                reasoning_tokens: number("reasoning_tokens"),
                input_tokens: number("input_tokens"),
                output_tokens: number("output_tokens"),
                cache_read_input_tokens: number("cache_read_input_tokens"),
                cache_creation_input_tokens: number("cache_creation_input_tokens"),
            },
            chunks: mock
                .get("chunks")
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok()),
            interval: Duration::from_millis(
                mock.get("interval_ms").and_then(Value::as_u64).unwrap_or(0),
            ),
            parallel_tools: mock
                .get("parallel_tools")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            retry_after_ms: mock.get("retry_after_ms").and_then(Value::as_u64),
        }
    }

    /// The answer's pieces: `mock.chunks` synthetic ones, else `text` split into words.
    pub fn pieces(&self, text: &str) -> Vec<String> {
        match self.chunks {
            Some(n) => synthetic_pieces(n),
            None => split_words(text),
        }
    }
}

/// Splits text into word pieces that keep their leading space:
/// `"Hello! This is"` → `["Hello!", " This", " is"]`. Concatenation gives back the text.
pub fn split_words(text: &str) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    let mut current = String::new();
    for ch in text.chars() {
        if ch == ' ' && !current.is_empty() && !current.chars().all(|c| c == ' ') {
            pieces.push(std::mem::take(&mut current));
        }
        current.push(ch);
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// `n` pieces `"tok0", " tok1", …`.
pub fn synthetic_pieces(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            if i == 0 {
                "tok0".to_owned()
            } else {
                format!(" tok{i}")
            }
        })
        .collect()
}

/// Splits `text` into at most `parts` non-empty pieces of similar length
/// (on character boundaries). Empty text gives one empty piece.
pub fn split_even(text: &str, parts: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let parts = parts.clamp(1, chars.len().max(1));
    let size = chars.len().div_ceil(parts).max(1);
    let pieces: Vec<String> = chars.chunks(size).map(|c| c.iter().collect()).collect();
    if pieces.is_empty() {
        vec![String::new()]
    } else {
        pieces
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn model_names_select_scripts() {
        assert_eq!(
            Script::from_model("error-429"),
            Script::Error(StatusCode::TOO_MANY_REQUESTS)
        );
        assert_eq!(
            Script::from_model("slow-250"),
            Script::Slow(Duration::from_millis(250))
        );
        assert_eq!(
            Script::from_model("midstream-reset"),
            Script::MidstreamReset
        );
        assert_eq!(
            Script::from_model("flaky-2-503"),
            Script::Flaky {
                failures: 2,
                status: StatusCode::SERVICE_UNAVAILABLE
            }
        );
        assert_eq!(Script::from_model("error-200"), Script::Normal);
        assert_eq!(Script::from_model("gpt-4.1"), Script::Normal);
    }

    #[test]
    fn words_keep_their_leading_space() {
        let pieces = split_words("Hello! This is a mock answer from gpt-4.1.");
        assert_eq!(pieces[..3], ["Hello!", " This", " is"]);
        assert_eq!(
            pieces.concat(),
            "Hello! This is a mock answer from gpt-4.1."
        );
        assert_eq!(split_words("a  b").concat(), "a  b");
    }

    #[test]
    fn even_split_covers_the_text() {
        assert_eq!(split_even("{\"a\":1}", 3).concat(), "{\"a\":1}");
        assert_eq!(split_even("{\"a\":1}", 3).len(), 3);
        assert_eq!(split_even("{}", 3), ["{", "}"]);
        assert_eq!(split_even("", 3), [""]);
    }

    #[test]
    fn knobs_come_from_the_mock_field() {
        let knobs = Knobs::from_body(&json!({
            "mock": {"usage": {"prompt_tokens": 7, "cache_read_input_tokens": 9}, "chunks": 3,
                     "interval_ms": 5, "parallel_tools": true}
        }));
        assert_eq!(knobs.usage.prompt_tokens, Some(7));
        assert_eq!(knobs.usage.cache_read_input_tokens, Some(9));
        assert_eq!(knobs.pieces("ignored"), ["tok0", " tok1", " tok2"]);
        assert_eq!(knobs.interval, Duration::from_millis(5));
        assert!(knobs.parallel_tools);
        assert_eq!(Knobs::from_body(&json!({"mock": 3})), Knobs::default());
    }
}
