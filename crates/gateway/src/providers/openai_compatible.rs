//! Any server that speaks OpenAI's chat format: OpenRouter, Groq, Mistral, DeepSeek, Together,
//! and local ones such as Ollama, LM Studio, vLLM and llama.cpp. They serve chat completions
//! (not the Responses API, so Codex traffic is translated to chat for them), take the key as a
//! bearer token when they take one at all, and are priced by host or by the user's overrides,
//! not by one maker's list.

use bytes::Bytes;
use reqwest::header::{HeaderName, HeaderValue};
use switchyard_protocol::Usage;
use switchyard_protocol::canonical::{
    ApiError, ChatRequest, ChatResponse, Destination, StreamDecoder, ToolNames, TranslateError,
};

use super::adapter::{Adapter, Dialect, KeyTest};
use super::openai::{MODELS, OpenAi, bearer, chat_usage};

#[derive(Debug)]
pub struct OpenAiCompatible;

impl Adapter for OpenAiCompatible {
    fn name(&self) -> &'static str {
        "openai-compatible"
    }
    fn label(&self) -> &'static str {
        "OpenAI-compatible"
    }
    fn auth_description(&self) -> &'static str {
        "Authorization: Bearer (none for local servers)"
    }
    fn default_base_url(&self) -> Option<&'static str> {
        None
    }
    fn key_optional(&self) -> bool {
        true
    }
    fn auth_header(&self, key: &str) -> Option<(HeaderName, HeaderValue)> {
        bearer(key)
    }
    fn speaks(&self, dialect: Dialect) -> bool {
        dialect == Dialect::OpenAiChat
    }
    fn chat_path(&self, model: &str, stream: bool) -> String {
        OpenAi.chat_path(model, stream)
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
        OpenAi.encode_request(request, to, names)
    }
    fn stream_decoder(&self, names: ToolNames) -> Box<dyn StreamDecoder> {
        OpenAi.stream_decoder(names)
    }
    fn decode_response(
        &self,
        body: &[u8],
        names: &ToolNames,
    ) -> Result<ChatResponse, TranslateError> {
        OpenAi.decode_response(body, names)
    }
    fn decode_error(&self, status: u16, body: &[u8]) -> ApiError {
        OpenAi.decode_error(status, body)
    }
    fn answer_usage(&self, _dialect: Dialect, body: &[u8]) -> Option<Usage> {
        chat_usage(body)
    }
    fn stream_probe(&self, _dialect: Dialect) -> Option<Box<dyn StreamDecoder>> {
        None
    }
    fn key_test(&self) -> KeyTest {
        MODELS
    }
    fn telemetry_system(&self) -> &'static str {
        "openai"
    }
    fn price_maker(&self) -> Option<&'static str> {
        None
    }
}
