//! The one error type of `connect`: what went wrong, with the file it concerns, worded for the
//! person who owns that file. No variant carries a key: messages may be printed and logged.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "{client} is not a client Switchyard can connect; pick one of claude-code, codex, gemini-cli, opencode, continue, aider, zed, cline"
    )]
    UnknownClient { client: String },
    /// The file does not parse: it is left exactly as it is.
    #[error(
        "{}:{line}: {message}. The file was not changed; fix it (or move it away) and try again.",
        path.display()
    )]
    Unparseable {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// The file parses, but holds something Switchyard will not edit (a key of another type
    /// where it needs an object, a YAML list in flow style, …).
    #[error("{}: {message}. The file was not changed.", path.display())]
    Unsupported { path: PathBuf, message: String },
    /// The file changed between reading and writing it (another program, another connect).
    #[error("{} changed while Switchyard was editing it; nothing was written. Try again.", path.display())]
    ChangedMeanwhile { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ConnectError {
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ConnectError + '_ {
        move |source| ConnectError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn unsupported(path: &Path, message: impl Into<String>) -> ConnectError {
        ConnectError::Unsupported {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    /// A refused file (it does not parse, or holds what cannot be edited): the caller's fault
    /// to fix, not Switchyard's.
    pub fn is_refused_file(&self) -> bool {
        matches!(
            self,
            ConnectError::Unparseable { .. } | ConnectError::Unsupported { .. }
        )
    }
}
