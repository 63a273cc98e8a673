//! The dashboard's files (`ui/dist`, built by Vite) inside the binary, served at `/`.
//!
//! Vite names every asset after its content hash, so `/assets/*` may be cached for a year;
//! `index.html` must be revalidated every time so a new build is picked up at once. Any other
//! path that is not an API path gets `index.html` (the dashboard routes on the client), while
//! unknown `/api` and `/v1` paths keep their JSON 404 so a misconfigured client learns what
//! went wrong. Release builds embed the files; debug builds read them from `ui/dist` so that
//! a `vite build` shows without recompiling the gateway.

use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::error::ProxyError;

#[derive(rust_embed::RustEmbed)]
#[folder = "../../ui/dist"] // relative to this crate's Cargo.toml
#[allow_missing = true]
struct Assets;

const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>Switchyard</title>\
<body style=\"font:16px system-ui;max-width:40em;margin:3em auto\">\
<h1>Switchyard is running</h1><p>The dashboard was not built into this binary. \
Build it with <code>make ui</code> (or <code>npm ci &amp;&amp; npm run build</code> in \
<code>ui/</code>) and rebuild Switchyard; the proxy and the admin API work without it.</p>";

/// The router's fallback: a dashboard file, the dashboard's page, or a 404 in OpenAI's shape.
pub async fn serve(method: Method, uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let api = ["api", "v1", "v1beta", "healthz"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")));
    if api || (method != Method::GET && method != Method::HEAD) {
        return ProxyError::NotFound(format!(
            "No endpoint {method} /{path}. Proxy endpoints are under /v1, the admin API under /api."
        ))
        .into_response();
    }
    if !path.is_empty()
        && let Some(file) = Assets::get(path)
    {
        return file_response(&file, path.starts_with("assets/"));
    }
    match Assets::get("index.html") {
        Some(index) => file_response(&index, false),
        None => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            NOT_BUILT,
        )
            .into_response(),
    }
}

/// Whether the dashboard is inside this binary (for the start-up message and tests).
pub fn is_built() -> bool {
    Assets::get("index.html").is_some()
}

fn file_response(file: &rust_embed::EmbeddedFile, immutable: bool) -> Response {
    let mut response = file.data.clone().into_owned().into_response();
    let headers = response.headers_mut();
    if let Ok(mime) = HeaderValue::from_str(file.metadata.mimetype()) {
        headers.insert(header::CONTENT_TYPE, mime);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if immutable {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // The dashboard talks to its own origin only, and no other page may frame it.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; connect-src 'self'; img-src 'self' data:; \
             style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    response
}
