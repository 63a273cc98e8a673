//! `POST /v1/completions`, the legacy text completions endpoint that
//! fill-in-the-middle autocomplete clients still use.
//!
//! `prompt` may be a string, an array of strings, an array of token ids or an
//! array of token-id arrays; every prompt gets one choice whose text is
//! `mock completion`. Streams are `text_completion` chunks with the same
//! shape, honouring `stream_options.include_usage` like chat.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use super::usage::{ChatUsage, PlainUsage, text_tokens};
use super::{ApiError, begin, finish_json, stream_events};
use crate::ids::{self, SYSTEM_FINGERPRINT};
use crate::sse::{self, Event};
use crate::{AppState, Shared};

/// The completion every prompt gets (split into pieces when streamed).
const ANSWER: &str = "mock completion";

pub(crate) async fn create(State(state): State<AppState>, raw: Bytes) -> Response {
    match respond(&state, &raw).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn respond(state: &Shared, raw: &Bytes) -> Result<Response, ApiError> {
    let begun = begin(state, raw, true).await?;
    let prompts = prompt_tokens(&begun.body)?;
    let suffix = begun
        .body
        .get("suffix")
        .and_then(Value::as_str)
        .map_or(0, text_tokens);
    let pieces = begun.knobs.pieces(ANSWER);
    let generated = (pieces.len() * prompts.len()) as u64;
    let prompt = prompts.iter().sum::<u64>() + suffix;
    let usage = ChatUsage::compute(prompt, generated, 0, &begun.knobs.usage).plain();
    let id = format!("cmpl-{}", ids::alnum(state.next_seed(), 29));
    let created = ids::unix_now();
    let completion = |choices: Vec<TextChoice>, usage: Option<Option<PlainUsage>>| TextCompletion {
        id: &id,
        object: "text_completion",
        created,
        model: &begun.model,
        choices,
        usage,
        system_fingerprint: SYSTEM_FINGERPRINT,
    };
    let choice = |index: usize, text: String, finish_reason: Option<&'static str>| TextChoice {
        text,
        index,
        logprobs: None,
        finish_reason,
    };

    if !begun.stream {
        let choices = (0..prompts.len())
            .map(|i| choice(i, pieces.concat(), Some("stop")))
            .collect();
        return Ok(finish_json(
            begun.script,
            &completion(choices, Some(Some(usage))),
        ));
    }
    let usage_field = begun.include_usage.then_some(None);
    let mut events = Vec::new();
    for index in 0..prompts.len() {
        for piece in &pieces {
            let chunk = completion(vec![choice(index, piece.clone(), None)], usage_field);
            events.push(Event::data(&chunk));
        }
        let last = completion(
            vec![choice(index, String::new(), Some("stop"))],
            usage_field,
        );
        events.push(Event::data(&last));
    }
    if begun.include_usage {
        events.push(Event::data(&completion(Vec::new(), Some(Some(usage)))));
    }
    Ok(sse::response(
        stream_events(begun.script, events),
        begun.knobs.interval,
    ))
}

/// Token counts of each prompt in `prompt` (required).
fn prompt_tokens(body: &Value) -> Result<Vec<u64>, ApiError> {
    let invalid = || {
        ApiError::invalid_request(
            "Invalid type for 'prompt': expected a string, an array of strings, an array of \
             tokens or an array of token arrays.",
        )
        .param("prompt")
        .code("invalid_type")
    };
    match body.get("prompt") {
        None | Some(Value::Null) => Err(ApiError::missing("prompt")),
        Some(Value::String(text)) => Ok(vec![text_tokens(text)]),
        Some(Value::Array(items)) if items.is_empty() => Err(ApiError::invalid_request(
            "Invalid 'prompt': empty array. Expected an array with minimum length 1, but got an \
             empty array instead.",
        )
        .param("prompt")
        .code("empty_array")),
        Some(Value::Array(items)) if items.iter().all(Value::is_u64) => {
            Ok(vec![items.len() as u64])
        }
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(text) => Ok(text_tokens(text)),
                Value::Array(tokens) if tokens.iter().all(Value::is_u64) => Ok(tokens.len() as u64),
                _ => Err(invalid()),
            })
            .collect(),
        Some(_) => Err(invalid()),
    }
}

/// `text_completion`, both the answer and each streamed chunk.
#[derive(Debug, Serialize)]
struct TextCompletion<'a> {
    id: &'a str,
    object: &'static str,
    created: u64,
    model: &'a str,
    choices: Vec<TextChoice>,
    /// Always present on answers; in streams absent, `null`, or the last chunk's usage.
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<Option<PlainUsage>>,
    system_fingerprint: &'static str,
}

#[derive(Debug, Serialize)]
struct TextChoice {
    text: String,
    index: usize,
    logprobs: Option<Value>,
    finish_reason: Option<&'static str>,
}
