//! Helpers for the Anthropic tests: requests with Anthropic's headers and a
//! minimal valid Messages body to vary.

use mock_provider::MockProvider;
use mock_provider::anthropic::stream_check::{CheckedStream, check_stream};
use serde_json::{Value, json};

use crate::support::{Answer, client};

/// The version most clients send today (SDK 2.x sends `2026-10-21`).
pub const VERSION: &str = "2023-06-01";

/// A minimal valid Messages body with `extra` merged in (a `null` removes a field).
pub fn body(extra: Value) -> Value {
    let mut body = json!({"model": "claude-sonnet-4-6", "max_tokens": 1024,
                          "messages": [{"role": "user", "content": "Hi there"}]});
    for (key, value) in extra.as_object().cloned().unwrap_or_default() {
        if value.is_null() {
            body.as_object_mut().unwrap().remove(&key);
        } else {
            body[key] = value;
        }
    }
    body
}

/// POSTs `body` to `http://HOST{path}` with `anthropic-version` and `headers`.
pub async fn post(mock: &MockProvider, path: &str, body: &Value) -> Answer {
    post_with(mock, path, body, &[("anthropic-version", VERSION)]).await
}

/// POSTs `body` with exactly `headers` (no default version).
pub async fn post_with(
    mock: &MockProvider,
    path: &str,
    body: &Value,
    headers: &[(&str, &str)],
) -> Answer {
    let mut request = client()
        .post(format!("{}{path}", mock.anthropic_base_url()))
        .header("content-type", "application/json")
        .body(body.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    answer(request).await
}

/// GETs `path` with `headers`.
pub async fn get_with(mock: &MockProvider, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = client().get(format!("{}{path}", mock.anthropic_base_url()));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    answer(request).await
}

async fn answer(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.expect("request is sent");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body is read");
    Answer {
        status,
        headers,
        text,
    }
}

/// POSTs a Messages body and returns the JSON answer, asserting a 200.
pub async fn message(mock: &MockProvider, body: &Value) -> Value {
    let answer = post(mock, "/v1/messages", body).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json()
}

/// POSTs a streamed Messages body and checks the stream's event order.
pub async fn stream(mock: &MockProvider, body: &Value) -> CheckedStream {
    let mut body = body.clone();
    body["stream"] = json!(true);
    let answer = post(mock, "/v1/messages", &body).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(
        answer.headers["content-type"],
        "text/event-stream; charset=utf-8"
    );
    check_stream(&answer.text).unwrap_or_else(|e| panic!("{e}\n{}", answer.text))
}

/// The error message of a 400 answer to `body`, asserting the Anthropic shape.
pub async fn rejection(mock: &MockProvider, body: &Value) -> String {
    let answer = post(mock, "/v1/messages", body).await;
    assert_eq!(answer.status, 400, "{body} was accepted: {}", answer.text);
    let error = answer.json();
    assert_eq!(error["type"], "error");
    assert_eq!(error["error"]["type"], "invalid_request_error");
    assert!(error["request_id"].as_str().unwrap().starts_with("req_"));
    error["error"]["message"].as_str().unwrap().to_owned()
}

/// Two tools with schemas, as a client defines them.
pub fn weather_tools() -> Value {
    json!([
        {"name": "get_weather", "description": "Weather in a city", "input_schema": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}, "metric": {"type": "boolean"}},
            "required": ["city"]}},
        {"name": "get_time", "input_schema": {"type": "object", "properties": {"zone": {"type": "string"}}}}
    ])
}

/// A conversation where the assistant called `get_weather` and the user answers it.
pub fn tool_loop(result: Value) -> Value {
    json!([
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Paris"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01A", "content": result}]}
    ])
}
