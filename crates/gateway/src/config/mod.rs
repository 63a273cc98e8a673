//! The configuration file: its runtime shape, loading, validation and defaults.
//!
//! [`file`] holds the TOML shape with source spans, so every problem can name its line;
//! this module holds the validated, ready-to-route shape the proxy works from. A [`Config`] is
//! immutable: a reload builds a new one and swaps it in whole (see [`crate::reload`]), so a
//! request sees one consistent configuration from start to end.

pub mod edit;
mod file;
mod model;
mod problems;
mod sections;
mod server;

pub use crate::providers::ProviderKind;
pub use file::{DEFAULT_CONFIG, load_or_create, parse};
pub use model::{
    BudgetAction, Budgets, CacheConfig, Config, ConfigError, DEFAULT_STREAM_TOTAL, ListedModel,
    LoadError, LoggingConfig, Price, Problem, Provider, Resolution, ResolveError, RetryConfig,
    Route, RouteTimeouts, ServerConfig, Strategy, StreamUsage, TelemetryConfig, Timeouts,
};
pub use sections::MAX_CACHE_TTL_SECS;

#[cfg(test)]
mod tests;
