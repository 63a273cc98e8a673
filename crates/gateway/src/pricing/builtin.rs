//! The built-in price table: `prices/prices.toml`, compiled into the binary.
//!
//! The file is data, edited by hand from the providers' pricing pages (README, "Prices"). It
//! is grouped into sections, one per maker or host, each with its source and dates. A maker's
//! section (`first_party = true`) prices its models whichever provider served them; a host's
//! section (Groq, OpenRouter) only prices requests to that host, whose ids and prices are its
//! own. A test parses the embedded file, so a malformed edit fails the build's tests rather
//! than a user's request.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::{LongContext, ModelPrice, Priced, Rates};
use crate::config::Provider;

/// The embedded table's text.
pub const PRICES_TOML: &str = include_str!("../../prices/prices.toml");

/// The built-in table, parsed once. An unparsable file (prevented by the tests) yields an
/// empty table: costs become unknown, never wrong.
pub fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| match parse(PRICES_TOML) {
        Ok(table) => table,
        Err(e) => {
            tracing::error!(error = %e, "the built-in price table is invalid; built-in prices are off");
            Table::default()
        }
    })
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The table key, e.g. `anthropic`; also matched against provider ids.
    pub key: String,
    pub vendor: String,
    pub first_party: bool,
    pub hosts: Vec<String>,
    pub source: String,
    pub as_of: String,
    pub checked: String,
    pub notes: Option<String>,
    pub models: BTreeMap<String, Model>,
    /// Other names of listed models.
    pub aliases: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub price: ModelPrice,
    /// How fresh this price is: the model's own date, or its section's.
    pub as_of: String,
}

impl Table {
    pub fn model_count(&self) -> usize {
        self.sections.iter().map(|s| s.models.len()).sum()
    }

    pub fn section(&self, key: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.key == key)
    }

    /// The sections that speak for a provider: the one named like it, the one whose host its
    /// base URL points at, and its kind's maker. Indexes into `sections`.
    pub fn home_sections(
        &self,
        provider_id: Option<&str>,
        provider: Option<&Provider>,
    ) -> Vec<usize> {
        let host = provider.map(|p| host_of(&p.base_url));
        let kind_key = provider.and_then(|p| p.kind.adapter().price_maker());
        let mut out = Vec::new();
        for (index, section) in self.sections.iter().enumerate() {
            let named = provider_id.is_some_and(|id| id.eq_ignore_ascii_case(&section.key));
            let hosted = host.as_deref().is_some_and(|h| {
                section
                    .hosts
                    .iter()
                    .any(|s| h == s || h.ends_with(&format!(".{s}")))
            });
            if named || hosted || kind_key == Some(section.key.as_str()) {
                out.push(index);
            }
        }
        out
    }

    /// The first hit for any candidate name: the home sections first, then every maker's.
    pub fn find(&self, home: &[usize], candidates: &[String]) -> Option<Priced> {
        let makers =
            (0..self.sections.len()).filter(|i| self.sections[*i].first_party && !home.contains(i));
        for index in home.iter().copied().chain(makers) {
            let section = &self.sections[index];
            for name in candidates {
                let key = section.aliases.get(name).unwrap_or(name);
                if let Some(model) = section.models.get(key) {
                    return Some(Priced {
                        price: model.price,
                        source: format!("builtin:{}/{} (as of {})", section.key, key, model.as_of),
                        checked: Some(section.checked.clone()),
                    });
                }
            }
        }
        None
    }
}

fn host_of(base_url: &str) -> String {
    let rest = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    host.split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTable {
    schema: u32,
    sections: BTreeMap<String, FileSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSection {
    vendor: String,
    first_party: bool,
    #[serde(default)]
    hosts: Vec<String>,
    source: String,
    as_of: String,
    checked: String,
    #[serde(default)]
    notes: Option<String>,
    models: BTreeMap<String, FileModel>,
    #[serde(default)]
    aliases: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileModel {
    input: f64,
    output: f64,
    #[serde(default)]
    cached_input: Option<f64>,
    #[serde(default)]
    cache_write: Option<f64>,
    #[serde(default)]
    cache_write_1h: Option<f64>,
    #[serde(default)]
    long: Option<FileLong>,
    #[serde(default)]
    as_of: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLong {
    above: u64,
    input: f64,
    output: f64,
    #[serde(default)]
    cached_input: Option<f64>,
    #[serde(default)]
    cache_write: Option<f64>,
    #[serde(default)]
    cache_write_1h: Option<f64>,
}

/// Parses and checks a price table: every price a finite, non-negative number, every alias
/// pointing at a listed model, every date `YYYY-MM` or `YYYY-MM-DD`.
pub fn parse(text: &str) -> Result<Table, String> {
    let file: FileTable = toml::from_str(text).map_err(|e| e.to_string())?;
    if file.schema != 1 {
        return Err(format!("unknown price table schema {}", file.schema));
    }
    let mut sections = Vec::with_capacity(file.sections.len());
    for (key, s) in file.sections {
        for date in [&s.as_of, &s.checked] {
            check_date(date).map_err(|e| format!("sections.{key}: {e}"))?;
        }
        let mut models = BTreeMap::new();
        for (name, m) in s.models {
            let at = |e: String| format!("sections.{key}.models.\"{name}\": {e}");
            let base = rates(
                [m.input, m.output],
                [m.cached_input, m.cache_write, m.cache_write_1h],
            )
            .map_err(at)?;
            let long = match m.long {
                Some(l) => Some(LongContext {
                    above: l.above,
                    rates: rates(
                        [l.input, l.output],
                        [l.cached_input, l.cache_write, l.cache_write_1h],
                    )
                    .map_err(at)?,
                }),
                None => None,
            };
            let as_of = m.as_of.unwrap_or_else(|| s.as_of.clone());
            check_date(&as_of).map_err(at)?;
            if name != name.to_ascii_lowercase() {
                return Err(at("model names are written in lower case".into()));
            }
            models.insert(
                name,
                Model {
                    price: ModelPrice { base, long },
                    as_of,
                },
            );
        }
        for (alias, target) in &s.aliases {
            if !models.contains_key(target) {
                return Err(format!(
                    "sections.{key}.aliases.\"{alias}\" points at '{target}', which the section does not list"
                ));
            }
        }
        sections.push(Section {
            key,
            vendor: s.vendor,
            first_party: s.first_party,
            hosts: s.hosts,
            source: s.source,
            as_of: s.as_of,
            checked: s.checked,
            notes: s.notes,
            models,
            aliases: s.aliases,
        });
    }
    Ok(Table { sections })
}

fn rates(required: [f64; 2], optional: [Option<f64>; 3]) -> Result<Rates, String> {
    let all = required
        .iter()
        .copied()
        .chain(optional.iter().flatten().copied());
    if all.into_iter().any(|v| !v.is_finite() || v < 0.0) {
        return Err("prices must be non-negative numbers (USD per million tokens)".into());
    }
    Ok(Rates {
        input: required[0],
        output: required[1],
        cached_input: optional[0],
        cache_write: optional[1],
        cache_write_1h: optional[2],
    })
}

/// How old a built-in price may get before the dashboard flags it: providers change prices a
/// few times a year, and a table older than a quarter has likely missed one.
pub const STALE_AFTER_DAYS: i64 = 90;

/// Whether a table last checked on `checked` (`2026-10-24`, or `2026-04` for some day of the
/// month, counted from its last) is older than [`STALE_AFTER_DAYS`] on `today`.
pub fn is_stale(checked: &str, today: chrono::NaiveDate) -> bool {
    let date = chrono::NaiveDate::parse_from_str(checked, "%Y-%m-%d")
        .ok()
        .or_else(|| {
            let first =
                chrono::NaiveDate::parse_from_str(&format!("{checked}-01"), "%Y-%m-%d").ok()?;
            first.checked_add_months(chrono::Months::new(1))?.pred_opt()
        });
    date.is_some_and(|date| (today - date).num_days() > STALE_AFTER_DAYS)
}

fn check_date(text: &str) -> Result<(), String> {
    let full = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok();
    let month = chrono::NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").is_ok();
    if full || month {
        Ok(())
    } else {
        Err(format!("'{text}' is not a date like 2026-11-25 or 2026-11"))
    }
}
