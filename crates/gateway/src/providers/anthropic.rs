//! Anthropic's Messages API: the key in `x-api-key`, and an `anthropic-version` header on every
//! call (2023-06-01 is the only stable version; betas a client asked for travel only on
//! pass-through, since they were meant for Anthropic itself).

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use switchyard_protocol::anthropic;
use switchyard_protocol::canonical::{
    ApiError, ChatRequest, ChatResponse, Destination, StreamDecoder, ToolNames, TranslateError,
};

use super::adapter::{Adapter, Dialect, KeyTest};

/// The API version every call names unless the client chose one (pass-through).
pub const VERSION: &str = "2023-06-01";

#[derive(Debug)]
pub struct Anthropic;

impl Adapter for Anthropic {
    fn name(&self) -> &'static str {
        "anthropic"
    }
    fn label(&self) -> &'static str {
        "Anthropic"
    }
    fn auth_description(&self) -> &'static str {
        "x-api-key + anthropic-version"
    }
    fn default_base_url(&self) -> Option<&'static str> {
        Some("https://api.anthropic.com")
    }
    fn auth_header(&self, key: &str) -> Option<(HeaderName, HeaderValue)> {
        let value = HeaderValue::from_str(key).ok()?;
        Some((HeaderName::from_static("x-api-key"), value))
    }
    fn fixed_headers(&self, headers: &mut HeaderMap) {
        headers.insert("anthropic-version", HeaderValue::from_static(VERSION));
    }
    fn speaks(&self, dialect: Dialect) -> bool {
        dialect == Dialect::AnthropicMessages
    }
    fn chat_path(&self, _model: &str, _stream: bool) -> String {
        "/v1/messages".to_owned()
    }
    fn encode_request(
        &self,
        request: &ChatRequest,
        to: Destination<'_>,
        names: &mut ToolNames,
    ) -> Result<Bytes, TranslateError> {
        anthropic::encode_body(request, to, names).map(Bytes::from)
    }
    fn stream_decoder(&self, names: ToolNames) -> Box<dyn StreamDecoder> {
        Box::new(anthropic::Decoder::new(names))
    }
    fn decode_response(
        &self,
        body: &[u8],
        names: &ToolNames,
    ) -> Result<ChatResponse, TranslateError> {
        anthropic::decode_response(body, names)
    }
    fn decode_error(&self, status: u16, body: &[u8]) -> ApiError {
        anthropic::decode_error(status, body)
    }
    fn key_test(&self) -> KeyTest {
        KeyTest { path: "/v1/models" }
    }
    fn telemetry_system(&self) -> &'static str {
        "anthropic"
    }
    fn price_maker(&self) -> Option<&'static str> {
        Some("anthropic")
    }
}
