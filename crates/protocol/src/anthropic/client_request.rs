//! Client side: a Messages request (Claude Code, the anthropic SDKs) read into the canonical model.
//!
//! Everything a client can say that another provider can also do is kept, `cache_control`
//! included (it reaches OpenAI-format providers that understand it). What only Anthropic's
//! own servers can do is handled by what it means for the answer:
//! - merely offered, it is left out with a warning the gateway records: server tools
//!   (`web_search_*`, `tool_search_tool_*`, `code_execution_*`, …) and `context_management`
//!   (the model answers the same without them, it just cannot search or edit its context);
//! - needed for the answer to mean anything, it is refused with a message that says so:
//!   remote MCP servers, Files API ids, a `tool_choice` that forces a server tool.
//!
//! System messages inside `messages` (Claude Code sends them when its tools change mid-
//! conversation) join the system prompt, in order, like the Responses decoder's developer
//! messages; providers other than Anthropic take their system prompt in one place.

use std::collections::HashMap;

use serde_json::json;

use super::wire::{
    Blocks, ContentBlock, DocumentSource, ImageSource, MessagesRequest, ThinkingParam,
    ToolChoiceParam, WireRole,
};
use super::{cache_control_from_wire, split_signature};
use crate::canonical::{
    ChatRequest, Content, Effort, MediaSource, Message, Reasoning, ResponseFormat, Role,
    SystemBlock, Tool, ToolCall, ToolChoice, ToolResult, TranslateError,
};
use crate::raw::RawObject;

/// Reads a Messages request body (also the body of `/v1/messages/count_tokens`).
pub fn decode_request(body: &[u8]) -> Result<ChatRequest, TranslateError> {
    decode_request_with_warnings(body).map(|(request, _)| request)
}

/// [`decode_request`], plus a sentence for each member that was left out because no other
/// provider can express it.
pub fn decode_request_with_warnings(
    body: &[u8],
) -> Result<(ChatRequest, Vec<String>), TranslateError> {
    let wire: MessagesRequest = serde_json::from_slice(body)
        .map_err(|e| TranslateError::new(format!("invalid Messages request: {e}")))?;
    decoded(wire)
}

/// [`decode_request_with_warnings`] from the body's members, already split by the caller.
pub fn decode_object(raw: &RawObject<'_>) -> Result<(ChatRequest, Vec<String>), TranslateError> {
    let wire: MessagesRequest = raw
        .deserialize()
        .map_err(|e| TranslateError::new(format!("invalid Messages request: {e}")))?;
    decoded(wire)
}

fn decoded(wire: MessagesRequest) -> Result<(ChatRequest, Vec<String>), TranslateError> {
    let mut warnings = Vec::new();
    let request = from_wire(wire, &mut warnings)?;
    Ok((request, warnings))
}

fn from_wire(
    wire: MessagesRequest,
    warnings: &mut Vec<String>,
) -> Result<ChatRequest, TranslateError> {
    if !wire.mcp_servers.is_empty() {
        return Err(TranslateError::at(
            "mcp_servers",
            "mcp_servers asks Anthropic's servers to call remote MCP servers; the provider this \
             model is routed to cannot do that. Remove mcp_servers, or route to an Anthropic model.",
        ));
    }
    if wire.messages.is_empty() {
        return Err(TranslateError::at(
            "messages",
            "messages: at least one message is required",
        ));
    }

    if wire.context_management.is_some() {
        warnings.push(
            "context_management: Anthropic's context editing was left out; the provider keeps \
             the whole conversation"
                .to_owned(),
        );
    }
    let mut system = match wire.system {
        None => Vec::new(),
        Some(Blocks::Text(text)) => vec![SystemBlock {
            text,
            cache_control: None,
        }],
        Some(Blocks::Blocks(blocks)) => blocks
            .into_iter()
            .map(|b| SystemBlock {
                cache_control: cache_control_from_wire(b.cache_control.as_ref()),
                text: b.text,
            })
            .collect(),
    };

    // Tool results carry only the call id; Gemini also needs the name (translation rule 7).
    let mut tool_names: HashMap<String, String> = HashMap::new();
    let mut messages = Vec::with_capacity(wire.messages.len());
    for (i, message) in wire.messages.into_iter().enumerate() {
        let role = match message.role {
            WireRole::User => Role::User,
            WireRole::Assistant => Role::Assistant,
            WireRole::System => {
                lift_system(message.content, i, &mut system)?;
                continue;
            }
        };
        let content = match message.content {
            Blocks::Text(text) => vec![Content::Text {
                text,
                cache_control: None,
            }],
            Blocks::Blocks(blocks) => {
                let mut content = Vec::with_capacity(blocks.len());
                for (j, block) in blocks.into_iter().enumerate() {
                    let path = format!("messages[{i}].content[{j}]");
                    block_to_canonical(block, &path, &mut tool_names, &mut content)?;
                }
                content
            }
        };
        messages.push(Message { role, content });
    }

    let mut tools = Vec::with_capacity(wire.tools.len());
    let mut server_tools = Vec::new();
    for (i, tool) in wire.tools.into_iter().enumerate() {
        if let Some(kind) = tool.kind.as_deref().filter(|k| *k != "custom") {
            warnings.push(format!(
                "tools[{i}] (`{}`) is Anthropic's server tool `{kind}`, which runs on \
                 Anthropic's own servers; it was left out",
                tool.name
            ));
            server_tools.push(tool.name);
            continue;
        }
        tools.push(Tool {
            name: tool.name,
            description: tool.description,
            parameters: tool
                .input_schema
                .unwrap_or_else(|| json!({"type": "object", "properties": {}})),
            strict: None,
            cache_control: cache_control_from_wire(tool.cache_control.as_ref()),
        });
    }
    if let Some(ToolChoiceParam::Tool { name, .. }) = &wire.tool_choice
        && server_tools.contains(name)
    {
        return Err(TranslateError::at(
            "tool_choice",
            format!(
                "tool_choice forces `{name}`, Anthropic's server tool, which runs on Anthropic's \
                 own servers; the provider this model is routed to cannot run it. Route the \
                 request to an Anthropic model."
            ),
        ));
    }

    let (tool_choice, disable_parallel) = match wire.tool_choice {
        None => (None, None),
        Some(ToolChoiceParam::Auto {
            disable_parallel_tool_use,
        }) => (Some(ToolChoice::Auto), disable_parallel_tool_use),
        Some(ToolChoiceParam::Any {
            disable_parallel_tool_use,
        }) => (Some(ToolChoice::Required), disable_parallel_tool_use),
        Some(ToolChoiceParam::Tool {
            name,
            disable_parallel_tool_use,
        }) => (Some(ToolChoice::Tool(name)), disable_parallel_tool_use),
        Some(ToolChoiceParam::None) => (Some(ToolChoice::None), None),
    };

    let output_config = wire.output_config.unwrap_or_default();
    let mut reasoning = match wire.thinking {
        // `disabled` is also Anthropic's default, so it reads the same as no setting: providers
        // keep their own default rather than being told an effort some of them reject.
        None | Some(ThinkingParam::Disabled) => None,
        Some(ThinkingParam::Enabled { budget_tokens }) => Some(Reasoning {
            effort: None,
            budget_tokens: Some(budget_tokens),
            include_thoughts: true,
        }),
        // The model picks its own budget: reasoning on, no budget.
        Some(ThinkingParam::Adaptive { display }) => Some(Reasoning {
            effort: None,
            budget_tokens: None,
            include_thoughts: display.as_deref() != Some("omitted"),
        }),
    };
    if let Some(reasoning) = reasoning.as_mut() {
        reasoning.effort = match output_config.effort.as_deref() {
            Some("low") => Some(Effort::Low),
            Some("medium") => Some(Effort::Medium),
            Some("high" | "max") => Some(Effort::High),
            _ => None,
        };
    }

    let response_format = output_config
        .format
        .or(wire.output_format)
        .filter(|f| f.kind == "json_schema")
        .map(|f| ResponseFormat::JsonSchema {
            name: "response".to_owned(),
            schema: f.schema.unwrap_or_else(|| json!({"type": "object"})),
            strict: Some(true),
        });

    Ok(ChatRequest {
        model: wire.model,
        system,
        messages,
        tools,
        tool_choice,
        parallel_tool_calls: (disable_parallel == Some(true)).then_some(false),
        response_format,
        stop: wire.stop_sequences,
        temperature: wire.temperature,
        top_p: wire.top_p,
        top_k: wire.top_k,
        max_tokens: wire.max_tokens,
        reasoning,
        stream: wire.stream.unwrap_or(false),
        user: wire.metadata.and_then(|m| m.user_id),
    })
}

/// A system message from inside `messages` joins the system prompt; it can hold only text.
fn lift_system(
    content: Blocks<ContentBlock>,
    i: usize,
    system: &mut Vec<SystemBlock>,
) -> Result<(), TranslateError> {
    let blocks = match content {
        Blocks::Text(text) => vec![ContentBlock::Text {
            text,
            cache_control: None,
        }],
        Blocks::Blocks(blocks) => blocks,
    };
    for (j, block) in blocks.into_iter().enumerate() {
        let ContentBlock::Text {
            text,
            cache_control,
        } = block
        else {
            return Err(TranslateError::at(
                "messages",
                format!("messages[{i}].content[{j}]: a system message can hold only text"),
            ));
        };
        system.push(SystemBlock {
            text,
            cache_control: cache_control_from_wire(cache_control.as_ref()),
        });
    }
    Ok(())
}

fn block_to_canonical(
    block: ContentBlock,
    path: &str,
    tool_names: &mut HashMap<String, String>,
    out: &mut Vec<Content>,
) -> Result<(), TranslateError> {
    match block {
        ContentBlock::Text {
            text,
            cache_control,
        } => out.push(Content::Text {
            text,
            cache_control: cache_control_from_wire(cache_control.as_ref()),
        }),
        ContentBlock::Image {
            source,
            cache_control,
        } => out.push(Content::Image {
            source: image_source(source, path)?,
            cache_control: cache_control_from_wire(cache_control.as_ref()),
        }),
        ContentBlock::Document {
            source,
            title,
            context,
            cache_control,
        } => {
            let cache_control = cache_control_from_wire(cache_control.as_ref());
            match source {
                DocumentSource::Base64 { media_type, data } => out.push(Content::Document {
                    source: MediaSource::Base64 { media_type, data },
                    name: title,
                    cache_control,
                }),
                DocumentSource::Url { url } => out.push(Content::Document {
                    source: MediaSource::Url { url },
                    name: title,
                    cache_control,
                }),
                // A plain-text document is text to every other provider; its title and context
                // go in front so the model still sees them.
                DocumentSource::Text { data, .. } => {
                    let text = [title, context, Some(data)]
                        .into_iter()
                        .flatten()
                        .filter(|part| !part.is_empty())
                        .collect::<Vec<_>>()
                        .join("\n\n");
                    out.push(Content::Text {
                        text,
                        cache_control,
                    });
                }
                DocumentSource::Content { content } => {
                    for block in blocks_of(content) {
                        block_to_canonical(block, path, tool_names, out)?;
                    }
                }
                DocumentSource::File { .. } => return Err(files_api(path)),
            }
        }
        ContentBlock::ToolUse {
            id, name, input, ..
        } => {
            let (id, thought_signature) = split_signature(&id);
            tool_names.insert(id.clone(), name.clone());
            out.push(Content::ToolCall(ToolCall {
                id,
                name,
                arguments: input,
                thought_signature,
            }));
        }
        ContentBlock::ToolResult {
            tool_use_id,
            content,
            is_error,
            cache_control,
        } => {
            let (tool_use_id, _) = split_signature(&tool_use_id);
            let mut result = Vec::new();
            for block in content.map(blocks_of).unwrap_or_default() {
                block_to_canonical(block, path, tool_names, &mut result)?;
            }
            out.push(Content::ToolResult(ToolResult {
                name: tool_names.get(&tool_use_id).cloned(),
                call_id: tool_use_id,
                content: result,
                is_error,
                cache_control: cache_control_from_wire(cache_control.as_ref()),
            }));
        }
        ContentBlock::Thinking {
            thinking,
            signature,
        } => out.push(Content::Thinking {
            text: thinking,
            signature: (!signature.is_empty()).then_some(signature),
        }),
        ContentBlock::RedactedThinking { data } => out.push(Content::RedactedThinking { data }),
    }
    Ok(())
}

fn blocks_of(content: Blocks<ContentBlock>) -> Vec<ContentBlock> {
    match content {
        Blocks::Text(text) => vec![ContentBlock::Text {
            text,
            cache_control: None,
        }],
        Blocks::Blocks(blocks) => blocks,
    }
}

fn image_source(source: ImageSource, path: &str) -> Result<MediaSource, TranslateError> {
    match source {
        ImageSource::Base64 { media_type, data } => Ok(MediaSource::Base64 { media_type, data }),
        ImageSource::Url { url } => Ok(MediaSource::Url { url }),
        ImageSource::File { .. } => Err(files_api(path)),
    }
}

fn files_api(path: &str) -> TranslateError {
    TranslateError::at(
        path,
        format!(
            "{path} refers to a file uploaded to Anthropic's Files API (file_id); only Anthropic \
             can read it. Send the file inline (base64) or by URL instead."
        ),
    )
}

/// Tests read a JSON literal as a request.
#[cfg(test)]
pub(super) fn decode_value(body: serde_json::Value) -> Result<ChatRequest, TranslateError> {
    decode_request(body.to_string().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::CacheControl;
    use serde_json::Value;

    #[test]
    fn a_mid_conversation_system_message_joins_the_system_prompt_in_order() {
        // Claude Code 2.1.328 (beta mid-conversation-tool-changes-2026-07-01).
        let body = json!({
            "model": "m", "max_tokens": 10, "system": "You are Claude Code.",
            "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
            "messages": [
                {"role": "user", "content": "hi"},
                {"role": "assistant", "content": "hello"},
                {"role": "system", "content": [{"type": "text", "text": "New tools are available: Grep."}]},
                {"role": "user", "content": "go on"}
            ]
        });
        let (req, warnings) = decode_request_with_warnings(body.to_string().as_bytes()).unwrap();
        let system: Vec<&str> = req.system.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            system,
            ["You are Claude Code.", "New tools are available: Grep."]
        );
        let roles: Vec<Role> = req.messages.iter().map(|m| m.role).collect();
        assert_eq!(roles, [Role::User, Role::Assistant, Role::User]);
        assert_eq!(
            warnings.len(),
            1,
            "context editing was left out: {warnings:?}"
        );
        assert!(
            warnings[0].starts_with("context_management"),
            "{warnings:?}"
        );

        let image = json!({"model": "m", "max_tokens": 10, "messages": [
            {"role": "user", "content": "hi"},
            {"role": "system", "content": [{"type": "image", "source": {"type": "url", "url": "https://x/y.png"}}]}
        ]});
        let err = decode_value(image).unwrap_err();
        assert!(
            err.message.contains("messages[1].content[0]"),
            "{}",
            err.message
        );
    }

    #[test]
    fn system_may_be_a_string_or_text_blocks_with_cache_control() {
        let plain = decode_value(json!({
            "model": "m", "max_tokens": 10, "system": "Be brief.",
            "messages": [{"role": "user", "content": "hi"}]
        }))
        .unwrap();
        assert_eq!(plain.system[0].text, "Be brief.");

        let blocks = decode_value(json!({
            "model": "m", "max_tokens": 10,
            "system": [
                {"type": "text", "text": "You are Claude Code."},
                {"type": "text", "text": "Project rules", "cache_control": {"type": "ephemeral", "ttl": "1h"}}
            ],
            "messages": [{"role": "user", "content": "hi"}]
        }))
        .unwrap();
        assert_eq!(blocks.system.len(), 2);
        assert_eq!(
            blocks.system[1].cache_control,
            Some(CacheControl {
                ttl: Some("1h".into())
            })
        );
    }

    #[test]
    fn server_tools_are_left_out_with_a_warning_and_refused_only_when_forced() {
        let body = json!({
            "model": "m", "max_tokens": 10,
            "messages": [{"role": "user", "content": "search"}],
            "tools": [
                {"type": "web_search_20250305", "name": "web_search", "max_uses": 5},
                {"type": "tool_search_tool_regex_20251119", "name": "tool_search_tool_regex"},
                {"name": "Read", "input_schema": {"type": "object"}, "defer_loading": true}
            ]
        });
        let (req, warnings) = decode_request_with_warnings(body.to_string().as_bytes()).unwrap();
        let names: Vec<&str> = req.tools.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            ["Read"],
            "a deferred client tool is still a tool the model may call"
        );
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].contains("web_search_20250305") && warnings[0].contains("left out"),
            "the warning names the server tool: {}",
            warnings[0]
        );

        let mut forced = body.clone();
        forced["tool_choice"] = json!({"type": "tool", "name": "web_search"});
        let err = decode_value(forced).unwrap_err();
        assert_eq!(err.param.as_deref(), Some("tool_choice"));
        assert!(
            err.message.contains("Anthropic's own servers"),
            "{}",
            err.message
        );

        let custom = decode_value(json!({
            "model": "m", "max_tokens": 10,
            "messages": [{"role": "user", "content": "x"}],
            "tools": [{"type": "custom", "name": "f", "input_schema": {"type": "object"}}]
        }))
        .unwrap();
        assert_eq!(custom.tools[0].name, "f", "type custom is a client tool");
    }

    #[test]
    fn tool_choice_and_disable_parallel_tool_use_map_to_canonical() {
        let cases = [
            (json!({"type": "auto"}), Some(ToolChoice::Auto), None),
            (
                json!({"type": "any", "disable_parallel_tool_use": true}),
                Some(ToolChoice::Required),
                Some(false),
            ),
            (
                json!({"type": "tool", "name": "get_weather"}),
                Some(ToolChoice::Tool("get_weather".into())),
                None,
            ),
            (json!({"type": "none"}), Some(ToolChoice::None), None),
        ];
        for (choice, expected, parallel) in cases {
            let req = decode_value(json!({
                "model": "m", "max_tokens": 10,
                "messages": [{"role": "user", "content": "x"}],
                "tools": [{"name": "get_weather", "input_schema": {"type": "object"}}],
                "tool_choice": choice
            }))
            .unwrap();
            assert_eq!(req.tool_choice, expected);
            assert_eq!(req.parallel_tool_calls, parallel);
        }
    }

    #[test]
    fn thinking_enabled_adaptive_and_disabled_become_reasoning_or_none() {
        let decode = |thinking: Value| {
            decode_value(json!({
                "model": "m", "max_tokens": 20000, "thinking": thinking,
                "messages": [{"role": "user", "content": "x"}]
            }))
            .unwrap()
            .reasoning
        };
        assert_eq!(
            decode(json!({"type": "enabled", "budget_tokens": 10000})),
            Some(Reasoning {
                effort: None,
                budget_tokens: Some(10000),
                include_thoughts: true
            })
        );
        assert_eq!(
            decode(json!({"type": "adaptive"})),
            Some(Reasoning {
                effort: None,
                budget_tokens: None,
                include_thoughts: true
            }),
            "adaptive is enabled with no budget"
        );
        assert_eq!(decode(json!({"type": "disabled"})), None);
    }

    #[test]
    fn tool_results_learn_their_function_name_from_the_earlier_tool_use() {
        let req = decode_value(json!({
            "model": "m", "max_tokens": 10,
            "messages": [
                {"role": "user", "content": "weather?"},
                {"role": "assistant", "content": [
                    {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Oslo"}}
                ]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_1", "content": "-3°C", "is_error": false}
                ]}
            ]
        }))
        .unwrap();
        let Content::ToolResult(result) = &req.messages[2].content[0] else {
            panic!("expected a tool result: {:?}", req.messages[2]);
        };
        assert_eq!(result.name.as_deref(), Some("get_weather"));
        assert_eq!(
            result.content,
            vec![Content::Text {
                text: "-3°C".into(),
                cache_control: None
            }]
        );
    }

    #[test]
    fn documents_keep_pdf_sources_and_plain_text_becomes_text() {
        let req = decode_value(json!({
            "model": "m", "max_tokens": 10,
            "messages": [{"role": "user", "content": [
                {"type": "document", "title": "report.pdf",
                 "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0x"}},
                {"type": "document", "source": {"type": "url", "url": "https://example.com/a.pdf"}},
                {"type": "document", "title": "notes",
                 "source": {"type": "text", "media_type": "text/plain", "data": "buy milk"}}
            ]}]
        }))
        .unwrap();
        let content = &req.messages[0].content;
        assert_eq!(
            content[0],
            Content::Document {
                source: MediaSource::Base64 {
                    media_type: "application/pdf".into(),
                    data: "JVBERi0x".into()
                },
                name: Some("report.pdf".into()),
                cache_control: None
            }
        );
        assert!(matches!(
            &content[1],
            Content::Document {
                source: MediaSource::Url { .. },
                ..
            }
        ));
        assert_eq!(
            content[2],
            Content::Text {
                text: "notes\n\nbuy milk".into(),
                cache_control: None
            }
        );
    }

    #[test]
    fn files_api_ids_are_refused_with_the_block_path() {
        let err = decode_value(json!({
            "model": "m", "max_tokens": 10,
            "messages": [{"role": "user", "content": [
                {"type": "text", "text": "see"},
                {"type": "image", "source": {"type": "file", "file_id": "file_011"}}
            ]}]
        }))
        .unwrap_err();
        assert_eq!(err.param.as_deref(), Some("messages[0].content[1]"));
    }

    #[test]
    fn unknown_fields_are_ignored_and_nulls_read_as_absent() {
        let req = decode_value(json!({
            "model": "claude-sonnet-4-5", "max_tokens": 10, "service_tier": "auto",
            "context_management": {"edits": []}, "tools": null, "stop_sequences": null,
            "metadata": {"user_id": "user_abc"},
            "messages": [{"role": "user", "content": [{"type": "text", "text": "x", "citations": null}]}]
        }))
        .unwrap();
        assert!(req.tools.is_empty());
        assert_eq!(req.user.as_deref(), Some("user_abc"));
    }

    #[test]
    fn malformed_blocks_are_reported_with_their_position() {
        let err = decode_value(json!({
            "model": "m", "max_tokens": 10,
            "messages": [{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "hologram"}]}]
        }))
        .unwrap_err();
        assert!(err.message.contains("content block 1"), "{}", err.message);
        assert!(err.message.contains("hologram"), "{}", err.message);
    }
}
