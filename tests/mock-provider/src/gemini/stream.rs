//! The two ways `:streamGenerateContent` streams, and the scripted
//! mid-stream failures.
//!
//! With `?alt=sse`: one `data: <compact JSON>` event per chunk, each ended by
//! `\r\n\r\n` as Google's front end writes them (a parser that only splits
//! on `\n\n` breaks here), and no `[DONE]`: the stream simply ends.
//!
//! Without it (the API's default): one JSON array, written as it goes:
//! `[` + chunk, then `\n,\r\n` + chunk for each further chunk, then `\n]`,
//! each chunk pretty-printed like every other Google JSON body. A client
//! must parse the array incrementally to stream at all.
//!
//! `midstream-reset` sends two chunks then cuts the connection;
//! `midstream-error` sends two chunks then an `{"error":{…}}` element (an SSE
//! event, or an array element followed by the closing `]`).

use std::time::Duration;

use axum::http::{HeaderValue, header};
use axum::response::Response;
use bytes::Bytes;

use super::error::GoogleError;
use super::response::GenerateContentResponse;
use crate::script::Script;
use crate::sse::{self, Event};

/// How a stream is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// `?alt=sse`.
    Sse,
    /// A JSON array (no `alt`, or `alt=json`).
    JsonArray,
}

/// The streamed response playing `chunks`, `interval` apart.
pub(crate) fn respond(
    framing: Framing,
    script: Script,
    chunks: &[GenerateContentResponse],
    interval: Duration,
) -> Response {
    let mut payloads: Vec<serde_json::Value> = chunks
        .iter()
        .map(|chunk| serde_json::to_value(chunk).unwrap_or_default())
        .collect();
    let cut = script.cuts_stream();
    if cut {
        payloads.truncate(2);
        if script == Script::MidstreamError {
            payloads.push(GoogleError::internal().body());
        }
    }
    let count = payloads.len();
    let mut events: Vec<Event> = payloads
        .iter()
        .enumerate()
        .map(|(i, payload)| {
            let frame = match framing {
                Framing::Sse => format!("data: {payload}\r\n\r\n"),
                Framing::JsonArray => {
                    let pretty = serde_json::to_string_pretty(payload).unwrap_or_default();
                    let opening = if i == 0 { "[" } else { "\n,\r\n" };
                    let closing = if i + 1 == count && script != Script::MidstreamReset {
                        "\n]"
                    } else {
                        ""
                    };
                    format!("{opening}{pretty}{closing}")
                }
            };
            Event::Frame(Bytes::from(frame))
        })
        .collect();
    if script == Script::MidstreamReset {
        events.push(Event::Reset);
    }
    let mut response = Response::new(sse::body(events, interval));
    let content_type = match framing {
        Framing::Sse => "text/event-stream",
        Framing::JsonArray => "application/json; charset=UTF-8",
    };
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
