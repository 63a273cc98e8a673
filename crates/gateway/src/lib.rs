//! The Switchyard gateway: everything that runs behind `switchyard serve` and the desktop app.
//!
//! It owns the running proxy (routing, upstream calls, streaming, pricing), the history store,
//! provider keys, and the admin API the dashboard talks to. It knows nothing of Tauri or of the
//! command line: both start it through [`server::Gateway`].

pub mod admin;
pub mod budgets;
pub mod cache;
pub mod client_keys;
pub mod clients;
pub mod config;
pub mod connect;
pub mod connections;
pub mod dashboard;
pub mod error;
pub mod export;
pub mod history;
pub mod logging;
pub mod lru;
pub mod paths;
pub mod pricing;
pub mod private_files;
pub mod providers;
pub mod proxy;
pub mod reload;
pub mod retries;
pub mod routing;
pub mod secrets;
pub mod security;
pub mod server;
pub mod state;
pub mod telemetry;
pub mod upstream;

pub use server::Gateway;
