//! OpenAI itself: chat completions, completions, embeddings and the Responses API, with the key
//! as a bearer token. Its chat format is also what every OpenAI-compatible server speaks
//! ([`super::openai_compatible`] reuses the codec here).

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use switchyard_protocol::Usage;
use switchyard_protocol::canonical::{
    ApiError, ChatRequest, ChatResponse, Destination, StreamDecoder, ToolNames, TranslateError,
};
use switchyard_protocol::openai_chat::{self, AnswerProbe};

use super::adapter::{Adapter, Dialect, KeyTest};
use super::responses_usage::{ResponsesProbe, responses_usage};

#[derive(Debug)]
pub struct OpenAi;

/// `Authorization: Bearer <key>`, marked sensitive so it never shows in a debug print.
pub(super) fn bearer(key: &str) -> Option<(HeaderName, HeaderValue)> {
    let value = HeaderValue::from_str(&format!("Bearer {key}")).ok()?;
    Some((AUTHORIZATION, value))
}

/// The usage member of a chat completion, completion or embeddings answer.
pub(super) fn chat_usage(body: &[u8]) -> Option<Usage> {
    serde_json::from_slice::<AnswerProbe>(body)
        .ok()?
        .usage
        .map(|u| (&u).into())
}

pub(super) const MODELS: KeyTest = KeyTest { path: "/models" };

impl Adapter for OpenAi {
    fn name(&self) -> &'static str {
        "openai"
    }
    fn label(&self) -> &'static str {
        "OpenAI"
    }
    fn auth_description(&self) -> &'static str {
        "Authorization: Bearer"
    }
    fn default_base_url(&self) -> Option<&'static str> {
        Some("https://api.openai.com/v1")
    }
    fn auth_header(&self, key: &str) -> Option<(HeaderName, HeaderValue)> {
        bearer(key)
    }
    fn speaks(&self, dialect: Dialect) -> bool {
        matches!(dialect, Dialect::OpenAiChat | Dialect::OpenAiResponses)
    }
    fn chat_path(&self, _model: &str, _stream: bool) -> String {
        "/chat/completions".to_owned()
    }
    fn asks_stream_usage(&self) -> bool {
        true
    }
    fn encode_request(
        &self,
        request: &ChatRequest,
        to: Destination<'_>,
        names: &mut ToolNames,
    ) -> Result<Bytes, TranslateError> {
        openai_chat::encode_body(request, to, names).map(Bytes::from)
    }
    fn stream_decoder(&self, names: ToolNames) -> Box<dyn StreamDecoder> {
        Box::new(openai_chat::Decoder::new(names))
    }
    fn decode_response(
        &self,
        body: &[u8],
        names: &ToolNames,
    ) -> Result<ChatResponse, TranslateError> {
        openai_chat::decode_response(body, names)
    }
    fn decode_error(&self, status: u16, body: &[u8]) -> ApiError {
        openai_chat::decode_error(status, body)
    }
    fn answer_usage(&self, dialect: Dialect, body: &[u8]) -> Option<Usage> {
        match dialect {
            Dialect::OpenAiResponses => responses_usage(body),
            _ => chat_usage(body),
        }
    }
    fn stream_probe(&self, dialect: Dialect) -> Option<Box<dyn StreamDecoder>> {
        (dialect == Dialect::OpenAiResponses).then(|| Box::new(ResponsesProbe) as _)
    }
    fn key_test(&self) -> KeyTest {
        MODELS
    }
    fn telemetry_system(&self) -> &'static str {
        "openai"
    }
    fn price_maker(&self) -> Option<&'static str> {
        Some("openai")
    }
}
