//! Aider reads `~/.aider.conf.yml` (then the repository's and the current folder's, which win).
//! Its `openai/` model prefix selects litellm's OpenAI-compatible client, which sends the rest
//! of the name to Switchyard unchanged.

use serde_json::json;

use super::document::Format;
use super::env::ClientEnv;
use super::error::ConnectError;
use super::key::KeyPath;
use super::target::{FilePlan, Target};

pub fn plan(env: &ClientEnv, target: &Target) -> Result<Vec<FilePlan>, ConnectError> {
    let path = env.home.join(".aider.conf.yml");
    let model = target.default_model().ok_or_else(|| {
        ConnectError::unsupported(
            &path,
            "Aider needs a model: pass --model (a route alias or provider/model)",
        )
    })?;
    Ok(vec![FilePlan {
        path,
        format: Format::Yaml,
        edits: vec![
            (
                KeyPath::keys(&["openai-api-base"]),
                Some(json!(target.v1())),
            ),
            (
                KeyPath::keys(&["openai-api-key"]),
                Some(json!(target.key())),
            ),
            (
                KeyPath::keys(&["model"]),
                Some(json!(format!("openai/{model}"))),
            ),
        ],
        template: "",
    }])
}
