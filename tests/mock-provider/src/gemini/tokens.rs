//! Gemini's token accounting: `usageMetadata`, `:countTokens`, and the
//! deterministic arithmetic behind both.
//!
//! The prompt costs what the OpenAI mock charges (`ceil(chars / 4)` per
//! text, see [`text_tokens`]) plus 4 per content, 10 per function
//! declaration and 258 per image or file (what Gemini charges an image).
//! Function calls and responses cost their name and their JSON. The answer
//! costs one token per streamed text piece, or its name and arguments per
//! function call; thinking costs [`THOUGHT_TOKENS`].
//!
//! Gemini's semantics, which translators get wrong (translation rule 1):
//! `thoughtsTokenCount` is *not* part of `candidatesTokenCount`, so
//! `totalTokenCount = prompt + candidates + thoughts`; and
//! `cachedContentTokenCount` is part of `promptTokenCount`. Zero counts are
//! left out, as proto3 JSON leaves out defaults. `mock.usage` pins any number:
//! `{"mock": {"usage": {"promptTokenCount": 7, "candidatesTokenCount": 3,
//! "thoughtsTokenCount": 5, "cachedContentTokenCount": 2}}}`.

use serde::Serialize;
use serde_json::Value;

use super::rules::{field, items, text};
use crate::openai::text_tokens;

/// Tokens each content costs on top of its parts.
const TOKENS_PER_CONTENT: u64 = 4;
/// Tokens each function declaration costs.
const TOKENS_PER_FUNCTION: u64 = 10;
/// Tokens an image or file part costs.
const TOKENS_PER_MEDIA: u64 = 258;
/// Thinking tokens of a model that thinks (capped by `maxOutputTokens`).
pub const THOUGHT_TOKENS: u64 = 16;

/// What `prompt` costs: its `contents`, `systemInstruction` and `tools`.
pub(crate) fn prompt_tokens(request: &Value) -> u64 {
    let contents: u64 = items(request, "contents").iter().map(content_tokens).sum();
    let system = field(request, "system_instruction").map_or(0, content_tokens);
    let functions: u64 = items(request, "tools")
        .iter()
        .map(|tool| items(tool, "function_declarations").len() as u64)
        .sum();
    contents + system + TOKENS_PER_FUNCTION * functions
}

fn content_tokens(content: &Value) -> u64 {
    TOKENS_PER_CONTENT + items(content, "parts").iter().map(part_tokens).sum::<u64>()
}

fn part_tokens(part: &Value) -> u64 {
    let json = |value: Option<&Value>| value.map_or(0, |v| text_tokens(&v.to_string()));
    if let Some(call) = field(part, "function_call") {
        return call_tokens(text(call, "name"), field(call, "args"));
    }
    if let Some(response) = field(part, "function_response") {
        return text_tokens(text(response, "name")) + json(field(response, "response"));
    }
    if field(part, "inline_data").is_some() || field(part, "file_data").is_some() {
        return TOKENS_PER_MEDIA;
    }
    if let Some(code) = field(part, "executable_code") {
        return text_tokens(text(code, "code"));
    }
    if let Some(result) = field(part, "code_execution_result") {
        return text_tokens(text(result, "output"));
    }
    text_tokens(text(part, "text"))
}

/// What a function call costs, in a prompt or an answer.
pub(crate) fn call_tokens(name: &str, args: Option<&Value>) -> u64 {
    text_tokens(name) + args.map_or(0, |args| text_tokens(&args.to_string()))
}

/// Numbers pinned by `mock.usage`, each optional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UsagePins {
    pub prompt: Option<u64>,
    pub candidates: Option<u64>,
    pub thoughts: Option<u64>,
    pub cached: Option<u64>,
}

impl UsagePins {
    /// Reads `body.mock.usage`; anything missing or malformed is unpinned.
    pub fn from_body(body: &Value) -> UsagePins {
        let usage = body
            .get("mock")
            .and_then(|mock| mock.get("usage"))
            .unwrap_or(&Value::Null);
        let number = |key: &str| usage.get(key).and_then(Value::as_u64);
        UsagePins {
            prompt: number("promptTokenCount"),
            candidates: number("candidatesTokenCount"),
            thoughts: number("thoughtsTokenCount"),
            cached: number("cachedContentTokenCount"),
        }
    }
}

/// `usageMetadata`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub prompt: u64,
    pub candidates: u64,
    pub thoughts: u64,
    pub cached: u64,
}

impl Usage {
    /// The final numbers: computed ones unless pinned.
    pub fn pinned(prompt: u64, candidates: u64, thoughts: u64, pins: &UsagePins) -> Usage {
        Usage {
            prompt: pins.prompt.unwrap_or(prompt),
            candidates: pins.candidates.unwrap_or(candidates),
            thoughts: pins.thoughts.unwrap_or(thoughts),
            cached: pins.cached.unwrap_or(0),
        }
    }

    /// Prompt + candidates + thoughts (cached tokens are inside the prompt).
    pub fn total(&self) -> u64 {
        self.prompt + self.candidates + self.thoughts
    }

    /// The wire form.
    pub(crate) fn metadata(&self) -> UsageMetadata {
        UsageMetadata {
            prompt_token_count: self.prompt,
            candidates_token_count: self.candidates,
            cached_content_token_count: self.cached,
            total_token_count: self.total(),
            prompt_tokens_details: vec![ModalityTokenCount::text(self.prompt)],
            cache_tokens_details: if self.cached > 0 {
                vec![ModalityTokenCount::text(self.cached)]
            } else {
                Vec::new()
            },
            thoughts_token_count: self.thoughts,
        }
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// `usageMetadata` as Gemini writes it: zero counts left out.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UsageMetadata {
    prompt_token_count: u64,
    #[serde(skip_serializing_if = "is_zero")]
    candidates_token_count: u64,
    #[serde(skip_serializing_if = "is_zero")]
    cached_content_token_count: u64,
    total_token_count: u64,
    prompt_tokens_details: Vec<ModalityTokenCount>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cache_tokens_details: Vec<ModalityTokenCount>,
    #[serde(skip_serializing_if = "is_zero")]
    thoughts_token_count: u64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ModalityTokenCount {
    modality: &'static str,
    token_count: u64,
}

impl ModalityTokenCount {
    fn text(token_count: u64) -> Self {
        Self {
            modality: "TEXT",
            token_count,
        }
    }
}

/// The `:countTokens` answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CountTokensResponse {
    total_tokens: u64,
    #[serde(skip_serializing_if = "is_zero")]
    cached_content_token_count: u64,
    prompt_tokens_details: Vec<ModalityTokenCount>,
}

/// Counts `request` (the body's `contents`, or its `generateContentRequest`)
/// exactly as `generateContent` would report its `promptTokenCount`.
pub(crate) fn count(request: &Value, pins: &UsagePins) -> CountTokensResponse {
    let total = pins.prompt.unwrap_or_else(|| prompt_tokens(request));
    CountTokensResponse {
        total_tokens: total,
        cached_content_token_count: pins.cached.unwrap_or(0),
        prompt_tokens_details: vec![ModalityTokenCount::text(total)],
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_prompt_costs_its_texts_contents_tools_and_media() {
        let request = json!({
            "systemInstruction": {"parts": [{"text": "Be brief"}]},
            "contents": [{"role": "user", "parts": [{"text": "Hi there"}, {"inlineData": {"mimeType": "image/png", "data": "AA=="}}]}],
            "tools": [{"functionDeclarations": [{"name": "a"}, {"name": "b"}]}]
        });
        // system 4 + 2, content 4 + 2 + 258, tools 2 × 10.
        assert_eq!(prompt_tokens(&request), 290);
    }

    #[test]
    fn thoughts_are_outside_candidates_and_zeros_are_left_out() {
        let usage = Usage::pinned(10, 5, 16, &UsagePins::default());
        assert_eq!(usage.total(), 31);
        let wire = serde_json::to_value(usage.metadata()).unwrap();
        assert_eq!(
            wire,
            json!({"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 31,
                   "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 10}], "thoughtsTokenCount": 16})
        );
        let pins = UsagePins::from_body(
            &json!({"mock": {"usage": {"cachedContentTokenCount": 4, "thoughtsTokenCount": 0}}}),
        );
        let wire = serde_json::to_value(Usage::pinned(10, 0, 16, &pins).metadata()).unwrap();
        assert_eq!(wire["cachedContentTokenCount"], 4);
        assert_eq!(wire["totalTokenCount"], 10);
        assert!(
            wire.get("candidatesTokenCount").is_none() && wire.get("thoughtsTokenCount").is_none()
        );
    }
}
