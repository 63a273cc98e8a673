//! What every request handler shares: the current config snapshot, the history, keys,
//! upstream clients and routing state.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use arc_swap::ArcSwap;

use crate::budgets::BudgetTracker;
use crate::config::Config;
use crate::history::History;
use crate::routing::RoutingState;
use crate::secrets::{KeyResolver, Secret};
use crate::upstream::Clients;

#[derive(Debug)]
pub struct AppState {
    /// Swapped whole on reload; a request loads it once and keeps that snapshot.
    pub config: ArcSwap<Config>,
    pub history: History,
    pub keys: KeyResolver,
    pub clients: Clients,
    pub routing: RoutingState,
    /// The keys issued to Switchyard's own clients (hashes of the active ones).
    pub client_keys: crate::client_keys::ClientKeys,
    /// One OTLP span per request, when `[telemetry]` says where.
    pub telemetry: crate::telemetry::Exporter,
    /// Answers kept for `x-switchyard-cache-ttl` (sized once, at start).
    pub cache: crate::cache::ResponseCache,
    pub admin_token: Secret,
    /// `server.listen` as it was at start: a different one in the file waits for a restart.
    pub listen_configured: SocketAddr,
    /// The address actually bound (the port is known even when 0 was asked for).
    pub listen: SocketAddr,
    pub started: Instant,
    /// Cancelled when shutdown stops waiting for in-flight requests: streams and upstream
    /// calls still running end promptly, and their records are written.
    pub abort: tokio_util::sync::CancellationToken,
    /// Providers (by id) seen rejecting `stream_options`: asked again without it.
    pub rejects_stream_options: Mutex<HashSet<String>>,
    /// Today's and this month's spend, and the budget notifications.
    pub budgets: BudgetTracker,
    /// Where imported prices are kept (`None` in tests that run without a data dir).
    pub data_dir: Option<std::path::PathBuf>,
    /// The config file the dashboard edits (`None` when the gateway runs without one).
    pub config_path: Option<std::path::PathBuf>,
    /// Dashboard edits of the config file, one at a time.
    pub config_edits: tokio::sync::Mutex<()>,
    /// Cancelled when shutdown begins: long-lived answers (the live event feed) end then.
    pub stopping: tokio_util::sync::CancellationToken,
    /// While set, proxy requests are refused with 503 (and recorded); the admin API and the
    /// dashboard keep working. The desktop tray's Pause / Resume.
    pub paused: std::sync::atomic::AtomicBool,
    /// A provider answered 401 or 403: its key is wrong or revoked (for desktop notifications).
    pub key_rejections: tokio::sync::broadcast::Sender<KeyRejected>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRejected {
    pub provider: String,
    pub status: u16,
}

impl AppState {
    pub fn is_paused(&self) -> bool {
        self.paused.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn set_paused(&self, paused: bool) {
        self.paused
            .store(paused, std::sync::atomic::Ordering::Relaxed);
        tracing::info!(
            paused,
            "proxy {}",
            if paused { "paused" } else { "resumed" }
        );
    }

    /// Tells listeners (the desktop app) that `provider` refused its key.
    pub fn key_rejected(&self, provider: &str, status: u16) {
        tracing::warn!(provider, status, "provider rejected its key");
        let _ = self.key_rejections.send(KeyRejected {
            provider: provider.to_owned(),
            status,
        });
    }
}

pub type SharedState = Arc<AppState>;
