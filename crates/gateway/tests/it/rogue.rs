//! Upstreams that misbehave on purpose, each a few lines of axum on port 0: what the mock
//! provider (a well-behaved API) cannot be made to do.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::HeaderMap;

/// Serves `router` on 127.0.0.1, port 0; returns its base URL (`http://127.0.0.1:PORT`).
pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

/// The headers of every request a server received.
#[derive(Clone, Default)]
pub struct Seen(pub Arc<Mutex<Vec<HeaderMap>>>);

impl Seen {
    pub fn push(&self, headers: &HeaderMap) {
        self.0.lock().unwrap().push(headers.clone());
    }

    pub fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

/// A config whose one provider `rogue` of `kind` points at `base_url`.
pub fn provider(kind: &str, base_url: &str, extra: &str) -> String {
    format!(
        r#"
[[providers]]
id = "rogue"
kind = "{kind}"
base_url = "{base_url}"
models = ["m"]
{extra}"#
    )
}
