//! Edits to the config file as the dashboard makes them: providers, routes, price overrides
//! and settings, written into the user's own file with `toml_edit` so that every comment, blank
//! line and the order of everything not edited survive.
//!
//! These are pure functions from text to text. They do not validate: the caller parses the
//! result with [`super::parse`] and refuses the edit (leaving the file alone) when it is
//! invalid, so the rules live in one place for hand edits and dashboard edits alike.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

/// A provider as the dashboard edits it. Fields the dashboard does not show (`stream_usage`,
/// `timeouts`) are kept as they are in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct ProviderInput {
    pub id: String,
    /// `openai`, `openai-compatible`, `anthropic` or `gemini`.
    pub kind: String,
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub key_env: Option<String>,
    #[serde(default)]
    pub models: Vec<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

/// A route as the dashboard edits it; the alias is the path's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct RouteInput {
    /// `provider/model` names, in the order they are tried.
    pub targets: Vec<String>,
    /// `fallback`, `round-robin`, `cheapest` or `fastest`.
    #[serde(default)]
    pub strategy: Option<String>,
}

/// A price override, USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct PriceInput {
    pub input: f64,
    pub output: f64,
    #[serde(default)]
    pub cached_input: Option<f64>,
    #[serde(default)]
    pub cache_write: Option<f64>,
}

/// The settings page: `[server]`, `[logging]` and `[budgets]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub listen: String,
    pub max_body_mb: u32,
    pub store_bodies: bool,
    pub retention_days: u32,
    pub max_stored_body_kb: u32,
    /// The most the history may hold on disk, in MiB; 0 keeps everything.
    #[serde(default)]
    pub retention_max_mb: u32,
    pub budgets: Option<BudgetSettings>,
    /// In answers: true when the listen address differs from the one this process serves on,
    /// so the change waits for a restart. Ignored in requests.
    #[serde(default)]
    pub restart_required: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct BudgetSettings {
    pub daily_usd: Option<f64>,
    pub monthly_usd: Option<f64>,
    /// `warn` or `block`.
    pub action: String,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EditError {
    #[error("the config file is not valid TOML: {0}")]
    Syntax(String),
    #[error("{what} '{name}' is not in the config file")]
    Missing { what: &'static str, name: String },
    #[error("`{0}` in the config file is not a table; fix the file by hand first")]
    Shape(&'static str),
}

fn document(text: &str) -> Result<DocumentMut, EditError> {
    text.parse::<DocumentMut>()
        .map_err(|e| EditError::Syntax(e.message().to_owned()))
}

/// Adds the provider, or replaces the fields the dashboard edits when its id exists.
pub fn upsert_provider(text: &str, p: &ProviderInput) -> Result<String, EditError> {
    let mut doc = document(text)?;
    let list = array_of_tables(&mut doc, "providers")?;
    let index = position(list, "id", &p.id);
    let table = match index {
        Some(i) => list.get_mut(i).ok_or(EditError::Shape("providers"))?,
        None => {
            let mut fresh = Table::new();
            fresh.insert("id", toml_edit::value(p.id.as_str()));
            list.push(fresh);
            let last = list.len() - 1;
            list.get_mut(last).ok_or(EditError::Shape("providers"))?
        }
    };
    set(table, "kind", Some(Value::from(p.kind.as_str())));
    set(table, "base_url", non_empty(&p.base_url).map(Value::from));
    // The dashboard shows a list of key variables by its first name: sending that name back
    // keeps the whole list.
    let keeps_list = table
        .get("key_env")
        .and_then(Item::as_array)
        .and_then(|list| list.get(0))
        .and_then(Value::as_str)
        .is_some_and(|first| Some(first) == non_empty(&p.key_env));
    if !keeps_list {
        set(table, "key_env", non_empty(&p.key_env).map(Value::from));
    }
    set(
        table,
        "models",
        (!p.models.is_empty()).then(|| Value::Array(strings(&p.models))),
    );
    let headers: InlineTable = p
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), Value::from(v.as_str())))
        .collect();
    set(
        table,
        "headers",
        (!headers.is_empty()).then_some(Value::InlineTable(headers)),
    );
    Ok(doc.to_string())
}

pub fn remove_provider(text: &str, id: &str) -> Result<String, EditError> {
    remove_entry(text, "providers", "id", id, "provider")
}

/// Adds the route, or replaces its targets and strategy when the alias exists.
pub fn upsert_route(text: &str, alias: &str, r: &RouteInput) -> Result<String, EditError> {
    let mut doc = document(text)?;
    let list = array_of_tables(&mut doc, "routes")?;
    let table = match position(list, "alias", alias) {
        Some(i) => list.get_mut(i).ok_or(EditError::Shape("routes"))?,
        None => {
            let mut fresh = Table::new();
            fresh.insert("alias", toml_edit::value(alias));
            list.push(fresh);
            let last = list.len() - 1;
            list.get_mut(last).ok_or(EditError::Shape("routes"))?
        }
    };
    set(table, "targets", Some(Value::Array(strings(&r.targets))));
    set(table, "strategy", non_empty(&r.strategy).map(Value::from));
    Ok(doc.to_string())
}

pub fn remove_route(text: &str, alias: &str) -> Result<String, EditError> {
    remove_entry(text, "routes", "alias", alias, "route")
}

/// Sets `[prices."MODEL"]`, keeping the table where it is when it exists.
pub fn set_price(text: &str, model: &str, price: &PriceInput) -> Result<String, EditError> {
    let mut doc = document(text)?;
    let prices = table(&mut doc, "prices")?;
    if !prices.contains_key(model) {
        prices.insert(model, Item::Table(Table::new()));
    }
    let entry = prices
        .get_mut(model)
        .and_then(Item::as_table_mut)
        .ok_or(EditError::Shape("prices"))?;
    set(entry, "input", Some(Value::from(price.input)));
    set(entry, "output", Some(Value::from(price.output)));
    set(entry, "cached_input", price.cached_input.map(Value::from));
    set(entry, "cache_write", price.cache_write.map(Value::from));
    Ok(doc.to_string())
}

pub fn remove_price(text: &str, model: &str) -> Result<String, EditError> {
    let mut doc = document(text)?;
    let removed = doc
        .get_mut("prices")
        .and_then(Item::as_table_like_mut)
        .and_then(|prices| prices.remove(model));
    match removed {
        Some(_) => Ok(doc.to_string()),
        None => Err(EditError::Missing {
            what: "price override",
            name: model.to_owned(),
        }),
    }
}

/// Writes every field of the settings page; `[budgets]` is removed when it sets no limit.
pub fn set_settings(text: &str, s: &Settings) -> Result<String, EditError> {
    let mut doc = document(text)?;
    let server = table(&mut doc, "server")?;
    set(server, "listen", Some(Value::from(s.listen.as_str())));
    set(
        server,
        "max_body_mb",
        Some(Value::from(i64::from(s.max_body_mb))),
    );
    let logging = table(&mut doc, "logging")?;
    set(logging, "store_bodies", Some(Value::from(s.store_bodies)));
    set(
        logging,
        "retention_days",
        Some(Value::from(i64::from(s.retention_days))),
    );
    set(
        logging,
        "max_stored_body_kb",
        Some(Value::from(i64::from(s.max_stored_body_kb))),
    );
    set(
        logging,
        "retention_max_mb",
        (s.retention_max_mb > 0).then(|| Value::from(i64::from(s.retention_max_mb))),
    );
    match &s.budgets {
        Some(b) if b.daily_usd.is_some() || b.monthly_usd.is_some() => {
            let budgets = table(&mut doc, "budgets")?;
            set(budgets, "daily_usd", b.daily_usd.map(Value::from));
            set(budgets, "monthly_usd", b.monthly_usd.map(Value::from));
            set(budgets, "action", Some(Value::from(b.action.as_str())));
        }
        _ => {
            doc.remove("budgets");
        }
    }
    Ok(doc.to_string())
}

/// Sets `key` to `value` (or removes it), keeping the comment that followed the old value.
fn set(table: &mut Table, key: &str, value: Option<Value>) {
    let Some(mut value) = value else {
        table.remove(key);
        return;
    };
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            let decor = old.decor().clone();
            *value.decor_mut() = decor;
            *old = value;
        }
        None => {
            table.insert(key, Item::Value(value));
        }
    }
}

fn strings(items: &[String]) -> Array {
    items.iter().map(String::as_str).collect()
}

fn non_empty(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

fn table<'d>(doc: &'d mut DocumentMut, key: &'static str) -> Result<&'d mut Table, EditError> {
    if !doc.contains_key(key) {
        let mut fresh = Table::new();
        // `[prices."x"]` sub-tables read better without an empty `[prices]` header.
        fresh.set_implicit(key == "prices");
        doc.insert(key, Item::Table(fresh));
    }
    doc.get_mut(key)
        .and_then(Item::as_table_mut)
        .ok_or(EditError::Shape(key))
}

fn array_of_tables<'d>(
    doc: &'d mut DocumentMut,
    key: &'static str,
) -> Result<&'d mut ArrayOfTables, EditError> {
    if !doc.contains_key(key) {
        doc.insert(key, Item::ArrayOfTables(ArrayOfTables::new()));
    }
    doc.get_mut(key)
        .and_then(Item::as_array_of_tables_mut)
        .ok_or(EditError::Shape(key))
}

fn position(list: &ArrayOfTables, field: &str, wanted: &str) -> Option<usize> {
    list.iter()
        .position(|t| t.get(field).and_then(Item::as_str) == Some(wanted))
}

fn remove_entry(
    text: &str,
    key: &'static str,
    field: &str,
    wanted: &str,
    what: &'static str,
) -> Result<String, EditError> {
    let mut doc = document(text)?;
    let missing = || EditError::Missing {
        what,
        name: wanted.to_owned(),
    };
    let list = doc
        .get_mut(key)
        .and_then(Item::as_array_of_tables_mut)
        .ok_or_else(missing)?;
    let index = position(list, field, wanted).ok_or_else(missing)?;
    list.remove(index);
    if list.is_empty() {
        doc.remove(key);
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests;
