//! Optional OpenTelemetry export: one span per proxied request, sent over OTLP/HTTP (JSON
//! encoding) to the collector named in `[telemetry] otlp_endpoint`. Off unless configured.
//!
//! Spans are built from the finished history [`Record`] (the history's record observer hands
//! each one over), so they carry exactly what the history knows, with the GenAI semantic
//! conventions' names: `gen_ai.system`, `gen_ai.operation.name`, `gen_ai.request.model`,
//! `gen_ai.response.model`, `gen_ai.usage.input_tokens`, `gen_ai.usage.output_tokens`, plus
//! `switchyard.*` attributes for what the conventions do not cover (cost, cache hit, client
//! key, attempts). Export is best-effort and off the request path: a bounded queue feeds one
//! task that posts whatever has queued up as one batch; when the queue is full, spans are
//! dropped (and counted in a warning), never requests slowed.
//!
//! The OTLP/HTTP JSON encoding is a few dozen lines over serde_json; the OpenTelemetry SDK
//! would bring a second HTTP stack and a tracing pipeline for one span per request.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::config::{Config, TelemetryConfig};
use crate::history::{Outcome, Record};

/// Spans that may wait for export; beyond this they are dropped.
const QUEUE: usize = 4096;
/// Largest batch per POST.
const BATCH: usize = 512;

/// The queue into the export task.
#[derive(Debug)]
pub struct Exporter {
    queue: mpsc::Sender<Value>,
    dropped: AtomicU64,
}

impl Exporter {
    /// Starts the export task; it asks `settings` for the current `[telemetry]` section at
    /// each batch, so a reload can turn export on, off or elsewhere.
    pub fn start(settings: impl Fn() -> Option<TelemetryConfig> + Send + 'static) -> Exporter {
        let (queue, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(export_loop(settings, receiver));
        Exporter {
            queue,
            dropped: AtomicU64::new(0),
        }
    }

    /// Queues the span of a finished request, when export is configured.
    pub fn record(&self, config: &Config, record: &Record) {
        if config.telemetry.is_none() {
            return;
        }
        if self.queue.try_send(span(config, record)).is_err() {
            let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if dropped.is_power_of_two() {
                tracing::warn!(dropped, "telemetry export is falling behind; spans dropped");
            }
        }
    }
}

async fn export_loop(
    settings: impl Fn() -> Option<TelemetryConfig>,
    mut receiver: mpsc::Receiver<Value>,
) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            tracing::warn!(error = %e, "telemetry export is off: no HTTP client");
            return;
        }
    };
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(first) = receiver.recv().await {
        batch.push(first);
        while batch.len() < BATCH {
            match receiver.try_recv() {
                Ok(span) => batch.push(span),
                Err(_) => break,
            }
        }
        let Some(settings) = settings() else {
            batch.clear();
            continue;
        };
        let body = export_request(&settings.service_name, std::mem::take(&mut batch));
        let mut request = client
            .post(settings.traces_url())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
        for (name, value) in &settings.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        match request.send().await {
            Ok(response) if response.status().is_success() => {}
            Ok(response) => {
                tracing::warn!(status = %response.status(), "the OTLP collector refused spans");
            }
            Err(e) => tracing::warn!(
                error = %crate::secrets::redact(&e.to_string()),
                "could not reach the OTLP collector"
            ),
        }
    }
}

/// An OTLP `ExportTraceServiceRequest` in its JSON encoding.
fn export_request(service_name: &str, spans: Vec<Value>) -> Value {
    json!({
        "resourceSpans": [{
            "resource": {"attributes": [
                attribute("service.name", Value::from(service_name)),
                attribute("service.version", Value::from(env!("CARGO_PKG_VERSION"))),
            ]},
            "scopeSpans": [{
                "scope": {"name": "switchyard", "version": env!("CARGO_PKG_VERSION")},
                "spans": spans,
            }],
        }]
    })
}

/// OTLP JSON's typed attribute value.
fn attribute(key: &str, value: Value) -> Value {
    let typed = match value {
        Value::Bool(b) => json!({"boolValue": b}),
        // 64-bit integers are strings in OTLP JSON.
        Value::Number(n) if n.is_u64() || n.is_i64() => json!({"intValue": n.to_string()}),
        Value::Number(n) => json!({"doubleValue": n.as_f64()}),
        Value::String(s) => json!({"stringValue": s}),
        other => json!({"stringValue": other.to_string()}),
    };
    json!({"key": key, "value": typed})
}

/// `gen_ai.operation.name` for an inbound API.
fn operation(inbound_api: &str) -> &'static str {
    match inbound_api {
        "embeddings" => "embeddings",
        "completions" => "text_completion",
        _ => "chat",
    }
}

fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", fastrand::u8(..)))
        .collect()
}

/// One request as an OTLP span (kind CLIENT: Switchyard calling a model on the client's behalf).
pub fn span(config: &Config, r: &Record) -> Value {
    let op = operation(r.inbound_api);
    let requested = r.requested_model.as_deref().unwrap_or("unknown");
    let mut attributes: BTreeMap<&str, Value> = BTreeMap::new();
    attributes.insert("gen_ai.operation.name", op.into());
    attributes.insert("gen_ai.request.model", requested.into());
    if let Some(kind) = r
        .provider
        .as_deref()
        .and_then(|id| config.provider(id))
        .map(|p| p.kind)
    {
        attributes.insert("gen_ai.system", kind.adapter().telemetry_system().into());
    }
    if let Some(model) = &r.upstream_model {
        attributes.insert("gen_ai.response.model", model.as_str().into());
    }
    attributes.insert("gen_ai.usage.input_tokens", r.usage.input_tokens.into());
    attributes.insert("gen_ai.usage.output_tokens", r.usage.output_tokens.into());
    attributes.insert("http.response.status_code", r.status.into());
    attributes.insert("switchyard.request_id", r.id.as_str().into());
    attributes.insert("switchyard.inbound_api", r.inbound_api.into());
    attributes.insert("switchyard.stream", r.stream.into());
    attributes.insert("switchyard.attempts", (r.attempts.len() as u64).into());
    attributes.insert("switchyard.cache_hit", r.cache_hit.into());
    attributes.insert("switchyard.outcome", r.outcome.as_str().into());
    if let Some(provider) = &r.provider {
        attributes.insert("switchyard.provider", provider.as_str().into());
    }
    if let Some(cost) = r.cost_usd {
        attributes.insert("switchyard.cost_usd", cost.into());
    }
    if let Some(client) = &r.client_key {
        attributes.insert("switchyard.client_key", client.as_str().into());
    }
    if r.outcome != Outcome::Ok {
        attributes.insert("error.type", r.status.to_string().into());
    }
    let start_ns = u64::try_from(r.started_at_ms).unwrap_or(0) * 1_000_000;
    let end_ns = start_ns + r.latency_ms * 1_000_000;
    let status = if r.outcome == Outcome::Ok {
        json!({"code": 1})
    } else {
        json!({"code": 2, "message": r.error.as_deref().unwrap_or(r.outcome.as_str())})
    };
    json!({
        "traceId": random_hex(16),
        "spanId": random_hex(8),
        "name": format!("{op} {requested}"),
        "kind": 3,
        "startTimeUnixNano": start_ns.to_string(),
        "endTimeUnixNano": end_ns.to_string(),
        "attributes": attributes
            .into_iter()
            .map(|(k, v)| attribute(k, v))
            .collect::<Vec<_>>(),
        "status": status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_typed_as_otlp_json_wants() {
        assert_eq!(
            attribute("n", 3u64.into()),
            json!({"key": "n", "value": {"intValue": "3"}})
        );
        assert_eq!(
            attribute("c", 0.5.into()),
            json!({"key": "c", "value": {"doubleValue": 0.5}})
        );
        assert_eq!(
            attribute("b", true.into()),
            json!({"key": "b", "value": {"boolValue": true}})
        );
    }

    #[test]
    fn the_traces_path_is_added_once() {
        let config = |endpoint: &str| TelemetryConfig {
            otlp_endpoint: endpoint.into(),
            service_name: "s".into(),
            headers: vec![],
        };
        assert_eq!(
            config("http://127.0.0.1:4318/").traces_url(),
            "http://127.0.0.1:4318/v1/traces"
        );
        assert_eq!(
            config("http://c:4318/v1/traces").traces_url(),
            "http://c:4318/v1/traces"
        );
    }
}
