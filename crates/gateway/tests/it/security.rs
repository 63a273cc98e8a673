//! A proxy on loopback must not be usable by web pages or rebound DNS names, and the admin
//! API must not answer without its token.

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
