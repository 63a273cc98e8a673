//! The Switchyard gateway: everything that runs behind `switchyard serve` and the desktop app.
//!
//! It owns the running proxy (routing, upstream calls, streaming, pricing), the history store,
//! provider keys, and the admin API the dashboard talks to. It knows nothing of Tauri or of the
//! command line: both start it through [`server::Gateway`].

pub mod clients;
pub mod config;
pub mod history;
pub mod paths;
pub mod pricing;
pub mod secrets;
