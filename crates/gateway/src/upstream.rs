//! HTTP clients for calling providers: pooled, keep-alive, TCP_NODELAY.
//!
//! reqwest's connect timeout is per client, so there is one client per distinct connect
//! timeout (in practice one or two), each with its own connection pool, kept for the life of
//! the process and shared by every request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

use crate::config::{Provider, ProviderKind};
use crate::error::ProxyError;
use crate::secrets::Secret;

const USER_AGENT: &str = concat!("switchyard/", env!("CARGO_PKG_VERSION"));

#[derive(Debug, Default)]
pub struct Clients {
    by_connect_timeout: Mutex<HashMap<Duration, reqwest::Client>>,
}

impl Clients {
    pub fn for_provider(&self, provider: &Provider) -> Result<reqwest::Client, ProxyError> {
        let timeout = provider.timeouts.connect;
        let mut clients = self
            .by_connect_timeout
            .lock()
            .map_err(|_| ProxyError::Internal("client pool lock poisoned".into()))?;
        if let Some(client) = clients.get(&timeout) {
            return Ok(client.clone());
        }
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .tcp_nodelay(true)
            .connect_timeout(timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(256)
            .build()
            .map_err(|e| ProxyError::Internal(format!("cannot build HTTP client: {e}")))?;
        clients.insert(timeout, client.clone());
        Ok(client)
    }
}

/// `base_url` + `path`, where `path` starts with `/` (e.g. `/chat/completions`).
pub fn url(provider: &Provider, path: &str) -> String {
    format!("{}{}", provider.base_url, path)
}

/// The provider's auth header(s) and configured extra headers.
pub fn headers(provider: &Provider, key: Option<&Secret>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in &provider.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
    if let Some(key) = key {
        let auth = match provider.kind {
            ProviderKind::OpenAi | ProviderKind::OpenAiCompatible => (
                AUTHORIZATION,
                HeaderValue::from_str(&format!("Bearer {}", key.expose())),
            ),
            ProviderKind::Anthropic => (
                HeaderName::from_static("x-api-key"),
                HeaderValue::from_str(key.expose()),
            ),
            ProviderKind::Gemini => (
                HeaderName::from_static("x-goog-api-key"),
                HeaderValue::from_str(key.expose()),
            ),
        };
        if let (name, Ok(mut value)) = auth {
            value.set_sensitive(true);
            headers.insert(name, value);
        }
    }
    headers
}

/// Upstream response headers worth passing to the client (rate limits, retry hints).
pub fn forwardable(name: &str) -> bool {
    name == "retry-after"
        || name == "retry-after-ms"
        || name.starts_with("x-ratelimit-")
        || name.starts_with("openai-")
        || name.starts_with("anthropic-ratelimit-")
}
