//! What the dashboard does through the admin API: edit providers, routes, prices and settings
//! in the config file (comments kept, invalid edits refused), see the overview, follow new
//! requests live, and load the dashboard itself.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{self, chat};

const COMMENTED: &str = "# my own notes on this file\n";

async fn send(
    h: &harness::Harness,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = h.admin_request(method, path);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_provider_added_from_the_dashboard_is_written_to_the_file_and_routable_at_once() {
    let mock = harness::mock().await;
    let h = harness::start(&format!("{COMMENTED}{}", harness::one_provider(&mock, ""))).await;

    let (status, added) = send(
        &h,
        Method::POST,
        "/api/providers",
        Some(
            json!({"id": "mock2", "kind": "openai-compatible", "base_url": mock.base_url(),
                    "models": ["gpt-4.1-mini"]}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(
        added["key"]["last_four"], "WXYZ",
        "its key is already in the keychain"
    );

    let file = std::fs::read_to_string(h.dir.join("config.toml")).unwrap();
    assert!(
        file.starts_with(COMMENTED),
        "the user's comments stay: {file}"
    );
    assert!(file.contains("id = \"mock2\""), "{file}");

    let answer = h
        .post("/v1/chat/completions", chat("mock2/gpt-4.1-mini"))
        .await;
    assert_eq!(answer.status(), 200, "the next request already uses it");
}

#[tokio::test]
async fn an_invalid_edit_is_refused_with_the_field_and_the_file_is_untouched() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let before = std::fs::read_to_string(h.dir.join("config.toml")).unwrap();

    let (status, error) = send(
        &h,
        Method::POST,
        "/api/providers",
        Some(json!({"id": "broken", "kind": "openai-compatible", "base_url": "not a url"})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["param"], "base_url", "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("base_url")
    );

    let (status, error) = send(
        &h,
        Method::PUT,
        "/api/routes/coder",
        Some(json!({"targets": ["nobody/gpt-4.1"], "strategy": "fallback"})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["param"], "targets", "{error}");

    assert_eq!(
        std::fs::read_to_string(h.dir.join("config.toml")).unwrap(),
        before
    );
    assert_eq!(
        h.post("/v1/chat/completions", chat("gpt-4.1"))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn routes_are_created_reordered_and_removed() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let route = json!({"targets": ["mock/gpt-4.1", "mock/error-500"], "strategy": "fallback"});
    let (status, view) = send(&h, Method::PUT, "/api/routes/coder", Some(route)).await;
    assert_eq!(
        (status, view["targets"][0].as_str()),
        (200, Some("mock/gpt-4.1"))
    );

    let reordered = json!({"targets": ["mock/error-500", "mock/gpt-4.1"], "strategy": "fallback"});
    send(&h, Method::PUT, "/api/routes/coder", Some(reordered)).await;
    let listed = h.admin("/api/routes").await;
    assert_eq!(
        listed["routes"][0]["targets"],
        json!(["mock/error-500", "mock/gpt-4.1"])
    );
    let answer = h.post("/v1/chat/completions", chat("coder")).await;
    assert_eq!(answer.status(), 200, "the failing first target falls back");

    let (status, _) = send(&h, Method::DELETE, "/api/routes/coder", None).await;
    assert_eq!(status, 204);
    assert_eq!(
        h.post("/v1/chat/completions", chat("coder")).await.status(),
        404
    );
}

#[tokio::test]
async fn a_provider_used_by_a_route_cannot_be_removed() {
    let mock = harness::mock().await;
    let extra = "\n[[routes]]\nalias = \"coder\"\ntargets = [\"mock/gpt-4.1\"]\n";
    let h = harness::start(&harness::one_provider(&mock, extra)).await;
    let (status, error) = send(&h, Method::DELETE, "/api/providers/mock", None).await;
    assert_eq!(status, 400, "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("routes[0]"),
        "{error}"
    );
}

#[tokio::test]
async fn a_price_override_changes_the_cost_of_the_next_request() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let first = h.post("/v1/chat/completions", chat("gpt-4.1")).await;
    let first_cost: f64 = first.headers()["x-switchyard-cost-usd"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();

    let prices = send(
        &h,
        Method::PUT,
        "/api/prices/mock%2Fgpt-4.1",
        Some(json!({"input": 20.0, "output": 80.0})),
    )
    .await
    .1;
    let row = prices["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model"] == "mock/gpt-4.1")
        .unwrap();
    assert_eq!(row["input"], 20.0);
    assert_eq!(row["source"], "config:mock/gpt-4.1");
    assert_eq!(prices["overrides"][0]["model"], "mock/gpt-4.1");

    let second = h.post("/v1/chat/completions", chat("gpt-4.1")).await;
    let second_cost: f64 = second.headers()["x-switchyard-cost-usd"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (second_cost - first_cost * 10.0).abs() < 1e-12,
        "ten times the price, ten times the cost: {first_cost} then {second_cost}"
    );

    let after = send(&h, Method::DELETE, "/api/prices/mock%2Fgpt-4.1", None)
        .await
        .1;
    assert_eq!(after["overrides"], json!([]));
}

#[tokio::test]
async fn settings_round_trip_and_a_new_listen_address_needs_a_restart() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let mut settings = h.admin("/api/settings").await;
    assert_eq!(settings["restart_required"], false);
    settings["retention_days"] = json!(7);
    settings["budgets"] = json!({"daily_usd": 5.0, "monthly_usd": null, "action": "warn"});
    settings["listen"] = json!("127.0.0.1:45999");
    let (status, saved) = send(&h, Method::PUT, "/api/settings", Some(settings)).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["retention_days"], 7);
    assert_eq!(saved["budgets"]["daily_usd"], 5.0);
    assert_eq!(saved["restart_required"], true);
    assert_eq!(h.admin("/api/budgets").await["daily"]["limit_usd"], 5.0);
}

#[tokio::test]
async fn the_overview_counts_spend_requests_and_errors() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    h.post("/v1/chat/completions", chat("gpt-4.1")).await;
    h.post("/v1/chat/completions", chat("mock/error-400")).await;
    let overview = h.admin("/api/overview").await;
    assert_eq!(overview["today"]["requests"], 2);
    assert_eq!(overview["today"]["errors"], 1);
    assert!(overview["last_30_days"]["cost_usd"].as_f64().unwrap() > 0.0);
    assert_eq!(overview["cost_per_day"][0]["provider"], "mock");
    assert_eq!(overview["top_models"][0]["key"], "gpt-4.1");
}

#[tokio::test]
async fn the_requests_list_pages_newest_first_by_cursor_and_refuses_a_cursor_it_cannot_use() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    for _ in 0..5 {
        h.post("/v1/chat/completions", chat("gpt-4.1")).await;
    }
    let first = h.admin("/api/requests?limit=3").await;
    assert_eq!(first["total"], 5);
    let next = first["next"]
        .as_str()
        .expect("a full page says where the next starts");
    let second = h
        .admin(&format!("/api/requests?limit=3&before={next}"))
        .await;
    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let everything = h.admin("/api/requests?limit=10").await;
    assert_eq!([ids(&first), ids(&second)].concat(), ids(&everything));
    assert!(second["next"].is_null(), "the last page has no next");

    let (status, error) = send(&h, Method::GET, "/api/requests?before=yesterday", None).await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["error"]["param"], "before");
    let by_cost = format!("/api/requests?sort=cost_usd&before={next}");
    let (status, error) = send(&h, Method::GET, &by_cost, None).await;
    assert_eq!(
        status, 400,
        "a cursor pages the newest-first list only: {error}"
    );
}

#[tokio::test]
async fn the_live_feed_pushes_each_new_request_with_its_row() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let feed = h
        .admin_request(Method::GET, "/api/events")
        .send()
        .await
        .unwrap();
    assert_eq!(feed.headers()["content-type"], "text/event-stream");
    let mut body = feed.bytes_stream();

    let answer = h.post("/v1/chat/completions", chat("gpt-4.1")).await;
    let id = harness::request_id(&answer);
    let mut seen = String::new();
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(chunk) = body.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            if seen.contains(&id) {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(found, Ok(true), "feed so far: {seen}");
    assert!(seen.contains("event: request"), "{seen}");
    assert!(seen.contains("\"cost_usd\""), "the whole row: {seen}");
}

#[tokio::test]
async fn the_dashboard_is_served_at_the_root_and_unknown_api_paths_stay_json() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let page = h.http.get(h.url("/requests/some-id")).send().await.unwrap();
    assert_eq!(page.status(), 200, "client-side routes get the page");
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let built = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist/index.html");
    if built.exists() {
        // `make test` builds the dashboard first, so there this checks the real page.
        assert!(
            switchyard_gateway::dashboard::is_built(),
            "ui/dist exists but is not served"
        );
        let html = page.text().await.unwrap();
        assert!(
            html.contains("<script type=\"module\""),
            "the built page: {html}"
        );
        let asset = html
            .split("src=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap();
        let script = h.http.get(h.url(asset)).send().await.unwrap();
        assert_eq!(script.status(), 200, "{asset}");
        assert_eq!(
            script.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert!(
            script.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains("javascript")
        );
    }

    let missing = h
        .http
        .get(h.url("/api/nothing-here"))
        .bearer_auth(h.token())
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let error: Value = missing.json().await.unwrap();
    assert_eq!(error["error"]["code"], "not_found");
    assert_eq!(
        h.http
            .get(h.url("/v1/nothing"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn every_edit_needs_the_admin_token() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    for (method, path) in [
        (Method::POST, "/api/providers"),
        (Method::PUT, "/api/routes/x"),
        (Method::PUT, "/api/prices/x"),
        (Method::PUT, "/api/settings"),
        (Method::GET, "/api/events"),
        (Method::GET, "/api/overview"),
    ] {
        let response = h
            .http
            .request(method.clone(), h.url(path))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{method} {path}");
    }
}

#[tokio::test]
async fn a_paused_proxy_refuses_requests_but_records_them_and_resumes() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let (status, paused) = send(&h, Method::PUT, "/api/pause", Some(json!({"paused": true}))).await;
    assert_eq!((status, paused["paused"].as_bool()), (200, Some(true)));

    let refused = h.post("/v1/chat/completions", chat("gpt-4.1")).await;
    assert_eq!(refused.status(), 503);
    let id = harness::request_id(&refused);
    let error: Value = refused.json().await.unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("paused"),
        "{error}"
    );
    assert_eq!(
        h.row(&id).await["outcome"],
        "rejected",
        "even a refusal lands in history"
    );
    assert!(mock.received().is_empty(), "nothing reached the provider");

    send(
        &h,
        Method::PUT,
        "/api/pause",
        Some(json!({"paused": false})),
    )
    .await;
    assert_eq!(
        h.post("/v1/chat/completions", chat("gpt-4.1"))
            .await
            .status(),
        200
    );
}
