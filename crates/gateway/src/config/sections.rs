//! The config sections that tune routing rather than describe providers: `[cache]` and the
//! per-route `cache_ttl_secs`. Kept apart from [`super::file`] so that file stays about
//! providers, routes and prices; the same [`Validator`] names the line of every problem.

use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::CacheConfig;
use super::file::Validator;

/// Longest time an answer may be cached: a week. Longer is almost surely a typo.
pub const MAX_CACHE_TTL_SECS: i64 = 7 * 86_400;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileCache {
    #[serde(default)]
    max_mb: Option<Spanned<i64>>,
}

impl Validator<'_> {
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
