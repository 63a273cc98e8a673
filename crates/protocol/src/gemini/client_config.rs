//! Client side: the settings of a Gemini request around its conversation (`tools`,
//! `toolConfig`, `generationConfig`), read into the canonical model, and the JSON helpers the
//! request decoder shares (both spellings of a member, the list of dropped members).
//!
//! Members are read one by one and taken out of their object, so what is left over is exactly
//! what was not carried over: it goes to the dropped list under its camelCase path.
//!
//! - **Schemas.** `parametersJsonSchema` and `responseJsonSchema` are JSON Schema already;
//!   `parameters` and `responseSchema` are Gemini's OpenAPI subset, rewritten as JSON Schema
//!   ([`openapi_schema`]). A function without either takes an empty object.
//! - **Tool choice.** `AUTO` and `VALIDATED` → auto, `ANY` → required, `NONE` → none.
//!   `allowedFunctionNames` with `ANY` and one name forces that tool (the others stay declared,
//!   so the prompt does not change); otherwise it narrows the tools to the ones named.
//! - **Generation.** Sampling settings and limits map one to one; a count written as a float
//!   (`40.0`, the Python SDK's type) is still a count. `responseMimeType: application/json` is
//!   JSON output, with a schema when one is given. `candidateCount` above 1 is refused: one
//!   answer is all a provider gives here.
//! - **Thinking.** `thinkingBudget` 0 is effort `none`, -1 (dynamic) effort `medium`, a
//!   positive budget stays a budget; `thinkingLevel` is an effort; `includeThoughts` asks for
//!   the thinking text.

use std::borrow::Cow;

use serde_json::{Map, Value, json};

use super::schema::MAX_DEPTH;
use crate::canonical::{
    ChatRequest, Effort, Reasoning, ResponseFormat, Tool, ToolChoice, TranslateError,
};

pub(super) fn tools(
    value: Option<Value>,
    dropped: &mut Vec<String>,
) -> Result<Vec<Tool>, TranslateError> {
    let entries = match value {
        None => return Ok(Vec::new()),
        Some(Value::Array(entries)) => entries,
        Some(_) => return Err(TranslateError::at("tools", "tools must be an array")),
    };
    let mut tools = Vec::new();
    for (i, entry) in entries.into_iter().enumerate() {
        let path = format!("tools[{i}]");
        let Value::Object(mut entry) = entry else {
            return Err(not_an_object(&path));
        };
        match take(&mut entry, "functionDeclarations") {
            None => {}
            Some(Value::Array(declarations)) => {
                for (k, declaration) in declarations.iter().enumerate() {
                    let path = format!("{path}.functionDeclarations[{k}]");
                    tools.push(function_declaration(&path, declaration)?);
                }
            }
            Some(_) => {
                return Err(TranslateError::at(
                    &format!("{path}.functionDeclarations"),
                    format!("{path}.functionDeclarations must be an array"),
                ));
            }
        }
        leftovers(&path, &entry, dropped);
    }
    Ok(tools)
}

fn function_declaration(path: &str, value: &Value) -> Result<Tool, TranslateError> {
    let name = member(value, "name")
        .and_then(Value::as_str)
        .filter(|name| !name.is_empty())
        .ok_or_else(|| {
            TranslateError::at(
                &format!("{path}.name"),
                format!("{path}.name: a function declaration needs a name"),
            )
        })?;
    let parameters = match (
        member(value, "parametersJsonSchema"),
        member(value, "parameters"),
    ) {
        (Some(schema), _) => schema.clone(),
        (None, Some(schema)) => openapi_schema(schema, 0),
        (None, None) => json!({"type": "object", "properties": {}}),
    };
    Ok(Tool {
        name: name.to_owned(),
        description: member(value, "description")
            .and_then(Value::as_str)
            .filter(|d| !d.is_empty())
            .map(str::to_owned),
        parameters,
        strict: None,
        cache_control: None,
    })
}

pub(super) fn tool_choice(
    value: Value,
    tools: &mut Vec<Tool>,
    dropped: &mut Vec<String>,
) -> Result<Option<ToolChoice>, TranslateError> {
    const PATH: &str = "toolConfig.functionCallingConfig";
    let Value::Object(mut config) = value else {
        return Err(not_an_object("toolConfig"));
    };
    let calling = take(&mut config, "functionCallingConfig");
    leftovers("toolConfig", &config, dropped);
    let Some(calling) = calling else {
        return Ok(None);
    };
    let Value::Object(mut calling) = calling else {
        return Err(not_an_object(PATH));
    };
    let mode = take(&mut calling, "mode")
        .and_then(|mode| mode.as_str().map(str::to_ascii_uppercase))
        .unwrap_or_default();
    let allowed: Vec<String> = match take(&mut calling, "allowedFunctionNames") {
        Some(Value::Array(names)) => names
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    leftovers(PATH, &calling, dropped);
    let choice = match mode.as_str() {
        "NONE" => return Ok(Some(ToolChoice::None)),
        "ANY" => ToolChoice::Required,
        "AUTO" | "VALIDATED" => ToolChoice::Auto,
        "" | "MODE_UNSPECIFIED" if allowed.is_empty() => return Ok(None),
        "" | "MODE_UNSPECIFIED" => ToolChoice::Auto,
        _ => {
            dropped.push(format!("{PATH}.mode"));
            return Ok(None);
        }
    };
    if allowed.is_empty() {
        return Ok(Some(choice));
    }
    let declared: Vec<&String> = allowed
        .iter()
        .filter(|name| tools.iter().any(|tool| &tool.name == *name))
        .collect();
    match declared.as_slice() {
        [] => Err(TranslateError::at(
            &format!("{PATH}.allowedFunctionNames"),
            format!("{PATH}.allowedFunctionNames names no declared function"),
        )),
        [only] if choice == ToolChoice::Required => Ok(Some(ToolChoice::Tool((*only).clone()))),
        _ => {
            tools.retain(|tool| allowed.contains(&tool.name));
            Ok(Some(choice))
        }
    }
}

pub(super) fn generation_config(
    value: Value,
    req: &mut ChatRequest,
    dropped: &mut Vec<String>,
) -> Result<(), TranslateError> {
    const PATH: &str = "generationConfig";
    let Value::Object(mut config) = value else {
        return Err(not_an_object(PATH));
    };
    req.temperature = number(&mut config, PATH, "temperature")?;
    req.top_p = number(&mut config, PATH, "topP")?;
    req.top_k = count(&mut config, PATH, "topK")?;
    req.max_tokens = count(&mut config, PATH, "maxOutputTokens")?;
    req.stop = match take(&mut config, "stopSequences") {
        None => Vec::new(),
        Some(Value::String(stop)) => vec![stop],
        Some(Value::Array(stops)) => stops
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(_) => return Err(wrong_type(PATH, "stopSequences", "an array of strings")),
    };
    if let Some(candidates) = count(&mut config, PATH, "candidateCount")? {
        if candidates > 1 {
            return Err(TranslateError::at(
                "generationConfig.candidateCount",
                "generationConfig.candidateCount: only one candidate can be generated; ask for 1",
            ));
        }
        dropped.push(format!("{PATH}.candidateCount"));
    }
    req.response_format = response_format(&mut config, dropped);
    if let Some(thinking) = take(&mut config, "thinkingConfig") {
        req.reasoning = reasoning(thinking, dropped)?;
    }
    leftovers(PATH, &config, dropped);
    Ok(())
}

fn response_format(
    config: &mut Map<String, Value>,
    dropped: &mut Vec<String>,
) -> Option<ResponseFormat> {
    let mime = take(config, "responseMimeType")
        .and_then(|mime| mime.as_str().map(str::to_ascii_lowercase));
    let schema = match (
        take(config, "responseJsonSchema"),
        take(config, "responseSchema"),
    ) {
        (Some(schema), _) => Some(("responseJsonSchema", schema)),
        (None, Some(schema)) => Some(("responseSchema", openapi_schema(&schema, 0))),
        (None, None) => None,
    };
    match (mime.as_deref(), schema) {
        (Some("application/json"), Some((_, schema))) => Some(ResponseFormat::JsonSchema {
            name: "response".to_owned(),
            schema,
            strict: None,
        }),
        (Some("application/json"), None) => Some(ResponseFormat::JsonObject),
        (mime, schema) => {
            // `text/x.enum` and other types have no canonical form; a schema means nothing
            // without JSON output.
            if mime.is_some_and(|m| m != "text/plain") {
                dropped.push("generationConfig.responseMimeType".to_owned());
            }
            if let Some((key, _)) = schema {
                dropped.push(format!("generationConfig.{key}"));
            }
            None
        }
    }
}

fn reasoning(value: Value, dropped: &mut Vec<String>) -> Result<Option<Reasoning>, TranslateError> {
    const PATH: &str = "generationConfig.thinkingConfig";
    let Value::Object(mut config) = value else {
        return Err(not_an_object(PATH));
    };
    let budget = match take(&mut config, "thinkingBudget") {
        None => None,
        Some(budget) => Some(
            budget
                .as_i64()
                .or_else(|| budget.as_f64().map(|b| b as i64))
                .ok_or_else(|| wrong_type(PATH, "thinkingBudget", "a number"))?,
        ),
    };
    let include = match take(&mut config, "includeThoughts") {
        None => None,
        Some(Value::Bool(include)) => Some(include),
        Some(_) => return Err(wrong_type(PATH, "includeThoughts", "a boolean")),
    };
    let level = take(&mut config, "thinkingLevel")
        .and_then(|level| level.as_str().map(str::to_ascii_uppercase));
    leftovers(PATH, &config, dropped);

    let mut reasoning = Reasoning {
        effort: None,
        budget_tokens: None,
        include_thoughts: include.unwrap_or(false),
    };
    match budget {
        Some(0) => reasoning.effort = Some(Effort::None),
        Some(dynamic) if dynamic < 0 => reasoning.effort = Some(Effort::Medium),
        Some(budget) => reasoning.budget_tokens = u64::try_from(budget).ok(),
        None => {}
    }
    match level.as_deref() {
        None | Some("THINKING_LEVEL_UNSPECIFIED") => {}
        Some("MINIMAL") => reasoning.effort = Some(Effort::Minimal),
        Some("LOW") => reasoning.effort = Some(Effort::Low),
        Some("MEDIUM") => reasoning.effort = Some(Effort::Medium),
        Some("HIGH") => reasoning.effort = Some(Effort::High),
        Some(_) => dropped.push(format!("{PATH}.thinkingLevel")),
    }
    let said_anything = budget.is_some() || include.is_some() || reasoning.effort.is_some();
    Ok(said_anything.then_some(reasoning))
}

/// Gemini's OpenAPI-subset schema as JSON Schema: type names in lower case (`STRING` →
/// `string`), `nullable: true` folded into the type (`["string", "null"]`), and keywords in
/// camelCase (`any_of` → `anyOf`). Property names are data and are never renamed. Schemas
/// nested deeper than [`MAX_DEPTH`] are cut off.
pub(super) fn openapi_schema(schema: &Value, depth: usize) -> Value {
    let Value::Object(node) = schema else {
        return schema.clone();
    };
    if depth >= MAX_DEPTH {
        return json!({});
    }
    let nested = |value: &Value| openapi_schema(value, depth + 1);
    let mut out = Map::new();
    let mut nullable = false;
    for (key, value) in node {
        let key = camel(key).into_owned();
        let value = match (key.as_str(), value) {
            ("type", Value::String(ty)) if ty.eq_ignore_ascii_case("TYPE_UNSPECIFIED") => continue,
            ("type", Value::String(ty)) => Value::String(ty.to_ascii_lowercase()),
            ("nullable", nullable_value) => {
                nullable = nullable_value.as_bool() == Some(true);
                continue;
            }
            ("properties", Value::Object(properties)) => Value::Object(
                properties
                    .iter()
                    .map(|(name, schema)| (name.clone(), nested(schema)))
                    .collect(),
            ),
            ("items", items) => nested(items),
            ("anyOf", Value::Array(members)) => Value::Array(members.iter().map(nested).collect()),
            (_, value) => value.clone(),
        };
        out.insert(key, value);
    }
    if nullable {
        match out.get_mut("type") {
            Some(Value::String(ty)) => {
                let ty = std::mem::take(ty);
                out.insert("type".to_owned(), json!([ty, "null"]));
            }
            _ => {
                if let Some(Value::Array(members)) = out.get_mut("anyOf") {
                    members.push(json!({"type": "null"}));
                }
            }
        }
    }
    Value::Object(out)
}

/// Removes a member given by its camelCase name, in either spelling; null reads as absent.
pub(super) fn take(map: &mut Map<String, Value>, name: &str) -> Option<Value> {
    let value = map.remove(name);
    let snake = map.remove(&snake(name));
    value.or(snake).filter(|v| !v.is_null())
}

/// A member of an object given by its camelCase name, in either spelling; null reads as absent.
pub(super) fn member<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    value
        .get(name)
        .or_else(|| value.get(snake(name)))
        .filter(|v| !v.is_null())
}

/// Lists the members left in `map` as dropped, under `prefix`.
pub(super) fn leftovers(prefix: &str, map: &Map<String, Value>, dropped: &mut Vec<String>) {
    for (key, _) in map.iter().filter(|(_, value)| !value.is_null()) {
        let key = camel(key);
        dropped.push(if prefix.is_empty() {
            key.into_owned()
        } else {
            format!("{prefix}.{key}")
        });
    }
}

fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn camel(key: &str) -> Cow<'_, str> {
    if !key.contains('_') {
        return Cow::Borrowed(key);
    }
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = !out.is_empty();
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn number(
    config: &mut Map<String, Value>,
    path: &str,
    name: &str,
) -> Result<Option<f64>, TranslateError> {
    match take(config, name) {
        None => Ok(None),
        Some(value) => value
            .as_f64()
            .map(Some)
            .ok_or_else(|| wrong_type(path, name, "a number")),
    }
}

/// A count, also when a client wrote it as a float (`40.0`).
fn count(
    config: &mut Map<String, Value>,
    path: &str,
    name: &str,
) -> Result<Option<u64>, TranslateError> {
    let Some(value) = take(config, name) else {
        return Ok(None);
    };
    let whole = |f: f64| (f >= 0.0 && f.fract() == 0.0).then_some(f as u64);
    value
        .as_u64()
        .or_else(|| value.as_f64().and_then(whole))
        .map(Some)
        .ok_or_else(|| wrong_type(path, name, "a non-negative whole number"))
}

fn wrong_type(path: &str, name: &str, expected: &str) -> TranslateError {
    let path = format!("{path}.{name}");
    TranslateError::at(&path, format!("{path} must be {expected}"))
}

pub(super) fn not_an_object(path: &str) -> TranslateError {
    TranslateError::at(path, format!("{path} must be an object"))
}

#[cfg(test)]
mod tests {
    //! The settings read through the whole decoder, as a client sends them.

    use serde_json::{Value, json};

    use super::super::client_request::decode_client_request;
    use super::*;

    fn decode(body: Value) -> ChatRequest {
        decode_client_request(body.to_string().as_bytes())
            .unwrap()
            .request
    }

    fn refused(body: Value) -> TranslateError {
        decode_client_request(body.to_string().as_bytes()).unwrap_err()
    }

    fn user_text(text: &str) -> Value {
        json!({"role": "user", "parts": [{"text": text}]})
    }

    #[test]
    fn openapi_parameters_become_json_schema() {
        let decoded = decode(json!({
            "contents": [user_text("hi")],
            "tools": [{"functionDeclarations": [
                {"name": "search", "description": "Search the web.",
                 "parameters": {"type": "OBJECT", "properties": {
                     "query": {"type": "STRING", "description": "What to look for"},
                     "type": {"type": "STRING", "nullable": true},
                     "tags": {"type": "ARRAY", "items": {"type": "STRING"}, "max_items": 3},
                 }, "required": ["query"]}},
                {"name": "now"},
            ]}]
        }));
        let tools = &decoded.tools;
        assert_eq!(
            tools[0].parameters,
            json!({"type": "object", "properties": {
            "query": {"type": "string", "description": "What to look for"},
            "type": {"type": ["string", "null"]},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
        }, "required": ["query"]}),
            "type names lower-cased, nullable folded into the type, keywords camelCased, and a \
         property named `type` left alone"
        );
        assert_eq!(tools[0].description.as_deref(), Some("Search the web."));
        assert_eq!(
            tools[1].parameters,
            json!({"type": "object", "properties": {}}),
            "a function without parameters takes an empty object"
        );
    }

    #[test]
    fn tool_config_modes_and_allowed_names() {
        let with_config = |config: Value| {
            decode(json!({
                "contents": [user_text("hi")],
                "tools": [{"functionDeclarations": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}],
                "toolConfig": {"functionCallingConfig": config},
            }))
        };
        let names =
            |req: &ChatRequest| req.tools.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
        assert_eq!(
            with_config(json!({"mode": "AUTO"})).tool_choice,
            Some(ToolChoice::Auto)
        );
        assert_eq!(
            with_config(json!({"mode": "VALIDATED"})).tool_choice,
            Some(ToolChoice::Auto)
        );
        assert_eq!(
            with_config(json!({"mode": "NONE"})).tool_choice,
            Some(ToolChoice::None)
        );
        assert_eq!(
            with_config(json!({"mode": "ANY"})).tool_choice,
            Some(ToolChoice::Required)
        );
        let one = with_config(json!({"mode": "ANY", "allowedFunctionNames": ["b"]}));
        assert_eq!(one.tool_choice, Some(ToolChoice::Tool("b".into())));
        assert_eq!(
            names(&one),
            ["a", "b", "c"],
            "forcing one tool keeps the others declared"
        );
        let two = with_config(json!({"mode": "ANY", "allowedFunctionNames": ["a", "c"]}));
        assert_eq!(two.tool_choice, Some(ToolChoice::Required));
        assert_eq!(
            names(&two),
            ["a", "c"],
            "several allowed names narrow the tools"
        );

        let error = refused(json!({
            "contents": [user_text("hi")],
            "tools": [{"functionDeclarations": [{"name": "a"}]}],
            "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["zzz"]}},
        }));
        assert_eq!(
            error.param.as_deref(),
            Some("toolConfig.functionCallingConfig.allowedFunctionNames")
        );
    }

    #[test]
    fn generation_config_maps_to_sampling_output_and_reasoning() {
        let decoded = decode(json!({
            "contents": [user_text("hi")],
            "generationConfig": {"temperature": 0.2, "topP": 0.9, "topK": 40.0, "maxOutputTokens": 1024,
                                 "stopSequences": ["\n\n"], "responseMimeType": "application/json",
                                 "responseSchema": {"type": "OBJECT", "properties": {"a": {"type": "INTEGER"}}},
                                 "thinkingConfig": {"thinkingLevel": "high", "includeThoughts": true}}
        }));
        let req = &decoded;
        assert_eq!(
            (req.temperature, req.top_p, req.top_k, req.max_tokens),
            (Some(0.2), Some(0.9), Some(40), Some(1024)),
            "topK written as a float (the Python SDK's type) is still a count"
        );
        assert_eq!(
            req.response_format,
            Some(ResponseFormat::JsonSchema {
                name: "response".into(),
                schema: json!({"type": "object", "properties": {"a": {"type": "integer"}}}),
                strict: None
            })
        );
        assert_eq!(
            req.reasoning,
            Some(Reasoning {
                effort: Some(Effort::High),
                budget_tokens: None,
                include_thoughts: true
            })
        );

        let reasoning = |budget: i64| {
            decode(json!({"contents": [user_text("hi")],
                      "generationConfig": {"thinkingConfig": {"thinkingBudget": budget}}}))
            .reasoning
            .unwrap()
        };
        assert_eq!(
            reasoning(0).effort,
            Some(Effort::None),
            "budget 0 turns reasoning off"
        );
        assert_eq!(
            reasoning(-1).effort,
            Some(Effort::Medium),
            "-1 is Gemini's dynamic budget"
        );
        assert_eq!(reasoning(2048).budget_tokens, Some(2048));

        let json_mode = decode(json!({"contents": [user_text("hi")],
                                  "generationConfig": {"responseMimeType": "application/json"}}));
        assert_eq!(json_mode.response_format, Some(ResponseFormat::JsonObject));
    }
}
