//! A proxy on loopback must not be usable by web pages or rebound DNS names, a proxy beyond
//! loopback must not be usable by whoever reaches it, and the admin API must not answer
//! without its token.

use crate::harness;

#[tokio::test]
async fn foreign_hosts_and_origins_are_refused_local_ones_pass() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let get = |host: Option<&str>, origin: Option<&str>| {
        let mut request = h.http.get(h.url("/v1/models"));
        if let Some(host) = host {
            request = request.header("host", host);
        }
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    assert_eq!(
        get(Some("attacker.example:4545"), None)
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        get(None, Some("https://attacker.example"))
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        get(Some("localhost:4545"), None).await.unwrap().status(),
        200
    );
    assert_eq!(
        get(None, Some(&h.base)).await.unwrap().status(),
        200,
        "the dashboard's own origin"
    );
    assert_eq!(get(None, None).await.unwrap().status(), 200);
    assert_eq!(
        get(None, Some("http://localhost:5173"))
            .await
            .unwrap()
            .status(),
        403,
        "another page on this machine is not this server"
    );
}

#[tokio::test]
async fn a_local_page_is_trusted_only_when_its_origin_is_configured() {
    let mock = harness::mock().await;
    let h = harness::start(&format!(
        "[server]\nallowed_origins = [\"http://localhost:5173\"]\n{}",
        harness::one_provider(&mock, "")
    ))
    .await;
    let from = |origin: &'static str| {
        h.http
            .post(h.url("/v1/chat/completions"))
            .header("origin", origin)
            .json(&harness::chat("gpt-4.1"))
            .send()
    };
    assert_eq!(from("http://localhost:5173").await.unwrap().status(), 200);
    assert_eq!(from("http://localhost:5174").await.unwrap().status(), 403);
}

/// Issue 15: `--listen 0.0.0.0:4545` with the default config served every POST and spent the
/// user's provider keys.
#[tokio::test]
async fn regression_beyond_loopback_without_client_keys_the_gateway_refuses_to_start() {
    let mock = harness::mock().await;
    let refused = harness::start_at(&harness::one_provider(&mock, ""), &[], "0.0.0.0:0").await;
    let err = refused.err().expect("an open relay must not start");
    let message = err.to_string();
    assert!(
        message.contains("require_client_key = true") && message.contains("allow_open_proxy"),
        "the refusal says how to fix it: {message}"
    );
}

#[tokio::test]
async fn allow_open_proxy_starts_beyond_loopback_on_purpose() {
    let mock = harness::mock().await;
    let config = format!(
        "[server]\nallow_open_proxy = true\n{}",
        harness::one_provider(&mock, "")
    );
    let h = harness::start_at(&config, &[("mock", harness::KEY)], "0.0.0.0:0")
        .await
        .expect("an explicit open proxy starts");
    let response = h
        .post("/v1/chat/completions", harness::chat("gpt-4.1"))
        .await;
    assert_eq!(response.status(), 200);
}

/// Issue 15: beyond loopback the `Host` check was skipped, so `Host: evil.example` (a rebound
/// DNS name) was served.
#[tokio::test]
async fn regression_beyond_loopback_only_allowed_hosts_are_served_and_keys_are_required() {
    let mock = harness::mock().await;
    let config = format!(
        "[server]\nrequire_client_key = true\nallowed_hosts = [\"gw.lan\"]\n{}",
        harness::one_provider(&mock, "")
    );
    let h = harness::start_at(&config, &[("mock", harness::KEY)], "0.0.0.0:0")
        .await
        .expect("client keys make a LAN gateway safe to start");
    let port = h.gateway.local_addr().port();
    let chat = |host: String| {
        h.http
            .post(h.url("/v1/chat/completions"))
            .header("host", host)
            .json(&harness::chat("gpt-4.1"))
            .send()
    };
    assert_eq!(
        chat(format!("evil.example:{port}")).await.unwrap().status(),
        403
    );
    assert_eq!(
        chat(format!("gw.lan:{port}")).await.unwrap().status(),
        401,
        "an allowed host, but no client key"
    );
    let models = h
        .http
        .get(h.url("/v1/models"))
        .header("host", format!("gw.lan:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(models.status(), 401, "the model list needs a key too");

    // The dashboard works from the allowed host: its page, and the admin API from its origin.
    let page = h
        .http
        .get(h.url("/"))
        .header("host", format!("gw.lan:{port}"))
        .send()
        .await
        .unwrap();
    assert_ne!(page.status(), 403);
    let status: serde_json::Value = h
        .http
        .get(h.url("/api/status"))
        .header("host", format!("gw.lan:{port}"))
        .header("origin", format!("http://gw.lan:{port}"))
        .bearer_auth(h.token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        status["proxy_url"],
        format!("http://gw.lan:{port}/v1"),
        "the dashboard shows the address it was opened at, not 0.0.0.0"
    );

    // Turning keys off while listening beyond loopback is refused, and keys stay required.
    let edited = config.replace("require_client_key = true", "require_client_key = false");
    let reloaded = switchyard_gateway::reload::apply(h.gateway.state(), &edited);
    assert!(
        matches!(reloaded, switchyard_gateway::reload::Reloaded::Refused(_)),
        "{reloaded:?}"
    );
    assert_eq!(
        chat(format!("127.0.0.1:{port}")).await.unwrap().status(),
        401
    );
}

#[tokio::test]
async fn with_keys_required_the_model_lists_need_one_in_each_clients_format() {
    let mock = harness::mock().await;
    let h = harness::start(&format!(
        "[server]\nrequire_client_key = true\n{}",
        harness::one_provider(&mock, "")
    ))
    .await;
    let openai = h.http.get(h.url("/v1/models")).send().await.unwrap();
    assert_eq!(openai.status(), 401);
    let body: serde_json::Value = openai.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_api_key", "{body}");
    let anthropic = h
        .http
        .get(h.url("/v1/models"))
        .header("anthropic-version", "2023-06-01")
        .send()
        .await
        .unwrap();
    assert_eq!(anthropic.status(), 401);
    let body: serde_json::Value = anthropic.json().await.unwrap();
    assert_eq!(body["type"], "error", "Anthropic's shape: {body}");
    let gemini = h
        .http
        .get(h.url("/v1beta/models?key=sk-not-issued"))
        .send()
        .await
        .unwrap();
    assert_eq!(gemini.status(), 401);
    let body: serde_json::Value = gemini.json().await.unwrap();
    assert_eq!(
        body["error"]["status"], "UNAUTHENTICATED",
        "Google's shape: {body}"
    );

    let issued: serde_json::Value = h
        .admin_request(reqwest::Method::POST, "/api/client-keys")
        .json(&serde_json::json!({"name": "ci"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = issued["key"].as_str().unwrap();
    let listed = h
        .http
        .get(h.url("/v1/models"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);
}

#[tokio::test]
async fn the_admin_api_needs_the_token() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let without = h.http.get(h.url("/api/requests")).send().await.unwrap();
    assert_eq!(without.status(), 401);
    let wrong = h
        .http
        .get(h.url("/api/requests"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = h
        .http
        .get(h.url("/api/requests"))
        .bearer_auth(h.token())
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
}

#[tokio::test]
async fn no_key_or_token_is_ever_written_to_the_data_dir_or_config() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let mut body = harness::chat("gpt-4.1");
    body["stream"] = serde_json::json!(true);
    h.post("/v1/chat/completions", harness::chat("gpt-4.1"))
        .await
        .text()
        .await
        .unwrap();
    h.post("/v1/chat/completions", body)
        .await
        .text()
        .await
        .unwrap();
    let providers = h.admin("/api/providers").await;
    assert_eq!(providers["providers"][0]["key"]["last_four"], "WXYZ");
    assert!(
        !providers.to_string().contains(harness::KEY),
        "the admin API shows the last four only"
    );
    h.gateway.shutdown(std::time::Duration::from_secs(2)).await;
    for entry in walk(&h.dir) {
        if entry.ends_with("admin-token") {
            continue;
        }
        let bytes = std::fs::read(&entry).unwrap();
        let haystack = String::from_utf8_lossy(&bytes);
        assert!(
            !haystack.contains(harness::KEY),
            "the provider key leaked into {}",
            entry.display()
        );
        assert!(
            !haystack.contains(h.token()),
            "the admin token leaked into {}",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
