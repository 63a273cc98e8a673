//! When to try a failing target again, and how long to wait first.
//!
//! A retryable failure (connect error, timeout, 408, 409, 429, 5xx) is tried again on the same
//! target up to `[retries] max_retries` times before the flow falls back to the next one. The
//! wait is the provider's own hint when it gave one (`retry-after-ms`, else `retry-after` in
//! seconds or as an HTTP date), otherwise exponential backoff with full jitter: a uniform draw
//! in `[0, min(max_delay, base_delay × 2^n)]`, which spreads clients that failed together
//! better than a fixed step with a little noise. Every wait is capped (`max_delay`; a provider
//! asking for longer is not waited for) and all waits of one request share a budget.
//!
//! The flow ([`crate::proxy`]) drives the loop; this module only decides. Cooling down a target
//! that keeps failing is routing's business ([`crate::routing`]).

use std::time::Duration;

use axum::http::HeaderMap;

use crate::config::RetryConfig;

/// The waiting one request has done so far, across all its targets.
#[derive(Debug, Default, Clone, Copy)]
pub struct Waited(pub Duration);

/// How long to wait before retry number `retry` (0 for the first retry) of a target, or `None`
/// to stop retrying it: no retries left, the provider asks for more than `max_delay`, or the
/// request's waiting budget would be exceeded.
pub fn next_wait(
    policy: &RetryConfig,
    retry: u32,
    hint: Option<Duration>,
    waited: Waited,
) -> Option<Duration> {
    if retry >= policy.max_retries {
        return None;
    }
    let wait = match hint {
        Some(asked) if asked > policy.max_delay => return None,
        Some(asked) => asked,
        None => full_jitter(policy, retry),
    };
    (waited.0 + wait <= policy.budget).then_some(wait)
}

/// A uniform draw in `[0, min(max_delay, base_delay × 2^retry)]`.
fn full_jitter(policy: &RetryConfig, retry: u32) -> Duration {
    let step = policy
        .base_delay
        .saturating_mul(2u32.saturating_pow(retry.min(20)))
        .min(policy.max_delay);
    step.mul_f64(fastrand::f64())
}

/// The provider's own retry hint: `retry-after-ms` (OpenAI, fractional milliseconds), else
/// `retry-after` as seconds or as an HTTP date.
pub fn provider_hint(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok())
        && ms.is_finite()
        && ms >= 0.0
    {
        return Some(Duration::from_secs_f64(ms.min(1e9) / 1000.0));
    }
    let value = text("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e9)));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let ms = at.timestamp_millis() - chrono::Utc::now().timestamp_millis();
    Some(Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn policy(max_retries: u32) -> RetryConfig {
        RetryConfig {
            max_retries,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            budget: Duration::from_secs(2),
            ..RetryConfig::default()
        }
    }

    #[test]
    fn backoff_grows_exponentially_within_the_cap_and_never_exceeds_it() {
        let p = policy(10);
        for retry in 0..10 {
            let ceiling = Duration::from_millis(100 * 2u64.pow(retry)).min(Duration::from_secs(1));
            for _ in 0..50 {
                let wait = next_wait(&p, retry, None, Waited::default()).unwrap();
                assert!(wait <= ceiling, "retry {retry}: {wait:?} over {ceiling:?}");
            }
        }
    }

    #[test]
    fn full_jitter_spreads_waits_across_the_whole_range() {
        let p = policy(10);
        let waits: Vec<Duration> = (0..200)
            .map(|_| next_wait(&p, 3, None, Waited::default()).unwrap())
            .collect();
        assert!(
            waits.iter().any(|w| *w < Duration::from_millis(200)),
            "some short"
        );
        assert!(
            waits.iter().any(|w| *w > Duration::from_millis(600)),
            "some long"
        );
    }

    #[test]
    fn retries_stop_when_none_are_left_or_the_budget_is_spent() {
        let p = policy(2);
        assert!(
            next_wait(&p, 2, None, Waited::default()).is_none(),
            "two retries used"
        );
        let hint = Some(Duration::from_millis(500));
        assert_eq!(
            next_wait(&p, 0, hint, Waited(Duration::from_millis(1500))),
            Some(Duration::from_millis(500)),
            "exactly fits the 2 s budget"
        );
        assert!(next_wait(&p, 0, hint, Waited(Duration::from_millis(1600))).is_none());
    }

    #[test]
    fn a_providers_hint_is_honoured_unless_it_asks_too_much() {
        let p = policy(3);
        let asked = Some(Duration::from_millis(700));
        assert_eq!(next_wait(&p, 0, asked, Waited::default()), asked);
        let too_long = Some(Duration::from_secs(5));
        assert!(
            next_wait(&p, 0, too_long, Waited::default()).is_none(),
            "over max_delay: fall back instead of waiting"
        );
    }

    #[test]
    fn hints_come_from_retry_after_ms_then_retry_after_seconds_or_date() {
        let mut headers = HeaderMap::new();
        assert_eq!(provider_hint(&headers), None);
        headers.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(provider_hint(&headers), Some(Duration::from_secs(2)));
        headers.insert("retry-after-ms", HeaderValue::from_static("150.5"));
        assert_eq!(
            provider_hint(&headers),
            Some(Duration::from_secs_f64(0.1505)),
            "the finer hint wins"
        );
        let mut dated = HeaderMap::new();
        let soon = chrono::Utc::now() + chrono::Duration::seconds(30);
        let date = soon.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        dated.insert("retry-after", HeaderValue::from_str(&date).unwrap());
        let hint = provider_hint(&dated).unwrap();
        assert!(
            hint > Duration::from_secs(27) && hint <= Duration::from_secs(30),
            "{hint:?}"
        );
    }
}
