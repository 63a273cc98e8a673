//! OS notifications for what needs the user while the window is closed: a budget limit
//! reached, a provider refusing its key, and a port already in use at start.
//!
//! The wording is built by pure functions (tested below); [`watch`] turns the gateway's
//! broadcasts into notifications. A provider whose key is wrong refuses every request, so its
//! notification is repeated at most once per [`KEY_NOTICE_EVERY`]. A machine without a
//! notification service (a headless test, a bare window manager) gets a log line instead.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use switchyard_gateway::budgets::{BudgetEvent, Period};
use switchyard_gateway::state::{KeyRejected, SharedState};
use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::broadcast::error::RecvError;

pub const KEY_NOTICE_EVERY: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

pub fn budget_notice(event: &BudgetEvent) -> Notice {
    let period = match event.period {
        Period::Daily => "Daily",
        Period::Monthly => "Monthly",
    };
    Notice {
        title: format!("{period} budget reached"),
        body: event.message.clone(),
    }
}

pub fn key_notice(rejected: &KeyRejected) -> Notice {
    let provider = &rejected.provider;
    Notice {
        title: format!("{provider} rejected its key"),
        body: format!(
            "{provider} answered {}: the key is wrong, expired or revoked. Set a new one in the \
             dashboard (Providers & keys) or with `switchyard keys set {provider}`.",
            rejected.status
        ),
    }
}

pub fn port_notice(listen: SocketAddr, config_path: &Path) -> Notice {
    Notice {
        title: format!("Switchyard is not running: {listen} is in use"),
        body: format!(
            "Another program (or another Switchyard) holds that port. Pick another one with \
             server.listen in {} (or in the dashboard's Settings, --listen or \
             SWITCHYARD_LISTEN), then choose Try again in the tray menu.",
            config_path.display()
        ),
    }
}

/// Lets one notice per key through every `every`.
#[derive(Debug)]
pub struct Throttle {
    every: Duration,
    last: HashMap<String, Instant>,
}

impl Throttle {
    pub fn new(every: Duration) -> Throttle {
        Throttle {
            every,
            last: HashMap::new(),
        }
    }

    pub fn allow(&mut self, key: &str, now: Instant) -> bool {
        match self.last.get(key) {
            Some(at) if now.saturating_duration_since(*at) < self.every => false,
            _ => {
                self.last.insert(key.to_owned(), now);
                true
            }
        }
    }
}

pub fn show<R: Runtime>(app: &AppHandle<R>, notice: &Notice) {
    tracing::info!(title = %notice.title, "notification: {}", notice.body);
    if let Err(e) = app
        .notification()
        .builder()
        .title(&notice.title)
        .body(&notice.body)
        .show()
    {
        tracing::warn!(error = %e, "could not show a notification");
    }
}

/// Shows a notification for every budget crossing and (throttled) every rejected key, for as
/// long as the gateway runs.
pub fn watch<R: Runtime>(app: &AppHandle<R>, state: &SharedState) {
    let mut budgets = state.budgets.subscribe();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match budgets.recv().await {
                Ok(event) => show(&handle, &budget_notice(&event)),
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => break,
            }
        }
    });
    let mut keys = state.key_rejections.subscribe();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut throttle = Throttle::new(KEY_NOTICE_EVERY);
        loop {
            match keys.recv().await {
                Ok(rejected) => {
                    if throttle.allow(&rejected.provider, Instant::now()) {
                        show(&handle, &key_notice(&rejected));
                    }
                }
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => break,
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_notice_names_the_period_and_keeps_the_gateways_explanation() {
        let event = BudgetEvent {
            period: Period::Daily,
            action: "block",
            limit_usd: 10.0,
            spent_usd: 10.42,
            resets_at: "2026-11-26T00:00:00Z".to_owned(),
            message: "Daily budget of $10.00 reached ($10.42 spent today); resets at \
                      2026-11-26T00:00:00Z; new requests are refused until then (action = \"block\")."
                .to_owned(),
        };
        let notice = budget_notice(&event);
        assert_eq!(notice.title, "Daily budget reached");
        assert_eq!(
            notice.body, event.message,
            "the gateway's message already says it all"
        );
    }

    #[test]
    fn a_key_notice_says_which_provider_and_how_to_fix_it() {
        let notice = key_notice(&KeyRejected {
            provider: "openai".to_owned(),
            status: 401,
        });
        assert_eq!(notice.title, "openai rejected its key");
        assert!(notice.body.contains("answered 401"), "{}", notice.body);
        assert!(notice.body.contains("Providers & keys"), "{}", notice.body);
        assert!(
            notice.body.contains("switchyard keys set openai"),
            "{}",
            notice.body
        );
    }

    #[test]
    fn a_port_notice_gives_every_way_out() {
        let notice = port_notice(
            "127.0.0.1:4545".parse().unwrap(),
            Path::new("/home/ada/.config/switchyard/config.toml"),
        );
        assert_eq!(
            notice.title,
            "Switchyard is not running: 127.0.0.1:4545 is in use"
        );
        for way in [
            "server.listen in /home/ada/.config/switchyard/config.toml",
            "Settings",
            "--listen",
            "SWITCHYARD_LISTEN",
            "Try again",
        ] {
            assert!(
                notice.body.contains(way),
                "expected {way:?} in {:?}",
                notice.body
            );
        }
    }

    #[test]
    fn a_rejected_key_is_announced_once_per_period_per_provider() {
        let mut throttle = Throttle::new(Duration::from_secs(60));
        let start = Instant::now();
        assert!(throttle.allow("openai", start));
        assert!(
            !throttle.allow("openai", start + Duration::from_secs(59)),
            "every request fails: once is enough"
        );
        assert!(
            throttle.allow("anthropic", start + Duration::from_secs(1)),
            "another provider is news"
        );
        assert!(
            throttle.allow("openai", start + Duration::from_secs(60)),
            "still wrong an hour later: say it again"
        );
    }
}
