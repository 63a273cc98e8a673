//! Reloading the config file while the gateway runs (SPEC §3).
//!
//! The file is polled once a second (size, modification time and content), which works the
//! same on every OS and with editors that save by renaming a new file into place. A changed
//! file is parsed and validated whole; only a valid one replaces the running config, in one
//! atomic swap, so a request in flight keeps the snapshot it started with. An invalid one is
//! refused with its problems logged, and the old config stays.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::config::{self, Config, ConfigError};
use crate::state::AppState;

const POLL: Duration = Duration::from_secs(1);

/// What a reload did.
#[derive(Debug)]
pub enum Reloaded {
    Unchanged,
    Applied,
    Refused(ConfigError),
}

pub fn spawn(
    state: Arc<AppState>,
    path: PathBuf,
    stop: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last = std::fs::read_to_string(&path).ok();
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(POLL) => {}
            }
            let Ok(text) = tokio::fs::read_to_string(&path).await else {
                continue;
            };
            if last.as_deref() == Some(text.as_str()) {
                continue;
            }
            last = Some(text.clone());
            match apply(&state, &text) {
                Reloaded::Applied => {
                    tracing::info!(path = %path.display(), "configuration reloaded")
                }
                Reloaded::Refused(e) => tracing::error!(
                    path = %path.display(),
                    problems = %e,
                    "the changed configuration is invalid; keeping the previous one"
                ),
                Reloaded::Unchanged => {}
            }
        }
    })
}

/// Validates `text` and, if valid, makes it the running config.
pub fn apply(state: &AppState, text: &str) -> Reloaded {
    match config::parse(text) {
        Ok(new) => {
            let old = state.config.load();
            if new.server.listen != old.server.listen {
                tracing::warn!(
                    old = %old.server.listen, new = %new.server.listen,
                    "server.listen changed: restart Switchyard for it to take effect"
                );
            }
            state.config.store(Arc::new(new));
            Reloaded::Applied
        }
        Err(e) => Reloaded::Refused(e),
    }
}

/// Reads, validates and returns the config at `path` (for `switchyard check`).
pub fn check(path: &Path) -> Result<Config, config::LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| config::LoadError::Io {
        path: path.display().to_string(),
        source,
    })?;
    config::parse(&text).map_err(|source| config::LoadError::Invalid {
        path: path.display().to_string(),
        source,
    })
}
