//! Helpers for the Responses API tests: a minimal valid body to vary,
//! posting it, and checking streams and rejections.

use mock_provider::MockProvider;
use mock_provider::openai::responses::stream_check::{CheckedStream, check_stream};
use serde_json::{Value, json};

use crate::support::post;

/// A minimal valid body with `extra` merged in (a `null` removes a field).
pub fn body(extra: Value) -> Value {
    let mut body = json!({"model": "gpt-4.1", "input": "Hi there"});
    for (key, value) in extra.as_object().cloned().unwrap_or_default() {
        if value.is_null() {
            body.as_object_mut().unwrap().remove(&key);
        } else {
            body[key] = value;
        }
    }
    body
}

/// POSTs a body and returns the JSON response object, asserting a 200.
pub async fn respond(mock: &MockProvider, body: &Value) -> Value {
    let answer = post(mock, "/responses", body).await;
    assert_eq!(answer.status, 200, "{body} → {}", answer.text);
    answer.json()
}

/// POSTs a body with `stream: true` and checks the stream.
pub async fn stream(mock: &MockProvider, body: &Value) -> CheckedStream {
    let mut body = body.clone();
    body["stream"] = json!(true);
    let answer = post(mock, "/responses", &body).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(
        answer.headers["content-type"],
        "text/event-stream; charset=utf-8"
    );
    check_stream(&answer.text).unwrap_or_else(|e| panic!("{e}\n{}", answer.text))
}

/// The `error` object of a rejected body, asserting the status.
pub async fn rejection(mock: &MockProvider, body: &Value, status: u16) -> Value {
    let answer = post(mock, "/responses", body).await;
    assert_eq!(
        answer.status.as_u16(),
        status,
        "{body} was answered: {}",
        answer.text
    );
    let error = answer.json()["error"].clone();
    assert_eq!(error["type"], "invalid_request_error", "{error}");
    error
}

/// Two function tools with schemas, as a client defines them.
pub fn weather_tools() -> Value {
    json!([
        {"type": "function", "name": "get_weather", "description": "Weather in a city",
         "parameters": {"type": "object",
                        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                        "required": ["city"]},
         "strict": false},
        {"type": "function", "name": "get_time",
         "parameters": {"type": "object", "properties": {"zone": {"type": "string"}}}}
    ])
}

/// Codex CLI's freeform `apply_patch` tool.
pub fn patch_tool() -> Value {
    json!({"type": "custom", "name": "apply_patch", "description": "Apply a patch",
           "format": {"type": "grammar", "syntax": "lark", "definition": "start: /.+/"}})
}

/// A conversation where the assistant called `get_weather` and the tool answered.
pub fn tool_loop(output: &str) -> Value {
    json!([
        {"role": "user", "content": "Weather in Paris?"},
        {"type": "function_call", "call_id": "call_A", "name": "get_weather",
         "arguments": "{\"city\":\"Paris\"}"},
        {"type": "function_call_output", "call_id": "call_A", "output": output}
    ])
}

/// The output items of `kind` in a response.
pub fn items_of<'r>(response: &'r Value, kind: &str) -> Vec<&'r Value> {
    response["output"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["type"] == kind)
        .collect()
}
