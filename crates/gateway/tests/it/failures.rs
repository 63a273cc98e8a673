//! Bad input, broken providers and vanishing clients: each gets a clear answer in OpenAI's
//! error shape (when anyone is still listening), a history row, and the proxy keeps serving.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::harness::{self, chat, request_id, sse_data};

async fn error_of(response: reqwest::Response) -> (u16, String, Value) {
    let status = response.status().as_u16();
    let id = request_id(&response);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]["message"].is_string(),
        "OpenAI error shape: {body}"
    );
    (status, id, body)
}

#[tokio::test]
async fn malformed_requests_get_openai_shaped_4xx_and_a_history_row() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "[server]\nmax_body_mb = 1\n")).await;
    let cases: Vec<(&str, reqwest::RequestBuilder, u16, &str)> = vec![
        (
            "invalid JSON",
            h.http
                .post(h.url("/v1/chat/completions"))
                .body("{\"model\":"),
            400,
            "invalid_json",
        ),
        (
            "an array",
            h.http.post(h.url("/v1/chat/completions")).body("[1]"),
            400,
            "invalid_json",
        ),
        (
            "model of the wrong type",
            h.http
                .post(h.url("/v1/chat/completions"))
                .body(r#"{"model":5,"messages":[]}"#),
            400,
            "",
        ),
        (
            "stream of the wrong type",
            h.http
                .post(h.url("/v1/chat/completions"))
                .body(r#"{"model":"gpt-4.1","stream":"yes","messages":[]}"#),
            400,
            "",
        ),
        (
            "no model",
            h.http
                .post(h.url("/v1/chat/completions"))
                .body(r#"{"messages":[]}"#),
            400,
            "",
        ),
        (
            "unknown model",
            h.http
                .post(h.url("/v1/chat/completions"))
                .body(r#"{"model":"gpt-9","messages":[]}"#),
            404,
            "model_not_found",
        ),
        (
            "a body over the limit",
            h.http
                .post(h.url("/v1/chat/completions"))
                .body(vec![b' '; 2 * 1024 * 1024]),
            413,
            "request_too_large",
        ),
    ];
    for (what, request, status, code) in cases {
        let (got, id, body) = error_of(request.send().await.unwrap()).await;
        assert_eq!(got, status, "{what}: {body}");
        if !code.is_empty() {
            assert_eq!(body["error"]["code"], code, "{what}");
        }
        let row = h.row(&id).await;
        assert_eq!(row["status"], status, "{what} is in history");
        assert_eq!(row["outcome"], "rejected", "{what}");
    }
    assert!(
        mock.received().is_empty(),
        "none of these reached the provider"
    );
}

#[tokio::test]
async fn fuzzed_bodies_never_break_the_proxy() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let mut seed: u64 = 0x5eed_cafe;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let fragments: [&[u8]; 10] = [
        b"{",
        b"}",
        b"\"model\"",
        b":",
        b"\"gpt-4.1\"",
        b"[",
        b"]",
        b",",
        b"\xff\xfe",
        b"\"stream\":true",
    ];
    for round in 0..200 {
        let len = (next() % 24) as usize;
        let body: Vec<u8> = (0..len)
            .flat_map(|_| fragments[(next() % 10) as usize].to_vec())
            .collect();
        let path = ["/v1/chat/completions", "/v1/embeddings", "/v1/completions"][round % 3];
        let response = h
            .http
            .post(h.url(path))
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        assert!(
            (400..500).contains(&status),
            "round {round}: {status} for {:?}",
            String::from_utf8_lossy(&body)
        );
    }
    let response = h.post("/v1/chat/completions", chat("gpt-4.1")).await;
    assert_eq!(response.status(), 200, "still serving after the fuzzing");
}

#[tokio::test]
async fn a_stream_that_breaks_off_ends_with_an_error_event() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    for model in ["midstream-reset", "midstream-error"] {
        let mut body = chat(&format!("mock/{model}"));
        body["stream"] = json!(true);
        let response = h.post("/v1/chat/completions", body).await;
        assert_eq!(response.status(), 200, "{model}: the stream had started");
        let id = request_id(&response);
        let events = sse_data(&response.text().await.unwrap());
        let last: Value = serde_json::from_str(events.last().unwrap()).unwrap();
        assert!(
            last["error"]["message"].is_string(),
            "{model}: last event is an error: {last}"
        );
        let row = h.row(&id).await;
        assert_eq!(row["outcome"], "upstream_error", "{model}");
        assert!(row["error"].is_string(), "{model}");
    }
}

#[tokio::test]
async fn a_client_that_hangs_up_mid_stream_still_leaves_a_row() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let mut body = chat("gpt-4.1");
    body["stream"] = json!(true);
    body["mock"] = json!({"chunks": 50, "interval_ms": 40});
    let response = h.post("/v1/chat/completions", body).await;
    let id = request_id(&response);
    let mut stream = response.bytes_stream();
    let first = stream.next().await.unwrap().unwrap();
    assert!(!first.is_empty());
    drop(stream); // the client goes away after the first event

    for _ in 0..100 {
        let row = h.admin(&format!("/api/requests?q={id}")).await;
        if row["total"] == 1 {
            let row = h.row(&id).await;
            assert_eq!(row["outcome"], "client_disconnected");
            assert_eq!(row["status"], 499);
            assert_eq!(row["provider"], "mock");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the disconnected stream was never recorded");
}

#[tokio::test]
async fn a_client_that_gives_up_waiting_still_leaves_a_row() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let result = impatient
        .post(h.url("/v1/chat/completions"))
        .json(&chat("mock/slow-3000"))
        .send()
        .await;
    assert!(result.is_err(), "the client timed out");
    let listing = h.wait_rows(1).await;
    assert_eq!(listing["items"][0]["outcome"], "client_disconnected");
    assert_eq!(listing["items"][0]["requested_model"], "mock/slow-3000");
}

#[tokio::test]
async fn shutdown_under_load_loses_no_row() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let (http, url) = (h.http.clone(), h.url("/v1/chat/completions"));
        tasks.push(tokio::spawn(async move {
            let streamed = i % 2 == 0;
            let mut body = chat(if streamed { "gpt-4.1" } else { "mock/slow-300" });
            body["stream"] = json!(streamed);
            body["mock"] = json!({"chunks": 10, "interval_ms": 30});
            if let Ok(response) = http.post(url).json(&body).send().await {
                let _ = response.text().await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let in_flight = h
        .gateway
        .state()
        .history
        .progress()
        .in_flight
        .load(std::sync::atomic::Ordering::SeqCst);
    h.gateway.shutdown(Duration::from_secs(5)).await;
    for task in tasks {
        let _ = task.await;
    }
    let rows: i64 =
        switchyard_gateway::history::query_file(&h.dir.join("data/history.sqlite3"), |c| {
            c.query_row("SELECT COUNT(*) FROM requests", [], |r| r.get(0))
        })
        .unwrap()
        .unwrap();
    assert!(in_flight > 0, "requests were in flight when shutdown began");
    assert_eq!(
        rows, 24,
        "every request that reached the proxy has its row after shutdown"
    );
}
