//! Same-format traffic reaches the provider unchanged but for `model`, and comes back
//! unchanged, with usage and cost recorded.

use serde_json::{Value, json};

use crate::harness::{self, chat, request_id, sse_data};

#[tokio::test]
async fn a_chat_answer_passes_through_and_is_recorded_with_its_cost() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let body = json!({
        "model": "mock/gpt-4.1",
        "messages": [{"role": "user", "content": "Say hello"}],
        "x_vendor_field": {"kept": [1, 2.50, "é"]},
        "mock": {"usage": {"prompt_tokens": 1200, "completion_tokens": 300, "cached_tokens": 1000}}
    });
    let response = h.post("/v1/chat/completions", body).await;
    assert_eq!(response.status(), 200);
    let id = request_id(&response);
    let headers = response.headers().clone();
    let answer: Value = response.json().await.unwrap();

    let upstream = mock.received().pop().unwrap();
    assert_eq!(
        upstream.body["model"], "gpt-4.1",
        "the provider prefix is stripped"
    );
    assert_eq!(
        upstream.body["x_vendor_field"],
        json!({"kept": [1, 2.50, "é"]}),
        "unknown fields arrive untouched"
    );
    assert_eq!(
        upstream.header("authorization"),
        Some(format!("Bearer {}", harness::KEY).as_str())
    );

    assert_eq!(answer["object"], "chat.completion");
    assert_eq!(
        answer["usage"]["prompt_tokens"], 1200,
        "the answer is the provider's own"
    );
    assert_eq!(headers["x-switchyard-provider"], "mock");
    assert_eq!(headers["x-switchyard-model"], "gpt-4.1");

    // (1200 - 1000) × $2 + 1000 × $0.50 + 300 × $8, per million tokens.
    let expected = (200.0 * 2.0 + 1000.0 * 0.5 + 300.0 * 8.0) / 1e6;
    let header_cost: f64 = headers["x-switchyard-cost-usd"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(header_cost, expected);

    let row = h.row(&id).await;
    assert_eq!(row["input_tokens"], 1200);
    assert_eq!(row["cached_input_tokens"], 1000);
    assert_eq!(row["output_tokens"], 300);
    assert_eq!(row["cost_usd"].as_f64(), Some(expected));
    assert_eq!(row["outcome"], "ok");
    assert_eq!(row["attempts"], 1);
    assert_eq!(row["inbound_api"], "chat_completions");
    assert!(
        row["request_body"]
            .as_str()
            .unwrap()
            .contains("x_vendor_field"),
        "bodies are stored"
    );
}

#[tokio::test]
async fn a_stream_gets_usage_for_history_without_showing_the_client_a_usage_chunk() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let mut body = chat("gpt-4.1");
    body["stream"] = json!(true);
    let response = h.post("/v1/chat/completions", body).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let id = request_id(&response);
    let events = sse_data(&response.text().await.unwrap());

    assert_eq!(events.last().map(String::as_str), Some("[DONE]"));
    for event in &events[..events.len() - 1] {
        let chunk: Value = serde_json::from_str(event).unwrap();
        assert_ne!(
            chunk["choices"],
            json!([]),
            "no usage-only chunk for a client that did not ask: {event}"
        );
    }
    let upstream = mock.received().pop().unwrap();
    assert_eq!(
        upstream.body["stream_options"],
        json!({"include_usage": true}),
        "Switchyard asked for usage itself"
    );

    let row = h.row(&id).await;
    assert!(row["output_tokens"].as_u64().unwrap() > 0);
    assert_eq!(
        row["usage_estimated"], false,
        "usage came from the provider"
    );
    assert_eq!(row["stream"], true);
    assert!(row["ttft_ms"].is_u64());
}

#[tokio::test]
async fn a_client_that_asks_for_usage_gets_the_usage_chunk() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let mut body = chat("gpt-4.1");
    body["stream"] = json!(true);
    body["stream_options"] = json!({"include_usage": true});
    body["mock"] = json!({"usage": {"prompt_tokens": 11, "completion_tokens": 7}});
    let response = h.post("/v1/chat/completions", body).await;
    let id = request_id(&response);
    let events = sse_data(&response.text().await.unwrap());
    let usage_chunk: Value = serde_json::from_str(&events[events.len() - 2]).unwrap();
    assert_eq!(usage_chunk["choices"], json!([]));
    assert_eq!(usage_chunk["usage"]["prompt_tokens"], 11);
    let row = h.row(&id).await;
    assert_eq!(
        (row["input_tokens"].as_u64(), row["output_tokens"].as_u64()),
        (Some(11), Some(7))
    );
}

#[tokio::test]
async fn an_upstream_that_rejects_stream_options_is_asked_again_without_it() {
    let strict = mock_provider::MockProvider::start(mock_provider::MockOptions {
        api_key: Some(harness::KEY.into()),
        reject_stream_options: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let h = harness::start(&harness::one_provider(&strict, "")).await;
    for round in 0..2 {
        let mut body = chat("gpt-4.1");
        body["stream"] = json!(true);
        let response = h.post("/v1/chat/completions", body).await;
        assert_eq!(response.status(), 200, "round {round}");
        let id = request_id(&response);
        let text = response.text().await.unwrap();
        assert!(text.contains("[DONE]"));
        let row = h.row(&id).await;
        assert_eq!(
            row["usage_estimated"], true,
            "no usage came back: the row says it is an estimate"
        );
        assert!(row["output_tokens"].as_u64().unwrap() > 0);
        let expected_attempts = if round == 0 { 2 } else { 1 };
        assert_eq!(
            row["attempts"], expected_attempts,
            "round {round}: the refusal is remembered"
        );
    }
}

#[tokio::test]
async fn embeddings_and_legacy_completions_pass_through() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let response = h
        .post(
            "/v1/embeddings",
            json!({"model": "text-embedding-3-small", "input": ["a", "b"]}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let id = request_id(&response);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["data"].as_array().unwrap().len(), 2);
    let row = h.row(&id).await;
    assert_eq!(row["inbound_api"], "embeddings");
    assert_eq!(row["input_tokens"], answer["usage"]["prompt_tokens"]);

    let response = h
        .post(
            "/completions",
            json!({"model": "gpt-3.5-turbo-instruct", "prompt": "def add(a, b):", "suffix": "\n", "stream": true}),
        )
        .await;
    let id = request_id(&response);
    let events = sse_data(&response.text().await.unwrap());
    let first: Value = serde_json::from_str(&events[0]).unwrap();
    assert_eq!(first["object"], "text_completion");
    let row = h.row(&id).await;
    assert_eq!(row["inbound_api"], "completions");
    assert_eq!(row["stream"], true);
}

#[tokio::test]
async fn models_lists_aliases_and_listed_models_in_three_shapes() {
    let mock = harness::mock().await;
    let extra = "[[routes]]\nalias = \"coder\"\ntargets = [\"mock/gpt-4.1\"]\n";
    let h = harness::start(&harness::one_provider(&mock, extra)).await;
    let openai: Value = h
        .http
        .get(h.url("/v1/models"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = openai["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids[0], "coder");
    assert!(
        ids.contains(&"mock/gpt-4.1") && ids.contains(&"gpt-4.1"),
        "{ids:?}"
    );
    assert_eq!(openai["object"], "list");

    let codex: Value = h
        .http
        .get(h.url("/v1/models?client_version=0.46.0"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(codex["models"][0]["slug"], "coder");

    let anthropic: Value = h
        .http
        .get(h.url("/v1/models"))
        .header("anthropic-version", "2023-06-01")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(anthropic["data"][0]["type"], "model");
    assert_eq!(anthropic["has_more"], false);
}

#[tokio::test]
async fn sixty_four_concurrent_requests_all_land_in_history() {
    let mock = harness::mock().await;
    let h = std::sync::Arc::new(harness::start(&harness::one_provider(&mock, "")).await);
    let mut tasks = Vec::new();
    for i in 0..64 {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            let mut body = chat("gpt-4.1");
            body["stream"] = json!(i % 2 == 0);
            let response = h.post("/v1/chat/completions", body).await;
            assert_eq!(response.status(), 200);
            response.text().await.unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let listing = h.admin("/api/requests?limit=1000").await;
    assert_eq!(listing["total"], 64, "every answered request has its row");
}

/// A pass-through stream reaches the client as the provider wrote it: keep-alive comments
/// (which reset a client's own idle timer), `id:` and `retry:` lines and CRLF line ends
/// included, while usage is still read off it for the history.
#[tokio::test]
async fn a_passed_through_stream_arrives_byte_for_byte() {
    use axum::Router;
    use axum::http::header;
    const STREAM: &str = ": OPENROUTER PROCESSING\r\n\r\n\
        id: 1\r\nretry: 2500\r\ndata: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\r\n\r\n\
        : still here\n\n\
        data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":2,\"total_tokens\":13}}\n\n\
        data: [DONE]\n\n";
    let upstream = crate::rogue::serve(
        Router::new()
            .fallback(|| async { ([(header::CONTENT_TYPE, "text/event-stream")], STREAM) }),
    )
    .await;
    let h = harness::start(&crate::rogue::provider(
        "openai-compatible",
        &format!("{upstream}/v1"),
        "stream_usage = \"never\"",
    ))
    .await;
    let response = h
        .post(
            "/v1/chat/completions",
            json!({"model": "rogue/m", "stream": true, "messages": [{"role": "user", "content": "hi"}]}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let id = request_id(&response);
    let body = response.text().await.unwrap();
    assert_eq!(body, STREAM, "not one byte changed");
    let row = h.row(&id).await;
    assert_eq!(row["input_tokens"], 11, "{row}");
    assert_eq!(row["output_tokens"], 2);
}
