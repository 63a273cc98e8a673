//! The gateway inside the app: started exactly as `switchyard serve` starts it (same
//! [`Locations`], same OS keychain), and stopped so that the history is flushed.
//!
//! A start that fails is not fatal here: the app keeps its tray, in the error look, and says
//! why (a port in use has its own state because it has its own way out). Nothing of the proxy
//! lives in this crate; this module only holds the running [`Gateway`].

use std::sync::{Arc, Mutex};

use switchyard_gateway::Gateway;
use switchyard_gateway::paths::Locations;
use switchyard_gateway::secrets::{KeyStore, OsKeychain};
use switchyard_gateway::server::StartError;

use crate::tray_model::TrayState;

/// The running gateway, if any, shared by the tray, the window and the shutdown path.
#[derive(Debug)]
pub struct Host {
    pub locations: Locations,
    gateway: Mutex<Option<Arc<Gateway>>>,
    /// Held for the length of a start: a second start (Try again, a second launch) waits for
    /// the first and finds its gateway, instead of racing it for the port.
    starting: tokio::sync::Mutex<()>,
}

/// How a start went, for the tray and the notifications.
#[derive(Debug)]
pub enum Started {
    Running(Arc<Gateway>),
    /// The tray's error state (port in use, or another failure), already worded.
    NotRunning(TrayState),
}

impl Host {
    pub fn new(locations: Locations) -> Host {
        Host {
            locations,
            gateway: Mutex::new(None),
            starting: tokio::sync::Mutex::new(()),
        }
    }

    pub fn gateway(&self) -> Option<Arc<Gateway>> {
        self.lock().clone()
    }

    /// Starts the gateway unless it already runs (or another start is under way, which this
    /// one then waits for).
    pub async fn start(&self) -> Started {
        let _one_at_a_time = self.starting.lock().await;
        if let Some(gateway) = self.gateway() {
            return Started::Running(gateway);
        }
        let keychain = match OsKeychain::platform() {
            Ok(keychain) => Some(Arc::new(keychain) as Arc<dyn KeyStore>),
            Err(e) => {
                tracing::warn!("{e}");
                None
            }
        };
        match Gateway::start(&self.locations, keychain).await {
            Ok(gateway) => {
                let gateway = Arc::new(gateway);
                *self.lock() = Some(gateway.clone());
                tracing::info!(proxy = %gateway.proxy_url(), "Switchyard is running in the tray");
                Started::Running(gateway)
            }
            Err(e) if e.is_port_in_use() => {
                let listen = match &e {
                    StartError::Bind { addr, .. } => *addr,
                    _ => self
                        .locations
                        .listen
                        .unwrap_or_else(switchyard_gateway::paths::default_listen),
                };
                tracing::error!("{e}: another program (or another Switchyard) holds the port");
                Started::NotRunning(TrayState::PortInUse {
                    listen,
                    config_path: self.locations.config_path.clone(),
                })
            }
            Err(e) => {
                tracing::error!("Switchyard could not start: {e}");
                Started::NotRunning(TrayState::Failed {
                    message: e.to_string(),
                })
            }
        }
    }

    /// Stops the gateway: requests in flight get the usual grace, then the history is
    /// flushed. Safe to call when nothing runs, and more than once.
    pub async fn stop(&self) {
        // A start under way finishes first, so that the gateway it brings up is stopped too.
        let _after_any_start = self.starting.lock().await;
        let gateway = self.lock().take();
        if let Some(gateway) = gateway {
            gateway
                .shutdown(switchyard_gateway::server::DEFAULT_GRACE)
                .await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Arc<Gateway>>> {
        self.gateway.lock().unwrap_or_else(|e| e.into_inner())
    }
}
