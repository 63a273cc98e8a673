//! `switchyard history` and `switchyard costs`: the same store the admin API reads, printed as
//! a table, JSON or CSV. The database is opened read-only, so a running gateway is unaffected.

use std::process::ExitCode;

use anyhow::Context;
use switchyard_gateway::history::costs::{self, CostRow, GroupBy};
use switchyard_gateway::history::query::{self, Filter, Page};
use switchyard_gateway::history::query_file;
use switchyard_gateway::history::requests::RequestRow;
use switchyard_gateway::paths::Locations;

#[allow(clippy::print_stdout)]
pub fn history(locations: &Locations, limit: u32, json: bool) -> anyhow::Result<ExitCode> {
    let path = locations.history_path();
    let page = Page {
        limit: limit.clamp(1, 1000),
        ..Page::default()
    };
    let listing = query_file(&path, |c| query::list(c, &Filter::default(), page))
        .with_context(|| format!("cannot read {}", path.display()))?;
    let items = listing.map(|l| l.items).unwrap_or_default();
    if json {
        println!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(ExitCode::SUCCESS);
    }
    if items.is_empty() {
        println!("No requests in history yet ({}).", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<24} {:<28} {:<14} {:>6} {:>9} {:>8} {:>11} {:>8}",
        "STARTED (UTC)", "MODEL", "PROVIDER", "STATUS", "IN", "OUT", "COST USD", "MS"
    );
    for row in &items {
        println!("{}", history_line(row));
    }
    Ok(ExitCode::SUCCESS)
}

#[allow(clippy::print_stdout)]
pub fn rebuild_rollups(locations: &Locations) -> anyhow::Result<ExitCode> {
    let path = locations.history_path();
    let rebuilt = switchyard_gateway::history::rebuild_rollups(&path)
        .with_context(|| format!("cannot rebuild the roll-ups of {}", path.display()))?;
    println!(
        "Rebuilt the daily roll-ups of {}: {} requests in {} groups.",
        path.display(),
        rebuilt.requests,
        rebuilt.groups
    );
    Ok(ExitCode::SUCCESS)
}

#[allow(clippy::print_stdout)]
pub fn vacuum(locations: &Locations) -> anyhow::Result<ExitCode> {
    let path = locations.history_path();
    let (before, after) = switchyard_gateway::history::vacuum(&path)
        .with_context(|| format!("cannot vacuum {}", path.display()))?;
    println!(
        "{}: {:.1} MiB before, {:.1} MiB after.",
        path.display(),
        before as f64 / 1048576.0,
        after as f64 / 1048576.0
    );
    Ok(ExitCode::SUCCESS)
}

fn history_line(row: &RequestRow) -> String {
    format!(
        "{:<24} {:<28} {:<14} {:>6} {:>9} {:>8} {:>11} {:>8}",
        row.started_at,
        clip(row.requested_model.as_deref().unwrap_or("-"), 28),
        clip(row.provider.as_deref().unwrap_or("-"), 14),
        row.status,
        row.input_tokens,
        row.output_tokens,
        money(row.cost_usd),
        row.latency_ms
    )
}

#[allow(clippy::print_stdout)]
pub fn costs(
    locations: &Locations,
    by: &str,
    since: Option<&str>,
    json: bool,
    csv: bool,
) -> anyhow::Result<ExitCode> {
    let by = GroupBy::parse(by)
        .context("--by must be day, model, provider, tag, client or client_key")?;
    let since_ms = since_ms(since)?;
    let filter = Filter {
        since_ms,
        ..Filter::default()
    };
    let path = locations.history_path();
    let report = query_file(&path, |c| costs::report(c, by, &filter))
        .with_context(|| format!("cannot read {}", path.display()))?
        .unwrap_or(costs::CostReport {
            rows: Vec::new(),
            total_cost_usd: 0.0,
        });
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if csv {
        let csv = switchyard_gateway::export::to_csv(&report.rows)?;
        std::io::Write::write_all(&mut std::io::stdout(), &csv)?;
    } else {
        println!(
            "{:<32} {:>9} {:>12} {:>12} {:>12}",
            "KEY", "REQUESTS", "INPUT", "OUTPUT", "COST USD"
        );
        for row in &report.rows {
            println!("{}", cost_line(row));
        }
        println!(
            "{:<32} {:>61}",
            "TOTAL",
            format!("{:.6}", report.total_cost_usd)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn cost_line(row: &CostRow) -> String {
    format!(
        "{:<32} {:>9} {:>12} {:>12} {:>12}",
        clip(row.key.as_deref().unwrap_or("(none)"), 32),
        row.requests,
        row.input_tokens,
        row.output_tokens,
        money(row.cost_usd)
    )
}

fn money(cost: Option<f64>) -> String {
    cost.map_or_else(|| "-".to_owned(), |c| format!("{c:.6}"))
}

fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(width - 1).collect();
        out.push('…');
        out
    }
}

/// `--since YYYY-MM-DD` (a UTC day) as epoch milliseconds.
pub fn since_ms(since: Option<&str>) -> anyhow::Result<Option<i64>> {
    since
        .map(|s| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc().timestamp_millis())
                .with_context(|| format!("--since '{s}' is not a date like 2026-01-31"))
        })
        .transpose()
}
