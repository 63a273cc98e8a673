//! What `connect` remembers, in `<data dir>/connect/`: one receipt per client (each managed
//! key's previous value or its absence, a hash of what was written, and each file's hash after
//! the write), the backups taken before a file's first change, and the lock that makes two
//! connects run one after the other.
//!
//! A receipt holds the user's previous values (which may include their own provider key), so
//! it and the backups are readable by their owner only. It never holds what Switchyard wrote:
//! a hash is enough to tell whether the user changed it since, and keeps issued client keys
//! out of it.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::atomic;
use super::document::Format;
use super::error::ConnectError;
use super::key::KeyPath;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub client: String,
    /// RFC 3339, of the first connect.
    pub connected_at: String,
    /// The client key issued for this client by `--client-key`, if any (its id, never the key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key_id: Option<String>,
    pub files: Vec<FileReceipt>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileReceipt {
    pub path: PathBuf,
    pub format: Format,
    /// Whether the file existed before the first connect (if not, disconnect may delete it).
    pub existed: bool,
    /// The file as it was before the first connect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<PathBuf>,
    /// Whether the file is still the first connect's edit of the backup (reconnects on an
    /// unchanged file keep this), so that an unchanged file is restored byte for byte.
    pub restorable: bool,
    /// SHA-256 of the file as Switchyard last wrote it.
    pub sha256_after: String,
    pub keys: Vec<KeyReceipt>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyReceipt {
    pub key: KeyPath,
    /// The value before the first connect; `None` when the key was absent.
    pub previous: Option<Value>,
    /// Hash of the value written ([`super::key::value_hash`]); `None` when Switchyard removed
    /// the key (e.g. `ANTHROPIC_API_KEY`).
    pub written_sha256: Option<String>,
    /// The shortest prefix of the key that was absent before: the parents Switchyard created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_from: Option<usize>,
}

impl Receipt {
    pub fn file(&self, path: &Path) -> Option<&FileReceipt> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// The `connect` folder of a data dir.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

/// Held while a connect or disconnect runs; released on drop.
#[derive(Debug)]
pub struct Lock {
    _file: fs::File,
}

impl Store {
    pub fn new(data_dir: &Path) -> Store {
        Store {
            dir: data_dir.join("connect"),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn receipt_path(&self, client: &str) -> PathBuf {
        self.dir.join(format!("{client}.json"))
    }

    /// Waits for any other connect on this data dir to finish.
    pub fn lock(&self) -> Result<Lock, ConnectError> {
        fs::create_dir_all(&self.dir).map_err(ConnectError::io(&self.dir))?;
        let path = self.dir.join(".lock");
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(ConnectError::io(&path))?;
        file.lock().map_err(ConnectError::io(&path))?;
        Ok(Lock { _file: file })
    }

    pub fn load(&self, client: &str) -> Result<Option<Receipt>, ConnectError> {
        let path = self.receipt_path(client);
        let Some(text) = atomic::read(&path)? else {
            return Ok(None);
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| ConnectError::Unparseable {
                path: path.clone(),
                line: e.line(),
                message: format!("this receipt of Switchyard's is damaged: {e}"),
            })
    }

    pub fn save(&self, receipt: &Receipt) -> Result<(), ConnectError> {
        let path = self.receipt_path(&receipt.client);
        let text = serde_json::to_string_pretty(receipt).unwrap_or_default() + "\n";
        atomic::write(&path, &text)
    }

    pub fn delete(&self, client: &str) -> Result<(), ConnectError> {
        let path = self.receipt_path(client);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(ConnectError::io(&path)(e)),
            _ => Ok(()),
        }
    }

    /// Copies a file's text before its first change: `backups/<client>/<UTC time>-<name>`.
    pub fn back_up(&self, client: &str, path: &Path, text: &str) -> Result<PathBuf, ConnectError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
        let backup = self
            .dir
            .join("backups")
            .join(client)
            .join(format!("{stamp}-{name}"));
        atomic::write(&backup, text)?;
        Ok(backup)
    }

    /// Where a profile file for a client that has no config file of its own is written.
    pub fn profile_path(&self, name: &str) -> PathBuf {
        self.dir.join("profiles").join(name)
    }
}
