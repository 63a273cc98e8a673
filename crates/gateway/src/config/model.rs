//! The validated, ready-to-route shape of the configuration that the proxy works from.
//!
//! Its own module, below the parsers in [`super::file`] and its siblings, so that they build
//! it without the parent importing them back.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::providers::ProviderKind;

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub server: ServerConfig,
    pub logging: LoggingConfig,
    pub providers: Vec<Arc<Provider>>,
    pub routes: Vec<Route>,
    /// Price overrides keyed by `provider/model` (or a bare model name).
    pub prices: HashMap<String, Price>,
    pub budgets: Option<Budgets>,
    pub cache: CacheConfig,
    pub retries: RetryConfig,
    /// `[timeouts] total_secs`: the longest a whole request may take (a route may override).
    pub total_timeout: Option<Duration>,
    /// `[telemetry]` with an `otlp_endpoint`: export one span per request (off when `None`).
    pub telemetry: Option<TelemetryConfig>,
    /// Prices imported with `switchyard prices import` (not part of the file: attached from
    /// the data dir at start and on reload, so that a request's snapshot holds its prices).
    pub imported_prices: Option<Arc<crate::pricing::rates::ImportedPrices>>,
    /// Bare model name → index into `providers`, for names listed by exactly one provider.
    pub(super) bare_models: HashMap<String, usize>,
    /// Bare model names listed by more than one provider: ambiguous, so never resolved.
    pub(super) ambiguous_models: HashMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub require_client_key: bool,
    /// Serve beyond loopback without client keys: anyone who reaches the port spends the
    /// provider keys. Only ever set on purpose (a trusted network, a gateway behind auth).
    pub allow_open_proxy: bool,
    /// `Host` names served besides the loopback names: lowercase, `name` (any port) or
    /// `name:port`.
    pub allowed_hosts: Vec<String>,
    /// Browser origins trusted besides the gateway's own: lowercase `scheme://host[:port]`.
    pub allowed_origins: Vec<String>,
    pub max_body_bytes: usize,
    /// The largest whole answer read from a provider.
    pub max_answer_bytes: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoggingConfig {
    pub store_bodies: bool,
    pub retention_days: u32,
    pub max_stored_body_bytes: usize,
    /// The most the history database may hold, in MiB (0: no limit): beyond, the oldest
    /// requests are deleted.
    pub retention_max_mb: u32,
}

impl LoggingConfig {
    pub fn retention(&self) -> crate::history::Retention {
        crate::history::Retention {
            days: self.retention_days,
            max_mb: self.retention_max_mb,
        }
    }
}

/// `[telemetry]`: where to export one OTLP span per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemetryConfig {
    /// Base URL of an OTLP/HTTP receiver (`http://127.0.0.1:4318`); `/v1/traces` is added
    /// unless the URL already ends with it.
    pub otlp_endpoint: String,
    pub service_name: String,
    /// Extra request headers for the collector (e.g. a vendor's API key).
    pub headers: Vec<(String, String)>,
}

impl TelemetryConfig {
    pub fn traces_url(&self) -> String {
        let base = self.otlp_endpoint.trim_end_matches('/');
        if base.ends_with("/v1/traces") {
            base.to_owned()
        } else {
            format!("{base}/v1/traces")
        }
    }
}

/// Whether to ask an OpenAI-format upstream for usage on streams (`stream_options`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamUsage {
    /// Ask, and if the upstream rejects `stream_options`, retry without it and remember.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    pub id: String,
    pub kind: ProviderKind,
    /// Without a trailing slash.
    pub base_url: String,
    /// Environment variables holding keys, used after the keychain's (`key_env` in the file
    /// takes one name or a list).
    pub key_env: Vec<String>,
    pub models: Vec<String>,
    pub headers: Vec<(String, String)>,
    pub stream_usage: StreamUsage,
    pub timeouts: Timeouts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub first_byte: Duration,
    pub idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            // Non-streamed answers of reasoning models can take minutes to start.
            first_byte: Duration::from_secs(600),
            // Codex CLI gives up after 300 s of silence; match it.
            idle: Duration::from_secs(300),
        }
    }
}

/// How long a stream may run when no `total_secs` bounds it: an hour, far beyond any real
/// answer, so that only a provider streaming without end is cut.
pub const DEFAULT_STREAM_TOTAL: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    Fallback,
    RoundRobin,
    Cheapest,
    Fastest,
}

impl Strategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Fallback => "fallback",
            Strategy::RoundRobin => "round-robin",
            Strategy::Cheapest => "cheapest",
            Strategy::Fastest => "fastest",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub alias: String,
    /// `(provider index, upstream model)`, in the configured order.
    pub targets: Vec<(usize, String)>,
    pub strategy: Strategy,
    /// Cache answers for this long when the client sends no `x-switchyard-cache-ttl`.
    pub cache_ttl: Option<Duration>,
    /// Overrides of its targets' provider timeouts, and a whole-request limit.
    pub timeouts: RouteTimeouts,
}

/// A route's `timeouts = { … }`: each value set replaces the provider's for requests on the
/// route; `total` bounds the whole request (retries, fallbacks and streaming included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RouteTimeouts {
    pub connect: Option<Duration>,
    pub first_byte: Option<Duration>,
    pub idle: Option<Duration>,
    pub total: Option<Duration>,
}

impl RouteTimeouts {
    /// The provider's timeouts with this route's overrides applied.
    pub fn apply(&self, base: Timeouts) -> Timeouts {
        Timeouts {
            connect: self.connect.unwrap_or(base.connect),
            first_byte: self.first_byte.unwrap_or(base.first_byte),
            idle: self.idle.unwrap_or(base.idle),
        }
    }
}

/// `[retries]`: how often a failing target is tried again before the next one, and when a
/// target that keeps failing is set aside (see [`crate::retries`] and [`crate::routing`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryConfig {
    /// Extra tries of the same target after a retryable failure (0: fall back at once).
    pub max_retries: u32,
    /// The first backoff step; each next one doubles, and the wait is drawn in [0, step].
    pub base_delay: Duration,
    /// The longest single wait, a provider's `retry-after` included: a provider asking for
    /// longer is not waited for (the next target is tried instead).
    pub max_delay: Duration,
    /// All waiting for one request together stays within this.
    pub budget: Duration,
    /// Consecutive failures after which a target is cooled down (0: never).
    pub cooldown_after: u32,
    /// The first cool-down; it doubles each time the target fails again, up to `max_cooldown`.
    pub cooldown: Duration,
    pub max_cooldown: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_retries: 0,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            budget: Duration::from_secs(30),
            cooldown_after: 3,
            cooldown: Duration::from_secs(30),
            max_cooldown: Duration::from_secs(600),
        }
    }
}

/// `[cache]`: the exact-match response cache (see [`crate::cache`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheConfig {
    /// Memory the cached answers may use, in bytes. Read at start: a change waits for a restart.
    pub max_bytes: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            max_bytes: 64 * 1024 * 1024,
        }
    }
}

/// USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    pub input: f64,
    pub output: f64,
    pub cached_input: Option<f64>,
    pub cache_write: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetAction {
    Warn,
    Block,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Budgets {
    pub daily_usd: Option<f64>,
    pub monthly_usd: Option<f64>,
    pub action: BudgetAction,
}

/// One thing wrong with a config file, located as precisely as the file allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<usize>,
    /// Dotted path of the offending field, e.g. `providers[1].base_url`.
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}: {}", self.field, self.message),
            None => write!(f, "{}: {}", self.field, self.message),
        }
    }
}

/// Every problem found in a config file (never empty).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub problems: Vec<Problem>,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// Why a config could not be loaded from disk.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Invalid { path: String, source: ConfigError },
}

/// How a model name a client sent maps onto providers (in this order).
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution<'a> {
    Route(&'a Route),
    /// A single `(provider index, upstream model)` target.
    Direct(usize, String),
}

impl Config {
    pub fn provider(&self, id: &str) -> Option<&Arc<Provider>> {
        self.providers.iter().find(|p| p.id == id)
    }

    /// Resolves a client's model name: route alias, then `provider/model`, then a bare name
    /// listed by exactly one provider.
    pub fn resolve(&self, model: &str) -> Result<Resolution<'_>, ResolveError> {
        if let Some(route) = self.routes.iter().find(|r| r.alias == model) {
            return Ok(Resolution::Route(route));
        }
        if let Some((prefix, rest)) = model.split_once('/')
            && let Some(index) = self.providers.iter().position(|p| p.id == prefix)
        {
            return Ok(Resolution::Direct(index, rest.to_owned()));
        }
        if let Some(&index) = self.bare_models.get(model) {
            return Ok(Resolution::Direct(index, model.to_owned()));
        }
        if let Some(ids) = self.ambiguous_models.get(model) {
            return Err(ResolveError::Ambiguous(ids.clone()));
        }
        Err(ResolveError::Unknown)
    }

    /// The price override for a target, by `provider/model` then bare model.
    pub fn price_override(&self, provider: &str, model: &str) -> Option<Price> {
        self.prices
            .get(&format!("{provider}/{model}"))
            .or_else(|| self.prices.get(model))
            .copied()
    }

    /// Every model name a client can send: aliases first, then `provider/model` for each listed
    /// model, in config order.
    pub fn listed_models(&self) -> Vec<ListedModel> {
        let mut out: Vec<ListedModel> = self
            .routes
            .iter()
            .map(|r| ListedModel {
                id: r.alias.clone(),
                owned_by: "switchyard".to_owned(),
            })
            .collect();
        for provider in &self.providers {
            for model in &provider.models {
                out.push(ListedModel {
                    id: format!("{}/{}", provider.id, model),
                    owned_by: provider.id.clone(),
                });
                if self.bare_models.contains_key(model) {
                    out.push(ListedModel {
                        id: model.clone(),
                        owned_by: provider.id.clone(),
                    });
                }
            }
        }
        out
    }

    pub(super) fn index_models(&mut self) {
        let mut owners: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (index, provider) in self.providers.iter().enumerate() {
            for model in &provider.models {
                owners.entry(model).or_default().push(index);
            }
        }
        for (model, indexes) in owners {
            if let [only] = indexes[..] {
                self.bare_models.insert(model.to_owned(), only);
            } else {
                let ids = indexes
                    .iter()
                    .map(|&i| self.providers[i].id.clone())
                    .collect();
                self.ambiguous_models.insert(model.to_owned(), ids);
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListedModel {
    pub id: String,
    pub owned_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    Unknown,
    /// Listed by several providers: the client must say `provider/model`.
    Ambiguous(Vec<String>),
}
