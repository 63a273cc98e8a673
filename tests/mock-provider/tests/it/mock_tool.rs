//! The `[[mock-tool NAME {args}]]` directive: in every dialect the last user
//! turn picks the tool and its exact arguments, so a test can drive a real
//! client through a tool it knows how to run.

use serde_json::{Value, json};

use crate::anthropic_support;
use crate::gemini::support as gemini;
use crate::responses_support;
use crate::support::{post, start};

const ASK: &str =
    r#"Read it: [[mock-tool read_file {"path": "/work/token.txt", "lines": [1, 2]}]]"#;

fn arguments_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("arguments are not JSON ({e}): {text}"))
}

#[tokio::test]
async fn chat_completions_call_the_named_tool_with_the_directive_arguments() {
    let mock = start().await;
    let tools = json!([
        {"type": "function", "function": {"name": "list_dir", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "read_file", "parameters": {"type": "object",
            "properties": {"path": {"type": "string"}}}}}
    ]);
    let body =
        json!({"model": "gpt-4.1", "messages": [{"role": "user", "content": ASK}], "tools": tools});
    let answer = post(&mock, "/chat/completions", &body).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let call = &answer.json()["choices"][0]["message"]["tool_calls"][0]["function"];
    assert_eq!(
        call["name"], "read_file",
        "the directive names the second tool, not the first"
    );
    assert_eq!(
        arguments_of(call["arguments"].as_str().unwrap()),
        json!({"path": "/work/token.txt", "lines": [1, 2]})
    );
}

#[tokio::test]
async fn a_prefixed_tool_name_matches_and_an_unknown_one_is_answered_in_text() {
    let mock = start().await;
    let offered = |name: &str| json!([{"type": "function", "function": {"name": name}}]);
    let ask = |tools: Value| json!({"model": "gpt-4.1", "messages": [{"role": "user", "content": ASK}], "tools": tools});
    let answer = post(&mock, "/chat/completions", &ask(offered("fs__read_file"))).await;
    assert_eq!(
        answer.json()["choices"][0]["message"]["tool_calls"][0]["function"]["name"],
        "fs__read_file"
    );
    let answer = post(&mock, "/chat/completions", &ask(offered("write_file"))).await;
    assert_eq!(
        answer.json()["choices"][0]["message"]["content"],
        "mock-tool: no offered tool is named read_file; offered: write_file"
    );
}

#[tokio::test]
async fn responses_call_the_named_function_even_among_namespaces_and_hosted_tools() {
    let mock = start().await;
    let tools = json!([
        {"type": "function", "name": "exec_command", "parameters": {"type": "object",
            "properties": {"cmd": {"type": "string"}}}},
        {"type": "namespace", "name": "agents", "description": "Sub-agents",
         "tools": [{"type": "function", "name": "spawn_agent", "parameters": {"type": "object"}}]},
        {"type": "web_search", "external_web_access": false},
        {"type": "function", "name": "read_file", "parameters": {"type": "object"}}
    ]);
    let body = responses_support::body(json!({"input": ASK, "tools": tools}));
    let answer = responses_support::respond(&mock, &body).await;
    let calls = responses_support::items_of(&answer, "function_call");
    assert_eq!(calls.len(), 1, "{answer}");
    assert_eq!(calls[0]["name"], "read_file");
    assert_eq!(
        arguments_of(calls[0]["arguments"].as_str().unwrap()),
        json!({"path": "/work/token.txt", "lines": [1, 2]})
    );
}

#[tokio::test]
async fn anthropic_messages_call_the_named_tool_and_then_acknowledge_its_result() {
    let mock = start().await;
    let mut tools = anthropic_support::weather_tools();
    tools
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "read_file", "input_schema": {"type": "object"}}));
    let ask = json!({"role": "user", "content": [
        {"type": "text", "text": "<system-reminder>context</system-reminder>"},
        {"type": "text", "text": ASK}]});
    let body = anthropic_support::body(json!({"messages": [ask.clone()], "tools": tools.clone()}));
    let answer = anthropic_support::message(&mock, &body).await;
    assert_eq!(answer["stop_reason"], "tool_use");
    let call = &answer["content"][0];
    assert_eq!(call["name"], "read_file");
    assert_eq!(
        call["input"],
        json!({"path": "/work/token.txt", "lines": [1, 2]})
    );
    let follow_up = anthropic_support::body(json!({"tools": tools, "messages": [
        ask,
        {"role": "assistant", "content": [call]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call["id"], "content": "tok-42"}]}
    ]}));
    let answer = anthropic_support::message(&mock, &follow_up).await;
    assert_eq!(answer["content"][0]["text"], "Tool result received: tok-42");
}

#[tokio::test]
async fn gemini_calls_the_named_function_with_the_directive_arguments() {
    let mock = start().await;
    let body = json!({"contents": [gemini::user(ASK)], "tools": [{"functionDeclarations": [
        {"name": "list_directory", "parametersJsonSchema": {"type": "object"}},
        {"name": "read_file", "parametersJsonSchema": {"type": "object"}}]}]});
    let answer = gemini::generate(&mock, "gemini-2.5-flash", &body).await;
    assert_eq!(
        answer["candidates"][0]["content"]["parts"],
        json!([{"functionCall": {"name": "read_file", "args": {"path": "/work/token.txt", "lines": [1, 2]}}}])
    );
}

#[tokio::test]
async fn without_tools_the_directive_is_plain_text() {
    let mock = start().await;
    let body = json!({"model": "gpt-4.1", "messages": [{"role": "user", "content": ASK}]});
    let answer = post(&mock, "/chat/completions", &body).await;
    assert_eq!(
        answer.json()["choices"][0]["message"]["content"],
        "Hello! This is a mock answer from gpt-4.1."
    );
}
