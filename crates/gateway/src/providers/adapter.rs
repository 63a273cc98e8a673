//! The shape every provider kind fills in: the [`Adapter`] trait and the small types it speaks
//! in. A leaf of its own, so each kind's file can implement it without importing the module
//! that lists the kinds.

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use switchyard_protocol::Usage;
use switchyard_protocol::canonical::{
    ApiError, ChatRequest, ChatResponse, Destination, StreamDecoder, ToolNames, TranslateError,
};

/// A wire format a client may speak and a provider may serve natively. A request whose
/// client dialect the provider speaks passes through; any other is translated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Chat completions, legacy completions and embeddings.
    OpenAiChat,
    /// OpenAI's Responses API.
    OpenAiResponses,
    /// Anthropic's Messages API (and its count_tokens).
    AnthropicMessages,
    /// Google's `generateContent` family.
    Gemini,
}

/// The cheapest real call that proves a key works (listing models).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyTest {
    /// Under the provider's base URL.
    pub path: &'static str,
}

/// Everything that differs between provider kinds. Each kind's file implements it once.
pub trait Adapter: Sync {
    /// `kind = "…"` in config files.
    fn name(&self) -> &'static str;
    /// What the dashboard calls it.
    fn label(&self) -> &'static str;
    /// How the key is sent, as the dashboard describes it.
    fn auth_description(&self) -> &'static str;
    /// Base URLs follow each provider SDK's own convention (OpenAI's includes `/v1`,
    /// Anthropic's and Google's do not); `None` where the user must give one.
    fn default_base_url(&self) -> Option<&'static str>;
    /// Whether a key is optional when the user named no variable for it (local servers such
    /// as Ollama and LM Studio take none).
    fn key_optional(&self) -> bool {
        false
    }

    /// The header that carries `key`, built from the secret's exposed value by the caller.
    fn auth_header(&self, key: &str) -> Option<(HeaderName, HeaderValue)>;
    /// Headers every translated call and key test needs besides auth.
    fn fixed_headers(&self, _headers: &mut HeaderMap) {}

    /// Whether requests in `dialect` reach this provider unchanged but for the model.
    fn speaks(&self, dialect: Dialect) -> bool;

    /// The path (under the base URL) that answers a translated chat for `model`.
    fn chat_path(&self, model: &str, stream: bool) -> String;
    /// Whether a streamed chat must ask for its usage (`stream_options.include_usage`).
    fn asks_stream_usage(&self) -> bool {
        false
    }
    /// The canonical request in this provider's format, serialised for `to`; `names` learns
    /// any renamed tools.
    fn encode_request(
        &self,
        request: &ChatRequest,
        to: Destination<'_>,
        names: &mut ToolNames,
    ) -> Result<Bytes, TranslateError>;
    fn stream_decoder(&self, names: ToolNames) -> Box<dyn StreamDecoder>;
    fn decode_response(
        &self,
        body: &[u8],
        names: &ToolNames,
    ) -> Result<ChatResponse, TranslateError>;
    fn decode_error(&self, status: u16, body: &[u8]) -> ApiError;

    /// Usage of a whole pass-through answer in `dialect`, when the answer states it. By
    /// default the kind speaks one dialect and its own answer decoder reads it.
    fn answer_usage(&self, _dialect: Dialect, body: &[u8]) -> Option<Usage> {
        self.decode_response(body, &ToolNames::default())
            .ok()
            .map(|r| r.usage)
    }
    /// Watches a pass-through stream in `dialect` for usage and in-stream errors; `None` for
    /// OpenAI's chat stream, which the proxy reads itself (it may strip the usage chunk). By
    /// default, the kind's own stream decoder.
    fn stream_probe(&self, _dialect: Dialect) -> Option<Box<dyn StreamDecoder>> {
        Some(self.stream_decoder(ToolNames::default()))
    }

    fn key_test(&self) -> KeyTest;

    /// `gen_ai.system` in OpenTelemetry's GenAI conventions.
    fn telemetry_system(&self) -> &'static str;
    /// The maker's section in imported price lists (models.dev), when the kind has one maker.
    fn price_maker(&self) -> Option<&'static str>;
}
