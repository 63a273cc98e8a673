//! The Connect page's admin API: status of every client, the diff before applying, connect
//! with an issued client key, disconnect, and a refused file. Driven with Cline's profile,
//! the one client whose file lives in the data dir, so the test never touches the home
//! directory of whoever runs it (the editing itself is covered file by file by the unit tests
//! of `connect`).

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{self, Harness};

async fn call(h: &Harness, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = h.admin_request(method, path);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn profile(h: &Harness) -> std::path::PathBuf {
    h.dir.join("data/connect/profiles/roo-code-switchyard.json")
}

#[tokio::test]
async fn status_lists_every_client_with_its_file_and_state() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let (status, body) = call(&h, Method::GET, "/api/connect", None).await;
    assert_eq!(status, 200, "{body}");
    let ids: Vec<&str> = body["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "claude-code",
            "codex",
            "gemini-cli",
            "opencode",
            "continue",
            "aider",
            "zed",
            "cline"
        ]
    );
    let cline = &body["clients"][7];
    assert_eq!(cline["state"], "not_connected");
    assert_eq!(cline["files"], json!([profile(&h).display().to_string()]));
}

#[tokio::test]
async fn the_diff_is_shown_before_anything_is_written_then_connect_and_undo() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let input = json!({"model": "mock/gpt-4.1"});

    let (status, preview) = call(
        &h,
        Method::POST,
        "/api/connect/cline/preview",
        Some(input.clone()),
    )
    .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["dry_run"], true);
    let diff = preview["files"][0]["diff"].as_str().unwrap();
    assert!(
        diff.contains(&format!("+        \"openAiBaseUrl\": \"{}/v1\"", h.base)),
        "{diff}"
    );
    assert!(!profile(&h).exists(), "a preview writes nothing");

    let (status, connected) = call(&h, Method::POST, "/api/connect/cline", Some(input)).await;
    assert_eq!(status, 200, "{connected}");
    assert_eq!(connected["files"][0]["created"], true);
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(profile(&h)).unwrap()).unwrap();
    assert_eq!(
        written["providerProfiles"]["apiConfigs"]["Switchyard"]["openAiModelId"],
        "mock/gpt-4.1"
    );
    let (_, body) = call(&h, Method::GET, "/api/connect", None).await;
    assert_eq!(body["clients"][7]["state"], "connected");

    let (status, undone) = call(&h, Method::DELETE, "/api/connect/cline", None).await;
    assert_eq!(status, 200, "{undone}");
    assert_eq!(undone["was_connected"], true);
    assert_eq!(undone["files"][0]["deleted"], true);
    assert!(!profile(&h).exists(), "the file connect created is gone");
}

#[tokio::test]
async fn a_client_key_is_issued_named_after_the_client_and_written() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let (status, connected) = call(
        &h,
        Method::POST,
        "/api/connect/cline",
        Some(json!({"client_key": true})),
    )
    .await;
    assert_eq!(status, 200, "{connected}");
    let diff = connected["files"][0]["diff"].as_str().unwrap();
    assert!(
        diff.contains("<client key>") && !diff.contains("sk-sy-"),
        "the answer never shows the key: {diff}"
    );
    let (_, keys) = call(&h, Method::GET, "/api/client-keys", None).await;
    assert_eq!(keys["keys"][0]["name"], "cline", "{keys}");
    let written = std::fs::read_to_string(profile(&h)).unwrap();
    let key = written
        .split('"')
        .find(|s| s.starts_with("sk-sy-"))
        .unwrap();
    let response = h
        .http
        .post(h.url("/v1/chat/completions"))
        .bearer_auth(key)
        .json(&harness::chat("gpt-4.1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_file_that_does_not_parse_is_refused_untouched_with_its_line() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    std::fs::create_dir_all(profile(&h).parent().unwrap()).unwrap();
    std::fs::write(profile(&h), "{\n  \"providerProfiles\": ]\n}\n").unwrap();
    let (status, body) = call(&h, Method::POST, "/api/connect/cline", Some(json!({}))).await;
    assert_eq!(status, 400, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("roo-code-switchyard.json:2:"), "{body}");
    assert_eq!(
        std::fs::read_to_string(profile(&h)).unwrap(),
        "{\n  \"providerProfiles\": ]\n}\n"
    );
    let (_, keys) = call(&h, Method::GET, "/api/client-keys", None).await;
    assert_eq!(keys["keys"], json!([]), "no key issued for a refused file");
}

#[tokio::test]
async fn an_unknown_client_is_not_found() {
    let mock = harness::mock().await;
    let h = harness::start(&harness::one_provider(&mock, "")).await;
    let (status, _) = call(&h, Method::DELETE, "/api/connect/cursor", None).await;
    assert_eq!(status, 404);
}
