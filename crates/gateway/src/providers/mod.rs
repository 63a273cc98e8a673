//! What Switchyard knows about each kind of provider, one file per kind: how a key is sent, which
//! URL answers a translated chat, which headers every call needs, which codec turns the
//! canonical request into the provider's format and its answers back, how usage is read off a
//! pass-through answer, and how a key is tested.
//!
//! The rest of the gateway asks the kind's [`Adapter`] (`kind.adapter()`) instead of matching on
//! [`ProviderKind`]: adding a provider kind is one new file here and one arm in
//! [`ProviderKind::adapter`], and the compiler finds nothing else to change.
//!
//! This module is a leaf: it knows the wire formats (`switchyard_protocol`) and HTTP header
//! types, never the configuration, the key store or the proxy, so none of them import in a
//! circle through it.

mod anthropic;
mod gemini;
mod openai;
mod openai_compatible;
mod responses_usage;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use switchyard_protocol::Usage;
use switchyard_protocol::canonical::{
    ApiError, ChatRequest, ChatResponse, StreamDecoder, ToolNames, TranslateError,
};

/// The kinds of provider a config file can name (`kind = "…"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderKind {
    OpenAi,
    OpenAiCompatible,
    Anthropic,
    Gemini,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 4] = [
        ProviderKind::OpenAi,
        ProviderKind::Anthropic,
        ProviderKind::Gemini,
        ProviderKind::OpenAiCompatible,
    ];

    /// The one place a kind becomes its behaviour.
    pub fn adapter(self) -> &'static dyn Adapter {
        match self {
            ProviderKind::OpenAi => &openai::OpenAi,
            ProviderKind::OpenAiCompatible => &openai_compatible::OpenAiCompatible,
            ProviderKind::Anthropic => &anthropic::Anthropic,
            ProviderKind::Gemini => &gemini::Gemini,
        }
    }

    /// The name in config files and the admin API.
    pub fn as_str(self) -> &'static str {
        self.adapter().name()
    }

    pub fn default_base_url(self) -> Option<&'static str> {
        self.adapter().default_base_url()
    }

    /// Speaks OpenAI's chat format (chat, completions, embeddings pass through unchanged).
    pub fn is_openai(self) -> bool {
        self.adapter().speaks(Dialect::OpenAiChat)
    }
}

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
    /// The canonical request in this provider's format; `names` learns any renamed tools.
    fn encode_request(
        &self,
        request: &ChatRequest,
        names: &mut ToolNames,
    ) -> Result<Value, TranslateError>;
    fn stream_decoder(&self, names: ToolNames) -> Box<dyn StreamDecoder>;
    fn decode_response(
        &self,
        body: &[u8],
        names: &ToolNames,
    ) -> Result<ChatResponse, TranslateError>;
    fn decode_error(&self, status: u16, body: &[u8]) -> ApiError;

    /// Usage of a whole pass-through answer in `dialect`, when the answer states it.
    fn answer_usage(&self, dialect: Dialect, body: &[u8]) -> Option<Usage>;
    /// Watches a pass-through stream in `dialect` for usage and in-stream errors; `None` for
    /// OpenAI's chat stream, which the proxy reads itself (it may strip the usage chunk).
    fn stream_probe(&self, dialect: Dialect) -> Option<Box<dyn StreamDecoder>>;

    fn key_test(&self) -> KeyTest;

    /// `gen_ai.system` in OpenTelemetry's GenAI conventions.
    fn telemetry_system(&self) -> &'static str;
    /// The maker's section in imported price lists (models.dev), when the kind has one maker.
    fn price_maker(&self) -> Option<&'static str>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_its_config_name_and_speaks_at_least_one_dialect() {
        let dialects = [
            Dialect::OpenAiChat,
            Dialect::OpenAiResponses,
            Dialect::AnthropicMessages,
            Dialect::Gemini,
        ];
        for kind in ProviderKind::ALL {
            let adapter = kind.adapter();
            assert!(dialects.iter().any(|d| adapter.speaks(*d)), "{kind:?}");
            assert!(!adapter.label().is_empty());
        }
        let names: Vec<&str> = ProviderKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            ["openai", "anthropic", "gemini", "openai-compatible"]
        );
    }

    #[test]
    fn only_openai_itself_serves_the_responses_api() {
        let serving: Vec<ProviderKind> = ProviderKind::ALL
            .into_iter()
            .filter(|k| k.adapter().speaks(Dialect::OpenAiResponses))
            .collect();
        assert_eq!(serving, [ProviderKind::OpenAi]);
    }

    #[test]
    fn each_kind_sends_the_key_in_its_own_header() {
        let header = |kind: ProviderKind| {
            let (name, value) = kind.adapter().auth_header("sk-test").unwrap();
            (name.to_string(), value.to_str().unwrap().to_owned())
        };
        assert_eq!(
            header(ProviderKind::OpenAi),
            ("authorization".into(), "Bearer sk-test".into())
        );
        assert_eq!(
            header(ProviderKind::OpenAiCompatible),
            ("authorization".into(), "Bearer sk-test".into())
        );
        assert_eq!(
            header(ProviderKind::Anthropic),
            ("x-api-key".into(), "sk-test".into())
        );
        assert_eq!(
            header(ProviderKind::Gemini),
            ("x-goog-api-key".into(), "sk-test".into())
        );
    }

    #[test]
    fn a_key_that_cannot_be_a_header_value_is_not_sent() {
        assert!(
            ProviderKind::Anthropic
                .adapter()
                .auth_header("a\nb")
                .is_none()
        );
    }
}
