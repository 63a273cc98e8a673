//! Google's Gemini API: the key in `x-goog-api-key` (never in the URL, where logs would keep
//! it), and the model and whether to stream in the path
//! (`/v1beta/models/{model}:streamGenerateContent?alt=sse`), not the body.

use bytes::Bytes;
use reqwest::header::{HeaderName, HeaderValue};
use switchyard_protocol::canonical::{
    ApiError, ChatRequest, ChatResponse, Destination, StreamDecoder, ToolNames, TranslateError,
};
use switchyard_protocol::gemini;

use super::adapter::{Adapter, Dialect, KeyTest};

#[derive(Debug)]
pub struct Gemini;

impl Adapter for Gemini {
    fn name(&self) -> &'static str {
        "gemini"
    }
    fn label(&self) -> &'static str {
        "Google Gemini"
    }
    fn auth_description(&self) -> &'static str {
        "x-goog-api-key"
    }
    fn default_base_url(&self) -> Option<&'static str> {
        Some("https://generativelanguage.googleapis.com")
    }
    fn auth_header(&self, key: &str) -> Option<(HeaderName, HeaderValue)> {
        let value = HeaderValue::from_str(key).ok()?;
        Some((HeaderName::from_static("x-goog-api-key"), value))
    }
    fn speaks(&self, dialect: Dialect) -> bool {
        dialect == Dialect::Gemini
    }
    fn chat_path(&self, model: &str, stream: bool) -> String {
        gemini::path(model, stream)
    }
    fn encode_request(
        &self,
        request: &ChatRequest,
        _to: Destination<'_>,
        names: &mut ToolNames,
    ) -> Result<Bytes, TranslateError> {
        gemini::encode_body(request, names).map(Bytes::from)
    }
    fn stream_decoder(&self, names: ToolNames) -> Box<dyn StreamDecoder> {
        Box::new(gemini::Decoder::new(names))
    }
    fn decode_response(
        &self,
        body: &[u8],
        names: &ToolNames,
    ) -> Result<ChatResponse, TranslateError> {
        gemini::decode_response(body, names)
    }
    fn decode_error(&self, status: u16, body: &[u8]) -> ApiError {
        gemini::decode_error(status, body)
    }
    fn key_test(&self) -> KeyTest {
        KeyTest {
            path: "/v1beta/models",
        }
    }
    fn telemetry_system(&self) -> &'static str {
        "gcp.gemini"
    }
    fn price_maker(&self) -> Option<&'static str> {
        Some("google")
    }
}
