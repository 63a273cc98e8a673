//! The client's request as the proxy holds it while trying targets, and how each try ends:
//! plain types, below every step of [`super::flow`] that uses them.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use bytes::Bytes;
use switchyard_protocol::RawObject;
use switchyard_protocol::canonical::{ChatRequest, ToolNames, TranslateError};
use switchyard_protocol::openai_responses::ResponsesContext;
use switchyard_protocol::{anthropic, gemini, openai_chat, openai_responses};

use super::client::ClientApi;
use crate::cache::CacheFill;
use crate::config::{Provider, ProviderKind, RouteTimeouts};
use crate::error::ProxyError;

/// The client's request, read once and shared by every attempt.
pub struct Inbound<'a> {
    pub api: ClientApi,
    pub body: RawObject<'a>,
    pub bytes: &'a [u8],
    /// The same bytes, for what outlives the handler (a stream's lazy token estimate).
    pub body_bytes: Bytes,
    pub stream: bool,
    /// The client asked for a usage chunk itself (`stream_options.include_usage`).
    pub client_wants_usage: bool,
    pub headers: &'a HeaderMap,
    pub query: Option<&'a str>,
    pub(super) decoded: OnceLock<Result<Arc<Decoded>, TranslateError>>,
    /// Set when the answer may be cached: where a complete, successful answer goes.
    pub cache: Option<CacheFill>,
    /// The route's overrides of its providers' timeouts.
    pub route_timeouts: RouteTimeouts,
    /// When the whole request must be over (`total_secs`), if ever.
    pub deadline: Option<Instant>,
    /// For the Gemini API, what its URL said.
    pub gemini: Option<GeminiCall>,
}

/// A Gemini API call as its URL states it: `/v1beta/models/{model}:{method}[?alt=sse]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeminiCall {
    pub model: String,
    /// `streamGenerateContent`.
    pub stream: bool,
    /// With `alt=sse` a stream is server-sent events; without it, one JSON array whose
    /// elements arrive as they are generated.
    pub sse: bool,
}

impl Inbound<'_> {
    /// The idle timeout for an answer from `provider`: the route's, else the provider's, and
    /// never past the request's deadline.
    pub fn idle_timeout(&self, provider: Option<&Provider>) -> Duration {
        let idle = self
            .route_timeouts
            .idle
            .or(provider.map(|p| p.timeouts.idle))
            .unwrap_or(Duration::from_secs(300));
        match self.deadline {
            Some(deadline) => idle.min(deadline.saturating_duration_since(Instant::now())),
            None => idle,
        }
    }

    /// The provider as this request must call it: the route's timeouts applied, and the wait
    /// for the first byte cut to what is left of the request's total time.
    pub(super) fn effective(&self, provider: &Arc<Provider>) -> Arc<Provider> {
        if self.route_timeouts == RouteTimeouts::default() && self.deadline.is_none() {
            return provider.clone();
        }
        let mut timeouts = self.route_timeouts.apply(provider.timeouts);
        if let Some(deadline) = self.deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            timeouts.first_byte = timeouts.first_byte.min(left.max(Duration::from_millis(1)));
        }
        Arc::new(Provider {
            timeouts,
            ..(**provider).clone()
        })
    }

    /// A Gemini stream asked for without `alt=sse`.
    pub fn json_array_stream(&self) -> bool {
        self.gemini
            .as_ref()
            .is_some_and(|call| call.stream && !call.sse)
    }

    pub(super) fn out_of_time(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

/// The request in canonical form, decoded only when a target needs translation, from the
/// members [`Inbound::body`] already holds (the body is parsed once).
#[derive(Debug, Clone)]
pub struct Decoded {
    pub request: ChatRequest,
    pub responses: Option<ResponsesContext>,
    /// What the provider will not see because its format cannot express it, one sentence
    /// each: recorded with the request and sent back in `x-switchyard-warnings`.
    pub warnings: Vec<String>,
}

impl Inbound<'_> {
    pub fn decoded(&self) -> Result<&Arc<Decoded>, &TranslateError> {
        self.decoded
            .get_or_init(|| self.decode().map(Arc::new))
            .as_ref()
    }

    fn decode(&self) -> Result<Decoded, TranslateError> {
        let plain = |request| Decoded {
            request,
            responses: None,
            warnings: Vec::new(),
        };
        match self.api {
            ClientApi::Chat => openai_chat::decode_object(&self.body).map(plain),
            ClientApi::Messages | ClientApi::CountTokens => {
                let (request, mut warnings) = anthropic::decode_object(&self.body)?;
                if let Some(betas) = self
                    .headers
                    .get("anthropic-beta")
                    .and_then(|v| v.to_str().ok())
                {
                    warnings.push(format!(
                        "anthropic-beta: {betas} applies to Anthropic only and was not sent"
                    ));
                }
                Ok(Decoded {
                    request,
                    responses: None,
                    warnings,
                })
            }
            ClientApi::Responses => {
                let (request, ctx) = openai_responses::decode_object(&self.body)?;
                Ok(Decoded {
                    request,
                    warnings: ctx.warnings.clone(),
                    responses: Some(ctx),
                })
            }
            ClientApi::GenerateContent | ClientApi::GeminiCountTokens => {
                let decoded = gemini::decode_client_object(&self.body)?;
                Ok(Decoded {
                    request: decoded.request,
                    responses: None,
                    warnings: decoded.dropped,
                })
            }
            ClientApi::Completions | ClientApi::Embeddings => Err(TranslateError::new(
                "this endpoint reaches OpenAI-format providers only",
            )),
        }
    }
}

/// How one attempt at one target ended.
pub enum Tried {
    /// An answer to hand back (success, or an error that another target would not fix).
    Answer(reqwest::Response, Mode),
    /// Worth trying the next target.
    Retryable(Failure),
    /// The request cannot go to this provider at all (untranslatable): the client's mistake.
    Refused(ProxyError),
}

pub enum Failure {
    Status(reqwest::Response, Mode),
    Error(ProxyError),
}

/// How the answer must be read.
pub enum Mode {
    Passthrough {
        kind: ProviderKind,
    },
    Translated {
        kind: ProviderKind,
        names: ToolNames,
    },
}
