//! The TOML shape of the config file, and its validation into a [`Config`].
//!
//! Serde catches syntax errors, wrong types and unknown fields (with a line from the TOML
//! parser); the checks that relate fields to each other (duplicate ids, routes naming unknown
//! providers, bad URLs) run afterwards on values that kept their spans, so they can name a line
//! too. All problems are collected, not just the first, so `switchyard check` can list them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::model::{
    BudgetAction, Budgets, Config, ConfigError, LoadError, LoggingConfig, Price, Problem, Provider,
    Route, Strategy, StreamUsage, Timeouts,
};
use super::problems::{Validator, check_url, line_of};
use super::sections::{self, FileTimeouts};
use crate::providers::ProviderKind;

/// The default configuration written on first start: every setting, commented.
pub const DEFAULT_CONFIG: &str = include_str!("default.toml");

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    server: super::server::FileServer,
    #[serde(default)]
    logging: FileLogging,
    #[serde(default)]
    timeouts: FileTimeouts,
    #[serde(default)]
    providers: Vec<FileProvider>,
    #[serde(default)]
    routes: Vec<FileRoute>,
    #[serde(default)]
    prices: BTreeMap<Spanned<String>, Spanned<FilePrice>>,
    #[serde(default)]
    budgets: Option<FileBudgets>,
    #[serde(default)]
    cache: Option<Spanned<sections::FileCache>>,
    #[serde(default)]
    retries: Option<sections::FileRetries>,
    #[serde(default)]
    telemetry: Option<sections::FileTelemetry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLogging {
    #[serde(default = "yes")]
    store_bodies: bool,
    #[serde(default = "default_retention")]
    retention_days: u32,
    #[serde(default = "default_stored_body_kb")]
    max_stored_body_kb: u32,
    #[serde(default)]
    retention_max_mb: u32,
}

impl Default for FileLogging {
    fn default() -> Self {
        FileLogging {
            store_bodies: true,
            retention_days: default_retention(),
            max_stored_body_kb: default_stored_body_kb(),
            retention_max_mb: 0,
        }
    }
}

fn yes() -> bool {
    true
}
fn default_retention() -> u32 {
    30
}
fn default_stored_body_kb() -> u32 {
    256
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileProvider {
    id: Spanned<String>,
    kind: FileKind,
    base_url: Option<Spanned<String>>,
    key_env: Option<sections::FileKeyEnv>,
    #[serde(default)]
    models: Vec<String>,
    #[serde(default)]
    headers: BTreeMap<Spanned<String>, String>,
    #[serde(default)]
    stream_usage: Option<FileStreamUsage>,
    #[serde(default)]
    timeouts: Option<FileTimeouts>,
}

#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum FileKind {
    Openai,
    OpenaiCompatible,
    Anthropic,
    Gemini,
}

#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum FileStreamUsage {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRoute {
    alias: Spanned<String>,
    targets: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    strategy: Option<FileStrategy>,
    #[serde(default)]
    cache_ttl_secs: Option<Spanned<i64>>,
    #[serde(default)]
    timeouts: Option<Spanned<FileTimeouts>>,
}

#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum FileStrategy {
    Fallback,
    RoundRobin,
    Cheapest,
    Fastest,
}

#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
struct FilePrice {
    input: f64,
    output: f64,
    cached_input: Option<f64>,
    cache_write: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileBudgets {
    daily_usd: Option<f64>,
    monthly_usd: Option<f64>,
    #[serde(default)]
    action: Option<FileBudgetAction>,
}

#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum FileBudgetAction {
    Warn,
    Block,
}

/// Parses and validates a whole config file.
pub fn parse(text: &str) -> Result<Config, ConfigError> {
    let file: FileConfig = toml::from_str(text).map_err(|e| ConfigError {
        problems: vec![syntax_problem(text, &e)],
    })?;
    Validator {
        text,
        problems: Vec::new(),
    }
    .build(file)
}

fn syntax_problem(text: &str, e: &toml::de::Error) -> Problem {
    // The TOML error's Display repeats the source line with a caret; the message alone reads
    // better next to our own line number.
    let message = e.message().trim().to_owned();
    let field = message
        .split('`')
        .nth(1)
        .filter(|_| message.starts_with("unknown field") || message.starts_with("missing field"))
        .unwrap_or("(file)")
        .to_owned();
    Problem {
        line: e.span().map(|span| line_of(text, span.start)),
        field,
        message,
    }
}

impl Validator<'_> {
    fn build(mut self, file: FileConfig) -> Result<Config, ConfigError> {
        let server = self.server(&file.server);
        let logging = LoggingConfig {
            store_bodies: file.logging.store_bodies,
            retention_days: file.logging.retention_days,
            max_stored_body_bytes: file.logging.max_stored_body_kb as usize * 1024,
            retention_max_mb: file.logging.retention_max_mb,
        };
        let defaults = self.timeouts(Timeouts::default(), file.timeouts, "timeouts");
        let total_timeout = self.seconds(file.timeouts.total_secs, "timeouts.total_secs", None);
        let providers = self.providers(&file.providers, defaults);
        let routes = self.routes(&file.routes, &providers);
        let prices = self.prices(&file.prices);
        let budgets = file.budgets.as_ref().map(|b| self.budgets(b));
        let cache = self.cache(file.cache.as_ref());
        let retries = self.retries(file.retries.as_ref());
        let telemetry = file.telemetry.as_ref().and_then(|t| self.telemetry(t));

        if !self.problems.is_empty() {
            return Err(ConfigError {
                problems: self.problems,
            });
        }
        let mut config = Config {
            server,
            logging,
            providers: providers.into_iter().map(Arc::new).collect(),
            routes,
            prices,
            budgets,
            cache,
            retries,
            total_timeout,
            telemetry,
            imported_prices: None,
            bare_models: HashMap::new(),
            ambiguous_models: HashMap::new(),
        };
        config.index_models();
        Ok(config)
    }

    fn timeouts(&mut self, base: Timeouts, file: FileTimeouts, field: &str) -> Timeouts {
        let connect = self.seconds(file.connect_secs, &format!("{field}.connect_secs"), None);
        let first_byte = self.seconds(
            file.first_byte_secs,
            &format!("{field}.first_byte_secs"),
            None,
        );
        let idle = self.seconds(file.idle_secs, &format!("{field}.idle_secs"), None);
        Timeouts {
            connect: connect.unwrap_or(base.connect),
            first_byte: first_byte.unwrap_or(base.first_byte),
            idle: idle.unwrap_or(base.idle),
        }
    }

    /// A number of seconds in (0, 86400], or a problem on `field` (and `None`).
    pub(super) fn seconds(
        &mut self,
        value: Option<f64>,
        field: &str,
        span: Option<std::ops::Range<usize>>,
    ) -> Option<Duration> {
        match value {
            None => None,
            Some(s) if s > 0.0 && s.is_finite() && s <= 86_400.0 => {
                Some(Duration::from_secs_f64(s))
            }
            Some(s) => {
                self.problem(
                    span,
                    field.to_owned(),
                    format!("{s} is not a number of seconds between 0 and 86400"),
                );
                None
            }
        }
    }

    fn providers(&mut self, file: &[FileProvider], defaults: Timeouts) -> Vec<Provider> {
        let mut seen = HashSet::new();
        let mut out = Vec::with_capacity(file.len());
        for (i, p) in file.iter().enumerate() {
            let field = |name: &str| format!("providers[{i}].{name}");
            let id = p.id.get_ref().clone();
            if !valid_id(&id) {
                self.problem(
                    Some(p.id.span()),
                    field("id"),
                    format!("'{id}' must be non-empty letters, digits, '-', '_' or '.' (no '/' or spaces)"),
                );
            } else if !seen.insert(id.clone()) {
                self.problem(
                    Some(p.id.span()),
                    field("id"),
                    format!("duplicate provider id '{id}'"),
                );
            }
            let kind = match p.kind {
                FileKind::Openai => ProviderKind::OpenAi,
                FileKind::OpenaiCompatible => ProviderKind::OpenAiCompatible,
                FileKind::Anthropic => ProviderKind::Anthropic,
                FileKind::Gemini => ProviderKind::Gemini,
            };
            let base_url = match (&p.base_url, kind.default_base_url()) {
                (Some(url), _) => {
                    let text = url.get_ref().trim_end_matches('/').to_owned();
                    if let Err(why) = check_url(&text) {
                        self.problem(Some(url.span()), field("base_url"), why);
                    }
                    text
                }
                (None, Some(default)) => default.to_owned(),
                (None, None) => {
                    self.problem(
                        Some(p.id.span()),
                        field("base_url"),
                        format!("a provider of kind '{}' needs a base_url, e.g. \"http://127.0.0.1:11434/v1\"", kind.as_str()),
                    );
                    String::new()
                }
            };
            let headers = self.headers(&p.headers, &field("headers"));
            let timeouts = match p.timeouts {
                Some(t) => {
                    if t.total_secs.is_some() {
                        self.problem(
                            Some(p.id.span()),
                            field("timeouts.total_secs"),
                            "a whole request's limit belongs in [timeouts] or a route's timeouts, not a provider's".into(),
                        );
                    }
                    self.timeouts(defaults, t, &field("timeouts"))
                }
                None => defaults,
            };
            out.push(Provider {
                id,
                kind,
                base_url,
                key_env: p
                    .key_env
                    .as_ref()
                    .map(sections::FileKeyEnv::names)
                    .unwrap_or_default(),
                models: p.models.clone(),
                headers,
                stream_usage: match p.stream_usage {
                    None | Some(FileStreamUsage::Auto) => StreamUsage::Auto,
                    Some(FileStreamUsage::Always) => StreamUsage::Always,
                    Some(FileStreamUsage::Never) => StreamUsage::Never,
                },
                timeouts,
            });
        }
        out
    }

    fn routes(&mut self, file: &[FileRoute], providers: &[Provider]) -> Vec<Route> {
        let mut seen = HashSet::new();
        let mut out = Vec::with_capacity(file.len());
        for (i, r) in file.iter().enumerate() {
            let alias = r.alias.get_ref().clone();
            if alias.trim().is_empty() {
                self.problem(
                    Some(r.alias.span()),
                    format!("routes[{i}].alias"),
                    "must not be empty".into(),
                );
            } else if !seen.insert(alias.clone()) {
                self.problem(
                    Some(r.alias.span()),
                    format!("routes[{i}].alias"),
                    format!("duplicate route alias '{alias}'"),
                );
            } else if providers
                .iter()
                .any(|p| alias.starts_with(&format!("{}/", p.id)))
            {
                self.problem(
                    Some(r.alias.span()),
                    format!("routes[{i}].alias"),
                    format!("'{alias}' would hide the provider-qualified model of the same name"),
                );
            }
            if r.targets.get_ref().is_empty() {
                self.problem(
                    Some(r.targets.span()),
                    format!("routes[{i}].targets"),
                    "a route needs at least one target".into(),
                );
            }
            let mut targets = Vec::new();
            for (j, target) in r.targets.get_ref().iter().enumerate() {
                let text = target.get_ref();
                let resolved = text.split_once('/').and_then(|(id, model)| {
                    let index = providers.iter().position(|p| p.id == id)?;
                    (!model.is_empty()).then(|| (index, model.to_owned()))
                });
                match resolved {
                    Some(t) => targets.push(t),
                    None => {
                        let known: Vec<&str> = providers.iter().map(|p| p.id.as_str()).collect();
                        self.problem(
                            Some(target.span()),
                            format!("routes[{i}].targets[{j}]"),
                            format!(
                                "'{text}' must be \"provider/model\" with a configured provider (known: {})",
                                if known.is_empty() { "none".to_owned() } else { known.join(", ") }
                            ),
                        );
                    }
                }
            }
            let cache_ttl = r
                .cache_ttl_secs
                .as_ref()
                .and_then(|ttl| self.cache_ttl(ttl, &format!("routes[{i}].cache_ttl_secs")));
            let timeouts = r
                .timeouts
                .as_ref()
                .map(|t| self.route_timeouts(t, &format!("routes[{i}].timeouts")))
                .unwrap_or_default();
            out.push(Route {
                alias,
                targets,
                cache_ttl,
                timeouts,
                strategy: match r.strategy {
                    None | Some(FileStrategy::Fallback) => Strategy::Fallback,
                    Some(FileStrategy::RoundRobin) => Strategy::RoundRobin,
                    Some(FileStrategy::Cheapest) => Strategy::Cheapest,
                    Some(FileStrategy::Fastest) => Strategy::Fastest,
                },
            });
        }
        out
    }

    fn prices(
        &mut self,
        file: &BTreeMap<Spanned<String>, Spanned<FilePrice>>,
    ) -> HashMap<String, Price> {
        let mut out = HashMap::with_capacity(file.len());
        for (key, price) in file {
            let p = *price.get_ref();
            let values = [Some(p.input), Some(p.output), p.cached_input, p.cache_write];
            if values.iter().flatten().any(|v| !v.is_finite() || *v < 0.0) {
                self.problem(
                    Some(price.span()),
                    format!("prices.\"{}\"", key.get_ref()),
                    "prices must be non-negative numbers (USD per million tokens)".into(),
                );
            }
            out.insert(
                key.get_ref().clone(),
                Price {
                    input: p.input,
                    output: p.output,
                    cached_input: p.cached_input,
                    cache_write: p.cache_write,
                },
            );
        }
        out
    }

    fn budgets(&mut self, b: &FileBudgets) -> Budgets {
        for (name, value) in [("daily_usd", b.daily_usd), ("monthly_usd", b.monthly_usd)] {
            if value.is_some_and(|v| !v.is_finite() || v <= 0.0) {
                self.problem(
                    None,
                    format!("budgets.{name}"),
                    "must be a positive amount in USD".into(),
                );
            }
        }
        Budgets {
            daily_usd: b.daily_usd,
            monthly_usd: b.monthly_usd,
            action: match b.action {
                None | Some(FileBudgetAction::Warn) => BudgetAction::Warn,
                Some(FileBudgetAction::Block) => BudgetAction::Block,
            },
        }
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Reads and validates the config at `path`, first writing the commented default there if the
/// file does not exist yet.
pub fn load_or_create(path: &Path) -> Result<Config, LoadError> {
    let io_err = |source| LoadError::Io {
        path: path.display().to_string(),
        source,
    };
    if !path.exists() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_err)?;
        }
        // Private from the start: the file may come to hold telemetry headers.
        crate::private_files::write_private(path, DEFAULT_CONFIG.as_bytes()).map_err(io_err)?;
        tracing::info!(path = %path.display(), "wrote the default configuration");
    }
    let text = std::fs::read_to_string(path).map_err(io_err)?;
    parse(&text).map_err(|source| LoadError::Invalid {
        path: path.display().to_string(),
        source,
    })
}
