//! The canonical request, written for an OpenAI-compatible provider.
//!
//! "OpenAI-compatible" spans OpenAI itself and servers far stricter or far older than it
//! (vLLM, Ollama, DeepSeek, Groq, Mistral, llama.cpp), so the body holds only documented
//! fields in their most widely accepted form:
//! - one leading system message (some chat templates reject a second one or one mid-list);
//! - text-only messages as plain strings (some servers take no parts arrays);
//! - no `cache_control` anywhere and no `top_k`: OpenAI rejects unknown fields
//!   (translation rule 14), and traffic that reaches this encoder was translated, so nothing in
//!   it was meant for this provider in the first place;
//! - `tool_choice` and `parallel_tool_calls` only alongside tools, where OpenAI allows them.

use serde_json::{Map, Value, json};

use super::{arguments_text, effort_name, put_thought_signature};
use crate::canonical::{
    ChatRequest, Content, Destination, Effort, MediaSource, Message, ResponseFormat, Role,
    ToolChoice, ToolNames, ToolResult, TranslateError,
};

/// Writes the request body for an OpenAI-compatible provider. Tool names the provider would
/// reject are shortened through `names` (translation rule 5); the answer's decoder restores
/// them with the same map.
pub fn encode_request(req: &ChatRequest, names: &mut ToolNames) -> Result<Value, TranslateError> {
    encode_for(req, Destination::of(req), names)
}

/// [`encode_request`] for `to`, serialised: what the gateway sends.
pub fn encode_body(
    req: &ChatRequest,
    to: Destination<'_>,
    names: &mut ToolNames,
) -> Result<Vec<u8>, TranslateError> {
    let body = encode_for(req, to, names)?;
    let mut out = Vec::with_capacity(req.encoded_size_hint());
    serde_json::to_writer(&mut out, &body).map_err(|e| TranslateError::new(e.to_string()))?;
    Ok(out)
}

fn encode_for(
    req: &ChatRequest,
    to: Destination<'_>,
    names: &mut ToolNames,
) -> Result<Value, TranslateError> {
    let mut body = Map::new();
    body.insert("model".into(), json!(to.model));
    let mut messages = Vec::with_capacity(req.messages.len() + 1);
    if !req.system.is_empty() {
        let text: Vec<&str> = req.system.iter().map(|b| b.text.as_str()).collect();
        messages.push(json!({"role": "system", "content": text.join("\n\n")}));
    }
    for (i, message) in req.messages.iter().enumerate() {
        let at = format!("messages[{i}]");
        match message.role {
            Role::User => user(message, &at, &mut messages)?,
            Role::Assistant => messages.extend(assistant(message, names)),
        }
    }
    body.insert("messages".into(), Value::Array(messages));

    if !req.tools.is_empty() {
        let tools = req
            .tools
            .iter()
            .map(|tool| {
                let mut function = Map::new();
                function.insert(
                    "name".into(),
                    json!(names.shorten(&tool.name, ToolNames::MAX)),
                );
                if let Some(description) = &tool.description {
                    function.insert("description".into(), json!(description));
                }
                let parameters = if tool.parameters.is_null() {
                    json!({"type": "object", "properties": {}})
                } else {
                    tool.parameters.clone()
                };
                function.insert("parameters".into(), parameters);
                if let Some(strict) = tool.strict {
                    function.insert("strict".into(), json!(strict));
                }
                json!({"type": "function", "function": function})
            })
            .collect();
        body.insert("tools".into(), Value::Array(tools));
        if let Some(choice) = &req.tool_choice {
            let choice = match choice {
                ToolChoice::Auto => json!("auto"),
                ToolChoice::None => json!("none"),
                ToolChoice::Required => json!("required"),
                ToolChoice::Tool(name) => json!({
                    "type": "function",
                    "function": {"name": names.shorten(name, ToolNames::MAX)},
                }),
            };
            body.insert("tool_choice".into(), choice);
        }
        if let Some(parallel) = req.parallel_tool_calls {
            body.insert("parallel_tool_calls".into(), json!(parallel));
        }
    }
    if let Some(format) = &req.response_format {
        let format = match format {
            ResponseFormat::Text => json!({"type": "text"}),
            ResponseFormat::JsonObject => json!({"type": "json_object"}),
            ResponseFormat::JsonSchema {
                name,
                schema,
                strict,
            } => {
                let mut spec = Map::new();
                spec.insert("name".into(), json!(schema_name(name)));
                spec.insert("schema".into(), schema.clone());
                if let Some(strict) = strict {
                    spec.insert("strict".into(), json!(strict));
                }
                json!({"type": "json_schema", "json_schema": spec})
            }
        };
        body.insert("response_format".into(), format);
    }
    if !req.stop.is_empty() {
        body.insert("stop".into(), json!(req.stop));
    }
    if let Some(temperature) = req.temperature {
        body.insert("temperature".into(), json!(temperature));
    }
    if let Some(top_p) = req.top_p {
        body.insert("top_p".into(), json!(top_p));
    }
    let effort = req.reasoning.as_ref().and_then(|r| r.effort_for());
    if let Some(max_tokens) = req.max_tokens {
        // OpenAI's reasoning models reject `max_tokens`; many compatible servers (DeepSeek,
        // Ollama, OpenRouter) know only it.
        let field = if is_reasoning_model(to.model) {
            "max_completion_tokens"
        } else {
            "max_tokens"
        };
        body.insert(field.into(), json!(max_tokens));
    }
    // `none` is left out rather than sent: models without reasoning and gpt-5 reject it, and
    // leaving it out is how the other formats say "no thinking" too.
    if let Some(effort) = effort.filter(|e| *e != Effort::None) {
        body.insert("reasoning_effort".into(), json!(effort_name(effort)));
    }
    if let Some(user) = &req.user {
        body.insert("user".into(), json!(user));
    }
    if to.stream {
        body.insert("stream".into(), json!(true));
    }
    if to.stream && to.stream_usage {
        // Usage is captured whenever the provider takes this; the gateway leaves it out for
        // providers that reject it (translation rule 15).
        body.insert("stream_options".into(), json!({"include_usage": true}));
    }
    Ok(Value::Object(body))
}

/// OpenAI's o-series and gpt-5 family, which take only `max_completion_tokens`.
fn is_reasoning_model(model: &str) -> bool {
    let model = model.rsplit('/').next().unwrap_or(model);
    let bytes = model.as_bytes();
    let o_series = bytes.first() == Some(&b'o') && bytes.get(1).is_some_and(u8::is_ascii_digit);
    o_series || model.starts_with("gpt-5")
}

/// OpenAI requires `[A-Za-z0-9_-]{1,64}` for a schema name.
fn schema_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .take(64)
        .collect();
    if cleaned.is_empty() {
        "response".into()
    } else {
        cleaned
    }
}

/// A user turn. Tool results become `tool` messages, which must come right after the assistant
/// message that called the tools; anything a `tool` message cannot hold (images, documents) and
/// the user's own content follow them in one user message.
fn user(message: &Message, at: &str, out: &mut Vec<Value>) -> Result<(), TranslateError> {
    let mut rest: Vec<&Content> = Vec::new();
    let mut from_results: Vec<&Content> = Vec::new();
    for part in &message.content {
        match part {
            Content::ToolResult(result) => {
                out.push(tool_message(result, &mut from_results));
            }
            other => rest.push(other),
        }
    }
    let content: Vec<&Content> = from_results.into_iter().chain(rest).collect();
    if content.is_empty() {
        return Ok(());
    }
    out.push(json!({"role": "user", "content": parts(&content, &format!("{at}.content"))?}));
    Ok(())
}

/// One tool result as a `tool` message holding its text; its images and documents are handed
/// back for the user message that follows.
fn tool_message<'a>(result: &'a ToolResult, media: &mut Vec<&'a Content>) -> Value {
    let mut texts = Vec::new();
    for part in &result.content {
        match part {
            Content::Text { text, .. } => texts.push(text.as_str()),
            Content::Image { .. } | Content::Document { .. } => media.push(part),
            _ => {}
        }
    }
    json!({"role": "tool", "tool_call_id": result.call_id, "content": texts.join("\n\n")})
}

/// Content parts: a plain string when all of them are text.
fn parts(content: &[&Content], at: &str) -> Result<Value, TranslateError> {
    let texts: Option<Vec<&str>> = content
        .iter()
        .map(|part| match part {
            Content::Text { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    if let Some(texts) = texts {
        return Ok(json!(texts.join("\n\n")));
    }
    let mut out = Vec::with_capacity(content.len());
    for part in content {
        match part {
            Content::Text { text, .. } => out.push(json!({"type": "text", "text": text})),
            Content::Image { source, .. } => {
                out.push(json!({"type": "image_url", "image_url": {"url": source.to_url()}}));
            }
            Content::Document { source, name, .. } => {
                let MediaSource::Base64 { .. } = source else {
                    return Err(TranslateError::at(
                        at,
                        "Documents given by URL cannot be sent to an OpenAI-compatible provider; send them inline.",
                    ));
                };
                let mut file = Map::new();
                file.insert(
                    "filename".into(),
                    json!(name.as_deref().unwrap_or("document.pdf")),
                );
                file.insert("file_data".into(), json!(source.to_url()));
                out.push(json!({"type": "file", "file": file}));
            }
            // Reasoning belongs to assistant turns, tool results are handled by the caller.
            _ => {}
        }
    }
    Ok(Value::Array(out))
}

/// An assistant turn: its text and tool calls. Thinking is dropped: Chat Completions has no
/// field for it in a request (DeepSeek even rejects `reasoning_content` sent back). Returns
/// nothing for a turn that held only thinking.
fn assistant(message: &Message, names: &mut ToolNames) -> Option<Value> {
    let mut text = String::new();
    let mut calls = Vec::new();
    for part in &message.content {
        match part {
            Content::Text { text: t, .. } => text.push_str(t),
            Content::ToolCall(call) => {
                let mut wire = json!({
                    "id": call.id,
                    "type": "function",
                    "function": {
                        "name": names.shorten(&call.name, ToolNames::MAX),
                        "arguments": arguments_text(&call.arguments),
                    },
                });
                // Only Gemini produces these, and Gemini's OpenAI endpoint needs them back.
                put_thought_signature(&mut wire, call.thought_signature.as_deref());
                calls.push(wire);
            }
            _ => {}
        }
    }
    if text.is_empty() && calls.is_empty() {
        return None;
    }
    let mut out = Map::new();
    out.insert("role".into(), json!("assistant"));
    out.insert(
        "content".into(),
        if text.is_empty() {
            Value::Null
        } else {
            json!(text)
        },
    );
    if !calls.is_empty() {
        out.insert("tool_calls".into(), Value::Array(calls));
    }
    Some(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::{CacheControl, Reasoning, SystemBlock, Tool, ToolCall};

    fn text(t: &str) -> Content {
        Content::Text {
            text: t.into(),
            cache_control: Some(CacheControl { ttl: None }),
        }
    }

    fn call(id: &str, name: &str) -> Content {
        Content::ToolCall(ToolCall {
            id: id.into(),
            name: name.into(),
            arguments: json!({"path": "a.rs"}),
            thought_signature: None,
        })
    }

    fn result(id: &str, content: Vec<Content>) -> Content {
        Content::ToolResult(ToolResult {
            call_id: id.into(),
            name: None,
            content,
            is_error: false,
            cache_control: Some(CacheControl { ttl: None }),
        })
    }

    fn encode(req: &ChatRequest) -> Value {
        encode_request(req, &mut ToolNames::default()).unwrap()
    }

    fn image() -> Content {
        Content::Image {
            source: MediaSource::Base64 {
                media_type: "image/png".into(),
                data: "iVBOR".into(),
            },
            cache_control: None,
        }
    }

    #[test]
    fn system_blocks_join_into_one_leading_message_and_cache_control_never_leaves() {
        let req = ChatRequest {
            model: "gpt-4.1".into(),
            system: vec![
                SystemBlock {
                    text: "You are Roo.".into(),
                    cache_control: Some(CacheControl { ttl: None }),
                },
                SystemBlock {
                    text: "Be brief.".into(),
                    cache_control: None,
                },
            ],
            messages: vec![Message {
                role: Role::User,
                content: vec![text("hi"), image()],
            }],
            tools: vec![Tool {
                name: "read".into(),
                description: None,
                parameters: json!({"type": "object"}),
                strict: None,
                cache_control: Some(CacheControl { ttl: None }),
            }],
            ..ChatRequest::default()
        };
        let body = encode(&req);
        assert_eq!(
            body["messages"][0],
            json!({"role": "system", "content": "You are Roo.\n\nBe brief."})
        );
        assert!(
            !body.to_string().contains("cache_control"),
            "translation rule 14: strict providers reject it: {body}"
        );
    }

    #[test]
    fn long_tool_names_are_shortened_consistently_everywhere() {
        let long = "mcp__github_enterprise_server__create_pull_request_review_comment_reply";
        let req = ChatRequest {
            messages: vec![Message {
                role: Role::Assistant,
                content: vec![call("c1", long)],
            }],
            tools: vec![Tool {
                name: long.into(),
                description: Some("Reply".into()),
                parameters: Value::Null,
                strict: Some(true),
                cache_control: None,
            }],
            tool_choice: Some(ToolChoice::Tool(long.into())),
            ..ChatRequest::default()
        };
        let mut names = ToolNames::default();
        let body = encode_request(&req, &mut names).unwrap();
        let in_tools = &body["tools"][0]["function"]["name"];
        assert!(in_tools.as_str().unwrap().len() <= 64, "translation rule 5");
        assert_eq!(&body["tool_choice"]["function"]["name"], in_tools);
        assert_eq!(
            &body["messages"][0]["tool_calls"][0]["function"]["name"],
            in_tools
        );
        assert_eq!(names.restore(in_tools.as_str().unwrap()), long);
        assert_eq!(
            body["tools"][0]["function"]["parameters"],
            json!({"type": "object", "properties": {}})
        );
    }

    #[test]
    fn thinking_is_dropped_from_history_but_text_and_calls_stay() {
        let thinking = Content::Thinking {
            text: "hmm".into(),
            signature: Some("sig".into()),
        };
        let req = ChatRequest {
            messages: vec![
                Message {
                    role: Role::Assistant,
                    content: vec![thinking.clone(), text("Let me look."), call("c1", "read")],
                },
                Message {
                    role: Role::Assistant,
                    content: vec![thinking],
                },
            ],
            ..ChatRequest::default()
        };
        let body = encode(&req);
        assert_eq!(
            body["messages"],
            json!([{"role": "assistant", "content": "Let me look.", "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "read", "arguments": "{\"path\":\"a.rs\"}"}}]}]),
            "a turn of thinking only is left out"
        );
    }

    #[test]
    fn tool_results_with_images_put_the_images_in_a_user_message_after_all_tool_messages() {
        let req = ChatRequest {
            messages: vec![Message {
                role: Role::User,
                content: vec![
                    result("c1", vec![text("screenshot taken"), image()]),
                    result("c2", vec![text("ok")]),
                    text("What do you see?"),
                ],
            }],
            ..ChatRequest::default()
        };
        let body = encode(&req);
        assert_eq!(
            body["messages"],
            json!([
                {"role": "tool", "tool_call_id": "c1", "content": "screenshot taken"},
                {"role": "tool", "tool_call_id": "c2", "content": "ok"},
                {"role": "user", "content": [
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBOR"}},
                    {"type": "text", "text": "What do you see?"},
                ]},
            ])
        );
    }

    #[test]
    fn streaming_asks_for_usage_and_reasoning_becomes_an_effort() {
        let req = ChatRequest {
            model: "deepseek-chat".into(),
            stream: true,
            max_tokens: Some(1000),
            reasoning: Some(Reasoning {
                effort: None,
                budget_tokens: Some(10_000),
                include_thoughts: true,
            }),
            ..ChatRequest::default()
        };
        let body = encode(&req);
        assert_eq!(body["stream_options"], json!({"include_usage": true}));
        assert_eq!(body["reasoning_effort"], "medium");
        assert_eq!(
            body["max_tokens"], 1000,
            "compatible servers know only max_tokens"
        );

        let plain = encode(&ChatRequest {
            model: "llama3".into(),
            max_tokens: Some(1000),
            top_k: Some(40),
            ..ChatRequest::default()
        });
        assert_eq!(plain["max_tokens"], 1000);
        assert!(plain.get("top_k").is_none(), "OpenAI rejects top_k");
        assert!(plain.get("stream").is_none());
        let o3 = encode(&ChatRequest {
            model: "openai/o3-mini".into(),
            max_tokens: Some(5),
            ..ChatRequest::default()
        });
        assert_eq!(o3["max_completion_tokens"], 5, "o-series reject max_tokens");
        assert!(o3.get("max_tokens").is_none());
    }

    #[test]
    fn tool_choice_and_parallel_calls_go_only_with_tools() {
        let without = encode(&ChatRequest {
            tool_choice: Some(ToolChoice::None),
            parallel_tool_calls: Some(false),
            ..ChatRequest::default()
        });
        assert!(
            without.get("tool_choice").is_none(),
            "OpenAI rejects tool_choice without tools"
        );
        assert!(without.get("parallel_tool_calls").is_none());
        let with = encode(&ChatRequest {
            tools: vec![Tool {
                name: "f".into(),
                description: None,
                parameters: json!({"type": "object"}),
                strict: None,
                cache_control: None,
            }],
            tool_choice: Some(ToolChoice::None),
            parallel_tool_calls: Some(false),
            ..ChatRequest::default()
        });
        assert_eq!(with["tool_choice"], "none");
        assert_eq!(with["parallel_tool_calls"], false);
    }

    #[test]
    fn json_schema_response_format_is_nested_with_a_valid_name() {
        let body = encode(&ChatRequest {
            response_format: Some(ResponseFormat::JsonSchema {
                name: "my answer!".into(),
                schema: json!({"type": "object"}),
                strict: Some(true),
            }),
            ..ChatRequest::default()
        });
        assert_eq!(
            body["response_format"],
            json!({"type": "json_schema", "json_schema": {"name": "myanswer", "schema": {"type": "object"}, "strict": true}})
        );
    }

    #[test]
    fn gemini_thought_signatures_go_back_with_their_calls() {
        let req = ChatRequest {
            messages: vec![Message {
                role: Role::Assistant,
                content: vec![Content::ToolCall(ToolCall {
                    id: "c1".into(),
                    name: "f".into(),
                    arguments: json!({}),
                    thought_signature: Some("CiQB".into()),
                })],
            }],
            ..ChatRequest::default()
        };
        let body = encode(&req);
        assert_eq!(
            body["messages"][0]["tool_calls"][0]["extra_content"],
            json!({"google": {"thought_signature": "CiQB"}}),
            "translation rule 8"
        );
        assert_eq!(body["messages"][0]["content"], Value::Null);
    }

    #[test]
    fn documents_by_url_are_refused() {
        let req = ChatRequest {
            messages: vec![Message {
                role: Role::User,
                content: vec![Content::Document {
                    source: MediaSource::Url {
                        url: "https://example.com/a.pdf".into(),
                    },
                    name: None,
                    cache_control: None,
                }],
            }],
            ..ChatRequest::default()
        };
        let err = encode_request(&req, &mut ToolNames::default()).unwrap_err();
        assert_eq!(err.param.as_deref(), Some("messages[0].content"));
    }
}
