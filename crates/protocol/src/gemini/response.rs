//! Gemini `GenerateContentResponse` → canonical answer, and the mappings the stream decoder
//! shares (finish reasons, usage, ids).
//!
//! Only the first candidate is read: Switchyard never asks for more (`candidateCount`).
//!
//! - `thought: true` parts → [`Content::Thinking`] with the part's signature.
//! - `functionCall` parts → [`Content::ToolCall`] with the part's signature, the tool name
//!   restored, and the call's own id or `call_<n>` (n counts the calls of this answer; Gemini
//!   rarely sends ids, translation rule 6).
//! - text parts → [`Content::Text`]. A signature on a text (or image) part has no canonical
//!   home, so it follows that part as a `Thinking` with empty text, which the encoder puts
//!   back where it came from (translation rule 16).
//! - `inlineData` parts (image models) → [`Content::Image`].
//!
//! Usage (translation rule 1): `promptTokenCount` already includes cached tokens, so it is the
//! canonical input as it is (plus `toolUsePromptTokenCount`, billed as prompt); output is
//! `candidatesTokenCount + thoughtsTokenCount` because Gemini counts thoughts outside the
//! candidates, and reasoning is `thoughtsTokenCount`. Gemini's implicit cache has no writes.

use serde_json::{Map, Value};

use super::wire::{GenerateContentResponse, Part, UsageMetadata};
use crate::canonical::{
    ChatResponse, Content, MediaSource, StopReason, ToolCall, ToolNames, TranslateError,
};
use crate::usage::Usage;

/// Decodes a whole (non-streamed) answer.
pub fn decode_response(body: &[u8], names: &ToolNames) -> Result<ChatResponse, TranslateError> {
    let wire: GenerateContentResponse = serde_json::from_slice(body)
        .map_err(|e| TranslateError::new(format!("Gemini answer is not valid JSON: {e}")))?;
    let candidate = wire.candidates.first();
    let mut content = Vec::new();
    let mut calls = 0;
    if let Some(parts) = candidate.and_then(|c| c.content.as_ref()).map(|c| &c.parts) {
        for part in parts {
            push_part(part, names, &mut calls, &mut content);
        }
    }
    let stop_reason = match candidate {
        Some(candidate) => stop_reason(candidate.finish_reason.as_deref(), calls > 0),
        None if wire
            .prompt_feedback
            .as_ref()
            .is_some_and(|f| f.block_reason.is_some()) =>
        {
            StopReason::ContentFilter
        }
        None => StopReason::EndTurn,
    };
    Ok(ChatResponse {
        id: wire
            .response_id
            .clone()
            .unwrap_or_else(|| fallback_id(body)),
        model: wire.model_version.clone().unwrap_or_default(),
        content,
        stop_reason,
        usage: wire.usage_metadata.as_ref().map(usage).unwrap_or_default(),
    })
}

fn push_part(part: &Part, names: &ToolNames, calls: &mut usize, content: &mut Vec<Content>) {
    if let Some(call) = &part.function_call {
        content.push(Content::ToolCall(ToolCall {
            id: call_id(call.id.as_deref(), *calls),
            name: names.restore(&call.name),
            arguments: call_arguments(call.args.as_ref()),
            thought_signature: part.thought_signature.clone(),
        }));
        *calls += 1;
        return;
    }
    if part.thought {
        let text = part.text.clone().unwrap_or_default();
        if !text.is_empty() || part.thought_signature.is_some() {
            content.push(Content::Thinking {
                text,
                signature: part.thought_signature.clone(),
            });
        }
        return;
    }
    if let Some(text) = part.text.as_ref().filter(|t| !t.is_empty()) {
        content.push(Content::Text {
            text: text.clone(),
            cache_control: None,
        });
    } else if let Some(blob) = &part.inline_data {
        content.push(Content::Image {
            source: MediaSource::Base64 {
                media_type: blob.mime_type.clone(),
                data: blob.data.clone(),
            },
            cache_control: None,
        });
    }
    if let Some(signature) = &part.thought_signature {
        content.push(Content::Thinking {
            text: String::new(),
            signature: Some(signature.clone()),
        });
    }
}

/// The call's own id, or a stable one from its position among the answer's calls.
pub(crate) fn call_id(id: Option<&str>, position: usize) -> String {
    match id {
        Some(id) if !id.is_empty() => id.to_owned(),
        _ => format!("call_{position}"),
    }
}

/// Arguments as an object; a missing `args` (a call without arguments) is `{}`.
pub(crate) fn call_arguments(args: Option<&Value>) -> Value {
    match args {
        Some(Value::Null) | None => Value::Object(Map::new()),
        Some(args) => args.clone(),
    }
}

/// translation rule 10. `has_calls`: the answer contains function calls (Gemini says `STOP`
/// for those too).
pub(crate) fn stop_reason(finish_reason: Option<&str>, has_calls: bool) -> StopReason {
    match finish_reason {
        Some("MAX_TOKENS") => StopReason::MaxTokens,
        Some(
            "SAFETY"
            | "RECITATION"
            | "BLOCKLIST"
            | "PROHIBITED_CONTENT"
            | "SPII"
            | "IMAGE_SAFETY"
            | "IMAGE_PROHIBITED_CONTENT"
            | "IMAGE_RECITATION"
            | "MODEL_ARMOR",
        ) => StopReason::ContentFilter,
        // The model tried to call a function and failed: there is no call to report.
        Some("MALFORMED_FUNCTION_CALL") => StopReason::EndTurn,
        _ if has_calls => StopReason::ToolUse,
        _ => StopReason::EndTurn,
    }
}

pub(crate) fn usage(metadata: &UsageMetadata) -> Usage {
    let thoughts = metadata.thoughts_token_count.unwrap_or(0);
    Usage {
        input_tokens: metadata.prompt_token_count.unwrap_or(0)
            + metadata.tool_use_prompt_token_count.unwrap_or(0),
        cached_input_tokens: metadata.cached_content_token_count.unwrap_or(0),
        cache_write_tokens: 0,
        output_tokens: metadata.candidates_token_count.unwrap_or(0) + thoughts,
        reasoning_tokens: thoughts,
    }
}

/// An id for answers without `responseId`: derived from the bytes, so the same answer always
/// gets the same id.
pub(crate) fn fallback_id(seed: &[u8]) -> String {
    let hash = seed.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("gemini-{hash:016x}")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn decode(body: Value) -> ChatResponse {
        decode_response(body.to_string().as_bytes(), &ToolNames::default()).unwrap()
    }

    #[test]
    fn thoughts_are_outside_candidates_and_cached_tokens_inside_the_prompt() {
        let answer = decode(json!({
            "candidates": [{"content": {"role": "model", "parts": [{"text": "hi"}]}, "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": 1200, "cachedContentTokenCount": 1000,
                              "candidatesTokenCount": 50, "thoughtsTokenCount": 200, "totalTokenCount": 1450}
        }));
        assert_eq!(
            answer.usage,
            Usage {
                input_tokens: 1200,
                cached_input_tokens: 1000,
                cache_write_tokens: 0,
                output_tokens: 250,
                reasoning_tokens: 200
            }
        );
        assert_eq!(answer.usage.uncached_input_tokens(), 200);
    }

    #[test]
    fn finish_reasons_map_to_one_vocabulary() {
        for (gemini, calls, expected) in [
            ("STOP", false, StopReason::EndTurn),
            ("STOP", true, StopReason::ToolUse),
            ("MAX_TOKENS", false, StopReason::MaxTokens),
            ("SAFETY", false, StopReason::ContentFilter),
            ("BLOCKLIST", false, StopReason::ContentFilter),
            ("PROHIBITED_CONTENT", false, StopReason::ContentFilter),
            ("SPII", false, StopReason::ContentFilter),
            ("RECITATION", false, StopReason::ContentFilter),
            ("IMAGE_SAFETY", false, StopReason::ContentFilter),
            ("MALFORMED_FUNCTION_CALL", false, StopReason::EndTurn),
            ("OTHER", false, StopReason::EndTurn),
            ("SOMETHING_NEW", true, StopReason::ToolUse),
        ] {
            assert_eq!(stop_reason(Some(gemini), calls), expected, "{gemini}");
        }
    }

    #[test]
    fn calls_without_ids_get_stable_positional_ids_and_empty_args_become_objects() {
        let answer = decode(json!({
            "candidates": [{"content": {"parts": [
                {"functionCall": {"name": "a"}},
                {"functionCall": {"name": "b", "args": {"x": 1}, "id": "own-id"}},
                {"functionCall": {"name": "c", "args": {}}}
            ]}, "finishReason": "STOP"}]
        }));
        let ids: Vec<(&str, &Value)> = answer
            .content
            .iter()
            .filter_map(|c| match c {
                Content::ToolCall(call) => Some((call.id.as_str(), &call.arguments)),
                _ => None,
            })
            .collect();
        assert_eq!(
            ids,
            [
                ("call_0", &json!({})),
                ("own-id", &json!({"x": 1})),
                ("call_2", &json!({}))
            ]
        );
        assert_eq!(answer.stop_reason, StopReason::ToolUse);
    }

    #[test]
    fn a_blocked_prompt_is_a_content_filter_stop_with_no_content() {
        let answer = decode(json!({
            "promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},
            "usageMetadata": {"promptTokenCount": 9, "totalTokenCount": 9},
            "modelVersion": "gemini-2.5-flash"
        }));
        assert_eq!(answer.stop_reason, StopReason::ContentFilter);
        assert!(answer.content.is_empty());
        assert_eq!(answer.usage.input_tokens, 9);
        assert!(
            answer.id.starts_with("gemini-"),
            "generated id: {}",
            answer.id
        );
    }

    #[test]
    fn a_malformed_function_call_ends_the_turn_with_nothing() {
        let answer = decode(json!({
            "candidates": [{"content": {}, "finishReason": "MALFORMED_FUNCTION_CALL",
                            "finishMessage": "Malformed function call: print(default_api.x(..."}]
        }));
        assert_eq!(answer.stop_reason, StopReason::EndTurn);
        assert!(answer.content.is_empty());
    }

    #[test]
    fn shortened_tool_names_are_restored() {
        let long = "mcp__github_enterprise_server__create_pull_request_review_comment_reply";
        let mut names = ToolNames::default();
        let short = names.shorten(long, ToolNames::MAX);
        let body = json!({"candidates": [{"content": {"parts": [{"functionCall": {"name": short, "args": {}}}]}}]});
        let answer = decode_response(body.to_string().as_bytes(), &names).unwrap();
        assert!(matches!(&answer.content[0], Content::ToolCall(call) if call.name == long));
    }

    #[test]
    fn garbage_is_a_translate_error_not_a_panic() {
        assert!(decode_response(b"<html>502</html>", &ToolNames::default()).is_err());
        assert!(decode_response(b"{\"candidates\": 3}", &ToolNames::default()).is_err());
    }
}
