//! A client that walks away from a stream (Claude Code's Esc, Cline's Stop, an agent that
//! cancels) is billed for what the provider billed: the prompt, and every token sent before the
//! connection closed — or, when it leaves before anything was relayed, the prompt. The same
//! for a stream the provider breaks off. Such rows are marked
//! `usage_estimated`, priced, and counted in the budgets.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::harness::{self, Harness, KEY, chat, request_id};

/// Reads the first `events` SSE events of the answer, then hangs up; the request's id.
async fn read_then_hang_up(h: &Harness, path: &str, body: Value, events: usize) -> String {
    let response = h.post(path, body).await;
    assert_eq!(response.status(), 200);
    let id = request_id(&response);
    let mut stream = response.bytes_stream();
    let mut text = String::new();
    while text.matches("\n\n").count() < events {
        let chunk = stream
            .next()
            .await
            .expect("the stream is still open")
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(stream);
    id
}

/// The row of a request whose client went away (written from a `Drop`, just after).
async fn walked_away_row(h: &Harness, id: &str) -> Value {
    for _ in 0..100 {
        let found = h.admin(&format!("/api/requests?q={id}")).await;
        if found["total"] == 1 {
            return h.row(id).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the walked-away request {id} was never recorded");
}

/// A gateway whose one provider `an` is of kind `anthropic`, in front of the mock.
async fn anthropic_gateway(mock: &mock_provider::MockProvider) -> Harness {
    let config = format!(
        "[[providers]]\nid = \"an\"\nkind = \"anthropic\"\nbase_url = \"{}\"\n",
        mock.anthropic_base_url()
    );
    harness::start_with_keys(&config, &[("an", KEY)]).await
}

#[tokio::test]
async fn a_client_that_reads_15_of_50_chunks_is_billed_for_the_prompt_and_what_it_was_sent() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let mut body = chat("mock/gpt-4.1");
    body["stream"] = json!(true);
    body["mock"] = json!({"chunks": 50, "interval_ms": 20});
    let id = read_then_hang_up(&h, "/v1/chat/completions", body, 15).await;

    let row = walked_away_row(&h, &id).await;
    assert_eq!(row["outcome"], "client_disconnected");
    assert_eq!(row["status"], 499);
    assert_eq!(row["usage_estimated"], true);
    assert!(
        row["input_tokens"].as_u64().unwrap() > 0,
        "the prompt is billed: {row}"
    );
    let output = row["output_tokens"].as_u64().unwrap();
    assert!(
        (10..50).contains(&output),
        "about the 15 chunks relayed, not the 50 planned: {row}"
    );
    assert!(row["cost_usd"].as_f64().unwrap() > 0.0, "{row}");
    assert!(row["ttft_ms"].is_u64(), "the first token did arrive: {row}");
}

#[tokio::test]
async fn anthropic_reports_the_prompt_at_message_start_and_that_count_is_kept() {
    let mock = harness::mock().await;
    let h = anthropic_gateway(&mock).await;
    let body = json!({
        "model": "an/claude-sonnet-4-5-20250929",
        "max_tokens": 1000,
        "stream": true,
        "messages": [{"role": "user", "content": "Say hello"}],
        "mock": {"chunks": 60, "interval_ms": 20, "usage": {"input_tokens": 4321}},
    });
    let id = read_then_hang_up(&h, "/v1/messages", body, 12).await;

    let row = walked_away_row(&h, &id).await;
    assert_eq!(row["outcome"], "client_disconnected");
    assert_eq!(
        row["input_tokens"], 4321,
        "message_start's count, not an estimate"
    );
    assert!(row["output_tokens"].as_u64().unwrap() > 0, "{row}");
    assert_eq!(row["usage_estimated"], true);
    assert!(row["cost_usd"].as_f64().unwrap() > 0.0, "{row}");
}

#[tokio::test]
async fn a_walk_away_counts_in_the_budget() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(
        &mock,
        "\n[budgets]\ndaily_usd = 100.0\naction = \"block\"\n",
    ))
    .await;
    let mut body = chat("mock/gpt-4.1");
    body["stream"] = json!(true);
    body["mock"] = json!({"chunks": 50, "interval_ms": 20, "usage": {"prompt_tokens": 100000}});
    let id = read_then_hang_up(&h, "/v1/chat/completions", body, 5).await;
    let row = walked_away_row(&h, &id).await;
    let cost = row["cost_usd"].as_f64().unwrap();
    assert!(cost > 0.0, "{row}");

    let budgets = h.admin("/api/budgets").await;
    let spent = budgets["daily"]["spent_usd"].as_f64().unwrap();
    assert!(
        (spent - cost).abs() < 1e-9,
        "today's spend is the walk-away's cost {cost}: {budgets}"
    );
}

#[tokio::test]
async fn a_stream_the_provider_breaks_off_is_billed_for_what_it_sent() {
    // Anthropic's message_start already said how long the prompt was; the output count, due in
    // message_delta, never comes: it is estimated from the text relayed, not left at zero.
    let mock = harness::mock().await;
    let h = anthropic_gateway(&mock).await;
    let body = json!({
        "model": "an/midstream-reset",
        "max_tokens": 1000,
        "stream": true,
        "messages": [{"role": "user", "content": "Say hello"}],
        "mock": {"usage": {"input_tokens": 777}},
    });
    let response = h.post("/v1/messages", body).await;
    let id = request_id(&response);
    let text = response.text().await.unwrap();
    assert!(text.contains("content_block_delta"), "{text}");

    let row = h.row(&id).await;
    assert_eq!(row["outcome"], "upstream_error");
    assert_eq!(row["usage_estimated"], true);
    assert_eq!(row["input_tokens"], 777);
    assert!(row["output_tokens"].as_u64().unwrap() > 0, "{row}");
}

#[tokio::test]
async fn a_client_that_gives_up_before_the_answer_is_billed_for_the_prompt() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(
        &mock,
        "\n[prices.\"mock/slow-3000\"]\ninput = 2.0\noutput = 8.0\n",
    ))
    .await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let mut body = chat("mock/slow-3000");
    body["messages"][0]["content"] = json!("word ".repeat(400));
    let result = impatient
        .post(h.url("/v1/chat/completions"))
        .json(&body)
        .send()
        .await;
    assert!(result.is_err(), "the client timed out");

    let row = &h.wait_rows(1).await["items"][0];
    assert_eq!(row["outcome"], "client_disconnected");
    let input = row["input_tokens"].as_u64().unwrap();
    assert!(
        (400..800).contains(&input),
        "about the 2,000-character prompt's tokens: {row}"
    );
    assert_eq!(row["output_tokens"], 0);
    assert_eq!(row["usage_estimated"], true);
    assert!(row["cost_usd"].as_f64().unwrap() > 0.0, "{row}");
}
