//! `POST /v1/messages/count_tokens`: the same checks as a message (minus
//! the generation fields, which it rejects) and `{"input_tokens": N}`, the
//! total the messages endpoint would split into fresh, cache-read and
//! cache-written tokens. Counting touches no cache. When `mock.usage` pins
//! `input_tokens`, the answer is the pinned input plus any pinned cache
//! numbers, the total the pinned message usage adds up to.

use axum::Extension;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;

use super::request::{self, Endpoint};
use super::usage::count_input;
use super::{ApiError, Exchange, begin, messages::finish_json};

#[derive(Debug, Serialize)]
struct TokenCount {
    input_tokens: u64,
}

pub(crate) async fn create(Extension(exchange): Extension<Exchange>, raw: Bytes) -> Response {
    match respond(&exchange, &raw).await {
        Ok(response) => response,
        Err(error) => error.with_request_id(&exchange.request_id).into_response(),
    }
}

async fn respond(exchange: &Exchange, raw: &Bytes) -> Result<Response, ApiError> {
    let begun = begin(raw).await?;
    let request = request::check(&begun.body, Endpoint::CountTokens, exchange.version)?;
    let total = count_input(&request).total;
    let pinned = &begun.knobs.usage;
    let input_tokens = match pinned.input_tokens {
        Some(input) => {
            input
                + pinned.cache_read_input_tokens.unwrap_or(0)
                + pinned.cache_creation_input_tokens.unwrap_or(0)
        }
        None => total,
    };
    let answer = TokenCount { input_tokens };
    Ok(finish_json(begun.script, &answer, &exchange.request_id))
}
