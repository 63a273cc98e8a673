//! The conformance suite: every case runs for every (client API × provider kind) pair through
//! the running gateway, against mock providers that validate requests as strictly as the real
//! services. Same-format pairs exercise pass-through; the others, translation.
//!
//! A case lists every pair that fails, so one run shows the whole matrix.

mod clients;

use std::future::Future;

use serde_json::Value;

use self::clients::{INBOUND, Inbound, Reading};
use crate::harness::{self, Harness, request_id};

/// Provider ids in the gateway config, one per kind, and the model each is asked for.
const PROVIDERS: [(&str, &str); 4] = [
    ("oa", "gpt-4.1"),
    ("oc", "llama-3.3-70b"),
    ("an", "claude-sonnet-4-5"),
    ("ge", "gemini-2.5-flash"),
];

async fn gateway(mock: &mock_provider::MockProvider) -> Harness {
    let mut config = String::new();
    for (id, kind, base) in [
        ("oa", "openai", mock.base_url()),
        ("oc", "openai-compatible", mock.base_url()),
        ("an", "anthropic", mock.anthropic_base_url()),
        ("ge", "gemini", mock.anthropic_base_url()),
    ] {
        config.push_str(&format!(
            "[[providers]]\nid = \"{id}\"\nkind = \"{kind}\"\nbase_url = \"{base}\"\n\n"
        ));
    }
    for (id, model) in PROVIDERS {
        config.push_str(&format!(
            "[prices.\"{id}/{model}\"]\ninput = 1.5\noutput = 6.0\ncached_input = 0.25\n\n"
        ));
    }
    let keys: Vec<(&str, &str)> = PROVIDERS
        .iter()
        .map(|(id, _)| (*id, harness::KEY))
        .collect();
    harness::start_with_keys(&config, &keys).await
}

/// Runs `case` for every pair and fails listing each pair that failed, with why.
async fn for_every_pair<F, Fut>(case: F)
where
    F: Fn(Harness2, Inbound, &'static str, &'static str) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let mock = harness::mock().await;
    let h = std::sync::Arc::new(gateway(&mock).await);
    let mut failures = Vec::new();
    for inbound in INBOUND {
        for (provider, model) in PROVIDERS {
            if let Err(why) = case(h.clone(), inbound, provider, model).await {
                failures.push(format!("{inbound:?} → {provider}: {why}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 16 pairs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

type Harness2 = std::sync::Arc<Harness>;

/// Sends a request; returns (status, request id, reading) for whole and streamed answers alike.
async fn send(
    h: &Harness,
    inbound: Inbound,
    body: Value,
) -> Result<(u16, String, Reading), String> {
    let stream = body["stream"] == true;
    let (path, body) = inbound.wire(body);
    let response = h
        .http
        .post(h.url(&path))
        .header("anthropic-version", "2023-06-01")
        .json(&body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let id = request_id(&response);
    let reading = if stream && status == 200 {
        inbound.read_stream(&response.text().await.map_err(|e| e.to_string())?)?
    } else {
        let text = response.text().await.map_err(|e| e.to_string())?;
        let value: Value =
            serde_json::from_str(&text).map_err(|e| format!("not JSON ({e}): {text}"))?;
        inbound.read(status, &value)
    };
    Ok((status, id, reading))
}

fn expect(condition: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if condition { Ok(()) } else { Err(what()) }
}

/// The history row agrees with the provider's usage and the price table.
async fn row_is_accounted(h: &Harness, id: &str) -> Result<Value, String> {
    let row = h.row(id).await;
    expect(row["outcome"] == "ok", || {
        format!("outcome {} ({})", row["outcome"], row["error"])
    })?;
    let (input, cached, output) = (
        row["input_tokens"].as_f64().unwrap_or(0.0),
        row["cached_input_tokens"].as_f64().unwrap_or(0.0),
        row["output_tokens"].as_f64().unwrap_or(0.0),
    );
    expect(input > 0.0 && output > 0.0, || {
        format!("tokens in {input} out {output}")
    })?;
    expect(row["usage_estimated"] == false, || {
        "usage was estimated, not the provider's".into()
    })?;
    let expected = ((input - cached) * 1.5 + cached * 0.25 + output * 6.0) / 1e6;
    let cost = row["cost_usd"].as_f64().ok_or("no cost")?;
    expect((cost - expected).abs() < 1e-15, || {
        format!("cost {cost} != {expected}")
    })?;
    Ok(row)
}

#[tokio::test]
async fn text() {
    for_every_pair(|h, inbound, provider, model| async move {
        let (status, id, reading) = send(
            &h,
            inbound,
            inbound.ask(&format!("{provider}/{model}"), "Say hello", false),
        )
        .await?;
        expect(status == 200, || {
            format!("status {status}: {:?}", reading.error)
        })?;
        expect(reading.text.contains("mock answer"), || {
            format!("text {:?}", reading.text)
        })?;
        row_is_accounted(&h, &id).await.map(drop)
    })
    .await;
}

#[tokio::test]
async fn streamed_text() {
    for_every_pair(|h, inbound, provider, model| async move {
        let (status, id, reading) = send(
            &h,
            inbound,
            inbound.ask(&format!("{provider}/{model}"), "Say hello", true),
        )
        .await?;
        expect(status == 200, || format!("status {status}"))?;
        expect(reading.error.is_none(), || {
            format!("error {:?}", reading.error)
        })?;
        expect(reading.text.contains("mock answer"), || {
            format!("text {:?}", reading.text)
        })?;
        let row = row_is_accounted(&h, &id).await?;
        expect(row["stream"] == true, || "row not marked as stream".into())
    })
    .await;
}

fn called_the_weather_tool(reading: &Reading) -> Result<(), String> {
    let Some((name, args)) = reading.calls.first() else {
        return Err(format!("no tool call; text {:?}", reading.text));
    };
    expect(name == "get_weather", || format!("called {name}"))?;
    expect(args["location"].is_string(), || format!("arguments {args}"))
}

#[tokio::test]
async fn a_tool_call() {
    for_every_pair(|h, inbound, provider, model| async move {
        let (status, id, reading) = send(
            &h,
            inbound,
            inbound.with_tool(&format!("{provider}/{model}"), false),
        )
        .await?;
        expect(status == 200, || {
            format!("status {status}: {:?}", reading.error)
        })?;
        called_the_weather_tool(&reading)?;
        let stop = reading.stop.clone().unwrap_or_default();
        let expected = match inbound {
            Inbound::Chat => "tool_calls",
            Inbound::Messages => "tool_use",
            Inbound::Responses => "completed",
            // Gemini says STOP after function calls too.
            Inbound::Gemini => "STOP",
        };
        expect(stop == expected, || {
            format!("stop {stop}, expected {expected}")
        })?;
        row_is_accounted(&h, &id).await.map(drop)
    })
    .await;
}

#[tokio::test]
async fn a_streamed_tool_call() {
    for_every_pair(|h, inbound, provider, model| async move {
        let (status, id, reading) = send(
            &h,
            inbound,
            inbound.with_tool(&format!("{provider}/{model}"), true),
        )
        .await?;
        expect(status == 200, || format!("status {status}"))?;
        called_the_weather_tool(&reading)?;
        row_is_accounted(&h, &id).await.map(drop)
    })
    .await;
}

#[tokio::test]
async fn a_tool_result_comes_back_to_the_model() {
    for_every_pair(|h, inbound, provider, model| async move {
        let (status, id, reading) = send(
            &h,
            inbound,
            inbound.with_tool_result(&format!("{provider}/{model}")),
        )
        .await?;
        expect(status == 200, || {
            format!("status {status}: {:?}", reading.error)
        })?;
        expect(
            reading.text.contains("Tool result received") && reading.text.contains("sunny"),
            || format!("the model did not see the result: {:?}", reading.text),
        )?;
        row_is_accounted(&h, &id).await.map(drop)
    })
    .await;
}

#[tokio::test]
async fn an_image() {
    for_every_pair(|h, inbound, provider, model| async move {
        let (status, _, reading) = send(
            &h,
            inbound,
            inbound.with_image(&format!("{provider}/{model}")),
        )
        .await?;
        expect(status == 200, || {
            format!("status {status}: {:?}", reading.error)
        })?;
        expect(!reading.text.is_empty(), || "empty answer".into())
    })
    .await;
}

#[tokio::test]
async fn json_mode() {
    for_every_pair(|h, inbound, provider, model| async move {
        let (status, _, reading) = send(
            &h,
            inbound,
            inbound.with_json_mode(&format!("{provider}/{model}")),
        )
        .await?;
        expect(status == 200, || {
            format!("status {status}: {:?}", reading.error)
        })
    })
    .await;
}

#[tokio::test]
async fn an_upstream_error_reaches_the_client_in_its_own_shape() {
    for_every_pair(|h, inbound, provider, _| async move {
        let (status, id, reading) = send(
            &h,
            inbound,
            inbound.ask(&format!("{provider}/error-429"), "hi", false),
        )
        .await?;
        expect(status == 429, || format!("status {status}"))?;
        expect(
            reading.error.as_deref().is_some_and(|m| !m.is_empty()),
            || "no error message".into(),
        )?;
        let row = h.row(&id).await;
        expect(
            row["outcome"] == "upstream_error" && row["status"] == 429,
            || format!("row {row}"),
        )
    })
    .await;
}

#[tokio::test]
async fn a_mid_stream_failure_ends_the_stream_with_an_error() {
    for_every_pair(|h, inbound, provider, _| async move {
        let (status, id, reading) = send(
            &h,
            inbound,
            inbound.ask(&format!("{provider}/midstream-error"), "hi", true),
        )
        .await?;
        expect(status == 200, || format!("status {status}"))?;
        expect(reading.error.is_some(), || {
            format!("the stream ended without an error: {reading:?}")
        })?;
        let row = h.row(&id).await;
        expect(row["outcome"] == "upstream_error", || {
            format!("row outcome {}", row["outcome"])
        })
    })
    .await;
}
