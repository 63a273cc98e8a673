//! Starting and stopping a `MockProvider`.

use std::time::Duration;

use crate::support::{client, start};

#[tokio::test]
async fn base_url_points_at_the_bound_loopback_port() {
    let mock = start().await;
    assert!(mock.addr().ip().is_loopback());
    assert_ne!(mock.addr().port(), 0);
    assert_eq!(
        mock.base_url(),
        format!("http://127.0.0.1:{}/v1", mock.addr().port())
    );
}

#[tokio::test]
async fn dropping_the_mock_stops_the_server() {
    let mock = start().await;
    let url = format!("{}/models", mock.base_url());
    assert!(
        client()
            .get(&url)
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    drop(mock);
    for _ in 0..100 {
        if client().get(&url).send().await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the server still answers two seconds after the drop");
}
