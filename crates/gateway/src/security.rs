//! Refusing requests that a local proxy must never serve.
//!
//! A proxy on 127.0.0.1 is reachable from any web page the user opens: a malicious page can
//! POST to it directly (caught by the `Origin` check) or rebind its own DNS name to 127.0.0.1
//! (caught by the `Host` check, which only loopback names pass while Switchyard listens on
//! loopback). Clients that are not browsers send no `Origin` and pass untouched.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ProxyError;
use crate::state::SharedState;

pub async fn guard(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    if state.listen.ip().is_loopback() {
        let host = request.uri().host().map(str::to_owned).or_else(|| {
            request
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
        });
        if let Some(host) = host
            && !is_loopback_host(&host)
        {
            return ProxyError::Forbidden(format!(
                    "Host '{}' is not allowed: Switchyard answers only requests addressed to localhost or 127.0.0.1.",
                    host.chars().take(100).collect::<String>()
                ))
                .into_response();
        }
    }
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if !is_trusted_origin(origin) {
            return ProxyError::Forbidden(format!(
                "Requests from the web page at '{}' are not allowed.",
                origin.chars().take(100).collect::<String>()
            ))
            .into_response();
        }
    }
    next.run(request).await
}

/// `localhost`, `*.localhost`, `127.x.x.x` or `[::1]`, with or without a port.
pub fn is_loopback_host(host_and_port: &str) -> bool {
    let host = if let Some(rest) = host_and_port.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host_and_port
            .rsplit_once(':')
            .map_or(host_and_port, |(h, port)| {
                if port.chars().all(|c| c.is_ascii_digit()) {
                    h
                } else {
                    host_and_port
                }
            })
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Pages served from loopback (the dashboard itself), the desktop app's webview, and editor
/// webviews (VS Code extensions) may call the proxy; any other web origin may not.
pub fn is_trusted_origin(origin: &str) -> bool {
    if origin.starts_with("vscode-webview://") || origin.starts_with("vscode-file://") {
        return true;
    }
    if origin == "tauri://localhost" {
        return true;
    }
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https") && is_loopback_host(rest.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_pass_and_rebound_names_do_not() {
        for ok in [
            "localhost",
            "localhost:4545",
            "127.0.0.1:4545",
            "127.1.2.3",
            "[::1]:4545",
            "tauri.localhost",
        ] {
            assert!(is_loopback_host(ok), "{ok} should pass");
        }
        for bad in [
            "evil.example:4545",
            "127.0.0.1.evil.example",
            "10.0.0.1",
            "localhost.evil.example",
            "",
        ] {
            assert!(!is_loopback_host(bad), "{bad} should be refused");
        }
    }

    #[test]
    fn only_local_origins_are_trusted() {
        assert!(is_trusted_origin("http://127.0.0.1:4545"));
        assert!(is_trusted_origin("http://localhost:5173"));
        assert!(is_trusted_origin("tauri://localhost"));
        assert!(is_trusted_origin("http://tauri.localhost"));
        assert!(!is_trusted_origin("https://evil.example"));
        assert!(!is_trusted_origin("null"));
        assert!(!is_trusted_origin("http://127.0.0.1.evil.example"));
    }
}
