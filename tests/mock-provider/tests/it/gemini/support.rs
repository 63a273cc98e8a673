//! Helpers for the Gemini tests: Gemini paths, keys, and both stream framings.

use mock_provider::MockProvider;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Answer, client};

/// `{"role": "user", "parts": [{"text": text}]}`.
pub fn user(text: &str) -> Value {
    json!({"role": "user", "parts": [{"text": text}]})
}

/// A request body with one user text.
pub fn ask(text: &str) -> Value {
    json!({"contents": [user(text)]})
}

/// One function declaration with a typed parameter list.
pub fn weather_tool() -> Value {
    json!({"functionDeclarations": [{
        "name": "get_weather",
        "description": "Current weather",
        "parameters": {"type": "OBJECT", "properties": {
            "city": {"type": "STRING"}, "days": {"type": "INTEGER"}
        }, "required": ["city"]}
    }]})
}

/// Sends `body` (if any) with extra `headers` to `path_and_query` on the mock.
pub async fn send(
    mock: &MockProvider,
    method: Method,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Answer {
    let mut request = client().request(method, format!("http://{}{path_and_query}", mock.addr()));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
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

/// POSTs `body` to `/v1beta/models/{model}:{method}{query}`.
pub async fn call(
    mock: &MockProvider,
    model: &str,
    method: &str,
    query: &str,
    body: &Value,
) -> Answer {
    let path = format!("/v1beta/models/{model}:{method}{query}");
    send(mock, Method::POST, &path, &[], Some(body)).await
}

/// `:generateContent`, expected to succeed; its JSON.
pub async fn generate(mock: &MockProvider, model: &str, body: &Value) -> Value {
    let answer = call(mock, model, "generateContent", "", body).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json()
}

/// `:generateContent`, expected to fail with 400; its `error` object.
pub async fn rejected(mock: &MockProvider, model: &str, body: &Value) -> Value {
    let answer = call(mock, model, "generateContent", "", body).await;
    assert_eq!(answer.status, 400, "{body} was accepted: {}", answer.text);
    let error = answer.json()["error"].clone();
    assert_eq!(error["code"], 400);
    assert_eq!(error["status"], "INVALID_ARGUMENT");
    error
}

/// The rejection message of `body` for `model`.
pub async fn rejection(mock: &MockProvider, model: &str, body: &Value) -> String {
    rejected(mock, model, body).await["message"]
        .as_str()
        .expect("message is a string")
        .to_owned()
}

/// The events of a Gemini SSE body: `data: {json}` frames ended by `\r\n\r\n`.
pub fn sse_events(answer: &Answer) -> Vec<Value> {
    assert!(
        answer.text.ends_with("\r\n\r\n"),
        "SSE events end with CRLF CRLF: {:?}",
        answer.text
    );
    answer
        .text
        .split("\r\n\r\n")
        .filter(|frame| !frame.is_empty())
        .map(|frame| {
            let data = frame
                .strip_prefix("data: ")
                .unwrap_or_else(|| panic!("not a data frame: {frame:?}"));
            serde_json::from_str(data).expect("event is JSON")
        })
        .collect()
}

/// The concatenated `text` of every non-thought part of `chunks`.
pub fn streamed_text(chunks: &[Value]) -> String {
    chunks
        .iter()
        .flat_map(|c| {
            c["candidates"][0]["content"]["parts"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter(|p| p["thought"] != true)
        .filter_map(|p| p["text"].as_str().map(str::to_owned))
        .collect()
}

/// The same JSON without its `responseId` (it differs per answer).
pub fn without_response_id(mut value: Value) -> Value {
    if let Some(object) = value.as_object_mut() {
        object.remove("responseId");
    }
    value
}
