//! Zed reads `settings.json` in `$XDG_CONFIG_HOME/zed` (default `~/.config/zed`, on macOS too);
//! it is JSONC with trailing commas. Switchyard adds one OpenAI-compatible provider,
//! "Switchyard", with the route aliases and provider models as its models. Zed keeps API keys
//! in the OS keychain, not in the file, so it asks for one the first time: any value works,
//! or the issued client key.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::document::Format;
use super::env::ClientEnv;
use super::key::KeyPath;
use super::target::{FilePlan, Target};

pub fn settings_path(env: &ClientEnv) -> PathBuf {
    env.xdg_config_home().join("zed").join("settings.json")
}

pub fn plan(env: &ClientEnv, target: &Target) -> Vec<FilePlan> {
    let models: Vec<Value> = target
        .models()
        .into_iter()
        .map(|m| json!({"name": m, "display_name": m, "max_tokens": 200000}))
        .collect();
    let provider = json!({"api_url": target.v1(), "available_models": models});
    vec![FilePlan {
        path: settings_path(env),
        format: Format::Json,
        edits: vec![(
            KeyPath::keys(&["language_models", "openai_compatible", "Switchyard"]),
            Some(provider),
        )],
        template: "{\n}\n",
    }]
}

pub fn notes(target: &Target) -> Vec<String> {
    let key = match &target.key {
        Some(key) => format!("this client key: {}", key.expose()),
        None => "any value".to_owned(),
    };
    vec![format!(
        "Zed keeps API keys in your keychain: the first time you pick a Switchyard model, Zed asks for one; enter {key}."
    )]
}
