//! The exact-match response cache: a repeated identical request is answered from memory.
//!
//! Opt-in per request (`x-switchyard-cache-ttl: SECONDS`) or per route (`cache_ttl_secs`).
//! The key is a SHA-256 of the canonical request: the inbound API, the resolved model (so
//! `gpt-4.1` and `mock/gpt-4.1` share answers when they name the same target) and the body with
//! its object keys sorted and volatile, answer-neutral fields (`user`, `metadata`, …) removed.
//! The client's key is never part of it: what is cached is the provider's answer to a request,
//! whoever sent it. Only complete, successful answers are stored; a streamed answer is kept as
//! the exact bytes of the events the client received and replayed as a stream of the same
//! events. Memory is bounded by `[cache] max_mb` (moka's weigher counts each entry's bytes).
//!
//! This module owns the key, the entries and their replay; it does not decide when a request
//! may use the cache (that is [`crate::proxy`]'s flow) and never touches the history.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use bytes::Bytes;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::config::CacheConfig;
use crate::error::ProxyError;

/// The request header that asks for caching, in seconds.
pub const TTL_HEADER: &str = "x-switchyard-cache-ttl";
/// The answer header saying whether the cache answered: `hit` or `miss`.
pub const STATUS_HEADER: &str = "x-switchyard-cache";

/// Body members that change nothing in the answer: end-user ids, metadata, storage and
/// prompt-cache hints. Two requests that differ only in these share a cached answer.
const VOLATILE: &[&str] = &[
    "user",
    "metadata",
    "store",
    "safety_identifier",
    "prompt_cache_key",
];

/// Bytes an entry costs besides its body: key, names, bookkeeping.
const ENTRY_OVERHEAD: usize = 256;

pub type CacheKey = [u8; 32];

/// One cached answer, as the client received it.
#[derive(Debug)]
pub struct CachedAnswer {
    pub provider: String,
    pub upstream_model: String,
    pub content_type: HeaderValue,
    pub body: CachedBody,
    ttl: Duration,
}

#[derive(Debug)]
pub enum CachedBody {
    /// A whole JSON answer.
    Whole(Bytes),
    /// The SSE bytes of a streamed answer, one element per event sent.
    Stream(Vec<Bytes>),
}

impl CachedAnswer {
    fn weight(&self) -> u32 {
        let body = match &self.body {
            CachedBody::Whole(bytes) => bytes.len(),
            CachedBody::Stream(events) => events.iter().map(|e| e.len() + 16).sum(),
        };
        let total = body + self.provider.len() + self.upstream_model.len() + ENTRY_OVERHEAD;
        u32::try_from(total).unwrap_or(u32::MAX)
    }

    /// Bytes of the answer body, for history.
    pub fn body_bytes(&self) -> Vec<u8> {
        match &self.body {
            CachedBody::Whole(bytes) => bytes.to_vec(),
            CachedBody::Stream(events) => events.concat(),
        }
    }

    /// The answer replayed: the same status, content type and bytes (as a stream of the same
    /// events when it was streamed).
    pub fn replay(&self) -> Response {
        let mut response = match &self.body {
            CachedBody::Whole(bytes) => Response::new(Body::from(bytes.clone())),
            CachedBody::Stream(events) => {
                let events: Vec<Result<Bytes, std::convert::Infallible>> =
                    events.iter().cloned().map(Ok).collect();
                let mut response =
                    Response::new(Body::from_stream(futures_util::stream::iter(events)));
                let h = response.headers_mut();
                h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                h.insert("x-accel-buffering", HeaderValue::from_static("no"));
                response
            }
        };
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, self.content_type.clone());
        response
    }
}

struct PerEntryTtl;

impl moka::Expiry<CacheKey, Arc<CachedAnswer>> for PerEntryTtl {
    fn expire_after_create(
        &self,
        _key: &CacheKey,
        value: &Arc<CachedAnswer>,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

/// The cache itself; cheap to clone (clones share the entries).
#[derive(Clone)]
pub struct ResponseCache {
    entries: moka::sync::Cache<CacheKey, Arc<CachedAnswer>>,
    max_bytes: u64,
}

impl std::fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseCache")
            .field("entries", &self.entries.entry_count())
            .field("max_bytes", &self.max_bytes)
            .finish()
    }
}

impl ResponseCache {
    pub fn new(config: CacheConfig) -> Self {
        ResponseCache {
            entries: moka::sync::Cache::builder()
                .max_capacity(config.max_bytes)
                .weigher(|_key, value: &Arc<CachedAnswer>| value.weight())
                .expire_after(PerEntryTtl)
                .build(),
            max_bytes: config.max_bytes,
        }
    }

    pub fn get(&self, key: &CacheKey) -> Option<Arc<CachedAnswer>> {
        self.entries.get(key)
    }

    /// The largest answer worth keeping: bigger ones would evict a large part of the cache.
    pub fn max_entry_bytes(&self) -> usize {
        usize::try_from(self.max_bytes / 8).unwrap_or(usize::MAX)
    }

    fn insert(&self, key: CacheKey, answer: CachedAnswer) {
        if answer.weight() as usize > self.max_entry_bytes() {
            return;
        }
        self.entries.insert(key, Arc::new(answer));
    }

    /// Runs pending evictions (tests and the admin API want exact sizes).
    pub fn settle(&self) {
        self.entries.run_pending_tasks();
    }

    /// Bytes the cached answers currently weigh.
    pub fn weighted_size(&self) -> u64 {
        self.entries.weighted_size()
    }
}

/// Where a missed request's answer goes once it is known to be complete and successful.
#[derive(Debug, Clone)]
pub struct CacheFill {
    cache: ResponseCache,
    key: CacheKey,
    ttl: Duration,
}

impl CacheFill {
    pub fn new(cache: &ResponseCache, key: CacheKey, ttl: Duration) -> Self {
        CacheFill {
            cache: cache.clone(),
            key,
            ttl,
        }
    }

    pub fn max_bytes(&self) -> usize {
        self.cache.max_entry_bytes()
    }

    pub fn store(
        &self,
        provider: &str,
        upstream_model: &str,
        content_type: HeaderValue,
        body: CachedBody,
    ) {
        self.cache.insert(
            self.key,
            CachedAnswer {
                provider: provider.to_owned(),
                upstream_model: upstream_model.to_owned(),
                content_type,
                body,
                ttl: self.ttl,
            },
        );
    }
}

/// How long to cache this request's answer: the header when present (0 turns a route's default
/// off), else the route's default. A malformed header is the client's mistake, said so.
pub fn requested_ttl(
    headers: &HeaderMap,
    route_default: Option<Duration>,
) -> Result<Option<Duration>, ProxyError> {
    let Some(value) = headers.get(TTL_HEADER) else {
        return Ok(route_default);
    };
    let max = crate::config::MAX_CACHE_TTL_SECS;
    match value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
    {
        Some(0) => Ok(None),
        Some(secs @ 1..) => Ok(Some(Duration::from_secs(secs.min(max) as u64))),
        _ => Err(ProxyError::InvalidRequest {
            message: format!(
                "The {TTL_HEADER} header must be a whole number of seconds (0 to turn caching off, at most {max})."
            ),
            param: None,
        }),
    }
}

/// The key of a request: inbound API, resolved model, the body in canonical form, and the
/// request headers that change an answer (`anthropic-beta`).
pub fn key(inbound_api: &str, resolved_model: &str, body: &[u8], headers: &HeaderMap) -> CacheKey {
    let mut hasher = Sha256::new();
    for part in [inbound_api.as_bytes(), resolved_model.as_bytes()] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let canonical = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(mut map)) => {
            map.remove("model");
            for field in VOLATILE {
                map.remove(*field);
            }
            let mut out = Vec::with_capacity(body.len());
            write_canonical(&Value::Object(map), &mut out);
            out
        }
        // Bodies that reach the cache were parsed already; this is only a safe default.
        _ => body.to_vec(),
    };
    hasher.update((canonical.len() as u64).to_le_bytes());
    hasher.update(&canonical);
    if let Some(beta) = headers.get("anthropic-beta") {
        hasher.update(b"anthropic-beta:");
        hasher.update(beta.as_bytes());
    }
    hasher.finalize().into()
}

/// JSON with every object's keys sorted, so member order does not change the key.
fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (name, member)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(Value::String(name.clone()).to_string().as_bytes());
                out.push(b':');
                write_canonical(member, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        other => out.extend_from_slice(other.to_string().as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(body: &str) -> CacheKey {
        key("chat", "mock/gpt-4.1", body.as_bytes(), &HeaderMap::new())
    }

    #[test]
    fn member_order_and_volatile_fields_do_not_change_the_key() {
        let a =
            key_of(r#"{"model":"a","messages":[{"role":"user","content":"hi"}],"temperature":0}"#);
        let b = key_of(
            r#"{"temperature":0,"user":"alice","metadata":{"x":1},"messages":[{"content":"hi","role":"user"}],"model":"b"}"#,
        );
        assert_eq!(
            a, b,
            "same request in another order, with volatile fields, is the same key"
        );
    }

    #[test]
    fn content_api_and_model_change_the_key() {
        let base = r#"{"messages":[{"role":"user","content":"hi"}]}"#;
        let other = r#"{"messages":[{"role":"user","content":"hello"}]}"#;
        assert_ne!(key_of(base), key_of(other), "different prompt");
        let headers = HeaderMap::new();
        assert_ne!(
            key("chat", "mock/gpt-4.1", base.as_bytes(), &headers),
            key("messages", "mock/gpt-4.1", base.as_bytes(), &headers),
            "different inbound API"
        );
        assert_ne!(
            key("chat", "mock/gpt-4.1", base.as_bytes(), &headers),
            key("chat", "mock/gpt-4.1-mini", base.as_bytes(), &headers),
            "different resolved model"
        );
        assert_ne!(
            key_of(r#"{"messages":[],"stream":true}"#),
            key_of(r#"{"messages":[],"stream":false}"#),
            "a stream is cached apart from a whole answer"
        );
    }

    #[test]
    fn the_ttl_header_overrides_the_route_default_and_zero_turns_it_off() {
        let route = Some(Duration::from_secs(60));
        let mut headers = HeaderMap::new();
        assert_eq!(requested_ttl(&headers, route).unwrap(), route);
        headers.insert(TTL_HEADER, HeaderValue::from_static("5"));
        assert_eq!(
            requested_ttl(&headers, route).unwrap(),
            Some(Duration::from_secs(5))
        );
        headers.insert(TTL_HEADER, HeaderValue::from_static("0"));
        assert_eq!(requested_ttl(&headers, route).unwrap(), None);
        headers.insert(TTL_HEADER, HeaderValue::from_static("soon"));
        assert!(requested_ttl(&headers, route).is_err());
    }

    #[test]
    fn the_cache_stays_within_its_size() {
        let cache = ResponseCache::new(CacheConfig {
            max_bytes: 64 * 1024,
        });
        for i in 0..200u32 {
            let mut key = [0u8; 32];
            key[..4].copy_from_slice(&i.to_le_bytes());
            CacheFill::new(&cache, key, Duration::from_secs(60)).store(
                "p",
                "m",
                HeaderValue::from_static("application/json"),
                CachedBody::Whole(Bytes::from(vec![b'x'; 4000])),
            );
        }
        cache.settle();
        assert!(
            cache.weighted_size() <= 64 * 1024,
            "200 answers of 4 kB fit in 64 kB only by evicting: {} bytes",
            cache.weighted_size()
        );
    }

    #[test]
    fn an_answer_too_large_for_the_cache_is_not_kept() {
        let cache = ResponseCache::new(CacheConfig {
            max_bytes: 8 * 1024,
        });
        CacheFill::new(&cache, [1; 32], Duration::from_secs(60)).store(
            "p",
            "m",
            HeaderValue::from_static("application/json"),
            CachedBody::Whole(Bytes::from(vec![b'x'; 4000])),
        );
        assert!(
            cache.get(&[1; 32]).is_none(),
            "half the cache for one answer is too much"
        );
    }
}
