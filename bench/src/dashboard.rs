//! `switchyard-bench dashboard`: how fast the admin API answers the dashboard's pages when the
//! history is long (100,000 rows by default), measured against a real `switchyard serve`.
//!
//! The history is seeded straight into SQLite after the gateway has created its schema, with
//! rows spread over the last 29 days across providers, models, clients, statuses and tags, so
//! the queries meet the same shape of data a busy month leaves. Each page's request is timed
//! end to end over loopback (connect, query, JSON, close), after one warm-up request.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use hdrhistogram::Histogram;

use crate::processes::{self, Gateway};

#[derive(Debug, Clone)]
pub struct Options {
    pub switchyard: PathBuf,
    pub work_dir: PathBuf,
    pub rows: u64,
    pub repeats: u32,
}

/// One measured request: what the dashboard asks, and its latency percentiles.
#[derive(Debug, Clone)]
pub struct Timing {
    pub page: &'static str,
    pub path: String,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub bytes: usize,
}

const PAGES: &[(&str, &str)] = &[
    (
        "Requests, first page",
        "/api/requests?limit=50&offset=0&sort=started_at&order=desc",
    ),
    (
        "Requests, filtered by provider",
        "/api/requests?limit=50&offset=0&sort=started_at&order=desc&provider=anthropic",
    ),
    (
        "Requests, filtered by status class",
        "/api/requests?limit=50&offset=0&sort=started_at&order=desc&status=5xx",
    ),
    (
        "Requests, sorted by cost",
        "/api/requests?limit=50&offset=0&sort=cost_usd&order=desc",
    ),
    (
        "Requests, text search",
        "/api/requests?limit=50&offset=0&sort=started_at&order=desc&q=mini",
    ),
    ("Requests, page 1000", "/api/requests?limit=50&offset=49950"),
    ("Overview", "/api/overview"),
    ("Costs by day", "/api/costs?by=day"),
    ("Costs by tag", "/api/costs?by=tag"),
    ("Prices", "/api/prices"),
];

pub fn run(options: &Options) -> anyhow::Result<Vec<Timing>> {
    std::fs::create_dir_all(&options.work_dir)?;
    let config = options.work_dir.join("dashboard.toml");
    std::fs::write(&config, CONFIG)?;
    let data_dir = options.work_dir.join("dashboard-data");
    let log = options.work_dir.join("dashboard-gateway.log");

    // First start creates the database and its schema; the seed goes in while it is stopped.
    let (mut gateway, _) =
        processes::start_gateway(&options.switchyard, &config, &data_dir, &log, "warn")?;
    gateway.process.terminate(Duration::from_secs(10))?;
    seed(&data_dir.join("history.sqlite3"), options.rows)?;

    let (mut gateway, _) =
        processes::start_gateway(&options.switchyard, &config, &data_dir, &log, "warn")?;
    let timings = measure(&gateway, options.repeats);
    gateway.process.terminate(Duration::from_secs(10))?;
    timings
}

fn measure(gateway: &Gateway, repeats: u32) -> anyhow::Result<Vec<Timing>> {
    let token = std::fs::read_to_string(gateway.data_dir.join("admin-token"))?;
    let token = token.trim();
    let mut out = Vec::new();
    for (page, path) in PAGES {
        let mut histogram = Histogram::<u64>::new(3)?;
        let mut bytes = 0;
        for round in 0..=repeats {
            let started = Instant::now();
            let (status, body) = processes::http_get(gateway.addr, path, Some(token))?;
            let took = started.elapsed();
            anyhow::ensure!(status == 200, "GET {path} answered {status}: {body}");
            bytes = body.len();
            if round > 0 {
                histogram.record(u64::try_from(took.as_nanos())?)?;
            }
        }
        out.push(Timing {
            page,
            path: (*path).to_owned(),
            p50: Duration::from_nanos(histogram.value_at_quantile(0.5)),
            p99: Duration::from_nanos(histogram.value_at_quantile(0.99)),
            max: Duration::from_nanos(histogram.max()),
            bytes,
        });
    }
    Ok(out)
}

const CONFIG: &str = r#"[logging]
retention_days = 30

[[providers]]
id = "openai"
kind = "openai"
key_env = "SWITCHYARD_BENCH_UNUSED"
models = ["gpt-4.1", "gpt-4.1-mini"]

[[providers]]
id = "anthropic"
kind = "anthropic"
key_env = "SWITCHYARD_BENCH_UNUSED"
models = ["claude-sonnet-4-5"]
"#;

/// Writes `rows` history rows (and a tag on every third) in one transaction.
fn seed(database: &Path, rows: u64) -> anyhow::Result<()> {
    let mut conn = rusqlite::Connection::open(database)
        .with_context(|| format!("cannot open {}", database.display()))?;
    let tx = conn.transaction()?;
    let now_ms = chrono_now_ms();
    let span_ms: i64 = 29 * 86_400_000;
    {
        let mut insert = tx.prepare(
            "INSERT INTO requests (id, started_at, client, user_agent, inbound_api, requested_model,
                provider, upstream_model, status, outcome, stream, attempts, input_tokens,
                cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
                usage_estimated, cost_usd, latency_ms, ttft_ms, tags, error, price_source)
             VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, ?11, ?12, 0, ?13, 0, 0,
                     ?14, ?15, ?16, ?17, ?18, 'config:bench')",
        )?;
        let mut tag = tx.prepare(
            "INSERT INTO request_tags (request_id, key, value) VALUES (?1, 'project', ?2)",
        )?;
        let models = [
            ("openai", "gpt-4.1"),
            ("openai", "gpt-4.1-mini"),
            ("anthropic", "claude-sonnet-4-5"),
        ];
        let clients = ["claude-code", "codex", "continue", "openai-python", "curl"];
        for i in 0..rows {
            let n = i64::try_from(i)?;
            let (provider, model) = models[(i % 3) as usize];
            let status: i64 = match i % 50 {
                0 => 500,
                1 => 429,
                _ => 200,
            };
            let input = 500 + (n * 37) % 20_000;
            let output = 50 + (n * 13) % 2_000;
            let cost = (input as f64 * 2.0 + output as f64 * 8.0) / 1e6;
            let id = format!("req_{i:012}");
            let started = now_ms - span_ms + span_ms * n / i64::try_from(rows.max(1))?;
            let tags = if i % 3 == 0 {
                r#"{"project":"web"}"#
            } else {
                "{}"
            };
            insert.execute(rusqlite::params![
                id,
                started,
                clients[(i % 5) as usize],
                "chat_completions",
                model,
                provider,
                model,
                status,
                if status == 200 {
                    "ok"
                } else {
                    "upstream_error"
                },
                i % 2 == 0,
                input,
                input / 4,
                output,
                (status == 200).then_some(cost),
                200 + (n * 7) % 3_000,
                (i % 2 == 0).then_some(150 + (n * 3) % 500),
                tags,
                (status != 200).then_some("provider answered an error"),
            ])?;
            if i % 3 == 0 {
                tag.execute(rusqlite::params![id, "web"])?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
