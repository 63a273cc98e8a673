//! A local answer to `POST /v1/messages/count_tokens` for providers that have no such endpoint.
//!
//! Claude Code's context meter and its auto-compaction read this number, and a 404 breaks the
//! meter (docs/clients.md, Claude Code). No tokenizer of the target model is available here, so
//! the estimate errs high: a meter that fills a little early compacts a little early, while one
//! that reads low lets the conversation overflow the model's window.
//!
//! The rule:
//! - text (system, messages, tool results, thinking, tool call arguments, tool names,
//!   descriptions and schemas as JSON): one token per 3.5 ASCII characters, rounded up (English
//!   prose averages ~4, code and JSON nearer 3), and one token per non-ASCII character (CJK text
//!   is about one per character, emoji more than one; accented Latin less, which keeps this high);
//! - every message: 4 tokens of framing; every content block: 3; every system block: 2;
//! - every tool definition: 10, plus 350 once when any tool is defined (the tool-use
//!   instructions Anthropic adds to the prompt);
//! - images: 1,600 each, Anthropic's figure for the largest image it does not downscale;
//! - PDFs: one token per 12 bytes of file (base64 is 4/3 of that), at least 1,600 — a rough
//!   bound, since pages are not parsed; a PDF by URL counts 5,000;
//! - redacted thinking: one token per 4 bytes of its opaque data;
//! - 3 tokens priming the answer.

use serde_json::{Value, json};

use crate::canonical::{ChatRequest, Content, MediaSource};

const PER_MESSAGE: u64 = 4;
const PER_BLOCK: u64 = 3;
const PER_SYSTEM_BLOCK: u64 = 2;
const PER_TOOL: u64 = 10;
const TOOL_PROMPT: u64 = 350;
const IMAGE: u64 = 1600;
const PDF_MIN: u64 = 1600;
const PDF_BY_URL: u64 = 5000;
const REPLY_PRIMING: u64 = 3;

/// A deliberately high estimate of the prompt tokens of `req` (see the module docs for the rule).
pub fn count_tokens_estimate(req: &ChatRequest) -> u64 {
    let mut total = REPLY_PRIMING;
    for block in &req.system {
        total += PER_SYSTEM_BLOCK + text_tokens(&block.text);
    }
    for message in &req.messages {
        total += PER_MESSAGE + content_tokens(&message.content);
    }
    if !req.tools.is_empty() {
        total += TOOL_PROMPT;
    }
    for tool in &req.tools {
        total += PER_TOOL
            + text_tokens(&tool.name)
            + tool.description.as_deref().map_or(0, text_tokens)
            + json_tokens(&tool.parameters);
    }
    total
}

/// The body of a `count_tokens` answer: `{"input_tokens": n}`.
pub fn encode_count_tokens(n: u64) -> Value {
    json!({ "input_tokens": n })
}

fn content_tokens(content: &[Content]) -> u64 {
    content
        .iter()
        .map(|block| {
            PER_BLOCK
                + match block {
                    Content::Text { text, .. } => text_tokens(text),
                    Content::Image { .. } => IMAGE,
                    Content::Document { source, .. } => match source {
                        MediaSource::Base64 { data, .. } => {
                            let bytes = data.len() as u64 * 3 / 4;
                            (bytes / 12).max(PDF_MIN)
                        }
                        MediaSource::Url { .. } => PDF_BY_URL,
                    },
                    Content::ToolCall(call) => {
                        text_tokens(&call.id)
                            + text_tokens(&call.name)
                            + json_tokens(&call.arguments)
                    }
                    Content::ToolResult(result) => {
                        text_tokens(&result.call_id) + content_tokens(&result.content)
                    }
                    Content::Thinking { text, .. } => text_tokens(text),
                    Content::RedactedThinking { data } => (data.len() as u64).div_ceil(4),
                }
        })
        .sum()
}

fn json_tokens(value: &Value) -> u64 {
    match value {
        Value::String(text) => text_tokens(text),
        other => text_tokens(&other.to_string()),
    }
}

/// One token per 3.5 ASCII characters (rounded up), one per other character.
fn text_tokens(text: &str) -> u64 {
    let (mut ascii, mut other) = (0u64, 0u64);
    for c in text.chars() {
        if c.is_ascii() {
            ascii += 1;
        } else {
            other += 1;
        }
    }
    (ascii * 2).div_ceil(7) + other
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::{Message, Role, SystemBlock, Tool};

    fn user(text: &str) -> Message {
        Message {
            role: Role::User,
            content: vec![Content::Text {
                text: text.into(),
                cache_control: None,
            }],
        }
    }

    #[test]
    fn prose_counts_about_one_token_per_three_and_a_half_characters() {
        assert_eq!(text_tokens(""), 0);
        assert_eq!(text_tokens("abc"), 1);
        assert_eq!(text_tokens(&"a".repeat(35)), 10);
        assert_eq!(text_tokens("日本語"), 3, "one token per CJK character");
    }

    #[test]
    fn the_estimate_errs_high_against_known_anthropic_counts() {
        // Anthropic counts "Hello, Claude" as a single user message at 10 input tokens (the
        // example in its token counting docs) and a 1.1 MP image at ~1,470.
        let hello = ChatRequest {
            messages: vec![user("Hello, Claude")],
            ..Default::default()
        };
        let n = count_tokens_estimate(&hello);
        assert!((10..=20).contains(&n), "{n}");

        let image = ChatRequest {
            messages: vec![Message {
                role: Role::User,
                content: vec![Content::Image {
                    source: MediaSource::Url {
                        url: "https://example.com/a.png".into(),
                    },
                    cache_control: None,
                }],
            }],
            ..Default::default()
        };
        assert!(count_tokens_estimate(&image) >= 1600);
    }

    #[test]
    fn tools_add_their_schema_and_the_tool_prompt_once() {
        let base = ChatRequest {
            system: vec![SystemBlock {
                text: "You are a helpful assistant.".into(),
                cache_control: None,
            }],
            messages: vec![user("What's the weather in Oslo?")],
            ..Default::default()
        };
        let tool = Tool {
            name: "get_weather".into(),
            description: Some("Current weather for a city".into()),
            parameters: json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
            strict: None,
            cache_control: None,
        };
        let with_one = ChatRequest {
            tools: vec![tool.clone()],
            ..base.clone()
        };
        let with_two = ChatRequest {
            tools: vec![tool.clone(), tool],
            ..base.clone()
        };
        let (a, b, c) = (
            count_tokens_estimate(&base),
            count_tokens_estimate(&with_one),
            count_tokens_estimate(&with_two),
        );
        assert!(b - a > TOOL_PROMPT, "{a} {b}");
        assert!(c - b < TOOL_PROMPT, "the tool prompt counts once: {b} {c}");
    }

    #[test]
    fn count_tokens_answer_has_anthropics_shape() {
        assert_eq!(encode_count_tokens(42), json!({"input_tokens": 42}));
    }
}
