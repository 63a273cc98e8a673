//! Token estimates for when a provider reports no usage (some OpenAI-compatible servers, or a
//! stream cut short). Rows using them are marked `usage_estimated`, so nobody mistakes them for
//! billed numbers. The rule of thumb is OpenAI's own: about four characters per token.

use std::borrow::Cow;

use bytes::Bytes;

use switchyard_protocol::RawObject;
use switchyard_protocol::openai_chat::{ErrorDetail, WireUsage};

const CHARS_PER_TOKEN: u64 = 4;
/// Per-message overhead of the chat format (role markers), as OpenAI documents it.
const PER_MESSAGE: u64 = 4;

/// Prompt tokens for a stream's row, worked out only if the provider reports none (most do):
/// reading every message of a long prompt is the costliest thing a pass-through would
/// otherwise do per request.
pub enum InputEstimate {
    Known(u64),
    /// From the client's body, as [`input_tokens`] reads it.
    ClientBody(Bytes),
    /// From something only the caller knows how to read (the canonical request).
    Later(Box<dyn Fn() -> u64 + Send + Sync>),
}

impl InputEstimate {
    pub fn tokens(&self) -> u64 {
        match self {
            InputEstimate::Known(tokens) => *tokens,
            InputEstimate::ClientBody(body) => {
                RawObject::parse(body).map_or(0, |body| input_tokens(&body))
            }
            InputEstimate::Later(estimate) => estimate(),
        }
    }
}

/// Prompt tokens: the text of `messages` (chat), `prompt` (completions) or `input` (embeddings).
pub fn input_tokens(body: &RawObject<'_>) -> u64 {
    let mut chars = 0u64;
    let mut messages = 0u64;
    if let Ok(Some(list)) = body.get::<Vec<serde_json::Value>>("messages") {
        messages = list.len() as u64;
        for message in &list {
            chars += text_chars(message.get("content").unwrap_or(&serde_json::Value::Null));
        }
    }
    for key in ["prompt", "input", "suffix"] {
        if let Ok(Some(value)) = body.get::<serde_json::Value>(key) {
            chars += text_chars(&value);
        }
    }
    chars.div_ceil(CHARS_PER_TOKEN) + messages * PER_MESSAGE
}

/// Completion tokens of a whole OpenAI-format answer (chat or legacy completions).
pub fn output_tokens(body: &[u8]) -> u64 {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return 0;
    };
    let mut chars = 0;
    for choice in value
        .get("choices")
        .and_then(|c| c.as_array())
        .into_iter()
        .flatten()
    {
        chars += text_chars(choice.get("text").unwrap_or(&serde_json::Value::Null));
        if let Some(message) = choice.get("message") {
            chars += text_chars(message.get("content").unwrap_or(&serde_json::Value::Null));
            if let Some(calls) = message.get("tool_calls") {
                chars += calls.to_string().len() as u64;
            }
        }
    }
    chars.div_ceil(CHARS_PER_TOKEN)
}

/// Characters of text in a content value: a string, or the `text` of content parts.
fn text_chars(value: &serde_json::Value) -> u64 {
    match value {
        serde_json::Value::String(s) => s.chars().count() as u64,
        serde_json::Value::Array(items) => items
            .iter()
            .map(|item| match item {
                serde_json::Value::String(s) => s.chars().count() as u64,
                serde_json::Value::Object(part) => part
                    .get("text")
                    .and_then(|t| t.as_str())
                    .map_or(0, |t| t.chars().count() as u64),
                _ => 1, // token ids: one each
            })
            .sum(),
        _ => 0,
    }
}

/// What the proxy reads of one OpenAI stream chunk, in a single parse: usage, an in-stream
/// error, whether it is the usage-only chunk, and the size of the generated text (content,
/// reasoning and tool arguments) for estimating output tokens when no usage comes. Strings
/// are borrowed from the chunk where they need no unescaping.
#[derive(Debug, Default, serde::Deserialize)]
pub struct StreamChunk<'a> {
    #[serde(default)]
    pub usage: Option<WireUsage>,
    /// `None` when the chunk has no `choices` member at all (e.g. an error event).
    #[serde(default, borrow)]
    choices: Option<Vec<ChunkChoice<'a>>>,
    #[serde(default)]
    pub error: Option<ErrorDetail>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct ChunkChoice<'a> {
    #[serde(default, borrow)]
    delta: Option<ChunkDelta<'a>>,
    #[serde(default, borrow)]
    text: Text<'a>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct ChunkDelta<'a> {
    #[serde(default, borrow)]
    content: Text<'a>,
    #[serde(default, borrow)]
    reasoning_content: Text<'a>,
    #[serde(default, borrow)]
    reasoning: Text<'a>,
    #[serde(default, borrow)]
    tool_calls: Option<Vec<ChunkToolCall<'a>>>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct ChunkToolCall<'a> {
    #[serde(default, borrow)]
    function: Option<ChunkFunction<'a>>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct ChunkFunction<'a> {
    #[serde(default, borrow)]
    arguments: Text<'a>,
}

/// A text member that may be anything else in some provider's chunks (`null`, an object, an
/// array): anything but a string counts as no text, so one odd member never costs the chunk's
/// usage.
#[derive(Debug, Default)]
struct Text<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visitor<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Some(Cow::Borrowed(text))))
            }
            fn visit_str<E>(self, text: &str) -> Result<Text<'a>, E> {
                Ok(Text(Some(Cow::Owned(text.to_owned()))))
            }
            fn visit_string<E>(self, text: String) -> Result<Text<'a>, E> {
                Ok(Text(Some(Cow::Owned(text))))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Text<'a>, E> {
                Ok(Text(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Text<'a>, E> {
                Ok(Text(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Text<'a>, E> {
                Ok(Text(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Text<'a>, E> {
                Ok(Text(None))
            }
            fn visit_unit<E>(self) -> Result<Text<'a>, E> {
                Ok(Text(None))
            }
            fn visit_none<E>(self) -> Result<Text<'a>, E> {
                Ok(Text(None))
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Text<'a>, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Text<'a>, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Text<'a>, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Text(None))
            }
        }
        deserializer.deserialize_any(Visitor(std::marker::PhantomData))
    }
}

impl<'a> StreamChunk<'a> {
    /// The chunk, or an empty one when `data` is not a chunk (it is forwarded all the same).
    pub fn parse(data: &'a str) -> Self {
        serde_json::from_str(data).unwrap_or_default()
    }

    /// The chunk OpenAI sends last when `stream_options.include_usage` is set: usage and no
    /// choices. A client that did not ask for usage must not see it (it once crashed Cline).
    pub fn is_usage_only(&self) -> bool {
        self.usage.is_some() && self.choices.as_ref().is_some_and(Vec::is_empty)
    }

    /// Characters of generated text in the chunk.
    pub fn text_chars(&self) -> u64 {
        let count = |text: &Text<'_>| text.0.as_deref().map_or(0, |t| t.chars().count() as u64);
        let mut chars = 0;
        for choice in self.choices.iter().flatten() {
            chars += count(&choice.text);
            if let Some(delta) = &choice.delta {
                chars += count(&delta.content)
                    + count(&delta.reasoning_content)
                    + count(&delta.reasoning);
                for call in delta.tool_calls.iter().flatten() {
                    chars += call.function.as_ref().map_or(0, |f| count(&f.arguments));
                }
            }
        }
        chars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_prompt_estimate_counts_text_and_message_overhead() {
        let body = RawObject::parse(
            br#"{"messages":[{"role":"system","content":"abcd"},{"role":"user","content":[{"type":"text","text":"efgh"}]}]}"#,
        )
        .unwrap();
        assert_eq!(input_tokens(&body), 2 + 2 * PER_MESSAGE);
    }

    #[test]
    fn answer_estimate_reads_message_content() {
        let body = br#"{"choices":[{"message":{"role":"assistant","content":"12345678"}}]}"#;
        assert_eq!(output_tokens(body), 2);
    }

    #[test]
    fn one_parse_of_a_chunk_gives_its_text_size_usage_and_kind() {
        let chunk = StreamChunk::parse(
            r#"{"choices":[{"delta":{"content":"h\u00e9","reasoning_content":"ab","tool_calls":[{"function":{"arguments":"{}"}}]}}]}"#,
        );
        assert_eq!(chunk.text_chars(), 2 + 2 + 2);
        assert!(!chunk.is_usage_only());
        let last = StreamChunk::parse(
            r#"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}"#,
        );
        assert!(last.is_usage_only());
        assert_eq!(StreamChunk::parse("not json").text_chars(), 0);
        let odd = StreamChunk::parse(
            r#"{"choices":[{"delta":{"content":null,"reasoning":{"summary":[]},"tool_calls":null}}],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#,
        );
        assert!(
            odd.usage.is_some(),
            "odd members cost nothing but their text"
        );
    }
}
