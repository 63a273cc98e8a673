//! Where the app's log lines go: stderr, as for `switchyard serve`, and a file in the data
//! dir, because an app started at login has no terminal and its log would otherwise be lost.
//!
//! The file is `<data dir>/logs/switchyard-desktop.log`; it is rotated once per start when it
//! has grown past [`ROTATE_AT_BYTES`] (the previous one is kept as `.1`), which bounds it without
//! a logging dependency of its own. Every line passes through the gateway's redactor, exactly
//! as on stderr, so a key or the admin token never reaches the file.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use switchyard_gateway::logging::Redacting;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::writer::MakeWriterExt;

pub const FILE_NAME: &str = "switchyard-desktop.log";
pub const ROTATE_AT_BYTES: u64 = 8 * 1024 * 1024;

/// Installs the global subscriber: `default_filter` unless `RUST_LOG` is set. Returns where
/// the file is, or `None` (logged on stderr) when it could not be opened.
pub fn init(default_filter: &str, data_dir: &Path) -> Option<PathBuf> {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let opened = open(data_dir);
    let file = opened
        .as_ref()
        .ok()
        .and_then(|(_, file)| file.try_clone().ok());
    let result = match file {
        Some(file) => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(Redacting(io::stderr.and(Mutex::new(file))))
            .with_ansi(false)
            .with_target(false)
            .try_init(),
        None => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(Redacting(io::stderr))
            .with_ansi(io::IsTerminal::is_terminal(&io::stderr()))
            .with_target(false)
            .try_init(),
    };
    if result.is_err() {
        return None;
    }
    match opened {
        Ok((path, _)) => Some(path),
        Err(e) => {
            tracing::warn!(error = %e, "no log file: log lines go to stderr only");
            None
        }
    }
}

fn open(data_dir: &Path) -> io::Result<(PathBuf, File)> {
    let dir = data_dir.join("logs");
    create_private_dir(&dir)?;
    let path = dir.join(FILE_NAME);
    rotate(&path, ROTATE_AT_BYTES)?;
    // Owner-only like every file in the data dir (the gateway fixes any that is not at each
    // start, and would report a log file created with the umask as one it had to fix).
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&path)?;
    Ok((path, file))
}

/// The data dir holds prompts and answers: created owner-only, as the gateway makes it.
fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn rotate(path: &Path, limit: u64) -> io::Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > limit => std::fs::rename(path, path.with_extension("log.1")),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("switchyard-logs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_log_past_the_limit_is_kept_as_dot_one_and_a_new_one_begins() {
        let dir = temp_dir("rotate");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(FILE_NAME);
        std::fs::write(&path, "0123456789").unwrap();
        rotate(&path, 100).unwrap();
        assert!(path.exists(), "a small log is left where it is");
        rotate(&path, 5).unwrap();
        assert!(!path.exists(), "a log past the limit moves away");
        assert_eq!(
            std::fs::read_to_string(dir.join("switchyard-desktop.log.1")).unwrap(),
            "0123456789"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn the_data_dir_made_for_the_log_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let data = temp_dir("private");
        let (path, _file) = open(&data).unwrap();
        assert!(path.starts_with(&data));
        let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "the data dir holds prompts: owner only");
        std::fs::remove_dir_all(&data).unwrap();
    }
}
