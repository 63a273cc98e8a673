//! The admin API reads history back with filters, groups costs and exports CSV.

use serde_json::Value;

use crate::harness::{self, chat, request_id};

#[tokio::test]
async fn requests_filter_by_model_status_tag_and_text_and_page() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let tagged = h
        .http
        .post(h.url("/v1/chat/completions"))
        .header("x-switchyard-tags", "project=web,team=infra")
        .json(&chat("gpt-4.1"))
        .send()
        .await
        .unwrap();
    let tagged_id = request_id(&tagged);
    h.post("/v1/chat/completions", chat("mock/error-400")).await;
    h.post("/v1/chat/completions", chat("gpt-4.1")).await;

    let by_tag = h.admin("/api/requests?tag=project=web").await;
    assert_eq!(by_tag["total"], 1);
    assert_eq!(by_tag["items"][0]["id"], tagged_id.as_str());
    assert_eq!(
        by_tag["items"][0]["tags"],
        serde_json::json!({"project": "web", "team": "infra"})
    );

    assert_eq!(h.admin("/api/requests?status=400").await["total"], 1);
    assert_eq!(h.admin("/api/requests?status=error").await["total"], 1);
    assert_eq!(h.admin("/api/requests?status=2xx").await["total"], 2);
    assert_eq!(h.admin("/api/requests?model=gpt-4.1").await["total"], 2);
    assert_eq!(h.admin("/api/requests?provider=mock").await["total"], 3);
    assert_eq!(h.admin("/api/requests?q=error-400").await["total"], 1);
    assert_eq!(
        h.admin("/api/requests?since=2000-01-01&until=2000-01-02")
            .await["total"],
        0
    );

    let page = h.admin("/api/requests?limit=1&offset=1").await;
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let item = &page["items"][0];
    for field in [
        "id",
        "started_at",
        "client",
        "inbound_api",
        "requested_model",
        "provider",
        "upstream_model",
        "status",
        "outcome",
        "stream",
        "attempts",
        "input_tokens",
        "cached_input_tokens",
        "cache_write_tokens",
        "output_tokens",
        "reasoning_tokens",
        "cost_usd",
        "latency_ms",
        "ttft_ms",
        "tags",
        "error",
    ] {
        assert!(item.get(field).is_some(), "items carry `{field}`: {item}");
    }
}

#[tokio::test]
async fn costs_group_every_way_and_export_csv() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let mut body = chat("gpt-4.1");
    body["mock"] =
        serde_json::json!({"usage": {"prompt_tokens": 1000000, "completion_tokens": 1000000}});
    h.http
        .post(h.url("/v1/chat/completions"))
        .header("x-switchyard-tags", "project=web")
        .header("user-agent", "curl/8.5.0")
        .json(&body)
        .send()
        .await
        .unwrap();
    for by in ["day", "model", "provider", "tag", "client"] {
        let report = h.admin(&format!("/api/costs?by={by}")).await;
        assert_eq!(
            report["total_cost_usd"], 10.0,
            "by {by}: one million tokens in and out at $2/$8"
        );
        let row = &report["rows"][0];
        assert_eq!(row["requests"], 1, "by {by}");
        assert_eq!(row["cost_usd"], 10.0, "by {by}");
    }
    assert_eq!(
        h.admin("/api/costs?by=model").await["rows"][0]["key"],
        "gpt-4.1"
    );
    assert_eq!(
        h.admin("/api/costs?by=tag").await["rows"][0]["key"],
        "project=web"
    );
    assert_eq!(
        h.admin("/api/costs?by=client").await["rows"][0]["key"],
        "curl"
    );

    let csv = h.admin_text("/api/costs?by=provider&format=csv").await;
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("key,requests,input_tokens"), "{header}");
    assert!(lines.next().unwrap().starts_with("mock,1,1000000"));
    let csv = h.admin_text("/api/requests?format=csv").await;
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .starts_with("id,started_at,client")
    );
    assert_eq!(csv.lines().count(), 2);
}

#[tokio::test]
async fn an_unknown_request_id_is_a_404() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let response = h
        .http
        .get(h.url("/api/requests/nope"))
        .bearer_auth(h.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("nope"));
}
