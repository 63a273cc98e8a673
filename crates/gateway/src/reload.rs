//! Reloading the config file while the gateway runs.
//!
//! The file is polled once a second (size, modification time and content), which works the
//! same on every OS and with editors that save by renaming a new file into place. A changed
//! file is parsed and validated whole; only a valid one replaces the running config, in one
//! atomic swap, so a request in flight keeps the snapshot it started with. An invalid one is
//! refused with its problems logged, and the old config stays.
//!
//! Imported prices (`<data dir>/prices-imported.json`, written by `switchyard prices import`)
//! are part of the config snapshot: they are read again whenever the config is applied, and
//! a change to that file alone also triggers a reload. An unreadable import keeps the prices
//! imported before.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::config::{self, Config, ConfigError};
use crate::pricing::imported::ImportedPrices;
use crate::state::AppState;

const POLL: Duration = Duration::from_secs(1);

/// What a reload did.
#[derive(Debug)]
pub enum Reloaded {
    Unchanged,
    Applied,
    Refused(ConfigError),
}

/// What the running config was built from: the file's text and the imported price file's
/// size and time. Taken before they are read at start, so that a change made while the
/// gateway starts is seen by the first poll instead of being taken for the starting state.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    text: Option<String>,
    prices: Option<(u64, std::time::SystemTime)>,
}

impl Seen {
    pub fn now(config_path: &Path, data_dir: &Path) -> Seen {
        Seen {
            text: std::fs::read_to_string(config_path).ok(),
            prices: imported_stamp(Some(data_dir)),
        }
    }
}

pub fn spawn(
    state: Arc<AppState>,
    path: PathBuf,
    stop: CancellationToken,
    seen: Seen,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Seen {
            text: mut last,
            prices: mut last_prices,
        } = seen;
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(POLL) => {}
            }
            let Ok(text) = tokio::fs::read_to_string(&path).await else {
                continue;
            };
            let prices = imported_stamp(state.data_dir.as_deref());
            if last.as_deref() == Some(text.as_str()) && prices == last_prices {
                continue;
            }
            last = Some(text.clone());
            last_prices = prices;
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
        Ok(mut new) => {
            let old = state.config.load();
            new.imported_prices = match &state.data_dir {
                Some(dir) => imported_prices(dir, old.imported_prices.clone()),
                None => old.imported_prices.clone(),
            };
            // The running listener is what a client can reach, whatever the file now says.
            if let Some(why) = crate::security::open_relay_refusal(state.listen, &new.server) {
                return Reloaded::Refused(ConfigError {
                    problems: vec![config::Problem {
                        line: None,
                        field: "server.require_client_key".into(),
                        message: why,
                    }],
                });
            }
            crate::security::warn_if_open(state.listen, &new.server);
            if new.server.listen != old.server.listen {
                tracing::warn!(
                    old = %old.server.listen, new = %new.server.listen,
                    "server.listen changed: restart Switchyard for it to take effect"
                );
            }
            // The history writer runs on its own thread with settings of its own.
            state.history.set_retention(new.logging.retention());
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

/// The prices imported into `data_dir`, or `previous` when the file cannot be used.
pub fn imported_prices(
    data_dir: &Path,
    previous: Option<Arc<ImportedPrices>>,
) -> Option<Arc<ImportedPrices>> {
    match ImportedPrices::load(data_dir) {
        Ok(Some(prices)) => {
            tracing::info!(models = prices.models.len(), "imported prices loaded");
            Some(Arc::new(prices))
        }
        Ok(None) => None,
        Err(e) => {
            tracing::error!(error = %e, "cannot use the imported prices; keeping the previous ones");
            previous
        }
    }
}

/// Size and modification time of the imported price file, to notice a new import.
fn imported_stamp(data_dir: Option<&Path>) -> Option<(u64, std::time::SystemTime)> {
    let dir = data_dir?;
    let meta = std::fs::metadata(crate::pricing::imported::path_in(dir)).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}
