//! The gateway under test: in-process, in front of a [`Chaos`] upstream named provider
//! `chaos`, with short timeouts (1 s to the first byte and between events),
//! `max_answer_mb = 1` and two retries, so a case takes seconds.
//!
//! It is test harness code: a step that cannot happen (no temporary directory, no admin
//! token) fails the case with a message, which is what `expect` is for here.

#![allow(clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use switchyard_gateway::Gateway;
use switchyard_gateway::paths::Locations;

use crate::Chaos;

/// The three families of client the gateway serves.
#[derive(Debug, Clone, Copy)]
pub enum Client {
    OpenAi,
    Anthropic,
    Gemini,
}

impl Client {
    pub const ALL: [Client; 3] = [Client::OpenAi, Client::Anthropic, Client::Gemini];
}

/// A gateway, its chaos upstream, an HTTP client and the admin token.
pub struct Rig {
    pub gateway: Gateway,
    /// The config file and (unless [`Rig::start_in`] put it elsewhere) the data dir.
    pub dir: PathBuf,
    pub data_dir: PathBuf,
    pub http: reqwest::Client,
    pub token: String,
    pub chaos: Arc<Chaos>,
}

impl std::fmt::Debug for Rig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rig")
            .field("gateway", &self.gateway.local_addr())
            .field("dir", &self.dir)
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// The config every rig runs: the chaos provider, short timeouts, `max_answer_mb = 1`.
pub fn config(chaos: &Chaos) -> String {
    format!(
        r#"
[server]
max_answer_mb = 1

[timeouts]
first_byte_secs = 1
idle_secs = 1

[retries]
max_retries = 2
base_delay_ms = 1
cooldown_after = 0

[[providers]]
id = "chaos"
kind = "openai-compatible"
base_url = "{}"
"#,
        chaos.base_url()
    )
}

/// A fresh temporary directory named after the case, holding [`config`] as `config.toml`.
pub fn work_dir(name: &str, chaos: &Chaos) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("switchyard-faults-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    std::fs::write(dir.join("config.toml"), config(chaos)).expect("the config is written");
    dir
}

impl Rig {
    /// A rig whose files live in a fresh temporary directory named after the case.
    pub async fn start(name: &str) -> Rig {
        Rig::start_in(name, None).await
    }

    /// A rig whose data dir is `data_dir` (a small file system, say) when given.
    pub async fn start_in(name: &str, data_dir: Option<PathBuf>) -> Rig {
        let chaos = Arc::new(Chaos::start().await.expect("the chaos upstream listens"));
        let dir = work_dir(name, &chaos);
        let data_dir = data_dir.unwrap_or_else(|| dir.join("data"));
        let locations = Locations::new(
            Some(dir.join("config.toml")),
            Some(data_dir.clone()),
            Some(([127, 0, 0, 1], 0).into()),
        );
        let gateway = Gateway::start(&locations, None)
            .await
            .expect("the gateway starts");
        let token = std::fs::read_to_string(data_dir.join("admin-token"))
            .expect("the admin token is written")
            .trim()
            .to_owned();
        Rig {
            gateway,
            dir,
            data_dir,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("an HTTP client"),
            token,
            chaos,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.gateway.local_addr())
    }

    /// Sends the client's request for `chaos/<model>`; returns status, request id and body.
    pub async fn send(&self, client: Client, model: &str, stream: bool) -> (u16, String, String) {
        self.send_text(client, model, stream, "hi").await
    }

    /// [`Rig::send`] with `text` as the user's message.
    pub async fn send_text(
        &self,
        client: Client,
        model: &str,
        stream: bool,
        text: &str,
    ) -> (u16, String, String) {
        let model = format!("chaos/{model}");
        let messages = json!([{"role": "user", "content": text}]);
        let (path, body) = match client {
            Client::OpenAi => (
                "/v1/chat/completions".to_owned(),
                json!({"model": model, "messages": messages, "stream": stream}),
            ),
            Client::Anthropic => (
                "/v1/messages".to_owned(),
                json!({"model": model, "max_tokens": 16, "messages": messages, "stream": stream}),
            ),
            Client::Gemini => {
                let method = if stream {
                    "streamGenerateContent?alt=sse"
                } else {
                    "generateContent"
                };
                (
                    format!("/v1beta/models/{model}:{method}"),
                    json!({"contents": [{"role": "user", "parts": [{"text": text}]}]}),
                )
            }
        };
        let response = self
            .http
            .post(self.url(&path))
            .json(&body)
            .send()
            .await
            .expect("the gateway answers");
        let status = response.status().as_u16();
        let id = response
            .headers()
            .get("x-request-id")
            .expect("every answer carries x-request-id")
            .to_str()
            .expect("an ASCII request id")
            .to_owned();
        let body = response.text().await.expect("the answer ends");
        (status, id, body)
    }

    pub async fn healthz(&self) {
        let health = self
            .http
            .get(self.url("/healthz"))
            .send()
            .await
            .expect("/healthz answers");
        assert_eq!(health.status(), 200, "the gateway keeps serving");
    }

    /// A GET of the admin API, as JSON.
    pub async fn admin(&self, path: &str) -> Value {
        self.http
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("the admin API answers")
            .json()
            .await
            .expect("the admin API answers JSON")
    }

    /// The request's history row, once written.
    pub async fn row(&self, id: &str) -> Value {
        for _ in 0..200 {
            let response = self
                .http
                .get(self.url(&format!("/api/requests/{id}")))
                .bearer_auth(&self.token)
                .send()
                .await
                .expect("the admin API answers");
            if response.status() == 200 {
                return response.json().await.expect("a row is JSON");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no history row for {id}");
    }

    /// Polls `/api/status` (for up to `within`) until `done` holds; returns that status.
    pub async fn status_until(&self, within: Duration, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let status = self.admin("/api/status").await;
            if done(&status) {
                return status;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "/api/status never reached the expected state: {status}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// This process's resident memory in KiB (`VmRSS` of `/proc/self/status`).
pub fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}
