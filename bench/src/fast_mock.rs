//! The fast mock provider: OpenAI chat completions and Anthropic messages, JSON and SSE, as
//! cheaply as hyper allows, so that what the benchmark measures is Switchyard and not the mock.
//!
//! Unlike `tests/mock-provider` it records nothing, validates nothing and parses no JSON: it
//! finds `"model"`, `"stream"` and `"include_usage"` by scanning the body's bytes, and every
//! answer is a static byte string. It must stay that way: anything it spends per request is
//! counted against the direct baseline the gateway is compared with.
//!
//! Streams are paced through the model name: `bench-s64-p20` streams 64 content events 20 ms
//! apart (the first right away, the trailer right after the last), so the knobs survive a
//! gateway that rewrites or translates the request body.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use http_body_util::{BodyExt, Either, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// Requests larger than this are refused: the largest the benchmark sends is its 2 MiB image.
const MAX_BODY: usize = 8 << 20;

/// How many content events a stream carries and how far apart, unless the model name says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    pub events: u32,
    pub gap: Duration,
}

impl Pacing {
    /// Reads `-sN` (events) and `-pN` (milliseconds between events) from a model name.
    pub fn from_model(model: &[u8], default: Pacing) -> Pacing {
        let mut pacing = default;
        for part in model.split(|b| *b == b'-') {
            let Some((&knob, digits)) = part.split_first() else {
                continue;
            };
            let Some(n) = parse_u32(digits) else {
                continue;
            };
            match knob {
                b's' => pacing.events = n.min(100_000),
                b'p' => pacing.gap = Duration::from_millis(u64::from(n.min(60_000))),
                _ => {}
            }
        }
        pacing
    }
}

fn parse_u32(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        digits
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0')),
    )
}

type Events = BoxStream<'static, Result<Frame<Bytes>, Infallible>>;
pub type Body = Either<Full<Bytes>, StreamBody<Events>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    OpenAi,
    Anthropic,
}

const CHAT_JSON: &[u8] = br#"{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"fn main() {\n    println!(\"hello\");\n}","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":24,"completion_tokens":12,"total_tokens":36},"system_fingerprint":null}"#;
const CHAT_FIRST: &[u8] = b"data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"tok \"},\"logprobs\":null,\"finish_reason\":null}]}\n\n";
const CHAT_DELTA: &[u8] = b"data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok \"},\"logprobs\":null,\"finish_reason\":null}]}\n\n";
const CHAT_FINISH: &[u8] = b"data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n";
const CHAT_USAGE: &[u8] = b"data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"bench\",\"choices\":[],\"usage\":{\"prompt_tokens\":24,\"completion_tokens\":64,\"total_tokens\":88}}\n\n";
const CHAT_DONE: &[u8] = b"data: [DONE]\n\n";

const MESSAGE_JSON: &[u8] = br#"{"id":"msg_bench","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"fn main() {\n    println!(\"hello\");\n}"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":24,"output_tokens":12}}"#;
const MESSAGE_START: &[u8] = b"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_bench\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":24,\"output_tokens\":1}}}\n\n";
const BLOCK_START: &[u8] = b"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
const BLOCK_DELTA: &[u8] = b"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"tok \"}}\n\n";
const BLOCK_STOP: &[u8] =
    b"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n";
const MESSAGE_DELTA: &[u8] = b"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":64}}\n\n";
const MESSAGE_STOP: &[u8] = b"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

const HEALTHY: &[u8] = br#"{"status":"ok"}"#;
const NOT_FOUND: &[u8] = br#"{"error":{"message":"the bench mock serves POST /v1/chat/completions and POST /v1/messages only","type":"invalid_request_error"}}"#;
const TOO_LARGE: &[u8] = br#"{"error":{"message":"request body unreadable or over 8 MiB","type":"invalid_request_error"}}"#;

/// Serves until the listener fails; each connection on its own task, keep-alive, TCP_NODELAY.
pub async fn serve(listener: TcpListener, default: Pacing) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        // Without it, Nagle's algorithm holds a small SSE event back until the previous one is
        // acknowledged, and delayed ACKs turn that into a stall per event on a reused connection.
        stream.set_nodelay(true)?;
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| answer(request, default));
            // A connection that breaks is the client's business; the mock just lets it go.
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Binds `addr` (port 0 picks one) and returns the listener with the address it got.
pub async fn bind(addr: SocketAddr) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    Ok((listener, local))
}

async fn answer(request: Request<Incoming>, default: Pacing) -> Result<Response<Body>, Infallible> {
    let dialect = match (request.method(), request.uri().path()) {
        (&Method::POST, "/v1/chat/completions" | "/chat/completions") => Dialect::OpenAi,
        (&Method::POST, "/v1/messages" | "/messages") => Dialect::Anthropic,
        (&Method::GET, "/healthz") => return Ok(whole(StatusCode::OK, HEALTHY)),
        _ => return Ok(whole(StatusCode::NOT_FOUND, NOT_FOUND)),
    };
    let body = match Limited::new(request.into_body(), MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Ok(whole(StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE)),
    };
    if !is_true(&body, b"\"stream\"") {
        let json = match dialect {
            Dialect::OpenAi => CHAT_JSON,
            Dialect::Anthropic => MESSAGE_JSON,
        };
        return Ok(whole(StatusCode::OK, json));
    }
    let pacing = string_value(&body, b"\"model\"")
        .map_or(default, |model| Pacing::from_model(model, default));
    let usage = dialect == Dialect::OpenAi && is_true(&body, b"\"include_usage\"");
    Ok(stream(dialect, pacing, usage))
}

fn whole(status: StatusCode, json: &'static [u8]) -> Response<Body> {
    let mut response = Response::new(Either::Left(Full::new(Bytes::from_static(json))));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The frames of one stream: a head, `events` content events `gap` apart, and a trailer.
fn stream(dialect: Dialect, pacing: Pacing, usage: bool) -> Response<Body> {
    // Fixed-size arrays (with a length) rather than vectors: the closure below copies them
    // for every frame, and a stream should cost no allocation per event.
    type Frames = ([&'static [u8]; 3], usize);
    let (head, first_delta, delta, trailer): (Frames, &'static [u8], &'static [u8], Frames) =
        match dialect {
            Dialect::OpenAi if usage => (
                ([CHAT_DONE; 3], 0),
                CHAT_FIRST,
                CHAT_DELTA,
                ([CHAT_FINISH, CHAT_USAGE, CHAT_DONE], 3),
            ),
            Dialect::OpenAi => (
                ([CHAT_DONE; 3], 0),
                CHAT_FIRST,
                CHAT_DELTA,
                ([CHAT_FINISH, CHAT_DONE, CHAT_DONE], 2),
            ),
            Dialect::Anthropic => (
                ([MESSAGE_START, BLOCK_START, BLOCK_START], 2),
                BLOCK_DELTA,
                BLOCK_DELTA,
                ([BLOCK_STOP, MESSAGE_DELTA, MESSAGE_STOP], 3),
            ),
        };
    let events = pacing.events as usize;
    let total = head.1 + events + trailer.1;
    let frames = futures_util::stream::unfold(0usize, move |i| async move {
        if i >= total {
            return None;
        }
        let bytes: &'static [u8] = if i < head.1 {
            head.0[i]
        } else if i < head.1 + events {
            let n = i - head.1;
            if n > 0 && !pacing.gap.is_zero() {
                tokio::time::sleep(pacing.gap).await;
            }
            if n == 0 { first_delta } else { delta }
        } else {
            trailer.0[i - head.1 - events]
        };
        Some((Ok(Frame::data(Bytes::from_static(bytes))), i + 1))
    });
    let events: Events = Box::pin(frames);
    let mut response = Response::new(Either::Right(StreamBody::new(events)));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The bytes after `key` and its colon, whitespace skipped.
fn value_after<'a>(body: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let at = body.windows(key.len()).position(|w| w == key)? + key.len();
    let rest = body[at..].trim_ascii_start().strip_prefix(b":")?;
    Some(rest.trim_ascii_start())
}

fn is_true(body: &[u8], key: &[u8]) -> bool {
    value_after(body, key).is_some_and(|v| v.starts_with(b"true"))
}

fn string_value<'a>(body: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let rest = value_after(body, key)?.strip_prefix(b"\"")?;
    let end = rest.iter().position(|b| *b == b'"')?;
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Pacing = Pacing {
        events: 16,
        gap: Duration::ZERO,
    };

    #[test]
    fn pacing_comes_from_the_model_name_and_falls_back_to_the_default() {
        assert_eq!(
            Pacing::from_model(b"bench-s64-p20", NONE),
            Pacing {
                events: 64,
                gap: Duration::from_millis(20)
            },
            "s64 means 64 events, p20 means 20 ms apart"
        );
        assert_eq!(
            Pacing::from_model(b"claude-x", NONE),
            NONE,
            "a name without knobs keeps the default"
        );
    }

    #[test]
    fn fields_are_found_with_or_without_whitespace() {
        let body =
            br#"{"model" : "bench-s8", "stream":true,"stream_options":{"include_usage": true}}"#;
        assert_eq!(string_value(body, b"\"model\""), Some(&b"bench-s8"[..]));
        assert!(is_true(body, b"\"stream\""), "stream is true");
        assert!(is_true(body, b"\"include_usage\""), "include_usage is true");
        assert!(
            !is_true(br#"{"stream":false}"#, b"\"stream\""),
            "stream false is not a stream"
        );
    }
}
