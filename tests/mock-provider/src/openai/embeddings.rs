//! `POST /v1/embeddings`: deterministic unit vectors, as floats or base64.
//!
//! Each input's vector is derived from a hash of the input, so equal inputs
//! embed equally across runs. `encoding_format: "base64"` (what the official
//! openai-python SDK asks for by default) returns the vector's little-endian
//! `f32` bytes in standard base64, exactly as OpenAI does.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use super::usage::text_tokens;
use super::{ApiError, begin, finish_json};
use crate::ids::{fnv1a64, splitmix64};
use crate::{AppState, Shared};

/// Dimensions when the request does not ask for any.
pub const DEFAULT_DIMENSIONS: usize = 8;
/// Largest `dimensions` accepted (text-embedding-3-large's size).
const MAX_DIMENSIONS: u64 = 3072;

pub(crate) async fn create(State(state): State<AppState>, raw: Bytes) -> Response {
    match respond(&state, &raw).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn respond(state: &Shared, raw: &Bytes) -> Result<Response, ApiError> {
    let begun = begin(state, raw, false).await?;
    let inputs = inputs(&begun.body)?;
    let dimensions = match begun.body.get("dimensions") {
        None | Some(Value::Null) => DEFAULT_DIMENSIONS,
        Some(value) => value
            .as_u64()
            .filter(|d| (1..=MAX_DIMENSIONS).contains(d))
            .and_then(|d| usize::try_from(d).ok())
            .ok_or_else(|| {
                ApiError::invalid_request(format!(
                    "Invalid value for 'dimensions': expected an integer between 1 and \
                     {MAX_DIMENSIONS}, got {value}."
                ))
                .param("dimensions")
            })?,
    };
    let base64 = match begun.body.get("encoding_format") {
        None | Some(Value::Null) => false,
        Some(Value::String(f)) if f == "float" => false,
        Some(Value::String(f)) if f == "base64" => true,
        Some(other) => {
            return Err(ApiError::invalid_request(format!(
                "{other} is not one of ['float', 'base64'] - 'encoding_format'"
            ))
            .param("encoding_format"));
        }
    };
    let tokens: u64 = inputs.iter().map(|i| i.tokens).sum();
    let data = inputs
        .iter()
        .enumerate()
        .map(|(index, input)| {
            let vector = embed(&input.key, dimensions);
            Embedding {
                object: "embedding",
                index,
                embedding: if base64 {
                    Vector::Base64(encode_base64(&vector))
                } else {
                    Vector::Float(vector)
                },
            }
        })
        .collect();
    let answer = EmbeddingList {
        object: "list",
        data,
        model: &begun.model,
        usage: Usage {
            prompt_tokens: begun.knobs.usage.prompt_tokens.unwrap_or(tokens),
            total_tokens: begun.knobs.usage.prompt_tokens.unwrap_or(tokens),
        },
    };
    Ok(finish_json(begun.script, &answer))
}

/// One input: what its vector is derived from and what it costs.
#[derive(Debug)]
struct Input {
    key: String,
    tokens: u64,
}

impl Input {
    fn text(text: &str) -> Input {
        Input {
            key: text.to_owned(),
            tokens: text_tokens(text).max(1),
        }
    }

    fn token_ids(ids: &[Value]) -> Input {
        let ids: Vec<String> = ids.iter().map(Value::to_string).collect();
        Input {
            key: format!("tokens:{}", ids.join(",")),
            tokens: ids.len() as u64,
        }
    }
}

/// `input`: a string, strings, token ids, or arrays of token ids.
fn inputs(body: &Value) -> Result<Vec<Input>, ApiError> {
    let invalid = || {
        ApiError::invalid_request("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.")
            .param("input")
    };
    match body.get("input") {
        None | Some(Value::Null) => Err(ApiError::missing("input")),
        Some(Value::String(text)) if !text.is_empty() => Ok(vec![Input::text(text)]),
        Some(Value::Array(items)) if items.is_empty() => Err(invalid()),
        Some(Value::Array(items)) if items.iter().all(Value::is_u64) => {
            Ok(vec![Input::token_ids(items)])
        }
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(text) if !text.is_empty() => Ok(Input::text(text)),
                Value::Array(ids) if !ids.is_empty() && ids.iter().all(Value::is_u64) => {
                    Ok(Input::token_ids(ids))
                }
                _ => Err(invalid()),
            })
            .collect(),
        Some(_) => Err(invalid()),
    }
}

/// A unit-length vector derived from `key`.
pub fn embed(key: &str, dimensions: usize) -> Vec<f32> {
    let mut state = fnv1a64(key.as_bytes());
    let raw: Vec<f32> = (0..dimensions)
        .map(|_| {
            // 24 random bits → [-1, 1).
            let bits = (splitmix64(&mut state) >> 40) as f32;
            bits / (1u32 << 23) as f32 - 1.0
        })
        .collect();
    let norm = raw.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        raw.iter().map(|x| x / norm).collect()
    } else {
        raw
    }
}

/// Little-endian `f32` bytes, standard base64 (what OpenAI sends).
pub fn encode_base64(vector: &[f32]) -> String {
    let bytes: Vec<u8> = vector.iter().flat_map(|x| x.to_le_bytes()).collect();
    STANDARD.encode(bytes)
}

#[derive(Debug, Serialize)]
struct EmbeddingList<'a> {
    object: &'static str,
    data: Vec<Embedding>,
    model: &'a str,
    usage: Usage,
}

#[derive(Debug, Serialize)]
struct Embedding {
    object: &'static str,
    index: usize,
    embedding: Vector,
}

/// Floats serialize as `f32`, so their JSON text round-trips to the same bits.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Vector {
    Float(Vec<f32>),
    Base64(String),
}

#[derive(Debug, Serialize)]
struct Usage {
    prompt_tokens: u64,
    total_tokens: u64,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn vectors_are_deterministic_unit_vectors() {
        let a = embed("hello", 8);
        assert_eq!(a, embed("hello", 8));
        assert_ne!(a, embed("world", 8));
        let norm: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
    }

    #[test]
    fn base64_is_little_endian_f32() {
        let encoded = encode_base64(&[1.0, -2.5]);
        let bytes = STANDARD.decode(encoded).unwrap();
        assert_eq!(bytes[..4], 1.0f32.to_le_bytes());
        assert_eq!(bytes[4..], (-2.5f32).to_le_bytes());
    }
}
