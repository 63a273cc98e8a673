//! HTTP clients for calling providers (pooled, keep-alive, TCP_NODELAY), and the limits on
//! what a provider may send back.
//!
//! reqwest's connect timeout is per client, so there is one client per distinct connect
//! timeout (in practice one or two), each with its own connection pool, kept for the life of
//! the process and shared by every request.
//!
//! The clients never follow redirects. reqwest drops `Authorization` on a redirect to another
//! host but keeps every other header, so an upstream (or anything between) answering 307 with
//! a foreign `Location` would receive the `x-api-key` or `x-goog-api-key` of the next hop. A
//! provider has no reason to redirect an API call: a 3xx is reported as the upstream's error,
//! naming where it pointed, so the user can fix `base_url`.
//!
//! An answer is read into memory only up to `server.max_answer_mb`, and a stream is cut when
//! one SSE event (or a line without its newline) grows past [`MAX_SSE_EVENT_BYTES`]: a
//! misbehaving upstream cannot make the gateway buffer without end.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::config::Provider;
use crate::error::ProxyError;
use crate::secrets::Secret;

const USER_AGENT: &str = concat!("switchyard/", env!("CARGO_PKG_VERSION"));

/// The largest SSE event (or line still waiting for its newline) a stream may carry. Big
/// enough for an event holding a generated image; an upstream sending more without a blank
/// line is broken or hostile.
pub const MAX_SSE_EVENT_BYTES: usize = 16 * 1024 * 1024;

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
            .redirect(reqwest::redirect::Policy::none())
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

/// The headers every call to `provider` carries: its kind's fixed ones (Anthropic's version),
/// the configured extra headers (which may override those), and the key's auth header.
pub fn headers(provider: &Provider, key: Option<&Secret>) -> HeaderMap {
    let adapter = provider.kind.adapter();
    let mut headers = HeaderMap::new();
    adapter.fixed_headers(&mut headers);
    for (name, value) in &provider.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
    if let Some(key) = key
        && let Some((name, mut value)) = adapter.auth_header(key.expose())
    {
        value.set_sensitive(true);
        headers.insert(name, value);
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

/// A short, key-free description of why a provider could not be reached.
pub fn describe_transport_error(e: &reqwest::Error) -> String {
    let mut detail = if e.is_connect() {
        "connection failed".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        let text = inner.to_string();
        if !text.is_empty() && !detail.contains(&text) {
            detail = format!("{detail}: {text}");
        }
        source = inner.source();
    }
    crate::secrets::redact(&detail).into_owned()
}

/// Why an upstream answer could not be read whole.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{}", describe_transport_error(.0))]
    Transport(#[from] reqwest::Error),
    #[error("the answer is larger than the limit of {} MB (server.max_answer_mb)", .limit / (1024 * 1024))]
    TooLarge { limit: usize },
    #[error("the stream sent more than {} MB without ending an event", .limit / (1024 * 1024))]
    EventTooLong { limit: usize },
}

/// Reads a whole answer body, refusing it as soon as it grows past `limit` bytes (or
/// announces a larger `Content-Length`).
pub async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Bytes, ReadError> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(ReadError::TooLarge { limit });
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Err(ReadError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The error for an upstream that answered with a redirect, which is never followed.
pub fn redirect_error(provider: &Provider, response: &reqwest::Response) -> ProxyError {
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .map(|l| {
            response
                .url()
                .join(l)
                .ok()
                .and_then(|url| url.host_str().map(str::to_owned))
                .unwrap_or_else(|| "an unparsable Location".to_owned())
        })
        .unwrap_or_else(|| "no Location".to_owned());
    ProxyError::UpstreamRedirect {
        provider: provider.id.clone(),
        status: response.status().as_u16(),
        location: location.chars().take(200).collect(),
    }
}
