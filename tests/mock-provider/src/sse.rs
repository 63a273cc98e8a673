//! Server-sent-event responses shared by every provider mock.
//!
//! A streamed answer is planned up front as a list of [`Event`]s and then
//! played out with an optional pause between events. A planned
//! [`Event::Reset`] makes the body stream fail, which makes hyper cut the
//! chunked response without its terminating chunk: to the client it looks
//! like a connection dropped mid-stream.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use bytes::Bytes;
use futures_util::StreamExt;
use serde::Serialize;

/// Pause before a reset, so the events before it are flushed to the client
/// first (hyper would otherwise drop its unflushed buffer with the connection).
const FLUSH_BEFORE_RESET: Duration = Duration::from_millis(20);

/// One step of a streamed answer.
#[derive(Debug, Clone)]
pub(crate) enum Event {
    /// Raw bytes already framed as SSE.
    Frame(Bytes),
    /// Abort the response: the body stream yields an error here.
    Reset,
}

impl Event {
    /// `data: {json}\n\n`.
    pub(crate) fn data<T: Serialize>(value: &T) -> Event {
        let json = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
        Event::Frame(Bytes::from(format!("data: {json}\n\n")))
    }

    /// `event: {name}\ndata: {json}\n\n`: a named event, as Anthropic sends them.
    pub(crate) fn named<T: Serialize>(name: &str, value: &T) -> Event {
        let json = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
        Event::Frame(Bytes::from(format!("event: {name}\ndata: {json}\n\n")))
    }

    /// OpenAI's end-of-stream marker, `data: [DONE]\n\n`.
    pub(crate) fn done() -> Event {
        Event::Frame(Bytes::from_static(b"data: [DONE]\n\n"))
    }
}

/// A `text/event-stream` response playing `events` with `interval` between them.
pub(crate) fn response(events: Vec<Event>, interval: Duration) -> Response {
    let mut response = Response::new(body(events, interval));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// A body playing `events` with `interval` between them.
pub(crate) fn body(events: Vec<Event>, interval: Duration) -> Body {
    let stream = futures_util::stream::iter(events.into_iter().enumerate()).then(
        move |(i, event)| async move {
            let pause = match event {
                Event::Reset => interval.max(FLUSH_BEFORE_RESET),
                Event::Frame(_) if i == 0 => Duration::ZERO,
                Event::Frame(_) => interval,
            };
            if !pause.is_zero() {
                tokio::time::sleep(pause).await;
            }
            match event {
                Event::Frame(bytes) => Ok(bytes),
                Event::Reset => Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "mock-provider: scripted mid-stream reset",
                )),
            }
        },
    );
    Body::from_stream(stream)
}
