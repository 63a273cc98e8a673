//! TOML files (Codex's `config.toml`): edited with `toml_edit`, which keeps the decor
//! (comments, blank lines, spacing) and the order of every item it is not asked to change.
//! A table Switchyard writes (`[model_providers.switchyard]`) is a real table, its parent an
//! implicit one, so the file gains exactly one header.

use std::path::Path;

use serde_json::Value as Json;
use toml_edit::{DocumentMut, Item, Table, Value};

use super::error::ConnectError;
use super::key::{KeyPath, Segment};

#[derive(Debug)]
pub struct TomlDocument {
    doc: DocumentMut,
}

impl TomlDocument {
    pub fn parse(path: &Path, text: &str) -> Result<TomlDocument, ConnectError> {
        let doc = text
            .parse::<DocumentMut>()
            .map_err(|e| ConnectError::Unparseable {
                path: path.to_path_buf(),
                line: e.span().map_or(1, |span| {
                    text[..span.start.min(text.len())].lines().count().max(1)
                }),
                message: e.message().trim().to_owned(),
            })?;
        Ok(TomlDocument { doc })
    }

    pub fn text(&self) -> String {
        self.doc.to_string()
    }

    fn keys<'a>(path: &Path, key: &'a KeyPath) -> Result<Vec<&'a str>, ConnectError> {
        key.segments()
            .iter()
            .map(|s| match s {
                Segment::Key(k) => Ok(k.as_str()),
                Segment::Named { .. } => Err(ConnectError::unsupported(
                    path,
                    "named list entries are not used in TOML files",
                )),
            })
            .collect()
    }

    pub fn get(&self, key: &KeyPath) -> Option<Json> {
        let mut item = self.doc.as_item();
        for segment in key.segments() {
            let Segment::Key(k) = segment else {
                return None;
            };
            item = item.get(k.as_str())?;
        }
        item_to_json(item)
    }

    pub fn set(&mut self, path: &Path, key: &KeyPath, value: &Json) -> Result<(), ConnectError> {
        let keys = Self::keys(path, key)?;
        let Some((last, parents)) = keys.split_last() else {
            return Err(ConnectError::unsupported(path, "an empty key"));
        };
        let accepts_tables = table_accepts_tables(&self.doc, parents);
        let mut table = self.doc.as_table_mut() as &mut dyn toml_edit::TableLike;
        for (i, k) in parents.iter().enumerate() {
            let entry = table.entry(k).or_insert_with(|| {
                let mut implicit = Table::new();
                implicit.set_implicit(true);
                Item::Table(implicit)
            });
            table = entry.as_table_like_mut().ok_or_else(|| {
                ConnectError::unsupported(
                    path,
                    format!("{} is not a table", parents[..=i].join(".")),
                )
            })?;
        }
        match (table.get_mut(last), value) {
            // A table replaced key by key keeps its place in the file and its header comment.
            (Some(Item::Table(existing)), Json::Object(map)) => {
                existing.clear();
                for (k, v) in map {
                    existing.insert(k, Item::Value(json_to_value(v)));
                }
            }
            (Some(Item::Value(existing)), v) => {
                let decor = existing.decor().clone();
                *existing = json_to_value(v);
                *existing.decor_mut() = decor;
            }
            (_, Json::Object(map)) if accepts_tables => {
                let mut fresh = Table::new();
                for (k, v) in map {
                    fresh.insert(k, Item::Value(json_to_value(v)));
                }
                table.insert(last, Item::Table(fresh));
            }
            (_, v) => {
                table.insert(last, Item::Value(json_to_value(v)));
            }
        }
        Ok(())
    }

    pub fn remove(&mut self, key: &KeyPath) {
        let Ok(keys) = Self::keys(Path::new(""), key) else {
            return;
        };
        let Some((last, parents)) = keys.split_last() else {
            return;
        };
        let mut table = self.doc.as_table_mut() as &mut dyn toml_edit::TableLike;
        for k in parents {
            match table.get_mut(k).and_then(Item::as_table_like_mut) {
                Some(next) => table = next,
                None => return,
            }
        }
        table.remove(last);
    }
}

/// Whether the table at `parents` is (or will be created as) a real table, so a sub-table can
/// have its own header, rather than an inline table, where only inline values fit.
fn table_accepts_tables(doc: &DocumentMut, parents: &[&str]) -> bool {
    let mut item = doc.as_item();
    for k in parents {
        match item.get(k) {
            Some(next) => item = next,
            None => return true,
        }
    }
    item.is_table()
}

fn item_to_json(item: &Item) -> Option<Json> {
    match item {
        Item::None => None,
        Item::Value(v) => Some(value_to_json(v)),
        Item::Table(t) => Some(Json::Object(
            t.iter()
                .filter_map(|(k, v)| item_to_json(v).map(|v| (k.to_owned(), v)))
                .collect(),
        )),
        Item::ArrayOfTables(tables) => Some(Json::Array(
            tables
                .iter()
                .map(|t| item_to_json(&Item::Table(t.clone())).unwrap_or(Json::Null))
                .collect(),
        )),
    }
}

fn value_to_json(value: &Value) -> Json {
    match value {
        Value::String(s) => Json::String(s.value().clone()),
        Value::Integer(i) => Json::from(*i.value()),
        Value::Float(f) => {
            serde_json::Number::from_f64(*f.value()).map_or(Json::Null, Json::Number)
        }
        Value::Boolean(b) => Json::Bool(*b.value()),
        Value::Datetime(d) => Json::String(d.value().to_string()),
        Value::Array(items) => Json::Array(items.iter().map(value_to_json).collect()),
        Value::InlineTable(t) => Json::Object(
            t.iter()
                .map(|(k, v)| (k.to_owned(), value_to_json(v)))
                .collect(),
        ),
    }
}

fn json_to_value(json: &Json) -> Value {
    match json {
        Json::String(s) => Value::from(s.as_str()),
        Json::Bool(b) => Value::from(*b),
        Json::Number(n) => n
            .as_i64()
            .map(Value::from)
            .or_else(|| n.as_f64().map(Value::from))
            .unwrap_or_else(|| Value::from(n.to_string())),
        Json::Array(items) => Value::Array(items.iter().map(json_to_value).collect()),
        Json::Object(map) => {
            let mut table = toml_edit::InlineTable::new();
            for (k, v) in map {
                table.insert(k, json_to_value(v));
            }
            Value::InlineTable(table)
        }
        // TOML has no null: an absent value is a removed key, never written as a value.
        Json::Null => Value::from(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CODEX: &str = r#"# my codex
model = "gpt-5" # the best

[projects."/home/ada/web"]
trust_level = "trusted"

[model_providers.ollama]
name = "Ollama"
base_url = "http://localhost:11434/v1"
"#;

    fn doc(text: &str) -> TomlDocument {
        TomlDocument::parse(Path::new("config.toml"), text).unwrap()
    }

    #[test]
    fn a_provider_table_joins_the_others_and_nothing_else_moves() {
        let mut d = doc(CODEX);
        let key = KeyPath::keys(&["model_providers", "switchyard"]);
        let table = json!({"name": "Switchyard", "base_url": "http://127.0.0.1:4545/v1", "wire_api": "responses"});
        d.set(Path::new("x"), &key, &table).unwrap();
        d.set(
            Path::new("x"),
            &KeyPath::keys(&["model_provider"]),
            &json!("switchyard"),
        )
        .unwrap();
        let text = d.text();
        assert!(
            text.starts_with(
                "# my codex\nmodel = \"gpt-5\" # the best\nmodel_provider = \"switchyard\"\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("[projects.\"/home/ada/web\"]\ntrust_level = \"trusted\"\n"),
            "{text}"
        );
        assert!(text.ends_with("[model_providers.switchyard]\nname = \"Switchyard\"\nbase_url = \"http://127.0.0.1:4545/v1\"\nwire_api = \"responses\"\n"), "{text}");
        assert_eq!(doc(&text).get(&key), Some(table));
        d.remove(&key);
        d.remove(&KeyPath::keys(&["model_provider"]));
        assert_eq!(d.text(), CODEX, "removing both gives back the file");
    }

    #[test]
    fn replacing_a_value_keeps_its_trailing_comment() {
        let mut d = doc(CODEX);
        d.set(Path::new("x"), &KeyPath::keys(&["model"]), &json!("coder"))
            .unwrap();
        assert!(
            d.text().contains("model = \"coder\" # the best\n"),
            "{}",
            d.text()
        );
    }

    #[test]
    fn a_new_table_in_an_empty_file_has_one_header() {
        let mut d = doc("");
        d.set(
            Path::new("x"),
            &KeyPath::keys(&["model_providers", "switchyard"]),
            &json!({"name": "S"}),
        )
        .unwrap();
        assert_eq!(d.text(), "[model_providers.switchyard]\nname = \"S\"\n");
    }

    #[test]
    fn a_broken_file_is_refused_with_its_line() {
        let err = TomlDocument::parse(Path::new("c.toml"), "a = 1\nb = \n").unwrap_err();
        assert!(
            matches!(err, ConnectError::Unparseable { line: 2, .. }),
            "{err:?}"
        );
    }
}
