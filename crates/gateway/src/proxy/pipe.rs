//! What happens to each upstream SSE event on its way to the client.
//!
//! The relay ([`super::sse`]) is the same for every stream: read events as they arrive, enforce
//! the idle timeout, end with an error event if the provider breaks off, and record the row.
//! A [`Pipe`] decides the rest:
//! - [`OpenAiPassthrough`] forwards OpenAI chunks byte for byte, reads usage from them, and
//!   withholds the usage-only chunk from a client that did not ask for it;
//! - [`Observed`] forwards another format's events byte for byte (Anthropic, Responses,
//!   Gemini) and feeds their data to a decoder or probe, only to learn usage;
//! - [`Translate`] decodes the provider's events into canonical ones and encodes them in the
//!   client's format;
//! - [`JsonArray`] re-frames another pipe's events as the JSON array Gemini streams without
//!   `alt=sse`.

use bytes::Bytes;
use switchyard_protocol::Usage;
use switchyard_protocol::canonical::{
    ApiError, ErrorKind, SseEvent, StreamDecoder, StreamEncoder, StreamEvent,
};
use switchyard_protocol::openai_chat::{DONE, ErrorBody};

use super::estimate::StreamChunk;
use super::frames::{Frame, Framer};

pub trait Pipe: Send {
    /// One upstream frame: the bytes to send the client (possibly none).
    fn event(&mut self, frame: &Frame) -> Bytes;
    /// The upstream ended cleanly: closing bytes the client format still needs.
    fn end(&mut self) -> Bytes;
    /// The upstream broke off: the client format's error event.
    fn fail(&mut self, error: &ApiError) -> Bytes;
    /// What was learned for the history.
    fn meter(&self) -> &Meter;
    /// True once the stream is complete from the client's point of view.
    fn done(&self) -> bool;
    /// The answer's `Content-Type`.
    fn content_type(&self) -> &'static str {
        "text/event-stream; charset=utf-8"
    }
}

/// Usage, output size and errors seen on a stream.
#[derive(Debug, Default, Clone)]
pub struct Meter {
    pub usage: Option<Usage>,
    pub output_chars: u64,
    /// An error the provider reported inside the stream.
    pub error: Option<String>,
}

impl Meter {
    /// Feeds canonical events: usage numbers replace earlier ones field by field (a provider
    /// sends input tokens first and output tokens last).
    pub fn observe(&mut self, events: &[StreamEvent]) {
        for event in events {
            match event {
                StreamEvent::Start { usage, .. } | StreamEvent::Usage { usage } => {
                    self.usage.get_or_insert_with(Usage::default).merge(usage)
                }
                StreamEvent::TextDelta { text, .. } | StreamEvent::ThinkingDelta { text, .. } => {
                    self.output_chars += text.chars().count() as u64;
                }
                StreamEvent::ToolCallDelta { arguments, .. } => {
                    self.output_chars += arguments.chars().count() as u64;
                }
                StreamEvent::Error { error } => {
                    self.error = Some(crate::secrets::redact(&error.message).into_owned());
                }
                _ => {}
            }
        }
    }
}

/// OpenAI chat or legacy completions, passed through.
#[derive(Debug)]
pub struct OpenAiPassthrough {
    client_wants_usage: bool,
    meter: Meter,
    done: bool,
}

impl OpenAiPassthrough {
    pub fn new(client_wants_usage: bool) -> Self {
        OpenAiPassthrough {
            client_wants_usage,
            meter: Meter::default(),
            done: false,
        }
    }
}

impl Pipe for OpenAiPassthrough {
    fn event(&mut self, frame: &Frame) -> Bytes {
        let Some(data) = frame.data.as_deref() else {
            return frame.raw.clone(); // a keep-alive comment
        };
        if data == DONE {
            self.done = true;
            return frame.raw.clone();
        }
        // One parse per chunk gives usage, errors and the text size for an estimate.
        let chunk = StreamChunk::parse(data);
        self.meter.output_chars += chunk.text_chars();
        if let Some(usage) = &chunk.usage {
            self.meter.usage = Some(usage.into());
        }
        if let Some(error) = &chunk.error {
            self.meter.error = Some(crate::secrets::redact(&error.message).into_owned());
            self.done = true;
        }
        if chunk.is_usage_only() && !self.client_wants_usage {
            return Bytes::new();
        }
        frame.raw.clone()
    }

    fn end(&mut self) -> Bytes {
        self.done = true;
        Bytes::new()
    }

    fn fail(&mut self, error: &ApiError) -> Bytes {
        self.done = true;
        let body = ErrorBody::new(
            error.message.clone(),
            "server_error",
            Some("upstream_stream_error"),
        );
        Bytes::from(SseEvent::data(serde_json::to_string(&body).unwrap_or_default()).to_bytes())
    }

    fn meter(&self) -> &Meter {
        &self.meter
    }

    fn done(&self) -> bool {
        self.done
    }
}

/// Another format passed through untouched, observed by a decoder for usage and errors.
pub struct Observed {
    decoder: Box<dyn StreamDecoder>,
    /// The format's terminal event name (`message_stop`, `response.completed`, …).
    terminal: &'static [&'static str],
    /// Builds the client format's error event for a broken stream.
    error_event: fn(&ApiError) -> SseEvent,
    meter: Meter,
    done: bool,
}

impl Observed {
    pub fn new(
        decoder: Box<dyn StreamDecoder>,
        terminal: &'static [&'static str],
        error_event: fn(&ApiError) -> SseEvent,
    ) -> Self {
        Observed {
            decoder,
            terminal,
            error_event,
            meter: Meter::default(),
            done: false,
        }
    }
}

impl Pipe for Observed {
    fn event(&mut self, frame: &Frame) -> Bytes {
        if let Some(data) = frame.data.as_deref() {
            let name = frame.name();
            let events = self.decoder.decode(name, data);
            self.meter.observe(&events);
            if name.is_some_and(|n| self.terminal.contains(&n)) || self.meter.error.is_some() {
                self.done = true;
            }
        }
        frame.raw.clone()
    }

    fn end(&mut self) -> Bytes {
        self.done = true;
        let events = self.decoder.finish();
        // A stream that just stops is incomplete to the decoder; for a pass-through the client
        // saw exactly what the provider sent, so only usage is taken from it.
        let usage_only: Vec<StreamEvent> = events
            .into_iter()
            .filter(|e| matches!(e, StreamEvent::Usage { .. }))
            .collect();
        self.meter.observe(&usage_only);
        Bytes::new()
    }

    fn fail(&mut self, error: &ApiError) -> Bytes {
        self.done = true;
        Bytes::from((self.error_event)(error).to_bytes())
    }

    fn meter(&self) -> &Meter {
        &self.meter
    }

    fn done(&self) -> bool {
        self.done
    }
}

/// A provider's stream decoded into canonical events and encoded in the client's format.
pub struct Translate {
    decoder: Box<dyn StreamDecoder>,
    encoder: Box<dyn StreamEncoder>,
    meter: Meter,
    done: bool,
}

impl Translate {
    pub fn new(decoder: Box<dyn StreamDecoder>, encoder: Box<dyn StreamEncoder>) -> Self {
        Translate {
            decoder,
            encoder,
            meter: Meter::default(),
            done: false,
        }
    }

    fn encode(&mut self, events: &[StreamEvent]) -> Bytes {
        self.meter.observe(events);
        let mut out = Vec::new();
        for event in events {
            for sse in self.encoder.encode(event) {
                out.extend_from_slice(&sse.to_bytes());
            }
            if matches!(event, StreamEvent::Error { .. }) {
                self.done = true;
                break;
            }
        }
        Bytes::from(out)
    }
}

impl Pipe for Translate {
    fn event(&mut self, frame: &Frame) -> Bytes {
        let Some(data) = frame.data.as_deref().filter(|_| !self.done) else {
            return Bytes::new();
        };
        let events = self.decoder.decode(frame.name(), data);
        self.encode(&events)
    }

    fn end(&mut self) -> Bytes {
        if self.done {
            return Bytes::new();
        }
        let events = self.decoder.finish();
        let mut out = self.encode(&events).to_vec();
        if !self.done {
            for sse in self.encoder.finish() {
                out.extend_from_slice(&sse.to_bytes());
            }
        }
        self.done = true;
        Bytes::from(out)
    }

    fn fail(&mut self, error: &ApiError) -> Bytes {
        if self.done {
            return Bytes::new();
        }
        self.encode(&[StreamEvent::Error {
            error: error.clone(),
        }])
    }

    fn meter(&self) -> &Meter {
        &self.meter
    }

    fn done(&self) -> bool {
        self.done
    }
}

/// Gemini's `streamGenerateContent` without `alt=sse`: one JSON array (`[{…},\r\n{…}]`)
/// whose elements are the events' data, written as they arrive. The inner pipe works in SSE
/// like every other; this only changes the framing on the way out, reading the inner pipe's
/// bytes back with a [`Framer`] of its own.
pub struct JsonArray {
    inner: Box<dyn Pipe>,
    framer: Framer,
    opened: bool,
    closed: bool,
}

impl JsonArray {
    /// `pipe` as is, or re-framed when the client asked for the JSON-array stream.
    pub fn wrap_unless_sse(pipe: Box<dyn Pipe>, json_array: bool) -> Box<dyn Pipe> {
        if json_array {
            Box::new(JsonArray {
                inner: pipe,
                framer: Framer::default(),
                opened: false,
                closed: false,
            })
        } else {
            pipe
        }
    }

    /// The data of each SSE event in `sse`, as array elements.
    fn elements(&mut self, sse: &[u8], last: bool) -> Vec<u8> {
        let mut frames = self.framer.feed(sse, usize::MAX).unwrap_or_default();
        if last {
            frames.extend(self.framer.finish());
        }
        let mut out = Vec::new();
        for data in frames.iter().filter_map(|frame| frame.data.as_deref()) {
            out.extend_from_slice(if self.opened { b",\r\n" } else { b"[" });
            self.opened = true;
            out.extend_from_slice(data.as_bytes());
        }
        out
    }

    fn close(&mut self, mut out: Vec<u8>) -> Bytes {
        if !self.closed {
            self.closed = true;
            if !self.opened {
                out.push(b'[');
            }
            out.push(b']');
        }
        Bytes::from(out)
    }
}

impl Pipe for JsonArray {
    fn event(&mut self, frame: &Frame) -> Bytes {
        let sse = self.inner.event(frame);
        Bytes::from(self.elements(&sse, false))
    }

    fn end(&mut self) -> Bytes {
        let sse = self.inner.end();
        let out = self.elements(&sse, true);
        self.close(out)
    }

    fn fail(&mut self, error: &ApiError) -> Bytes {
        let sse = self.inner.fail(error);
        let out = self.elements(&sse, true);
        self.close(out)
    }

    fn meter(&self) -> &Meter {
        self.inner.meter()
    }

    fn done(&self) -> bool {
        self.inner.done()
    }

    fn content_type(&self) -> &'static str {
        "application/json; charset=utf-8"
    }
}

/// The neutral error for a stream the provider broke off or left silent.
pub fn broken_stream(message: String) -> ApiError {
    ApiError {
        status: 502,
        kind: ErrorKind::ServerError,
        message: crate::secrets::redact(&message).into_owned(),
        code: Some("upstream_stream_error".to_owned()),
    }
}
