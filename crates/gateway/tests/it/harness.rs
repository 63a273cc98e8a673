//! Starting a gateway with a given config in a private temp dir, plus small helpers that keep
//! the tests about behaviour rather than plumbing.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mock_provider::{MockOptions, MockProvider};
use serde_json::Value;
use switchyard_gateway::Gateway;
use switchyard_gateway::paths::Locations;
use switchyard_gateway::secrets::{KeyStore, KeyStoreError, Secret};

/// The key every mock in these tests insists on.
pub const KEY: &str = "sk-mock-0123456789abcdefWXYZ";

/// A keychain stand-in: tests cannot set environment variables safely while running in
/// parallel, so keys reach the gateway through its keychain slot.
#[derive(Debug, Default)]
pub struct Keys(pub std::sync::Mutex<HashMap<String, String>>);

impl KeyStore for Keys {
    fn get(&self, account: &str) -> Result<Option<Secret>, KeyStoreError> {
        Ok(self
            .0
            .lock()
            .unwrap()
            .get(account)
            .map(|k| Secret::new(k.clone())))
    }
    fn set(&self, account: &str, key: &Secret) -> Result<(), KeyStoreError> {
        self.0
            .lock()
            .unwrap()
            .insert(account.to_owned(), key.expose().to_owned());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<bool, KeyStoreError> {
        Ok(self.0.lock().unwrap().remove(account).is_some())
    }
}

pub struct Harness {
    pub gateway: Gateway,
    pub dir: PathBuf,
    pub http: reqwest::Client,
    pub base: String,
    token: String,
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub async fn mock() -> MockProvider {
    MockProvider::start(MockOptions {
        api_key: Some(KEY.into()),
        ..MockOptions::default()
    })
    .await
    .unwrap()
}

/// A config with one OpenAI-compatible provider `mock` pointing at `mock`.
pub fn one_provider(mock: &MockProvider, extra: &str) -> String {
    format!(
        r#"
[[providers]]
id = "mock"
kind = "openai-compatible"
base_url = "{}"
key_env = "SWITCHYARD_TEST_UNUSED_VAR"
models = ["gpt-4.1", "text-embedding-3-small", "gpt-3.5-turbo-instruct"]

[prices."mock/gpt-4.1"]
input = 2.0
output = 8.0
cached_input = 0.5
{extra}"#,
        mock.base_url()
    )
}

pub async fn start(config: &str) -> Harness {
    start_with_keys(config, &[("mock", KEY), ("mock2", KEY)]).await
}

pub async fn start_with_keys(config: &str, keys: &[(&str, &str)]) -> Harness {
    start_at(config, keys, "127.0.0.1:0").await.unwrap()
}

/// A gateway listening on `listen` (port 0 for any), or why it would not start. However it
/// listens, the tests reach it on 127.0.0.1.
pub async fn start_at(
    config: &str,
    keys: &[(&str, &str)],
    listen: &str,
) -> Result<Harness, switchyard_gateway::server::StartError> {
    let dir = std::env::temp_dir().join(format!("switchyard-it-{}", uuid_like()));
    std::fs::create_dir_all(&dir).unwrap();
    let config_path = dir.join("config.toml");
    std::fs::write(&config_path, config).unwrap();
    let locations = Locations::new(
        Some(config_path),
        Some(dir.join("data")),
        Some(listen.parse().unwrap()),
    );
    let keys = Keys(std::sync::Mutex::new(
        keys.iter()
            .map(|(a, k)| ((*a).to_owned(), (*k).to_owned()))
            .collect(),
    ));
    let gateway = match Gateway::start(&locations, Some(Arc::new(keys))).await {
        Ok(gateway) => gateway,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e);
        }
    };
    let token = std::fs::read_to_string(dir.join("data/admin-token"))
        .unwrap()
        .trim()
        .to_owned();
    let base = format!("http://127.0.0.1:{}", gateway.local_addr().port());
    Ok(Harness {
        gateway,
        dir,
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
        base,
        token,
    })
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

impl Harness {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn admin(&self, path_and_query: &str) -> Value {
        let response = self
            .http
            .get(self.url(path_and_query))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "admin {path_and_query}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    pub async fn admin_text(&self, path_and_query: &str) -> String {
        self.http
            .get(self.url(path_and_query))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// An admin request with the token.
    pub fn admin_request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(&self.token)
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// The history row of a request, by the id the response carried in `x-request-id`.
    pub async fn row(&self, id: &str) -> Value {
        self.admin(&format!("/api/requests/{id}")).await
    }

    /// Waits until history holds at least `n` rows (rows of disconnected clients are written
    /// from a `Drop`, slightly after the client has gone).
    pub async fn wait_rows(&self, n: u64) -> Value {
        for _ in 0..100 {
            let listing = self.admin("/api/requests?limit=1000").await;
            if listing["total"].as_u64().unwrap() >= n {
                return listing;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("history never reached {n} rows");
    }
}

pub fn request_id(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("x-request-id")
        .expect("every answer carries x-request-id")
        .to_str()
        .unwrap()
        .to_owned()
}

/// Splits an SSE body into its `data:` payloads.
pub fn sse_data(body: &str) -> Vec<String> {
    body.split("\n\n")
        .filter_map(|event| {
            let data: Vec<&str> = event
                .lines()
                .filter_map(|l| l.strip_prefix("data: ").or_else(|| l.strip_prefix("data:")))
                .collect();
            (!data.is_empty()).then(|| data.join("\n"))
        })
        .collect()
}

pub fn chat(model: &str) -> Value {
    serde_json::json!({"model": model, "messages": [{"role": "user", "content": "Say hello"}]})
}
