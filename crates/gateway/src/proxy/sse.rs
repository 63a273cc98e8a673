//! Relaying a provider's SSE stream to the client, event by event, as it arrives.
//!
//! What each event becomes is the [`Pipe`]'s business; the relay owns timing and bookkeeping:
//! an idle timeout between events, shutdown, the error event when the provider breaks off, and
//! the history row. The [`Recorder`] travels inside the stream, so a client that hangs up
//! mid-stream (hyper drops the body) still leaves a row — and a billed one: the provider charges
//! for the prompt and for every token it sent before the connection closed, so dropping the
//! relay prices what was seen and relayed (see [`Relay`]'s `Drop`), then closes the upstream,
//! which stops the provider generating.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::accounting::{account, account_partial};
use super::estimate::InputEstimate;
use super::frames::{Frame, Framer};
use super::pipe::{Pipe, broken_stream};
use super::recorder::Recorder;
use crate::cache::{CacheFill, CachedBody};
use crate::config::Config;
use crate::history::Outcome;
use crate::upstream;

type Upstream = Pin<Box<dyn Stream<Item = Result<Bytes, reqwest::Error>> + Send>>;

struct Relay {
    upstream: Upstream,
    /// Cuts the upstream bytes into frames; `frames` holds those read but not yet relayed.
    framer: Framer,
    frames: VecDeque<Frame>,
    /// The upstream has ended (its last frame may still be in `frames`).
    ended: bool,
    pipe: Box<dyn Pipe>,
    rec: Option<Recorder>,
    config: Arc<Config>,
    input_estimate: InputEstimate,
    idle: Duration,
    deadline: Option<Instant>,
    abort: CancellationToken,
    transcript: Vec<u8>,
    /// The events sent so far, kept for the response cache while they fit in it.
    captured: Option<Captured>,
    finished: bool,
}

struct Captured {
    fill: CacheFill,
    events: Vec<Bytes>,
    bytes: usize,
}

/// Everything the relay needs besides the upstream response.
pub struct RelayParts {
    pub config: Arc<Config>,
    pub abort: CancellationToken,
    pub pipe: Box<dyn Pipe>,
    /// Prompt tokens for the row if the provider reports none.
    pub input_estimate: InputEstimate,
    /// Where the complete stream goes when the request may be cached.
    pub cache: Option<CacheFill>,
    /// The route's idle timeout, replacing the provider's.
    pub idle: Option<Duration>,
    /// When the whole request must be over.
    pub deadline: Option<Instant>,
}

pub fn relay(response: reqwest::Response, parts: RelayParts, mut rec: Recorder) -> Response {
    let mut headers = HeaderMap::new();
    for (name, value) in response.headers() {
        if upstream::forwardable(name.as_str()) {
            headers.insert(name.clone(), value.clone());
        }
    }
    let provider = rec.row().provider.clone();
    let model = rec.row().upstream_model.clone();
    let idle = provider
        .as_deref()
        .and_then(|id| parts.config.provider(id))
        .map_or(Duration::from_secs(300), |p| p.timeouts.idle);
    let idle = parts.idle.unwrap_or(idle);
    let content_type = parts.pipe.content_type();
    let relay = Relay {
        upstream: Box::pin(response.bytes_stream()),
        framer: Framer::default(),
        frames: VecDeque::new(),
        ended: false,
        pipe: parts.pipe,
        rec: Some(rec),
        config: parts.config,
        input_estimate: parts.input_estimate,
        idle,
        deadline: parts.deadline,
        abort: parts.abort,
        transcript: Vec::new(),
        captured: parts.cache.map(|fill| Captured {
            fill,
            events: Vec::new(),
            bytes: 0,
        }),
        finished: false,
    };
    // The body is polled by the connection after the handler returned: it takes the
    // request's span along, so the stream's log lines carry the request id too.
    let span = tracing::Span::current();
    let body = futures_util::stream::unfold(relay, move |mut relay| {
        let span = span.clone();
        async move {
            let chunk = relay.next_chunk().instrument(span).await?;
            Some((Ok::<Bytes, std::convert::Infallible>(chunk), relay))
        }
    });
    let mut out = Response::new(Body::from_stream(body));
    *out.headers_mut() = headers;
    let h = out.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    super::accounting::decorate(h, provider.as_deref(), model.as_deref(), None);
    out
}

impl Relay {
    /// The next bytes for the client, or `None` when the stream is over.
    async fn next_chunk(&mut self) -> Option<Bytes> {
        loop {
            if self.finished {
                return None;
            }
            if let Some(frame) = self.frames.pop_front() {
                if let Some(rec) = self.rec.as_mut() {
                    rec.mark_first_byte();
                }
                let bytes = self.pipe.event(&frame);
                self.keep(&bytes);
                if self.pipe.done() {
                    self.finish().await;
                }
                if !bytes.is_empty() {
                    return Some(bytes);
                }
                continue;
            }
            if self.ended {
                let closing = self.pipe.end();
                self.keep(&closing);
                self.finish().await;
                return (!closing.is_empty()).then_some(closing);
            }
            let wait = match self.deadline {
                Some(deadline) => self
                    .idle
                    .min(deadline.saturating_duration_since(Instant::now())),
                None => self.idle,
            };
            let next = tokio::select! {
                next = tokio::time::timeout(wait, self.upstream.next()) => next,
                () = self.abort.cancelled() => {
                    return self.fail("Switchyard is shutting down; the stream was ended.".into()).await;
                }
            };
            match next {
                Ok(Some(Ok(chunk))) => {
                    match self.framer.feed(&chunk, upstream::MAX_SSE_EVENT_BYTES) {
                        Ok(frames) => self.frames.extend(frames),
                        Err(_) => {
                            let limit = upstream::MAX_SSE_EVENT_BYTES;
                            let e = upstream::ReadError::EventTooLong { limit };
                            return self
                                .fail(format!("The provider's stream broke off: {e}"))
                                .await;
                        }
                    }
                }
                Ok(None) => {
                    self.ended = true;
                    self.frames.extend(self.framer.finish());
                }
                Ok(Some(Err(e))) => {
                    let e = upstream::ReadError::Transport(e);
                    return self
                        .fail(format!("The provider's stream broke off: {e}"))
                        .await;
                }
                Err(_) if self.deadline.is_some_and(|d| Instant::now() >= d) => {
                    return self
                        .fail(
                            "The request reached its total time limit; the stream was ended."
                                .into(),
                        )
                        .await;
                }
                Err(_) => {
                    let secs = self.idle.as_secs();
                    return self
                        .fail(format!(
                            "The provider sent nothing for {secs} s; the stream was ended."
                        ))
                        .await;
                }
            }
        }
    }

    fn keep(&mut self, bytes: &Bytes) {
        if let Some(captured) = self.captured.as_mut()
            && !bytes.is_empty()
        {
            captured.bytes += bytes.len();
            if captured.bytes > captured.fill.max_bytes() {
                self.captured = None;
            } else {
                captured.events.push(bytes.clone());
            }
        }
        if self.config.logging.store_bodies
            && self.transcript.len() < self.config.logging.max_stored_body_bytes
        {
            self.transcript.extend_from_slice(bytes);
        }
    }

    /// Ends the stream with the client format's error event.
    async fn fail(&mut self, message: String) -> Option<Bytes> {
        let error = broken_stream(message);
        tracing::warn!(error = %error.message, "stream from provider failed");
        let bytes = self.pipe.fail(&error);
        self.captured = None;
        self.keep(&bytes);
        if let Some(rec) = self.rec.as_mut() {
            rec.row().error = Some(error.message.clone());
        }
        self.finish().await;
        (!bytes.is_empty()).then_some(bytes)
    }

    async fn finish(&mut self) {
        self.finished = true;
        let Some(mut rec) = self.rec.take() else {
            return;
        };
        let meter = self.pipe.meter().clone();
        let failed = rec.row().error.is_some() || meter.error.is_some();
        let output = meter.output_chars.div_ceil(4);
        if failed {
            // Broken off: the provider's final usage event never came.
            let input = || self.input_estimate.tokens();
            account_partial(&self.config, rec.row(), meter.usage, input, output);
        } else {
            let both = || (self.input_estimate.tokens(), output);
            account(&self.config, rec.row(), meter.usage, both);
        }
        self.store_transcript(&mut rec);
        if let Some(error) = meter.error {
            let row = rec.row();
            if row.error.is_none() {
                row.error = Some(format!(
                    "the provider reported an error mid-stream: {error}"
                ));
            }
        }
        let outcome = if failed {
            Outcome::UpstreamError
        } else {
            Outcome::Ok
        };
        if let Some(captured) = self.captured.take().filter(|_| !failed) {
            let row = rec.row();
            captured.fill.store(
                row.provider.as_deref().unwrap_or_default(),
                row.upstream_model.as_deref().unwrap_or_default(),
                HeaderValue::from_static("text/event-stream; charset=utf-8"),
                CachedBody::Stream(captured.events),
            );
        }
        rec.finish(200, outcome, None).await;
    }

    fn store_transcript(&self, rec: &mut Recorder) {
        if self.config.logging.store_bodies {
            let limit = self.config.logging.max_stored_body_bytes;
            rec.row().response_body = Some(crate::history::capped_body(&self.transcript, limit));
        }
    }
}

/// The client went away before the stream ended: hyper dropped the body, and with it this
/// relay. The row is priced with the usage seen and the tokens already relayed, then the
/// recorder's own `Drop` records it as `client_disconnected` (which also counts the cost in
/// the budgets); the upstream response is dropped right after, closing its connection.
impl Drop for Relay {
    fn drop(&mut self) {
        let Some(mut rec) = self.rec.take() else {
            return;
        };
        let meter = self.pipe.meter().clone();
        let output = meter.output_chars.div_ceil(4);
        account_partial(
            &self.config,
            rec.row(),
            meter.usage,
            || self.input_estimate.tokens(),
            output,
        );
        self.store_transcript(&mut rec);
    }
}
