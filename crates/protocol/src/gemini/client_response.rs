//! Client side: a canonical answer written as Gemini's `GenerateContentResponse`, and the
//! other answers the gateway gives Gemini clients itself (`countTokens`, the model list).
//!
//! - **Parts.** Text → `{text}`; thinking → `{text, thought: true}` with its signature as the
//!   part's `thoughtSignature`; a tool call → `{functionCall: {name, args}}` with the name the
//!   client declared ([`ToolNames::restore`]) and the call's thought signature beside it,
//!   which Gemini 3 needs back on the next turn. Call ids are not sent: Gemini's answers carry
//!   none, and the request decoder pairs calls and responses by position. A `Thinking` with
//!   empty text is a signature that came on the part before it (see
//!   [`super::decode_response`]) and goes back there; with no such part it is a thought part of
//!   its own. Images and documents → `inlineData` / `fileData`. Anthropic's redacted thinking
//!   has no Gemini form and is dropped.
//! - **Arguments** must be an object (a protobuf `Struct`): unparsable text kept as a string
//!   becomes `{"value": text}`, as it does towards a Gemini provider.
//! - **Finish reasons.** Gemini says `STOP` after function calls too, so end of turn, a stop
//!   sequence and tool use are all `STOP`; the token limit is `MAX_TOKENS`, a filter `SAFETY`.
//! - **Usage.** The canonical output counts reasoning, Gemini's `candidatesTokenCount` does
//!   not: candidates are output minus reasoning, `thoughtsTokenCount` the reasoning, and
//!   `promptTokenCount` includes the cached tokens as it does on Gemini. This is the exact
//!   inverse of the provider side's usage decoding (a test proves it).

use serde_json::{Map, Value, json};

use super::request::{MediaKind, media_part};
use super::wire::{self, Candidate, FunctionCall, GenerateContentResponse, Part, UsageMetadata};
use crate::canonical::{ChatResponse, Content, StopReason, ToolNames};
use crate::usage::Usage;

/// The `generateContent` answer for a canonical response.
pub fn encode_client_response(response: &ChatResponse, names: &ToolNames) -> Value {
    let mut parts: Vec<Part> = Vec::with_capacity(response.content.len());
    for content in &response.content {
        match content {
            Content::Text { text, .. } if !text.is_empty() => parts.push(text_part(text)),
            Content::Text { .. } | Content::ToolResult(_) | Content::RedactedThinking { .. } => {}
            Content::Thinking { text, signature } if text.is_empty() => {
                let Some(signature) = signature else { continue };
                match parts.last_mut().filter(|p| takes_signature(p)) {
                    Some(previous) => previous.thought_signature = Some(signature.clone()),
                    None => parts.push(thought_part("", Some(signature))),
                }
            }
            Content::Thinking { text, signature } => {
                parts.push(thought_part(text, signature.as_deref()));
            }
            Content::ToolCall(call) => parts.push(call_part(
                &names.restore(&call.name),
                arguments_object(&call.arguments),
                call.thought_signature.as_deref(),
            )),
            Content::Image { source, .. } => parts.push(media_part(source, MediaKind::Image)),
            Content::Document { source, .. } => {
                parts.push(media_part(source, MediaKind::Document));
            }
        }
    }
    chunk(
        &response.id,
        &response.model,
        parts,
        Some(response.stop_reason),
        Some(&response.usage),
    )
}

/// The answer to `countTokens`.
pub fn encode_count_tokens(total: u64) -> Value {
    json!({ "totalTokens": total })
}

/// One entry of `GET /v1beta/models` (`{"models": [...]}`), for a model the gateway serves.
pub fn model_entry(id: &str, display_name: &str) -> Value {
    json!({
        "name": format!("models/{id}"),
        "baseModelId": id,
        "version": "001",
        "displayName": display_name,
        "description": format!("{display_name}, served by Switchyard"),
        "inputTokenLimit": 1_048_576,
        "outputTokenLimit": 65_536,
        "supportedGenerationMethods": ["generateContent", "streamGenerateContent", "countTokens"],
    })
}

/// One `GenerateContentResponse`: a whole answer, or one chunk of a stream (which carries the
/// finish reason and usage only at its end).
pub(super) fn chunk(
    id: &str,
    model: &str,
    parts: Vec<Part>,
    stop_reason: Option<StopReason>,
    usage: Option<&Usage>,
) -> Value {
    let response = GenerateContentResponse {
        candidates: vec![Candidate {
            content: Some(wire::Content {
                role: Some("model".to_owned()),
                parts,
            }),
            finish_reason: stop_reason.map(|r| finish_reason(r).to_owned()),
            index: Some(0),
        }],
        prompt_feedback: None,
        usage_metadata: usage.map(usage_metadata),
        model_version: Some(model.to_owned()),
        response_id: Some(id.to_owned()),
    };
    serde_json::to_value(response).unwrap_or(Value::Null)
}

pub(super) fn finish_reason(reason: StopReason) -> &'static str {
    match reason {
        StopReason::EndTurn | StopReason::StopSequence | StopReason::ToolUse => "STOP",
        StopReason::MaxTokens => "MAX_TOKENS",
        StopReason::ContentFilter => "SAFETY",
    }
}

/// Canonical usage in Gemini's terms; zero cache and thought counts are left out, as Gemini
/// leaves them out.
pub(super) fn usage_metadata(usage: &Usage) -> UsageMetadata {
    let candidates = usage.output_tokens.saturating_sub(usage.reasoning_tokens);
    UsageMetadata {
        prompt_token_count: Some(usage.input_tokens),
        candidates_token_count: Some(candidates),
        thoughts_token_count: (usage.reasoning_tokens > 0).then_some(usage.reasoning_tokens),
        cached_content_token_count: (usage.cached_input_tokens > 0)
            .then_some(usage.cached_input_tokens),
        tool_use_prompt_token_count: None,
        total_token_count: Some(usage.input_tokens + candidates + usage.reasoning_tokens),
    }
}

pub(super) fn text_part(text: &str) -> Part {
    Part {
        text: Some(text.to_owned()),
        ..Part::default()
    }
}

pub(super) fn thought_part(text: &str, signature: Option<&str>) -> Part {
    Part {
        text: Some(text.to_owned()),
        thought: true,
        thought_signature: signature.map(str::to_owned),
        ..Part::default()
    }
}

pub(super) fn call_part(name: &str, args: Value, signature: Option<&str>) -> Part {
    Part {
        function_call: Some(FunctionCall {
            id: None,
            name: name.to_owned(),
            args: Some(args),
        }),
        thought_signature: signature.map(str::to_owned),
        ..Part::default()
    }
}

/// Whether a signature that followed this part belongs on it: answer text or media that has
/// none yet.
fn takes_signature(part: &Part) -> bool {
    part.thought_signature.is_none()
        && !part.thought
        && part.function_call.is_none()
        && part.function_response.is_none()
}

/// Arguments as the JSON object Gemini clients expect.
pub(super) fn arguments_object(arguments: &Value) -> Value {
    match arguments {
        Value::Object(_) => arguments.clone(),
        Value::Null => Value::Object(Map::new()),
        Value::String(text) => arguments_from_text(text),
        other => json!({ "value": other }),
    }
}

/// Arguments streamed as JSON text: `{}` when empty, `{"value": text}` when not an object.
pub(super) fn arguments_from_text(text: &str) -> Value {
    if text.trim().is_empty() {
        return Value::Object(Map::new());
    }
    match serde_json::from_str::<Value>(text) {
        Ok(parsed @ Value::Object(_)) => parsed,
        Ok(other) => json!({ "value": other }),
        Err(_) => json!({ "value": text }),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::canonical::ToolCall;
    use crate::gemini::{decode_client_request, response};

    fn answer(content: Vec<Content>, stop_reason: StopReason) -> ChatResponse {
        ChatResponse {
            id: "resp-1".into(),
            model: "claude-sonnet-4-5".into(),
            content,
            stop_reason,
            usage: Usage::default(),
        }
    }

    fn call(name: &str, arguments: Value, signature: Option<&str>) -> Content {
        Content::ToolCall(ToolCall {
            id: "toolu_01".into(),
            name: name.into(),
            arguments,
            thought_signature: signature.map(str::to_owned),
        })
    }

    #[test]
    fn an_answer_is_one_model_candidate_with_usage_model_and_id() {
        let mut response = answer(
            vec![Content::Text {
                text: "Hello!".into(),
                cache_control: None,
            }],
            StopReason::EndTurn,
        );
        response.usage = Usage {
            input_tokens: 1200,
            cached_input_tokens: 1000,
            cache_write_tokens: 0,
            output_tokens: 250,
            reasoning_tokens: 200,
        };
        assert_eq!(
            encode_client_response(&response, &ToolNames::default()),
            json!({
                "candidates": [{"content": {"role": "model", "parts": [{"text": "Hello!"}]},
                                "finishReason": "STOP", "index": 0}],
                "usageMetadata": {"promptTokenCount": 1200, "cachedContentTokenCount": 1000,
                                  "candidatesTokenCount": 50, "thoughtsTokenCount": 200,
                                  "totalTokenCount": 1450},
                "modelVersion": "claude-sonnet-4-5",
                "responseId": "resp-1"
            }),
            "thoughts are outside the candidates, cached tokens inside the prompt"
        );
    }

    #[test]
    fn thoughts_calls_and_signatures_become_parts_in_order() {
        let long = "mcp__github_enterprise_server__create_pull_request_review_comment_reply";
        let mut names = ToolNames::default();
        let short = names.shorten(long, ToolNames::MAX);
        let response = answer(
            vec![
                Content::Thinking {
                    text: "Plan.".into(),
                    signature: Some("sig-a".into()),
                },
                Content::Text {
                    text: "Reading.".into(),
                    cache_control: None,
                },
                Content::Thinking {
                    text: String::new(),
                    signature: Some("sig-text".into()),
                },
                call(&short, json!({"path": "a"}), Some("sig-call")),
                call("empty", Value::Null, None),
                call("broken", Value::String("{\"path\": ".into()), None),
                Content::RedactedThinking {
                    data: "opaque".into(),
                },
            ],
            StopReason::ToolUse,
        );
        let sent = encode_client_response(&response, &names);
        assert_eq!(
            sent["candidates"][0]["content"]["parts"],
            json!([
                {"text": "Plan.", "thought": true, "thoughtSignature": "sig-a"},
                {"text": "Reading.", "thoughtSignature": "sig-text"},
                {"functionCall": {"name": long, "args": {"path": "a"}}, "thoughtSignature": "sig-call"},
                {"functionCall": {"name": "empty", "args": {}}},
                {"functionCall": {"name": "broken", "args": {"value": "{\"path\": "}}},
            ]),
            "names restored, arguments always objects, redacted thinking dropped"
        );
        assert_eq!(
            sent["candidates"][0]["finishReason"], "STOP",
            "Gemini says STOP after function calls"
        );
    }

    #[test]
    fn finish_reasons_use_geminis_words() {
        for (reason, expected) in [
            (StopReason::EndTurn, "STOP"),
            (StopReason::StopSequence, "STOP"),
            (StopReason::ToolUse, "STOP"),
            (StopReason::MaxTokens, "MAX_TOKENS"),
            (StopReason::ContentFilter, "SAFETY"),
        ] {
            assert_eq!(finish_reason(reason), expected, "{reason:?}");
        }
    }

    #[test]
    fn thought_signatures_survive_a_round_trip_through_a_gemini_client() {
        let first = answer(
            vec![
                Content::Thinking {
                    text: "Need the file.".into(),
                    signature: Some("sig-thought".into()),
                },
                call("read_file", json!({"file_path": "a.rs"}), Some("sig-call")),
            ],
            StopReason::ToolUse,
        );
        let sent = encode_client_response(&first, &ToolNames::default());
        // The client replays the model turn it was given and answers the call.
        let model_turn = sent["candidates"][0]["content"].clone();
        let next = json!({"contents": [
            {"role": "user", "parts": [{"text": "read a.rs"}]},
            model_turn,
            {"role": "user", "parts": [{"functionResponse": {"name": "read_file", "response": {"output": "fn main() {}"}}}]},
        ]});
        let decoded = decode_client_request(next.to_string().as_bytes()).unwrap();
        let replayed = &decoded.request.messages[1].content;
        assert_eq!(
            replayed[0],
            Content::Thinking {
                text: "Need the file.".into(),
                signature: Some("sig-thought".into())
            }
        );
        let Content::ToolCall(call) = &replayed[1] else {
            panic!("{replayed:?}")
        };
        assert_eq!(call.thought_signature.as_deref(), Some("sig-call"));
        assert_eq!(
            encode_client_response(
                &answer(replayed.clone(), StopReason::ToolUse),
                &ToolNames::default()
            )["candidates"][0]["content"],
            sent["candidates"][0]["content"],
            "and encoding the replayed turn gives the same parts again"
        );
    }

    #[test]
    fn count_tokens_and_model_entries_have_geminis_shapes() {
        assert_eq!(encode_count_tokens(42), json!({"totalTokens": 42}));
        let entry = model_entry("claude-sonnet-4-5", "Claude Sonnet 4.5");
        assert_eq!(
            entry["name"], "models/claude-sonnet-4-5",
            "names carry the models/ prefix"
        );
        assert_eq!(entry["baseModelId"], "claude-sonnet-4-5");
        assert_eq!(
            entry["supportedGenerationMethods"],
            json!(["generateContent", "streamGenerateContent", "countTokens"])
        );
        assert_eq!(entry["inputTokenLimit"], 1_048_576);
    }

    proptest! {
        #[test]
        fn usage_metadata_is_the_exact_inverse_of_the_provider_side_decoding(
            input in 0u64..10_000_000,
            cached_share in 0u64..=100,
            output in 0u64..1_000_000,
            reasoning_share in 0u64..=100,
        ) {
            // Consistent canonical usage: cache reads inside the input, reasoning inside the
            // output, no cache writes (Gemini's implicit cache has none to report).
            let usage = Usage {
                input_tokens: input,
                cached_input_tokens: input * cached_share / 100,
                cache_write_tokens: 0,
                output_tokens: output,
                reasoning_tokens: output * reasoning_share / 100,
            };
            let metadata = usage_metadata(&usage);
            prop_assert_eq!(response::usage(&metadata), usage);
            prop_assert_eq!(metadata.total_token_count, Some(input + output));
        }
    }
}
