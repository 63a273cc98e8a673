//! The API a client speaks, and what follows from it: the history's `inbound_api` name, which
//! provider kinds it reaches unchanged (pass-through) and which only through translation, the
//! upstream path of a pass-through, and the shape of its errors.
//!
//! The Gemini API differs from the others in one way that matters here: the model and whether
//! to stream are in the URL (`/v1beta/models/{model}:streamGenerateContent`), not the body.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use switchyard_protocol::canonical::ApiError;
use switchyard_protocol::{anthropic, gemini, openai_chat, openai_responses};

use crate::error::ProxyError;
use crate::providers::{Dialect, ProviderKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientApi {
    Chat,
    Completions,
    Embeddings,
    Messages,
    CountTokens,
    Responses,
    /// Google's `generateContent` and `streamGenerateContent` (Gemini CLI, google-genai).
    GenerateContent,
    /// Google's `countTokens`.
    GeminiCountTokens,
}

impl ClientApi {
    pub fn inbound_api(self) -> &'static str {
        match self {
            ClientApi::Chat => "chat_completions",
            ClientApi::Completions => "completions",
            ClientApi::Embeddings => "embeddings",
            ClientApi::Messages => "messages",
            ClientApi::CountTokens => "count_tokens",
            ClientApi::Responses => "responses",
            ClientApi::GenerateContent => "generate_content",
            ClientApi::GeminiCountTokens => "gemini_count_tokens",
        }
    }

    /// The wire format the client speaks.
    pub fn dialect(self) -> Dialect {
        match self {
            ClientApi::Chat | ClientApi::Completions | ClientApi::Embeddings => Dialect::OpenAiChat,
            ClientApi::Messages | ClientApi::CountTokens => Dialect::AnthropicMessages,
            ClientApi::Responses => Dialect::OpenAiResponses,
            ClientApi::GenerateContent | ClientApi::GeminiCountTokens => Dialect::Gemini,
        }
    }

    /// Whether requests reach a provider of `kind` unchanged but for `model`.
    pub fn passes_through(self, kind: ProviderKind) -> bool {
        kind.adapter().speaks(self.dialect())
    }

    /// Whether requests can reach a provider of `kind` through the canonical model.
    pub fn translates(self) -> bool {
        matches!(
            self,
            ClientApi::Chat
                | ClientApi::Messages
                | ClientApi::Responses
                | ClientApi::GenerateContent
        )
    }

    /// Whether a provider without such an endpoint gets the answer from a local estimate.
    pub fn counts_tokens(self) -> bool {
        matches!(self, ClientApi::CountTokens | ClientApi::GeminiCountTokens)
    }

    /// The path under the provider's base URL for a pass-through. The Gemini API names the
    /// model in the path: see [`switchyard_protocol::gemini::path`].
    pub fn upstream_path(self) -> &'static str {
        match self {
            ClientApi::Chat => "/chat/completions",
            ClientApi::Completions => "/completions",
            ClientApi::Embeddings => "/embeddings",
            ClientApi::Messages => "/v1/messages",
            ClientApi::CountTokens => "/v1/messages/count_tokens",
            ClientApi::Responses => "/responses",
            ClientApi::GenerateContent | ClientApi::GeminiCountTokens => "",
        }
    }

    pub fn streams(self) -> bool {
        !matches!(
            self,
            ClientApi::Embeddings | ClientApi::CountTokens | ClientApi::GeminiCountTokens
        )
    }

    pub fn speaks_gemini(self) -> bool {
        matches!(
            self,
            ClientApi::GenerateContent | ClientApi::GeminiCountTokens
        )
    }

    fn speaks_anthropic(self) -> bool {
        matches!(self, ClientApi::Messages | ClientApi::CountTokens)
    }

    /// A gateway error in the client's own shape.
    pub fn error_response(self, err: &ProxyError) -> Response {
        if self.speaks_anthropic() || self.speaks_gemini() {
            self.api_error_response(&err.to_api_error())
        } else {
            err.clone().into_response()
        }
    }

    /// A provider error (already translated to neutral terms) in the client's own shape.
    pub fn api_error_response(self, err: &ApiError) -> Response {
        let (status, body) = match self {
            ClientApi::Messages | ClientApi::CountTokens => anthropic::encode_error(err),
            ClientApi::Responses => openai_responses::encode_error(err),
            ClientApi::GenerateContent | ClientApi::GeminiCountTokens => {
                gemini::encode_client_error(err)
            }
            _ => openai_chat::encode_error(err),
        };
        let status =
            axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::BAD_GATEWAY);
        let mut response = (status, body.to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    }
}
