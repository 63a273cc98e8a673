//! What the current Codex CLI and Claude Code send that older translators refused, through a
//! provider of another format: the turn goes on, and what the provider cannot express is left
//! out with a warning in the history row and the `x-switchyard-warnings` header.

use serde_json::{Value, json};

use crate::harness::{self, request_id};

async fn anthropic_gateway(mock: &mock_provider::MockProvider) -> harness::Harness {
    let config = format!(
        "[[providers]]\nid = \"an\"\nkind = \"anthropic\"\nbase_url = \"{}\"\n\n\
         [[providers]]\nid = \"oc\"\nkind = \"openai-compatible\"\nbase_url = \"{}\"\n",
        mock.anthropic_base_url(),
        mock.base_url()
    );
    harness::start_with_keys(&config, &[("an", harness::KEY), ("oc", harness::KEY)]).await
}

#[tokio::test]
async fn a_codex_turn_with_a_namespace_tool_and_web_search_reaches_anthropic_and_its_call_comes_back_namespaced()
 {
    let mock = harness::mock().await;
    let h = anthropic_gateway(&mock).await;
    let body = json!({
        "model": "an/claude-sonnet-4-5",
        "stream": true,
        "store": false,
        "include": ["reasoning.encrypted_content"],
        "prompt_cache_key": "019a",
        "client_metadata": {"thread_id": "019a"},
        "parallel_tool_calls": true,
        "reasoning": {"summary": "auto"},
        "input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "start a helper"}]}],
        "tools": [
            {"type": "namespace", "name": "multi_agent_v1", "description": "Sub-agents.", "tools": [
                {"type": "function", "name": "spawn_agent", "strict": false,
                 "parameters": {"type": "object", "properties": {"task": {"type": "string"}}, "required": ["task"]}}
            ]},
            {"type": "web_search", "external_web_access": false}
        ]
    });
    let response = h.post("/v1/responses", body).await;
    assert_eq!(response.status(), 200);
    let warnings = response.headers()["x-switchyard-warnings"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(warnings.contains("web_search"), "{warnings}");
    let id = request_id(&response);
    let text = response.text().await.unwrap();
    let done: Vec<Value> = harness::sse_data(&text)
        .iter()
        .filter_map(|d| serde_json::from_str::<Value>(d).ok())
        .filter(|e| {
            e["type"] == "response.output_item.done" && e["item"]["type"] == "function_call"
        })
        .collect();
    assert_eq!(done.len(), 1, "one call: {text}");
    assert_eq!(done[0]["item"]["name"], "spawn_agent", "{}", done[0]);
    assert_eq!(
        done[0]["item"]["namespace"], "multi_agent_v1",
        "{}",
        done[0]
    );

    let upstream = mock.received().pop().unwrap();
    assert_eq!(upstream.path, "/v1/messages");
    let names: Vec<&str> = upstream.body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["multi_agent_v1__spawn_agent"],
        "web_search is left out"
    );
    let row = h.row(&id).await;
    assert_eq!(row["outcome"], "ok", "{row}");
    assert_eq!(row["warnings"].as_array().map(Vec::len), Some(1), "{row}");
}

#[tokio::test]
async fn claude_codes_mid_conversation_system_message_and_betas_reach_an_openai_format_provider() {
    let mock = harness::mock().await;
    let h = anthropic_gateway(&mock).await;
    let body = json!({
        "model": "oc/gpt-4.1",
        "max_tokens": 1024,
        "system": [{"type": "text", "text": "You are Claude Code."}],
        "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
        "messages": [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": "hello"},
            {"role": "system", "content": "The Grep tool is now available."},
            {"role": "user", "content": "go on"}
        ]
    });
    let response = h
        .http
        .post(h.url("/v1/messages?beta=true"))
        .header("anthropic-version", "2023-06-01")
        .header(
            "anthropic-beta",
            "context-management-2025-06-27,mid-conversation-tool-changes-2026-07-01",
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let warnings = response.headers()["x-switchyard-warnings"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        warnings.contains("context_management") && warnings.contains("anthropic-beta"),
        "{warnings}"
    );
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["type"], "message", "{answer}");

    let upstream = mock.received().pop().unwrap();
    assert_eq!(upstream.path, "/v1/chat/completions");
    let messages = upstream.body["messages"].as_array().unwrap();
    assert_eq!(messages[0]["role"], "system");
    let system = messages[0]["content"].to_string();
    assert!(
        system.contains("You are Claude Code.")
            && system.contains("The Grep tool is now available."),
        "both system texts reach the provider's system prompt: {system}"
    );
    assert!(
        messages[1..].iter().all(|m| m["role"] != "system"),
        "and no system message is left in the conversation"
    );
    assert!(
        upstream.header("anthropic-beta").is_none(),
        "betas stay with Anthropic"
    );
}
