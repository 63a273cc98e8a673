//! Accepting connections, with the limits `axum::serve` does not offer.
//!
//! `axum::serve` gives hyper no timer, so hyper's header read timeout never runs: a client
//! that sends its request headers one byte a minute (slowloris) holds a connection and its
//! task forever, and enough of them exhaust the process's file descriptors. This loop serves
//! the same router through hyper-util directly, with:
//! - a deadline for a request's headers ([`HEADER_READ_TIMEOUT`]), which also closes a
//!   keep-alive connection left idle that long (clients reconnect without noticing);
//! - a cap on open connections ([`MAX_CONNECTIONS`]): at the cap, new connections wait in the
//!   kernel's backlog until one closes, so a flood slows the gateway down rather than taking
//!   it down;
//! - TCP_NODELAY, and graceful shutdown: once `stop` fires nothing new is accepted and the
//!   open connections finish their requests in flight (see [`crate::server`] for the order).
//!
//! The deadline for a request's body is the proxy's, where the body is read
//! ([`crate::proxy`]).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// The longest a client may take to send a request's headers, or to start its next request
/// on a kept-alive connection.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Open connections at most. Far beyond what the coding agents on one machine or a team's
/// LAN open, and well under the usual limit of 1024 file descriptors, which the upstream
/// connections share.
pub const MAX_CONNECTIONS: usize = 512;

/// The limits of [`serve_with`].
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: HEADER_READ_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
        }
    }
}

/// Serves `app` on `listener` until `stop` fires and every open connection has finished.
pub async fn serve(listener: TcpListener, app: Router, stop: CancellationToken) {
    serve_with(listener, app, stop, Limits::default()).await;
}

/// [`serve`] with other limits (the tests use small ones).
pub async fn serve_with(
    listener: TcpListener,
    app: Router,
    stop: CancellationToken,
    limits: Limits,
) {
    let Limits {
        header_read_timeout,
        max_connections,
    } = limits;
    let permits = Arc::new(Semaphore::new(max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    builder.http2().timer(TokioTimer::new());
    let mut warned_full = false;
    loop {
        if permits.available_permits() == 0 && !warned_full {
            warned_full = true;
            tracing::warn!(
                max_connections,
                "connection limit reached; new connections wait until one closes"
            );
        }
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = stop.cancelled() => break,
        };
        let tcp = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => tcp,
                Err(e) => {
                    // Out of file descriptors, mostly: wait rather than spin.
                    tracing::debug!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = stop.cancelled() => break,
        };
        if permits.available_permits() > 0 {
            warned_full = false;
        }
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
        let service = TowerToHyperService::new(app.clone());
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(tcp), service)
            .into_owned();
        let watched = graceful.watcher().watch(connection);
        tokio::spawn(async move {
            if let Err(e) = watched.await {
                tracing::trace!(error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn start(limits: Limits) -> (std::net::SocketAddr, CancellationToken) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = CancellationToken::new();
        let app = Router::new().route("/", get(|| async { "ok" }));
        tokio::spawn(serve_with(listener, app, stop.clone(), limits));
        (addr, stop)
    }

    /// Reads until the server closes the connection (or `within` passes: `None`).
    async fn closed_within(tcp: &mut tokio::net::TcpStream, within: Duration) -> Option<String> {
        let mut answer = Vec::new();
        tokio::time::timeout(within, tcp.read_to_end(&mut answer))
            .await
            .ok()
            .map(|_| String::from_utf8_lossy(&answer).into_owned())
    }

    /// Issue 15: headers sent a byte at a time held a connection forever (slowloris).
    #[tokio::test]
    async fn regression_a_client_that_never_finishes_its_headers_is_disconnected() {
        let (addr, stop) = start(Limits {
            header_read_timeout: Duration::from_millis(300),
            ..Limits::default()
        })
        .await;
        let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
            .await
            .unwrap();
        assert!(
            closed_within(&mut slow, Duration::from_secs(5))
                .await
                .is_some(),
            "the connection was closed once the header deadline passed"
        );
        stop.cancel();
    }

    #[tokio::test]
    async fn at_the_connection_cap_a_new_connection_waits_for_one_to_close() {
        let (addr, stop) = start(Limits {
            max_connections: 1,
            ..Limits::default()
        })
        .await;
        let request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        let mut holder = tokio::net::TcpStream::connect(addr).await.unwrap();
        holder
            .write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut waiting = tokio::net::TcpStream::connect(addr).await.unwrap();
        waiting.write_all(request).await.unwrap();
        assert!(
            closed_within(&mut waiting, Duration::from_millis(500))
                .await
                .is_none(),
            "no answer while the only connection is taken"
        );
        drop(holder);
        let answer = closed_within(&mut waiting, Duration::from_secs(5))
            .await
            .unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "served once it closed: {answer}"
        );
        stop.cancel();
    }
}
