//! Provider keys over the admin API: set, delete, test, and tell a running gateway that the
//! keychain changed. No endpoint ever returns a key; answers show its source and last four
//! characters at most.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::providers::{KeyInfo, key_info};

use crate::config::Provider;
use crate::error::ProxyError;
use crate::secrets::{KeyOrigin, KeyStoreError, Secret};
use crate::state::SharedState;

#[derive(Deserialize)]
pub struct SetKey {
    key: String,
}

/// The answer of a key test: the provider's own verdict, never the key.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct KeyTest {
    pub ok: bool,
    /// The provider's HTTP status; null when it could not be reached.
    pub status: Option<u16>,
    pub message: String,
    /// Where the key that was tested came from (`keychain`, `env:VAR`).
    pub source: Option<String>,
}

fn provider(state: &SharedState, id: &str) -> Result<std::sync::Arc<Provider>, ProxyError> {
    let config = state.config.load();
    config.provider(id).cloned().ok_or_else(|| {
        let known: Vec<&str> = config.providers.iter().map(|p| p.id.as_str()).collect();
        ProxyError::NotFound(format!(
            "No provider '{id}' in the configuration (known: {}).",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ))
    })
}

fn keychain_error(e: KeyStoreError) -> ProxyError {
    match e {
        KeyStoreError::Unavailable(message) => ProxyError::Unavailable(message),
        KeyStoreError::Failed(message) => ProxyError::Internal(message),
    }
}

/// `PUT /api/providers/{id}/key` with `{"key": "…"}`: stores it in the OS keychain.
pub async fn set(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    Json(body): Json<SetKey>,
) -> Result<Json<KeyInfo>, ProxyError> {
    let provider = provider(&state, &id)?;
    let key = body.key.trim();
    if key.is_empty() {
        return Err(ProxyError::InvalidRequest {
            message: "The key is empty.".into(),
            param: Some("key".into()),
        });
    }
    let secret = Secret::new(key);
    let last_four = secret.last_four();
    state
        .keys
        .store(&id, secret)
        .await
        .map_err(keychain_error)?;
    tracing::info!(provider = %id, last_four = %last_four, "provider key stored in the OS keychain");
    Ok(Json(key_info(&state, &provider).await))
}

/// `DELETE /api/providers/{id}/key`: removes the keychain entry.
pub async fn delete(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> Result<Json<KeyInfo>, ProxyError> {
    let provider = provider(&state, &id)?;
    let deleted = state.keys.remove(&id).await.map_err(keychain_error)?;
    tracing::info!(provider = %id, deleted, "provider key removed from the OS keychain");
    Ok(Json(key_info(&state, &provider).await))
}

/// `POST /api/providers/{id}/key/reload`: forget the cached key (the CLI calls this after
/// `keys set` / `keys delete`, so a running gateway sees the change at once).
pub async fn reload(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> axum::http::StatusCode {
    state.keys.invalidate(Some(&id));
    axum::http::StatusCode::NO_CONTENT
}

/// `POST /api/providers/{id}/key/test`: the cheapest real call the provider offers (listing
/// models), with the key Switchyard would use. Reports success or the provider's own message.
pub async fn test(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> Result<Json<KeyTest>, ProxyError> {
    let provider = provider(&state, &id)?;
    let key = match state.keys.resolve(&provider).await {
        Ok(key) => key,
        Err(missing) => {
            return Ok(Json(KeyTest {
                ok: false,
                status: None,
                message: missing.explain(),
                source: None,
            }));
        }
    };
    let source = key.as_ref().map(|(_, origin)| match origin {
        KeyOrigin::Keychain => "keychain".to_owned(),
        KeyOrigin::Env(var) => format!("env:{var}"),
    });
    let secret = key.map(|(secret, _)| secret);
    let adapter = provider.kind.adapter();
    let headers = crate::upstream::headers(&provider, secret.as_ref());
    let client = state.clients.for_provider(&provider)?;
    let request = client
        .get(crate::upstream::url(&provider, adapter.key_test().path))
        .headers(headers)
        .timeout(std::time::Duration::from_secs(20));
    let answer = match request.send().await {
        Ok(response) => {
            let status = response.status();
            if status.is_success() {
                KeyTest {
                    ok: true,
                    status: Some(status.as_u16()),
                    message: format!("The provider accepted the key (HTTP {}).", status.as_u16()),
                    source,
                }
            } else {
                let body = response.text().await.unwrap_or_default();
                let message = provider_message(&body).unwrap_or_else(|| format!("HTTP {status}"));
                if status.as_u16() == 401 || status.as_u16() == 403 {
                    state.key_rejected(&id, status.as_u16());
                }
                KeyTest {
                    ok: false,
                    status: Some(status.as_u16()),
                    message: crate::secrets::redact(&message).into_owned(),
                    source,
                }
            }
        }
        Err(e) => KeyTest {
            ok: false,
            status: None,
            message: crate::secrets::redact(&format!("Could not reach the provider: {e}"))
                .into_owned(),
            source,
        },
    };
    Ok(Json(answer))
}

/// The human message in any of the three providers' error bodies.
fn provider_message(body: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    let value = if let Value::Array(items) = value {
        items.into_iter().next()?
    } else {
        value
    };
    value
        .pointer("/error/message")
        .and_then(Value::as_str)
        .map(str::to_owned)
}
