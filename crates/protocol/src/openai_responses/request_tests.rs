use serde_json::json;

use super::*;
use crate::canonical::{Tool, ToolChoice};

fn decode(body: Value) -> (ChatRequest, ResponsesContext) {
    decode_request(body.to_string().as_bytes()).unwrap()
}

fn refused(body: Value) -> TranslateError {
    decode_request(body.to_string().as_bytes()).unwrap_err()
}

fn text(text: &str) -> Content {
    text_content(text.to_owned())
}

fn tool_names(tools: &[Tool]) -> Vec<&str> {
    tools.iter().map(|t| t.name.as_str()).collect()
}

#[test]
fn a_codex_cli_turn_decodes_into_the_canonical_request() {
    let body = include_str!("fixtures/codex_request.json");
    let (req, ctx) = decode_request(body.as_bytes()).unwrap();
    insta::assert_json_snapshot!(json!({
        "request": req,
        "custom_tools": ctx.custom_tools,
        "local_shell": ctx.local_shell,
        "warnings": ctx.warnings,
        "echoed": ctx.echo.keys().collect::<Vec<_>>(),
    }));
}

#[test]
fn a_string_input_is_one_user_message() {
    let (req, _) = decode(json!({"model": "m", "input": "Hello", "instructions": "Be brief."}));
    assert_eq!(req.system, vec![system_block("Be brief.".into())]);
    assert_eq!(
        req.messages,
        vec![Message {
            role: Role::User,
            content: vec![text("Hello")]
        }]
    );
}

#[test]
fn system_and_developer_messages_join_the_instructions_in_order() {
    let (req, _) = decode(json!({
        "instructions": "base",
        "input": [
            {"role": "developer", "content": "dev rules"},
            {"role": "user", "content": "hi"},
            {"type": "message", "role": "system", "content": [{"type": "input_text", "text": "late system"}]}
        ]
    }));
    let system: Vec<&str> = req.system.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(system, ["base", "dev rules", "late system"]);
    assert_eq!(
        req.messages.len(),
        1,
        "only the user message stays in the list"
    );
}

#[test]
fn calls_after_an_assistant_message_belong_to_its_turn_and_results_share_one_user_turn() {
    // translation rules 7 and 11: tool results get their names, and all results of one turn go in
    // one user message.
    let (req, _) = decode(json!({"input": [
        {"role": "user", "content": "weather in Paris and Rome?"},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Checking."}]},
        {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": "{\"city\":\"Paris\"}"},
        {"type": "function_call", "call_id": "c2", "name": "get_weather", "arguments": "{\"city\":\"Rome\"}"},
        {"type": "function_call_output", "call_id": "c1", "output": "18C"},
        {"type": "function_call_output", "call_id": "c2", "output": [{"type": "input_text", "text": "21C"}]},
        {"role": "user", "content": "thanks"}
    ]}));
    let roles: Vec<Role> = req.messages.iter().map(|m| m.role).collect();
    assert_eq!(
        roles,
        [Role::User, Role::Assistant, Role::User, Role::User],
        "the closing user text stays its own message"
    );
    let assistant = &req.messages[1].content;
    assert_eq!(assistant.len(), 3, "text and both calls: {assistant:?}");
    assert!(matches!(&assistant[2], Content::ToolCall(call)
        if call.id == "c2" && call.arguments == json!({"city": "Rome"})));
    let results: Vec<(&str, Option<&str>, &Vec<Content>)> = req.messages[2]
        .content
        .iter()
        .filter_map(|c| match c {
            Content::ToolResult(r) => Some((r.call_id.as_str(), r.name.as_deref(), &r.content)),
            _ => None,
        })
        .collect();
    assert_eq!(
        results,
        [
            ("c1", Some("get_weather"), &vec![text("18C")]),
            ("c2", Some("get_weather"), &vec![text("21C")])
        ]
    );
}

#[test]
fn empty_arguments_become_an_empty_object_and_broken_ones_are_kept_as_text() {
    // translation rule 6.
    let (req, _) = decode(json!({"input": [
        {"type": "function_call", "call_id": "a", "name": "now", "arguments": ""},
        {"type": "function_call", "call_id": "b", "name": "echo", "arguments": "{\"x\": "}
    ]}));
    let args: Vec<&Value> = req.messages[0]
        .content
        .iter()
        .filter_map(|c| match c {
            Content::ToolCall(call) => Some(&call.arguments),
            _ => None,
        })
        .collect();
    assert_eq!(args, [&json!({}), &json!("{\"x\": ")]);
}

#[test]
fn reasoning_the_gateway_sealed_comes_back_as_the_provider_sent_it() {
    // translation rule 16: thinking and its signature survive the replay unchanged.
    let (req, _) = decode(json!({"input": [
        {"role": "user", "content": "q"},
        {"type": "reasoning", "summary": [{"type": "summary_text", "text": "step one"}, {"type": "summary_text", "text": "step two"}],
         "encrypted_content": Sealed::Signature("sig-abc".into()).seal()},
        {"type": "reasoning", "summary": [], "encrypted_content": Sealed::Redacted("opaque==".into()).seal()},
        {"type": "message", "role": "assistant", "content": "answer"}
    ]}));
    assert_eq!(
        req.messages[1].content,
        vec![
            Content::Thinking {
                text: "step one\n\nstep two".into(),
                signature: Some("sig-abc".into())
            },
            Content::RedactedThinking {
                data: "opaque==".into()
            },
            text("answer"),
        ]
    );
}

#[test]
fn openais_own_encrypted_reasoning_is_dropped_but_its_summary_kept() {
    let (req, _) = decode(json!({"input": [
        {"role": "user", "content": "q"},
        {"type": "reasoning", "summary": [{"type": "summary_text", "text": "thought"}], "encrypted_content": "gAAAAABfoo"},
        {"type": "reasoning", "summary": [], "encrypted_content": "gAAAAABbar"},
        {"type": "reasoning", "content": [{"type": "reasoning_text", "text": "raw chain"}]},
        {"role": "assistant", "content": "a"}
    ]}));
    assert_eq!(
        req.messages[1].content,
        vec![
            Content::Thinking {
                text: "thought".into(),
                signature: None
            },
            Content::Thinking {
                text: "raw chain".into(),
                signature: None
            },
            text("a"),
        ],
        "an item with neither text nor readable content disappears"
    );
}

#[test]
fn a_sealed_thought_signature_goes_back_on_the_call_right_after_it() {
    // translation rule 8: Gemini needs its thought signature back with the function call.
    let (req, _) = decode(json!({"input": [
        {"role": "user", "content": "q"},
        {"type": "reasoning", "summary": [], "encrypted_content": Sealed::ThoughtSignature("ts-1".into()).seal()},
        {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
        {"type": "function_call", "call_id": "c2", "name": "f", "arguments": "{}"}
    ]}));
    let signatures: Vec<Option<&str>> = req.messages[1]
        .content
        .iter()
        .filter_map(|c| match c {
            Content::ToolCall(call) => Some(call.thought_signature.as_deref()),
            _ => None,
        })
        .collect();
    assert_eq!(signatures, [Some("ts-1"), None]);
}

#[test]
fn codex_local_shell_calls_are_calls_of_a_local_shell_function() {
    let (req, ctx) = decode(json!({
        "tools": [{"type": "local_shell"}],
        "input": [
            {"role": "user", "content": "list files"},
            {"type": "local_shell_call", "call_id": "ls1", "status": "completed",
             "action": {"type": "exec", "command": ["ls", "-la"], "working_directory": "/tmp", "timeout_ms": null, "env": null, "user": null}},
            {"type": "function_call_output", "call_id": "ls1", "output": "total 0"}
        ]
    }));
    assert!(ctx.local_shell);
    assert_eq!(tool_names(&req.tools), ["local_shell"]);
    let Content::ToolCall(call) = &req.messages[1].content[0] else {
        panic!("expected a call: {:?}", req.messages[1]);
    };
    assert_eq!(call.name, "local_shell");
    assert_eq!(call.arguments["command"], json!(["ls", "-la"]));
    assert!(
        call.arguments.get("type").is_none(),
        "the tool's schema has no type"
    );
    let Content::ToolResult(result) = &req.messages[2].content[0] else {
        panic!("expected a result: {:?}", req.messages[2]);
    };
    assert_eq!(result.name.as_deref(), Some("local_shell"));
}

#[test]
fn a_custom_tool_is_a_function_of_one_string_with_its_grammar_described() {
    let (req, ctx) = decode(json!({"tools": [{
        "type": "custom", "name": "apply_patch", "description": "Edit files.",
        "format": {"type": "grammar", "syntax": "lark", "definition": "start: \"*** Begin Patch\""}
    }]}));
    assert_eq!(ctx.custom_tools.iter().collect::<Vec<_>>(), ["apply_patch"]);
    let tool = &req.tools[0];
    assert_eq!(tool.parameters["required"], json!(["input"]));
    let description = tool.description.as_deref().unwrap_or_default();
    assert!(description.starts_with("Edit files.\n\n"), "{description}");
    assert!(description.contains("lark grammar"), "{description}");
    assert!(
        description.contains("start: \"*** Begin Patch\""),
        "{description}"
    );
}

#[test]
fn tools_only_openai_can_run_are_left_out_with_a_warning_and_refused_only_when_forced() {
    let (req, ctx) = decode(json!({"tools": [
        {"type": "web_search", "external_web_access": false},
        {"type": "web_search_preview"},
        {"type": "image_generation"},
        {"type": "function", "name": "f"},
        {"type": "file_search", "vector_store_ids": ["vs_1"]},
        {"type": "code_interpreter", "container": {"type": "auto"}},
        {"type": "mcp", "server_label": "deepwiki", "server_url": "https://mcp.deepwiki.com/mcp"},
        {"type": "computer_use_preview"},
        {"type": "tool_search_v9"}
    ]}));
    assert_eq!(
        tool_names(&req.tools),
        ["f"],
        "only the function reaches the provider"
    );
    assert_eq!(
        req.tools[0].parameters,
        json!({"type": "object", "properties": {}})
    );
    assert_eq!(
        ctx.warnings.len(),
        8,
        "one warning per tool left out: {:?}",
        ctx.warnings
    );
    assert!(
        ctx.warnings[0].starts_with("tools[0]: the 'web_search' tool"),
        "a warning names the tool and where it was: {}",
        ctx.warnings[0]
    );
    assert!(
        ctx.warnings[7].contains("'tool_search_v9'"),
        "{:?}",
        ctx.warnings
    );

    // Forcing a tool the provider never sees leaves a request that means nothing: refused.
    for choice in [
        json!({"type": "web_search"}),
        json!({"type": "function", "name": "gone"}),
    ] {
        let err = refused(
            json!({"tools": [{"type": "function", "name": "f"}, {"type": "web_search"}], "tool_choice": choice}),
        );
        assert_eq!(err.param.as_deref(), Some("tool_choice"), "{choice}");
    }
}

#[test]
fn a_namespace_tool_is_flattened_and_its_calls_replayed_under_the_flat_name() {
    // Codex 0.169 groups its sub-agent tools this way.
    let (req, ctx) = decode(json!({
        "tools": [
            {"type": "function", "name": "exec_command", "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}}},
            {"type": "namespace", "name": "multi_agent_v1", "description": "Tools for sub-agents.", "tools": [
                {"type": "function", "name": "spawn_agent", "description": "Start one.", "parameters": {"type": "object", "properties": {}}},
                {"type": "function", "name": "wait_agent", "parameters": {"type": "object", "properties": {}}}
            ]}
        ],
        "tool_choice": {"type": "function", "name": "spawn_agent", "namespace": "multi_agent_v1"},
        "input": [
            {"role": "user", "content": "start a helper"},
            {"type": "function_call", "call_id": "c1", "name": "wait_agent", "namespace": "multi_agent_v1", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": "done"}
        ]
    }));
    assert_eq!(
        tool_names(&req.tools),
        [
            "exec_command",
            "multi_agent_v1__spawn_agent",
            "multi_agent_v1__wait_agent"
        ]
    );
    assert_eq!(
        req.tools[1].description.as_deref(),
        Some("Tools for sub-agents.\n\nStart one."),
        "the group's description travels with each of its tools"
    );
    assert_eq!(
        req.tool_choice,
        Some(ToolChoice::Tool("multi_agent_v1__spawn_agent".into()))
    );
    assert_eq!(
        ctx.unflatten("multi_agent_v1__wait_agent"),
        (Some("multi_agent_v1"), "wait_agent"),
        "the answer side can give the call its namespace back"
    );
    assert_eq!(ctx.unflatten("exec_command"), (None, "exec_command"));
    let Content::ToolCall(call) = &req.messages[1].content[0] else {
        panic!("{:?}", req.messages[1]);
    };
    assert_eq!(call.name, "multi_agent_v1__wait_agent");
    let Content::ToolResult(result) = &req.messages[2].content[0] else {
        panic!("{:?}", req.messages[2]);
    };
    assert_eq!(result.name.as_deref(), Some("multi_agent_v1__wait_agent"));
}

#[test]
fn anything_stored_at_openai_is_refused_naming_the_member() {
    for (key, value) in [
        ("previous_response_id", json!("resp_123")),
        ("conversation", json!("conv_1")),
        ("prompt", json!({"id": "pmpt_1"})),
        ("background", json!(true)),
    ] {
        let err = refused(json!({"input": "hi", key: value}));
        assert_eq!(err.param.as_deref(), Some(key));
    }
    let err = refused(json!({"input": [{"type": "item_reference", "id": "msg_1"}]}));
    assert_eq!(err.param.as_deref(), Some("input"));
    // A null previous_response_id is what SDKs send when there is none.
    let (req, _) =
        decode(json!({"input": "hi", "previous_response_id": null, "background": false}));
    assert_eq!(req.messages.len(), 1);
}

#[test]
fn unknown_items_are_left_out_with_a_warning_and_unknown_parts_refused() {
    let (req, ctx) = decode(json!({"input": [
        {"role": "user", "content": "a"},
        {"type": "computer_call_output"},
        {"type": "compaction", "encrypted_content": "gAAAA"}
    ]}));
    assert_eq!(req.messages.len(), 1);
    assert_eq!(ctx.warnings.len(), 2, "{:?}", ctx.warnings);
    assert!(
        ctx.warnings[0].starts_with("input[1]: 'computer_call_output'"),
        "{:?}",
        ctx.warnings
    );
    let err = refused(json!({"input": [{"role": "user", "content": [{"type": "input_audio"}]}]}));
    assert!(err.message.contains("content[0]"), "{}", err.message);
    let err = refused(json!({"input": [{"role": "tool", "content": "x"}]}));
    assert!(err.message.contains("unknown role"), "{}", err.message);
}

#[test]
fn members_of_the_wrong_type_are_named() {
    let err = refused(json!({"input": "hi", "temperature": "hot"}));
    assert_eq!(err.param.as_deref(), Some("temperature"));
    let err = refused(json!({"input": 42}));
    assert_eq!(err.param.as_deref(), Some("input"));
    assert!(decode_request(b"{not json").is_err());
}

#[test]
fn images_and_files_become_canonical_media() {
    let (req, _) = decode(json!({"input": [{"role": "user", "content": [
        {"type": "input_text", "text": "what is this?"},
        {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo=", "detail": "high"},
        {"type": "input_image", "image_url": "https://example.com/cat.png"},
        {"type": "input_file", "filename": "spec.pdf", "file_data": "data:application/pdf;base64,JVBERi0x"},
        {"type": "input_file", "filename": "notes.txt", "file_data": "aGVsbG8="}
    ]}]}));
    let content = &req.messages[0].content;
    assert_eq!(
        content[1],
        Content::Image {
            source: MediaSource::Base64 {
                media_type: "image/png".into(),
                data: "iVBORw0KGgo=".into()
            },
            cache_control: None
        }
    );
    assert!(
        matches!(&content[2], Content::Image { source: MediaSource::Url { url }, .. } if url == "https://example.com/cat.png")
    );
    assert!(
        matches!(&content[3], Content::Document { source: MediaSource::Base64 { media_type, .. }, name: Some(name), .. }
        if media_type == "application/pdf" && name == "spec.pdf")
    );
    assert!(
        matches!(&content[4], Content::Document { source: MediaSource::Base64 { media_type, .. }, .. }
        if media_type == "text/plain")
    );
    let err = refused(
        json!({"input": [{"role": "user", "content": [{"type": "input_image", "file_id": "file-1"}]}]}),
    );
    assert!(err.message.contains("file_id"), "{}", err.message);
}

#[test]
fn tool_choice_maps_to_canonical_choices() {
    let tools = json!([
        {"type": "function", "name": "a"},
        {"type": "function", "name": "b"},
        {"type": "custom", "name": "apply_patch"}
    ]);
    let choice = |choice: Value| decode(json!({"tools": tools, "tool_choice": choice})).0;
    assert_eq!(choice(json!("auto")).tool_choice, Some(ToolChoice::Auto));
    assert_eq!(choice(json!("none")).tool_choice, Some(ToolChoice::None));
    assert_eq!(
        choice(json!("required")).tool_choice,
        Some(ToolChoice::Required)
    );
    assert_eq!(
        choice(json!({"type": "function", "name": "b"})).tool_choice,
        Some(ToolChoice::Tool("b".into()))
    );
    assert_eq!(
        choice(json!({"type": "custom", "name": "apply_patch"})).tool_choice,
        Some(ToolChoice::Tool("apply_patch".into()))
    );
    let allowed = choice(json!({"type": "allowed_tools", "mode": "required",
        "tools": [{"type": "function", "name": "a"}, {"type": "custom", "name": "apply_patch"}]}));
    assert_eq!(allowed.tool_choice, Some(ToolChoice::Required));
    assert_eq!(
        tool_names(&allowed.tools),
        ["a", "apply_patch"],
        "only the allowed tools"
    );
    let err = refused(json!({"tools": tools, "tool_choice": {"type": "file_search"}}));
    assert_eq!(err.param.as_deref(), Some("tool_choice"));
    let err = refused(json!({"tools": tools, "tool_choice": "sometimes"}));
    assert_eq!(err.param.as_deref(), Some("tool_choice"));
}

#[test]
fn sampling_limits_formats_and_reasoning_map_across() {
    let (req, _) = decode(json!({
        "model": "gpt-5", "input": "hi", "stream": true,
        "max_output_tokens": 2048, "temperature": 0.2, "top_p": 0.9, "safety_identifier": "user-7",
        "parallel_tool_calls": false,
        "text": {"format": {"type": "json_schema", "name": "answer", "schema": {"type": "object"}, "strict": true}},
        "reasoning": {"effort": "high", "summary": "detailed"},
        "store": false, "include": ["reasoning.encrypted_content"], "prompt_cache_key": "k", "metadata": {"a": "b"}
    }));
    assert_eq!(req.model, "gpt-5");
    assert!(req.stream);
    assert_eq!(req.max_tokens, Some(2048));
    assert_eq!(req.temperature, Some(0.2));
    assert_eq!(req.top_p, Some(0.9));
    assert_eq!(
        req.user.as_deref(),
        Some("user-7"),
        "safety_identifier when there is no user"
    );
    assert_eq!(req.parallel_tool_calls, Some(false));
    assert_eq!(
        req.response_format,
        Some(ResponseFormat::JsonSchema {
            name: "answer".into(),
            schema: json!({"type": "object"}),
            strict: Some(true)
        })
    );
    assert_eq!(
        req.reasoning,
        Some(Reasoning {
            effort: Some(Effort::High),
            budget_tokens: None,
            include_thoughts: true
        })
    );
}

#[test]
fn reasoning_summaries_decide_whether_thoughts_come_back() {
    let reasoning = |r: Value| decode(json!({"input": "hi", "reasoning": r})).0.reasoning;
    assert_eq!(
        reasoning(json!({"effort": "low"})).map(|r| r.include_thoughts),
        Some(false)
    );
    assert_eq!(
        reasoning(json!({"effort": "low", "summary": "none"})).map(|r| r.include_thoughts),
        Some(false)
    );
    assert_eq!(
        reasoning(json!({"generate_summary": "concise"})).map(|r| r.include_thoughts),
        Some(true),
        "the deprecated spelling still counts"
    );
    assert_eq!(
        reasoning(json!({"effort": "xhigh"})).and_then(|r| r.effort),
        Some(Effort::High)
    );
    assert_eq!(reasoning(json!({"effort": null, "summary": null})), None);
    let err = refused(json!({"input": "hi", "reasoning": {"effort": "extreme"}}));
    assert_eq!(err.param.as_deref(), Some("reasoning"));
}

#[test]
fn the_response_object_echo_has_openais_defaults() {
    let (_, ctx) = decode(json!({"input": "hi", "temperature": 0.5}));
    assert_eq!(
        Value::Object(ctx.echo),
        json!({"parallel_tool_calls": true, "temperature": 0.5, "tool_choice": "auto", "tools": []})
    );
}
