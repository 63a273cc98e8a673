//! A client's config file as an editable document, whatever its format. Every format offers
//! the same four operations on a [`KeyPath`]; each keeps the bytes it does not touch.

use std::path::Path;

use serde_json::Value;

use super::dotenv::DotEnvDocument;
use super::error::ConnectError;
use super::jsonc::JsonDocument;
use super::key::KeyPath;
use super::toml_file::TomlDocument;
use super::yaml::YamlDocument;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JSON, also with comments and trailing commas (JSONC).
    Json,
    Toml,
    DotEnv,
    Yaml,
}

#[derive(Debug)]
pub enum Document {
    Json(JsonDocument),
    Toml(TomlDocument),
    DotEnv(DotEnvDocument),
    Yaml(YamlDocument),
}

impl Document {
    pub fn parse(format: Format, path: &Path, text: &str) -> Result<Document, ConnectError> {
        Ok(match format {
            Format::Json => Document::Json(JsonDocument::parse(path, text)?),
            Format::Toml => Document::Toml(TomlDocument::parse(path, text)?),
            Format::DotEnv => Document::DotEnv(DotEnvDocument::parse(path, text)?),
            Format::Yaml => Document::Yaml(YamlDocument::parse(path, text)?),
        })
    }

    pub fn get(&self, key: &KeyPath) -> Option<Value> {
        match self {
            Document::Json(d) => d.get(key),
            Document::Toml(d) => d.get(key),
            Document::DotEnv(d) => d.get(key),
            Document::Yaml(d) => d.get(key),
        }
    }

    pub fn set(&mut self, path: &Path, key: &KeyPath, value: &Value) -> Result<(), ConnectError> {
        match self {
            Document::Json(d) => d.set(path, key, value),
            Document::Toml(d) => d.set(path, key, value),
            Document::DotEnv(d) => d.set(path, key, value),
            Document::Yaml(d) => d.set(path, key, value),
        }
    }

    pub fn remove(&mut self, key: &KeyPath) {
        match self {
            Document::Json(d) => d.remove(key),
            Document::Toml(d) => d.remove(key),
            Document::DotEnv(d) => d.remove(key),
            Document::Yaml(d) => d.remove(key),
        }
    }

    pub fn text(&self) -> String {
        match self {
            Document::Json(d) => d.text(),
            Document::Toml(d) => d.text(),
            Document::DotEnv(d) => d.text(),
            Document::Yaml(d) => d.text(),
        }
    }

    /// Sets `key` to `value`, or removes it for `None`.
    pub fn put(
        &mut self,
        path: &Path,
        key: &KeyPath,
        value: Option<&Value>,
    ) -> Result<(), ConnectError> {
        match value {
            Some(v) => self.set(path, key, v),
            None => {
                self.remove(key);
                Ok(())
            }
        }
    }

    /// The length of the shortest prefix of `key` that is absent (so creating `key` creates
    /// it), if any.
    pub fn first_absent_prefix(&self, key: &KeyPath) -> Option<usize> {
        (1..=key.len()).find(|&len| self.get(&key.prefix(len)).is_none())
    }

    /// Removes the ancestors of `key` from `down_to` segments on that are now empty
    /// containers: parents Switchyard created for its key go when the key goes.
    pub fn prune_empty_parents(&mut self, key: &KeyPath, down_to: usize) {
        for len in (down_to.max(1)..key.len()).rev() {
            let prefix = key.prefix(len);
            let empty = match self.get(&prefix) {
                Some(Value::Object(map)) => map.is_empty(),
                Some(Value::Array(items)) => items.is_empty(),
                _ => false,
            };
            if empty {
                self.remove(&prefix);
            } else {
                break;
            }
        }
    }
}
