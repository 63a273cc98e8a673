//! Where the app's log lines go: stderr, as for `switchyard serve`, and a file in the data
//! dir, because an app started at login has no terminal and its log would otherwise be lost.
//!
//! The file is `<data dir>/logs/switchyard-desktop.log`. It rotates by size while the app runs
//! (an app started at login may run for weeks): past [`ROTATE_AT_BYTES`] it becomes `.1`, the
//! older ones move up to `.2` … and only [`KEPT_FILES`] are kept, so the folder stays under
//! about 40 MiB. Every line passes through the gateway's redactor, exactly as on stderr, so a
//! key or the admin token never reaches the file.

use std::fs::OpenOptions;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use file_rotate::compression::Compression;
use file_rotate::suffix::AppendCount;
use file_rotate::{ContentLimit, FileRotate};
use switchyard_gateway::logging::Redacting;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::writer::MakeWriterExt;

pub const FILE_NAME: &str = "switchyard-desktop.log";
pub const ROTATE_AT_BYTES: usize = 8 * 1024 * 1024;
/// Rotated files kept besides the current one.
pub const KEPT_FILES: usize = 4;

/// Installs the global subscriber: `default_filter` unless `RUST_LOG` is set. Returns where
/// the file is, or `None` (logged on stderr) when it could not be opened.
pub fn init(default_filter: &str, data_dir: &Path) -> Option<PathBuf> {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let (opened, file) = match open(data_dir, ROTATE_AT_BYTES) {
        Ok((path, file)) => (Ok(path), Some(file)),
        Err(e) => (Err(e), None),
    };
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
        Ok(path) => Some(path),
        Err(e) => {
            tracing::warn!(error = %e, "no log file: log lines go to stderr only");
            None
        }
    }
}

/// The log file, rotated past `limit` bytes (a line is never split between two files).
fn open(data_dir: &Path, limit: usize) -> io::Result<(PathBuf, FileRotate<AppendCount>)> {
    let dir = data_dir.join("logs");
    create_private_dir(&dir)?;
    let path = dir.join(FILE_NAME);
    // Owner-only like every file in the data dir (the gateway fixes any that is not at each
    // start, and would report a log file created with the umask as one it had to fix); each
    // rotation opens the new file with the same options.
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    // Opened once here so that a file that cannot be written is reported, not skipped.
    options.open(&path)?;
    let file = FileRotate::new(
        &path,
        AppendCount::new(KEPT_FILES),
        ContentLimit::BytesSurpassed(limit),
        Compression::None,
        Some(options),
    );
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
    fn a_log_rotates_by_size_while_written_and_keeps_only_the_last_few() {
        use std::io::Write;
        let data = temp_dir("rotate");
        let (path, mut file) = open(&data, 100).unwrap();
        // One write per line, as the log formatter writes each event.
        for i in 0..40 {
            let line = format!("line {i:02} of a log that grows while the app runs\n");
            file.write_all(line.as_bytes()).unwrap();
        }
        file.flush().unwrap();
        let logs = data.join("logs");
        let mut names: Vec<String> = std::fs::read_dir(&logs)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "switchyard-desktop.log",
                "switchyard-desktop.log.1",
                "switchyard-desktop.log.2",
                "switchyard-desktop.log.3",
                "switchyard-desktop.log.4",
            ],
            "the current file and {KEPT_FILES} rotated ones"
        );
        let newest = std::fs::read_to_string(&path).unwrap();
        assert!(
            newest.ends_with("line 39 of a log that grows while the app runs\n"),
            "{newest}"
        );
        for name in &names {
            let text = std::fs::read_to_string(logs.join(name)).unwrap();
            assert!(
                text.lines().all(|l| l.starts_with("line ")),
                "whole lines only: {text}"
            );
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(logs.join("switchyard-desktop.log.1"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "a rotated-in file is private too");
        }
        std::fs::remove_dir_all(&data).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn the_data_dir_made_for_the_log_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let data = temp_dir("private");
        let (path, _file) = open(&data, ROTATE_AT_BYTES).unwrap();
        assert!(path.starts_with(&data));
        let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "the data dir holds prompts: owner only");
        std::fs::remove_dir_all(&data).unwrap();
    }
}
