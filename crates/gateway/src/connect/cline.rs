//! Cline and Roo Code keep their settings in VS Code's own storage, which no other program
//! should write. Switchyard writes a profile file in its data dir instead, in Roo Code's
//! settings-import format, and says which two clicks are left.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::document::Format;
use super::env::ClientEnv;
use super::key::KeyPath;
use super::target::{FilePlan, Target};

pub const PROFILE_FILE: &str = "roo-code-switchyard.json";

pub fn extension_dirs(env: &ClientEnv) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(env.home.join(".vscode").join("extensions")) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            name.starts_with("saoudrizwan.claude-dev")
                || name.starts_with("rooveterinaryinc.roo-cline")
        })
        .collect()
}

pub fn plan(profiles: &Path, target: &Target) -> Vec<FilePlan> {
    let profile = json!({
        "currentApiConfigName": "Switchyard",
        "apiConfigs": {
            "Switchyard": {
                "id": "switchyard",
                "apiProvider": "openai",
                "openAiBaseUrl": target.v1(),
                "openAiApiKey": target.key(),
                "openAiModelId": target.default_model().unwrap_or_default(),
            }
        }
    });
    vec![FilePlan {
        path: profiles.join(PROFILE_FILE),
        format: Format::Json,
        edits: vec![(KeyPath::keys(&["providerProfiles"]), Some(profile))],
        template: "{\n}\n",
    }]
}

pub fn notes(target: &Target, profiles: &Path) -> Vec<String> {
    vec![
        format!(
            "Roo Code: Settings → Import, and pick {}.",
            profiles.join(PROFILE_FILE).display()
        ),
        format!(
            "Cline: Settings → API Provider “OpenAI Compatible”, Base URL {}, API Key {}, Model ID {}.",
            target.v1(),
            if target.key.is_some() {
                "the client key in that file"
            } else {
                "any value"
            },
            target
                .default_model()
                .unwrap_or("a route alias or provider/model"),
        ),
    ]
}
