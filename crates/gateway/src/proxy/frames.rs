//! Server-sent events read off a provider's stream with the bytes each one came in.
//!
//! A pass-through stream must reach the client as the provider sent it: `id:` and `retry:`
//! lines, `:` comments (OpenRouter's keep-alives, which stop a client's own idle timer) and the
//! provider's line endings included. An event parser that hands over only `event` and `data`
//! loses all of that, so this one keeps the raw bytes of every frame beside the fields the
//! pipes read. Framing follows the WHATWG rules: a line ends with `\r\n`, `\n` or `\r`; a blank
//! line ends a frame; `data` lines join with `\n`; one space after the colon is dropped.
//!
//! Every byte read is in exactly one frame's `raw`, in order, so forwarding the frames
//! forwards the stream byte for byte. A `\r\n` split across two reads is one line end: the
//! `\n` then opens the next frame's bytes without being read as a blank line.

use bytes::{Bytes, BytesMut};

/// One frame: the bytes up to and including the blank line that ended it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frame {
    pub raw: Bytes,
    /// The `event` field, when the frame names one.
    pub event: Option<String>,
    /// The joined `data` lines; `None` for a frame without any (a comment, a lone `id:`), which
    /// carries no event.
    pub data: Option<String>,
}

impl Frame {
    /// The event name the pipes match on: `None` for the default `message`.
    pub fn name(&self) -> Option<&str> {
        self.event
            .as_deref()
            .filter(|name| !name.is_empty() && *name != "message")
    }
}

/// Cuts a byte stream into [`Frame`]s.
#[derive(Debug, Default)]
pub struct Framer {
    /// Bytes of the frame being read.
    pending: BytesMut,
    /// Where in `pending` the current line starts, and how far it has been scanned.
    line_start: usize,
    scanned: usize,
    /// The last line end was a `\r`: a `\n` right after it belongs to it.
    after_cr: bool,
    event: Option<String>,
    data: Option<String>,
}

/// A frame grew past the limit before its blank line came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLong;

impl Framer {
    /// Feeds the next chunk; the frames it completed, in order. Fails once the frame being
    /// read holds more than `limit` bytes (what a parser would otherwise buffer without end).
    pub fn feed(&mut self, chunk: &[u8], limit: usize) -> Result<Vec<Frame>, TooLong> {
        self.pending.extend_from_slice(chunk);
        let mut frames = Vec::new();
        while self.scanned < self.pending.len() {
            let byte = self.pending[self.scanned];
            let at = self.scanned;
            self.scanned += 1;
            if self.after_cr {
                self.after_cr = false;
                if byte == b'\n' {
                    self.line_start = self.scanned;
                    continue;
                }
            }
            if byte != b'\n' && byte != b'\r' {
                continue;
            }
            self.after_cr = byte == b'\r';
            if at == self.line_start {
                // The `\n` of a `\r\n` that ends the frame belongs to it, when it is here.
                if self.after_cr && self.pending.get(self.scanned) == Some(&b'\n') {
                    self.scanned += 1;
                    self.after_cr = false;
                }
                frames.push(self.dispatch());
            } else {
                field(
                    &self.pending[self.line_start..at],
                    &mut self.event,
                    &mut self.data,
                );
                self.line_start = self.scanned;
            }
        }
        if self.pending.len() > limit {
            return Err(TooLong);
        }
        Ok(frames)
    }

    /// The end of the stream: what is left, as a last frame (a provider that closes without
    /// the final blank line still had its event read).
    pub fn finish(&mut self) -> Option<Frame> {
        if self.line_start < self.pending.len() {
            field(
                &self.pending[self.line_start..],
                &mut self.event,
                &mut self.data,
            );
            self.line_start = self.pending.len();
        }
        self.scanned = self.pending.len();
        (!self.pending.is_empty()).then(|| self.dispatch())
    }

    fn dispatch(&mut self) -> Frame {
        let raw = self.pending.split_to(self.scanned).freeze();
        self.line_start = 0;
        self.scanned = 0;
        Frame {
            raw,
            event: self.event.take(),
            data: self.data.take(),
        }
    }
}

/// Reads one line into the frame's fields.
fn field(line: &[u8], event: &mut Option<String>, data: &mut Option<String>) {
    if line.first() == Some(&b':') {
        return; // a comment
    }
    let line = String::from_utf8_lossy(line);
    let (name, value) = match line.split_once(':') {
        Some((name, value)) => (name, value.strip_prefix(' ').unwrap_or(value)),
        None => (line.as_ref(), ""),
    };
    match name {
        "event" => *event = Some(value.to_owned()),
        "data" => match data {
            Some(data) => {
                data.push('\n');
                data.push_str(value);
            }
            None => *data = Some(value.to_owned()),
        },
        _ => {} // `id`, `retry` and unknown fields: kept in the bytes, not read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(chunks: &[&str]) -> Vec<Frame> {
        let mut framer = Framer::default();
        let mut out = Vec::new();
        for chunk in chunks {
            out.extend(framer.feed(chunk.as_bytes(), 1 << 20).unwrap());
        }
        out.extend(framer.finish());
        out
    }

    fn raw(frames: &[Frame]) -> String {
        frames
            .iter()
            .map(|f| String::from_utf8_lossy(&f.raw).into_owned())
            .collect()
    }

    #[test]
    fn ids_retry_and_comments_stay_in_the_bytes_while_the_fields_are_read() {
        let stream = ": OPENROUTER PROCESSING\n\nid: 7\nretry: 3000\nevent: message_start\ndata: {\"a\":1}\n\n";
        let read = frames(&[stream]);
        assert_eq!(raw(&read), stream, "every byte is forwarded once, in order");
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].data, None, "a comment carries no event");
        assert_eq!(read[1].name(), Some("message_start"));
        assert_eq!(read[1].data.as_deref(), Some("{\"a\":1}"));
    }

    #[test]
    fn crlf_split_across_reads_is_one_line_end() {
        let read = frames(&["data: a\r\n\r", "\ndata: b\r\n\r\n"]);
        assert_eq!(raw(&read), "data: a\r\n\r\ndata: b\r\n\r\n");
        let data: Vec<_> = read.iter().map(|f| f.data.as_deref()).collect();
        assert_eq!(data, [Some("a"), Some("b")], "no empty frame in between");
    }

    #[test]
    fn data_lines_join_and_one_space_after_the_colon_goes() {
        let read = frames(&["data:x\ndata:  y\nevent: message\n\n"]);
        assert_eq!(read[0].data.as_deref(), Some("x\n y"));
        assert_eq!(read[0].name(), None, "`message` is the default name");
    }

    #[test]
    fn a_stream_that_ends_without_its_blank_line_still_gives_its_event() {
        let read = frames(&["data: [DONE]"]);
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].data.as_deref(), Some("[DONE]"));
    }

    #[test]
    fn a_frame_past_the_limit_is_refused() {
        let mut framer = Framer::default();
        assert_eq!(framer.feed(b"data: 0123456789", 8), Err(TooLong));
        let mut framer = Framer::default();
        assert!(
            framer.feed(b"data: 01\n\ndata: 23\n\n", 12).is_ok(),
            "each frame counts alone"
        );
    }
}
