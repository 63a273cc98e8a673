//! Every log line written while a request is served names that request: its id (the
//! `x-request-id` the client got back), the route it asked for, and the provider and model
//! being tried, so one request's story can be read out of a busy log with a grep.

use std::io::Write;
use std::sync::{Mutex, OnceLock};

use crate::harness::{self, chat, request_id};

/// Everything the gateway logs in this test process.
static LOG: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Captured;

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOG.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter("info")
            .with_ansi(false)
            .with_writer(|| Captured)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other test installs a subscriber");
    });
}

fn lines_naming(id: &str) -> Vec<String> {
    String::from_utf8_lossy(&LOG.lock().unwrap())
        .lines()
        .filter(|line| line.contains(&format!("request_id={id}")))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn a_retried_request_logs_every_line_with_its_id_route_provider_and_model() {
    capture_logs();
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(
        &mock,
        "[retries]\nmax_retries = 1\n\n[[routes]]\nalias = \"coder\"\ntargets = [\"mock/flaky-1-503\"]\n",
    ))
    .await;
    let response = h.post("/v1/chat/completions", chat("coder")).await;
    assert_eq!(response.status(), 200, "the retry answered");
    let id = request_id(&response);

    let lines = lines_naming(&id);
    let retried: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("retryable status"))
        .collect();
    assert_eq!(
        retried.len(),
        1,
        "the 503 was logged under the request: {lines:#?}"
    );
    for field in [
        r#"route="coder""#,
        r#"provider="mock""#,
        r#"model="flaky-1-503""#,
    ] {
        assert!(
            retried[0].contains(field),
            "{field} is on the line: {}",
            retried[0]
        );
    }
    assert!(
        lines.iter().any(|l| l.contains("retrying the same target")),
        "the retry's own line names the request too: {lines:#?}"
    );
}
