//! Claude Code reads `settings.json` in `$CLAUDE_CONFIG_DIR` (default `~/.claude`); its `env`
//! object is applied to the process like exported variables. Switchyard sets the base URL
//! (no `/v1`: Claude Code adds `/v1/messages`) and `ANTHROPIC_AUTH_TOKEN`, and removes
//! `ANTHROPIC_API_KEY` (Claude Code warns when both are set; the old value is in the receipt and
//! comes back on disconnect). The model variables are set only when there is something to set:
//! `--model`, or route aliases named after Claude's model families.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::document::Format;
use super::env::ClientEnv;
use super::key::KeyPath;
use super::target::{FilePlan, Target};

pub fn dir(env: &ClientEnv) -> PathBuf {
    env.path_var("CLAUDE_CONFIG_DIR")
        .unwrap_or_else(|| env.home.join(".claude"))
}

fn env_key(name: &str) -> KeyPath {
    KeyPath::keys(&["env", name])
}

pub fn plan(env: &ClientEnv, target: &Target) -> Vec<FilePlan> {
    let mut edits: Vec<(KeyPath, Option<Value>)> = vec![
        (env_key("ANTHROPIC_BASE_URL"), Some(json!(target.root_url))),
        (env_key("ANTHROPIC_AUTH_TOKEN"), Some(json!(target.key()))),
        (env_key("ANTHROPIC_API_KEY"), None),
    ];
    if let Some(model) = &target.model {
        edits.push((env_key("ANTHROPIC_MODEL"), Some(json!(model))));
    }
    for family in ["opus", "sonnet", "haiku"] {
        let alias = target
            .aliases
            .iter()
            .find(|a| a.eq_ignore_ascii_case(family))
            .or(target.model.as_ref());
        if let Some(model) = alias {
            let name = format!("ANTHROPIC_DEFAULT_{}_MODEL", family.to_ascii_uppercase());
            edits.push((env_key(&name), Some(json!(model))));
        }
    }
    vec![FilePlan {
        path: dir(env).join("settings.json"),
        format: Format::Json,
        edits,
        template: "{\n}\n",
    }]
}
