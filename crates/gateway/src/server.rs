//! Starting and stopping a gateway: the one entry point for `switchyard serve`, the desktop app
//! and the integration tests.
//!
//! Shutdown is ordered so that nothing logged is lost: stop accepting connections, give
//! requests in flight a bounded time to finish, then end the stragglers (their streams get an
//! error event and their rows are still written), and finally flush the history writer.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use axum::Router;
use tokio_util::sync::CancellationToken;

use crate::budgets::BudgetTracker;
use crate::config::{self, Config};
use crate::history::{History, costs};
use crate::paths::Locations;
use crate::routing::RoutingState;
use crate::secrets::{KeyResolver, KeyStore, Secret};
use crate::state::{AppState, SharedState};
use crate::upstream::Clients;

/// How long shutdown waits for requests in flight before ending them.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] config::LoadError),
    #[error("cannot open the history: {0}")]
    History(#[from] crate::history::HistoryError),
    #[error("cannot create the admin token at {path}: {source}")]
    Token {
        path: String,
        source: std::io::Error,
    },
    /// Beyond loopback without client keys (see [`crate::security::open_relay_refusal`]).
    #[error("{0}")]
    OpenProxy(String),
    #[error("cannot make {path} private: {source}")]
    Permissions {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

impl StartError {
    /// True when another program (or another Switchyard) already holds the port.
    pub fn is_port_in_use(&self) -> bool {
        matches!(self, StartError::Bind { source, .. } if source.kind() == std::io::ErrorKind::AddrInUse)
    }
}

/// What the state is built around, opened before the listener.
struct Stores {
    history: History,
    budgets: BudgetTracker,
    data_dir: Option<std::path::PathBuf>,
    config_path: Option<std::path::PathBuf>,
    client_keys: crate::client_keys::ClientKeys,
}

/// A running gateway.
#[derive(Debug)]
pub struct Gateway {
    state: SharedState,
    stop_accepting: CancellationToken,
    server: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// `runtime.json`, removed again at shutdown.
    runtime_file: Mutex<Option<std::path::PathBuf>>,
    /// Files and dirs whose permissions were too open at start, and were fixed.
    made_private: Mutex<Vec<crate::private_files::Fixed>>,
}

/// The data dir 0700 and every file Switchyard keeps in it 0600 (the database created so, for SQLite to give
/// its WAL the same mode), and the config file 0600: what had to be fixed.
fn make_private(locations: &Locations) -> Result<Vec<crate::private_files::Fixed>, StartError> {
    let failed = |path: &std::path::Path| {
        let path = path.display().to_string();
        move |source| StartError::Permissions { path, source }
    };
    let dir = &locations.data_dir;
    let mut fixed =
        crate::private_files::secure_dir(dir, crate::paths::is_own_entry).map_err(failed(dir))?;
    let history = locations.history_path();
    crate::private_files::create_private(&history).map_err(failed(&history))?;
    let config = &locations.config_path;
    fixed.extend(crate::private_files::secure_file(config).map_err(failed(config))?);
    Ok(fixed)
}

/// Everything the proxy, the admin API and the security checks serve, as one router.
pub fn app(state: SharedState) -> Router {
    Router::new()
        .merge(crate::proxy::router())
        .merge(crate::admin::router(state.clone()))
        .fallback(crate::dashboard::serve)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::security::guard,
        ))
        .with_state(state)
}

impl Gateway {
    /// Loads (or creates) the config, opens the history, binds the listener and starts serving.
    pub async fn start(
        locations: &Locations,
        keychain: Option<Arc<dyn KeyStore>>,
    ) -> Result<Gateway, StartError> {
        let started = Instant::now();
        let seen = crate::reload::Seen::now(&locations.config_path, &locations.data_dir);
        let mut config = config::load_or_create(&locations.config_path)?;
        let addr = locations.listen.unwrap_or(config.server.listen);
        if let Some(why) = crate::security::open_relay_refusal(addr, &config.server) {
            return Err(StartError::OpenProxy(why));
        }
        let made_private = make_private(locations)?;
        config.imported_prices = crate::reload::imported_prices(&locations.data_dir, None);
        let history = History::open(&locations.history_path(), config.logging.retention())?;
        let budgets = BudgetTracker::default();
        let now = chrono::Utc::now();
        let (day, month) = crate::budgets::period_starts(now);
        let (today, month_usd) = history
            .read(move |c| Ok((costs::today_since(c, day)?, costs::spent_since(c, month)?)))
            .await?;
        budgets.seed(today, month_usd, now);
        let client_keys = crate::client_keys::ClientKeys::default();
        client_keys.load(&history).await?;
        let token_path = locations.admin_token_path();
        let admin_token = crate::admin::token::load_or_create(&token_path).map_err(|source| {
            StartError::Token {
                path: token_path.display().to_string(),
                source,
            }
        })?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let listen = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        crate::security::warn_if_open(listen, &config.server);
        if let Some(keychain) = keychain.clone() {
            // Ask the keychain once, off the start-up path: a missing or locked Secret Service
            // is explained in one line now rather than on a user's first request.
            tokio::task::spawn_blocking(move || {
                if let Err(e) = keychain.get("switchyard-probe") {
                    tracing::warn!("{e}");
                }
            });
        }
        for fixed in &made_private {
            tracing::warn!(%fixed, "made private: only its owner may read it now");
        }
        let gateway = Self::serve(
            listener,
            listen,
            config,
            Stores {
                history,
                budgets,
                data_dir: Some(locations.data_dir.clone()),
                config_path: Some(locations.config_path.clone()),
                client_keys,
            },
            admin_token,
            keychain,
            started,
        );
        let runtime = serde_json::json!({
            "listen": listen.to_string(),
            "pid": std::process::id(),
            "version": env!("CARGO_PKG_VERSION"),
        });
        if let Err(e) = crate::private_files::write_private(
            &locations.runtime_path(),
            runtime.to_string().as_bytes(),
        ) {
            tracing::debug!(error = %e, "could not write the runtime file");
        }
        *gateway
            .made_private
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = made_private;
        *gateway
            .runtime_file
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(locations.runtime_path());
        crate::reload::spawn(
            gateway.state.clone(),
            locations.config_path.clone(),
            gateway.stop_accepting.clone(),
            seen,
        );
        Ok(gateway)
    }

    fn serve(
        listener: tokio::net::TcpListener,
        listen: SocketAddr,
        config: Config,
        stores: Stores,
        admin_token: Secret,
        keychain: Option<Arc<dyn KeyStore>>,
        started: Instant,
    ) -> Gateway {
        let stop_accepting = CancellationToken::new();
        let state = Arc::new_cyclic(|weak: &std::sync::Weak<AppState>| AppState {
            telemetry: {
                let state = weak.clone();
                crate::telemetry::Exporter::start(move || {
                    state.upgrade()?.config.load().telemetry.clone()
                })
            },
            listen_configured: config.server.listen,
            cache: crate::cache::ResponseCache::new(config.cache),
            client_keys: stores.client_keys,
            config: ArcSwap::from_pointee(config),
            history: stores.history,
            keys: KeyResolver::new(keychain),
            clients: Clients::default(),
            routing: RoutingState::default(),
            admin_token,
            listen,
            started,
            abort: CancellationToken::new(),
            rejects_stream_options: Mutex::new(Default::default()),
            budgets: stores.budgets,
            data_dir: stores.data_dir,
            config_path: stores.config_path,
            config_edits: tokio::sync::Mutex::new(()),
            stopping: stop_accepting.clone(),
            paused: std::sync::atomic::AtomicBool::new(false),
            key_rejections: tokio::sync::broadcast::channel(16).0,
        });
        // Every record handed to the history counts in the live figures and adds its cost.
        // The observer holds the state weakly: the state owns the history that holds it.
        let weak = Arc::downgrade(&state);
        state.history.observe(Arc::new(move |record| {
            let Some(state) = weak.upgrade() else {
                return;
            };
            let config = state.config.load();
            state.budgets.record(
                record.started_at_ms,
                record.cost_usd,
                config.budgets.as_ref(),
                chrono::Utc::now(),
            );
            state.telemetry.record(&config, record);
        }));
        let app = app(state.clone());
        let server = tokio::spawn(crate::connections::serve(
            listener,
            app,
            stop_accepting.clone(),
        ));
        tracing::info!(%listen, startup_ms = started.elapsed().as_millis() as u64, "switchyard is listening");
        Gateway {
            state,
            stop_accepting,
            server: Mutex::new(Some(server)),
            runtime_file: Mutex::new(None),
            made_private: Mutex::new(Vec::new()),
        }
    }

    pub fn state(&self) -> &SharedState {
        &self.state
    }

    /// What was too open at start and made private (for the CLI to say so).
    pub fn made_private(&self) -> Vec<crate::private_files::Fixed> {
        self.made_private
            .lock()
            .map(|fixed| fixed.clone())
            .unwrap_or_default()
    }

    /// How many of the configured providers have a key Switchyard can use (or need none),
    /// and how many there are: a first run has none, so a client's first request would fail.
    pub async fn providers_with_keys(&self) -> (usize, usize) {
        let config = self.state.config.load_full();
        let mut usable = 0;
        for provider in &config.providers {
            if self.state.keys.resolve(provider).await.is_ok() {
                usable += 1;
            }
        }
        (usable, config.providers.len())
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.state.listen
    }

    /// The base URL clients use, e.g. `http://127.0.0.1:4545/v1`.
    pub fn proxy_url(&self) -> String {
        format!("http://{}/v1", self.state.listen)
    }

    /// The dashboard's address with the admin token in the fragment (never sent to a server).
    pub fn dashboard_url(&self) -> String {
        format!(
            "http://{}/#token={}",
            self.state.listen,
            self.state.admin_token.expose()
        )
    }

    /// Stops the gateway: waits up to `grace` for requests in flight, ends the rest, and
    /// flushes every history row before returning.
    pub async fn shutdown(&self, grace: Duration) {
        self.stop_accepting.cancel();
        if !self.state.history.wait_idle(grace).await {
            tracing::warn!("requests still running after the grace period; ending them");
            self.state.abort.cancel();
            self.state.history.wait_idle(Duration::from_secs(3)).await;
        }
        let server = self.server.lock().ok().and_then(|mut s| s.take());
        if let Some(server) = server
            && tokio::time::timeout(Duration::from_secs(2), server)
                .await
                .is_err()
        {
            tracing::warn!("connections still open at shutdown were closed");
        }
        self.state.history.close().await;
        if let Some(path) = self.runtime_file.lock().ok().and_then(|mut p| p.take()) {
            let _ = std::fs::remove_file(path);
        }
        tracing::info!("switchyard stopped; history flushed");
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM (a logout, `kill`, a service manager): what every host
/// of the gateway waits for before [`Gateway::shutdown`].
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
