//! Refusing requests that a local proxy must never serve, and refusing to start where it would
//! serve anyone.
//!
//! Three kinds of caller can reach the port (docs/security.md has the whole threat model):
//! - programs on this machine, which the gateway serves;
//! - other machines, once it listens beyond loopback (`0.0.0.0`, a LAN address). Without client
//!   keys any of them could spend the user's provider keys, so the gateway refuses to start
//!   there unless `require_client_key = true`, or `allow_open_proxy = true` says so on purpose
//!   (then logged loudly at every start and reload);
//! - web pages in the user's browser. A page can POST to the port directly (caught by the
//!   `Origin` check: only this server's own origin and `server.allowed_origins` pass) or rebind
//!   its own DNS name to the gateway's address (caught by the `Host` check: only loopback
//!   names, `server.allowed_hosts`, and IP literals of the address listened on pass).
//!
//! Clients that are not browsers send no `Origin` and pass the origin check untouched.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::config::ServerConfig;
use crate::error::ProxyError;
use crate::state::SharedState;

pub async fn guard(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    let config = state.config.load();
    let server = &config.server;
    let host = request_host(&request);
    if let Some(host) = host.as_deref()
        && !host_allowed(host, state.listen, server)
    {
        return ProxyError::Forbidden(format!(
            "Host '{}' is not allowed: Switchyard answers only requests addressed to localhost, \
             127.0.0.1 or a name in server.allowed_hosts.",
            host.chars().take(100).collect::<String>()
        ))
        .into_response();
    }
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if !origin_trusted(origin, host.as_deref(), state.listen, server) {
            return ProxyError::Forbidden(format!(
                "Requests from the web page at '{}' are not allowed: add its origin to \
                 server.allowed_origins to trust it.",
                origin.chars().take(100).collect::<String>()
            ))
            .into_response();
        }
    }
    next.run(request).await
}

/// The host a request was addressed to: the URI's authority (HTTP/2) or the `Host` header.
pub fn request_host(request: &Request) -> Option<String> {
    request
        .uri()
        .authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| {
            request
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
        })
}

/// Why a gateway must not serve with `server` on `listen`, if it must not: beyond loopback,
/// client keys are required unless an open proxy is asked for explicitly.
pub fn open_relay_refusal(listen: SocketAddr, server: &ServerConfig) -> Option<String> {
    if listen.ip().is_loopback() || server.require_client_key || server.allow_open_proxy {
        return None;
    }
    Some(format!(
        "refusing to listen on {listen} without client keys: anyone who can reach this address \
         could use your provider keys. Set require_client_key = true in [server] and issue keys \
         (POST /api/client-keys), or set allow_open_proxy = true if every machine that can \
         reach it is trusted."
    ))
}

/// Logs the open proxy loudly, at every start and reload that keeps it.
pub fn warn_if_open(listen: SocketAddr, server: &ServerConfig) {
    if !listen.ip().is_loopback() && !server.require_client_key && server.allow_open_proxy {
        tracing::warn!(
            %listen,
            "OPEN PROXY: allow_open_proxy = true and no client key is required; anyone who can \
             reach this address can use your provider keys"
        );
    }
}

/// Splits `host[:port]` or `[v6][:port]` into the host (brackets removed) and the port.
fn split_host(host_and_port: &str) -> (&str, Option<&str>) {
    if let Some(rest) = host_and_port.strip_prefix('[') {
        let (host, after) = rest.split_once(']').unwrap_or((rest, ""));
        return (host, after.strip_prefix(':'));
    }
    match host_and_port.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            (host, Some(port))
        }
        _ => (host_and_port, None),
    }
}

fn canonical_name(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// `localhost`, `*.localhost`, `127.x.x.x` or `[::1]`, with or without a port.
pub fn is_loopback_host(host_and_port: &str) -> bool {
    let host = canonical_name(split_host(host_and_port).0);
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether a request addressed to `host_and_port` is served. A DNS rebinding attack needs a
/// name, so besides loopback names and the configured ones only IP literals pass, and only
/// those of the address listened on (any address when listening on all of them).
pub fn host_allowed(host_and_port: &str, listen: SocketAddr, server: &ServerConfig) -> bool {
    if is_loopback_host(host_and_port) {
        return true;
    }
    let (host, port) = split_host(host_and_port);
    let name = canonical_name(host);
    let configured = server.allowed_hosts.iter().any(|allowed| {
        let (allowed_name, allowed_port) = split_host(allowed);
        allowed_name == name && allowed_port.is_none_or(|p| Some(p) == port)
    });
    if configured {
        return true;
    }
    match name.parse::<IpAddr>() {
        Ok(ip) if !listen.ip().is_loopback() => listen.ip().is_unspecified() || listen.ip() == ip,
        _ => false,
    }
}

/// Whether a browser page at `origin` may call the gateway: its own origin (the host the
/// request was addressed to, or a loopback name on the port listened on), an origin in
/// `server.allowed_origins`, or an app shell that no web page can pose as (the desktop
/// window, an editor's webview).
pub fn origin_trusted(
    origin: &str,
    host: Option<&str>,
    listen: SocketAddr,
    server: &ServerConfig,
) -> bool {
    if origin.starts_with("vscode-webview://")
        || origin.starts_with("vscode-file://")
        || origin == "tauri://localhost"
    {
        return true;
    }
    let origin = origin.trim_end_matches('/').to_ascii_lowercase();
    if server.allowed_origins.contains(&origin) {
        return true;
    }
    let Some(("http" | "https", authority)) = origin.split_once("://") else {
        return false;
    };
    if host.is_some_and(|h| h.eq_ignore_ascii_case(authority)) {
        return true;
    }
    let (origin_host, port) = split_host(authority);
    is_loopback_host(origin_host) && port == Some(listen.port().to_string().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(extra: &str) -> ServerConfig {
        crate::config::parse(&format!("[server]\nrequire_client_key = true\n{extra}"))
            .unwrap()
            .server
    }

    fn loopback() -> SocketAddr {
        "127.0.0.1:4545".parse().unwrap()
    }

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
    fn configured_hosts_pass_with_any_port_or_the_one_given() {
        let server = server(r#"allowed_hosts = ["GW.lan", "box.lan:8080"]"#);
        let any: SocketAddr = "0.0.0.0:4545".parse().unwrap();
        assert!(host_allowed("gw.lan:4545", any, &server));
        assert!(host_allowed("gw.LAN.", any, &server), "case and root dot");
        assert!(host_allowed("box.lan:8080", any, &server));
        assert!(!host_allowed("box.lan:4545", any, &server), "another port");
        assert!(!host_allowed("evil.example:4545", any, &server));
        assert!(
            host_allowed("192.168.1.20:4545", any, &server),
            "an IP literal cannot be rebound"
        );
        assert!(
            !host_allowed("10.0.0.1:4545", loopback(), &server),
            "but only beyond loopback"
        );
        let one: SocketAddr = "192.168.1.20:4545".parse().unwrap();
        assert!(host_allowed("192.168.1.20:4545", one, &server));
        assert!(!host_allowed("192.168.1.21:4545", one, &server));
    }

    #[test]
    fn only_the_servers_own_origin_and_configured_ones_are_trusted() {
        let plain = server("");
        let own = |origin: &str, host: &str| origin_trusted(origin, Some(host), loopback(), &plain);
        assert!(own("http://127.0.0.1:4545", "127.0.0.1:4545"));
        assert!(own("http://localhost:4545", "127.0.0.1:4545"), "same port");
        assert!(own("http://gw.lan:4545", "gw.lan:4545"), "addressed host");
        assert!(own("tauri://localhost", "127.0.0.1:4545"));
        assert!(
            !own("http://localhost:5173", "127.0.0.1:4545"),
            "another local page is not this server"
        );
        assert!(!own("https://evil.example", "127.0.0.1:4545"));
        assert!(!own("null", "127.0.0.1:4545"));
        assert!(!own("http://127.0.0.1.evil.example", "127.0.0.1:4545"));
        let dev = server(r#"allowed_origins = ["http://LOCALHOST:5173/"]"#);
        assert!(origin_trusted(
            "http://localhost:5173",
            Some("127.0.0.1:4545"),
            loopback(),
            &dev
        ));
    }

    #[test]
    fn beyond_loopback_needs_client_keys_or_an_explicit_open_proxy() {
        let open = crate::config::parse("").unwrap().server;
        let lan: SocketAddr = "0.0.0.0:4545".parse().unwrap();
        assert!(open_relay_refusal(loopback(), &open).is_none());
        assert!(open_relay_refusal(lan, &open).is_some());
        assert!(open_relay_refusal(lan, &server("")).is_none());
        let explicit = crate::config::parse("[server]\nallow_open_proxy = true\n")
            .unwrap()
            .server;
        assert!(open_relay_refusal(lan, &explicit).is_none());
    }
}
