//! Google's Gemini API (`generateContent`, `streamGenerateContent`, `countTokens`), on both
//! sides of the gateway.
//!
//! Client side: Gemini CLI and the google-genai SDKs speak Gemini to Switchyard, and any
//! provider may answer. [`decode_client_request`] reads their bodies into the canonical model
//! (listing what it had to drop, such as Google's built-in tools, so the gateway can warn
//! instead of failing the turn); [`encode_client_response`], [`ClientEncoder`] and
//! [`encode_client_error`] write answers, streams and errors back in Gemini's shapes;
//! [`encode_count_tokens`] and [`model_entry`] write the answers the gateway makes itself.
//!
//! Provider side: [`encode_request`] builds the body for a Gemini upstream (the gateway builds
//! the URL with [`path`]), [`decode_response`] and [`Decoder`] read answers and streams,
//! [`decode_error`] reads error bodies. The module owns Gemini's wire types ([`wire`]) and the
//! JSON Schema cleaning Gemini needs ([`schema`]); it must not know about HTTP, keys or
//! routing.
//!
//! What makes Gemini different from the other formats, and where each rule lives:
//! - roles are `user`/`model`, tool results need the function *name*, and call ids do not
//!   travel (`request`; `client_request` generates and pairs them);
//! - thought signatures ride on parts and Gemini 3 rejects function calls replayed without
//!   them (`request`, `response`, `stream`, and the `client_*` modules, which keep them
//!   through a round trip);
//! - schemas are an OpenAPI subset with a strict parser ([`schema`]);
//! - `thoughtsTokenCount` lies outside `candidatesTokenCount` (`response`, `client_response`);
//! - streams send whole parts per event, not deltas of one block (`stream`, `client_stream`).

mod client_config;
mod client_request;
mod client_response;
mod client_stream;
mod error;
mod request;
mod response;
pub mod schema;
mod stream;
pub mod wire;

pub use client_request::{ClientRequest, decode_client_object, decode_client_request};
pub use client_response::{encode_client_response, encode_count_tokens, model_entry};
pub use client_stream::ClientEncoder;
pub use error::{decode_error, encode_client_error};
pub use request::{SKIP_SIGNATURE, build_request, encode_body, encode_request, mime_from_url};
pub use response::decode_response;
pub use schema::clean_schema;
pub use stream::Decoder;

/// The request path for a model, relative to the API base (`https://generativelanguage.googleapis.com`):
/// `/v1beta/models/{model}:generateContent`, or `:streamGenerateContent?alt=sse` for streams.
/// A model given as `models/…` (as Google lists them) is not doubled.
pub fn path(model: &str, stream: bool) -> String {
    path_for(
        model,
        if stream {
            "streamGenerateContent"
        } else {
            "generateContent"
        },
    )
}

/// `/v1beta/models/{model}:{method}` (plus `?alt=sse` for `streamGenerateContent`), the model
/// percent-encoded as one path segment: it comes from the client (`gemini/{anything}`), and
/// `../../x?y` must not climb out of `/v1beta/models/` or start a query of its own.
pub fn path_for(model: &str, method: &str) -> String {
    let model = path_segment(model.strip_prefix("models/").unwrap_or(model));
    if method == "streamGenerateContent" {
        format!("/v1beta/models/{model}:streamGenerateContent?alt=sse")
    } else {
        format!("/v1beta/models/{model}:{method}")
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
