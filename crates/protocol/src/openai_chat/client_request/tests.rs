//! What each field of a client's request becomes, one behaviour per test.

use serde_json::json;

use super::decode_request;
use crate::canonical::{
    CacheControl, ChatRequest, Content, Effort, MediaSource, ResponseFormat, Role, ToolChoice,
    TranslateError,
};

fn decode(body: serde_json::Value) -> ChatRequest {
    decode_request(body.to_string().as_bytes()).unwrap()
}

fn reject(body: serde_json::Value) -> TranslateError {
    decode_request(body.to_string().as_bytes()).unwrap_err()
}

fn text(t: &str) -> Content {
    Content::Text {
        text: t.into(),
        cache_control: None,
    }
}

#[test]
fn system_and_developer_messages_anywhere_are_lifted_in_order() {
    let req = decode(json!({"model": "m", "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "developer", "content": [{"type": "text", "text": "Answer in French."}]},
        {"role": "assistant", "content": "Salut"},
        {"role": "system", "content": "No emoji."},
    ]}));
    let system: Vec<&str> = req.system.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(system, ["Be brief.", "Answer in French.", "No emoji."]);
    assert_eq!(
        req.messages.len(),
        2,
        "only user and assistant turns stay in the list"
    );
}

#[test]
fn consecutive_tool_messages_become_one_user_message_named_from_the_calls() {
    let req = decode(json!({"messages": [
        {"role": "user", "content": "Weather in Oslo and Rome?"},
        {"role": "assistant", "content": null, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"}},
            {"id": "call_2", "type": "function", "function": {"name": "get_time", "arguments": ""}},
        ]},
        {"role": "tool", "tool_call_id": "call_1", "content": "4°C"},
        {"role": "tool", "tool_call_id": "call_2", "content": [{"type": "text", "text": "12:00"}]},
        {"role": "tool", "tool_call_id": "call_unknown", "content": "?"},
        {"role": "tool", "tool_call_id": "call_lost", "name": "search", "content": "[]"},
        {"role": "user", "content": "Thanks"},
    ]}));
    assert_eq!(req.messages.len(), 4, "{:#?}", req.messages);
    let results = &req.messages[2];
    assert_eq!(results.role, Role::User);
    let names: Vec<Option<&str>> = results
        .content
        .iter()
        .map(|c| match c {
            Content::ToolResult(r) => r.name.as_deref(),
            other => panic!("expected only tool results, got {other:?}"),
        })
        .collect();
    assert_eq!(
        names,
        [Some("get_weather"), Some("get_time"), None, Some("search")],
        "translation rule 7: Gemini needs the name, which only the assistant's call has"
    );
    assert_eq!(req.messages[3].content, vec![text("Thanks")]);
}

#[test]
fn tool_call_arguments_parse_with_empty_as_object_and_garbage_kept() {
    let req = decode(json!({"messages": [
        {"role": "assistant", "tool_calls": [
            {"id": "a", "type": "function", "function": {"name": "f", "arguments": ""}},
            {"id": "b", "type": "function", "function": {"name": "f", "arguments": "{\"x\": 1}"}},
            {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{oops"}},
        ]},
    ]}));
    let args: Vec<serde_json::Value> = req.messages[0]
        .content
        .iter()
        .map(|c| match c {
            Content::ToolCall(call) => call.arguments.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(args, [json!({}), json!({"x": 1}), json!("{oops")]);
}

#[test]
fn gemini_thought_signatures_on_tool_calls_survive() {
    let req = decode(json!({"messages": [
        {"role": "assistant", "tool_calls": [
            {"id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"},
             "extra_content": {"google": {"thought_signature": "CiQB..."}}},
            {"id": "b", "type": "function", "function": {"name": "g", "arguments": "{}"},
             "thought_signature": "flat"},
        ]},
    ]}));
    let signatures: Vec<Option<&str>> = req.messages[0]
        .content
        .iter()
        .map(|c| match c {
            Content::ToolCall(call) => call.thought_signature.as_deref(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        signatures,
        [Some("CiQB..."), Some("flat")],
        "translation rule 8"
    );
}

#[test]
fn images_become_base64_or_url_sources_and_pdfs_documents() {
    let req = decode(json!({"messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "high"}},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
        {"type": "file", "file": {"filename": "spec.pdf", "file_data": "data:application/pdf;base64,JVBERi0x"}},
    ]}]}));
    assert_eq!(
        req.messages[0].content,
        vec![
            Content::Image {
                source: MediaSource::Base64 {
                    media_type: "image/png".into(),
                    data: "iVBORw0KGgo=".into()
                },
                cache_control: None
            },
            Content::Image {
                source: MediaSource::Url {
                    url: "https://example.com/cat.jpg".into()
                },
                cache_control: None
            },
            Content::Document {
                source: MediaSource::Base64 {
                    media_type: "application/pdf".into(),
                    data: "JVBERi0x".into()
                },
                name: Some("spec.pdf".into()),
                cache_control: None
            },
        ],
        "translation rule 13"
    );
}

#[test]
fn audio_input_and_uploaded_files_are_refused_naming_the_part() {
    let err = reject(json!({"messages": [{"role": "user", "content": [
        {"type": "text", "text": "transcribe"},
        {"type": "input_audio", "input_audio": {"data": "UklGR", "format": "wav"}},
    ]}]}));
    assert_eq!(err.param.as_deref(), Some("messages[0].content[1]"));
    let err = reject(json!({"messages": [{"role": "user", "content": [
        {"type": "file", "file": {"file_id": "file-abc"}},
    ]}]}));
    assert_eq!(err.param.as_deref(), Some("messages[0].content[0].file"));
    assert!(err.message.contains("file_data"), "{}", err.message);
}

#[test]
fn cache_control_on_parts_and_messages_is_kept() {
    let one_hour = json!({"type": "ephemeral", "ttl": "1h"});
    let req = decode(json!({"messages": [
        {"role": "system", "content": [{"type": "text", "text": "rules", "cache_control": one_hour}]},
        {"role": "user", "content": [
            {"type": "text", "text": "a"},
            {"type": "text", "text": "b"},
        ], "cache_control": {"type": "ephemeral"}},
        {"role": "user", "content": "plain string", "cache_control": {"type": "ephemeral"}},
    ]}));
    assert_eq!(
        req.system[0].cache_control,
        Some(CacheControl {
            ttl: Some("1h".into())
        })
    );
    let marked = |c: &Content| {
        matches!(
            c,
            Content::Text {
                cache_control: Some(_),
                ..
            }
        )
    };
    let first: Vec<bool> = req.messages[0].content.iter().map(marked).collect();
    assert_eq!(
        first,
        [false, true],
        "a message-level marker goes on its last part"
    );
    assert!(marked(&req.messages[1].content[0]), "translation rule 14");
}

#[test]
fn assistant_reasoning_becomes_thinking_before_the_text() {
    for field in ["reasoning_content", "reasoning"] {
        let req = decode(json!({"messages": [
            {"role": "assistant", "content": "42", field: "6 times 7"},
        ]}));
        assert_eq!(
            req.messages[0].content,
            vec![
                Content::Thinking {
                    text: "6 times 7".into(),
                    signature: None
                },
                text("42")
            ],
            "{field}"
        );
    }
}

#[test]
fn litellm_thinking_blocks_keep_their_signatures() {
    let req = decode(json!({"messages": [{"role": "assistant", "content": "ok",
    "reasoning_content": "plain",
    "thinking_blocks": [
        {"type": "thinking", "thinking": "signed", "signature": "EqQB"},
        {"type": "redacted_thinking", "data": "opaque"},
    ]}]}));
    assert_eq!(
        req.messages[0].content[..2],
        [
            Content::Thinking {
                text: "signed".into(),
                signature: Some("EqQB".into())
            },
            Content::RedactedThinking {
                data: "opaque".into()
            }
        ],
        "translation rule 16: signatures must survive the replay"
    );
}

#[test]
fn sampling_limits_and_stops_are_read_in_every_spelling() {
    let req = decode(json!({"messages": [], "max_tokens": 100, "stop": "END",
        "temperature": 0.2, "top_p": 0.9, "user": "u-1", "stream": true}));
    assert_eq!(req.max_tokens, Some(100));
    assert_eq!(req.stop, ["END"]);
    assert_eq!((req.temperature, req.top_p), (Some(0.2), Some(0.9)));
    assert_eq!(req.user.as_deref(), Some("u-1"));
    assert!(req.stream);
    let req = decode(
        json!({"messages": [], "max_tokens": 100, "max_completion_tokens": 300,
        "stop": ["a", "b"]}),
    );
    assert_eq!(
        req.max_tokens,
        Some(300),
        "max_completion_tokens is the newer name"
    );
    assert_eq!(req.stop, ["a", "b"]);
}

#[test]
fn response_formats_and_tool_choices_map_to_canonical() {
    let req = decode(json!({"messages": [],
        "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "strict": true,
            "schema": {"type": "object", "properties": {"n": {"type": "integer"}}}}},
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "parallel_tool_calls": false}));
    assert!(matches!(
        req.response_format,
        Some(ResponseFormat::JsonSchema { ref name, strict: Some(true), .. }) if name == "answer"
    ));
    assert_eq!(
        req.tool_choice,
        Some(ToolChoice::Tool("get_weather".into()))
    );
    assert_eq!(req.parallel_tool_calls, Some(false));
    for (wire, canonical) in [
        ("auto", ToolChoice::Auto),
        ("none", ToolChoice::None),
        ("required", ToolChoice::Required),
    ] {
        let req = decode(json!({"messages": [], "tool_choice": wire}));
        assert_eq!(req.tool_choice, Some(canonical));
    }
    let req = decode(json!({"messages": [], "response_format": {"type": "json_object"}}));
    assert_eq!(req.response_format, Some(ResponseFormat::JsonObject));
}

#[test]
fn reasoning_effort_becomes_reasoning_wanting_thoughts_back() {
    for (wire, effort) in [
        ("minimal", Effort::Minimal),
        ("low", Effort::Low),
        ("medium", Effort::Medium),
        ("high", Effort::High),
    ] {
        let reasoning = decode(json!({"messages": [], "reasoning_effort": wire}))
            .reasoning
            .unwrap();
        assert_eq!(reasoning.effort, Some(effort));
        assert!(reasoning.include_thoughts);
    }
    let none = decode(json!({"messages": [], "reasoning_effort": "none"}))
        .reasoning
        .unwrap();
    assert_eq!(none.effort, Some(Effort::None));
    assert!(!none.include_thoughts);
    let err = reject(json!({"messages": [], "reasoning_effort": "extreme"}));
    assert_eq!(err.param.as_deref(), Some("reasoning_effort"));
}

#[test]
fn openrouter_style_reasoning_budgets_are_read() {
    let reasoning =
        decode(json!({"messages": [], "reasoning": {"max_tokens": 4000, "exclude": true}}))
            .reasoning
            .unwrap();
    assert_eq!(reasoning.budget_tokens, Some(4000));
    assert!(!reasoning.include_thoughts);
}

#[test]
fn wrong_types_are_refused_naming_the_field() {
    let cases = [
        (json!({}), "messages"),
        (json!({"messages": "hi"}), "messages"),
        (json!({"messages": [{"content": "hi"}]}), "messages[0].role"),
        (
            json!({"messages": [{"role": "wizard", "content": "hi"}]}),
            "messages[0].role",
        ),
        (
            json!({"messages": [{"role": "user", "content": 5}]}),
            "messages[0].content",
        ),
        (json!({"messages": [], "temperature": "hot"}), "temperature"),
        (json!({"messages": [], "stop": [1]}), "stop"),
        (json!({"messages": [], "n": 2}), "n"),
        (
            json!({"messages": [], "tools": [{"type": "custom", "custom": {"name": "x"}}]}),
            "tools[0].type",
        ),
        (
            json!({"messages": [{"role": "tool", "content": "x"}]}),
            "messages[0].tool_call_id",
        ),
    ];
    for (body, param) in cases {
        let err = reject(body.clone());
        assert_eq!(err.param.as_deref(), Some(param), "{body}: {}", err.message);
    }
    assert!(decode_request(b"{not json").is_err());
    assert!(decode_request(b"[]").is_err());
}

#[test]
fn tools_keep_schema_strictness_and_cache_marker() {
    let req = decode(json!({"messages": [], "tools": [
        {"type": "function", "function": {"name": "read_file", "description": "Read a file",
            "parameters": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]},
            "strict": true}, "cache_control": {"type": "ephemeral"}},
        {"type": "function", "function": {"name": "now"}},
    ]}));
    assert_eq!(req.tools[0].strict, Some(true));
    assert!(req.tools[0].cache_control.is_some());
    assert_eq!(
        req.tools[1].parameters,
        json!({"type": "object", "properties": {}}),
        "a tool without parameters takes no arguments"
    );
}
