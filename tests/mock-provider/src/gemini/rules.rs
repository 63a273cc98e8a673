//! What Gemini checks once a request has parsed (see [`super::proto`]): the
//! meaning of the values, then the shape of the conversation.
//!
//! Field rules come first and are all reported at once, one
//! `* GenerateContentRequest.<path>: <reason>` line each, as Google does:
//! `contents` non-empty, `parts` non-empty, one data field per part, names on
//! function calls and responses, valid function names, and the schema rules
//! translators break most (an `ARRAY` without `items`, an `OBJECT` without
//! `properties`, `required` naming an undefined property).
//!
//! Conversation rules come next and stop at the first problem: roles are
//! `user` or `model` (a missing role counts as `user`; `systemInstruction`'s
//! role is ignored), a function call turn follows a user or function response
//! turn, a function response turn follows a function call turn with the same
//! names and as many parts, and, for `gemini-3*` models, the first
//! `functionCall` of every model step in the current turn carries the
//! `thoughtSignature` the mock issued (see [`super::signature`]).

use serde_json::Value;

use super::error::GoogleError;
use super::proto::{PART_DATA, lower_camel};
use super::signature;

/// A field by its proto name in either spelling; `null` counts as absent.
pub(crate) fn field<'a>(value: &'a Value, snake: &str) -> Option<&'a Value> {
    let object = value.as_object()?;
    object
        .get(snake)
        .or_else(|| object.get(&lower_camel(snake)))
        .filter(|v| !v.is_null())
}

/// A list field; absent or not a list is empty.
pub(crate) fn items<'a>(value: &'a Value, snake: &str) -> &'a [Value] {
    field(value, snake)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A string field; absent or not a string is empty.
pub(crate) fn text<'a>(value: &'a Value, snake: &str) -> &'a str {
    field(value, snake).and_then(Value::as_str).unwrap_or("")
}

/// The role of a content; a missing role means `user`.
pub(crate) fn role(content: &Value) -> &str {
    match text(content, "role") {
        "" => "user",
        role => role,
    }
}

/// The data field a part sets, if exactly one. Empty text is unset, as proto3
/// leaves empty strings out, unless the part carries a thought signature.
fn data_fields(part: &Value) -> Vec<&'static str> {
    let signed = field(part, "thought_signature").is_some();
    PART_DATA
        .iter()
        .copied()
        .filter(|name| match field(part, name) {
            Some(Value::String(s)) => signed || !s.is_empty(),
            Some(_) => true,
            None => false,
        })
        .collect()
}

/// The request's field rules; `request` names the message in the errors
/// (`GenerateContentRequest`, `CountTokensRequest.generate_content_request`).
pub(crate) fn check_fields(body: &Value, request: &str) -> Result<(), GoogleError> {
    let mut lines = Lines::default();
    let contents = items(body, "contents");
    if contents.is_empty() {
        lines.push("contents", "contents is not specified");
    }
    for (i, content) in contents.iter().enumerate() {
        parts(content, &format!("contents[{i}]"), &mut lines)?;
    }
    if let Some(system) = field(body, "system_instruction") {
        parts(system, "system_instruction", &mut lines)?;
    }
    for (i, tool) in items(body, "tools").iter().enumerate() {
        for (j, declaration) in items(tool, "function_declarations").iter().enumerate() {
            let path = format!("tools[{i}].function_declarations[{j}]");
            if !valid_function_name(text(declaration, "name")) {
                lines.push(
                    &format!("{path}.name"),
                    "Invalid function name. Must start with a letter or an underscore. Must be \
                     a-z, A-Z, 0-9, or contain underscores, colons, dots, and dashes, with a \
                     maximum length of 64.",
                );
            }
            for key in ["parameters", "response"] {
                if let Some(schema) = field(declaration, key) {
                    check_schema(schema, &format!("{path}.{key}"), &mut lines);
                }
            }
        }
    }
    if let Some(schema) =
        field(body, "generation_config").and_then(|config| field(config, "response_schema"))
    {
        check_schema(schema, "generation_config.response_schema", &mut lines);
    }
    lines.into_result(request)
}

/// `* Request.path: reason` lines, reported together.
#[derive(Debug, Default)]
struct Lines(Vec<(String, String)>);

impl Lines {
    fn push(&mut self, path: &str, reason: &str) {
        self.0.push((path.to_owned(), reason.to_owned()));
    }

    fn into_result(self, request: &str) -> Result<(), GoogleError> {
        if self.0.is_empty() {
            return Ok(());
        }
        let message: String = self
            .0
            .iter()
            .map(|(path, reason)| format!("* {request}.{path}: {reason}\n"))
            .collect();
        Err(GoogleError::invalid_argument(message))
    }
}

/// A content's parts: non-empty, one data field each, names where required.
/// Two data fields in one part fail at once, as the proto parser does.
fn parts(content: &Value, path: &str, lines: &mut Lines) -> Result<(), GoogleError> {
    let parts = items(content, "parts");
    if parts.is_empty() {
        lines.push(
            &format!("{path}.parts"),
            "contents.parts must not be empty.",
        );
    }
    for (j, part) in parts.iter().enumerate() {
        let part_path = format!("{path}.parts[{j}]");
        match data_fields(part).as_slice() {
            [] => lines.push(
                &format!("{part_path}.data"),
                "required oneof field 'data' must have one initialized field",
            ),
            [_] => {}
            [_, second, ..] => {
                return Err(GoogleError::invalid_argument(format!(
                    "Invalid value at '{part_path}' (oneof), oneof field 'data' is already set. \
                     Cannot set '{}'",
                    lower_camel(second)
                )));
            }
        }
        for (key, name) in [
            ("function_call", "function_call"),
            ("function_response", "function_response"),
        ] {
            if let Some(call) = field(part, key)
                && text(call, "name").is_empty()
            {
                lines.push(&format!("{part_path}.{name}.name"), "Name cannot be empty.");
            }
        }
    }
    Ok(())
}

/// Letters, digits, `_ . : -`, starting with a letter or `_`, at most 64.
fn valid_function_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.len() <= 64
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-'))
}

/// The rules Gemini adds to its OpenAPI schema subset, at any depth. Map
/// entries are named by key here (`properties[city]`), unlike parse errors.
fn check_schema(schema: &Value, path: &str, lines: &mut Lines) {
    let kind = text(schema, "type").to_ascii_uppercase();
    let properties = field(schema, "properties").and_then(Value::as_object);
    if kind == "ARRAY" && field(schema, "items").is_none() {
        lines.push(&format!("{path}.items"), "missing field.");
    }
    if kind == "OBJECT" && properties.is_none_or(serde_json::Map::is_empty) {
        lines.push(
            &format!("{path}.properties"),
            "should be non-empty for OBJECT type",
        );
    }
    for (k, required) in items(schema, "required").iter().enumerate() {
        let defined = required
            .as_str()
            .is_some_and(|name| properties.is_some_and(|p| p.contains_key(name)));
        if !defined {
            lines.push(&format!("{path}.required[{k}]"), "property is not defined");
        }
    }
    for (name, property) in properties.into_iter().flatten() {
        check_schema(property, &format!("{path}.properties[{name}]"), lines);
    }
    if let Some(item) = field(schema, "items") {
        check_schema(item, &format!("{path}.items"), lines);
    }
    for (k, option) in items(schema, "any_of").iter().enumerate() {
        check_schema(option, &format!("{path}.any_of[{k}]"), lines);
    }
}

/// The conversation rules, first problem only. Thought signatures are
/// required only when `signatures` (a `gemini-3*` model generating).
pub(crate) fn check_conversation(contents: &[Value], signatures: bool) -> Result<(), GoogleError> {
    for content in contents {
        if !matches!(role(content), "user" | "model") {
            return Err(GoogleError::invalid_argument(
                "Please use a valid role: user, model.",
            ));
        }
    }
    for (i, content) in contents.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| &contents[p]);
        let calls = part_fields(content, "function_call");
        if role(content) == "model" && !calls.is_empty() {
            let after_user = previous.is_some_and(|p| role(p) == "user");
            if !after_user {
                return Err(GoogleError::invalid_argument(
                    "Please ensure that function call turn comes immediately after a user turn \
                     or after a function response turn.",
                ));
            }
        }
        let responses = part_fields(content, "function_response");
        if responses.is_empty() {
            continue;
        }
        let previous_calls = previous
            .filter(|p| role(p) == "model")
            .map(|p| part_fields(p, "function_call"))
            .unwrap_or_default();
        if previous_calls.is_empty() {
            return Err(GoogleError::invalid_argument(
                "Please ensure that function response turn comes immediately after a function \
                 call turn.",
            ));
        }
        if responses.len() != previous_calls.len() {
            return Err(GoogleError::invalid_argument(
                "Please ensure that the number of function response parts is equal to the number \
                 of function call parts of the function call turn.",
            ));
        }
        for response in &responses {
            let name = text(response, "name");
            if !previous_calls.iter().any(|call| text(call, "name") == name) {
                return Err(GoogleError::invalid_argument(format!(
                    "Please ensure that function response turn comes immediately after a \
                     function call turn. Function response `{name}` matches no function call of \
                     the preceding model turn."
                )));
            }
        }
    }
    if signatures {
        check_signatures(contents)?;
    }
    Ok(())
}

/// The `function_call` (or other) objects of a content's parts.
fn part_fields<'a>(content: &'a Value, key: &str) -> Vec<&'a Value> {
    items(content, "parts")
        .iter()
        .filter_map(|part| field(part, key))
        .collect()
}

/// Gemini 3's rule: the current turn starts at the last user content with
/// something other than function responses; in every model content after
/// it, the first function call carries its signature. Signatures present
/// anywhere must be ones the mock issued (or the documented dummies), those
/// on function calls for a function of the same model turn.
fn check_signatures(contents: &[Value]) -> Result<(), GoogleError> {
    for content in contents.iter().filter(|c| role(c) == "model") {
        let calls: Vec<&str> = part_fields(content, "function_call")
            .into_iter()
            .map(|call| text(call, "name"))
            .collect();
        for part in items(content, "parts") {
            let Some(signature) = field(part, "thought_signature").and_then(Value::as_str) else {
                continue;
            };
            let on_call = field(part, "function_call").is_some();
            if !signature::verify(signature, on_call.then_some(calls.as_slice())) {
                return Err(GoogleError::invalid_argument(
                    "Corrupted thought signature.",
                ));
            }
        }
    }
    let turn_start = contents
        .iter()
        .rposition(|c| {
            role(c) == "user"
                && items(c, "parts")
                    .iter()
                    .any(|part| field(part, "function_response").is_none())
        })
        .unwrap_or(0);
    for (i, content) in contents.iter().enumerate().skip(turn_start) {
        if role(content) != "model" {
            continue;
        }
        let first_call = items(content, "parts")
            .iter()
            .find(|part| field(part, "function_call").is_some());
        if let Some(part) = first_call
            && field(part, "thought_signature").is_none()
        {
            let name = field(part, "function_call").map_or("", |call| text(call, "name"));
            return Err(GoogleError::invalid_argument(format!(
                "Function call is missing a thought_signature in functionCall parts. This is \
                 required for tools to work correctly, and missing thought_signature may lead to \
                 degraded model performance. Additional data, function call `default_api:{name}` \
                 , position {}. Please refer to \
                 https://ai.google.dev/gemini-api/docs/thought-signatures for more details.",
                i + 1
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field_errors(body: Value) -> String {
        check_fields(&body, "GenerateContentRequest")
            .err()
            .map(|e| e.message)
            .unwrap_or_default()
    }

    #[test]
    fn schema_rules_name_map_entries_by_key() {
        let body = json!({"contents": [{"parts": [{"text": "hi"}]}], "tools": [{"functionDeclarations": [{
            "name": "f", "parameters": {"type": "object", "properties": {
                "tags": {"type": "array"}, "opts": {"type": "OBJECT"}
            }, "required": ["tags", "missing"]}
        }]}]});
        assert_eq!(
            field_errors(body),
            "* GenerateContentRequest.tools[0].function_declarations[0].parameters.required[1]: property is not defined\n\
             * GenerateContentRequest.tools[0].function_declarations[0].parameters.properties[tags].items: missing field.\n\
             * GenerateContentRequest.tools[0].function_declarations[0].parameters.properties[opts].properties: should be non-empty for OBJECT type\n"
        );
    }

    #[test]
    fn empty_text_is_no_data_unless_signed() {
        let body = json!({"contents": [{"parts": [{"text": ""}]}, {"role": "model", "parts": [{"text": "", "thoughtSignature": "AA=="}]}]});
        assert_eq!(
            field_errors(body),
            "* GenerateContentRequest.contents[0].parts[0].data: required oneof field 'data' must have one initialized field\n"
        );
    }

    #[test]
    fn function_names_follow_googles_alphabet() {
        assert!(valid_function_name("get_weather"));
        assert!(valid_function_name("_a.b:c-d9"));
        assert!(!valid_function_name("9lives"));
        assert!(!valid_function_name("has space"));
        assert!(!valid_function_name(""));
        assert!(valid_function_name(&"a".repeat(64)));
        assert!(!valid_function_name(&"a".repeat(65)));
    }

    #[test]
    fn the_current_turn_starts_at_the_last_user_text() {
        let call = |sig: Option<&str>| {
            let mut part = json!({"functionCall": {"name": "f", "args": {}}});
            if let Some(sig) = sig {
                part["thoughtSignature"] = json!(sig);
            }
            json!({"role": "model", "parts": [part]})
        };
        let response =
            json!({"role": "user", "parts": [{"functionResponse": {"name": "f", "response": {}}}]});
        let user = json!({"role": "user", "parts": [{"text": "hi"}]});
        let signed = signature::issue("f", 1);
        // An old turn without signatures is not validated.
        let history = [
            user.clone(),
            call(None),
            response.clone(),
            user.clone(),
            call(Some(&signed)),
            response.clone(),
        ];
        assert!(check_conversation(&history, true).is_ok());
        let current = [
            user.clone(),
            call(Some(&signed)),
            response.clone(),
            call(None),
            response,
        ];
        let error = check_conversation(&current, true).unwrap_err();
        assert!(
            error.message.contains("`default_api:f` , position 4."),
            "{}",
            error.message
        );
        assert!(check_conversation(&current, false).is_ok());
    }
}
