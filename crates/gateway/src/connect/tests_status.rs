//! `connect --status` and where each client's file is found.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::*;

#[test]
fn status_tells_found_connected_and_where_the_files_are() {
    let home = Home::with(Client::Zed);
    let connector = home.connector();
    let status = connector.status();
    let zed = status
        .clients
        .iter()
        .find(|c| c.client == Client::Zed)
        .unwrap();
    assert!(
        zed.found
            .as_deref()
            .is_some_and(|f| f.ends_with(".config/zed")),
        "{zed:?}"
    );
    assert_eq!(zed.state, ConnectionState::NotConnected);
    assert_eq!(
        zed.files,
        vec![
            home.home()
                .join(".config/zed/settings.json")
                .display()
                .to_string()
        ]
    );
    let codex = status
        .clients
        .iter()
        .find(|c| c.client == Client::Codex)
        .unwrap();
    assert_eq!(codex.found, None, "no codex on PATH, no ~/.codex");
    connector.connect(Client::Zed, &target(), None).unwrap();
    let status = connector.status();
    let zed = status
        .clients
        .iter()
        .find(|c| c.client == Client::Zed)
        .unwrap();
    assert_eq!(zed.state, ConnectionState::Connected);
}

#[test]
fn each_client_finds_its_file_through_its_own_variables() {
    let env = ClientEnv::with_home(
        "/home/ada",
        &[
            ("CODEX_HOME", "/opt/codex"),
            ("CLAUDE_CONFIG_DIR", "/opt/claude"),
            ("OPENCODE_CONFIG", "/work/opencode.json"),
            ("XDG_CONFIG_HOME", "/xdg"),
            ("GEMINI_CLI_HOME", "/g"),
            ("CONTINUE_GLOBAL_DIR", "/c"),
        ],
    );
    let profiles = Path::new("/data/connect/profiles");
    let files = |c: Client| c.files(&env, profiles);
    assert_eq!(
        files(Client::Codex),
        vec![PathBuf::from("/opt/codex/config.toml")]
    );
    assert_eq!(
        files(Client::ClaudeCode),
        vec![PathBuf::from("/opt/claude/settings.json")]
    );
    assert_eq!(
        files(Client::Opencode),
        vec![PathBuf::from("/work/opencode.json")]
    );
    assert_eq!(
        files(Client::Zed),
        vec![PathBuf::from("/xdg/zed/settings.json")]
    );
    assert_eq!(
        files(Client::GeminiCli),
        vec![
            PathBuf::from("/g/.gemini/.env"),
            PathBuf::from("/g/.gemini/settings.json")
        ]
    );
    assert_eq!(
        files(Client::Continue),
        vec![PathBuf::from("/c/config.yaml")]
    );
    assert_eq!(
        files(Client::Aider),
        vec![PathBuf::from("/home/ada/.aider.conf.yml")]
    );
    let plain = ClientEnv::with_home("/home/ada", &[]);
    assert_eq!(
        Client::Opencode.files(&plain, profiles),
        vec![PathBuf::from("/home/ada/.config/opencode/opencode.json")]
    );
}

#[test]
fn cline_gets_a_profile_to_import_and_the_clicks_left() {
    let home = Home::empty();
    let connector = home.connector();
    let outcome = connector.connect(Client::Cline, &target(), None).unwrap();
    let profile = home
        .root
        .join("data/connect/profiles")
        .join(cline::PROFILE_FILE);
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&profile).unwrap()).unwrap();
    assert_eq!(
        value["providerProfiles"]["apiConfigs"]["Switchyard"]["openAiBaseUrl"],
        json!("http://127.0.0.1:4545/v1")
    );
    assert!(
        outcome.notes.iter().any(|n| n.contains("Import")),
        "{:?}",
        outcome.notes
    );
    connector.disconnect(Client::Cline).unwrap();
    assert!(!profile.exists());
}
