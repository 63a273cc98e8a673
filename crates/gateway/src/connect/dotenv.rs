//! `.env` files (Gemini CLI's `~/.gemini/.env`): one `KEY=value` per line, edited line by line.
//! A key set here replaces the line that defines it (the last one, which is the one that
//! counts) or is appended; every other line, comments included, stays as it was.

use std::path::Path;

use serde_json::Value;

use super::error::ConnectError;
use super::key::{KeyPath, Segment};

#[derive(Debug)]
pub struct DotEnvDocument {
    lines: Vec<String>,
    /// Whether the text ended with a line break (kept as it was).
    trailing_newline: bool,
}

/// The key a line defines, if it is an assignment.
fn assigned_key(line: &str) -> Option<&str> {
    let line = line.trim_start();
    let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
    let (key, _) = line.split_once('=')?;
    let key = key.trim_end();
    (!key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'))
    .then_some(key)
}

fn unquote(raw: &str) -> String {
    let raw = raw.trim();
    for quote in ['"', '\''] {
        if let Some(inner) = raw.strip_prefix(quote)
            && let Some(end) = inner.find(quote)
        {
            return inner[..end].to_owned();
        }
    }
    match raw.find(" #") {
        Some(comment) => raw[..comment].trim_end().to_owned(),
        None => raw.to_owned(),
    }
}

fn render(key: &str, value: &str) -> String {
    let plain = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./:@+=,".contains(c));
    if plain {
        format!("{key}={value}")
    } else {
        format!("{key}={}", Value::String(value.to_owned()))
    }
}

impl DotEnvDocument {
    pub fn parse(path: &Path, text: &str) -> Result<DotEnvDocument, ConnectError> {
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') && assigned_key(line).is_none() {
                return Err(ConnectError::Unparseable {
                    path: path.to_path_buf(),
                    line: i + 1,
                    message: "expected KEY=value or a # comment".into(),
                });
            }
        }
        Ok(DotEnvDocument {
            trailing_newline: text.is_empty() || text.ends_with('\n'),
            lines,
        })
    }

    pub fn text(&self) -> String {
        let mut text = self.lines.join("\n");
        if self.trailing_newline && !self.lines.is_empty() {
            text.push('\n');
        }
        text
    }

    fn name(key: &KeyPath) -> Option<&str> {
        match key.segments() {
            [Segment::Key(k)] => Some(k),
            _ => None,
        }
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.lines
            .iter()
            .rposition(|line| assigned_key(line) == Some(name))
    }

    pub fn get(&self, key: &KeyPath) -> Option<Value> {
        let name = Self::name(key)?;
        let line = &self.lines[self.position(name)?];
        let (_, raw) = line.split_once('=')?;
        Some(Value::String(unquote(raw)))
    }

    pub fn set(&mut self, path: &Path, key: &KeyPath, value: &Value) -> Result<(), ConnectError> {
        let name = Self::name(key).ok_or_else(|| {
            ConnectError::unsupported(path, "a .env file has only top-level keys")
        })?;
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let line = render(name, &text);
        match self.position(name) {
            Some(i) => self.lines[i] = line,
            None => {
                self.lines.push(line);
                self.trailing_newline = true;
            }
        }
        Ok(())
    }

    pub fn remove(&mut self, key: &KeyPath) {
        if let Some(i) = Self::name(key).and_then(|name| self.position(name)) {
            self.lines.remove(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn set_replaces_the_defining_line_and_keeps_the_rest() {
        let text = "# mine\nexport GEMINI_API_KEY=\"abc def\"\nOTHER=1 # note\n";
        let mut d = DotEnvDocument::parse(Path::new(".env"), text).unwrap();
        let key = KeyPath::keys(&["GEMINI_API_KEY"]);
        assert_eq!(d.get(&key), Some(json!("abc def")));
        assert_eq!(d.get(&KeyPath::keys(&["OTHER"])), Some(json!("1")));
        d.set(Path::new(".env"), &key, &json!("sk-sy-1")).unwrap();
        d.set(
            Path::new(".env"),
            &KeyPath::keys(&["NEW"]),
            &json!("http://127.0.0.1:4545"),
        )
        .unwrap();
        assert_eq!(
            d.text(),
            "# mine\nGEMINI_API_KEY=sk-sy-1\nOTHER=1 # note\nNEW=http://127.0.0.1:4545\n"
        );
        d.remove(&KeyPath::keys(&["NEW"]));
        assert_eq!(d.text(), "# mine\nGEMINI_API_KEY=sk-sy-1\nOTHER=1 # note\n");
    }

    #[test]
    fn a_value_with_spaces_is_quoted() {
        let mut d = DotEnvDocument::parse(Path::new(".env"), "").unwrap();
        d.set(Path::new(".env"), &KeyPath::keys(&["A"]), &json!("a b"))
            .unwrap();
        assert_eq!(d.text(), "A=\"a b\"\n");
        assert_eq!(d.get(&KeyPath::keys(&["A"])), Some(json!("a b")));
    }

    #[test]
    fn a_line_that_is_not_an_assignment_is_refused_with_its_number() {
        let err = DotEnvDocument::parse(Path::new(".env"), "A=1\nnot an assignment\n").unwrap_err();
        assert!(
            matches!(err, ConnectError::Unparseable { line: 2, .. }),
            "{err:?}"
        );
    }
}
