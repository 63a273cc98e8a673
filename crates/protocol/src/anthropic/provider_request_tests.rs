//! What `encode_request` repairs so Anthropic accepts conversations other formats allow.

use serde_json::{Value, json};

use super::*;
use crate::canonical::{
    CacheControl, ChatRequest, Content, Message, Reasoning, SystemBlock, Tool, ToolCall, ToolResult,
};

fn text(t: &str) -> Content {
    Content::Text {
        text: t.into(),
        cache_control: None,
    }
}

fn user(content: Vec<Content>) -> Message {
    Message {
        role: Role::User,
        content,
    }
}

fn assistant(content: Vec<Content>) -> Message {
    Message {
        role: Role::Assistant,
        content,
    }
}

fn call(id: &str, name: &str) -> Content {
    Content::ToolCall(ToolCall {
        id: id.into(),
        name: name.into(),
        arguments: json!({"q": id}),
        thought_signature: None,
    })
}

fn result(id: &str, output: &str) -> Content {
    Content::ToolResult(ToolResult {
        call_id: id.into(),
        name: None,
        content: vec![text(output)],
        is_error: false,
        cache_control: None,
    })
}

fn tool(name: &str) -> Tool {
    Tool {
        name: name.into(),
        description: Some("d".into()),
        parameters: json!({"type": "object", "properties": {}}),
        strict: None,
        cache_control: None,
    }
}

fn request(messages: Vec<Message>) -> ChatRequest {
    ChatRequest {
        model: "claude-sonnet-4-5".into(),
        messages,
        ..Default::default()
    }
}

fn encode(req: &ChatRequest) -> Value {
    encode_request(req, &mut ToolNames::default()).unwrap()
}

#[test]
fn consecutive_same_role_messages_merge_and_empty_text_is_dropped() {
    let body = encode(&request(vec![
        user(vec![text("first")]),
        user(vec![text("  "), text("second")]),
        assistant(vec![text("")]),
        user(vec![text("third")]),
    ]));
    assert_eq!(
        body["messages"],
        json!([{"role": "user", "content": [
            {"type": "text", "text": "first"},
            {"type": "text", "text": "second"},
            {"type": "text", "text": "third"}
        ]}]),
        "the empty assistant turn disappears and the user turns around it merge"
    );
}

#[test]
fn a_conversation_starting_with_the_assistant_gets_a_placeholder_user_turn() {
    let body = encode(&request(vec![
        assistant(vec![text("Hello! How can I help?")]),
        user(vec![text("Tell me a joke")]),
    ]));
    assert_eq!(body["messages"][0]["role"], "user");
    assert_eq!(body["messages"][0]["content"][0]["text"], PLACEHOLDER);
    assert_eq!(body["messages"][1]["role"], "assistant");

    let system_only = encode(&ChatRequest {
        system: vec![SystemBlock {
            text: "Write a haiku.".into(),
            cache_control: None,
        }],
        ..request(vec![])
    });
    assert_eq!(
        system_only["messages"][0]["content"][0]["text"],
        PLACEHOLDER
    );
}

#[test]
fn tool_results_of_one_turn_go_first_in_one_user_message_in_call_order() {
    // OpenAI clients send one `tool` message per result, sometimes with user text between.
    let body = encode(&request(vec![
        user(vec![text("weather in Oslo and Rome?")]),
        assistant(vec![
            text("Checking."),
            call("call_a", "w"),
            call("call_b", "w"),
        ]),
        user(vec![result("call_b", "20°C")]),
        user(vec![text("also, hurry")]),
        user(vec![result("call_a", "-3°C")]),
    ]));
    let content = &body["messages"][2]["content"];
    assert_eq!(content[0]["tool_use_id"], "call_a");
    assert_eq!(content[1]["tool_use_id"], "call_b");
    assert_eq!(content[2], json!({"type": "text", "text": "also, hurry"}));
    assert_eq!(body["messages"].as_array().map(Vec::len), Some(3));
}

#[test]
fn a_call_without_a_result_gets_an_error_result() {
    let body = encode(&request(vec![
        user(vec![text("go")]),
        assistant(vec![call("call_a", "w"), call("call_b", "w")]),
        user(vec![result("call_a", "ok"), text("never mind b")]),
    ]));
    let content = &body["messages"][2]["content"];
    assert_eq!(
        content[1],
        json!({"type": "tool_result", "tool_use_id": "call_b", "is_error": true,
               "content": [{"type": "text", "text": MISSING_RESULT}]})
    );
}

#[test]
fn a_result_whose_call_is_missing_becomes_text() {
    let body = encode(&request(vec![
        user(vec![text("go")]),
        assistant(vec![text("I'll answer directly.")]),
        user(vec![result("call_gone", "42")]),
    ]));
    assert_eq!(
        body["messages"][2]["content"],
        json!([{"type": "text", "text": "[tool result for call call_gone]\n42"}])
    );
}

#[test]
fn tool_call_ids_and_names_are_made_acceptable_and_stay_paired() {
    let long = "mcp__github_enterprise_server__create_pull_request_review_comment_reply_with_suggestions_and_a_very_long_suffix_beyond_the_limit_x";
    let mut names = ToolNames::default();
    let req = ChatRequest {
        tools: vec![tool(long)],
        ..request(vec![
            user(vec![text("review")]),
            assistant(vec![call("functions.review:0", long)]),
            user(vec![result("functions.review:0", "done")]),
        ])
    };
    let body = encode_request(&req, &mut names).unwrap();
    let short = body["tools"][0]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(short.len() <= MAX_TOOL_NAME, "{short}");
    assert_eq!(names.restore(&short), long);
    assert_eq!(body["messages"][1]["content"][0]["name"], short.as_str());
    assert_eq!(
        body["messages"][1]["content"][0]["id"],
        "functions_review_0"
    );
    assert_eq!(
        body["messages"][2]["content"][0]["tool_use_id"],
        "functions_review_0"
    );
}

#[test]
fn signed_thinking_is_replayed_unchanged_and_unsigned_thinking_is_dropped() {
    let body = encode(&ChatRequest {
        reasoning: Some(Reasoning {
            effort: None,
            budget_tokens: Some(4000),
            include_thoughts: true,
        }),
        tools: vec![tool("w")],
        ..request(vec![
            user(vec![text("go")]),
            assistant(vec![
                Content::Thinking {
                    text: "I should call w.".into(),
                    signature: Some("EqQBCgIYAhIM1gbcDa9GJwZA2b3h".into()),
                },
                Content::RedactedThinking {
                    data: "EmwKAhgBEgy3va3p".into(),
                },
                call("toolu_1", "w"),
            ]),
            user(vec![result("toolu_1", "ok")]),
            assistant(vec![
                Content::Thinking {
                    text: "from another provider".into(),
                    signature: None,
                },
                text("Done."),
            ]),
            user(vec![text("thanks")]),
        ])
    });
    assert_eq!(
        body["messages"][1]["content"][0],
        json!({"type": "thinking", "thinking": "I should call w.",
               "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3h"}),
        "translation rule 16"
    );
    assert_eq!(
        body["messages"][1]["content"][1]["type"],
        "redacted_thinking"
    );
    assert_eq!(
        body["messages"][3]["content"],
        json!([{"type": "text", "text": "Done."}])
    );
    assert_eq!(
        body["thinking"],
        json!({"type": "enabled", "budget_tokens": 4000})
    );
}

#[test]
fn thinking_is_off_when_the_tool_loop_has_no_signed_thinking_to_continue() {
    let body = encode(&ChatRequest {
        reasoning: Some(Reasoning {
            effort: Some(Effort::High),
            budget_tokens: None,
            include_thoughts: true,
        }),
        tools: vec![tool("w")],
        ..request(vec![
            user(vec![text("go")]),
            assistant(vec![call("call_1", "w")]),
            user(vec![result("call_1", "ok")]),
        ])
    });
    assert_eq!(body.get("thinking"), None, "{body}");
}

#[test]
fn max_tokens_defaults_per_model_and_is_capped() {
    let max = |model: &str, requested: Option<u64>| {
        encode(&ChatRequest {
            model: model.into(),
            max_tokens: requested,
            ..request(vec![user(vec![text("hi")])])
        })["max_tokens"]
            .clone()
    };
    assert_eq!(max("claude-sonnet-4-5-20250929", None), 8192);
    assert_eq!(max("claude-3-haiku-20240307", None), 4096);
    assert_eq!(max("claude-sonnet-4-5", Some(200_000)), 64000);
    assert_eq!(max("claude-opus-4-1-20250805", Some(50_000)), 32000);
    assert_eq!(max("claude-3-5-haiku-latest", Some(50_000)), 8192);
    assert_eq!(max("claude-sonnet-4-5", Some(300)), 300);
}

#[test]
fn thinking_budget_is_raised_to_1024_and_max_tokens_above_it_without_sampling_params() {
    let body = encode(&ChatRequest {
        max_tokens: Some(500),
        temperature: Some(0.7),
        top_p: Some(0.9),
        top_k: Some(40),
        reasoning: Some(Reasoning {
            effort: None,
            budget_tokens: Some(200),
            include_thoughts: true,
        }),
        ..request(vec![user(vec![text("think")])])
    });
    assert_eq!(
        body["thinking"],
        json!({"type": "enabled", "budget_tokens": 1024})
    );
    assert_eq!(body["max_tokens"], 1024 + 8192);
    assert_eq!(body.get("temperature"), None);
    assert_eq!(body.get("top_p"), None);
    assert_eq!(body.get("top_k"), None);
}

#[test]
fn a_forced_tool_choice_switches_thinking_off() {
    let body = encode(&ChatRequest {
        tools: vec![tool("extract")],
        tool_choice: Some(ToolChoice::Tool("extract".into())),
        reasoning: Some(Reasoning {
            effort: Some(Effort::Low),
            budget_tokens: None,
            include_thoughts: false,
        }),
        ..request(vec![user(vec![text("x")])])
    });
    assert_eq!(
        body["tool_choice"],
        json!({"type": "tool", "name": "extract"})
    );
    assert_eq!(body.get("thinking"), None);
}

#[test]
fn temperature_is_clamped_and_top_p_dropped_beside_it() {
    let body = encode(&ChatRequest {
        temperature: Some(1.6),
        top_p: Some(0.9),
        ..request(vec![user(vec![text("x")])])
    });
    assert_eq!(body["temperature"], 1.0);
    assert_eq!(body.get("top_p"), None);
}

#[test]
fn tool_choice_none_sends_no_tools_and_parallel_false_disables_parallel_use() {
    let none = encode(&ChatRequest {
        tools: vec![tool("w")],
        tool_choice: Some(ToolChoice::None),
        ..request(vec![user(vec![text("x")])])
    });
    assert_eq!(none.get("tools"), None);
    assert_eq!(none.get("tool_choice"), None);

    let with_history = encode(&ChatRequest {
        tools: vec![tool("w")],
        tool_choice: Some(ToolChoice::None),
        ..request(vec![
            user(vec![text("x")]),
            assistant(vec![call("c1", "w")]),
            user(vec![result("c1", "ok")]),
        ])
    });
    assert_eq!(with_history["tool_choice"], json!({"type": "none"}));

    let single = encode(&ChatRequest {
        tools: vec![tool("w")],
        parallel_tool_calls: Some(false),
        ..request(vec![user(vec![text("x")])])
    });
    assert_eq!(
        single["tool_choice"],
        json!({"type": "auto", "disable_parallel_tool_use": true})
    );
}

#[test]
fn json_mode_becomes_a_system_instruction_with_the_schema() {
    let body = encode(&ChatRequest {
        system: vec![SystemBlock {
            text: "You extract data.".into(),
            cache_control: Some(CacheControl { ttl: None }),
        }],
        response_format: Some(ResponseFormat::JsonSchema {
            name: "person".into(),
            schema: json!({"type": "object", "properties": {"name": {"type": "string"}}}),
            strict: Some(true),
        }),
        ..request(vec![user(vec![text("Ada Lovelace, 1815")])])
    });
    let system = body["system"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        system[0],
        json!({"type": "text", "text": "You extract data.", "cache_control": {"type": "ephemeral"}})
    );
    let instruction = system[1]["text"].as_str().unwrap_or_default();
    assert!(instruction.contains("JSON Schema"), "{instruction}");
    assert!(instruction.contains("\"name\""), "{instruction}");
}

#[test]
fn images_and_documents_become_anthropic_sources() {
    let body = encode(&request(vec![user(vec![
        Content::Image {
            source: MediaSource::from_url("data:image/png;base64,iVBORw0KGgo="),
            cache_control: None,
        },
        Content::Image {
            source: MediaSource::from_url("https://example.com/cat.jpg"),
            cache_control: Some(CacheControl {
                ttl: Some("1h".into()),
            }),
        },
        Content::Document {
            source: MediaSource::Base64 {
                media_type: "application/pdf".into(),
                data: "JVBERi0x".into(),
            },
            name: Some("a.pdf".into()),
            cache_control: None,
        },
        Content::Document {
            source: MediaSource::Base64 {
                media_type: "text/plain".into(),
                data: "aGVsbG8gd29ybGQ=".into(),
            },
            name: None,
            cache_control: None,
        },
    ])]));
    assert_eq!(
        body["messages"][0]["content"],
        json!([
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
            {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"},
             "cache_control": {"type": "ephemeral", "ttl": "1h"}},
            {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0x"},
             "title": "a.pdf"},
            {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "hello world"}}
        ])
    );
}

#[test]
fn documents_anthropic_cannot_read_are_refused_with_their_path() {
    let err = encode_request(
        &request(vec![user(vec![Content::Document {
            source: MediaSource::Base64 {
                media_type: "application/vnd.ms-excel".into(),
                data: "AAAA".into(),
            },
            name: None,
            cache_control: None,
        }])]),
        &mut ToolNames::default(),
    )
    .unwrap_err();
    assert_eq!(err.param.as_deref(), Some("messages[0].content[0]"));
}

#[test]
fn only_the_last_four_cache_breakpoints_are_kept() {
    let cached = |t: &str| Content::Text {
        text: t.into(),
        cache_control: Some(CacheControl { ttl: None }),
    };
    let body = encode(&ChatRequest {
        system: vec![SystemBlock {
            text: "sys".into(),
            cache_control: Some(CacheControl { ttl: None }),
        }],
        ..request(vec![
            user(vec![cached("a")]),
            assistant(vec![cached("b")]),
            user(vec![cached("c"), cached("d")]),
        ])
    });
    assert_eq!(body["system"][0].get("cache_control"), None, "{body}");
    let marks = body.to_string().matches("\"cache_control\"").count();
    assert_eq!(marks, 4);
}

#[test]
fn a_final_assistant_prefill_loses_trailing_whitespace() {
    let body = encode(&request(vec![
        user(vec![text("Answer in JSON")]),
        assistant(vec![text("{\n  ")]),
    ]));
    assert_eq!(body["messages"][1]["content"][0]["text"], "{");
}

#[test]
fn base64_decodes_with_and_without_padding() {
    assert_eq!(decode_base64("aGk=").as_deref(), Some(&b"hi"[..]));
    assert_eq!(decode_base64("aGk").as_deref(), Some(&b"hi"[..]));
    assert_eq!(decode_base64("a*b"), None);
}
