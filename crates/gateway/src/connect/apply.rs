//! The two operations and the status check, on top of the editors and the receipt store.
//!
//! Both operations work in two phases: first every file of the client is read, parsed and
//! edited in memory (any refusal happens here, before a byte is written); then the files are
//! written one by one, the receipt saved after each, so that an interruption leaves a receipt
//! that matches what is on disk.

use std::path::Path;

use similar::TextDiff;

use super::atomic;
use super::client::Client;
use super::document::Document;
use super::env::ClientEnv;
use super::error::ConnectError;
use super::key::{canonical, value_hash};
use super::outcome::{
    ClientStatus, ConnectOutcome, ConnectionState, DisconnectOutcome, FileChange, KeptKey,
};
use super::receipt::{FileReceipt, KeyReceipt, Receipt, Store};
use super::target::{FilePlan, Target};
use crate::client_keys::sha256_hex;

const SECRET_SHOWN_AS: &str = "<client key>";

fn unified_diff(
    path: &Path,
    before: Option<&str>,
    after: Option<&str>,
    secret: Option<&str>,
) -> String {
    let shown = path.display().to_string();
    let (old_name, new_name) = match (before, after) {
        (None, _) => ("/dev/null".to_owned(), shown),
        (_, None) => (shown, "/dev/null".to_owned()),
        _ => (shown.clone(), shown),
    };
    let before = before.unwrap_or("");
    let after = after.unwrap_or("");
    let text = TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&old_name, &new_name)
        .to_string();
    match secret {
        Some(secret) if !secret.is_empty() => text.replace(secret, SECRET_SHOWN_AS),
        _ => text,
    }
}

/// Reads the edited text back and checks every managed key holds what was meant: the last
/// guard before writing, whatever the editor did.
fn verify(plan: &FilePlan, text: &str) -> Result<(), ConnectError> {
    let doc = Document::parse(plan.format, &plan.path, text).map_err(|e| {
        ConnectError::unsupported(
            &plan.path,
            format!("the edit would leave a file that does not parse ({e})"),
        )
    })?;
    for (key, value) in &plan.edits {
        if doc.get(key).map(|v| canonical(&v)) != value.as_ref().map(canonical) {
            return Err(ConnectError::unsupported(
                &plan.path,
                format!(
                    "Switchyard could not set {key} without touching other settings; edit it by hand"
                ),
            ));
        }
    }
    Ok(())
}

struct Prepared {
    plan: FilePlan,
    before: Option<String>,
    after: String,
    keys: Vec<KeyReceipt>,
    old: Option<FileReceipt>,
}

fn prepare(plan: FilePlan, receipt: &Receipt) -> Result<Prepared, ConnectError> {
    let before = atomic::read(&plan.path)?;
    let old = receipt.file(&plan.path).cloned();
    let mut doc = Document::parse(
        plan.format,
        &plan.path,
        before.as_deref().unwrap_or(plan.template),
    )?;
    let mut keys: Vec<KeyReceipt> = old.as_ref().map(|f| f.keys.clone()).unwrap_or_default();
    for (key, value) in &plan.edits {
        let index = match keys.iter().position(|k| &k.key == key) {
            Some(i) => i,
            None => {
                // The first connect that manages this key: remember what it was.
                keys.push(KeyReceipt {
                    key: key.clone(),
                    previous: doc.get(key),
                    written_sha256: None,
                    created_from: doc.first_absent_prefix(key),
                });
                keys.len() - 1
            }
        };
        doc.put(&plan.path, key, value.as_ref())?;
        keys[index].written_sha256 = value.as_ref().map(value_hash);
    }
    let after = doc.text();
    verify(&plan, &after)?;
    Ok(Prepared {
        plan,
        before,
        after,
        keys,
        old,
    })
}

fn new_receipt(client: Client) -> Receipt {
    Receipt {
        client: client.id().to_owned(),
        connected_at: chrono::Utc::now().to_rfc3339(),
        client_key_id: None,
        files: Vec::new(),
    }
}

pub fn connect(
    client: Client,
    env: &ClientEnv,
    store: &Store,
    profiles: &Path,
    target: &Target,
    dry_run: bool,
    client_key_id: Option<String>,
) -> Result<ConnectOutcome, ConnectError> {
    let plans = client.plan(env, profiles, target)?;
    let _lock = if dry_run { None } else { Some(store.lock()?) };
    let mut receipt = store
        .load(client.id())?
        .unwrap_or_else(|| new_receipt(client));
    let prepared = plans
        .into_iter()
        .map(|plan| prepare(plan, &receipt))
        .collect::<Result<Vec<_>, _>>()?;
    let secret = target.key.as_ref().map(|k| k.expose());
    let files: Vec<FileChange> = prepared
        .iter()
        .filter(|p| p.before.as_deref() != Some(p.after.as_str()))
        .map(|p| FileChange {
            path: p.plan.path.display().to_string(),
            created: p.before.is_none(),
            deleted: false,
            diff: unified_diff(&p.plan.path, p.before.as_deref(), Some(&p.after), secret),
        })
        .collect();
    let mut outcome = ConnectOutcome {
        client,
        dry_run,
        files,
        backups: Vec::new(),
        notes: client.notes(target, profiles),
    };
    if dry_run {
        return Ok(outcome);
    }
    if client_key_id.is_some() {
        receipt.client_key_id = client_key_id;
    }
    for p in prepared {
        let path = p.plan.path.clone();
        let mut file = p.old.clone().unwrap_or_else(|| FileReceipt {
            path: path.clone(),
            format: p.plan.format,
            existed: p.before.is_some(),
            backup: None,
            restorable: true,
            sha256_after: String::new(),
            keys: Vec::new(),
        });
        // A reconnect on a file the user changed since: giving back the original bytes on
        // disconnect would lose that change, so from now on only the keys are restored.
        if p.old.is_some() && p.before.as_deref().map(sha256_hex) != Some(file.sha256_after.clone())
        {
            file.restorable = false;
        }
        if p.before.as_deref() != Some(p.after.as_str()) {
            if let (None, Some(text)) = (&file.backup, &p.before) {
                let backup = store.back_up(client.id(), &path, text)?;
                outcome.backups.push(backup.display().to_string());
                file.backup = Some(backup);
            }
            if atomic::read(&path)? != p.before {
                return Err(ConnectError::ChangedMeanwhile { path });
            }
            atomic::write(&path, &p.after)?;
            tracing::info!(client = client.id(), path = %path.display(), "connected: file edited");
        }
        file.sha256_after = sha256_hex(&p.after);
        file.keys = p.keys;
        match receipt.files.iter_mut().find(|f| f.path == path) {
            Some(existing) => *existing = file,
            None => receipt.files.push(file),
        }
        store.save(&receipt)?;
    }
    Ok(outcome)
}

enum Undo {
    /// Write this text (`None`: delete the file, which connect created).
    Whole {
        path: std::path::PathBuf,
        before: String,
        after: Option<String>,
    },
    Keys {
        path: std::path::PathBuf,
        before: String,
        after: String,
    },
}

/// Whether the key still holds what connect wrote.
fn as_written(doc: &Document, key: &KeyReceipt) -> bool {
    doc.get(&key.key).as_ref().map(value_hash) == key.written_sha256
}

fn undo_file(file: &FileReceipt, kept: &mut Vec<KeptKey>) -> Result<Option<Undo>, ConnectError> {
    let Some(current) = atomic::read(&file.path)? else {
        // Deleted since: there is nothing left to restore keys in.
        return Ok(None);
    };
    if file.restorable && sha256_hex(&current) == file.sha256_after {
        let original = match (&file.backup, file.existed) {
            (Some(backup), true) => atomic::read(backup)?,
            _ => None,
        };
        if original.is_some() || !file.existed {
            return Ok(Some(Undo::Whole {
                path: file.path.clone(),
                before: current,
                after: original,
            }));
        }
    }
    let mut doc = Document::parse(file.format, &file.path, &current)?;
    for key in file.keys.iter().rev() {
        if !as_written(&doc, key) {
            kept.push(KeptKey {
                path: file.path.display().to_string(),
                key: key.key.to_string(),
            });
            continue;
        }
        doc.put(&file.path, &key.key, key.previous.as_ref())?;
        if let (None, Some(from)) = (&key.previous, key.created_from) {
            doc.prune_empty_parents(&key.key, from);
        }
    }
    Ok(Some(Undo::Keys {
        path: file.path.clone(),
        after: doc.text(),
        before: current,
    }))
}

pub fn disconnect(client: Client, store: &Store) -> Result<DisconnectOutcome, ConnectError> {
    let _lock = store.lock()?;
    let mut outcome = DisconnectOutcome {
        client,
        was_connected: false,
        files: Vec::new(),
        kept: Vec::new(),
        client_key_id: None,
    };
    let Some(receipt) = store.load(client.id())? else {
        return Ok(outcome);
    };
    outcome.was_connected = true;
    outcome.client_key_id = receipt.client_key_id.clone();
    let mut undos = Vec::new();
    for file in &receipt.files {
        if let Some(undo) = undo_file(file, &mut outcome.kept)? {
            undos.push(undo);
        }
    }
    for undo in undos {
        match undo {
            Undo::Whole {
                path,
                before,
                after,
            } => {
                match &after {
                    Some(text) => atomic::write(&path, text)?,
                    None => std::fs::remove_file(&path).map_err(ConnectError::io(&path))?,
                }
                outcome.files.push(FileChange {
                    path: path.display().to_string(),
                    created: false,
                    deleted: after.is_none(),
                    diff: unified_diff(&path, Some(&before), after.as_deref(), None),
                });
            }
            Undo::Keys {
                path,
                before,
                after,
            } => {
                if before != after {
                    atomic::write(&path, &after)?;
                    outcome.files.push(FileChange {
                        path: path.display().to_string(),
                        created: false,
                        deleted: false,
                        diff: unified_diff(&path, Some(&before), Some(&after), None),
                    });
                }
            }
        }
    }
    store.delete(client.id())?;
    tracing::info!(
        client = client.id(),
        kept = outcome.kept.len(),
        "disconnected"
    );
    Ok(outcome)
}

/// The managed keys of one file the user changed since connect.
fn changed_keys(file: &FileReceipt) -> Vec<String> {
    let current = match atomic::read(&file.path) {
        Ok(Some(text)) => text,
        _ => return vec![format!("{} (file removed)", file.path.display())],
    };
    if sha256_hex(&current) == file.sha256_after {
        return Vec::new();
    }
    match Document::parse(file.format, &file.path, &current) {
        Ok(doc) => file
            .keys
            .iter()
            .filter(|k| !as_written(&doc, k))
            .map(|k| k.key.to_string())
            .collect(),
        Err(_) => vec![format!("{} (does not parse)", file.path.display())],
    }
}

pub fn status(client: Client, env: &ClientEnv, store: &Store, profiles: &Path) -> ClientStatus {
    let receipt = store.load(client.id()).ok().flatten();
    let (state, files, changed) = match &receipt {
        None => (
            ConnectionState::NotConnected,
            client.files(env, profiles),
            Vec::new(),
        ),
        Some(receipt) => {
            let changed: Vec<String> = receipt.files.iter().flat_map(changed_keys).collect();
            let state = if changed.is_empty() {
                ConnectionState::Connected
            } else {
                ConnectionState::ChangedSince
            };
            (
                state,
                receipt.files.iter().map(|f| f.path.clone()).collect(),
                changed,
            )
        }
    };
    ClientStatus {
        client,
        name: client.name().to_owned(),
        found: client.found(env),
        files: files.iter().map(|p| p.display().to_string()).collect(),
        state,
        changed_keys: changed,
    }
}
