//! The data dir holds every prompt and answer: it is the owner's alone, 0700 with every file
//! 0600, whether the gateway created it or found it.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use switchyard_gateway::Gateway;
use switchyard_gateway::paths::Locations;

use crate::harness;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

async fn start(dir: &Path, config: &str) -> Gateway {
    let config_path = dir.join("config.toml");
    if !config_path.exists() {
        std::fs::write(&config_path, config).unwrap();
    }
    let locations = Locations::new(
        Some(config_path),
        Some(dir.join("data")),
        Some("127.0.0.1:0".parse().unwrap()),
    );
    let keys = harness::Keys(std::sync::Mutex::new(
        [("mock".to_owned(), harness::KEY.to_owned())].into(),
    ));
    Gateway::start(&locations, Some(Arc::new(keys)))
        .await
        .unwrap()
}

/// Issue 15: `history.sqlite3-wal` (every prompt and answer) was 0644 even in a new data dir.
#[tokio::test]
async fn regression_a_new_data_dir_has_a_private_database_and_wal() {
    let mock = harness::mock().await;
    let dir = std::env::temp_dir().join(format!("switchyard-it-files-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let gateway = start(&dir, &harness::one_provider(&mock, "")).await;
    let http = reqwest::Client::new();
    let answer = http
        .post(format!("{}/chat/completions", gateway.proxy_url()))
        .json(&harness::chat("gpt-4.1"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let data = dir.join("data");
    assert_eq!(mode(&data), 0o700);
    for file in [
        "history.sqlite3",
        "history.sqlite3-wal",
        "history.sqlite3-shm",
        "admin-token",
        "runtime.json",
    ] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    let fixed = gateway.made_private();
    assert!(
        fixed.iter().all(|f| f.path.ends_with("config.toml")),
        "only the config this test wrote with the umask needed fixing: {fixed:?}"
    );
    gateway.shutdown(std::time::Duration::from_secs(2)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 15: a data dir that already existed kept its 0755, and files their 0644.
#[tokio::test]
async fn regression_an_open_data_dir_and_config_are_made_private_at_start_and_reported() {
    let mock = harness::mock().await;
    let dir = std::env::temp_dir().join(format!("switchyard-it-files-open-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let first = start(&dir, &harness::one_provider(&mock, "")).await;
    first.shutdown(std::time::Duration::from_secs(2)).await;

    let data = dir.join("data");
    set_mode(&data, 0o755);
    set_mode(&data.join("history.sqlite3"), 0o644);
    set_mode(&data.join("admin-token"), 0o644);
    set_mode(&dir.join("config.toml"), 0o644);
    let second = start(&dir, "").await;
    let fixed: Vec<String> = second
        .made_private()
        .iter()
        .map(|f| f.to_string())
        .collect();
    for expected in [
        "data (was 0755)",
        "history.sqlite3 (was 0644)",
        "admin-token (was 0644)",
        "config.toml (was 0644)",
    ] {
        assert!(
            fixed.iter().any(|f| f.ends_with(expected)),
            "{expected} is reported as fixed: {fixed:?}"
        );
    }
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("history.sqlite3")), 0o600);
    assert_eq!(mode(&data.join("admin-token")), 0o600);
    assert_eq!(mode(&dir.join("config.toml")), 0o600);
    second.shutdown(std::time::Duration::from_secs(2)).await;
    let _ = std::fs::remove_dir_all(&dir);
}
