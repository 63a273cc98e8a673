//! Snapshots of whole translations on realistic payloads: a Claude Code request, a recorded
//! Anthropic stream, and the answers going back. Review a changed `.snap` as a diff of behaviour.

use serde_json::{Value, json};

use super::stream_decoder_tests::{RECORDED_STREAM, decode_in_pieces};
use super::stream_encoder_tests::{encode_all, validate};
use super::*;
use crate::canonical::{
    ChatRequest, ChatResponse, Content, Effort, MediaSource, Message, Reasoning, ResponseFormat,
    Role, StopReason, SystemBlock, Tool, ToolCall, ToolChoice, ToolNames, ToolResult,
};
use crate::usage::Usage;

const LONG_MCP_TOOL: &str =
    "mcp__github_enterprise_server__create_pull_request_review_comment_reply";

/// What Claude Code sends on the second turn of a tool loop (trimmed prompts, real shape).
fn claude_code_request() -> Value {
    json!({
        "model": "claude-sonnet-4-5-20250929",
        "max_tokens": 32000,
        "stream": true,
        "temperature": 1,
        "metadata": {"user_id": "user_2f1c_account__session_7d0e5a4b"},
        "thinking": {"type": "enabled", "budget_tokens": 31999},
        "system": [
            {"type": "text", "text": "You are Claude Code, Anthropic's official CLI for Claude.",
             "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "You are an interactive CLI tool that helps users with software engineering tasks.",
             "cache_control": {"type": "ephemeral"}}
        ],
        "tools": [
            {"name": "Glob", "description": "Fast file pattern matching tool",
             "input_schema": {"type": "object", "properties": {"pattern": {"type": "string"}},
                              "required": ["pattern"], "additionalProperties": false,
                              "$schema": "http://json-schema.org/draft-07/schema#"}},
            {"name": "Read", "description": "Reads a file from the local filesystem.",
             "input_schema": {"type": "object", "properties": {"file_path": {"type": "string"}},
                              "required": ["file_path"]}},
            {"name": LONG_MCP_TOOL, "description": "Reply to a review comment",
             "input_schema": {"type": "object", "properties": {"body": {"type": "string"}}},
             "cache_control": {"type": "ephemeral"}}
        ],
        "messages": [
            {"role": "user", "content": [
                {"type": "text", "text": "<system-reminder>\nThis is a reminder.\n</system-reminder>"},
                {"type": "text", "text": "Which Rust files are in this project?"}
            ]},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "The user wants the Rust files. I'll glob.",
                 "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxDYmN5CkZBQGhEkS8iMNvQnB2Dg3t4QxAuJ+gBGjCzhAk="},
                {"type": "text", "text": "I'll search for them."},
                {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "Glob",
                 "input": {"pattern": "**/*.rs"}},
                {"type": "tool_use", "id": "toolu_01B7rJ2nD9pXcTq4Hh3Lw8Zs", "name": "Read",
                 "input": {"file_path": "/repo/Cargo.toml"}}
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_01A09q90qw90lq917835lq9",
                 "content": "/repo/src/main.rs\n/repo/src/lib.rs"},
                {"type": "tool_result", "tool_use_id": "toolu_01B7rJ2nD9pXcTq4Hh3Lw8Zs", "is_error": true,
                 "content": [{"type": "text", "text": "File does not exist."}],
                 "cache_control": {"type": "ephemeral"}}
            ]}
        ]
    })
}

#[test]
fn claude_code_request_decodes_to_canonical() {
    let req = decode_request(claude_code_request().to_string().as_bytes()).unwrap();
    insta::assert_json_snapshot!(req);
}

#[test]
fn claude_code_request_estimate_for_count_tokens() {
    let req = decode_request(claude_code_request().to_string().as_bytes()).unwrap();
    insta::assert_json_snapshot!(encode_count_tokens(count_tokens_estimate(&req)));
}

#[test]
fn claude_code_request_reencoded_for_an_anthropic_provider_keeps_thinking_and_cache() {
    let req = decode_request(claude_code_request().to_string().as_bytes()).unwrap();
    let body = encode_request(&req, &mut ToolNames::default()).unwrap();
    insta::assert_json_snapshot!(body);
}

/// What an OpenAI chat client's request looks like once decoded: system messages, a tool
/// message per result, an image by data URL, JSON mode and an effort level.
fn openai_style_request() -> ChatRequest {
    let text = |t: &str| Content::Text {
        text: t.into(),
        cache_control: None,
    };
    ChatRequest {
        model: "claude-opus-4-1-20250805".into(),
        system: vec![SystemBlock {
            text: "You are a travel assistant.".into(),
            cache_control: Some(crate::canonical::CacheControl { ttl: None }),
        }],
        messages: vec![
            Message {
                role: Role::Assistant,
                content: vec![text("Hi! Where to?")],
            },
            Message {
                role: Role::User,
                content: vec![
                    text("Weather in Oslo and Rome? Here is my ticket."),
                    Content::Image {
                        source: MediaSource::from_url("data:image/jpeg;base64,/9j/4AAQSkZJRg=="),
                        cache_control: None,
                    },
                ],
            },
            Message {
                role: Role::Assistant,
                content: vec![
                    Content::Thinking {
                        text: "reasoning_content from another provider".into(),
                        signature: None,
                    },
                    Content::ToolCall(ToolCall {
                        id: "call_oslo".into(),
                        name: "get_weather".into(),
                        arguments: json!({"city": "Oslo"}),
                        thought_signature: None,
                    }),
                    Content::ToolCall(ToolCall {
                        id: "call_rome".into(),
                        name: "get_weather".into(),
                        arguments: json!({"city": "Rome"}),
                        thought_signature: None,
                    }),
                ],
            },
            Message {
                role: Role::User,
                content: vec![Content::ToolResult(ToolResult {
                    call_id: "call_oslo".into(),
                    name: Some("get_weather".into()),
                    content: vec![text("-3°C, snow")],
                    is_error: false,
                    cache_control: None,
                })],
            },
            Message {
                role: Role::User,
                content: vec![text("Answer as JSON please.")],
            },
        ],
        tools: vec![Tool {
            name: "get_weather".into(),
            description: Some("Current weather".into()),
            parameters: json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
            strict: Some(true),
            cache_control: None,
        }],
        tool_choice: Some(ToolChoice::Auto),
        parallel_tool_calls: Some(false),
        response_format: Some(ResponseFormat::JsonSchema {
            name: "weather".into(),
            schema: json!({"type": "object", "properties": {"oslo": {"type": "string"}, "rome": {"type": "string"}}}),
            strict: Some(true),
        }),
        stop: vec!["\n\n\n".into(), "END".into()],
        temperature: Some(0.2),
        top_p: Some(1.0),
        max_tokens: Some(2000),
        reasoning: Some(Reasoning {
            effort: Some(Effort::Medium),
            budget_tokens: None,
            include_thoughts: true,
        }),
        stream: true,
        user: Some("user-42".into()),
        ..Default::default()
    }
}

#[test]
fn openai_style_request_is_repaired_for_anthropic() {
    let body = encode_request(&openai_style_request(), &mut ToolNames::default()).unwrap();
    insta::assert_json_snapshot!(body);
}

#[test]
fn recorded_stream_decodes_to_canonical_events() {
    insta::assert_json_snapshot!(decode_in_pieces(RECORDED_STREAM, &[]));
}

/// The canonical events of the recorded stream, written back as an Anthropic stream: the shape
/// Claude Code sees when the provider is not Anthropic.
#[test]
fn recorded_stream_reencoded_for_claude_code() {
    let events = decode_in_pieces(RECORDED_STREAM, &[]);
    let mut encoder = Encoder::new("msg_01XFDUDYJgAACzvnptvVoYEL", "claude-sonnet-4-5", 900);
    let out = encode_all(&mut encoder, &events);
    validate(&out).unwrap();
    let readable: Vec<Value> = out
        .iter()
        .map(|e| {
            json!({
                "event": e.event,
                "data": serde_json::from_str::<Value>(&e.data).unwrap_or(Value::Null),
            })
        })
        .collect();
    insta::assert_json_snapshot!(readable);
}

#[test]
fn answer_with_thinking_text_and_tool_calls_for_an_anthropic_client() {
    let mut names = ToolNames::default();
    let short = names.shorten(LONG_MCP_TOOL, 64);
    let resp = ChatResponse {
        id: "resp_0a1b2c".into(),
        model: "gemini-2.5-pro".into(),
        content: vec![
            Content::Thinking {
                text: "Two lookups are needed.".into(),
                signature: None,
            },
            Content::Text {
                text: "Replying to the review and checking the weather.".into(),
                cache_control: None,
            },
            Content::ToolCall(ToolCall {
                id: "call_0".into(),
                name: short,
                arguments: json!({"body": "Fixed in 3f2a1c."}),
                thought_signature: Some("CiQB0e2Kb3".into()),
            }),
            Content::ToolCall(ToolCall {
                id: "call_1".into(),
                name: "get_weather".into(),
                arguments: json!({}),
                thought_signature: None,
            }),
        ],
        stop_reason: StopReason::ToolUse,
        usage: Usage {
            input_tokens: 5200,
            cached_input_tokens: 4096,
            cache_write_tokens: 0,
            output_tokens: 310,
            reasoning_tokens: 120,
        },
    };
    insta::assert_json_snapshot!(encode_response(&resp, &names));
}
