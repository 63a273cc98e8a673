//! Google's Gemini API (`generateContent`, `streamGenerateContent?alt=sse`), provider side.
//!
//! Clients never speak Gemini to Switchyard, so this module only translates towards a Gemini
//! upstream and back: [`encode_request`] builds the body (the gateway builds the URL with
//! [`path`]), [`decode_response`] and [`Decoder`] read answers and streams, [`decode_error`]
//! reads error bodies. It owns Gemini's wire types ([`wire`]) and the JSON Schema cleaning
//! Gemini needs ([`schema`]); it must not know about HTTP, keys or routing.
//!
//! What makes Gemini different from the other providers, and where each rule lives:
//! - roles are `user`/`model`, tool results need the function *name*, and call ids do not
//!   travel (`request`);
//! - thought signatures ride on parts and Gemini 3 rejects function calls replayed without
//!   them (`request`, `response`, `stream`);
//! - schemas are an OpenAPI subset with a strict parser ([`schema`]);
//! - `thoughtsTokenCount` lies outside `candidatesTokenCount` (`response`);
//! - streams send whole parts per event, not deltas of one block (`stream`).

mod error;
mod request;
mod response;
pub mod schema;
mod stream;
pub mod wire;

pub use error::decode_error;
pub use request::{SKIP_SIGNATURE, build_request, encode_request, mime_from_url};
pub use response::decode_response;
pub use schema::clean_schema;
pub use stream::Decoder;

/// The request path for a model, relative to the API base (`https://generativelanguage.googleapis.com`):
/// `/v1beta/models/{model}:generateContent`, or `:streamGenerateContent?alt=sse` for streams.
/// A model given as `models/…` (as Google lists them) is not doubled.
pub fn path(model: &str, stream: bool) -> String {
    let model = model.strip_prefix("models/").unwrap_or(model);
    if stream {
        format!("/v1beta/models/{model}:streamGenerateContent?alt=sse")
    } else {
        format!("/v1beta/models/{model}:generateContent")
    }
}

#[cfg(test)]
mod tests;
