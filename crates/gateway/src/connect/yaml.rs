//! YAML files (Aider's `~/.aider.conf.yml`, Continue's `config.yaml`). No YAML library for
//! Rust edits a file in place keeping its comments, so the edits here are line-based and
//! deliberately narrow: a top-level `key: scalar`, or one entry of a top-level block list.
//! Every other line stays byte-identical. A YAML 1.2 parser (yaml-rust2) checks the file
//! before the edit and reads values back, and the caller re-reads every edited value from the
//! new text before anything is written; shapes outside these two (flow style lists, several
//! documents) are refused rather than guessed at.

use std::path::Path;

use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

use super::error::ConnectError;
use super::key::{KeyPath, Segment};

#[derive(Debug)]
pub struct YamlDocument {
    /// Each line with its own line break, so untouched lines come back exactly.
    lines: Vec<String>,
}

/// A top-level `key:` and the lines its value spans (end exclusive, trailing comments and
/// blank lines left to whatever follows).
#[derive(Debug, Clone, Copy)]
struct Entry {
    start: usize,
    end: usize,
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_neutral(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

fn is_doc_marker(line: &str) -> bool {
    line.starts_with("---") || line.starts_with("...")
}

/// The key a column-0 line opens, with what follows its colon.
fn top_key(line: &str) -> Option<(String, &str)> {
    if line.starts_with([' ', '\t', '#', '-', '\n', '\r']) || is_doc_marker(line) {
        return None;
    }
    let body = line.trim_end_matches(['\n', '\r']);
    let colon = body
        .char_indices()
        .find(|&(i, c)| c == ':' && body[i + 1..].chars().next().is_none_or(char::is_whitespace))
        .map(|(i, _)| i)?;
    let key = body[..colon].trim().trim_matches(['"', '\'']).to_owned();
    Some((key, &body[colon + 1..]))
}

/// What follows a key's colon, without a trailing comment.
fn inline_value(rest: &str) -> &str {
    let rest = rest.trim();
    match rest.find(" #") {
        Some(i) => rest[..i].trim_end(),
        None if rest.starts_with('#') => "",
        None => rest,
    }
}

fn yaml_to_json(yaml: &Yaml) -> Value {
    match yaml {
        Yaml::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(r.clone()), Value::Number),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(items) => Value::Array(items.iter().map(yaml_to_json).collect()),
        Yaml::Hash(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        other => yaml_to_json(other).to_string(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Yaml::Null | Yaml::Alias(_) | Yaml::BadValue => Value::Null,
    }
}

/// A string as a plain YAML scalar when that reads back as the same string, else quoted
/// (a JSON string is a valid YAML double-quoted scalar).
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => {
            let reserved = [
                "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~",
            ];
            let plain = !s.is_empty()
                && s.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '/')
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:@+".contains(c))
                && !s.ends_with(':')
                && !reserved.contains(&s.to_ascii_lowercase().as_str())
                && s.parse::<f64>().is_err();
            if plain {
                s.clone()
            } else {
                Value::String(s.clone()).to_string()
            }
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(scalar).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", scalar(&Value::String(k.clone())), scalar(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// A list entry at `indent`: `- first: …` then the other members under it.
fn render_entry(value: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let Value::Object(map) = value else {
        return format!("{pad}- {}\n", scalar(value));
    };
    map.iter()
        .enumerate()
        .map(|(i, (k, v))| {
            let lead = if i == 0 { "- " } else { "  " };
            format!(
                "{pad}{lead}{}: {}\n",
                scalar(&Value::String(k.clone())),
                scalar(v)
            )
        })
        .collect()
}

impl YamlDocument {
    pub fn parse(path: &Path, text: &str) -> Result<YamlDocument, ConnectError> {
        let docs = YamlLoader::load_from_str(text).map_err(|e| ConnectError::Unparseable {
            path: path.to_path_buf(),
            line: e.marker().line(),
            message: e.info().to_owned(),
        })?;
        if docs.len() > 1 {
            return Err(ConnectError::unsupported(
                path,
                "the file holds several YAML documents",
            ));
        }
        let flow_top = text
            .lines()
            .find(|l| !is_neutral(l) && !is_doc_marker(l))
            .is_some_and(|l| l.trim_start().starts_with('{'));
        match docs.first() {
            None | Some(Yaml::Null) => {}
            Some(Yaml::Hash(_)) if !flow_top => {}
            Some(_) => {
                return Err(ConnectError::unsupported(
                    path,
                    "the file is not a block mapping of keys at the top level",
                ));
            }
        }
        Ok(YamlDocument {
            lines: text.split_inclusive('\n').map(str::to_owned).collect(),
        })
    }

    pub fn text(&self) -> String {
        self.lines.concat()
    }

    fn value(&self) -> Value {
        YamlLoader::load_from_str(&self.text())
            .ok()
            .and_then(|docs| docs.first().map(yaml_to_json))
            .unwrap_or(Value::Null)
    }

    pub fn get(&self, key: &KeyPath) -> Option<Value> {
        let mut value = self.value();
        for segment in key.segments() {
            value = match segment {
                Segment::Key(k) => value.get(k)?.clone(),
                Segment::Named { name } => value
                    .as_array()?
                    .iter()
                    .find(|e| e.get("name").and_then(Value::as_str) == Some(name))?
                    .clone(),
            };
        }
        Some(value)
    }

    fn entry(&self, key: &str) -> Option<Entry> {
        let start = self
            .lines
            .iter()
            .position(|l| top_key(l).is_some_and(|(k, _)| k == key))?;
        let mut end = start + 1;
        for (j, line) in self.lines.iter().enumerate().skip(start + 1) {
            if is_neutral(line) {
                continue;
            }
            if line.starts_with([' ', '\t']) || (line.starts_with('-') && !is_doc_marker(line)) {
                end = j + 1;
            } else {
                break;
            }
        }
        Some(Entry { start, end })
    }

    /// Appends lines at the end of the file, after a line break if the last line lacks one.
    fn append(&mut self, text: String) {
        if let Some(last) = self.lines.last_mut()
            && !last.ends_with('\n')
        {
            last.push('\n');
        }
        self.lines
            .extend(text.split_inclusive('\n').map(str::to_owned));
    }

    fn splice(&mut self, start: usize, end: usize, text: &str) {
        let new: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
        self.lines.splice(start..end, new);
    }

    /// The entries of the block list under `entry`: (indent, spans of each entry).
    fn list_items(
        &self,
        path: &Path,
        name: &str,
        entry: Entry,
    ) -> Result<(usize, Vec<Entry>), ConnectError> {
        let firsts: Vec<usize> = (entry.start + 1..entry.end)
            .filter(|&j| {
                let t = self.lines[j].trim_start_matches(' ');
                t.starts_with("- ") || t.trim_end() == "-"
            })
            .collect();
        let Some(&first) = firsts.first() else {
            return Ok((2, Vec::new()));
        };
        let indent = indent_of(&self.lines[first]);
        let starts: Vec<usize> = firsts
            .into_iter()
            .filter(|&j| indent_of(&self.lines[j]) == indent)
            .collect();
        let mut spans = Vec::new();
        for (n, &start) in starts.iter().enumerate() {
            let mut end = starts.get(n + 1).copied().unwrap_or(entry.end);
            while end > start + 1 && is_neutral(&self.lines[end - 1]) {
                end -= 1;
            }
            spans.push(Entry { start, end });
        }
        let expected = self
            .get(&KeyPath::keys(&[name]))
            .and_then(|v| v.as_array().map(Vec::len));
        if expected != Some(spans.len()) {
            return Err(ConnectError::unsupported(
                path,
                format!(
                    "could not line up the entries of `{name}` with its lines; edit it by hand"
                ),
            ));
        }
        Ok((indent, spans))
    }

    pub fn set(&mut self, path: &Path, key: &KeyPath, value: &Value) -> Result<(), ConnectError> {
        match key.segments() {
            [Segment::Key(k)] => {
                let line = format!("{}: {}\n", scalar(&Value::String(k.clone())), scalar(value));
                match self.entry(k) {
                    Some(e) => self.splice(e.start, e.end, &line),
                    None => self.append(line),
                }
                Ok(())
            }
            [Segment::Key(list), Segment::Named { name }] => {
                self.set_entry(path, list, name, value)
            }
            _ => Err(ConnectError::unsupported(
                path,
                format!("cannot edit {key} in a YAML file"),
            )),
        }
    }

    fn set_entry(
        &mut self,
        path: &Path,
        list: &str,
        name: &str,
        value: &Value,
    ) -> Result<(), ConnectError> {
        let Some(entry) = self.entry(list) else {
            self.append(format!("{list}:\n{}", render_entry(value, 2)));
            return Ok(());
        };
        let inline = top_key(&self.lines[entry.start])
            .map(|(_, rest)| inline_value(rest).to_owned())
            .unwrap_or_default();
        match inline.as_str() {
            "" => {}
            "[]" | "null" | "~" => {
                let text = format!("{list}:\n{}", render_entry(value, 2));
                self.splice(entry.start, entry.end, &text);
                return Ok(());
            }
            _ => {
                return Err(ConnectError::unsupported(
                    path,
                    format!("`{list}` is not a list in block style (one `- ` entry per line)"),
                ));
            }
        }
        let (indent, spans) = self.list_items(path, list, entry)?;
        let names: Vec<Option<String>> = self
            .get(&KeyPath::keys(&[list]))
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .map(|e| e.get("name").and_then(Value::as_str).map(str::to_owned))
            .collect();
        let text = render_entry(value, indent);
        match names.iter().position(|n| n.as_deref() == Some(name)) {
            Some(i) => self.splice(spans[i].start, spans[i].end, &text),
            None => {
                let at = spans.last().map_or(entry.end, |s| s.end);
                if let Some(line) = self.lines.get_mut(at.wrapping_sub(1))
                    && !line.ends_with('\n')
                {
                    line.push('\n');
                }
                self.splice(at, at, &text);
            }
        }
        Ok(())
    }

    pub fn remove(&mut self, key: &KeyPath) {
        match key.segments() {
            [Segment::Key(k)] => {
                if let Some(e) = self.entry(k) {
                    self.splice(e.start, e.end, "");
                }
            }
            [Segment::Key(list), Segment::Named { name }] => {
                let Some(entry) = self.entry(list) else {
                    return;
                };
                let Ok((_, spans)) = self.list_items(Path::new(""), list, entry) else {
                    return;
                };
                let names: Vec<Option<String>> = self
                    .get(&KeyPath::keys(&[list]))
                    .and_then(|v| v.as_array().cloned())
                    .unwrap_or_default()
                    .iter()
                    .map(|e| e.get("name").and_then(Value::as_str).map(str::to_owned))
                    .collect();
                if let Some(i) = names
                    .iter()
                    .position(|n| n.as_deref() == Some(name.as_str()))
                {
                    self.splice(spans[i].start, spans[i].end, "");
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
#[path = "yaml_tests.rs"]
mod tests;
