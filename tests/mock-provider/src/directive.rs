//! The `[[mock-tool NAME {json args}]]` prompt directive: a test asks for one
//! specific tool call with specific arguments, in every dialect.
//!
//! Real coding agents offer dozens of tools and run only the ones they know;
//! a call to the first offered tool with sampled arguments would be refused
//! or do nothing useful. With the directive in the text of the last user turn
//! the mock calls the offered tool named `NAME` with exactly `args` (a JSON
//! object). Gateways may prefix tool names (`group__name`, `group.name`), so
//! an offered tool whose name ends in `NAME` after a `__`, `.` or `_`
//! separator matches too; an exact name wins. When tools are offered but none
//! matches, the answer is a text naming the offered tools, so the test that
//! asked sees why in the client's own output. Without the directive (or when
//! no tools are offered) every dialect answers as its module doc says.
//!
//! Some clients hand the model the user's text quoted as a JSON string
//! (`opencode run` 1.18 sends `"Read … {\"filePath\": …}]]"` as the text), so
//! arguments escaped that way are read too.

use serde_json::{Deserializer, Map, Value};

const OPENING: &str = "[[mock-tool ";
const CLOSING: &str = "]]";

/// A parsed directive.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Directive {
    /// The tool's name as the test wrote it.
    pub(crate) name: String,
    /// The call's arguments, exactly as written.
    pub(crate) args: Map<String, Value>,
}

impl Directive {
    /// The first well-formed directive in `text`.
    pub(crate) fn find(text: &str) -> Option<Directive> {
        let mut rest = text;
        while let Some(at) = rest.find(OPENING) {
            rest = &rest[at + OPENING.len()..];
            if let Some(directive) = parse(rest) {
                return Some(directive);
            }
        }
        None
    }

    /// The offered tool this directive names: an exact match first, else one
    /// whose name ends in `_NAME`, `.NAME` or `__NAME`.
    pub(crate) fn pick<'a>(&self, offered: &[&'a str]) -> Option<&'a str> {
        let wanted = self.name.as_str();
        offered.iter().copied().find(|n| *n == wanted).or_else(|| {
            offered.iter().copied().find(|n| {
                n.strip_suffix(wanted)
                    .is_some_and(|head| head.ends_with('_') || head.ends_with('.'))
            })
        })
    }

    /// The arguments as JSON text.
    pub(crate) fn arguments(&self) -> String {
        Value::Object(self.args.clone()).to_string()
    }

    /// The answer when no offered tool matches.
    pub(crate) fn unmatched(&self, offered: &[&str]) -> String {
        format!(
            "mock-tool: no offered tool is named {}; offered: {}",
            self.name,
            offered.join(", ")
        )
    }
}

/// `NAME {json}]]` after the opening.
fn parse(text: &str) -> Option<Directive> {
    let end = text.find(char::is_whitespace)?;
    let name = &text[..end];
    if name.is_empty() || name.contains(CLOSING) {
        return None;
    }
    let after = text[end..].trim_start();
    let args = object_before_closing(after).or_else(|| escaped_object_before_closing(after))?;
    Some(Directive {
        name: name.to_owned(),
        args,
    })
}

/// A JSON object at the start of `text`, followed by `]]`.
fn object_before_closing(text: &str) -> Option<Map<String, Value>> {
    let mut values = Deserializer::from_str(text).into_iter::<Value>();
    let Some(Ok(Value::Object(args))) = values.next() else {
        return None;
    };
    text[values.byte_offset()..]
        .trim_start()
        .starts_with(CLOSING)
        .then_some(args)
}

/// The same, written inside a JSON string (`{\"a\": 1}]]`): each `]]` in turn
/// may end the escaped object.
fn escaped_object_before_closing(text: &str) -> Option<Map<String, Value>> {
    text.match_indices(CLOSING).find_map(|(at, _)| {
        let unescaped: String = serde_json::from_str(&format!("\"{}\"", &text[..at])).ok()?;
        match serde_json::from_str::<Value>(unescaped.trim()) {
            Ok(Value::Object(args)) => Some(args),
            _ => None,
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_directive_names_a_tool_and_its_exact_arguments() {
        let text = r#"Please run [[mock-tool Read {"file_path": "/w/a]]b.txt", "n": [[1]]}]] now."#;
        let directive = Directive::find(text).unwrap();
        assert_eq!(directive.name, "Read");
        assert_eq!(
            Value::Object(directive.args),
            json!({"file_path": "/w/a]]b.txt", "n": [[1]]})
        );
    }

    #[test]
    fn arguments_escaped_inside_a_quoted_prompt_are_read() {
        let text = r#""Read it. [[mock-tool read {\"filePath\": \"/w/a.txt\", \"n\": [[1]]}]]""#;
        let directive = Directive::find(text).unwrap();
        assert_eq!(directive.name, "read");
        assert_eq!(
            Value::Object(directive.args),
            json!({"filePath": "/w/a.txt", "n": [[1]]})
        );
    }

    #[test]
    fn malformed_directives_are_ignored() {
        assert_eq!(Directive::find("no directive"), None);
        assert_eq!(Directive::find("[[mock-tool Read not-json]]"), None);
        assert_eq!(Directive::find("[[mock-tool Read [1, 2]]]"), None);
        assert_eq!(Directive::find(r#"[[mock-tool Read {"a": 1}"#), None);
        let later = Directive::find(r#"[[mock-tool x]] [[mock-tool y {}]]"#).unwrap();
        assert_eq!(later.name, "y");
    }

    #[test]
    fn exact_names_win_over_prefixed_ones() {
        let directive = Directive::find("[[mock-tool read {}]]").unwrap();
        assert_eq!(directive.pick(&["fs__read", "read"]), Some("read"));
        assert_eq!(directive.pick(&["list", "fs__read"]), Some("fs__read"));
        assert_eq!(directive.pick(&["fs.read"]), Some("fs.read"));
        assert_eq!(directive.pick(&["mcp_read"]), Some("mcp_read"));
        assert_eq!(directive.pick(&["reread", "read_file"]), None);
        assert_eq!(
            directive.unmatched(&["a", "b"]),
            "mock-tool: no offered tool is named read; offered: a, b"
        );
    }
}
