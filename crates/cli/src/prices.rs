//! `switchyard prices import FILE` and `switchyard costs --as MODEL`: the CLI side of
//! pricing. Importing only checks and stores the file; a running gateway notices it within a
//! second. Re-pricing reads the history read-only and prices with the same tables the gateway
//! uses (config overrides, imported file, built-in table).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use switchyard_gateway::config::{self, Config};
use switchyard_gateway::history::costs;
use switchyard_gateway::history::query::Filter;
use switchyard_gateway::history::query_file;
use switchyard_gateway::paths::Locations;
use switchyard_gateway::pricing::imported::{self, ImportedPrices};
use switchyard_gateway::pricing::{self, what_if};

#[allow(clippy::print_stdout)]
pub fn import(locations: &Locations, file: &Path) -> anyhow::Result<ExitCode> {
    let imported = ImportedPrices::import(file, &locations.data_dir)?;
    println!(
        "Imported {} prices for {} models from {} into {} ({} entries without token prices skipped).",
        imported.format.name(),
        imported.models.len(),
        file.display(),
        imported::path_in(&locations.data_dir).display(),
        imported.skipped
    );
    println!(
        "They rank between [prices] in the config and the built-in table; a running gateway uses them within a second."
    );
    Ok(ExitCode::SUCCESS)
}

/// The config as the gateway would run it, with the imported prices attached.
fn running_config(locations: &Locations) -> anyhow::Result<Config> {
    let mut config = if locations.config_path.exists() {
        switchyard_gateway::reload::check(&locations.config_path)?
    } else {
        config::parse(config::DEFAULT_CONFIG).context("the default config is invalid")?
    };
    config.imported_prices = ImportedPrices::load(&locations.data_dir)?.map(std::sync::Arc::new);
    Ok(config)
}

#[allow(clippy::print_stdout)]
pub fn what_if(
    locations: &Locations,
    model: &str,
    since: Option<&str>,
    since_ms: Option<i64>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let config = running_config(locations)?;
    let Some(target) = pricing::lookup_named(&config, model) else {
        anyhow::bail!(
            "no price is known for '{model}'; add [prices.\"{model}\"] to the config or import a price file"
        );
    };
    let filter = Filter {
        since_ms,
        ..Filter::default()
    };
    let path = locations.history_path();
    let long_above = target.price.long.map(|long| long.above);
    let usage = query_file(&path, |c| costs::what_if_usage(c, &filter, long_above))
        .with_context(|| format!("cannot read {}", path.display()))?
        .unwrap_or_default();
    let answer = what_if::reprice(model, &target, since.map(str::to_owned), None, &usage);
    if json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", sentence(&answer));
    Ok(ExitCode::SUCCESS)
}

/// "this period cost $41.20; on gpt-4.1-mini it would have cost $6.10", with the caveats.
fn sentence(a: &what_if::WhatIf) -> String {
    let period = match &a.since {
        Some(since) => format!("Since {since}"),
        None => "In all recorded history".to_owned(),
    };
    let mut out = format!(
        "{period}, {} requests cost ${:.2}; on {} they would have cost ${:.2}.",
        a.requests - a.unpriced_requests,
        a.actual_cost_usd,
        a.model,
        a.what_if_priced_cost_usd
    );
    if a.unpriced_requests > 0 {
        out.push_str(&format!(
            "\n{} more requests had no price; on {} they would have cost ${:.2} (${:.2} in all).",
            a.unpriced_requests,
            a.model,
            a.what_if_cost_usd - a.what_if_priced_cost_usd,
            a.what_if_cost_usd
        ));
    }
    if a.estimated_requests > 0 {
        out.push_str(&format!(
            "\n{} requests have estimated token counts (the provider reported no usage).",
            a.estimated_requests
        ));
    }
    out.push_str(&format!("\nPrice used: {}.", a.price_source));
    out
}
