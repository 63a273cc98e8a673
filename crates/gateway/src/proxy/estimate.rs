//! Token estimates for when a provider reports no usage (some OpenAI-compatible servers, or a
//! stream cut short). Rows using them are marked `usage_estimated`, so nobody mistakes them for
//! billed numbers. The rule of thumb is OpenAI's own: about four characters per token.

use switchyard_protocol::RawObject;

const CHARS_PER_TOKEN: u64 = 4;
/// Per-message overhead of the chat format (role markers), as OpenAI documents it.
const PER_MESSAGE: u64 = 4;

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

/// Characters of generated text in one OpenAI stream chunk (content, reasoning and tool
/// arguments), for estimating output tokens when the provider reports no usage.
pub fn chunk_text_chars(data: &str) -> u64 {
    #[derive(serde::Deserialize, Default)]
    struct Chunk {
        #[serde(default)]
        choices: Vec<Choice>,
    }
    #[derive(serde::Deserialize, Default)]
    struct Choice {
        #[serde(default)]
        delta: Option<serde_json::Value>,
        #[serde(default)]
        text: Option<String>,
    }
    let Ok(chunk) = serde_json::from_str::<Chunk>(data) else {
        return 0;
    };
    let mut chars = 0u64;
    for choice in &chunk.choices {
        chars += choice.text.as_ref().map_or(0, |t| t.chars().count() as u64);
        if let Some(delta) = &choice.delta {
            for key in ["content", "reasoning_content", "reasoning"] {
                chars += delta
                    .get(key)
                    .and_then(|v| v.as_str())
                    .map_or(0, |s| s.chars().count() as u64);
            }
            for call in delta
                .get("tool_calls")
                .and_then(|t| t.as_array())
                .into_iter()
                .flatten()
            {
                chars += call
                    .pointer("/function/arguments")
                    .and_then(|a| a.as_str())
                    .map_or(0, |a| a.chars().count() as u64);
            }
        }
    }
    chars
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
}
