//! Continue reads `config.yaml` in `$CONTINUE_GLOBAL_DIR` (default `~/.continue`). Switchyard
//! adds one entry named "Switchyard" to its `models` list (chat, edit, apply and autocomplete:
//! FIM goes through `/v1/completions`); the user's other models, context providers and rules
//! are left alone. A folder that still uses the older `config.json` is refused: creating a
//! `config.yaml` beside it would make Continue ignore the user's JSON settings.

use std::path::PathBuf;

use serde_json::json;

use super::document::Format;
use super::env::ClientEnv;
use super::error::ConnectError;
use super::key::KeyPath;
use super::target::{FilePlan, Target};

pub fn dir(env: &ClientEnv) -> PathBuf {
    env.path_var("CONTINUE_GLOBAL_DIR")
        .unwrap_or_else(|| env.home.join(".continue"))
}

pub fn plan(env: &ClientEnv, target: &Target) -> Result<Vec<FilePlan>, ConnectError> {
    let dir = dir(env);
    let path = dir.join("config.yaml");
    let legacy = dir.join("config.json");
    if !path.exists() && legacy.exists() {
        return Err(ConnectError::unsupported(
            &legacy,
            "Continue uses this older config.json here; convert it to config.yaml (Continue offers to) and connect again",
        ));
    }
    let model = target.default_model().ok_or_else(|| {
        ConnectError::unsupported(
            &path,
            "Continue needs a model: pass --model (a route alias or provider/model)",
        )
    })?;
    let entry = json!({
        "name": "Switchyard",
        "provider": "openai",
        "model": model,
        "apiBase": format!("{}/", target.v1()),
        "apiKey": target.key(),
        "roles": ["chat", "edit", "apply", "autocomplete"],
    });
    Ok(vec![FilePlan {
        path,
        format: Format::Yaml,
        edits: vec![(KeyPath::named_entry("models", "Switchyard"), Some(entry))],
        template: "name: Local Assistant\nversion: 1.0.0\nschema: v1\n",
    }])
}
