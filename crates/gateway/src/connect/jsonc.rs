//! JSON and JSONC files (Claude Code, Gemini CLI, opencode, Zed): edited through
//! jsonc-parser's concrete syntax tree, which holds every comment, blank line and trailing
//! comma of the file, so a value set or removed here changes only its own span of text.

use std::path::Path;

use jsonc_parser::ParseOptions;
use jsonc_parser::cst::{CstInputValue, CstNode, CstObject, CstRootNode};
use serde_json::Value;

use super::error::ConnectError;
use super::key::{KeyPath, Segment};

#[derive(Debug)]
pub struct JsonDocument {
    root: CstRootNode,
}

impl JsonDocument {
    pub fn parse(path: &Path, text: &str) -> Result<JsonDocument, ConnectError> {
        let root = CstRootNode::parse(text, &ParseOptions::default()).map_err(|e| {
            ConnectError::Unparseable {
                path: path.to_path_buf(),
                line: e.line_display(),
                message: format!("{} (column {})", e.kind(), e.column_display()),
            }
        })?;
        match root.value() {
            None => {}
            Some(value) if value.as_object().is_some() => {}
            Some(_) => {
                return Err(ConnectError::unsupported(
                    path,
                    "the file holds a JSON value that is not an object",
                ));
            }
        }
        Ok(JsonDocument { root })
    }

    pub fn text(&self) -> String {
        self.root.to_string()
    }

    fn node(&self, key: &KeyPath) -> Option<CstNode> {
        let mut node: CstNode = self.root.value()?;
        for segment in key.segments() {
            node = match segment {
                Segment::Key(k) => node.as_object()?.get(k)?.value()?,
                Segment::Named { name } => named_element(&node, name)?,
            };
        }
        Some(node)
    }

    pub fn get(&self, key: &KeyPath) -> Option<Value> {
        self.node(key)?.to_serde_value()
    }

    pub fn set(&mut self, path: &Path, key: &KeyPath, value: &Value) -> Result<(), ConnectError> {
        let (last, parents) = key
            .segments()
            .split_last()
            .ok_or_else(|| ConnectError::unsupported(path, "an empty key"))?;
        // A named entry lives in a list, itself the value of the parent's last key.
        let (objects, list) = match (last, parents.split_last()) {
            (Segment::Named { .. }, Some((Segment::Key(list), above))) => (above, Some(list)),
            (Segment::Named { .. }, _) => {
                return Err(ConnectError::unsupported(
                    path,
                    "a named entry outside a list",
                ));
            }
            _ => (parents, None),
        };
        let mut object: CstObject = self.root.object_value_or_set();
        let mut walked = Vec::new();
        for segment in objects {
            let Segment::Key(k) = segment else {
                return Err(ConnectError::unsupported(
                    path,
                    "a named entry inside a path",
                ));
            };
            walked.push(k.as_str());
            object = object.object_value_or_create(k).ok_or_else(|| {
                ConnectError::unsupported(path, format!("{} is not an object", walked.join(".")))
            })?;
        }
        match (last, list) {
            (Segment::Key(k), _) => match object.get(k) {
                Some(prop) => prop.set_value(input(value)),
                None => {
                    object.append(k, input(value));
                }
            },
            (Segment::Named { name }, Some(list)) => {
                let list = object.array_value_or_create(list).ok_or_else(|| {
                    ConnectError::unsupported(path, format!("{list} is not a list"))
                })?;
                let elements = list.elements();
                match elements
                    .iter()
                    .position(|e| element_name(e).as_deref() == Some(name))
                {
                    Some(index) => {
                        if let Some(object) = elements[index].as_object() {
                            object.replace_with(input(value));
                        }
                    }
                    None => {
                        list.append(input(value));
                    }
                }
            }
            (Segment::Named { .. }, None) => {}
        }
        Ok(())
    }

    pub fn remove(&mut self, key: &KeyPath) {
        let Some((last, parents)) = key.segments().split_last() else {
            return;
        };
        let parent = KeyPath(parents.to_vec());
        match last {
            Segment::Key(k) => {
                let object = if parents.is_empty() {
                    self.root.object_value()
                } else {
                    self.node(&parent).and_then(|n| n.as_object())
                };
                if let Some(prop) = object.and_then(|o| o.get(k)) {
                    prop.remove();
                }
            }
            Segment::Named { name } => {
                if let Some(element) = self.node(&parent).and_then(|n| named_element(&n, name)) {
                    element.remove();
                }
            }
        }
    }
}

fn element_name(element: &CstNode) -> Option<String> {
    element
        .as_object()?
        .get("name")?
        .value()?
        .to_serde_value()?
        .as_str()
        .map(str::to_owned)
}

fn named_element(node: &CstNode, name: &str) -> Option<CstNode> {
    node.as_array()?
        .elements()
        .into_iter()
        .find(|e| element_name(e).as_deref() == Some(name))
}

fn input(value: &Value) -> CstInputValue {
    match value {
        Value::Null => CstInputValue::Null,
        Value::Bool(b) => CstInputValue::Bool(*b),
        Value::Number(n) => CstInputValue::Number(n.to_string()),
        Value::String(s) => CstInputValue::String(s.clone()),
        Value::Array(items) => CstInputValue::Array(items.iter().map(input).collect()),
        Value::Object(map) => {
            CstInputValue::Object(map.iter().map(|(k, v)| (k.clone(), input(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(text: &str) -> JsonDocument {
        JsonDocument::parse(Path::new("settings.json"), text).unwrap()
    }

    #[test]
    fn setting_a_new_key_keeps_comments_and_order_of_the_rest() {
        let text = "{\n  // my model\n  \"model\": \"opus\",\n  \"env\": {\n    \"FOO\": \"1\" // keep\n  }\n}\n";
        let mut d = doc(text);
        d.set(Path::new("x"), &KeyPath::keys(&["env", "BAR"]), &json!("2"))
            .unwrap();
        assert_eq!(
            d.text(),
            "{\n  // my model\n  \"model\": \"opus\",\n  \"env\": {\n    \"FOO\": \"1\", // keep\n    \"BAR\": \"2\"\n  }\n}\n"
        );
        d.remove(&KeyPath::keys(&["env", "BAR"]));
        assert_eq!(d.text(), text, "removing the key gives back the text");
    }

    #[test]
    fn missing_parents_are_created_and_found_again() {
        let mut d = doc("{}\n");
        let key = KeyPath::keys(&["security", "auth", "selectedType"]);
        d.set(Path::new("x"), &key, &json!("gemini-api-key"))
            .unwrap();
        assert_eq!(d.get(&key), Some(json!("gemini-api-key")));
        let parsed: Value = serde_json::from_str(&d.text()).unwrap();
        assert_eq!(
            parsed,
            json!({"security": {"auth": {"selectedType": "gemini-api-key"}}})
        );
    }

    #[test]
    fn an_empty_file_is_an_empty_object() {
        let mut d = doc("");
        d.set(Path::new("x"), &KeyPath::keys(&["a"]), &json!(1))
            .unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&d.text()).unwrap(),
            json!({"a": 1})
        );
    }

    #[test]
    fn a_broken_file_is_refused_with_its_line() {
        let err = JsonDocument::parse(
            Path::new("/h/settings.json"),
            "{\n  \"a\": 1,\n  \"b\" 2\n}",
        )
        .unwrap_err();
        match err {
            ConnectError::Unparseable { line, .. } => assert_eq!(line, 3),
            other => panic!("expected Unparseable, got {other:?}"),
        }
    }

    #[test]
    fn a_parent_that_is_not_an_object_is_not_overwritten() {
        let mut d = doc("{\"env\": \"oops\"}");
        let err = d
            .set(Path::new("x"), &KeyPath::keys(&["env", "A"]), &json!("1"))
            .unwrap_err();
        assert!(err.to_string().contains("env is not an object"), "{err}");
        assert_eq!(d.text(), "{\"env\": \"oops\"}");
    }

    #[test]
    fn named_entries_of_a_list_are_replaced_in_place() {
        let mut d = doc("{\"models\": [{\"name\": \"a\"}, {\"name\": \"Switchyard\", \"x\": 1}]}");
        let key = KeyPath::named_entry("models", "Switchyard");
        d.set(Path::new("x"), &key, &json!({"name": "Switchyard", "x": 2}))
            .unwrap();
        assert_eq!(d.get(&key), Some(json!({"name": "Switchyard", "x": 2})));
        d.remove(&key);
        assert_eq!(
            d.get(&KeyPath::keys(&["models"])),
            Some(json!([{"name": "a"}]))
        );
    }
}
