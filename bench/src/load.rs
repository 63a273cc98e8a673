//! The load generator: a fixed number of workers, each with one keep-alive HTTP/1.1
//! connection (TCP_NODELAY), sending the same request back to back until a deadline or a
//! request count, whichever comes first.
//!
//! One connection per worker, like wrk: concurrency is exactly the number of requests in
//! flight, and no client-side pool or middleware sits in the measured path. Latencies go into
//! HDR histograms in nanoseconds. For SSE answers it also times each event (an event ends at a
//! blank line): the first one from the moment the request was sent, the rest from the one before.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::Barrier;

/// No single request may take longer than this; one that does counts as an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// A worker gives up after this many transport errors (it reconnects after each).
const MAX_ERRORS_PER_WORKER: u64 = 20;

/// What to send and where.
#[derive(Debug, Clone)]
pub struct Target {
    pub addr: SocketAddr,
    pub path: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Time SSE events in the answer.
    pub stream: bool,
}

impl Target {
    /// A JSON POST to `path` on `addr`, with extra headers (names lower case).
    pub fn post(
        addr: SocketAddr,
        path: &'static str,
        body: String,
        stream: bool,
        extra: &[(&'static str, &str)],
    ) -> anyhow::Result<Target> {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_str(&addr.to_string())?);
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(
            header::USER_AGENT,
            HeaderValue::from_static("switchyard-bench"),
        );
        for (name, value) in extra {
            headers.insert(HeaderName::from_static(name), HeaderValue::from_str(value)?);
        }
        Ok(Target {
            addr,
            path: Uri::from_static(path),
            headers,
            body: Bytes::from(body),
            stream,
        })
    }
}

/// How hard and how long.
#[derive(Debug, Clone, Copy)]
pub struct Phase {
    pub concurrency: usize,
    /// Untimed requests per worker before the clock starts (warms both connection pools).
    pub warmup: u32,
    pub duration: Duration,
    /// Timed requests per worker at most.
    pub max_requests: u64,
}

/// What one phase measured.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Request sent → last byte of the answer, nanoseconds.
    pub latency: Histogram<u64>,
    /// Request sent → end of the first SSE event, nanoseconds.
    pub first_event: Histogram<u64>,
    /// End of one SSE event → end of the next, nanoseconds.
    pub gaps: Histogram<u64>,
    /// Timed answers with a 2xx status.
    pub ok: u64,
    /// Timed answers with another status.
    pub failed: u64,
    /// Requests that got no complete answer (connection error, timeout).
    pub errors: u64,
    /// Every complete answer, timed or warm-up: what a gateway should have recorded.
    pub answered: u64,
    /// The first non-2xx answer or error, to explain a failed run.
    pub first_problem: Option<String>,
    /// From the first worker starting its clock to the last one finishing.
    pub elapsed: Duration,
    /// When the last timed answer arrived.
    pub last_answer: Option<Instant>,
}

#[allow(clippy::expect_used)]
fn histogram() -> Histogram<u64> {
    // 1 ns .. 100 s at three significant digits. The bounds are constants that hdrhistogram
    // accepts, so this cannot fail at run time.
    Histogram::new_with_bounds(1, 100_000_000_000, 3).expect("valid constant bounds")
}

impl Default for Sample {
    fn default() -> Self {
        Sample::new()
    }
}

impl Sample {
    pub fn new() -> Sample {
        Sample {
            latency: histogram(),
            first_event: histogram(),
            gaps: histogram(),
            ok: 0,
            failed: 0,
            errors: 0,
            answered: 0,
            first_problem: None,
            elapsed: Duration::ZERO,
            last_answer: None,
        }
    }

    /// Timed answers per second.
    pub fn throughput(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            (self.ok + self.failed) as f64 / secs
        } else {
            0.0
        }
    }

    /// Adds another sample's counts and histograms (a later round of the same measurement).
    pub fn merge(&mut self, other: &Sample) {
        // Both histograms have the same bounds, so adding cannot fail.
        let _ = self.latency.add(&other.latency);
        let _ = self.first_event.add(&other.first_event);
        let _ = self.gaps.add(&other.gaps);
        self.ok += other.ok;
        self.failed += other.failed;
        self.errors += other.errors;
        self.answered += other.answered;
        if self.first_problem.is_none() {
            self.first_problem.clone_from(&other.first_problem);
        }
        self.elapsed += other.elapsed;
        self.last_answer = self.last_answer.max(other.last_answer);
    }
}

/// Runs one phase against one target and merges what every worker saw.
pub async fn run(target: &Target, phase: Phase) -> Sample {
    let target = Arc::new(target.clone());
    let barrier = Arc::new(Barrier::new(phase.concurrency.max(1)));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..phase.concurrency.max(1) {
        workers.spawn(worker(target.clone(), phase, barrier.clone()));
    }
    let mut total = Sample::new();
    let mut first_start: Option<Instant> = None;
    let mut last_end: Option<Instant> = None;
    while let Some(done) = workers.join_next().await {
        let Ok((sample, start, end)) = done else {
            total.errors += 1;
            continue;
        };
        first_start = Some(first_start.map_or(start, |s| s.min(start)));
        last_end = Some(last_end.map_or(end, |e| e.max(end)));
        total.merge(&sample);
    }
    total.elapsed = match (first_start, last_end) {
        (Some(start), Some(end)) => end.saturating_duration_since(start),
        _ => Duration::ZERO,
    };
    total
}

async fn worker(
    target: Arc<Target>,
    phase: Phase,
    barrier: Arc<Barrier>,
) -> (Sample, Instant, Instant) {
    let mut sample = Sample::new();
    let mut sender = connect(target.addr).await;
    let mut scratch = Sample::new();
    for _ in 0..phase.warmup {
        if let Ok(s) = sender.as_mut() {
            match tokio::time::timeout(REQUEST_TIMEOUT, one(s, &target, &mut scratch)).await {
                Ok(Ok(_)) => sample.answered += 1,
                _ => sender = connect(target.addr).await,
            }
        }
    }
    // Every worker reaches the barrier, connected or not, so none can hold the others up.
    barrier.wait().await;
    let start = Instant::now();
    let deadline = start + phase.duration;
    let mut sent = 0u64;
    while sent < phase.max_requests && Instant::now() < deadline {
        sent += 1;
        let result = match sender.as_mut() {
            Ok(s) => {
                match tokio::time::timeout(REQUEST_TIMEOUT, one(s, &target, &mut sample)).await {
                    Ok(result) => result,
                    Err(_) => Err(anyhow::anyhow!(
                        "no complete answer within {REQUEST_TIMEOUT:?}"
                    )),
                }
            }
            Err(e) => Err(anyhow::anyhow!("not connected: {e:#}")),
        };
        match result {
            Ok(status) => {
                sample.answered += 1;
                sample.last_answer = Some(Instant::now());
                if (200..300).contains(&status.0) {
                    sample.ok += 1;
                } else {
                    sample.failed += 1;
                    if sample.first_problem.is_none() {
                        sample.first_problem = Some(format!("HTTP {}: {}", status.0, status.1));
                    }
                }
            }
            Err(e) => {
                sample.errors += 1;
                if sample.first_problem.is_none() {
                    sample.first_problem = Some(format!("{e:#}"));
                }
                if sample.errors >= MAX_ERRORS_PER_WORKER {
                    break;
                }
                sender = connect(target.addr).await;
            }
        }
    }
    (sample, start, Instant::now())
}

async fn connect(addr: SocketAddr) -> anyhow::Result<SendRequest<Full<Bytes>>> {
    let stream = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr))
        .await
        .context("connect timed out")?
        .with_context(|| format!("cannot connect to {addr}"))?;
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        // Ends when the worker drops its sender or the peer closes; either is fine.
        let _ = connection.await;
    });
    Ok(sender)
}

/// One request; records its latency (and event timings) in `sample` when it completes.
/// Returns the status and, for a non-2xx answer, the start of its body.
async fn one(
    sender: &mut SendRequest<Full<Bytes>>,
    target: &Target,
    sample: &mut Sample,
) -> anyhow::Result<(u16, String)> {
    sender.ready().await?;
    let mut request = Request::new(Full::new(target.body.clone()));
    *request.method_mut() = Method::POST;
    *request.uri_mut() = target.path.clone();
    *request.headers_mut() = target.headers.clone();
    let sent = Instant::now();
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let mut body = response.into_body();
    let mut problem = String::new();
    let mut previous_newline = false;
    let mut last_event: Option<Instant> = None;
    let mut first_event: Option<u64> = None;
    let mut gaps: Vec<u64> = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue;
        };
        let now = Instant::now();
        if !(200..300).contains(&status) && problem.len() < 300 {
            problem.push_str(&String::from_utf8_lossy(&data[..data.len().min(300)]));
        }
        if !target.stream {
            continue;
        }
        for &byte in data.iter() {
            let newline = byte == b'\n';
            if newline && previous_newline {
                match last_event {
                    None => first_event = Some(nanos(now - sent)),
                    Some(previous) => gaps.push(nanos(now - previous)),
                }
                last_event = Some(now);
                previous_newline = false;
            } else {
                previous_newline = newline;
            }
        }
    }
    sample.latency.saturating_record(nanos(sent.elapsed()));
    if let Some(first) = first_event {
        sample.first_event.saturating_record(first);
    }
    for gap in gaps {
        sample.gaps.saturating_record(gap);
    }
    Ok((status, problem))
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fast_mock::{self, Pacing};

    async fn mock() -> SocketAddr {
        let (listener, addr) = fast_mock::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("a loopback port");
        let pacing = Pacing {
            events: 16,
            gap: Duration::ZERO,
        };
        tokio::spawn(fast_mock::serve(listener, pacing));
        addr
    }

    fn few(concurrency: usize) -> Phase {
        Phase {
            concurrency,
            warmup: 1,
            duration: Duration::from_secs(5),
            max_requests: 3,
        }
    }

    #[tokio::test]
    async fn every_answer_is_counted_and_warm_ups_are_not_timed() {
        let addr = mock().await;
        let body = r#"{"model":"bench","messages":[]}"#.to_owned();
        let target = Target::post(addr, "/v1/chat/completions", body, false, &[]).unwrap();
        let sample = run(&target, few(2)).await;
        assert_eq!(sample.ok, 6, "3 timed requests on each of 2 connections");
        assert_eq!(sample.answered, 8, "the 2 warm-ups were answered too");
        assert_eq!(
            sample.latency.len(),
            6,
            "only timed requests are in the histogram"
        );
        assert_eq!(
            sample.errors + sample.failed,
            0,
            "{:?}",
            sample.first_problem
        );
    }

    #[tokio::test]
    async fn each_sse_event_is_timed_openai_and_anthropic_alike() {
        let addr = mock().await;
        let chat = r#"{"model":"bench-s8","stream":true}"#.to_owned();
        let chat = Target::post(addr, "/v1/chat/completions", chat, true, &[]).unwrap();
        let sample = run(&chat, few(1)).await;
        assert_eq!(sample.first_event.len(), 3, "one first event per stream");
        // 8 content events, the finish chunk and [DONE]: 10 events, 9 gaps per stream.
        assert_eq!(sample.gaps.len(), 27, "9 gaps in each of 3 streams");

        let messages = r#"{"model":"claude-x-s8","stream":true}"#.to_owned();
        let messages = Target::post(addr, "/v1/messages", messages, true, &[]).unwrap();
        let sample = run(&messages, few(1)).await;
        // message_start, content_block_start, 8 deltas, content_block_stop, message_delta,
        // message_stop: 13 events, 12 gaps per stream.
        assert_eq!(sample.gaps.len(), 36, "12 gaps in each of 3 streams");
    }
}
