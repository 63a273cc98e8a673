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
    pub admin_token: Secret,
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
}

pub type SharedState = Arc<AppState>;
