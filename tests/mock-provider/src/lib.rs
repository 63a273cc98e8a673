//! Faithful mock LLM providers for Switchyard's tests and benchmarks.
//!
//! There is no internet where Switchyard is tested, so this crate is the only
//! stand-in for a real provider. It speaks OpenAI's and Anthropic's
//! documented wire formats (JSON bodies, SSE streams, error bodies, usage
//! objects) closely enough that the official SDKs and the gateway cannot tell
//! the difference, and it can be scripted into failures (see [`script`])
//! through the model name. The Anthropic mock also validates requests as
//! strictly as the real API, to catch translation bugs.
//!
//! This file owns what every provider shares: the [`MockProvider`] server
//! handle, its options, the shared state and the assembly of the router.
//! Each provider's endpoints live in a sibling module ([`openai`],
//! [`anthropic`]); paths they share (`/v1/models`, fallbacks) are dispatched
//! by the `dialect` module.

pub mod anthropic;
pub mod gemini;
pub mod openai;
pub mod script;

mod dialect;
mod directive;
mod ids;
mod record;
mod sample;
mod sse;

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use record::ReceivedRequest;

/// Largest request body the mock accepts (also what the recorder buffers).
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// How a [`MockProvider`] behaves beyond its scripted model names.
#[derive(Debug, Clone, Default)]
pub struct MockOptions {
    /// When Some, every request must carry the key, else 401: OpenAI routes
    /// want `Authorization: Bearer <key>` (invalid_api_key); Anthropic routes
    /// take `x-api-key: <key>` or `Authorization: Bearer <key>`
    /// (authentication_error).
    pub api_key: Option<String>,
    /// Behave like strict OpenAI-compatible upstreams that reject `stream_options` with a 400.
    pub reject_stream_options: bool,
    /// Models listed by GET /v1/models, for every dialect. When empty, OpenAI
    /// clients get [`DEFAULT_MODELS`] and Anthropic clients
    /// [`anthropic::models::DEFAULT_MODELS`].
    pub models: Vec<String>,
}

/// The models listed to OpenAI clients when [`MockOptions::models`] is empty.
pub const DEFAULT_MODELS: [&str; 3] = ["gpt-4.1", "gpt-4.1-mini", "text-embedding-3-small"];

/// State shared by every handler of one server.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) options: MockOptions,
    /// Requests in arrival order (the `/_mock/` inspection endpoints excluded).
    received: Mutex<Vec<ReceivedRequest>>,
    /// Feeds [`ids`]: every generated id is derived from this counter.
    pub(crate) sequence: AtomicU64,
    /// Anthropic's prompt cache: prefixes seen with `cache_control`.
    pub(crate) prompt_cache: anthropic::PromptCache,
    /// Requests seen per model name, for `flaky-<n>-<status>`.
    per_model: Mutex<std::collections::HashMap<String, u64>>,
}

pub(crate) type AppState = Arc<Shared>;

impl Shared {
    fn new(options: MockOptions) -> Self {
        Self {
            options,
            received: Mutex::new(Vec::new()),
            sequence: AtomicU64::new(0),
            prompt_cache: anthropic::PromptCache::default(),
            per_model: Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// How many requests for `model` came before this one.
    pub(crate) fn count_request(&self, model: &str) -> u64 {
        let mut counts = self
            .per_model
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = counts.entry(model.to_owned()).or_default();
        *count += 1;
        *count - 1
    }

    /// The models GET /v1/models lists: the configured ones, else `defaults`.
    pub(crate) fn listed_models(&self, defaults: &[&str]) -> Vec<String> {
        if self.options.models.is_empty() {
            defaults.iter().map(|m| (*m).to_owned()).collect()
        } else {
            self.options.models.clone()
        }
    }

    /// The recorded requests; a poisoned lock still holds usable data.
    pub(crate) fn received(&self) -> MutexGuard<'_, Vec<ReceivedRequest>> {
        self.received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A running mock server; dropping it shuts the server down.
#[derive(Debug)]
pub struct MockProvider {
    addr: SocketAddr,
    state: AppState,
    shutdown: watch::Sender<bool>,
}

impl MockProvider {
    /// Starts a server on `127.0.0.1` with a free port chosen by the OS.
    pub async fn start(options: MockOptions) -> std::io::Result<MockProvider> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), options).await
    }

    /// Starts a server on `addr`; returns once it is listening.
    pub async fn start_on(addr: SocketAddr, options: MockOptions) -> std::io::Result<MockProvider> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Shared::new(options));
        let (shutdown, mut stopped) = watch::channel(false);
        let listener = listener.tap_io(|tcp| {
            // Streaming latency matters to the benchmark; a failure here only costs speed.
            let _ = tcp.set_nodelay(true);
        });
        let app = router(state.clone());
        tokio::spawn(async move {
            let signal = async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            };
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(signal)
                .await;
        });
        Ok(MockProvider {
            addr,
            state,
            shutdown,
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The OpenAI-style base URL, e.g. `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The Anthropic-style base URL, without `/v1`, e.g.
    /// `http://127.0.0.1:PORT` (the Anthropic SDKs and Claude Code's
    /// `ANTHROPIC_BASE_URL` append `/v1/messages` themselves).
    pub fn anthropic_base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far, in arrival order.
    pub fn received(&self) -> Vec<ReceivedRequest> {
        self.state.received().clone()
    }

    /// Forgets the requests received so far.
    pub fn clear_received(&self) {
        self.state.received().clear();
    }
}

impl Drop for MockProvider {
    fn drop(&mut self) {
        // Stops accepting at once; in-flight responses are allowed to finish.
        let _ = self.shutdown.send(true);
    }
}

/// Every provider's routes plus the inspection endpoints, behind the recorder.
fn router(state: AppState) -> Router {
    Router::new()
        .merge(openai::router(state.clone()))
        .merge(anthropic::router(state.clone()))
        .merge(dialect::router(state.clone()))
        .merge(record::router())
        .merge(gemini::router())
        .fallback(dialect::not_found)
        .method_not_allowed_fallback(dialect::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(from_fn_with_state(state.clone(), record::record))
        .with_state(state)
}
