//! Non-streamed `POST /v1/chat/completions`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{post, start};

fn weather_tools() -> Value {
    json!([
        {"type": "function", "function": {"name": "get_weather", "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}, "metric": {"type": "boolean"}},
            "required": ["city"]
        }}},
        {"type": "function", "function": {"name": "get_time", "parameters": {
            "type": "object", "properties": {"zone": {"type": "string"}}
        }}}
    ])
}

#[tokio::test]
async fn json_answer_has_the_openai_shape_and_deterministic_usage() {
    let mock = start().await;
    let answer = post(
        &mock,
        "/chat/completions",
        &json!({"model": "gpt-4.1", "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Hi there"}
        ]}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert!(
        answer.headers["x-request-id"]
            .to_str()
            .unwrap()
            .starts_with("req_")
    );
    let body = answer.json();
    let id = body["id"].as_str().unwrap();
    assert!(
        id.starts_with("chatcmpl-") && id.len() == "chatcmpl-".len() + 29,
        "{id}"
    );
    assert_eq!(body["object"], "chat.completion");
    assert!(body["created"].as_u64().unwrap() > 1_700_000_000);
    assert_eq!(body["model"], "gpt-4.1");
    assert!(
        body["system_fingerprint"]
            .as_str()
            .unwrap()
            .starts_with("fp_")
    );
    assert_eq!(
        body["choices"],
        json!([{
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "Hello! This is a mock answer from gpt-4.1.",
                "refusal": null,
                "annotations": []
            },
            "logprobs": null,
            "finish_reason": "stop"
        }])
    );
    // Prompt: ("You are terse." 14 chars → 4) + 4 + ("Hi there" 8 chars → 2) + 4 = 14.
    // Completion: one token per word piece: "Hello!", " This", … " gpt-4.1." = 8.
    assert_eq!(
        body["usage"],
        json!({
            "prompt_tokens": 14,
            "completion_tokens": 8,
            "total_tokens": 22,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0
            }
        })
    );
}

#[tokio::test]
async fn answer_after_a_tool_message_acknowledges_the_tool_result() {
    let mock = start().await;
    let body = post(
        &mock,
        "/chat/completions",
        &json!({"model": "m", "tools": weather_tools(), "messages": [
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                "function": {"name": "get_weather", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "sunny, 21C"}
        ]}),
    )
    .await
    .json();
    assert_eq!(
        body["choices"][0]["message"]["content"],
        "Tool result received: sunny, 21C"
    );
    assert_eq!(body["choices"][0]["finish_reason"], "stop");
}

#[tokio::test]
async fn tools_offered_on_a_user_turn_are_called_with_schema_shaped_arguments() {
    let mock = start().await;
    let body = post(
        &mock,
        "/chat/completions",
        &json!({"model": "m", "tools": weather_tools(),
                "messages": [{"role": "user", "content": "Weather in Paris?"}]}),
    )
    .await
    .json();
    let choice = &body["choices"][0];
    assert_eq!(choice["finish_reason"], "tool_calls");
    assert_eq!(choice["message"]["content"], Value::Null);
    let calls = choice["message"]["tool_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 1, "one call to the first tool by default");
    let id = calls[0]["id"].as_str().unwrap();
    let suffix = id.strip_prefix("call_").unwrap();
    assert!(
        suffix.len() == 24 && suffix.chars().all(|c| c.is_ascii_alphanumeric()),
        "{id}"
    );
    assert_eq!(calls[0]["type"], "function");
    assert_eq!(calls[0]["function"]["name"], "get_weather");
    let arguments: Value =
        serde_json::from_str(calls[0]["function"]["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(
        arguments,
        json!({"city": "mock", "days": 1, "metric": true})
    );
    // Prompt: "Weather in Paris?" (17 chars → 5) + 4 + 2 tools × 10 = 29.
    assert_eq!(body["usage"]["prompt_tokens"], 29);
}

#[tokio::test]
async fn tool_choice_none_answers_with_text() {
    let mock = start().await;
    let body = post(
        &mock,
        "/chat/completions",
        &json!({"model": "m", "tools": weather_tools(), "tool_choice": "none",
                "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await
    .json();
    assert_eq!(body["choices"][0]["finish_reason"], "stop");
    assert!(body["choices"][0]["message"].get("tool_calls").is_none());
}

#[tokio::test]
async fn a_named_tool_choice_calls_that_tool() {
    let mock = start().await;
    let body = post(
        &mock,
        "/chat/completions",
        &json!({"model": "m", "tools": weather_tools(),
                "tool_choice": {"type": "function", "function": {"name": "get_time"}},
                "messages": [{"role": "user", "content": "time?"}]}),
    )
    .await
    .json();
    let calls = body["choices"][0]["message"]["tool_calls"]
        .as_array()
        .unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["function"]["name"], "get_time");
    assert_eq!(calls[0]["function"]["arguments"], r#"{"zone":"mock"}"#);
}

#[tokio::test]
async fn parallel_tools_knob_calls_every_tool_unless_parallel_tool_calls_is_false() {
    let mock = start().await;
    let request = |parallel: bool| {
        json!({"model": "m", "tools": weather_tools(), "parallel_tool_calls": parallel,
               "mock": {"parallel_tools": true},
               "messages": [{"role": "user", "content": "both"}]})
    };
    let body = post(&mock, "/chat/completions", &request(true))
        .await
        .json();
    let calls = body["choices"][0]["message"]["tool_calls"]
        .as_array()
        .unwrap();
    let names: Vec<&str> = calls
        .iter()
        .map(|c| c["function"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["get_weather", "get_time"]);
    assert_ne!(calls[0]["id"], calls[1]["id"]);

    let body = post(&mock, "/chat/completions", &request(false))
        .await
        .json();
    assert_eq!(
        body["choices"][0]["message"]["tool_calls"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn reasoning_effort_adds_sixteen_reasoning_tokens_to_the_completion() {
    let mock = start().await;
    let body = post(
        &mock,
        "/chat/completions",
        &json!({"model": "o4-mini", "reasoning_effort": "low",
                "messages": [{"role": "user", "content": "abcd"}]}),
    )
    .await
    .json();
    // "Hello! This is a mock answer from o4-mini." → 8 pieces, + 16 reasoning.
    assert_eq!(body["usage"]["completion_tokens"], 24);
    assert_eq!(
        body["usage"]["completion_tokens_details"]["reasoning_tokens"],
        16
    );
    assert_eq!(body["usage"]["total_tokens"], 5 + 24);
}

#[tokio::test]
async fn mock_usage_pins_exact_token_numbers() {
    let mock = start().await;
    let body = post(
        &mock,
        "/chat/completions",
        &json!({"model": "m", "messages": [{"role": "user", "content": "hi"}],
                "mock": {"usage": {"prompt_tokens": 1000, "completion_tokens": 50,
                                   "cached_tokens": 800, "reasoning_tokens": 20}}}),
    )
    .await
    .json();
    let usage = &body["usage"];
    assert_eq!(usage["prompt_tokens"], 1000);
    assert_eq!(usage["completion_tokens"], 50);
    assert_eq!(usage["total_tokens"], 1050);
    assert_eq!(usage["prompt_tokens_details"]["cached_tokens"], 800);
    assert_eq!(usage["completion_tokens_details"]["reasoning_tokens"], 20);
}

#[tokio::test]
async fn invalid_requests_get_openai_400_errors() {
    let mock = start().await;
    let cases = [
        (
            json!({"model": "m"}),
            "Missing required parameter: 'messages'.",
            Some("messages"),
            json!("missing_required_parameter"),
        ),
        (
            json!({"model": "m", "messages": []}),
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
            Some("messages"),
            json!("empty_array"),
        ),
        (
            json!({"messages": [{"role": "user", "content": "hi"}]}),
            "you must provide a model parameter",
            None,
            Value::Null,
        ),
    ];
    for (request, message, param, code) in cases {
        let answer = post(&mock, "/chat/completions", &request).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{request}");
        assert_eq!(
            answer.json(),
            json!({"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}})
        );
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_gets_an_openai_400() {
    let mock = start().await;
    let response = crate::support::client()
        .post(format!("{}/chat/completions", mock.base_url()))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("could not parse the JSON body")
    );
}
