//! opencode reads the file `$OPENCODE_CONFIG` names, and its global config in
//! `$XDG_CONFIG_HOME/opencode/` (`opencode.jsonc`, `opencode.json` or the older `config.json`,
//! default `~/.config/opencode/opencode.json`). Switchyard adds a `switchyard` provider through
//! the OpenAI-compatible SDK, listing the route aliases and provider models as its models, and
//! makes it the default model when there is one to pick.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

use super::document::Format;
use super::env::ClientEnv;
use super::key::KeyPath;
use super::target::{FilePlan, Target};

pub fn config_path(env: &ClientEnv) -> PathBuf {
    if let Some(path) = env.path_var("OPENCODE_CONFIG") {
        return path;
    }
    let dir = env.xdg_config_home().join("opencode");
    ["opencode.jsonc", "opencode.json", "config.json"]
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| dir.join("opencode.json"))
}

pub fn plan(env: &ClientEnv, target: &Target) -> Vec<FilePlan> {
    let models: Map<String, Value> = target
        .models()
        .into_iter()
        .map(|m| (m, json!({})))
        .collect();
    let provider = json!({
        "npm": "@ai-sdk/openai-compatible",
        "name": "Switchyard",
        "options": {"baseURL": target.v1(), "apiKey": target.key()},
        "models": models,
    });
    let mut edits = vec![(KeyPath::keys(&["provider", "switchyard"]), Some(provider))];
    if let Some(model) = target.default_model() {
        edits.push((
            KeyPath::keys(&["model"]),
            Some(json!(format!("switchyard/{model}"))),
        ));
    }
    vec![FilePlan {
        path: config_path(env),
        format: Format::Json,
        edits,
        template: "{\n  \"$schema\": \"https://opencode.ai/config.json\"\n}\n",
    }]
}
