//! `switchyard-bench dashboard`: how fast the admin API answers the dashboard's views as the
//! history grows (100,000 and 1,000,000 rows by default), measured against a real
//! `switchyard serve`, and what the history costs on disk and to write.
//!
//! Each size is a history of its own, ending now: 100,000 requests over 36 days, 1,000,000
//! over a year (about what a developer running agents all day makes). It is written through
//! the gateway's history writer ([`crate::seed`]), which times the writer, then served by the
//! gateway. Each view's request is timed end to end over loopback (connect, query, JSON,
//! close), after one warm-up request.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use hdrhistogram::Histogram;
use switchyard_gateway::history::{History, Retention};

use crate::processes::{self, Gateway};
use crate::seed::{self, Seeded};

#[derive(Debug, Clone)]
pub struct Options {
    pub switchyard: PathBuf,
    pub work_dir: PathBuf,
    /// History sizes, each measured on a history of its own.
    pub sizes: Vec<u64>,
    pub repeats: u32,
    /// Keep each size's history (for a look at it afterwards).
    pub keep: bool,
}

/// One measured request: what the dashboard asks, and its latency percentiles.
#[derive(Debug, Clone)]
pub struct Timing {
    pub page: &'static str,
    pub path: String,
    pub p50: Duration,
    pub p99: Duration,
    pub bytes: usize,
}

/// One history size: how it was written, what it weighs, how fast each view is.
#[derive(Debug, Clone)]
pub struct Size {
    pub seeded: Seeded,
    /// The database file (after the gateway's checkpoint at shutdown).
    pub file_bytes: u64,
    /// Of those, the pages of the compressed bodies.
    pub body_bytes: u64,
    /// Rows of the daily roll-up table (what the overview and costs read).
    pub rollup_rows: u64,
    pub timings: Vec<Timing>,
}

/// zstd levels on the bodies' chunks: `(level, stored / raw, MB/s)`.
pub fn levels() -> anyhow::Result<Vec<(i32, f64, f64)>> {
    let mut generator = seed::Generator::new(4_000, 2, chrono_now_ms(), true);
    seed::zstd_levels(&mut generator, &[-5, -1, 1, 3, 6, 9])
}

/// The views, with `{detail}` and `{cursor}` filled in from the seeded history.
const PAGES: &[(&str, &str)] = &[
    ("Requests, first page", "/api/requests?limit=50"),
    (
        "Requests, by provider",
        "/api/requests?limit=50&provider=anthropic",
    ),
    ("Requests, by model", "/api/requests?limit=50&model=gpt-5"),
    ("Requests, status 5xx", "/api/requests?limit=50&status=5xx"),
    (
        "Requests, by tag",
        "/api/requests?limit=50&tag=project=atlas",
    ),
    (
        "Requests, by client key",
        "/api/requests?limit=50&client_key=carol",
    ),
    (
        "Requests, text (a model)",
        "/api/requests?limit=50&q=sonnet",
    ),
    (
        "Requests, text (an error)",
        "/api/requests?limit=50&q=quota",
    ),
    (
        "Requests, sorted by cost",
        "/api/requests?limit=50&sort=cost_usd&order=desc",
    ),
    (
        "Requests, sorted by latency",
        "/api/requests?limit=50&sort=latency_ms&order=desc",
    ),
    (
        "Requests, a deep page (cursor)",
        "/api/requests?limit=50&before={cursor}",
    ),
    ("A request's detail", "/api/requests/{detail}"),
    ("Overview", "/api/overview"),
    ("Costs by day", "/api/costs?by=day"),
    ("Costs by model", "/api/costs?by=model"),
    ("Costs by tag", "/api/costs?by=tag"),
    ("Costs by client key", "/api/costs?by=client_key"),
    (
        "What-if (long-context tier)",
        "/api/costs/what-if?model=claude-sonnet-4-5",
    ),
    ("What-if", "/api/costs/what-if?model=gpt-5-mini"),
    ("Tray: today", "/api/costs?by=day&since={today}"),
    ("Prices (models seen)", "/api/prices"),
];

/// The Requests page's own target; every other view's is [`VIEW_TARGET`].
pub const REQUESTS_PAGE_TARGET: Duration = Duration::from_millis(10);
pub const VIEW_TARGET: Duration = Duration::from_millis(50);

pub fn run(options: &Options) -> anyhow::Result<Vec<Size>> {
    std::fs::create_dir_all(&options.work_dir)?;
    let config = options.work_dir.join("dashboard.toml");
    std::fs::write(&config, CONFIG)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut sizes = Vec::new();
    for &rows in &options.sizes {
        let data_dir = options.work_dir.join(format!("history-{rows}"));
        std::fs::create_dir_all(&data_dir)?;
        let database = data_dir.join("history.sqlite3");
        // A day's worth of rows is about 2,740 (a million a year).
        let span_days = (rows / 2_740).max(1) as i64;
        let now_ms = chrono_now_ms();
        let mut generator = seed::Generator::new(rows, span_days, now_ms, true);
        let seeded = runtime.block_on(async {
            let history = History::open(&database, Retention::default())?;
            anyhow::Ok(seed::seed(&history, &mut generator, rows).await)
        })?;
        let log = options
            .work_dir
            .join(format!("dashboard-gateway-{rows}.log"));
        let (mut gateway, _) =
            processes::start_gateway(&options.switchyard, &config, &data_dir, &log, "warn")?;
        let timings = measure(&gateway, &database, now_ms, options.repeats);
        gateway.process.terminate(Duration::from_secs(30))?;
        let (file_bytes, body_bytes, rollup_rows) = weigh(&database)?;
        sizes.push(Size {
            seeded,
            file_bytes,
            body_bytes,
            rollup_rows,
            timings: timings?,
        });
        if !options.keep {
            std::fs::remove_dir_all(&data_dir)?;
        }
    }
    Ok(sizes)
}

/// The file's size, the bytes of the pages that hold bodies, and the roll-ups' rows.
fn weigh(database: &Path) -> anyhow::Result<(u64, u64, u64)> {
    let conn = rusqlite::Connection::open(database)?;
    let bodies: i64 = conn.query_row(
        "SELECT COALESCE(SUM(pgsize), 0) FROM dbstat
         WHERE name IN ('stored_bodies', 'body_chunks', 'sqlite_autoindex_body_chunks_1',
                        'body_chunks_by_use')",
        [],
        |r| r.get(0),
    )?;
    let rollups: i64 = conn.query_row("SELECT COUNT(*) FROM rollup_daily", [], |r| r.get(0))?;
    Ok((
        std::fs::metadata(database)?.len(),
        bodies.max(0) as u64,
        rollups.max(0) as u64,
    ))
}

fn measure(
    gateway: &Gateway,
    database: &Path,
    now_ms: i64,
    repeats: u32,
) -> anyhow::Result<Vec<Timing>> {
    let token = std::fs::read_to_string(gateway.data_dir.join("admin-token"))?;
    let token = token.trim();
    let (cursor, detail) = landmarks(database)?;
    let today = chrono::DateTime::from_timestamp_millis(now_ms)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let mut out = Vec::new();
    for (page, template) in PAGES {
        let path = template
            .replace("{cursor}", &cursor)
            .replace("{detail}", &detail)
            .replace("{today}", &today);
        let mut histogram = Histogram::<u64>::new(3)?;
        let mut bytes = 0;
        for round in 0..=repeats {
            let started = Instant::now();
            let (status, body) = processes::http_get(gateway.addr, &path, Some(token))?;
            let took = started.elapsed();
            anyhow::ensure!(status == 200, "GET {path} answered {status}: {body}");
            bytes = body.len();
            if round > 0 {
                histogram.record(u64::try_from(took.as_nanos())?)?;
            }
        }
        out.push(Timing {
            page,
            path,
            p50: Duration::from_nanos(histogram.value_at_quantile(0.5)),
            p99: Duration::from_nanos(histogram.value_at_quantile(0.99)),
            bytes,
        });
    }
    Ok(out)
}

/// A cursor nine tenths of the way down the newest-first list, and the id of a request with
/// bodies (the newest agent turn).
fn landmarks(database: &Path) -> anyhow::Result<(String, String)> {
    let conn =
        rusqlite::Connection::open_with_flags(database, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .with_context(|| format!("cannot open {}", database.display()))?;
    let rows: i64 = conn.query_row("SELECT COUNT(*) FROM requests", [], |r| r.get(0))?;
    let cursor = conn.query_row(
        "SELECT started_at || '.' || id FROM requests ORDER BY started_at DESC, id DESC
         LIMIT 1 OFFSET ?1",
        [rows * 9 / 10],
        |r| r.get(0),
    )?;
    let detail = conn.query_row(
        "SELECT request_id FROM stored_bodies ORDER BY request_id DESC LIMIT 1",
        [],
        |r| r.get(0),
    )?;
    Ok((cursor, detail))
}

const CONFIG: &str = r#"[logging]
retention_days = 0

[[providers]]
id = "openai"
kind = "openai"
key_env = "SWITCHYARD_BENCH_UNUSED"
models = ["gpt-5", "gpt-5-mini", "gpt-4.1"]

[[providers]]
id = "anthropic"
kind = "anthropic"
key_env = "SWITCHYARD_BENCH_UNUSED"
models = ["claude-sonnet-4-5"]
"#;

fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
