//! The API a client speaks, and what follows from it: the history's `inbound_api` name, which
//! provider kinds it reaches unchanged (pass-through) and which only through translation, the
//! upstream path of a pass-through, and the shape of its errors.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use switchyard_protocol::canonical::ApiError;
use switchyard_protocol::{anthropic, openai_chat, openai_responses};

use crate::config::ProviderKind;
use crate::error::ProxyError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientApi {
    Chat,
    Completions,
    Embeddings,
    Messages,
    CountTokens,
    Responses,
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
        }
    }

    /// Whether requests reach a provider of `kind` unchanged but for `model`.
    pub fn passes_through(self, kind: ProviderKind) -> bool {
        match self {
            ClientApi::Chat | ClientApi::Completions | ClientApi::Embeddings => kind.is_openai(),
            ClientApi::Messages | ClientApi::CountTokens => kind == ProviderKind::Anthropic,
            // Only OpenAI itself serves the Responses API; compatible servers get chat.
            ClientApi::Responses => kind == ProviderKind::OpenAi,
        }
    }

    /// Whether requests can reach a provider of `kind` through the canonical model.
    pub fn translates(self) -> bool {
        matches!(
            self,
            ClientApi::Chat | ClientApi::Messages | ClientApi::Responses
        )
    }

    /// The path under the provider's base URL for a pass-through.
    pub fn upstream_path(self) -> &'static str {
        match self {
            ClientApi::Chat => "/chat/completions",
            ClientApi::Completions => "/completions",
            ClientApi::Embeddings => "/embeddings",
            ClientApi::Messages => "/v1/messages",
            ClientApi::CountTokens => "/v1/messages/count_tokens",
            ClientApi::Responses => "/responses",
        }
    }

    pub fn streams(self) -> bool {
        !matches!(self, ClientApi::Embeddings | ClientApi::CountTokens)
    }

    fn speaks_anthropic(self) -> bool {
        matches!(self, ClientApi::Messages | ClientApi::CountTokens)
    }

    /// A gateway error in the client's own shape.
    pub fn error_response(self, err: &ProxyError) -> Response {
        if self.speaks_anthropic() {
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
