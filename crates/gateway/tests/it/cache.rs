//! The exact-match response cache: opt-in per request (`x-switchyard-cache-ttl`) or per route
//! (`cache_ttl_secs`), keyed on the canonical request, replaying whole and streamed answers,
//! never keeping failures, and recording hits at zero cost.

use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{self, Harness, chat, request_id, sse_data};

async fn cached_post(h: &Harness, body: &Value, ttl: &str) -> reqwest::Response {
    h.http
        .post(h.url("/v1/chat/completions"))
        .header("x-switchyard-cache-ttl", ttl)
        .json(body)
        .send()
        .await
        .unwrap()
}

fn cache_status(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("x-switchyard-cache")
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_repeated_request_is_answered_from_the_cache_at_zero_cost() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let body = chat("mock/gpt-4.1");

    let first = cached_post(&h, &body, "60").await;
    assert_eq!(first.status(), 200);
    assert_eq!(cache_status(&first).as_deref(), Some("miss"));
    let first_id = request_id(&first);
    let first_answer: Value = first.json().await.unwrap();

    let second = cached_post(&h, &body, "60").await;
    assert_eq!(second.status(), 200);
    assert_eq!(cache_status(&second).as_deref(), Some("hit"));
    assert_eq!(second.headers()["x-switchyard-provider"], "mock");
    assert_eq!(second.headers()["x-switchyard-model"], "gpt-4.1");
    assert_eq!(second.headers()["x-switchyard-cost-usd"], "0");
    let second_id = request_id(&second);
    let second_answer: Value = second.json().await.unwrap();

    assert_eq!(
        first_answer, second_answer,
        "the very same answer, id included"
    );
    assert_eq!(mock.received().len(), 1, "the provider was called once");

    let miss = h.row(&first_id).await;
    assert_eq!(miss["cache_hit"], false);
    assert!(miss["cost_usd"].as_f64().unwrap() > 0.0);
    let hit = h.row(&second_id).await;
    assert_eq!(hit["cache_hit"], true, "the hit is flagged in history");
    assert_eq!(hit["cost_usd"].as_f64(), Some(0.0), "a hit costs nothing");
    assert_eq!(hit["input_tokens"], 0, "no tokens were used");
    assert_eq!(hit["attempts"], 0, "no provider was tried");
    assert_eq!(hit["provider"], "mock");
    assert_eq!(hit["outcome"], "ok");
}

#[tokio::test]
async fn without_the_header_nothing_is_cached() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    for _ in 0..2 {
        let response = h.post("/v1/chat/completions", chat("gpt-4.1")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            cache_status(&response),
            None,
            "no cache header without caching"
        );
    }
    assert_eq!(mock.received().len(), 2);
}

#[tokio::test]
async fn member_order_volatile_fields_and_the_model_alias_share_one_entry() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let first = json!({"model": "gpt-4.1", "messages": [{"role": "user", "content": "hi"}], "temperature": 0});
    let same = json!({"temperature": 0, "user": "someone-else", "messages": [{"content": "hi", "role": "user"}], "model": "mock/gpt-4.1"});
    let different = json!({"model": "gpt-4.1", "messages": [{"role": "user", "content": "hi!"}], "temperature": 0});
    assert_eq!(
        cache_status(&cached_post(&h, &first, "60").await).as_deref(),
        Some("miss")
    );
    assert_eq!(
        cache_status(&cached_post(&h, &same, "60").await).as_deref(),
        Some("hit")
    );
    assert_eq!(
        cache_status(&cached_post(&h, &different, "60").await).as_deref(),
        Some("miss")
    );
    assert_eq!(mock.received().len(), 2);
}

#[tokio::test]
async fn a_streamed_answer_is_replayed_as_the_same_events() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let mut body = chat("gpt-4.1");
    body["stream"] = json!(true);

    let first = cached_post(&h, &body, "60").await;
    assert_eq!(cache_status(&first).as_deref(), Some("miss"));
    let first_events = sse_data(&first.text().await.unwrap());
    let second = cached_post(&h, &body, "60").await;
    assert_eq!(cache_status(&second).as_deref(), Some("hit"));
    assert!(
        second.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"),
        "a stream stays a stream"
    );
    let id = request_id(&second);
    let second_events = sse_data(&second.text().await.unwrap());

    assert!(first_events.len() > 2, "a real stream: {first_events:?}");
    assert_eq!(first_events, second_events, "event for event");
    assert_eq!(second_events.last().map(String::as_str), Some("[DONE]"));
    assert_eq!(mock.received().len(), 1);
    let row = h.row(&id).await;
    assert_eq!(row["cache_hit"], true);
    assert_eq!(row["stream"], true);
}

#[tokio::test]
async fn a_translated_answer_is_cached_in_the_clients_format() {
    let mock = harness::mock().await;
    let config = format!(
        r#"
[[providers]]
id = "claude"
kind = "anthropic"
base_url = "{}"
"#,
        mock.anthropic_base_url()
    );
    let h = harness::start_with_keys(&config, &[("claude", harness::KEY)]).await;
    let body = chat("claude/claude-sonnet-4-5");
    let first = cached_post(&h, &body, "60").await;
    assert_eq!(first.status(), 200);
    let first_answer: Value = first.json().await.unwrap();
    let second = cached_post(&h, &body, "60").await;
    assert_eq!(cache_status(&second).as_deref(), Some("hit"));
    let second_answer: Value = second.json().await.unwrap();
    assert_eq!(second_answer["object"], "chat.completion");
    assert_eq!(first_answer, second_answer);
    assert_eq!(mock.received().len(), 1);
}

#[tokio::test]
async fn failures_are_never_cached() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let failing = chat("mock/error-500");
    for _ in 0..2 {
        let response = cached_post(&h, &failing, "60").await;
        assert_eq!(response.status(), 500);
        assert_eq!(cache_status(&response).as_deref(), Some("miss"));
    }
    let mut broken = chat("mock/midstream-reset");
    broken["stream"] = json!(true);
    for _ in 0..2 {
        let response = cached_post(&h, &broken, "60").await;
        let _ = response.text().await;
    }
    assert_eq!(
        mock.received().len(),
        4,
        "every failed request reached the provider"
    );
}

#[tokio::test]
async fn a_routes_default_ttl_caches_and_a_zero_header_opts_out() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(
        &mock,
        r#"
[[routes]]
alias = "coder"
targets = ["mock/gpt-4.1"]
cache_ttl_secs = 300
"#,
    ))
    .await;
    let first = h.post("/v1/chat/completions", chat("coder")).await;
    assert_eq!(cache_status(&first).as_deref(), Some("miss"));
    let second = h.post("/v1/chat/completions", chat("coder")).await;
    assert_eq!(
        cache_status(&second).as_deref(),
        Some("hit"),
        "the route's default applies"
    );
    let bypass = cached_post(&h, &chat("coder"), "0").await;
    assert_eq!(
        cache_status(&bypass),
        None,
        "ttl 0 turns the cache off for this request"
    );
    assert_eq!(mock.received().len(), 2);
}

#[tokio::test]
async fn an_entry_expires_after_its_ttl() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let body = chat("gpt-4.1");
    assert_eq!(
        cache_status(&cached_post(&h, &body, "1").await).as_deref(),
        Some("miss")
    );
    assert_eq!(
        cache_status(&cached_post(&h, &body, "1").await).as_deref(),
        Some("hit")
    );
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(
        cache_status(&cached_post(&h, &body, "1").await).as_deref(),
        Some("miss"),
        "expired after one second"
    );
}

#[tokio::test]
async fn a_malformed_ttl_header_is_a_400_in_the_clients_format() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let response = cached_post(&h, &chat("gpt-4.1"), "a while").await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("x-switchyard-cache-ttl"),
        "{body}"
    );
    assert!(mock.received().is_empty());
}
