//! The request messages' proto shape, and the check Google's proto-JSON
//! parser makes before anything else looks at a request.
//!
//! The real API parses bodies into protobuf messages: a key that names no
//! field is an error (`Unknown name "additionalProperties" at '…': Cannot
//! find field.`), a list where a single value belongs is an error, and so is a
//! value of the wrong type or an unknown enum name. Field names are accepted
//! in `lowerCamelCase` and in `snake_case`; errors always spell paths in
//! `snake_case`, with map entries as `properties[3].value`. Every problem in
//! the body is reported at once, one line each, plus one `BadRequest` field
//! violation each.
//!
//! This is what catches a gateway sending JSON Schema keys Gemini's `Schema`
//! does not have (`additionalProperties`, `$schema`, `$ref`, `const`, …): they
//! are simply not fields of `Schema` (see [`messages`]).
//!
//! Only shapes are checked here; what the values mean (roles, empty lists,
//! function names) is [`super::rules`]'s job.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use super::error::GoogleError;

mod messages;

pub(crate) use messages::{COUNT_TOKENS_REQUEST, GENERATE_CONTENT_REQUEST, PART_DATA};

/// What a field holds.
#[derive(Debug)]
pub(crate) enum Kind {
    Str,
    Bool,
    Int32,
    Int64,
    Float,
    Double,
    /// Base64 in JSON.
    Bytes,
    Enum(&'static EnumType),
    Msg(&'static Message),
    /// `google.protobuf.Struct`: any JSON object.
    Struct,
    /// `google.protobuf.Value`: any JSON value.
    AnyValue,
    /// A message the mock does not model field by field (e.g. `googleSearch`):
    /// any JSON object passes.
    Opaque(&'static str),
    /// `google.protobuf.Duration`, e.g. `"1.5s"`.
    Duration,
}

/// How many values a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Label {
    One,
    Repeated,
    /// `map<string, …>`.
    Map,
}

#[derive(Debug)]
pub(crate) struct Field {
    /// The proto (`snake_case`) name.
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) label: Label,
}

#[derive(Debug)]
pub(crate) struct Message {
    /// The name after `google.ai.generativelanguage.<version>.`.
    pub(crate) name: &'static str,
    pub(crate) fields: &'static [Field],
}

#[derive(Debug)]
pub(crate) struct EnumType {
    /// The name after `google.ai.generativelanguage.<version>.`.
    pub(crate) name: &'static str,
    pub(crate) values: &'static [&'static str],
}

/// `function_declarations` → `functionDeclarations`.
pub(crate) fn lower_camel(snake: &str) -> String {
    let mut camel = String::with_capacity(snake.len());
    let mut upper = false;
    for ch in snake.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            camel.extend(ch.to_uppercase());
            upper = false;
        } else {
            camel.push(ch);
        }
    }
    camel
}

/// Whether a JSON key names the proto field `snake` (either spelling).
pub(crate) fn names(key: &str, snake: &str) -> bool {
    key == snake || (snake.contains('_') && key == lower_camel(snake))
}

/// Decodes proto-JSON bytes: standard or URL-safe base64, padded or not.
pub(crate) fn decode_bytes(text: &str) -> Option<Vec<u8>> {
    [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text).ok())
}

/// Parses `body` as `message` the way Google's proto-JSON parser does and
/// reports every problem at once.
pub(crate) fn check(
    body: &Value,
    message: &'static Message,
    version: &str,
) -> Result<(), GoogleError> {
    let mut parser = Parser {
        version,
        problems: Vec::new(),
    };
    parser.message(body, message, "");
    if parser.problems.is_empty() {
        return Ok(());
    }
    let text = parser
        .problems
        .iter()
        .map(|p| p.description.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let violations: Vec<Value> = parser
        .problems
        .iter()
        .map(|p| match &p.field {
            Some(field) => json!({"field": field, "description": p.description}),
            None => json!({"description": p.description}),
        })
        .collect();
    Err(GoogleError::invalid_argument(text).detail(json!({
        "@type": "type.googleapis.com/google.rpc.BadRequest",
        "fieldViolations": violations,
    })))
}

#[derive(Debug)]
struct Problem {
    field: Option<String>,
    description: String,
}

#[derive(Debug)]
struct Parser<'a> {
    version: &'a str,
    problems: Vec<Problem>,
}

/// `parent.name`, or `name` at the top.
fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

impl Parser<'_> {
    /// `Invalid JSON payload received. Unknown name "key" at 'path': reason`.
    fn unknown_name(&mut self, key: &str, path: &str, reason: &str) {
        let description = if path.is_empty() {
            format!("Invalid JSON payload received. Unknown name \"{key}\": {reason}")
        } else {
            format!("Invalid JSON payload received. Unknown name \"{key}\" at '{path}': {reason}")
        };
        self.problems.push(Problem {
            field: (!path.is_empty()).then(|| path.to_owned()),
            description,
        });
    }

    /// `Invalid value at 'path' (type), value`.
    fn invalid_value(&mut self, path: &str, type_name: &str, value: &Value) {
        self.problems.push(Problem {
            field: Some(path.to_owned()),
            description: format!("Invalid value at '{path}' ({type_name}), {value}"),
        });
    }

    fn type_url(&self, name: &str) -> String {
        format!(
            "type.googleapis.com/google.ai.generativelanguage.{}.{name}",
            self.version
        )
    }

    fn message(&mut self, value: &Value, message: &'static Message, path: &str) {
        let Some(object) = value.as_object() else {
            let type_url = self.type_url(message.name);
            self.invalid_value(path, &type_url, value);
            return;
        };
        for (key, value) in object {
            let Some(field) = message.fields.iter().find(|f| names(key, f.name)) else {
                self.unknown_name(key, path, "Cannot find field.");
                continue;
            };
            self.field(key, value, field, path);
        }
    }

    fn field(&mut self, key: &str, value: &Value, field: &'static Field, parent: &str) {
        let path = join(parent, field.name);
        match (field.label, value) {
            (_, Value::Null) => {}
            (Label::One, Value::Array(_)) if !matches!(field.kind, Kind::AnyValue) => {
                self.unknown_name(
                    key,
                    parent,
                    "Proto field is not repeating, cannot start list.",
                );
            }
            (Label::One, _) => self.single(value, &field.kind, &path),
            (Label::Repeated, Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    self.single(item, &field.kind, &format!("{path}[{i}]"));
                }
            }
            (Label::Map, Value::Object(entries)) => {
                for (i, (_, entry)) in entries.iter().enumerate() {
                    self.single(entry, &field.kind, &format!("{path}[{i}].value"));
                }
            }
            (Label::Repeated | Label::Map, other) => {
                let type_name = self.kind_name(&field.kind);
                self.invalid_value(&path, &type_name, other);
            }
        }
    }

    fn kind_name(&self, kind: &Kind) -> String {
        match kind {
            Kind::Str | Kind::Duration => "TYPE_STRING".to_owned(),
            Kind::Bool => "TYPE_BOOL".to_owned(),
            Kind::Int32 => "TYPE_INT32".to_owned(),
            Kind::Int64 => "TYPE_INT64".to_owned(),
            Kind::Float => "TYPE_FLOAT".to_owned(),
            Kind::Double => "TYPE_DOUBLE".to_owned(),
            Kind::Bytes => "TYPE_BYTES".to_owned(),
            Kind::Enum(e) => self.type_url(e.name),
            Kind::Msg(m) => self.type_url(m.name),
            Kind::Opaque(name) => self.type_url(name),
            Kind::Struct => "type.googleapis.com/google.protobuf.Struct".to_owned(),
            Kind::AnyValue => "type.googleapis.com/google.protobuf.Value".to_owned(),
        }
    }

    fn single(&mut self, value: &Value, kind: &Kind, path: &str) {
        if value.is_null() {
            return;
        }
        let fits = match kind {
            Kind::Msg(message) => {
                self.message(value, message, path);
                return;
            }
            Kind::Bytes => {
                if let Some(text) = value.as_str() {
                    if decode_bytes(text).is_none() {
                        self.problems.push(Problem {
                            field: Some(path.to_owned()),
                            description: format!(
                                "Invalid value at '{path}' (TYPE_BYTES), Base64 decoding failed for {value}"
                            ),
                        });
                    }
                    return;
                }
                false
            }
            Kind::Str => value.is_string(),
            Kind::Duration => value
                .as_str()
                .and_then(|s| s.strip_suffix('s'))
                .is_some_and(|n| n.parse::<f64>().is_ok()),
            Kind::Bool => value.is_boolean(),
            Kind::Int32 | Kind::Int64 => {
                value.is_i64()
                    || value.is_u64()
                    || value.as_f64().is_some_and(|f| f.fract() == 0.0)
                    || value.as_str().is_some_and(|s| s.parse::<i64>().is_ok())
            }
            Kind::Float | Kind::Double => {
                value.is_number() || value.as_str().is_some_and(|s| s.parse::<f64>().is_ok())
            }
            Kind::Enum(enumeration) => match value {
                Value::String(name) => enumeration
                    .values
                    .iter()
                    .any(|v| v.eq_ignore_ascii_case(name)),
                Value::Number(n) => n
                    .as_u64()
                    .is_some_and(|n| n < enumeration.values.len() as u64),
                _ => false,
            },
            Kind::Struct | Kind::Opaque(_) => value.is_object(),
            Kind::AnyValue => true,
        };
        if !fits {
            let type_name = self.kind_name(kind);
            self.invalid_value(path, &type_name, value);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn problems(body: Value) -> String {
        check(&body, &GENERATE_CONTENT_REQUEST, "v1beta")
            .err()
            .map(|e| e.message)
            .unwrap_or_default()
    }

    #[test]
    fn both_spellings_of_a_field_are_accepted() {
        assert!(names("functionDeclarations", "function_declarations"));
        assert!(names("function_declarations", "function_declarations"));
        assert!(!names("FunctionDeclarations", "function_declarations"));
        assert_eq!(lower_camel("a_b_c"), "aBC");
    }

    #[test]
    fn unknown_keys_are_reported_with_their_snake_case_path() {
        let body = json!({"tools": [{"functionDeclarations": [{"name": "f", "parameters": {
            "type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "object", "additionalProperties": false}}
        }}]}], "foo": 1});
        assert_eq!(
            problems(body),
            "Invalid JSON payload received. Unknown name \"additionalProperties\" at \
             'tools[0].function_declarations[0].parameters.properties[1].value': Cannot find field.\n\
             Invalid JSON payload received. Unknown name \"foo\": Cannot find field."
        );
    }

    #[test]
    fn a_type_list_cannot_start_a_list() {
        let body = json!({"generationConfig": {"responseSchema": {"type": ["string", "null"]}}});
        assert_eq!(
            problems(body),
            "Invalid JSON payload received. Unknown name \"type\" at \
             'generation_config.response_schema': Proto field is not repeating, cannot start list."
        );
    }

    #[test]
    fn wrong_values_name_the_expected_type() {
        let body = json!({"generationConfig": {"temperature": "hot", "thinkingConfig": {"thinkingLevel": "extreme"}},
                          "contents": [{"parts": [{"inlineData": {"data": "%%%"}}]}]});
        let text = problems(body);
        assert!(
            text.contains("Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\""),
            "{text}"
        );
        assert!(text.contains("(type.googleapis.com/google.ai.generativelanguage.v1beta.ThinkingConfig.ThinkingLevel), \"extreme\""), "{text}");
        assert!(text.contains("'contents[0].parts[0].inline_data.data' (TYPE_BYTES), Base64 decoding failed for \"%%%\""), "{text}");
    }

    #[test]
    fn enums_ignore_case_and_json_schema_goes_in_its_own_fields() {
        let body = json!({"tools": [{"functionDeclarations": [
            {"name": "f", "parameters": {"type": "object", "properties": {"a": {"type": "STRING"}}}},
            {"name": "g", "parametersJsonSchema": {"type": "object", "additionalProperties": false, "$schema": "x"}}
        ]}], "toolConfig": {"functionCallingConfig": {"mode": "any"}}});
        assert_eq!(problems(body), "");
    }
}
