//! Which answers mean "this provider key, not this request": 401/403 (the key is wrong or
//! revoked) and 429 (its quota or rate limit is spent). The flow sets such a key aside for the
//! time given here and tries the provider's next key, if it has one.

use std::time::Duration;

use axum::http::StatusCode;

use super::inbound::{Failure, Tried};

/// A refused key is likely to stay refused until someone changes it (which forgets this).
const REFUSED: Duration = Duration::from_secs(600);
/// A rate-limited key without a hint: about one rate-limit window.
const RATE_LIMITED: Duration = Duration::from_secs(30);
/// Never longer than this, whatever the provider's `retry-after` says.
const LONGEST: Duration = Duration::from_secs(600);

/// How long to set aside the key that got this answer, or `None` when the key is not at fault.
pub fn set_aside_for(tried: &Tried) -> Option<Duration> {
    let response = match tried {
        Tried::Answer(response, _) | Tried::Retryable(Failure::Status(response, _)) => response,
        Tried::Retryable(Failure::Error(_)) | Tried::Refused(_) => return None,
    };
    match response.status() {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Some(REFUSED),
        StatusCode::TOO_MANY_REQUESTS => Some(
            crate::retries::provider_hint(response.headers())
                .unwrap_or(RATE_LIMITED)
                .clamp(Duration::from_secs(1), LONGEST),
        ),
        _ => None,
    }
}
