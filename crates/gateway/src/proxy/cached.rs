//! The proxy's side of the response cache: whether a request may use it, its key, and the
//! answer and history row of a hit.
//!
//! The cache itself (entries, canonical key, replay) is [`crate::cache`]; filling it happens
//! where an answer is known to be complete and successful (the whole-answer paths and the
//! stream relay), through the [`crate::cache::CacheFill`] the flow puts in the request.

use std::time::Duration;

use axum::http::HeaderValue;
use axum::response::Response;

use super::accounting::decorate;
use super::client::ClientApi;
use super::inbound::Inbound;
use super::recorder::Recorder;
use crate::cache::{self, CacheKey, CachedAnswer, CachedBody};
use crate::config::{Config, Resolution};
use crate::error::ProxyError;
use crate::history::Outcome;

/// How long this request's answer may be cached, if at all. Counting tokens is answered
/// cheaply already and never cached.
pub fn ttl(
    api: ClientApi,
    inbound: &Inbound<'_>,
    resolution: &Resolution<'_>,
) -> Result<Option<Duration>, ProxyError> {
    // The Gemini API's answers are not cached: a cached stream replays as SSE, and its
    // clients may ask for the JSON-array framing instead.
    if api.counts_tokens() || api.speaks_gemini() {
        return Ok(None);
    }
    let route_default = match resolution {
        Resolution::Route(route) => route.cache_ttl,
        Resolution::Direct(..) => None,
    };
    cache::requested_ttl(inbound.headers, route_default)
}

/// The key: a route is cached under its alias (its answers may come from any target), a direct
/// model under `provider/model` however the client named it.
pub fn key(config: &Config, inbound: &Inbound<'_>, resolution: &Resolution<'_>) -> CacheKey {
    let resolved = match resolution {
        Resolution::Route(route) => format!("route:{}", route.alias),
        Resolution::Direct(provider, model) => {
            format!("{}/{model}", config.providers[*provider].id)
        }
    };
    cache::key(
        inbound.api.inbound_api(),
        &resolved,
        inbound.bytes,
        inbound.headers,
    )
}

/// Answers from the cache and records the hit: no provider was called, so no tokens were used
/// and the cost is zero (not unknown).
pub async fn answer(config: &Config, hit: &CachedAnswer, mut rec: Recorder) -> Response {
    rec.mark_first_byte();
    let row = rec.row();
    row.provider = Some(hit.provider.clone());
    row.upstream_model = Some(hit.upstream_model.clone());
    row.cache_hit = true;
    row.cost_usd = Some(0.0);
    if config.logging.store_bodies {
        let limit = config.logging.max_stored_body_bytes;
        row.response_body = Some(crate::history::capped_body(&hit.body_bytes(), limit));
    }
    rec.finish(200, Outcome::Ok, None).await;
    let mut response = hit.replay();
    let cost = matches!(hit.body, CachedBody::Whole(_)).then_some(0.0);
    decorate(
        response.headers_mut(),
        Some(&hit.provider),
        Some(&hit.upstream_model),
        cost,
    );
    response
}

/// Marks an answer `x-switchyard-cache: hit` or `miss`.
pub fn with_status(mut response: Response, status: &'static str) -> Response {
    response
        .headers_mut()
        .insert(cache::STATUS_HEADER, HeaderValue::from_static(status));
    response
}
