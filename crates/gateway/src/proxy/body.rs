//! Reading a client's request body: bounded in size and in time.

use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use http_body_util::BodyExt;

use crate::error::ProxyError;

/// The longest a client may take to send a request body: minutes for the largest allowed
/// body on a slow link, while a client trickling a byte now and then (slowloris) cannot hold
/// the request open for good.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(120);

/// Reads a request body, refusing it as soon as it grows past `limit` bytes or takes longer
/// than [`BODY_READ_TIMEOUT`].
pub(super) async fn read(body: Body, limit: usize) -> Result<Bytes, ProxyError> {
    read_body_within(body, limit, BODY_READ_TIMEOUT).await
}

async fn read_body_within(
    body: Body,
    limit: usize,
    deadline: Duration,
) -> Result<Bytes, ProxyError> {
    let read = http_body_util::Limited::new(body, limit).collect();
    match tokio::time::timeout(deadline, read).await {
        Err(_) => Err(ProxyError::RequestTimeout(format!(
            "The request body did not arrive within {} s.",
            deadline.as_secs()
        ))),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            Err(ProxyError::BodyTooLarge { limit_bytes: limit })
        }
        Ok(Err(e)) => Err(ProxyError::InvalidRequest {
            message: format!("The request body could not be read: {e}"),
            param: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    /// Issue 15: a body sent a byte now and then was waited for without end.
    #[tokio::test]
    async fn regression_a_body_that_stops_arriving_is_refused_with_408() {
        let trickle = futures_util::stream::once(async {
            Ok::<_, std::convert::Infallible>(Bytes::from_static(b"{\"model\""))
        })
        .chain(futures_util::stream::pending());
        let body = Body::from_stream(trickle);
        let err = read_body_within(body, 1024, Duration::from_millis(100))
            .await
            .unwrap_err();
        assert_eq!(
            err.status(),
            axum::http::StatusCode::REQUEST_TIMEOUT,
            "{err}"
        );
    }
}
