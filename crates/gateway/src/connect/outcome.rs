//! What `connect`, `disconnect` and `--status` report: plain data for the CLI and the admin
//! API, kept apart from the code that produces it.

use serde::Serialize;

use super::client::Client;

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
