//! `switchyard connect`: points a client (Claude Code, Codex, Gemini CLI, opencode, Continue,
//! Aider, Zed, and a profile for Cline / Roo Code) at Switchyard by editing its own config file,
//! and undoes exactly that.
//!
//! What makes it safe to run on a file full of the user's own settings:
//! - only the keys Switchyard manages are edited, with format-preserving editors (one module
//!   per format), and every edited value is read back from the new text before it is written;
//! - a receipt per client ([`receipt`]) records each key's previous value or absence and the
//!   file's hash after the write; `disconnect` restores exactly those keys, leaves a key the
//!   user changed since as they set it (and says so), and gives back the original bytes when the
//!   file was not touched since;
//! - writes are atomic ([`atomic`]), a file's first change is preceded by a timestamped backup,
//!   and a file that does not parse is refused untouched.
//!
//! This module knows nothing of HTTP or the command line: the CLI and the admin API both call
//! [`Connector`]. Issuing a client key is theirs to do (it needs the history database); the key
//! arrives in the [`Target`].

mod aider;
mod apply;
mod atomic;
mod claude_code;
mod client;
mod cline;
mod codex;
mod continue_dev;
mod document;
mod dotenv;
mod env;
mod error;
mod gemini_cli;
mod jsonc;
mod key;
mod opencode;
mod receipt;
mod toml_file;
mod yaml;
mod zed;

use std::path::PathBuf;

use serde::Serialize;

pub use client::{Client, PLACEHOLDER_KEY, Target};
pub use env::ClientEnv;
pub use error::ConnectError;
pub use receipt::Store;

/// Where each client is found and whether it is connected (`connect --status`).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ClientStatus {
    pub client: Client,
    pub name: String,
    /// What shows the client is on this machine (its program or its settings folder).
    pub found: Option<String>,
    /// The files connect edits for this client.
    pub files: Vec<String>,
    pub state: ConnectionState,
    /// Managed keys the user changed since connect (`changed_since` only).
    pub changed_keys: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    Connected,
    /// Connected, but some key Switchyard wrote was changed since (disconnect leaves it).
    ChangedSince,
    NotConnected,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ConnectStatus {
    pub clients: Vec<ClientStatus>,
}

/// One file's change: a unified diff (client keys shown as `<client key>`).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct FileChange {
    pub path: String,
    /// The file did not exist before.
    pub created: bool,
    /// The file goes away (disconnect of a file connect created).
    pub deleted: bool,
    pub diff: String,
}

/// What connect did, or with `dry_run`, would do.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ConnectOutcome {
    pub client: Client,
    pub dry_run: bool,
    /// The files that change (empty when the client was already connected this way).
    pub files: Vec<FileChange>,
    /// Backups taken of files changed for the first time.
    pub backups: Vec<String>,
    /// What is left for the user to do.
    pub notes: Vec<String>,
}

/// A managed key the user changed after connect: left as they set it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct KeptKey {
    pub path: String,
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct DisconnectOutcome {
    pub client: Client,
    /// False when there was no receipt: nothing to undo.
    pub was_connected: bool,
    pub files: Vec<FileChange>,
    pub kept: Vec<KeptKey>,
    /// The id of the client key issued at connect, if any (it stays active; revoke it in the
    /// dashboard if it is no longer wanted).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_key_id: Option<String>,
}

/// Connects and disconnects clients for one data dir (receipts, backups) and one environment
/// (where the clients' files are).
#[derive(Debug, Clone)]
pub struct Connector {
    env: ClientEnv,
    store: Store,
}

impl Connector {
    pub fn new(env: ClientEnv, data_dir: &std::path::Path) -> Connector {
        Connector {
            env,
            store: Store::new(data_dir),
        }
    }

    fn profiles(&self) -> PathBuf {
        self.store.profile_path("")
    }

    pub fn status(&self) -> ConnectStatus {
        ConnectStatus {
            clients: Client::ALL
                .iter()
                .map(|&client| apply::status(client, &self.env, &self.store, &self.profiles()))
                .collect(),
        }
    }

    /// The diff connect would apply, nothing written.
    pub fn preview(&self, client: Client, target: &Target) -> Result<ConnectOutcome, ConnectError> {
        apply::connect(
            client,
            &self.env,
            &self.store,
            &self.profiles(),
            target,
            true,
            None,
        )
    }

    /// `client_key_id`: the id of a key issued for this connect (kept in the receipt).
    pub fn connect(
        &self,
        client: Client,
        target: &Target,
        client_key_id: Option<String>,
    ) -> Result<ConnectOutcome, ConnectError> {
        apply::connect(
            client,
            &self.env,
            &self.store,
            &self.profiles(),
            target,
            false,
            client_key_id,
        )
    }

    pub fn disconnect(&self, client: Client) -> Result<DisconnectOutcome, ConnectError> {
        apply::disconnect(client, &self.store)
    }

    /// The client key issued at an earlier connect that is still recorded, if any.
    pub fn issued_key_id(&self, client: Client) -> Option<String> {
        self.store
            .load(client.id())
            .ok()
            .flatten()
            .and_then(|r| r.client_key_id)
    }
}

#[cfg(test)]
mod tests;
