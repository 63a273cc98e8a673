//! Codex CLI reads `config.toml` in `$CODEX_HOME` (default `~/.codex`). Switchyard adds one
//! provider, always with the id `switchyard`, and selects it: Codex lists earlier sessions per
//! provider id, so keeping the id fixed keeps the user's history whatever upstream Switchyard
//! routes to. Other providers, `[projects]`, profiles and MCP servers are left alone. Without an
//! issued key no auth is configured (a placeholder `env_key` would make Codex refuse to start
//! when the variable is unset); with one, it is the provider's bearer token.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

use super::document::Format;
use super::env::ClientEnv;
use super::key::KeyPath;
use super::target::{FilePlan, Target};

pub const PROVIDER_ID: &str = "switchyard";

pub fn dir(env: &ClientEnv) -> PathBuf {
    env.path_var("CODEX_HOME")
        .unwrap_or_else(|| env.home.join(".codex"))
}

pub fn plan(env: &ClientEnv, target: &Target) -> Vec<FilePlan> {
    let mut provider = Map::new();
    provider.insert("name".into(), json!("Switchyard"));
    provider.insert("base_url".into(), json!(target.v1()));
    provider.insert("wire_api".into(), json!("responses"));
    if let Some(key) = &target.key {
        provider.insert("experimental_bearer_token".into(), json!(key.expose()));
    }
    let mut edits = vec![(KeyPath::keys(&["model_provider"]), Some(json!(PROVIDER_ID)))];
    if let Some(model) = target.default_model() {
        edits.push((KeyPath::keys(&["model"]), Some(json!(model))));
    }
    edits.push((
        KeyPath::keys(&["model_providers", PROVIDER_ID]),
        Some(Value::Object(provider)),
    ));
    vec![FilePlan {
        path: dir(env).join("config.toml"),
        format: Format::Toml,
        edits,
        template: "",
    }]
}
