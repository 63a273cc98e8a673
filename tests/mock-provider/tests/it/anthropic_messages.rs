//! Non-streamed `POST /v1/messages`: the message shape, the deterministic
//! answers (text, tool use, thinking), stop reasons and usage.

use mock_provider::MockOptions;
use serde_json::{Value, json};

use crate::anthropic_support::{body, message, post, tool_loop, weather_tools};
use crate::support::{start, start_with};

#[tokio::test]
async fn json_answer_has_the_anthropic_message_shape_and_deterministic_usage() {
    let mock = start().await;
    let answer = post(
        &mock,
        "/v1/messages",
        &body(json!({"system": "You are terse."})),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert!(
        answer.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert!(
        answer.headers["request-id"]
            .to_str()
            .unwrap()
            .starts_with("req_011C")
    );
    let message = answer.json();
    let id = message["id"].as_str().unwrap();
    assert!(
        id.starts_with("msg_01") && id.len() == "msg_01".len() + 22,
        "{id}"
    );
    assert_eq!(message["type"], "message");
    assert_eq!(message["role"], "assistant");
    assert_eq!(message["model"], "claude-sonnet-4-6");
    assert_eq!(
        message["content"],
        json!([{"type": "text", "text": "Hello! This is a mock answer from claude-sonnet-4-6."}])
    );
    assert_eq!(message["stop_reason"], "end_turn");
    assert_eq!(message["stop_sequence"], Value::Null);
    // Input: system ("You are terse." 14 chars → 4) + 4, user ("Hi there" → 2) + 4 = 14.
    // Output: one token per word piece: "Hello!", " This", … " claude-sonnet-4-6." = 8.
    assert_eq!(
        message["usage"],
        json!({"input_tokens": 14, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
               "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
               "output_tokens": 8, "service_tier": "standard"})
    );
}

#[tokio::test]
async fn claude_codes_beta_query_string_is_accepted() {
    let mock = start().await;
    let answer = post(&mock, "/v1/messages?beta=true", &body(json!({}))).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(mock.received()[0].query.as_deref(), Some("beta=true"));
}

#[tokio::test]
async fn tools_on_a_user_turn_are_called_with_schema_shaped_input() {
    let mock = start().await;
    let message = message(&mock, &body(json!({"tools": weather_tools()}))).await;
    assert_eq!(message["stop_reason"], "tool_use");
    let content = message["content"].as_array().unwrap();
    assert_eq!(content.len(), 1, "one call to the first tool by default");
    let call = &content[0];
    assert_eq!(call["type"], "tool_use");
    assert!(call["id"].as_str().unwrap().starts_with("toolu_01"));
    assert_eq!(call["name"], "get_weather");
    assert_eq!(
        call["input"],
        json!({"city": "mock", "days": 1, "metric": true})
    );
    // Input: user 2 + 4, two tools × 10 = 26. Output: the input JSON in three fragments.
    assert_eq!(message["usage"]["input_tokens"], 26);
    assert_eq!(message["usage"]["output_tokens"], 3);
}

#[tokio::test]
async fn tool_choice_picks_the_named_tool_or_none_for_text() {
    let mock = start().await;
    let named = message(
        &mock,
        &body(
            json!({"tools": weather_tools(), "tool_choice": {"type": "tool", "name": "get_time"}}),
        ),
    )
    .await;
    assert_eq!(named["content"][0]["name"], "get_time");
    assert_eq!(named["content"][0]["input"], json!({"zone": "mock"}));
    let none = message(
        &mock,
        &body(json!({"tools": weather_tools(), "tool_choice": {"type": "none"}})),
    )
    .await;
    assert_eq!(none["content"][0]["type"], "text");
    assert_eq!(none["stop_reason"], "end_turn");
}

#[tokio::test]
async fn parallel_tools_knob_calls_every_tool_unless_parallel_use_is_disabled() {
    let mock = start().await;
    let parallel = message(
        &mock,
        &body(json!({"tools": weather_tools(), "mock": {"parallel_tools": true}})),
    )
    .await;
    let names: Vec<&str> = parallel["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["get_weather", "get_time"]);
    assert_ne!(parallel["content"][0]["id"], parallel["content"][1]["id"]);
    let single = message(
        &mock,
        &body(
            json!({"tools": weather_tools(), "mock": {"parallel_tools": true},
                     "tool_choice": {"type": "auto", "disable_parallel_tool_use": true}}),
        ),
    )
    .await;
    assert_eq!(single["content"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_tool_result_turn_is_acknowledged_with_its_text() {
    let mock = start().await;
    let as_string = message(
        &mock,
        &body(json!({"tools": weather_tools(), "messages": tool_loop(json!("sunny, 21C"))})),
    )
    .await;
    assert_eq!(
        as_string["content"],
        json!([{"type": "text", "text": "Tool result received: sunny, 21C"}])
    );
    let as_blocks = message(
        &mock,
        &body(json!({"messages": tool_loop(json!([{"type": "text", "text": "rain"}]))})),
    )
    .await;
    assert_eq!(
        as_blocks["content"][0]["text"],
        "Tool result received: rain"
    );
}

#[tokio::test]
async fn thinking_adds_a_signed_thinking_block_first() {
    let mock = start().await;
    let message = message(
        &mock,
        &body(
            json!({"max_tokens": 4096, "thinking": {"type": "enabled", "budget_tokens": 2048},
                     "tools": weather_tools()}),
        ),
    )
    .await;
    let content = message["content"].as_array().unwrap();
    assert_eq!(content[0]["type"], "thinking");
    assert_eq!(content[0]["thinking"], "Let me think about this.");
    assert!(content[0]["signature"].as_str().unwrap().len() > 40);
    assert_eq!(content[1]["type"], "tool_use");
    // 5 thinking words + 3 input fragments.
    assert_eq!(message["usage"]["output_tokens"], 8);
}

#[tokio::test]
async fn adaptive_thinking_with_omitted_display_keeps_only_the_signature() {
    let mock = start().await;
    let message = message(
        &mock,
        &body(json!({"thinking": {"type": "adaptive", "display": "omitted"}})),
    )
    .await;
    assert_eq!(message["content"][0]["type"], "thinking");
    assert_eq!(message["content"][0]["thinking"], "");
    assert!(
        !message["content"][0]["signature"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    assert_eq!(message["content"][1]["type"], "text");
}

#[tokio::test]
async fn a_stop_sequence_in_the_answer_cuts_it_and_is_reported() {
    let mock = start().await;
    let message = message(&mock, &body(json!({"stop_sequences": ["###", "mock"]}))).await;
    assert_eq!(message["content"][0]["text"], "Hello! This is a ");
    assert_eq!(message["stop_reason"], "stop_sequence");
    assert_eq!(message["stop_sequence"], "mock");
    // "Hello!", " This", " is", " a" and the " " left of " mock".
    assert_eq!(message["usage"]["output_tokens"], 5);
}

#[tokio::test]
async fn a_tiny_max_tokens_truncates_the_answer() {
    let mock = start().await;
    let message = message(&mock, &body(json!({"max_tokens": 3}))).await;
    assert_eq!(message["content"][0]["text"], "Hello! This is");
    assert_eq!(message["stop_reason"], "max_tokens");
    assert_eq!(message["usage"]["output_tokens"], 3);
    let warm_up = crate::anthropic_support::message(&mock, &body(json!({"max_tokens": 0}))).await;
    assert_eq!(warm_up["content"], json!([]));
    assert_eq!(warm_up["stop_reason"], "max_tokens");
    assert_eq!(warm_up["usage"]["output_tokens"], 0);
}

#[tokio::test]
async fn mock_usage_pins_exact_anthropic_usage_numbers() {
    let mock = start().await;
    let message = message(
        &mock,
        &body(json!({"mock": {"usage": {"input_tokens": 7, "output_tokens": 9,
                                        "cache_read_input_tokens": 100, "cache_creation_input_tokens": 50}}})),
    )
    .await;
    let usage = &message["usage"];
    assert_eq!(usage["input_tokens"], 7);
    assert_eq!(usage["output_tokens"], 9);
    assert_eq!(usage["cache_read_input_tokens"], 100);
    assert_eq!(usage["cache_creation_input_tokens"], 50);
    assert_eq!(usage["cache_creation"]["ephemeral_5m_input_tokens"], 50);
}

#[tokio::test]
async fn a_cached_prefix_is_written_once_then_read_and_input_tokens_exclude_both() {
    let mock = start().await;
    let request = |question: &str, ttl: &str| {
        body(json!({
            "system": [{"type": "text", "text": "A long shared system prompt.",
                        "cache_control": {"type": "ephemeral", "ttl": ttl}}],
            "messages": [{"role": "user", "content": question}]}))
    };
    let first = message(&mock, &request("One?", "1h")).await;
    // Prefix: system 28 chars → 7 + 4 = 11; after it: "One?" → 1 + 4 = 5.
    assert_eq!(first["usage"]["input_tokens"], 5);
    assert_eq!(first["usage"]["cache_creation_input_tokens"], 11);
    assert_eq!(first["usage"]["cache_read_input_tokens"], 0);
    assert_eq!(
        first["usage"]["cache_creation"],
        json!({"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 11})
    );
    let second = message(&mock, &request("Two, longer?", "1h")).await;
    assert_eq!(second["usage"]["input_tokens"], 7);
    assert_eq!(second["usage"]["cache_creation_input_tokens"], 0);
    assert_eq!(second["usage"]["cache_read_input_tokens"], 11);
}

#[tokio::test]
async fn a_top_level_cache_control_caches_the_whole_prompt() {
    let mock = start().await;
    let request = body(json!({"cache_control": {"type": "ephemeral"}}));
    let first = message(&mock, &request).await;
    assert_eq!(first["usage"]["input_tokens"], 0);
    assert_eq!(first["usage"]["cache_creation_input_tokens"], 6);
    let second = message(&mock, &request).await;
    assert_eq!(second["usage"]["cache_read_input_tokens"], 6);
}

#[tokio::test]
async fn requests_are_recorded_with_their_anthropic_headers() {
    let mock = start_with(MockOptions::default()).await;
    message(&mock, &body(json!({}))).await;
    let received = &mock.received()[0];
    assert_eq!(received.path, "/v1/messages");
    assert_eq!(received.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(received.body["max_tokens"], 1024);
}
