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
mod outcome;
mod receipt;
mod target;
mod toml_file;
mod yaml;
mod zed;

use std::path::PathBuf;

pub use client::Client;
pub use env::ClientEnv;
pub use error::ConnectError;
pub use outcome::{
    ClientStatus, ConnectOutcome, ConnectStatus, ConnectionState, DisconnectOutcome, FileChange,
    KeptKey,
};
pub use receipt::Store;
pub use target::{PLACEHOLDER_KEY, Target};

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
