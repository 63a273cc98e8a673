//! Keys Switchyard issues to its own clients, so each tool or teammate can be told apart (every
//! request is attributed to its key's name) and, with `require_client_key = true`, so only they
//! can use the gateway.
//!
//! A key is 64 hex characters of randomness behind `sk-sy-`, shown once when issued; only its
//! SHA-256 is stored ([`crate::history`]'s `client_keys` table). A fast hash is enough for a
//! random key of this length (there is nothing to brute-force). The active keys' hashes are
//! kept in memory, so checking a request costs one hash and one map lookup; the table is
//! written only when keys are issued, renamed or revoked, and for "last used" at most once a
//! minute per key.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};

use crate::error::ProxyError;
use crate::history::client_keys::{self as table, ActiveKey, ClientKeyView};
use crate::history::{History, HistoryError};
use crate::secrets::Secret;

/// How often a key's "last used" time is written to the database, at most.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// What a request presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presented {
    /// No `Authorization: Bearer` or `x-api-key` at all.
    Nothing,
    /// A key Switchyard did not issue (or revoked): with keys optional, a client's provider
    /// key or any placeholder; with keys required, a refusal.
    Unknown,
    /// An issued, active key: its name.
    Known { id: String, name: String },
}

#[derive(Debug, Default)]
pub struct ClientKeys {
    /// SHA-256 (hex) → (id, name) of every active key.
    active: RwLock<HashMap<String, (String, String)>>,
    /// When each key's use was last written to the database.
    touched: Mutex<HashMap<String, Instant>>,
}

/// An issued key: the only time the key itself is seen.
#[derive(Debug)]
pub struct Issued {
    pub view: ClientKeyView,
    pub key: Secret,
}

pub fn sha256_hex(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The key a request presents: `Authorization: Bearer …`, else `x-api-key`, else Google's
/// `x-goog-api-key` (the Gemini API's `?key=` is moved there by its handler).
fn presented_key(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
    bearer
        .or_else(|| headers.get("x-api-key").and_then(|v| v.to_str().ok()))
        .or_else(|| headers.get("x-goog-api-key").and_then(|v| v.to_str().ok()))
        .map(str::trim)
        .filter(|k| !k.is_empty())
}

fn db_error(e: HistoryError) -> ProxyError {
    ProxyError::Internal(format!("client keys: {e}"))
}

fn check_name(name: &str) -> Result<String, ProxyError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(ProxyError::InvalidRequest {
            message: "A client key needs a name of 1 to 64 printable characters.".into(),
            param: Some("name".into()),
        });
    }
    Ok(name.to_owned())
}

impl ClientKeys {
    /// Loads the active keys from the history database.
    pub async fn load(&self, history: &History) -> Result<(), HistoryError> {
        let active = history.read(table::active).await?;
        self.replace(active);
        Ok(())
    }

    fn replace(&self, keys: Vec<ActiveKey>) {
        if let Ok(mut active) = self.active.write() {
            *active = keys
                .into_iter()
                .map(|k| (k.key_sha256, (k.id, k.name)))
                .collect();
        }
    }

    /// Recognises the key a request presents, and notes its use.
    pub fn identify(&self, headers: &HeaderMap, history: &History) -> Presented {
        let Some(key) = presented_key(headers) else {
            return Presented::Nothing;
        };
        let hash = sha256_hex(key);
        let found = self
            .active
            .read()
            .ok()
            .and_then(|active| active.get(&hash).cloned());
        let Some((id, name)) = found else {
            return Presented::Unknown;
        };
        self.note_use(&id, history);
        Presented::Known { id, name }
    }

    /// Admits a request: the name of the issued key it presents, `None` for any other value
    /// (or none) when keys are optional, and a refusal (401) when they are required.
    pub fn admit(
        &self,
        headers: &HeaderMap,
        history: &History,
        required: bool,
    ) -> Result<Option<String>, ProxyError> {
        let why = match self.identify(headers, history) {
            Presented::Known { name, .. } => return Ok(Some(name)),
            _ if !required => return Ok(None),
            Presented::Nothing => {
                "This Switchyard requires a client key: send it as `Authorization: Bearer <key>` or `x-api-key: <key>`."
            }
            Presented::Unknown => {
                "This client key is not valid here: it was never issued by this Switchyard or has been revoked."
            }
        };
        Err(ProxyError::Unauthorized(format!(
            "{why} Keys are issued in the dashboard or with POST /api/client-keys."
        )))
    }

    fn note_use(&self, id: &str, history: &History) {
        let due = self.touched.lock().is_ok_and(|mut touched| {
            let now = Instant::now();
            let due = touched
                .get(id)
                .is_none_or(|last| now.duration_since(*last) >= TOUCH_EVERY);
            if due {
                touched.insert(id.to_owned(), now);
            }
            due
        });
        if due {
            let (history, id) = (history.clone(), id.to_owned());
            let at = chrono::Utc::now().timestamp_millis();
            tokio::spawn(async move {
                if let Err(e) = history.write(move |c| table::touch(c, &id, at)).await {
                    tracing::warn!(error = %e, "could not record a client key's last use");
                }
            });
        }
    }

    /// Issues a new key named `name`.
    pub async fn issue(&self, history: &History, name: &str) -> Result<Issued, ProxyError> {
        let name = check_name(name)?;
        let key = format!(
            "sk-sy-{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let key = Secret::new(key);
        let (id, hash, last_four) = (
            uuid::Uuid::now_v7().to_string(),
            sha256_hex(key.expose()),
            key.last_four(),
        );
        let now = chrono::Utc::now().timestamp_millis();
        let view = history
            .write(move |c| {
                if table::name_taken(c, &name, None)? {
                    return Ok(None);
                }
                table::insert(c, &id, &name, &hash, &last_four, now)?;
                table::get(c, &id)
            })
            .await
            .map_err(db_error)?
            .ok_or_else(taken)?;
        self.load(history).await.map_err(db_error)?;
        tracing::info!(name = %view.name, id = %view.id, "issued a client key");
        Ok(Issued { view, key })
    }

    pub async fn list(&self, history: &History) -> Result<Vec<ClientKeyView>, ProxyError> {
        history.read(table::list).await.map_err(db_error)
    }

    pub async fn rename(
        &self,
        history: &History,
        id: &str,
        name: &str,
    ) -> Result<ClientKeyView, ProxyError> {
        let name = check_name(name)?;
        let id = id.to_owned();
        let renamed = history
            .write(move |c| {
                if table::name_taken(c, &name, Some(&id))? {
                    return Ok(Err(taken()));
                }
                if !table::rename(c, &id, &name)? {
                    return Ok(Err(not_found(&id)));
                }
                Ok(table::get(c, &id)?.ok_or_else(|| not_found(&id)))
            })
            .await
            .map_err(db_error)??;
        self.load(history).await.map_err(db_error)?;
        Ok(renamed)
    }

    pub async fn revoke(&self, history: &History, id: &str) -> Result<(), ProxyError> {
        let owned = id.to_owned();
        let at = chrono::Utc::now().timestamp_millis();
        let revoked = history
            .write(move |c| table::revoke(c, &owned, at))
            .await
            .map_err(db_error)?;
        if !revoked {
            return Err(not_found(id));
        }
        self.load(history).await.map_err(db_error)?;
        tracing::info!(id, "revoked a client key");
        Ok(())
    }
}

fn taken() -> ProxyError {
    ProxyError::InvalidRequest {
        message: "Another active client key has this name; pick another.".into(),
        param: Some("name".into()),
    }
}

fn not_found(id: &str) -> ProxyError {
    ProxyError::NotFound(format!("No active client key with id '{id}'."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[tokio::test]
    async fn an_issued_key_is_recognised_by_bearer_or_x_api_key_until_revoked() {
        let history = History::open_in_memory().unwrap();
        let keys = ClientKeys::default();
        let issued = keys.issue(&history, "ci").await.unwrap();
        assert!(issued.key.expose().starts_with("sk-sy-"));
        assert_eq!(issued.key.expose().len(), 6 + 64);
        let mut bearer = HeaderMap::new();
        let value = format!("Bearer {}", issued.key.expose());
        bearer.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&value).unwrap(),
        );
        let mut x_api_key = HeaderMap::new();
        x_api_key.insert(
            "x-api-key",
            HeaderValue::from_str(issued.key.expose()).unwrap(),
        );
        for headers in [&bearer, &x_api_key] {
            assert!(matches!(
                keys.identify(headers, &history),
                Presented::Known { ref name, .. } if name == "ci"
            ));
        }
        assert_eq!(
            keys.identify(&HeaderMap::new(), &history),
            Presented::Nothing
        );
        keys.revoke(&history, &issued.view.id).await.unwrap();
        assert_eq!(keys.identify(&bearer, &history), Presented::Unknown);
    }

    #[tokio::test]
    async fn the_key_is_stored_only_as_its_hash() {
        let history = History::open_in_memory().unwrap();
        let keys = ClientKeys::default();
        let issued = keys.issue(&history, "laptop").await.unwrap();
        let secret = issued.key.expose().to_owned();
        let dump: Vec<String> = history
            .read(|c| {
                let mut stmt = c.prepare("SELECT * FROM client_keys")?;
                let columns = stmt.column_count();
                stmt.query_map([], |row| {
                    let mut cells = Vec::new();
                    for i in 0..columns {
                        cells.push(match row.get_ref(i)? {
                            rusqlite::types::ValueRef::Text(t) => {
                                String::from_utf8_lossy(t).into_owned()
                            }
                            other => format!("{other:?}"),
                        });
                    }
                    Ok(cells.join(" "))
                })?
                .collect()
            })
            .await
            .unwrap();
        assert!(!dump.concat().contains(&secret[6..]), "{dump:?}");
        assert!(dump.concat().contains(&sha256_hex(&secret)));
    }
}
