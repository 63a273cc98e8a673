//! Provider keys over the admin API: set, delete, test, and tell a running gateway that the
//! keychain changed. No endpoint ever returns a key; answers show its source and last four
//! characters at most.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::{Provider, ProviderKind};
use crate::error::ProxyError;
use crate::secrets::{KeyOrigin, KeyStoreError, Secret};
use crate::state::SharedState;

#[derive(Deserialize)]
pub struct SetKey {
    key: String,
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
) -> Result<Json<Value>, ProxyError> {
    provider(&state, &id)?;
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
    tracing::info!(provider = %id, "provider key stored in the OS keychain");
    Ok(Json(
        json!({"id": id, "source": "keychain", "last_four": last_four}),
    ))
}

/// `DELETE /api/providers/{id}/key`: removes the keychain entry.
pub async fn delete(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ProxyError> {
    provider(&state, &id)?;
    let deleted = state.keys.remove(&id).await.map_err(keychain_error)?;
    Ok(Json(json!({"id": id, "deleted": deleted})))
}

/// `POST /api/providers/{id}/key/reload`: forget the cached key (the CLI calls this after
/// `keys set` / `keys delete`, so a running gateway sees the change at once).
pub async fn reload(State(state): State<SharedState>, Path(id): Path<String>) -> Json<Value> {
    state.keys.invalidate(Some(&id));
    Json(json!({"id": id, "reloaded": true}))
}

/// `POST /api/providers/{id}/key/test`: the cheapest real call the provider offers (listing
/// models), with the key Switchyard would use. Reports success or the provider's own message.
pub async fn test(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ProxyError> {
    let provider = provider(&state, &id)?;
    let key = match state.keys.resolve(&provider).await {
        Ok(key) => key,
        Err(missing) => {
            return Ok(Json(
                json!({"id": id, "ok": false, "message": missing.explain()}),
            ));
        }
    };
    let source = key.as_ref().map(|(_, origin)| match origin {
        KeyOrigin::Keychain => "keychain".to_owned(),
        KeyOrigin::Env(var) => format!("env:{var}"),
    });
    let secret = key.map(|(secret, _)| secret);
    let (path, extra): (&str, &[(&str, &str)]) = match provider.kind {
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible => ("/models", &[]),
        ProviderKind::Anthropic => ("/v1/models", &[("anthropic-version", "2023-06-01")]),
        ProviderKind::Gemini => ("/v1beta/models", &[]),
    };
    let client = state.clients.for_provider(&provider)?;
    let mut request = client
        .get(crate::upstream::url(&provider, path))
        .headers(crate::upstream::headers(&provider, secret.as_ref()))
        .timeout(std::time::Duration::from_secs(20));
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    let answer = match request.send().await {
        Ok(response) => {
            let status = response.status();
            if status.is_success() {
                json!({"id": id, "ok": true, "status": status.as_u16(), "source": source,
                       "message": format!("The provider accepted the key (HTTP {}).", status.as_u16())})
            } else {
                let body = response.text().await.unwrap_or_default();
                let message = provider_message(&body).unwrap_or_else(|| format!("HTTP {status}"));
                if status.as_u16() == 401 || status.as_u16() == 403 {
                    tracing::warn!(provider = %id, %status, "provider rejected its key");
                }
                json!({"id": id, "ok": false, "status": status.as_u16(), "source": source,
                       "message": crate::secrets::redact(&message)})
            }
        }
        Err(e) => json!({"id": id, "ok": false, "source": source,
                         "message": crate::secrets::redact(&format!("Could not reach the provider: {e}"))}),
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
