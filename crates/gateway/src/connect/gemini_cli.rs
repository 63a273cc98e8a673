//! Gemini CLI reads `.gemini/` under `$GEMINI_CLI_HOME` (default the home directory): the
//! variables of `.gemini/.env` (used when the project has no `.env` of its own) and
//! `settings.json`. The base URL has no version (Gemini CLI adds `/v1beta/models/…`), and the
//! auth type must be the API key's or Gemini CLI asks how to sign in.

use std::path::PathBuf;

use serde_json::json;

use super::document::Format;
use super::env::ClientEnv;
use super::key::KeyPath;
use super::target::{FilePlan, Target};

pub fn dir(env: &ClientEnv) -> PathBuf {
    env.path_var("GEMINI_CLI_HOME")
        .unwrap_or_else(|| env.home.clone())
        .join(".gemini")
}

pub fn plan(env: &ClientEnv, target: &Target) -> Vec<FilePlan> {
    let dir = dir(env);
    let mut settings = vec![(
        KeyPath::keys(&["security", "auth", "selectedType"]),
        Some(json!("gemini-api-key")),
    )];
    if let Some(model) = target.default_model() {
        settings.push((KeyPath::keys(&["model", "name"]), Some(json!(model))));
    }
    vec![
        FilePlan {
            path: dir.join(".env"),
            format: Format::DotEnv,
            edits: vec![
                (
                    KeyPath::keys(&["GOOGLE_GEMINI_BASE_URL"]),
                    Some(json!(target.root_url)),
                ),
                (
                    KeyPath::keys(&["GEMINI_API_KEY"]),
                    Some(json!(target.key())),
                ),
            ],
            template: "",
        },
        FilePlan {
            path: dir.join("settings.json"),
            format: Format::Json,
            edits: settings,
            template: "{\n}\n",
        },
    ]
}
