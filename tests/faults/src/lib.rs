//! A chaos upstream: an OpenAI-compatible endpoint that fails on purpose, in the ways real
//! providers and networks do, chosen per request by the model name. Model names starting
//! `ok-` get a healthy answer instead, so load, crash and storage cases have something to
//! serve.
//!
//! It is raw TCP rather than an HTTP framework, because the faults worth testing are the ones
//! a framework will not produce: a connection reset before or in the middle of an answer, an
//! answer that never starts or stops halfway, SSE that is not SSE, a body that never ends its
//! line. [`Fault`] lists them; `tests/faults.rs` runs each through the gateway in every
//! client format. [`rig`] is that gateway, in-process, with the short timeouts the cases use.

pub mod rig;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the upstream does with a request, by the model it names (`chaos/<name>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Reads the request, then resets the connection before any byte of an answer.
    ResetBefore,
    /// Starts a stream (headers and one chunk), then resets the connection.
    ResetDuring,
    /// Reads the request and never answers.
    Stall,
    /// Starts a stream, then falls silent.
    StallDuring,
    /// A 200 stream whose events are not JSON, ended without `[DONE]`.
    MalformedSse,
    /// A stream whose second event grows past the gateway's 16 MB limit without a blank line.
    OversizedSse,
    /// A 200 JSON answer announcing 2 GiB without a newline, sent until the gateway hangs up
    /// (the tests set `max_answer_mb = 1`).
    HugeBody,
    /// 307 to another host (`localhost` instead of 127.0.0.1), which must never be followed.
    RedirectElsewhere,
    /// 429 with `retry-after: 0`, every time.
    RateLimitStorm,
}

impl Fault {
    pub const ALL: [Fault; 9] = [
        Fault::ResetBefore,
        Fault::ResetDuring,
        Fault::Stall,
        Fault::StallDuring,
        Fault::MalformedSse,
        Fault::OversizedSse,
        Fault::HugeBody,
        Fault::RedirectElsewhere,
        Fault::RateLimitStorm,
    ];

    /// The upstream model name that triggers it.
    pub fn model(self) -> &'static str {
        match self {
            Fault::ResetBefore => "reset-before",
            Fault::ResetDuring => "reset-during",
            Fault::Stall => "stall",
            Fault::StallDuring => "stall-during",
            Fault::MalformedSse => "malformed-sse",
            Fault::OversizedSse => "oversized-sse",
            Fault::HugeBody => "huge-body",
            Fault::RedirectElsewhere => "redirect-elsewhere",
            Fault::RateLimitStorm => "rate-limit-storm",
        }
    }

    fn from_model(model: &str) -> Option<Fault> {
        Fault::ALL.into_iter().find(|f| f.model() == model)
    }
}

/// A running chaos upstream.
#[derive(Debug)]
pub struct Chaos {
    port: u16,
    /// Requests that arrived at the redirect's target path.
    followed: Arc<AtomicUsize>,
}

impl Chaos {
    pub async fn start() -> std::io::Result<Chaos> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let followed = Arc::new(AtomicUsize::new(0));
        let counter = followed.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let counter = counter.clone();
                tokio::spawn(async move {
                    let _ = answer(tcp, port, &counter).await;
                });
            }
        });
        Ok(Chaos { port, followed })
    }

    /// How many requests followed a redirect to the other host (there must be none).
    pub fn followed_redirects(&self) -> usize {
        self.followed.load(Ordering::SeqCst)
    }

    /// The base URL an `openai-compatible` provider points at.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }
}

const SSE_HEAD: &[u8] =
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
const FIRST_CHUNK: &[u8] = b"data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n";

async fn answer(mut tcp: TcpStream, own_port: u16, followed: &AtomicUsize) -> std::io::Result<()> {
    let (head, body) = read_request(&mut tcp).await?;
    if head.starts_with("post /stolen") {
        followed.fetch_add(1, Ordering::SeqCst);
    }
    let model = model_of(&body);
    if let Some(rest) = model.strip_prefix("ok-") {
        let stream = String::from_utf8_lossy(&body).contains("\"stream\":true");
        return healthy(&mut tcp, &model, stream, rest.starts_with("slow")).await;
    }
    let Some(fault) = Fault::from_model(&model) else {
        let text = r#"{"error":{"message":"unknown chaos model","type":"invalid_request_error"}}"#;
        return respond(
            &mut tcp,
            "400 Bad Request",
            "application/json",
            text.as_bytes(),
        )
        .await;
    };
    match fault {
        Fault::ResetBefore => reset(tcp),
        Fault::ResetDuring => {
            tcp.write_all(SSE_HEAD).await?;
            tcp.write_all(FIRST_CHUNK).await?;
            tcp.flush().await?;
            tokio::time::sleep(Duration::from_millis(50)).await;
            reset(tcp)
        }
        Fault::Stall => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(())
        }
        Fault::StallDuring => {
            tcp.write_all(SSE_HEAD).await?;
            tcp.write_all(FIRST_CHUNK).await?;
            tcp.flush().await?;
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(())
        }
        Fault::MalformedSse => {
            tcp.write_all(SSE_HEAD).await?;
            tcp.write_all(
                b"data: {not json\n\nevent: ???\ndata: \x00\x01\n\n:comment only\n\ndata: [DON",
            )
            .await?;
            tcp.shutdown().await
        }
        Fault::OversizedSse => {
            tcp.write_all(SSE_HEAD).await?;
            tcp.write_all(FIRST_CHUNK).await?;
            tcp.write_all(b"data: ").await?;
            let filler = vec![b'a'; 1024 * 1024];
            for _ in 0..17 {
                if tcp.write_all(&filler).await.is_err() {
                    break; // the gateway hung up, as it should
                }
            }
            Ok(())
        }
        Fault::HugeBody => {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{{\"choices\":[{{\"message\":{{\"content\":\"",
                HUGE_BODY_BYTES
            );
            tcp.write_all(head.as_bytes()).await?;
            let filler = vec![b'x'; 1024 * 1024];
            for _ in 0..HUGE_BODY_BYTES / filler.len() {
                if tcp.write_all(&filler).await.is_err() {
                    break; // the gateway hung up, as it should
                }
            }
            Ok(())
        }
        Fault::RedirectElsewhere => {
            let head = format!(
                "HTTP/1.1 307 Temporary Redirect\r\nlocation: http://localhost:{own_port}/stolen\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
            tcp.write_all(head.as_bytes()).await?;
            tcp.shutdown().await
        }
        Fault::RateLimitStorm => {
            let text = r#"{"error":{"message":"Rate limit reached","type":"rate_limit_error","code":"rate_limit_exceeded"}}"#;
            let head = format!(
                "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\nretry-after: 0\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                text.len()
            );
            tcp.write_all(head.as_bytes()).await?;
            tcp.write_all(text.as_bytes()).await?;
            tcp.shutdown().await
        }
    }
}

/// What [`Fault::HugeBody`] announces: 2 GiB.
pub const HUGE_BODY_BYTES: usize = 2 << 30;

/// A healthy provider's answer: a chat completion with usage, or the same as a stream of
/// chunks ending in a usage chunk and `[DONE]` (20 ms apart when `slow`).
async fn healthy(
    tcp: &mut TcpStream,
    model: &str,
    stream: bool,
    slow: bool,
) -> std::io::Result<()> {
    if !stream {
        let text = format!(
            r#"{{"id":"chatcmpl-ok","object":"chat.completion","created":1,"model":"{model}","choices":[{{"index":0,"message":{{"role":"assistant","content":"ok"}},"finish_reason":"stop"}}],"usage":{{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}}}"#
        );
        return respond(tcp, "200 OK", "application/json", text.as_bytes()).await;
    }
    tcp.write_all(SSE_HEAD).await?;
    let chunk = |delta: &str, finish: &str| {
        format!(
            r#"data: {{"id":"c1","object":"chat.completion.chunk","created":1,"model":"{model}","choices":[{{"index":0,"delta":{delta},"finish_reason":{finish}}}]}}"#
        ) + "\n\n"
    };
    let mut events = vec![chunk(r#"{"role":"assistant","content":""}"#, "null")];
    events.extend((0..4).map(|_| chunk(r#"{"content":"ok"}"#, "null")));
    events.push(chunk("{}", r#""stop""#));
    events.push(format!(
        r#"data: {{"id":"c1","object":"chat.completion.chunk","created":1,"model":"{model}","choices":[],"usage":{{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9}}}}"#
    ) + "\n\ndata: [DONE]\n\n");
    for event in events {
        tcp.write_all(event.as_bytes()).await?;
        tcp.flush().await?;
        if slow {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    tcp.shutdown().await
}

/// Drops the connection with a TCP reset instead of a clean close.
fn reset(tcp: TcpStream) -> std::io::Result<()> {
    tcp.set_zero_linger()?;
    drop(tcp);
    Ok(())
}

async fn respond(
    tcp: &mut TcpStream,
    status: &str,
    content_type: &str,
    body: &[u8],
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    tcp.write_all(head.as_bytes()).await?;
    tcp.write_all(body).await?;
    tcp.shutdown().await
}

/// Reads one request (head and `Content-Length` body): the head, lowercase, and the body.
async fn read_request(tcp: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = tcp.read(&mut chunk).await?;
        if n == 0 {
            return Ok((String::new(), Vec::new()));
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = tcp.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf.split_off(head_end);
    Ok((head, body))
}

/// The `"model"` of a JSON body, found without a JSON parser (this crate has no dependencies
/// but tokio): the gateway always writes it as `"model":"…"`.
fn model_of(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    text.split_once("\"model\":")
        .and_then(|(_, rest)| rest.trim_start().strip_prefix('"'))
        .and_then(|rest| rest.split_once('"'))
        .map(|(model, _)| model.to_owned())
        .unwrap_or_default()
}
