//! Helpers shared by the integration tests: starting a mock, posting JSON,
//! reading SSE streams.

use mock_provider::{MockOptions, MockProvider};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

/// A mock on a free port with default options.
pub async fn start() -> MockProvider {
    start_with(MockOptions::default()).await
}

pub async fn start_with(options: MockOptions) -> MockProvider {
    MockProvider::start(options).await.expect("mock starts")
}

/// A client that never goes through a proxy.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client builds")
}

/// A finished HTTP exchange.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text))
    }

    /// The `data:` payloads of an SSE body, in order.
    pub fn events(&self) -> Vec<String> {
        assert!(
            self.text.ends_with("\n\n"),
            "SSE body must end with a blank line: {:?}",
            self.text
        );
        self.text
            .split("\n\n")
            .filter(|frame| !frame.is_empty())
            .map(|frame| {
                frame
                    .strip_prefix("data: ")
                    .unwrap_or_else(|| panic!("not a data frame: {frame:?}"))
                    .to_owned()
            })
            .collect()
    }

    /// The JSON events of an SSE body that must end with `[DONE]`.
    pub fn json_events(&self) -> Vec<Value> {
        let mut events = self.events();
        assert_eq!(
            events.pop().as_deref(),
            Some("[DONE]"),
            "stream ends with [DONE]"
        );
        events
            .iter()
            .map(|e| serde_json::from_str(e).expect("event is JSON"))
            .collect()
    }
}

/// POSTs `body` as JSON to `base_url + path`.
pub async fn post(mock: &MockProvider, path: &str, body: &Value) -> Answer {
    post_with(mock, path, body, None).await
}

pub async fn post_with(
    mock: &MockProvider,
    path: &str,
    body: &Value,
    bearer: Option<&str>,
) -> Answer {
    let mut request = client()
        .post(format!("{}{path}", mock.base_url()))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(key) = bearer {
        request = request.bearer_auth(key);
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

pub async fn get(mock: &MockProvider, path: &str) -> Answer {
    let response = client()
        .get(format!("{}{path}", mock.base_url()))
        .send()
        .await
        .expect("request is sent");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body is read");
    Answer {
        status,
        headers,
        text,
    }
}

/// The `choices[0].delta` of each chunk that has choices.
pub fn deltas(events: &[Value]) -> Vec<&Value> {
    events
        .iter()
        .filter_map(|e| e["choices"].as_array())
        .filter_map(|choices| choices.first())
        .map(|choice| &choice["delta"])
        .collect()
}
