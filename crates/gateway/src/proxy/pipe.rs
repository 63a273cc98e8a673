//! What happens to each upstream SSE event on its way to the client.
//!
//! The relay ([`super::sse`]) is the same for every stream: read events as they arrive, enforce
//! the idle timeout, end with an error event if the provider breaks off, and record the row.
//! A [`Pipe`] decides the rest:
//! - [`OpenAiPassthrough`] forwards OpenAI chunks untouched, reads usage from them, and withholds
//!   the usage-only chunk from a client that did not ask for it;
//! - [`Observed`] forwards another format's events untouched (Anthropic, Responses) and feeds a
//!   copy to a decoder or probe, only to learn usage;
//! - [`Translate`] decodes the provider's events into canonical ones and encodes them in the
//!   client's format;
//! - [`JsonArray`] re-frames another pipe's events as the JSON array Gemini streams without
//!   `alt=sse`.

use switchyard_protocol::Usage;
use switchyard_protocol::canonical::{
    ApiError, ErrorKind, SseEvent, StreamDecoder, StreamEncoder, StreamEvent,
};
use switchyard_protocol::openai_chat::{ChunkProbe, DONE, ErrorBody};

pub trait Pipe: Send {
    /// One upstream event: the bytes to send the client (possibly none).
    fn event(&mut self, name: Option<&str>, data: &str) -> Vec<u8>;
    /// The upstream ended cleanly: closing bytes the client format still needs.
    fn end(&mut self) -> Vec<u8>;
    /// The upstream broke off: the client format's error event.
    fn fail(&mut self, error: &ApiError) -> Vec<u8>;
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

/// Re-frames an event as it came: name (if any) and data, untouched.
pub fn frame(name: Option<&str>, data: &str) -> Vec<u8> {
    SseEvent {
        event: name
            .filter(|n| !n.is_empty() && *n != "message")
            .map(str::to_owned),
        data: data.to_owned(),
    }
    .to_bytes()
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
    fn event(&mut self, name: Option<&str>, data: &str) -> Vec<u8> {
        if data == DONE {
            self.done = true;
            return frame(name, data);
        }
        let probe: ChunkProbe = serde_json::from_str(data).unwrap_or_default();
        self.meter.output_chars += super::estimate::chunk_text_chars(data);
        if let Some(usage) = &probe.usage {
            self.meter.usage = Some(usage.into());
        }
        if let Some(error) = &probe.error {
            self.meter.error = Some(crate::secrets::redact(&error.message).into_owned());
            self.done = true;
        }
        if probe.is_usage_only() && !self.client_wants_usage {
            return Vec::new();
        }
        frame(name, data)
    }

    fn end(&mut self) -> Vec<u8> {
        self.done = true;
        Vec::new()
    }

    fn fail(&mut self, error: &ApiError) -> Vec<u8> {
        self.done = true;
        let body = ErrorBody::new(
            error.message.clone(),
            "server_error",
            Some("upstream_stream_error"),
        );
        frame(None, &serde_json::to_string(&body).unwrap_or_default())
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
    fn event(&mut self, name: Option<&str>, data: &str) -> Vec<u8> {
        let events = self.decoder.decode(name, data);
        self.meter.observe(&events);
        if name.is_some_and(|n| self.terminal.contains(&n)) || self.meter.error.is_some() {
            self.done = true;
        }
        frame(name, data)
    }

    fn end(&mut self) -> Vec<u8> {
        self.done = true;
        let events = self.decoder.finish();
        // A stream that just stops is incomplete to the decoder; for a pass-through the client
        // saw exactly what the provider sent, so only usage is taken from it.
        let usage_only: Vec<StreamEvent> = events
            .into_iter()
            .filter(|e| matches!(e, StreamEvent::Usage { .. }))
            .collect();
        self.meter.observe(&usage_only);
        Vec::new()
    }

    fn fail(&mut self, error: &ApiError) -> Vec<u8> {
        self.done = true;
        (self.error_event)(error).to_bytes()
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

    fn encode(&mut self, events: &[StreamEvent]) -> Vec<u8> {
        self.meter.observe(events);
        let mut out = Vec::new();
        for event in events {
            for sse in self.encoder.encode(event) {
                out.extend_from_slice(&sse.to_bytes());
            }
            if matches!(event, StreamEvent::Error { .. }) {
                self.done = true;
                return out;
            }
        }
        out
    }
}

impl Pipe for Translate {
    fn event(&mut self, name: Option<&str>, data: &str) -> Vec<u8> {
        if self.done {
            return Vec::new();
        }
        let events = self.decoder.decode(name, data);
        self.encode(&events)
    }

    fn end(&mut self) -> Vec<u8> {
        if self.done {
            return Vec::new();
        }
        let events = self.decoder.finish();
        let mut out = self.encode(&events);
        if !self.done {
            for sse in self.encoder.finish() {
                out.extend_from_slice(&sse.to_bytes());
            }
        }
        self.done = true;
        out
    }

    fn fail(&mut self, error: &ApiError) -> Vec<u8> {
        if self.done {
            return Vec::new();
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
/// like every other; this only changes the framing on the way out.
pub struct JsonArray {
    inner: Box<dyn Pipe>,
    opened: bool,
    closed: bool,
}

impl JsonArray {
    /// `pipe` as is, or re-framed when the client asked for the JSON-array stream.
    pub fn wrap_unless_sse(pipe: Box<dyn Pipe>, json_array: bool) -> Box<dyn Pipe> {
        if json_array {
            Box::new(JsonArray {
                inner: pipe,
                opened: false,
                closed: false,
            })
        } else {
            pipe
        }
    }

    /// The data of each SSE event in `sse`, as array elements.
    fn elements(&mut self, sse: &[u8]) -> Vec<u8> {
        let text = String::from_utf8_lossy(sse);
        let mut out = String::new();
        for event in text.split("\n\n") {
            let data: Vec<&str> = event
                .lines()
                .filter_map(|line| line.strip_prefix("data:"))
                .map(|data| data.strip_prefix(' ').unwrap_or(data))
                .collect();
            if data.is_empty() {
                continue;
            }
            out.push_str(if self.opened { ",\r\n" } else { "[" });
            self.opened = true;
            out.push_str(&data.join("\n"));
        }
        out.into_bytes()
    }

    fn close(&mut self, mut out: Vec<u8>) -> Vec<u8> {
        if !self.closed {
            self.closed = true;
            if !self.opened {
                out.push(b'[');
            }
            out.push(b']');
        }
        out
    }
}

impl Pipe for JsonArray {
    fn event(&mut self, name: Option<&str>, data: &str) -> Vec<u8> {
        let sse = self.inner.event(name, data);
        self.elements(&sse)
    }

    fn end(&mut self) -> Vec<u8> {
        let sse = self.inner.end();
        let out = self.elements(&sse);
        self.close(out)
    }

    fn fail(&mut self, error: &ApiError) -> Vec<u8> {
        let sse = self.inner.fail(error);
        let out = self.elements(&sse);
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
