//! Tracing setup shared by the CLI and the desktop app, with secrets scrubbed from every line.
//!
//! Secrets are kept out of log calls in the first place (the [`crate::secrets::Secret`] type
//! prints `<redacted>`); the writer here is the second line of defence, passing each formatted
//! line through [`crate::secrets::redact`] before it reaches stderr or a file.

use std::io::{self, Write};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Installs the global subscriber. `default_filter` applies unless `RUST_LOG` is set.
pub fn init(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Redacting(io::stderr))
        .with_ansi(io::IsTerminal::is_terminal(&io::stderr()))
        .with_target(false)
        .try_init();
}

/// Wraps a writer factory so every write is scrubbed of secrets.
#[derive(Debug, Clone)]
pub struct Redacting<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter(self.0.make_writer())
    }
}

#[derive(Debug)]
pub struct RedactingWriter<W>(W);

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(crate::secrets::redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::secrets::Secret;

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn no_log_line_shows_a_secret_however_it_is_logged() {
        let buffer = Buffer::default();
        let sink = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(Redacting(move || sink.clone()))
            .with_ansi(false)
            .finish();
        let key = Secret::new("sk-proj-leakcheck0123456789");
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(key = ?key, "as a Secret (Debug)");
            tracing::info!("as a Secret (Display): {key}");
            // A mistake the type system cannot catch: the raw text logged on purpose.
            tracing::warn!(raw = key.expose(), "exposed by mistake");
            tracing::warn!("header: Authorization: Bearer {}", key.expose());
        });
        let logged = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        assert_eq!(logged.lines().count(), 4, "{logged}");
        assert!(
            !logged.contains("leakcheck0123456789"),
            "a key reached the log:\n{logged}"
        );
        assert!(logged.contains("<redacted>"));
    }
}
