//! Whole (non-streamed) answers: canonical → `chat.completion` for clients, and a provider's
//! `chat.completion` → canonical.

use serde_json::{Map, Value, json};

use super::wire::WireUsage;
use super::{
    arguments_from_wire, arguments_text, finish_reason, generated_call_id, now_unix,
    put_thought_signature, stop_reason, thought_signature_of,
};
use crate::canonical::{ChatResponse, Content, ToolCall, ToolNames, TranslateError};
use crate::usage::Usage;

/// Writes a canonical answer as a `chat.completion` object, with the client's tool names.
///
/// Thinking text goes in `reasoning_content` (DeepSeek's field, which Zed and most OpenAI
/// clients that show reasoning read). When thinking carries signatures, the blocks also go in
/// litellm's `thinking_blocks`, so a client that replays the field (Aider and other litellm
/// users) keeps Anthropic's tool loops working (translation rule 16); others ignore it.
pub fn encode_response(resp: &ChatResponse, names: &ToolNames) -> Value {
    let mut text = String::new();
    let mut reasoning = String::new();
    let mut blocks = Vec::new();
    let mut signed = false;
    let mut calls = Vec::new();
    for part in &resp.content {
        match part {
            Content::Text { text: t, .. } => text.push_str(t),
            Content::Thinking { text: t, signature } => {
                reasoning.push_str(t);
                signed |= signature.is_some();
                blocks.push(json!({"type": "thinking", "thinking": t, "signature": signature}));
            }
            Content::RedactedThinking { data } => {
                signed = true;
                blocks.push(json!({"type": "redacted_thinking", "data": data}));
            }
            Content::ToolCall(call) => calls.push(tool_call(call, names)),
            // Media and tool results do not occur in answers Chat Completions can express.
            _ => {}
        }
    }
    let mut message = Map::new();
    message.insert("role".into(), json!("assistant"));
    message.insert(
        "content".into(),
        if text.is_empty() && !calls.is_empty() {
            Value::Null
        } else {
            json!(text)
        },
    );
    message.insert("refusal".into(), Value::Null);
    if !reasoning.is_empty() {
        message.insert("reasoning_content".into(), json!(reasoning));
    }
    if signed {
        message.insert("thinking_blocks".into(), Value::Array(blocks));
    }
    if !calls.is_empty() {
        message.insert("tool_calls".into(), Value::Array(calls));
    }
    json!({
        "id": resp.id,
        "object": "chat.completion",
        "created": now_unix(),
        "model": resp.model,
        "choices": [{
            "index": 0,
            "message": message,
            "logprobs": null,
            "finish_reason": finish_reason(resp.stop_reason),
        }],
        "usage": WireUsage::from(&resp.usage),
    })
}

fn tool_call(call: &ToolCall, names: &ToolNames) -> Value {
    let mut wire = json!({
        "id": call.id,
        "type": "function",
        "function": {
            "name": names.restore(&call.name),
            "arguments": arguments_text(&call.arguments),
        },
    });
    put_thought_signature(&mut wire, call.thought_signature.as_deref());
    wire
}

/// Reads a provider's `chat.completion`. Only the first choice is kept (the gateway never asks
/// for more). Reasoning comes first in the content, as the model produced it first.
pub fn decode_response(body: &[u8], names: &ToolNames) -> Result<ChatResponse, TranslateError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        TranslateError::new(format!("The provider's answer is not valid JSON: {e}"))
    })?;
    if let Some(error) = value.get("error").filter(|e| !e.is_null()) {
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .or_else(|| error.as_str())
            .unwrap_or("no message");
        return Err(TranslateError::new(format!(
            "The provider answered with an error: {message}"
        )));
    }
    let choice = value
        .get("choices")
        .and_then(Value::as_array)
        .and_then(|choices| choices.first())
        .ok_or_else(|| TranslateError::new("The provider's answer has no choices."))?;
    let message = choice.get("message").unwrap_or(&Value::Null);

    let mut content = Vec::new();
    let reasoning = ["reasoning_content", "reasoning"]
        .into_iter()
        .find_map(|field| message.get(field).and_then(Value::as_str))
        .filter(|text| !text.is_empty());
    if let Some(text) = reasoning {
        content.push(Content::Thinking {
            text: text.to_owned(),
            signature: None,
        });
    }
    match message.get("content") {
        Some(Value::String(text)) if !text.is_empty() => content.push(text_content(text)),
        // Mistral's reasoning models answer with parts, thinking among them.
        Some(Value::Array(parts)) => content.extend(parts.iter().filter_map(part)),
        _ => {}
    }
    if content.iter().all(|c| !matches!(c, Content::Text { .. }))
        && let Some(refusal) = message.get("refusal").and_then(Value::as_str)
    {
        content.push(text_content(refusal));
    }
    let calls = message
        .get("tool_calls")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    for (position, call) in calls.iter().enumerate() {
        let function = call.get("function");
        let name = function
            .and_then(|f| f.get("name"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        content.push(Content::ToolCall(ToolCall {
            id: call
                .get("id")
                .and_then(Value::as_str)
                .filter(|id| !id.is_empty())
                .map_or_else(|| generated_call_id(position), str::to_owned),
            name: names.restore(name),
            arguments: arguments_from_wire(function.and_then(|f| f.get("arguments"))),
            thought_signature: thought_signature_of(call),
        }));
    }
    let finish = choice
        .get("finish_reason")
        .and_then(Value::as_str)
        .unwrap_or("stop");
    let usage = value
        .get("usage")
        .and_then(|u| serde_json::from_value::<WireUsage>(u.clone()).ok())
        .map(|wire| Usage::from(&wire))
        .unwrap_or_default();
    let field = |name: &str| {
        value
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Ok(ChatResponse {
        id: field("id"),
        model: field("model"),
        content,
        stop_reason: stop_reason(finish, !calls.is_empty()),
        usage,
    })
}

fn text_content(text: &str) -> Content {
    Content::Text {
        text: text.to_owned(),
        cache_control: None,
    }
}

/// One part of an array-valued answer `content`.
fn part(part: &Value) -> Option<Content> {
    match part.get("type").and_then(Value::as_str) {
        Some("text") => {
            let text = part.get("text").and_then(Value::as_str)?;
            (!text.is_empty()).then(|| text_content(text))
        }
        Some("thinking") => {
            // Mistral: {"type": "thinking", "thinking": [{"type": "text", "text": …}]}.
            let text: String = match part.get("thinking") {
                Some(Value::String(text)) => text.clone(),
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(|i| i.get("text").and_then(Value::as_str))
                    .collect(),
                _ => String::new(),
            };
            Some(Content::Thinking {
                text,
                signature: part
                    .get("signature")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::StopReason;

    fn decode(body: &str) -> ChatResponse {
        decode_response(body.as_bytes(), &ToolNames::default()).unwrap()
    }

    #[test]
    fn reasoning_comes_first_and_either_field_name_is_read() {
        for field in ["reasoning_content", "reasoning"] {
            let resp = decode(&format!(
                r#"{{"id":"r","model":"m","choices":[{{"message":{{"role":"assistant","content":"42","{field}":"think"}},"finish_reason":"stop"}}]}}"#
            ));
            assert_eq!(
                resp.content,
                vec![
                    Content::Thinking {
                        text: "think".into(),
                        signature: None
                    },
                    text_content("42")
                ],
                "{field}"
            );
        }
    }

    #[test]
    fn missing_tool_call_ids_are_generated_and_empty_arguments_are_an_object() {
        let resp = decode(
            r#"{"choices":[{"message":{"tool_calls":[
                {"type":"function","function":{"name":"a","arguments":""}},
                {"id":"","type":"function","function":{"name":"b","arguments":"{\"x\":1}"}}]},
              "finish_reason":"stop"}]}"#,
        );
        let Content::ToolCall(first) = &resp.content[0] else {
            panic!("{resp:?}")
        };
        let Content::ToolCall(second) = &resp.content[1] else {
            panic!("{resp:?}")
        };
        assert_eq!(
            (first.id.as_str(), second.id.as_str()),
            ("call_0", "call_1")
        );
        assert_eq!(first.arguments, json!({}));
        assert_eq!(second.arguments, json!({"x": 1}));
        assert_eq!(
            resp.stop_reason,
            StopReason::ToolUse,
            "tool calls with `stop` still stop for tool use"
        );
    }

    #[test]
    fn the_first_of_several_choices_is_used() {
        let resp = decode(
            r#"{"choices":[{"index":0,"message":{"content":"one"},"finish_reason":"length"},
                           {"index":1,"message":{"content":"two"},"finish_reason":"stop"}]}"#,
        );
        assert_eq!(resp.content, vec![text_content("one")]);
        assert_eq!(resp.stop_reason, StopReason::MaxTokens);
    }

    #[test]
    fn shortened_tool_names_are_restored_both_ways() {
        let long = "mcp__github_enterprise_server__create_pull_request_review_comment_reply";
        let mut names = ToolNames::default();
        let short = names.shorten(long, ToolNames::MAX);
        let body = format!(
            r#"{{"choices":[{{"message":{{"tool_calls":[{{"id":"c1","type":"function","function":{{"name":"{short}","arguments":"{{}}"}}}}]}},"finish_reason":"tool_calls"}}]}}"#
        );
        let resp = decode_response(body.as_bytes(), &names).unwrap();
        let Content::ToolCall(call) = &resp.content[0] else {
            panic!("{resp:?}")
        };
        assert_eq!(call.name, long);
        let client = encode_response(&resp, &names);
        assert_eq!(
            client["choices"][0]["message"]["tool_calls"][0]["function"]["name"],
            long
        );
    }

    #[test]
    fn an_error_body_or_no_choices_is_a_translate_error() {
        let names = ToolNames::default();
        assert!(decode_response(br#"{"error":{"message":"boom"}}"#, &names).is_err());
        assert!(decode_response(br#"{"choices":[]}"#, &names).is_err());
        assert!(decode_response(b"not json", &names).is_err());
    }

    #[test]
    fn signed_thinking_is_offered_back_in_thinking_blocks() {
        let resp = ChatResponse {
            id: "msg_1".into(),
            model: "claude".into(),
            content: vec![
                Content::Thinking {
                    text: "hm".into(),
                    signature: Some("sig".into()),
                },
                text_content("hi"),
            ],
            stop_reason: StopReason::EndTurn,
            usage: Usage::default(),
        };
        let message = &encode_response(&resp, &ToolNames::default())["choices"][0]["message"];
        assert_eq!(message["reasoning_content"], "hm");
        assert_eq!(
            message["thinking_blocks"],
            json!([{"type": "thinking", "thinking": "hm", "signature": "sig"}])
        );
        assert_eq!(message["content"], "hi");
    }
}
