//! Relaying an OpenAI-format SSE stream to the client, event by event, as it arrives.
//!
//! Each upstream event is looked at only for what accounting needs (usage, text length for an
//! estimate) and forwarded with its data untouched. The usage-only chunk Switchyard asked for
//! on the client's behalf is withheld from a client that did not ask for it. A silent or broken
//! upstream ends the stream with an OpenAI-shaped error event, and the [`Recorder`] travels
//! inside the stream so that a client hanging up mid-stream still leaves a history row.

use std::pin::Pin;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use bytes::Bytes;
use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures_util::{Stream, StreamExt};
use switchyard_protocol::openai_chat::{ChunkProbe, DONE, ErrorBody, WireUsage};

use super::openai::{account, decorate};
use super::recorder::Recorder;
use crate::config::Config;
use crate::history::Outcome;
use crate::upstream;

type Upstream = Pin<Box<dyn Stream<Item = Result<Event, EventStreamError<reqwest::Error>>> + Send>>;

struct Relay {
    upstream: Upstream,
    rec: Option<Recorder>,
    config: std::sync::Arc<Config>,
    client_wants_usage: bool,
    estimated_input: u64,
    usage: Option<WireUsage>,
    output_chars: u64,
    idle: Duration,
    abort: tokio_util::sync::CancellationToken,
    store_bodies: bool,
    transcript: Vec<u8>,
    finished: bool,
}

pub fn relay(
    abort: tokio_util::sync::CancellationToken,
    config: &Config,
    response: reqwest::Response,
    client_wants_usage: bool,
    estimated_input: u64,
    rec: Recorder,
) -> Response {
    let mut headers = axum::http::HeaderMap::new();
    for (name, value) in response.headers() {
        if upstream::forwardable(name.as_str()) {
            headers.insert(name.clone(), value.clone());
        }
    }
    let mut rec = rec;
    let provider = rec.row().provider.clone();
    let model = rec.row().upstream_model.clone();
    let idle = provider
        .as_deref()
        .and_then(|id| config.provider(id))
        .map_or(Duration::from_secs(300), |p| p.timeouts.idle);
    let relay = Relay {
        upstream: Box::pin(response.bytes_stream().eventsource()),
        rec: Some(rec),
        config: std::sync::Arc::new(config.clone()),
        client_wants_usage,
        estimated_input,
        usage: None,
        output_chars: 0,
        idle,
        abort,
        store_bodies: config.logging.store_bodies,
        transcript: Vec::new(),
        finished: false,
    };
    let body = futures_util::stream::unfold(relay, |mut relay| async move {
        let chunk = relay.next_chunk().await?;
        Some((Ok::<Bytes, std::convert::Infallible>(chunk), relay))
    });
    let mut out = Response::new(Body::from_stream(body));
    *out.headers_mut() = headers;
    let h = out.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    decorate(h, provider.as_deref(), model.as_deref(), None);
    out
}

impl Relay {
    /// The next bytes for the client, or `None` when the stream is over.
    async fn next_chunk(&mut self) -> Option<Bytes> {
        loop {
            if self.finished {
                return None;
            }
            let next = tokio::select! {
                next = tokio::time::timeout(self.idle, self.upstream.next()) => next,
                () = self.abort.cancelled() => {
                    return Some(self.fail("Switchyard is shutting down; the stream was ended.".into()).await);
                }
            };
            let event = match next {
                Ok(Some(Ok(event))) => event,
                Ok(None) => {
                    // Some compatible servers end without [DONE]; the answer is still complete.
                    self.finish(Outcome::Ok, None).await;
                    return None;
                }
                Ok(Some(Err(e))) => {
                    let message = format!("The provider's stream broke off: {e}");
                    return Some(self.fail(message).await);
                }
                Err(_) => {
                    let message = format!(
                        "The provider sent nothing for {} s; the stream was ended.",
                        self.idle.as_secs()
                    );
                    return Some(self.fail(message).await);
                }
            };
            if let Some(rec) = self.rec.as_mut() {
                rec.mark_first_byte();
            }
            if event.data == DONE {
                self.finish(Outcome::Ok, None).await;
                return Some(frame(&event));
            }
            let probe: ChunkProbe = serde_json::from_str(&event.data).unwrap_or_default();
            self.output_chars += probe_text_len(&event.data);
            if let Some(usage) = &probe.usage {
                self.usage = Some(usage.clone());
            }
            if let Some(error) = &probe.error {
                let message = crate::secrets::redact(&error.message).into_owned();
                if let Some(rec) = self.rec.as_mut() {
                    rec.row().error = Some(format!(
                        "the provider reported an error mid-stream: {message}"
                    ));
                }
                self.keep(&event);
                self.finish(Outcome::UpstreamError, None).await;
                return Some(frame(&event));
            }
            if probe.is_usage_only() && !self.client_wants_usage {
                continue;
            }
            self.keep(&event);
            return Some(frame(&event));
        }
    }

    fn keep(&mut self, event: &Event) {
        if self.store_bodies && self.transcript.len() < self.config.logging.max_stored_body_bytes {
            self.transcript.extend_from_slice(&frame(event));
        }
    }

    /// Ends the stream with an error event in OpenAI's shape.
    async fn fail(&mut self, message: String) -> Bytes {
        let message = crate::secrets::redact(&message).into_owned();
        tracing::warn!(error = %message, "stream from provider failed");
        let body = ErrorBody::new(
            message.clone(),
            "server_error",
            Some("upstream_stream_error"),
        );
        self.finish(Outcome::UpstreamError, Some(message)).await;
        let data = serde_json::to_string(&body).unwrap_or_default();
        Bytes::from(format!("data: {data}\n\n"))
    }

    async fn finish(&mut self, outcome: Outcome, error: Option<String>) {
        self.finished = true;
        let Some(mut rec) = self.rec.take() else {
            return;
        };
        let (input, output_chars) = (self.estimated_input, self.output_chars);
        account(&self.config, &mut rec, self.usage.as_ref(), || {
            (input, output_chars.div_ceil(4))
        });
        if self.store_bodies {
            let limit = self.config.logging.max_stored_body_bytes;
            rec.row().response_body = Some(crate::history::capped_body(&self.transcript, limit));
        }
        rec.finish(200, outcome, error).await;
    }
}

/// Characters of generated text in a chunk, for estimating output tokens when the provider
/// reports no usage. Counts content, reasoning and tool-argument text.
fn probe_text_len(data: &str) -> u64 {
    #[derive(serde::Deserialize, Default)]
    struct Chunk {
        #[serde(default)]
        choices: Vec<Choice>,
    }
    #[derive(serde::Deserialize, Default)]
    struct Choice {
        #[serde(default)]
        delta: Option<serde_json::Value>,
        #[serde(default)]
        text: Option<String>,
    }
    let Ok(chunk) = serde_json::from_str::<Chunk>(data) else {
        return 0;
    };
    chunk
        .choices
        .iter()
        .map(|c| {
            let text = c.text.as_ref().map_or(0, |t| t.chars().count());
            let delta = c.delta.as_ref().map_or(0, |d| {
                ["content", "reasoning_content", "reasoning"]
                    .iter()
                    .filter_map(|k| d.get(k).and_then(|v| v.as_str()))
                    .map(|s| s.chars().count())
                    .sum::<usize>()
                    + d.get("tool_calls")
                        .and_then(|t| t.as_array())
                        .map_or(0, |calls| {
                            calls
                                .iter()
                                .filter_map(|c| {
                                    c.pointer("/function/arguments").and_then(|a| a.as_str())
                                })
                                .map(|a| a.chars().count())
                                .sum()
                        })
            });
            (text + delta) as u64
        })
        .sum()
}

/// Writes an event back in SSE framing, data untouched.
fn frame(event: &Event) -> Bytes {
    let mut out = String::with_capacity(event.data.len() + 16);
    if !event.event.is_empty() && event.event != "message" {
        out.push_str("event: ");
        out.push_str(&event.event);
        out.push('\n');
    }
    for line in event.data.split('\n') {
        out.push_str("data: ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    Bytes::from(out)
}
