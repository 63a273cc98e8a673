use serde_json::json;

use super::*;
use crate::canonical::ToolCall;
use crate::openai_responses::decode_request;
use crate::usage::Usage;

/// The context of a Codex request that declared `apply_patch` (custom) and `local_shell`.
fn codex_context() -> ResponsesContext {
    let (_, mut ctx) = decode_request(
        json!({
            "input": "hi",
            "tools": [
                {"type": "function", "name": "shell_command"},
                {"type": "custom", "name": "apply_patch"},
                {"type": "local_shell"}
            ],
            "tool_choice": "auto",
            "parallel_tool_calls": false,
            "store": false
        })
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    ctx.created_at = 1_764_000_000;
    // The echoed tools are the client's own; keep the snapshot about the output.
    ctx.echo.insert("tools".into(), json!([]));
    ctx
}

fn call(id: &str, name: &str, arguments: Value) -> Content {
    Content::ToolCall(ToolCall {
        id: id.into(),
        name: name.into(),
        arguments,
        thought_signature: None,
    })
}

fn answer(content: Vec<Content>, stop_reason: StopReason) -> ChatResponse {
    ChatResponse {
        id: "msg_01XFDUDYJgAACzvnptvVoYEL".into(),
        model: "claude-sonnet-4-5".into(),
        content,
        stop_reason,
        usage: Usage {
            input_tokens: 12_400,
            cached_input_tokens: 11_000,
            cache_write_tokens: 900,
            output_tokens: 410,
            reasoning_tokens: 0,
        },
    }
}

#[test]
fn an_answer_with_thinking_text_and_calls_becomes_a_response_object() {
    let resp = answer(
        vec![
            Content::Thinking {
                text: "The tests live in tests/.".into(),
                signature: Some("EqQBCkgIBxAB".into()),
            },
            Content::Text {
                text: "Running the tests, then fixing the patch.".into(),
                cache_control: None,
            },
            call(
                "toolu_01C",
                "shell_command",
                json!({"command": "cargo test", "workdir": "/home/dev/shop"}),
            ),
            call(
                "toolu_01D",
                "apply_patch",
                json!({"input": "*** Begin Patch\n*** End Patch\n"}),
            ),
        ],
        StopReason::ToolUse,
    );
    insta::assert_json_snapshot!(encode_response(
        &resp,
        &ToolNames::default(),
        &codex_context()
    ));
}

#[test]
fn answers_cut_short_are_incomplete_with_the_reason() {
    let ctx = codex_context();
    let text = vec![Content::Text {
        text: "partial".into(),
        cache_control: None,
    }];
    let long = encode_response(
        &answer(text.clone(), StopReason::MaxTokens),
        &ToolNames::default(),
        &ctx,
    );
    assert_eq!(long["status"], "incomplete");
    assert_eq!(
        long["incomplete_details"],
        json!({"reason": "max_output_tokens"})
    );
    let filtered = encode_response(
        &answer(text.clone(), StopReason::ContentFilter),
        &ToolNames::default(),
        &ctx,
    );
    assert_eq!(
        filtered["incomplete_details"],
        json!({"reason": "content_filter"})
    );
    let done = encode_response(
        &answer(text, StopReason::StopSequence),
        &ToolNames::default(),
        &ctx,
    );
    assert_eq!(done["status"], "completed");
    assert_eq!(done["incomplete_details"], Value::Null);
}

#[test]
fn shortened_tool_names_are_restored() {
    // translation rule 5.
    let long = "mcp__github_enterprise_server__create_pull_request_review_comment_reply";
    let mut names = ToolNames::default();
    let short = names.shorten(long, ToolNames::MAX);
    let resp = answer(vec![call("c1", &short, json!({}))], StopReason::ToolUse);
    let value = encode_response(&resp, &names, &codex_context());
    assert_eq!(value["output"][0]["name"], long);
    assert_eq!(value["output"][0]["arguments"], "{}");
}

#[test]
fn local_shell_calls_go_back_as_exec_actions() {
    let resp = answer(
        vec![call(
            "c1",
            "local_shell",
            json!({"command": ["ls"], "working_directory": "/tmp"}),
        )],
        StopReason::ToolUse,
    );
    let value = encode_response(&resp, &ToolNames::default(), &codex_context());
    assert_eq!(
        value["output"][0],
        json!({
            "type": "local_shell_call",
            "id": "lsh_msg_01XFDUDYJgAACzvnptvVoYEL_0",
            "status": "completed",
            "call_id": "c1",
            "action": {"type": "exec", "command": ["ls"], "working_directory": "/tmp"}
        })
    );
    // Without the tool declared, a function of that name is just a function.
    let plain = encode_response(&resp, &ToolNames::default(), &ResponsesContext::default());
    assert_eq!(plain["output"][0]["type"], "function_call");
}

#[test]
fn a_freeform_call_whose_model_skipped_the_json_keeps_its_text() {
    assert_eq!(custom_input("{\"input\":\"patch\"}"), "patch");
    assert_eq!(custom_input("*** Begin Patch"), "*** Begin Patch");
    assert_eq!(custom_input("\"quoted\""), "quoted");
    assert_eq!(custom_input("{\"input\": 5}"), "5");
}

#[test]
fn usage_keeps_openai_semantics_and_reports_cache_writes() {
    // translation rule 1: canonical input already includes cache reads and writes.
    let value = encode_response(
        &answer(Vec::new(), StopReason::EndTurn),
        &ToolNames::default(),
        &codex_context(),
    );
    assert_eq!(
        value["usage"],
        json!({
            "input_tokens": 12_400,
            "input_tokens_details": {"cached_tokens": 11_000, "cache_write_tokens": 900},
            "output_tokens": 410,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 12_810
        })
    );
    assert_eq!(value["output"], json!([]));
}

#[test]
fn a_call_to_a_namespaced_tool_goes_back_with_its_namespace() {
    let (_, ctx) = decode_request(
        json!({"input": "hi", "tools": [{"type": "namespace", "name": "multi_agent_v1", "tools": [
            {"type": "function", "name": "spawn_agent"}
        ]}]})
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    let resp = answer(
        vec![call(
            "call_1",
            "multi_agent_v1__spawn_agent",
            json!({"task": "x"}),
        )],
        StopReason::ToolUse,
    );
    let object = encode_response(&resp, &ToolNames::default(), &ctx);
    let item = &object["output"][0];
    assert_eq!(item["type"], "function_call");
    assert_eq!(
        item["name"], "spawn_agent",
        "Codex looks the tool up by its own name"
    );
    assert_eq!(item["namespace"], "multi_agent_v1", "and by its group");
    assert_eq!(item["call_id"], "call_1");
    let plain = encode_response(
        &answer(
            vec![call("call_2", "exec_command", json!({}))],
            StopReason::ToolUse,
        ),
        &ToolNames::default(),
        &ctx,
    );
    assert!(
        plain["output"][0].get("namespace").is_none(),
        "a tool outside any namespace carries none: {}",
        plain["output"][0]
    );
}
