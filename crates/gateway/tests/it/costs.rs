//! Cost truth end to end: built-in prices with no configuration, where each price came from,
//! imported prices, what-if re-pricing and budgets, through the proxy and the admin API.

use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{self, KEY, request_id};

/// A chat request whose usage the mock reports exactly.
fn chat_with_usage(model: &str, prompt: u64, cached: u64, completion: u64) -> Value {
    json!({
        "model": model,
        "messages": [{"role": "user", "content": "Say hello"}],
        "mock": {"usage": {"prompt_tokens": prompt, "completion_tokens": completion, "cached_tokens": cached}},
    })
}

/// Sends `body` until its row is priced from `source` and returns that row: the gateway
/// picks an imported price file up within a second or two of the import.
async fn first_row_priced_from(h: &harness::Harness, body: Value, source: &str) -> Value {
    for _ in 0..100 {
        let response = h.post("/v1/chat/completions", body.clone()).await;
        let row = h.row(&request_id(&response)).await;
        if row["price_source"] == source {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no request was priced from {source}: the imported file was never picked up");
}

/// One OpenAI-compatible provider on the mock, and nothing about prices.
fn no_prices(mock: &mock_provider::MockProvider, extra: &str) -> String {
    format!(
        "[[providers]]\nid = \"mock\"\nkind = \"openai-compatible\"\nbase_url = \"{}\"\nmodels = [\"gpt-4.1\", \"my-fine-tune\"]\n{extra}",
        mock.base_url()
    )
}

fn approx(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-12)
}

#[tokio::test]
async fn a_current_model_gets_its_builtin_price_with_no_prices_in_the_config() {
    let mock = harness::mock().await;
    let h = harness::start(&no_prices(&mock, "")).await;
    // gpt-4.1 at $2 in / $0.50 cached / $8 out: 10,000 prompt tokens, 8,000 cached, 1,000 out:
    // 2,000 × 2 + 8,000 × 0.5 + 1,000 × 8 = 4,000 + 4,000 + 8,000 = 16,000 µ$.
    let response = h
        .post(
            "/v1/chat/completions",
            chat_with_usage("gpt-4.1", 10_000, 8_000, 1_000),
        )
        .await;
    assert_eq!(response.status(), 200);
    let header: f64 = response.headers()["x-switchyard-cost-usd"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((header - 0.016).abs() < 1e-12, "cost header {header}");
    let row = h.row(&request_id(&response)).await;
    assert!(approx(&row["cost_usd"], 0.016), "{row}");
    assert_eq!(
        row["price_source"],
        "builtin:openai/gpt-4.1 (as of 2026-04)"
    );
    assert_eq!(row["usage_estimated"], false);
}

#[tokio::test]
async fn an_unpriced_model_is_null_with_no_price_source() {
    let mock = harness::mock().await;
    let h = harness::start(&no_prices(&mock, "")).await;
    let response = h
        .post(
            "/v1/chat/completions",
            chat_with_usage("mock/llama-local", 100, 0, 10),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("x-switchyard-cost-usd").is_none());
    let row = h.row(&request_id(&response)).await;
    assert_eq!(row["cost_usd"], Value::Null, "unpriced is null, never 0");
    assert_eq!(row["price_source"], Value::Null);
}

#[tokio::test]
async fn a_config_override_is_named_as_the_price_source() {
    let mock = harness::mock().await;
    // one_provider prices mock/gpt-4.1 at $2 / $8 / $0.50 cached in [prices].
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let response = h
        .post(
            "/v1/chat/completions",
            chat_with_usage("gpt-4.1", 1_000, 0, 500),
        )
        .await;
    let row = h.row(&request_id(&response)).await;
    assert_eq!(row["price_source"], "config:mock/gpt-4.1");
    // 1,000 × 2 + 500 × 8 = 6,000 µ$.
    assert!(approx(&row["cost_usd"], 0.006), "{row}");
    let parts = &row["cost_breakdown"];
    assert!(approx(&parts["uncached_input"], 0.002), "{parts}");
    assert!(approx(&parts["output"], 0.004), "{parts}");
    assert!(approx(&parts["cache_reads"], 0.0), "{parts}");
    let listed = h.admin("/api/requests?limit=1").await;
    assert_eq!(listed["items"][0]["price_source"], "config:mock/gpt-4.1");
}

#[tokio::test]
async fn anthropic_cache_writes_are_priced_at_the_write_price() {
    let mock = harness::mock().await;
    let config = format!(
        "[[providers]]\nid = \"an\"\nkind = \"anthropic\"\nbase_url = \"{}\"\n",
        mock.anthropic_base_url()
    );
    let h = harness::start_with_keys(&config, &[("an", KEY)]).await;
    let response = h
        .post(
            "/v1/messages",
            json!({
                "model": "an/claude-sonnet-4-5-20250929",
                "max_tokens": 100,
                "messages": [{"role": "user", "content": "Say hello"}],
                "mock": {"usage": {"input_tokens": 1000, "cache_creation_input_tokens": 10000,
                                   "cache_read_input_tokens": 0, "output_tokens": 500}},
            }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let row = h.row(&request_id(&response)).await;
    // claude-sonnet-4-5 at $3 in / $3.75 5-minute write / $15 out:
    // 1,000 × 3 + 10,000 × 3.75 + 500 × 15 = 3,000 + 37,500 + 7,500 = 48,000 µ$.
    assert_eq!(
        row["input_tokens"], 11_000,
        "Anthropic input plus cache writes"
    );
    assert_eq!(row["cache_write_tokens"], 10_000);
    assert!(approx(&row["cost_usd"], 0.048), "{row}");
    let parts = &row["cost_breakdown"];
    assert!(approx(&parts["uncached_input"], 0.003), "{parts}");
    assert!(approx(&parts["cache_writes"], 0.0375), "{parts}");
    assert!(approx(&parts["output"], 0.0075), "{parts}");
    assert_eq!(
        row["price_source"],
        "builtin:anthropic/claude-sonnet-4-5 (as of 2026-10-24)"
    );
}

#[tokio::test]
async fn imported_prices_are_picked_up_while_running() {
    let mock = harness::mock().await;
    let h = harness::start(&no_prices(&mock, "")).await;
    let first = h
        .post(
            "/v1/chat/completions",
            chat_with_usage("my-fine-tune", 1_000_000, 0, 0),
        )
        .await;
    assert_eq!(h.row(&request_id(&first)).await["cost_usd"], Value::Null);

    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/litellm-prices.json");
    switchyard_gateway::pricing::imported::ImportedPrices::import(&fixture, &h.dir.join("data"))
        .unwrap();
    let body = chat_with_usage("my-fine-tune", 1_000_000, 0, 0);
    let row = first_row_priced_from(&h, body, "imported:my-fine-tune").await;
    // The fixture's $1 per million input: 1,000,000 × 1 = $1.
    assert!(approx(&row["cost_usd"], 1.0), "{row}");
}

#[tokio::test]
async fn a_models_dev_catalogue_prices_a_model_by_its_makers_entry() {
    use switchyard_gateway::pricing::imported::{ImportedPrices, PriceFormat};
    let mock = harness::mock().await;
    let h = harness::start(&no_prices(&mock, "")).await;
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/models-dev-api.json");
    // Right after start: an import the gateway's watcher has not looked at yet is still seen
    // (this once raced the watcher's first look and was missed for good).
    let imported = ImportedPrices::import(&fixture, &h.dir.join("data")).unwrap();
    assert_eq!(imported.format, PriceFormat::ModelsDev);
    // A provider of an id and host Switchyard does not place: the bare name, which holds the
    // maker's own entry.
    let body = chat_with_usage("gpt-4.1", 1_000_000, 0, 1_000_000);
    let row = first_row_priced_from(&h, body, "imported:gpt-4.1").await;
    // $2 in / $8 out per million, not the reseller's $2.50 / $10.
    assert!(approx(&row["cost_usd"], 10.0), "{row}");
    let prices = h.admin("/api/prices").await;
    assert_eq!(prices["imported_format"], "models.dev");
}

#[tokio::test]
async fn what_if_reprices_history_on_another_model() {
    let mock = harness::mock().await;
    let h = harness::start(&no_prices(&mock, "")).await;
    for _ in 0..2 {
        h.post(
            "/v1/chat/completions",
            chat_with_usage("gpt-4.1", 10_000, 8_000, 1_000),
        )
        .await;
    }
    h.post(
        "/v1/chat/completions",
        chat_with_usage("mock/llama-local", 5_000, 0, 0),
    )
    .await;
    let answer = h.admin("/api/costs/what-if?model=gpt-4.1-mini").await;
    // Actual: 2 × $0.016. On gpt-4.1-mini ($0.40 / $0.10 cached / $1.60):
    // 2,000 × 0.4 + 8,000 × 0.1 + 1,000 × 1.6 = 800 + 800 + 1,600 = 3,200 µ$ each, and the
    // unpriced llama request would have cost 5,000 × 0.4 = 2,000 µ$.
    assert_eq!(answer["model"], "gpt-4.1-mini");
    assert_eq!(answer["requests"], 3);
    assert_eq!(answer["unpriced_requests"], 1);
    assert!(approx(&answer["actual_cost_usd"], 0.032), "{answer}");
    assert!(
        approx(&answer["what_if_priced_cost_usd"], 0.0064),
        "{answer}"
    );
    assert!(approx(&answer["what_if_cost_usd"], 0.0084), "{answer}");
    assert_eq!(
        answer["price_source"],
        "builtin:openai/gpt-4.1-mini (as of 2026-04)"
    );

    let none = h
        .admin("/api/costs/what-if?model=gpt-4.1-mini&until=2000-01-01")
        .await;
    assert_eq!(none["requests"], 0, "an empty period re-prices nothing");

    let unknown = h
        .admin_request(
            reqwest::Method::GET,
            "/api/costs/what-if?model=no-such-model",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
}

#[tokio::test]
async fn a_block_budget_refuses_the_next_request_with_429_and_records_it() {
    let mock = harness::mock().await;
    let h = harness::start(&no_prices(
        &mock,
        "\n[budgets]\ndaily_usd = 0.01\naction = \"block\"\n",
    ))
    .await;
    let mut events = h.gateway.state().budgets.subscribe();
    // $0.016 (see above) passes the $0.01 daily budget: this request was admitted before.
    let first = h
        .post(
            "/v1/chat/completions",
            chat_with_usage("gpt-4.1", 10_000, 8_000, 1_000),
        )
        .await;
    assert_eq!(first.status(), 200);
    let event = events.try_recv().expect("crossing the limit is announced");
    assert_eq!(event.action, "block");

    let refused = h
        .post("/v1/chat/completions", chat_with_usage("gpt-4.1", 10, 0, 1))
        .await;
    assert_eq!(refused.status(), 429);
    assert_eq!(
        refused.headers()["x-should-retry"],
        "false",
        "SDKs must not retry a budget"
    );
    let id = request_id(&refused);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["type"], "budget_exceeded");
    assert_eq!(body["error"]["code"], "budget_exceeded");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("Daily budget of $0.01 reached ($0.02 spent today); resets at ")
            && message.ends_with("T00:00:00Z."),
        "{message}"
    );
    let row = h.row(&id).await;
    assert_eq!(
        (row["status"].as_u64(), row["outcome"].as_str()),
        (Some(429), Some("rejected"))
    );
    assert_eq!(row["cost_usd"], Value::Null);

    let budgets = h.admin("/api/budgets").await;
    assert_eq!(budgets["action"], "block");
    assert_eq!(budgets["blocking"], true);
    assert!(approx(&budgets["daily"]["spent_usd"], 0.016), "{budgets}");
    assert_eq!(budgets["daily"]["limit_usd"], 0.01);
    assert_eq!(budgets["daily"]["exceeded"], true);
    assert!(
        budgets["daily"]["resets_at"]
            .as_str()
            .unwrap()
            .ends_with("T00:00:00Z")
    );
    assert_eq!(budgets["monthly"]["limit_usd"], Value::Null);
}

#[tokio::test]
async fn a_warn_budget_notifies_but_lets_requests_through() {
    let mock = harness::mock().await;
    let h = harness::start(&no_prices(
        &mock,
        "\n[budgets]\nmonthly_usd = 0.01\naction = \"warn\"\n",
    ))
    .await;
    let mut events = h.gateway.state().budgets.subscribe();
    for _ in 0..2 {
        let response = h
            .post(
                "/v1/chat/completions",
                chat_with_usage("gpt-4.1", 10_000, 8_000, 1_000),
            )
            .await;
        assert_eq!(response.status(), 200);
    }
    let event = events.try_recv().expect("the monthly limit was crossed");
    assert_eq!(event.action, "warn");
    assert!(
        events.try_recv().is_err(),
        "announced once, not per request"
    );
    let budgets = h.admin("/api/budgets").await;
    assert_eq!(
        (
            budgets["blocking"].as_bool(),
            budgets["monthly"]["exceeded"].as_bool()
        ),
        (Some(false), Some(true))
    );
}
