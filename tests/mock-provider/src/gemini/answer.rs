//! What the mock answers to a valid `generateContent` request, decided once
//! and then written whole ([`super::response::full`]) or in chunks
//! ([`super::response::chunks`]).
//!
//! - Model `blocked`: the prompt is blocked (`promptFeedback.blockReason:
//!   SAFETY`, no candidates). Model `unsafe`: one candidate with
//!   `finishReason: SAFETY` and no content.
//! - After function responses (the last content holds `functionResponse`
//!   parts): `Tool result received: <response JSON>` (several responses are
//!   joined with `, `).
//! - When function declarations are offered, the mode is not `NONE` and the
//!   last content is the user's text: `functionCall` parts, for the first
//!   function, or each of `allowedFunctionNames`, or every function with
//!   `mock.parallel_tools`. Arguments fill each parameter by type. A
//!   `[[mock-tool NAME {args}]]` directive in that text calls the function it
//!   names with those arguments instead (see [`crate::directive`]). Gemini
//!   ends these with `STOP` too.
//! - Otherwise `Hello! This is a mock answer from <model>.`; with
//!   `responseMimeType: application/json` that text wrapped as
//!   `{"answer":"…"}`.
//!
//! Models named `gemini-2.5*` (but not `*flash-lite*`) and `gemini-3*` think
//! unless `thinkingBudget` is 0; others think when `thinkingConfig` asks.
//! Thinking costs [`THOUGHT_TOKENS`]; with `includeThoughts` a thought part
//! (`{"text":"Let me think…","thought":true}`) comes first. As in Gemini,
//! thinking spends `maxOutputTokens` first: the answer gets what is left and
//! ends with `MAX_TOKENS` when cut, with no parts at all when nothing is left.
//!
//! `gemini-3*` models sign their answers (see [`super::signature`]): the
//! first function call of an answer, or else its last text part.

use serde_json::{Map, Value};

use super::rules::{field, items, role, text};
use super::signature;
use super::tokens::{THOUGHT_TOKENS, Usage, UsagePins, call_tokens, prompt_tokens};
use crate::directive::Directive;
use crate::script::{Knobs, split_even, split_words, synthetic_pieces};

/// The thought part's text.
pub(crate) const THOUGHT_TEXT: &str = "Let me think…";

/// The planned answer.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) outcome: Outcome,
    /// With `includeThoughts`: the thought part, first.
    pub(crate) thought: Option<&'static str>,
    /// `STOP`, `MAX_TOKENS` or `SAFETY`.
    pub(crate) finish: &'static str,
    pub(crate) usage: Usage,
}

#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    /// Text, in the pieces it is streamed in; the last piece carries `signature`.
    Text {
        pieces: Vec<String>,
        signature: Option<String>,
    },
    /// Function calls, each whole.
    Calls(Vec<Call>),
    /// A candidate whose content has no parts (thinking used every token).
    Empty,
    /// `promptFeedback.blockReason`, no candidates.
    Blocked,
    /// A `SAFETY` candidate without content.
    Unsafe,
}

#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) name: String,
    pub(crate) args: Value,
    pub(crate) signature: Option<String>,
}

/// An integer field, given as a number or a numeric string.
fn integer(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

impl Plan {
    /// Plans the answer of `model` to the validated `body`.
    pub(crate) fn new(body: &Value, model: &str, knobs: &Knobs, seed: u64) -> Plan {
        let pins = UsagePins::from_body(body);
        let prompt = prompt_tokens(body);
        match model {
            "blocked" => return Plan::refused(Outcome::Blocked, prompt, &pins),
            "unsafe" => return Plan::refused(Outcome::Unsafe, prompt, &pins),
            _ => {}
        }
        let config = field(body, "generation_config").unwrap_or(&Value::Null);
        let thinking = field(config, "thinking_config").unwrap_or(&Value::Null);
        let budget = integer(field(thinking, "thinking_budget"));
        let thinks = budget != Some(0)
            && (budget.is_some()
                || field(thinking, "include_thoughts").and_then(Value::as_bool) == Some(true)
                || field(thinking, "thinking_level").is_some()
                || (model.starts_with("gemini-2.5") && !model.contains("flash-lite"))
                || model.starts_with("gemini-3"));
        let include_thoughts =
            thinks && field(thinking, "include_thoughts").and_then(Value::as_bool) == Some(true);
        let max_output = integer(field(config, "max_output_tokens"))
            .and_then(|n| u64::try_from(n).ok())
            .filter(|n| *n > 0);
        let thoughts = if thinks {
            max_output.map_or(THOUGHT_TOKENS, |max| max.min(THOUGHT_TOKENS))
        } else {
            0
        };
        let left = max_output.map(|max| max - thoughts);
        let signs = model.starts_with("gemini-3");

        let (outcome, finish, candidates) = match planned_calls(body, knobs) {
            _ if left == Some(0) => (Outcome::Empty, "MAX_TOKENS", 0),
            Some(Ok(functions)) => {
                let calls: Vec<Call> = functions
                    .into_iter()
                    .enumerate()
                    .map(|(i, (name, args))| Call {
                        signature: (signs && i == 0).then(|| signature::issue(&name, seed)),
                        name,
                        args,
                    })
                    .collect();
                let tokens = calls
                    .iter()
                    .map(|c| call_tokens(&c.name, Some(&c.args)))
                    .sum();
                (Outcome::Calls(calls), "STOP", tokens)
            }
            unmatched @ (None | Some(Err(_))) => {
                let json = text(config, "response_mime_type") == "application/json";
                let mut answer = match unmatched {
                    Some(Err(text)) => text,
                    _ => answer_text(body, model),
                };
                if json {
                    answer = serde_json::json!({ "answer": answer }).to_string();
                }
                let mut pieces = match knobs.chunks {
                    Some(n) if json => split_even(&answer, n),
                    Some(n) => synthetic_pieces(n),
                    None => split_words(&answer),
                };
                let mut finish = "STOP";
                if let Some(left) = left.and_then(|l| usize::try_from(l).ok())
                    && pieces.len() > left
                {
                    pieces.truncate(left);
                    finish = "MAX_TOKENS";
                }
                let tokens = pieces.len() as u64;
                let signature = signs.then(|| signature::issue("", seed));
                (Outcome::Text { pieces, signature }, finish, tokens)
            }
        };
        Plan {
            outcome,
            thought: include_thoughts.then_some(THOUGHT_TEXT),
            finish,
            usage: Usage::pinned(prompt, candidates, thoughts, &pins),
        }
    }

    fn refused(outcome: Outcome, prompt: u64, pins: &UsagePins) -> Plan {
        Plan {
            outcome,
            thought: None,
            finish: "SAFETY",
            usage: Usage::pinned(prompt, 0, 0, pins),
        }
    }
}

/// The text answer: a tool result acknowledgement or the greeting.
fn answer_text(body: &Value, model: &str) -> String {
    let last = items(body, "contents").last().unwrap_or(&Value::Null);
    let responses: Vec<String> = items(last, "parts")
        .iter()
        .filter_map(|part| field(part, "function_response"))
        .map(|response| {
            field(response, "response")
                .unwrap_or(&Value::Object(Map::new()))
                .to_string()
        })
        .collect();
    if responses.is_empty() {
        format!("Hello! This is a mock answer from {model}.")
    } else {
        format!("Tool result received: {}", responses.join(", "))
    }
}

/// The functions to call as `(name, args)`; None for the usual text answer,
/// Err with the text when a directive names no offered function.
fn planned_calls(body: &Value, knobs: &Knobs) -> Option<Result<Vec<(String, Value)>, String>> {
    let declarations: Vec<&Value> = items(body, "tools")
        .iter()
        .flat_map(|tool| items(tool, "function_declarations"))
        .collect();
    let calling = field(body, "tool_config")
        .and_then(|config| field(config, "function_calling_config"))
        .unwrap_or(&Value::Null);
    let mode = text(calling, "mode").to_ascii_uppercase();
    let last = items(body, "contents").last()?;
    let user_text = role(last) == "user"
        && items(last, "parts")
            .iter()
            .all(|part| field(part, "function_response").is_none());
    if declarations.is_empty() || mode == "NONE" || !user_text {
        return None;
    }
    let said: Vec<&str> = items(last, "parts")
        .iter()
        .map(|part| text(part, "text"))
        .collect();
    if let Some(directive) = Directive::find(&said.join("\n")) {
        let offered: Vec<&str> = declarations.iter().map(|d| text(d, "name")).collect();
        return Some(match directive.pick(&offered) {
            Some(name) => Ok(vec![(name.to_owned(), Value::Object(directive.args))]),
            None => Err(directive.unmatched(&offered)),
        });
    }
    let allowed: Vec<&str> = items(calling, "allowed_function_names")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let chosen: Vec<&Value> = if !allowed.is_empty() {
        allowed
            .iter()
            .filter_map(|name| {
                declarations
                    .iter()
                    .copied()
                    .find(|d| text(d, "name") == *name)
            })
            .collect()
    } else if knobs.parallel_tools {
        declarations
    } else {
        declarations.into_iter().take(1).collect()
    };
    if chosen.is_empty() {
        return None;
    }
    Some(Ok(chosen
        .into_iter()
        .map(|declaration| {
            let schema = field(declaration, "parameters")
                .or_else(|| field(declaration, "parameters_json_schema"));
            (text(declaration, "name").to_owned(), arguments(schema))
        })
        .collect()))
}

/// Arguments for a function: each property of its schema set by type.
fn arguments(schema: Option<&Value>) -> Value {
    let mut args = Map::new();
    if let Some(properties) = schema
        .and_then(|s| field(s, "properties"))
        .and_then(Value::as_object)
    {
        for (name, property) in properties {
            args.insert(name.clone(), sample_value(property));
        }
    }
    Value::Object(args)
}

/// The first `enum` value, else by type: string → "mock", number/integer → 1,
/// boolean → true, array → [], object → {}.
fn sample_value(schema: &Value) -> Value {
    if let Some(first) = items(schema, "enum").first() {
        return first.clone();
    }
    let kind = match field(schema, "type") {
        Some(Value::String(kind)) => kind.to_ascii_lowercase(),
        // JSON Schema's `["string", "null"]` (only in `parametersJsonSchema`).
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|k| *k != "null")
            .unwrap_or("")
            .to_owned(),
        _ => String::new(),
    };
    match kind.as_str() {
        "string" => Value::from("mock"),
        "number" | "integer" => Value::from(1),
        "boolean" => Value::Bool(true),
        "array" => Value::Array(Vec::new()),
        "object" => Value::Object(Map::new()),
        _ => Value::Null,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user(text: &str) -> Value {
        json!({"role": "user", "parts": [{"text": text}]})
    }

    #[test]
    fn arguments_fill_each_property_by_type_or_first_enum_value() {
        let schema = json!({"type": "OBJECT", "properties": {
            "city": {"type": "STRING"}, "unit": {"type": "string", "enum": ["C", "F"]},
            "days": {"type": "integer"}, "ok": {"type": "BOOLEAN"}, "tags": {"type": "array"}, "odd": {}
        }});
        assert_eq!(
            arguments(Some(&schema)),
            json!({"city": "mock", "unit": "C", "days": 1, "ok": true, "tags": [], "odd": null})
        );
    }

    #[test]
    fn thinking_spends_max_output_tokens_first() {
        let body = json!({"contents": [user("hi")], "generationConfig": {"maxOutputTokens": 18}});
        let plan = Plan::new(&body, "gemini-2.5-flash", &Knobs::default(), 1);
        assert_eq!(plan.finish, "MAX_TOKENS");
        assert_eq!(plan.usage.thoughts, 16);
        assert!(
            matches!(&plan.outcome, Outcome::Text { pieces, .. } if pieces.concat() == "Hello! This")
        );
        let body = json!({"contents": [user("hi")], "generationConfig": {"maxOutputTokens": 10}});
        let plan = Plan::new(&body, "gemini-2.5-flash", &Knobs::default(), 1);
        assert!(matches!(plan.outcome, Outcome::Empty));
        assert_eq!((plan.usage.thoughts, plan.usage.candidates), (10, 0));
    }

    #[test]
    fn only_gemini_3_signs_and_only_the_first_call() {
        let body = json!({"contents": [user("hi")], "tools": [{"functionDeclarations": [{"name": "a"}, {"name": "b"}]}]});
        let knobs = Knobs {
            parallel_tools: true,
            ..Knobs::default()
        };
        let Outcome::Calls(calls) = Plan::new(&body, "gemini-3-pro-preview", &knobs, 1).outcome
        else {
            panic!("calls expected");
        };
        assert!(calls[0].signature.is_some() && calls[1].signature.is_none());
        let Outcome::Calls(calls) = Plan::new(&body, "gemini-2.5-pro", &knobs, 1).outcome else {
            panic!("calls expected");
        };
        assert!(calls.iter().all(|c| c.signature.is_none()));
    }
}
