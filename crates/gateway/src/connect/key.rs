//! The address of one value Switchyard manages inside a client's file: a path of object keys,
//! and, for lists of named entries (Continue's `models`), "the entry whose `name` is …".
//! The same path works for JSON, TOML, YAML and `.env` files.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Segment {
    Key(String),
    /// The element of a list whose `name` member equals this.
    Named {
        name: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KeyPath(pub Vec<Segment>);

impl KeyPath {
    /// `env.ANTHROPIC_BASE_URL` style: keys separated by dots.
    pub fn keys(dotted: &[&str]) -> KeyPath {
        KeyPath(
            dotted
                .iter()
                .map(|k| Segment::Key((*k).to_owned()))
                .collect(),
        )
    }

    /// `models[name=Switchyard]`.
    pub fn named_entry(list: &str, name: &str) -> KeyPath {
        KeyPath(vec![
            Segment::Key(list.to_owned()),
            Segment::Named {
                name: name.to_owned(),
            },
        ])
    }

    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// The first `len` segments.
    pub fn prefix(&self, len: usize) -> KeyPath {
        KeyPath(self.0[..len.min(self.0.len())].to_vec())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Named { name } => write!(f, "[name={name}]")?,
            }
        }
        Ok(())
    }
}

/// A value as JSON text with object keys sorted, so that two formats' readings of the same
/// value (TOML tables, YAML mappings) compare equal whatever order they keep keys in.
pub fn canonical(value: &serde_json::Value) -> String {
    fn sorted(value: &serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                serde_json::Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), sorted(v)))
                        .collect(),
                )
            }
            serde_json::Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(sorted).collect())
            }
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

/// SHA-256 (hex) of a value's canonical text: what a receipt keeps of a value Switchyard
/// wrote, so the receipt never holds a client key.
pub fn value_hash(value: &serde_json::Value) -> String {
    crate::client_keys::sha256_hex(&canonical(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_as_people_write_them() {
        assert_eq!(
            KeyPath::keys(&["env", "ANTHROPIC_BASE_URL"]).to_string(),
            "env.ANTHROPIC_BASE_URL"
        );
        assert_eq!(
            KeyPath::named_entry("models", "Switchyard").to_string(),
            "models[name=Switchyard]"
        );
    }

    #[test]
    fn the_hash_of_a_value_ignores_key_order() {
        let a = serde_json::json!({"a": 1, "b": {"c": 2, "d": 3}});
        let b = serde_json::json!({"b": {"d": 3, "c": 2}, "a": 1});
        assert_eq!(value_hash(&a), value_hash(&b));
        assert_ne!(value_hash(&a), value_hash(&serde_json::json!({"a": 1})));
    }

    #[test]
    fn a_path_survives_a_round_trip_through_the_receipt() {
        let path = KeyPath::named_entry("models", "Switchyard");
        let text = serde_json::to_string(&path).unwrap();
        assert_eq!(text, r#"["models",{"name":"Switchyard"}]"#);
        assert_eq!(serde_json::from_str::<KeyPath>(&text).unwrap(), path);
    }
}
