//! What a client is pointed at ([`Target`]) and the edit one of its files gets
//! ([`FilePlan`]): the data every client module fills in, below the dispatch in
//! [`super::client`].

use std::path::PathBuf;

use serde_json::Value;

use super::document::Format;
use super::key::KeyPath;
use crate::secrets::Secret;

/// The key written when no client key was issued: any value works while the gateway does not
/// require client keys, and it is never forwarded to a provider.
pub const PLACEHOLDER_KEY: &str = "switchyard";

/// What a client is pointed at.
#[derive(Debug, Clone)]
pub struct Target {
    /// The gateway's root URL, without `/v1` (`http://127.0.0.1:4545`).
    pub root_url: String,
    /// `--model`, when given.
    pub model: Option<String>,
    /// Route aliases, in the config's order.
    pub aliases: Vec<String>,
    /// `provider/model` for every model a provider lists.
    pub provider_models: Vec<String>,
    /// An issued client key; the placeholder otherwise.
    pub key: Option<Secret>,
}

/// One file of a client and the values Switchyard sets in it (`None`: removes).
#[derive(Debug, Clone)]
pub struct FilePlan {
    pub path: PathBuf,
    pub format: Format,
    pub edits: Vec<(KeyPath, Option<Value>)>,
    /// The text a file starts from when it does not exist yet.
    pub template: &'static str,
}

impl Target {
    pub fn from_config(
        config: &crate::config::Config,
        root_url: String,
        model: Option<String>,
        key: Option<Secret>,
    ) -> Target {
        Target {
            root_url: root_url.trim_end_matches('/').to_owned(),
            model: model.map(|m| m.trim().to_owned()).filter(|m| !m.is_empty()),
            aliases: config.routes.iter().map(|r| r.alias.clone()).collect(),
            provider_models: config
                .providers
                .iter()
                .flat_map(|p| p.models.iter().map(move |m| format!("{}/{m}", p.id)))
                .collect(),
            key,
        }
    }

    /// `root_url` + `/v1`: what OpenAI-style clients take as their base URL.
    pub fn v1(&self) -> String {
        format!("{}/v1", self.root_url)
    }

    /// The model a client uses by default: `--model`, else the first route alias, else the
    /// first model a provider lists.
    pub fn default_model(&self) -> Option<&str> {
        self.model
            .as_deref()
            .or(self.aliases.first().map(String::as_str))
            .or(self.provider_models.first().map(String::as_str))
    }

    /// Every model name worth offering in a client's model picker, the default first.
    pub fn models(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .default_model()
            .map(str::to_owned)
            .into_iter()
            .collect();
        for m in self.aliases.iter().chain(&self.provider_models) {
            if !all.contains(m) {
                all.push(m.clone());
            }
        }
        all
    }

    pub fn key(&self) -> &str {
        self.key.as_ref().map_or(PLACEHOLDER_KEY, |k| k.expose())
    }

    /// A target that only serves to learn which files a client uses.
    pub(crate) fn placeholder() -> Target {
        Target {
            root_url: "http://127.0.0.1:4545".into(),
            model: None,
            aliases: Vec::new(),
            provider_models: Vec::new(),
            key: None,
        }
    }
}
