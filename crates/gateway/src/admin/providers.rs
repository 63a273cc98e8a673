//! Providers over the admin API: list (with where each key comes from and its last four
//! characters), add, edit and remove, and the kinds with their defaults for the "add" form.
//!
//! Header values that look like credentials are shown as [`HIDDEN`]; sending [`HIDDEN`] back in
//! an edit keeps the stored value, so editing a provider never needs the secret again.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;

use super::edits;
use crate::config::edit::{self, ProviderInput};
use crate::config::{Provider, ProviderKind};
use crate::error::ProxyError;
use crate::secrets::KeyOrigin;
use crate::state::SharedState;

/// What the dashboard shows instead of a credential-like header value.
pub const HIDDEN: &str = "<hidden>";

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ProviderView {
    pub id: String,
    pub kind: String,
    pub base_url: String,
    pub key_env: Option<String>,
    pub models: Vec<String>,
    pub headers: BTreeMap<String, String>,
    pub key: KeyInfo,
}

/// Where a provider's key comes from; never the key itself.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct KeyInfo {
    /// `keychain`, `env:VAR`, `none-needed` (a local server), or `missing`.
    pub source: String,
    pub last_four: Option<String>,
    /// For a missing key: how to add one.
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ProviderList {
    pub providers: Vec<ProviderView>,
    /// False on a machine without an OS keychain (a headless Linux server): keys then come
    /// from environment variables only.
    pub keychain_available: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ProviderKindInfo {
    pub kind: String,
    pub label: String,
    /// Null where the user must give one (`openai-compatible`).
    pub default_base_url: Option<String>,
    pub auth: String,
    pub presets: Vec<ProviderPreset>,
}

/// A known provider of a kind, to fill the form with.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ProviderPreset {
    pub id: String,
    pub label: String,
    pub base_url: String,
    pub key_env: Option<String>,
    pub models: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ProviderKinds {
    pub kinds: Vec<ProviderKindInfo>,
}

pub async fn list(State(state): State<SharedState>) -> Json<ProviderList> {
    let config = state.config.load_full();
    let mut providers = Vec::with_capacity(config.providers.len());
    for p in &config.providers {
        providers.push(view(&state, p).await);
    }
    Json(ProviderList {
        providers,
        keychain_available: state.keys.has_keychain(),
    })
}

pub async fn key_info(state: &SharedState, p: &Provider) -> KeyInfo {
    match state.keys.resolve(p).await {
        Ok(Some((secret, origin))) => KeyInfo {
            source: match origin {
                KeyOrigin::Keychain => "keychain".to_owned(),
                KeyOrigin::Env(var) => format!("env:{var}"),
            },
            last_four: Some(secret.last_four()),
            hint: None,
        },
        Ok(None) => KeyInfo {
            source: "none-needed".into(),
            last_four: None,
            hint: None,
        },
        Err(missing) => KeyInfo {
            source: "missing".into(),
            last_four: None,
            hint: Some(missing.explain()),
        },
    }
}

async fn view(state: &SharedState, p: &Provider) -> ProviderView {
    ProviderView {
        id: p.id.clone(),
        kind: p.kind.as_str().to_owned(),
        base_url: p.base_url.clone(),
        key_env: p.key_env.first().cloned(),
        models: p.models.clone(),
        headers: p
            .headers
            .iter()
            .map(|(name, value)| {
                let shown = if looks_secret(name) {
                    HIDDEN.to_owned()
                } else {
                    value.clone()
                };
                (name.clone(), shown)
            })
            .collect(),
        key: key_info(state, p).await,
    }
}

fn looks_secret(header: &str) -> bool {
    let h = header.to_ascii_lowercase();
    ["auth", "key", "token", "secret", "cookie", "password"]
        .iter()
        .any(|word| h.contains(word))
}

/// `POST /api/providers`.
pub async fn create(
    State(state): State<SharedState>,
    Json(input): Json<ProviderInput>,
) -> Result<(StatusCode, Json<ProviderView>), ProxyError> {
    let id = input.id.trim().to_owned();
    if state.config.load().provider(&id).is_some() {
        return Err(ProxyError::InvalidRequest {
            message: format!("A provider with id '{id}' already exists."),
            param: Some("id".into()),
        });
    }
    let view = save(&state, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// `PUT /api/providers/{id}`.
pub async fn update(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    Json(mut input): Json<ProviderInput>,
) -> Result<Json<ProviderView>, ProxyError> {
    let Some(current) = state.config.load().provider(&id).cloned() else {
        return Err(ProxyError::NotFound(format!("No provider '{id}'.")));
    };
    if input.id != id {
        return Err(ProxyError::InvalidRequest {
            message: "A provider's id cannot change: add a new provider and remove this one."
                .into(),
            param: Some("id".into()),
        });
    }
    for (name, value) in input.headers.iter_mut() {
        if value == HIDDEN
            && let Some((_, stored)) = current.headers.iter().find(|(n, _)| n == name)
        {
            value.clone_from(stored);
        }
    }
    save(&state, input).await.map(Json)
}

async fn save(state: &SharedState, mut input: ProviderInput) -> Result<ProviderView, ProxyError> {
    input.id = input.id.trim().to_owned();
    input.models.retain(|m| !m.trim().is_empty());
    let config = edits::apply(state, |text| edit::upsert_provider(text, &input)).await?;
    state.keys.invalidate(Some(&input.id));
    let provider = config
        .provider(&input.id)
        .ok_or_else(|| ProxyError::Internal("the saved provider is missing".into()))?;
    Ok(view(state, provider).await)
}

/// `DELETE /api/providers/{id}`: refused (with the route named) while a route uses it.
pub async fn remove(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ProxyError> {
    edits::apply(&state, |text| edit::remove_provider(text, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/provider-kinds`.
pub async fn kinds() -> Json<ProviderKinds> {
    let preset =
        |id: &str, label: &str, url: &str, env: Option<&str>, models: &[&str]| ProviderPreset {
            id: id.into(),
            label: label.into(),
            base_url: url.into(),
            key_env: env.map(Into::into),
            models: models.iter().map(|m| (*m).to_owned()).collect(),
        };
    let kind = |k: ProviderKind, presets| {
        let adapter = k.adapter();
        ProviderKindInfo {
            kind: adapter.name().into(),
            label: adapter.label().into(),
            default_base_url: adapter.default_base_url().map(Into::into),
            auth: adapter.auth_description().into(),
            presets,
        }
    };
    Json(ProviderKinds {
        kinds: vec![
            kind(
                ProviderKind::OpenAi,
                vec![preset(
                    "openai",
                    "OpenAI",
                    "https://api.openai.com/v1",
                    Some("OPENAI_API_KEY"),
                    &["gpt-4.1", "gpt-4.1-mini", "gpt-4o-mini", "o4-mini"],
                )],
            ),
            kind(
                ProviderKind::Anthropic,
                vec![preset(
                    "anthropic",
                    "Anthropic",
                    "https://api.anthropic.com",
                    Some("ANTHROPIC_API_KEY"),
                    &["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"],
                )],
            ),
            kind(
                ProviderKind::Gemini,
                vec![preset(
                    "gemini",
                    "Google Gemini",
                    "https://generativelanguage.googleapis.com",
                    Some("GEMINI_API_KEY"),
                    &["gemini-2.5-pro", "gemini-2.5-flash"],
                )],
            ),
            kind(
                ProviderKind::OpenAiCompatible,
                vec![
                    preset(
                        "openrouter",
                        "OpenRouter",
                        "https://openrouter.ai/api/v1",
                        Some("OPENROUTER_API_KEY"),
                        &[],
                    ),
                    preset(
                        "groq",
                        "Groq",
                        "https://api.groq.com/openai/v1",
                        Some("GROQ_API_KEY"),
                        &["llama-3.3-70b-versatile"],
                    ),
                    preset(
                        "mistral",
                        "Mistral",
                        "https://api.mistral.ai/v1",
                        Some("MISTRAL_API_KEY"),
                        &["mistral-large-latest", "codestral-latest"],
                    ),
                    preset(
                        "deepseek",
                        "DeepSeek",
                        "https://api.deepseek.com/v1",
                        Some("DEEPSEEK_API_KEY"),
                        &["deepseek-chat", "deepseek-reasoner"],
                    ),
                    preset(
                        "xai",
                        "xAI",
                        "https://api.x.ai/v1",
                        Some("XAI_API_KEY"),
                        &["grok-4"],
                    ),
                    preset(
                        "ollama",
                        "Ollama (local)",
                        "http://127.0.0.1:11434/v1",
                        None,
                        &[],
                    ),
                    preset(
                        "lmstudio",
                        "LM Studio (local)",
                        "http://127.0.0.1:1234/v1",
                        None,
                        &[],
                    ),
                ],
            ),
        ],
    })
}
