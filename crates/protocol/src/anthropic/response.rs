//! Whole (non-streamed) answers: canonical → Messages response for clients, and Messages
//! response → canonical for Anthropic as a provider.

use serde_json::{Map, Value};

use super::wire::{MessageResponse, ResponseBlock, WireUsage};
use super::{id_with_signature, stop_reason_from_wire, stop_reason_to_wire};
use crate::canonical::{ChatResponse, Content, StopReason, ToolCall, ToolNames, TranslateError};

/// A canonical answer as a Messages response. Tool names are restored to the client's own.
///
/// Content Anthropic's answers cannot hold (images, documents, tool results) is left out; no
/// provider returns those as answer content today.
pub fn encode_response(resp: &ChatResponse, names: &ToolNames) -> Value {
    let content = resp
        .content
        .iter()
        .filter_map(|block| match block {
            Content::Text { text, .. } => Some(ResponseBlock::Text { text: text.clone() }),
            Content::Thinking { text, signature } => Some(ResponseBlock::Thinking {
                thinking: text.clone(),
                // The SDK types require a string; thinking from other providers has none.
                signature: signature.clone().unwrap_or_default(),
            }),
            Content::RedactedThinking { data } => {
                Some(ResponseBlock::RedactedThinking { data: data.clone() })
            }
            Content::ToolCall(call) => Some(ResponseBlock::ToolUse {
                id: id_with_signature(&call.id, call.thought_signature.as_deref()),
                name: names.restore(&call.name),
                input: input_object(&call.arguments),
            }),
            Content::Image { .. } | Content::Document { .. } | Content::ToolResult(_) => None,
        })
        .collect();
    let message = MessageResponse {
        id: message_id(&resp.id),
        kind: "message".to_owned(),
        role: "assistant".to_owned(),
        model: resp.model.clone(),
        content,
        stop_reason: Some(stop_reason_to_wire(resp.stop_reason).to_owned()),
        stop_sequence: None,
        usage: WireUsage::from_canonical(&resp.usage),
    };
    serde_json::to_value(message).unwrap_or(Value::Null)
}

/// Reads an Anthropic answer. Server tool blocks (never requested by Switchyard) are skipped.
pub fn decode_response(body: &[u8], names: &ToolNames) -> Result<ChatResponse, TranslateError> {
    let wire: MessageResponse = serde_json::from_slice(body)
        .map_err(|e| TranslateError::new(format!("invalid Messages response: {e}")))?;
    let content = wire
        .content
        .into_iter()
        .filter_map(|block| match block {
            ResponseBlock::Text { text } => Some(Content::Text {
                text,
                cache_control: None,
            }),
            ResponseBlock::Thinking {
                thinking,
                signature,
            } => Some(Content::Thinking {
                text: thinking,
                signature: (!signature.is_empty()).then_some(signature),
            }),
            ResponseBlock::RedactedThinking { data } => Some(Content::RedactedThinking { data }),
            ResponseBlock::ToolUse { id, name, input } => Some(Content::ToolCall(ToolCall {
                id,
                name: names.restore(&name),
                arguments: input,
                thought_signature: None,
            })),
            ResponseBlock::Other => None,
        })
        .collect();
    Ok(ChatResponse {
        id: wire.id,
        model: wire.model,
        content,
        stop_reason: wire
            .stop_reason
            .as_deref()
            .map_or(StopReason::EndTurn, stop_reason_from_wire),
        usage: wire.usage.to_canonical(),
    })
}

/// Anthropic message ids start with `msg_`; ids from other providers get the prefix.
pub(super) fn message_id(id: &str) -> String {
    if id.starts_with("msg_") {
        id.to_owned()
    } else if id.is_empty() {
        "msg_switchyard".to_owned()
    } else {
        format!("msg_{id}")
    }
}

/// `tool_use.input` must be an object. Canonical arguments are one, except when a provider sent
/// text that is not JSON: a string holding an object is parsed, nothing becomes `{}`, and
/// anything else is wrapped as `{"value": …}` so the model and the tool still see what came.
pub(super) fn input_object(arguments: &Value) -> Value {
    match arguments {
        Value::Object(_) => arguments.clone(),
        Value::Null => Value::Object(Map::new()),
        Value::String(text) if text.trim().is_empty() => Value::Object(Map::new()),
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(parsed @ Value::Object(_)) => parsed,
            _ => wrap(arguments),
        },
        other => wrap(other),
    }
}

fn wrap(value: &Value) -> Value {
    let mut map = Map::new();
    map.insert("value".to_owned(), value.clone());
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::Usage;
    use serde_json::json;

    #[test]
    fn answers_report_usage_in_anthropic_semantics() {
        let resp = ChatResponse {
            id: "chatcmpl-123".into(),
            model: "gpt-5".into(),
            content: vec![Content::Text {
                text: "Hi".into(),
                cache_control: None,
            }],
            stop_reason: StopReason::EndTurn,
            usage: Usage {
                input_tokens: 1200,
                cached_input_tokens: 1000,
                cache_write_tokens: 0,
                output_tokens: 30,
                reasoning_tokens: 10,
            },
        };
        let body = encode_response(&resp, &ToolNames::default());
        assert_eq!(body["id"], "msg_chatcmpl-123");
        assert_eq!(
            body["usage"],
            json!({"input_tokens": 200, "cache_creation_input_tokens": 0,
                   "cache_read_input_tokens": 1000, "output_tokens": 30}),
            "input_tokens excludes the 1000 cached tokens (translation rule 1)"
        );
        assert_eq!(body["stop_sequence"], Value::Null);
    }

    #[test]
    fn stop_reasons_use_anthropics_words() {
        for (reason, word) in [
            (StopReason::EndTurn, "end_turn"),
            (StopReason::StopSequence, "stop_sequence"),
            (StopReason::MaxTokens, "max_tokens"),
            (StopReason::ToolUse, "tool_use"),
            (StopReason::ContentFilter, "refusal"),
        ] {
            let resp = ChatResponse {
                id: "msg_1".into(),
                model: "m".into(),
                content: vec![],
                stop_reason: reason,
                usage: Usage::default(),
            };
            assert_eq!(
                encode_response(&resp, &ToolNames::default())["stop_reason"],
                word
            );
        }
    }

    #[test]
    fn tool_use_gets_the_clients_tool_name_and_an_object_input() {
        let long = "mcp__github_enterprise_server__create_pull_request_review_comment_reply";
        let mut names = ToolNames::default();
        let short = names.shorten(long, 64);
        let resp = ChatResponse {
            id: "x".into(),
            model: "m".into(),
            content: vec![
                Content::ToolCall(ToolCall {
                    id: "call_1".into(),
                    name: short,
                    arguments: json!({"body": "LGTM"}),
                    thought_signature: None,
                }),
                Content::ToolCall(ToolCall {
                    id: "call_2".into(),
                    name: "ls".into(),
                    arguments: Value::String(String::new()),
                    thought_signature: None,
                }),
            ],
            stop_reason: StopReason::ToolUse,
            usage: Usage::default(),
        };
        let body = encode_response(&resp, &names);
        assert_eq!(body["content"][0]["name"], long);
        assert_eq!(body["content"][0]["input"], json!({"body": "LGTM"}));
        assert_eq!(
            body["content"][1]["input"],
            json!({}),
            "empty arguments are {{}}"
        );
    }

    #[test]
    fn non_object_arguments_still_become_objects() {
        assert_eq!(input_object(&json!("{\"a\":1}")), json!({"a": 1}));
        assert_eq!(
            input_object(&json!("not json")),
            json!({"value": "not json"})
        );
        assert_eq!(input_object(&Value::Null), json!({}));
    }

    #[test]
    fn provider_answers_decode_with_cache_tokens_added_to_input() {
        let body = json!({
            "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
            "content": [
                {"type": "thinking", "thinking": "Let me look.", "signature": "EqQBCgIYAhIM"},
                {"type": "text", "text": "Checking.", "citations": null},
                {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Oslo"}}
            ],
            "stop_reason": "tool_use", "stop_sequence": null,
            "usage": {"input_tokens": 12, "cache_creation_input_tokens": 100,
                      "cache_read_input_tokens": 2000, "output_tokens": 80,
                      "service_tier": "standard"}
        });
        let resp = decode_response(body.to_string().as_bytes(), &ToolNames::default()).unwrap();
        assert_eq!(resp.stop_reason, StopReason::ToolUse);
        assert_eq!(resp.usage.input_tokens, 2112);
        assert_eq!(resp.usage.cached_input_tokens, 2000);
        assert_eq!(resp.usage.cache_write_tokens, 100);
        assert_eq!(
            resp.content[0],
            Content::Thinking {
                text: "Let me look.".into(),
                signature: Some("EqQBCgIYAhIM".into())
            },
            "signatures survive for the replay (translation rule 16)"
        );
        assert!(
            matches!(&resp.content[2], Content::ToolCall(c) if c.arguments == json!({"city": "Oslo"}))
        );
    }

    #[test]
    fn refusal_and_pause_turn_decode_to_canonical_reasons() {
        for (word, reason) in [
            ("refusal", StopReason::ContentFilter),
            ("pause_turn", StopReason::EndTurn),
            ("max_tokens", StopReason::MaxTokens),
        ] {
            let body = json!({"id": "msg_1", "model": "m", "content": [], "stop_reason": word,
                              "usage": {"input_tokens": 1, "output_tokens": 1}});
            let resp = decode_response(body.to_string().as_bytes(), &ToolNames::default()).unwrap();
            assert_eq!(resp.stop_reason, reason, "{word}");
        }
    }
}
