//! OpenTelemetry export: with `[telemetry] otlp_endpoint`, every request becomes one OTLP span
//! with the GenAI semantic-convention attributes, posted to the collector; without it nothing
//! is sent. The collector here is a tiny OTLP/HTTP receiver started by the test.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::post;
use serde_json::{Value, json};

use crate::harness::{self, chat, request_id};

/// A local OTLP/HTTP receiver: `POST /v1/traces` with the JSON encoding; keeps every span.
struct Collector {
    addr: std::net::SocketAddr,
    spans: Arc<Mutex<Vec<(Value, Value)>>>,
}

impl Collector {
    async fn start() -> Collector {
        let spans: Arc<Mutex<Vec<(Value, Value)>>> = Arc::default();
        let kept = spans.clone();
        let app = axum::Router::new().route(
            "/v1/traces",
            post(move |headers: axum::http::HeaderMap, body: String| {
                let kept = kept.clone();
                async move {
                    assert_eq!(headers["content-type"], "application/json");
                    let request: Value = serde_json::from_str(&body).unwrap();
                    for resource in request["resourceSpans"].as_array().unwrap() {
                        for scope in resource["scopeSpans"].as_array().unwrap() {
                            for span in scope["spans"].as_array().unwrap() {
                                kept.lock()
                                    .unwrap()
                                    .push((resource["resource"].clone(), span.clone()));
                            }
                        }
                    }
                    axum::Json(json!({}))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Collector { addr, spans }
    }

    async fn wait_for(&self, n: usize) -> Vec<(Value, Value)> {
        for _ in 0..100 {
            let spans = self.spans.lock().unwrap().clone();
            if spans.len() >= n {
                return spans;
            }
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        panic!("the collector never received {n} spans");
    }
}

/// An attribute's value, whatever its OTLP type, as JSON.
fn attr(list: &Value, key: &str) -> Value {
    let found = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["key"] == key)
        .unwrap_or_else(|| panic!("no attribute {key} in {list}"));
    let value = &found["value"];
    for typed in ["stringValue", "intValue", "boolValue", "doubleValue"] {
        if let Some(v) = value.get(typed) {
            return v.clone();
        }
    }
    panic!("untyped value {value}")
}

fn with_collector(mock: &mock_provider::MockProvider, collector: &Collector) -> String {
    harness::one_provider(
        mock,
        &format!(
            "\n[telemetry]\notlp_endpoint = \"http://{}\"\nservice_name = \"switchyard-test\"\n",
            collector.addr
        ),
    )
}

#[tokio::test]
async fn each_request_is_exported_as_one_span_with_genai_attributes() {
    let collector = Collector::start().await;
    let mock = harness::mock().await;
    let h = harness::start(&with_collector(&mock, &collector)).await;
    let mut body = chat("gpt-4.1");
    body["mock"] = json!({"usage": {"prompt_tokens": 120, "completion_tokens": 30}});
    let response = h.post("/v1/chat/completions", body).await;
    assert_eq!(response.status(), 200);
    let id = request_id(&response);

    let spans = collector.wait_for(1).await;
    let (resource, span) = &spans[0];
    assert_eq!(
        attr(&resource["attributes"], "service.name"),
        "switchyard-test"
    );
    assert_eq!(span["name"], "chat gpt-4.1");
    assert_eq!(span["kind"], 3, "CLIENT: Switchyard calls the model");
    assert_eq!(span["status"]["code"], 1);
    assert_eq!(span["traceId"].as_str().unwrap().len(), 32);
    assert_eq!(span["spanId"].as_str().unwrap().len(), 16);
    let a = &span["attributes"];
    assert_eq!(attr(a, "gen_ai.system"), "openai");
    assert_eq!(attr(a, "gen_ai.operation.name"), "chat");
    assert_eq!(attr(a, "gen_ai.request.model"), "gpt-4.1");
    assert_eq!(attr(a, "gen_ai.response.model"), "gpt-4.1");
    assert_eq!(attr(a, "gen_ai.usage.input_tokens"), "120");
    assert_eq!(attr(a, "gen_ai.usage.output_tokens"), "30");
    assert_eq!(attr(a, "switchyard.request_id"), id.as_str());
    assert_eq!(attr(a, "switchyard.provider"), "mock");
    let start: u64 = span["startTimeUnixNano"].as_str().unwrap().parse().unwrap();
    let end: u64 = span["endTimeUnixNano"].as_str().unwrap().parse().unwrap();
    assert!(
        end >= start && start > 1_700_000_000_000_000_000,
        "{start}..{end}"
    );
}

#[tokio::test]
async fn a_failed_request_is_an_error_span() {
    let collector = Collector::start().await;
    let mock = harness::mock().await;
    let h = harness::start(&with_collector(&mock, &collector)).await;
    let response = h.post("/v1/chat/completions", chat("mock/error-500")).await;
    assert_eq!(response.status(), 500);
    let spans = collector.wait_for(1).await;
    let span = &spans[0].1;
    assert_eq!(span["status"]["code"], 2, "ERROR");
    assert_eq!(attr(&span["attributes"], "error.type"), "500");
    assert_eq!(
        attr(&span["attributes"], "http.response.status_code"),
        "500"
    );
}

#[tokio::test]
async fn without_an_endpoint_nothing_is_exported() {
    let collector = Collector::start().await;
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    assert_eq!(
        h.post("/v1/chat/completions", chat("gpt-4.1"))
            .await
            .status(),
        200
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(collector.spans.lock().unwrap().is_empty(), "off by default");
}
