//! The config sections that tune routing rather than describe providers: `[cache]`, the
//! per-route `cache_ttl_secs` and `timeouts`, `[retries]`, `[telemetry]`, a provider's
//! `key_env` list, and `[server]`'s allow-lists of hosts and origins. Kept apart from [`super::file`] so that file stays about
//! providers, routes and prices; the same [`Validator`] names the line of every problem.

use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::model::{CacheConfig, RetryConfig, RouteTimeouts, TelemetryConfig};
use super::problems::{Validator, check_url};

/// Longest time an answer may be cached: a week. Longer is almost surely a typo.
pub const MAX_CACHE_TTL_SECS: i64 = 7 * 86_400;

#[derive(Debug, Deserialize, Default, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub(super) struct FileTimeouts {
    pub(super) connect_secs: Option<f64>,
    pub(super) first_byte_secs: Option<f64>,
    pub(super) idle_secs: Option<f64>,
    /// Only in `[timeouts]` and a route's `timeouts`: a whole request's limit.
    pub(super) total_secs: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileCache {
    #[serde(default)]
    max_mb: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileTelemetry {
    otlp_endpoint: Option<Spanned<String>>,
    service_name: Option<String>,
    #[serde(default)]
    headers: std::collections::BTreeMap<Spanned<String>, String>,
}

/// `key_env = "VAR"` or `key_env = ["VAR1", "VAR2"]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum FileKeyEnv {
    One(String),
    Many(Vec<String>),
}

impl FileKeyEnv {
    /// The non-empty names, in order.
    pub(super) fn names(&self) -> Vec<String> {
        let names = match self {
            FileKeyEnv::One(name) => std::slice::from_ref(name),
            FileKeyEnv::Many(names) => names.as_slice(),
        };
        names
            .iter()
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileRetries {
    max_retries: Option<Spanned<i64>>,
    base_delay_ms: Option<Spanned<f64>>,
    max_delay_secs: Option<Spanned<f64>>,
    budget_secs: Option<Spanned<f64>>,
    cooldown_after: Option<Spanned<i64>>,
    cooldown_secs: Option<Spanned<f64>>,
    max_cooldown_secs: Option<Spanned<f64>>,
}

/// An `allowed_hosts` entry as the `Host` check compares it: `name` or `name:port`, lowercase.
pub(super) fn allowed_host(entry: &str) -> Result<String, String> {
    let entry = entry.trim();
    let refused = || {
        format!(
            "'{entry}' is not a host name with an optional port, e.g. \"gw.lan\" or \"gw.lan:4545\""
        )
    };
    let authority: axum::http::uri::Authority = entry.parse().map_err(|_| refused())?;
    // `gw.lan:99999` parses, without a port: anything after the host must be a valid one.
    let after_host = authority.as_str().len() > authority.host().len();
    let bad_port = after_host && authority.port_u16().is_none();
    if entry.is_empty() || entry.contains('@') || authority.host().is_empty() || bad_port {
        return Err(refused());
    }
    let host = authority.host().trim_end_matches('.').to_ascii_lowercase();
    Ok(match authority.port_u16() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// An `allowed_origins` entry as the `Origin` check compares it: `scheme://host[:port]`,
/// lowercase, without a path.
pub(super) fn allowed_origin(entry: &str) -> Result<String, String> {
    let origin = entry.trim().trim_end_matches('/').to_ascii_lowercase();
    let valid = origin.parse::<axum::http::Uri>().is_ok_and(|uri| {
        uri.scheme().is_some()
            && uri.authority().is_some_and(|a| !a.as_str().contains('@'))
            && uri
                .path_and_query()
                .is_none_or(|p| p.as_str() == "/" || p.as_str().is_empty())
    });
    if valid {
        Ok(origin)
    } else {
        Err(format!(
            "'{entry}' is not an origin, e.g. \"http://localhost:5173\" (scheme, host and port only)"
        ))
    }
}

impl Validator<'_> {
    /// A list of entries each checked by `check`; each refused one is a problem on its line.
    pub(super) fn entries(
        &mut self,
        list: &[Spanned<String>],
        field: &str,
        check: fn(&str) -> Result<String, String>,
    ) -> Vec<String> {
        let mut out = Vec::with_capacity(list.len());
        for entry in list {
            match check(entry.get_ref()) {
                Ok(entry) => out.push(entry),
                Err(why) => self.problem(Some(entry.span()), field.to_owned(), why),
            }
        }
        out
    }

    /// Extra HTTP headers (a provider's, the OTLP exporter's): each name and value must be
    /// sendable as they are, or the problem names the header's line.
    pub(super) fn headers(
        &mut self,
        map: &std::collections::BTreeMap<Spanned<String>, String>,
        field: &str,
    ) -> Vec<(String, String)> {
        let mut headers = Vec::with_capacity(map.len());
        for (name, value) in map {
            let valid = axum::http::HeaderName::from_bytes(name.get_ref().as_bytes()).is_ok()
                && axum::http::HeaderValue::from_str(value).is_ok();
            if valid {
                headers.push((name.get_ref().clone(), value.clone()));
            } else {
                self.problem(
                    Some(name.span()),
                    field.to_owned(),
                    format!("'{}' is not a valid HTTP header", name.get_ref()),
                );
            }
        }
        headers
    }

    pub(super) fn retries(&mut self, file: Option<&FileRetries>) -> RetryConfig {
        let mut config = RetryConfig::default();
        let Some(file) = file else {
            return config;
        };
        if let Some(n) = self.count(file.max_retries.as_ref(), "retries.max_retries", 10) {
            config.max_retries = n;
        }
        if let Some(n) = self.count(file.cooldown_after.as_ref(), "retries.cooldown_after", 1000) {
            config.cooldown_after = n;
        }
        let mut secs = |value: Option<&Spanned<f64>>, name: &str, scale: f64, max: f64| {
            let value = value?;
            let v = *value.get_ref();
            if v.is_finite() && v >= 0.0 && v <= max {
                Some(Duration::from_secs_f64(v * scale))
            } else {
                self.problem(
                    Some(value.span()),
                    format!("retries.{name}"),
                    format!("{v} is not a number between 0 and {max}"),
                );
                None
            }
        };
        if let Some(d) = secs(
            file.base_delay_ms.as_ref(),
            "base_delay_ms",
            0.001,
            60_000.0,
        ) {
            config.base_delay = d;
        }
        if let Some(d) = secs(file.max_delay_secs.as_ref(), "max_delay_secs", 1.0, 600.0) {
            config.max_delay = d;
        }
        if let Some(d) = secs(file.budget_secs.as_ref(), "budget_secs", 1.0, 3600.0) {
            config.budget = d;
        }
        if let Some(d) = secs(file.cooldown_secs.as_ref(), "cooldown_secs", 1.0, 86_400.0) {
            config.cooldown = d;
        }
        if let Some(d) = secs(
            file.max_cooldown_secs.as_ref(),
            "max_cooldown_secs",
            1.0,
            86_400.0,
        ) {
            config.max_cooldown = d;
        }
        config.max_cooldown = config.max_cooldown.max(config.cooldown);
        config
    }

    fn count(&mut self, value: Option<&Spanned<i64>>, field: &str, max: i64) -> Option<u32> {
        let value = value?;
        match u32::try_from(*value.get_ref()) {
            Ok(n) if i64::from(n) <= max => Some(n),
            _ => {
                self.problem(
                    Some(value.span()),
                    field.to_owned(),
                    format!(
                        "{} is not a whole number between 0 and {max}",
                        value.get_ref()
                    ),
                );
                None
            }
        }
    }

    pub(super) fn cache(&mut self, file: Option<&Spanned<FileCache>>) -> CacheConfig {
        let mut config = CacheConfig::default();
        if let Some(max_mb) = file.and_then(|f| f.get_ref().max_mb.as_ref()) {
            match *max_mb.get_ref() {
                mb @ 1..=65_536 => config.max_bytes = mb as u64 * 1024 * 1024,
                mb => self.problem(
                    Some(max_mb.span()),
                    "cache.max_mb".into(),
                    format!("{mb} is not a size between 1 and 65536 MB"),
                ),
            }
        }
        config
    }

    /// `[telemetry]`: export is on only with an `otlp_endpoint`.
    pub(super) fn telemetry(&mut self, file: &FileTelemetry) -> Option<TelemetryConfig> {
        let endpoint = file.otlp_endpoint.as_ref()?;
        let url = endpoint.get_ref().trim().to_owned();
        if let Err(why) = check_url(&url) {
            self.problem(Some(endpoint.span()), "telemetry.otlp_endpoint".into(), why);
        }
        let headers = self.headers(&file.headers, "telemetry.headers");
        Some(TelemetryConfig {
            otlp_endpoint: url,
            service_name: file
                .service_name
                .clone()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| "switchyard".to_owned()),
            headers,
        })
    }

    /// A route's `timeouts = { … }`: each one set overrides its targets' providers' value.
    pub(super) fn route_timeouts(
        &mut self,
        file: &Spanned<FileTimeouts>,
        field: &str,
    ) -> RouteTimeouts {
        let span = Some(file.span());
        let t = file.get_ref();
        let mut secs = |value: Option<f64>, name: &str| {
            self.seconds(value, &format!("{field}.{name}"), span.clone())
        };
        RouteTimeouts {
            connect: secs(t.connect_secs, "connect_secs"),
            first_byte: secs(t.first_byte_secs, "first_byte_secs"),
            idle: secs(t.idle_secs, "idle_secs"),
            total: secs(t.total_secs, "total_secs"),
        }
    }

    /// A route's `cache_ttl_secs`: 0 means no caching by default.
    pub(super) fn cache_ttl(&mut self, ttl: &Spanned<i64>, field: &str) -> Option<Duration> {
        match *ttl.get_ref() {
            0 => None,
            secs @ 1..=MAX_CACHE_TTL_SECS => Some(Duration::from_secs(secs as u64)),
            secs => {
                self.problem(
                    Some(ttl.span()),
                    field.to_owned(),
                    format!("{secs} is not a number of seconds between 0 and {MAX_CACHE_TTL_SECS}"),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use std::time::Duration;

    const PROVIDER: &str = "[[providers]]\nid = \"p\"\nkind = \"openai\"\n";

    #[test]
    fn the_cache_defaults_to_64_mb_and_takes_its_size_from_the_file() {
        assert_eq!(parse("").unwrap().cache.max_bytes, 64 * 1024 * 1024);
        let config = parse("[cache]\nmax_mb = 8\n").unwrap();
        assert_eq!(config.cache.max_bytes, 8 * 1024 * 1024);
    }

    #[test]
    fn retries_are_off_by_default_and_read_from_the_file() {
        let config = parse("").unwrap();
        assert_eq!(
            config.retries.max_retries, 0,
            "fall back at once unless asked"
        );
        assert_eq!(config.retries.cooldown_after, 3);
        let config =
            parse("[retries]\nmax_retries = 2\nbase_delay_ms = 50\ncooldown_secs = 5\n").unwrap();
        assert_eq!(config.retries.max_retries, 2);
        assert_eq!(config.retries.base_delay, Duration::from_millis(50));
        assert_eq!(config.retries.cooldown, Duration::from_secs(5));
    }

    #[test]
    fn a_negative_retry_count_is_refused_on_its_line() {
        let problems = parse("[retries]\n\nmax_retries = -1\n")
            .unwrap_err()
            .problems;
        assert_eq!(problems[0].field, "retries.max_retries");
        assert_eq!(problems[0].line, Some(3), "{problems:?}");
    }

    #[test]
    fn key_env_takes_one_name_or_a_list() {
        let one = parse(&format!("{PROVIDER}key_env = \"A\"\n")).unwrap();
        assert_eq!(one.providers[0].key_env, ["A"]);
        let many = parse(&format!("{PROVIDER}key_env = [\"A\", \"B\"]\n")).unwrap();
        assert_eq!(many.providers[0].key_env, ["A", "B"]);
        let wrong = parse(&format!("{PROVIDER}key_env = 3\n")).unwrap_err();
        assert_eq!(wrong.problems[0].line, Some(4), "{wrong:?}");
    }

    #[test]
    fn a_routes_timeouts_override_only_what_they_name_and_bad_ones_name_their_line() {
        let text = format!(
            "{PROVIDER}[[routes]]\nalias = \"r\"\ntargets = [\"p/m\"]\ntimeouts = {{ first_byte_secs = 5, total_secs = 30 }}\n"
        );
        let config = parse(&text).unwrap();
        let t = config.routes[0].timeouts;
        assert_eq!(t.first_byte, Some(Duration::from_secs(5)));
        assert_eq!(t.total, Some(Duration::from_secs(30)));
        assert_eq!(t.idle, None, "not named: the provider's stays");
        let bad = parse(&text.replace("total_secs = 30", "total_secs = -1")).unwrap_err();
        assert_eq!(bad.problems[0].field, "routes[0].timeouts.total_secs");
        assert_eq!(bad.problems[0].line, Some(7), "{bad:?}");
    }

    #[test]
    fn a_total_limit_is_global_or_per_route_never_per_provider() {
        let config = parse("[timeouts]\ntotal_secs = 120\n").unwrap();
        assert_eq!(config.total_timeout, Some(Duration::from_secs(120)));
        let bad = parse(&format!("{PROVIDER}timeouts = {{ total_secs = 5 }}\n")).unwrap_err();
        assert_eq!(bad.problems[0].field, "providers[0].timeouts.total_secs");
    }

    #[test]
    fn telemetry_is_off_without_an_endpoint_and_a_bad_one_names_its_line() {
        assert!(parse("").unwrap().telemetry.is_none());
        assert!(
            parse("[telemetry]\nservice_name = \"x\"\n")
                .unwrap()
                .telemetry
                .is_none()
        );
        let on = parse("[telemetry]\notlp_endpoint = \"http://127.0.0.1:4318\"\n").unwrap();
        assert_eq!(on.telemetry.unwrap().service_name, "switchyard");
        let bad = parse("[telemetry]\n\notlp_endpoint = \"localhost:4318\"\n").unwrap_err();
        assert_eq!(bad.problems[0].field, "telemetry.otlp_endpoint");
        assert_eq!(bad.problems[0].line, Some(3), "{bad:?}");
    }

    #[test]
    fn a_cache_of_no_size_is_refused_on_its_line() {
        let problems = parse("[cache]\nmax_mb = 0\n").unwrap_err().problems;
        assert_eq!(problems[0].field, "cache.max_mb");
        assert_eq!(problems[0].line, Some(2), "{problems:?}");
    }

    #[test]
    fn a_routes_cache_ttl_is_read_and_a_negative_one_is_refused_on_its_line() {
        let route = |ttl: &str| {
            format!(
                "{PROVIDER}[[routes]]\nalias = \"r\"\ntargets = [\"p/m\"]\ncache_ttl_secs = {ttl}\n"
            )
        };
        let config = parse(&route("300")).unwrap();
        assert_eq!(config.routes[0].cache_ttl, Some(Duration::from_secs(300)));
        assert_eq!(
            parse(&route("0")).unwrap().routes[0].cache_ttl,
            None,
            "0 means off"
        );
        let problems = parse(&route("-5")).unwrap_err().problems;
        assert_eq!(problems[0].field, "routes[0].cache_ttl_secs");
        assert_eq!(problems[0].line, Some(7), "{problems:?}");
    }
}
