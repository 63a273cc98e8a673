//! How a dashboard edit reaches the config file and the running gateway, for every page alike:
//! one edit at a time, rewrite the text ([`crate::config::edit`]), validate it whole with the
//! same parser `switchyard check` uses, write it atomically, and swap it in.
//!
//! An invalid result is refused before the file is touched, with the problem and the field it
//! concerns (`param`), so the form can show it next to that field. The swap is the reload's own
//! ([`crate::reload::apply`]): a request already in flight keeps the snapshot it started with.

use std::path::Path;
use std::sync::Arc;

use crate::config::edit::EditError;
use crate::config::{self, Config, ConfigError};
use crate::error::ProxyError;
use crate::reload::{self, Reloaded};
use crate::state::AppState;

/// Applies `change` to the config file and returns the configuration now running.
pub async fn apply(
    state: &AppState,
    change: impl FnOnce(&str) -> Result<String, EditError>,
) -> Result<Arc<Config>, ProxyError> {
    let Some(path) = state.config_path.as_deref() else {
        return Err(ProxyError::NotSupported(
            "This gateway runs without a config file, so its configuration cannot be edited."
                .into(),
        ));
    };
    let _one_at_a_time = state.config_edits.lock().await;
    let text = tokio::fs::read_to_string(path)
        .await
        .map_err(|e| file_error(path, "read", &e))?;
    let edited = change(&text).map_err(|e| match e {
        EditError::Missing { .. } => ProxyError::NotFound(capitalised(&e.to_string())),
        EditError::Syntax(_) | EditError::Shape(_) => ProxyError::InvalidRequest {
            message: capitalised(&e.to_string()),
            param: None,
        },
    })?;
    config::parse(&edited).map_err(refused)?;
    write_atomically(path, &edited)
        .await
        .map_err(|e| file_error(path, "write", &e))?;
    match reload::apply(state, &edited) {
        Reloaded::Refused(e) => Err(refused(e)),
        Reloaded::Applied | Reloaded::Unchanged => {
            tracing::info!(path = %path.display(), "configuration edited from the admin API");
            Ok(state.config.load_full())
        }
    }
}

/// The first problem names the field; the message lists them all.
fn refused(e: ConfigError) -> ProxyError {
    let param = e.problems.first().map(|p| field_name(&p.field).to_owned());
    let message = e
        .problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.message))
        .collect::<Vec<_>>()
        .join("; ");
    ProxyError::InvalidRequest {
        message: format!("The configuration would be invalid, so nothing was changed: {message}"),
        param,
    }
}

/// `providers[2].base_url` → `base_url`; `routes[0].targets[1]` → `targets`;
/// `prices."openai/gpt-4.1".input` → `input`.
fn field_name(path: &str) -> &str {
    let mut quoted = false;
    let mut last_dot = None;
    for (i, c) in path.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => last_dot = Some(i),
            _ => {}
        }
    }
    let last = last_dot.map_or(path, |i| &path[i + 1..]);
    // `targets[0]` is the form's `targets` field.
    last.split_once('[').map_or(last, |(name, _)| name)
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

fn file_error(path: &Path, verb: &str, e: &std::io::Error) -> ProxyError {
    ProxyError::Internal(format!(
        "Could not {verb} the config file {}: {e}",
        path.display()
    ))
}

/// Writes a sibling file and renames it over the config, so a reader (the reload poller, an
/// editor, `switchyard check`) never sees half a file. The file keeps its permissions.
async fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config.toml".into());
    let temp = path.with_file_name(format!(".{name}.switchyard-edit"));
    tokio::fs::write(&temp, text).await?;
    if let Ok(meta) = tokio::fs::metadata(path).await {
        tokio::fs::set_permissions(&temp, meta.permissions()).await?;
    }
    tokio::fs::rename(&temp, path).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_field_is_the_last_part_of_the_problem_path() {
        assert_eq!(field_name("providers[2].base_url"), "base_url");
        assert_eq!(field_name("routes[0].targets[1]"), "targets");
        assert_eq!(field_name("listen"), "listen");
        assert_eq!(field_name("prices.\"openai/gpt-4.1\".input"), "input");
    }
}
