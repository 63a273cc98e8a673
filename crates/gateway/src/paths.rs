//! Where Switchyard keeps its files, and the defaults of `switchyard serve`.
//!
//! The CLI and the desktop shell both resolve `--config`, `--data-dir` and `--listen` (and their
//! environment variables) to a [`Locations`] through this module, so the two can never disagree
//! about where the config or the history lives.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:4545";
pub const HISTORY_FILE: &str = "history.sqlite3";
pub const ADMIN_TOKEN_FILE: &str = "admin-token";
/// Written while a gateway runs: where it listens and its pid (no secrets).
pub const RUNTIME_FILE: &str = "runtime.json";

/// In the data dir: `connect`'s receipts and backups of client files.
pub const CONNECT_DIR: &str = "connect";
/// In the data dir: the desktop app's log file.
pub const LOGS_DIR: &str = "logs";
/// In the data dir: prices imported with `switchyard prices import`.
pub const IMPORTED_PRICES_FILE: &str = "prices-imported.json";

/// Whether an entry of the data dir is one Switchyard writes. Only these are made private at
/// start: a data dir pointed at a folder that holds other things must not have them changed.
pub fn is_own_entry(name: &str) -> bool {
    name.starts_with(HISTORY_FILE)
        || [
            ADMIN_TOKEN_FILE,
            RUNTIME_FILE,
            IMPORTED_PRICES_FILE,
            CONNECT_DIR,
            LOGS_DIR,
        ]
        .contains(&name)
}

pub fn default_listen() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 4545))
}

/// `<OS config dir>/switchyard/config.toml`.
pub fn default_config_path() -> PathBuf {
    dirs::config_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("switchyard")
        .join("config.toml")
}

/// `<OS data dir>/switchyard/`.
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("switchyard")
}

/// Where one running Switchyard reads its config and keeps its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locations {
    pub config_path: PathBuf,
    pub data_dir: PathBuf,
    /// Overrides `server.listen` from the config file when set.
    pub listen: Option<SocketAddr>,
}

impl Locations {
    pub fn new(
        config_path: Option<PathBuf>,
        data_dir: Option<PathBuf>,
        listen: Option<SocketAddr>,
    ) -> Self {
        Locations {
            config_path: config_path.unwrap_or_else(default_config_path),
            data_dir: data_dir.unwrap_or_else(default_data_dir),
            listen,
        }
    }

    pub fn history_path(&self) -> PathBuf {
        self.data_dir.join(HISTORY_FILE)
    }

    pub fn admin_token_path(&self) -> PathBuf {
        self.data_dir.join(ADMIN_TOKEN_FILE)
    }

    pub fn runtime_path(&self) -> PathBuf {
        self.data_dir.join(RUNTIME_FILE)
    }

    /// The address of a gateway running with this data dir, if one announced itself.
    pub fn running_gateway(&self) -> Option<std::net::SocketAddr> {
        let text = std::fs::read_to_string(self.runtime_path()).ok()?;
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        value.get("listen")?.as_str()?.parse().ok()
    }
}
