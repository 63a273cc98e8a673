//! `switchyard-bench`: runs the benchmark (see `switchyard_bench::scenario`) and prints one
//! Markdown table, preceded by the machine it ran on. `make bench` builds and runs it.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use switchyard_bench::load::{self, Phase, Target};
use switchyard_bench::report::{ms, per_sec};
use switchyard_bench::scenario::{self, Options};

/// Counts every byte this process allocates, for the large request's allocations (the
/// gateway runs in-process for that one figure; see `switchyard_bench::allocations`). The
/// count is two relaxed atomic additions per allocation, the same on both sides of every
/// comparison.
#[global_allocator]
static ALLOCATOR: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

/// Measures what Switchyard adds to requests against a fast mock provider, on loopback.
///
/// The options every subcommand uses (`--switchyard`, `--mock`, `--out`, `--strict`, `--keep`)
/// may be given before or after it.
#[derive(Debug, Parser)]
#[command(name = "switchyard-bench", version)]
struct Args {
    /// The `switchyard` binary [default: next to this one]
    #[arg(long, global = true)]
    switchyard: Option<PathBuf>,
    /// The `bench-mock` binary [default: next to this one]
    #[arg(long, global = true)]
    mock: Option<PathBuf>,
    /// The `bench-forwarder` binary [default: next to this one]
    #[arg(long)]
    forwarder: Option<PathBuf>,
    /// Seconds per measured phase (c=1 rounds take half); the whole run is about 35× this.
    #[arg(long, default_value_t = 2.0)]
    phase_secs: f64,
    /// Threads of the load generator's runtime (1 leaves the other core to mock and gateway).
    #[arg(long, default_value_t = 1)]
    client_threads: usize,
    /// Skip the second gateway run with `store_bodies = false`.
    #[arg(long)]
    no_bodies_comparison: bool,
    /// Also write the report (machine, table, notes) to this file.
    #[arg(long, global = true)]
    out: Option<PathBuf>,
    /// Exit with status 1 when a target is missed (the run itself succeeded either way).
    #[arg(long, global = true)]
    strict: bool,
    /// Keep the work dir (config, history databases, gateway log) instead of removing it.
    #[arg(long, global = true)]
    keep: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Time the dashboard's views (admin API) over long histories written through the
    /// gateway's history writer, and weigh them on disk
    Dashboard {
        /// History sizes, each a history of its own (comma-separated)
        #[arg(long, value_delimiter = ',', default_values_t = [100_000, 1_000_000])]
        rows: Vec<u64>,
        /// Timed requests per view (after one warm-up)
        #[arg(long, default_value_t = 20)]
        repeats: u32,
    },
    /// Ten minutes (by default) of mixed load through one gateway: its memory at the start,
    /// middle and end
    Soak {
        /// How long the load runs, in seconds
        #[arg(long, default_value_t = 600)]
        secs: u64,
    },
    /// Only generate load against one address (for profiling a gateway you started yourself)
    Load {
        /// Where to send requests (loopback only)
        #[arg(long)]
        addr: std::net::SocketAddr,
        /// The `model` of each OpenAI chat completion request
        #[arg(long, default_value = "oai/bench")]
        model: String,
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        #[arg(long, default_value_t = 10.0)]
        secs: f64,
        /// Ask for a stream (SSE) instead of a JSON answer
        #[arg(long)]
        stream: bool,
    },
}

fn sibling(name: &str) -> Option<PathBuf> {
    Some(std::env::current_exe().ok()?.parent()?.join(name))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match &args.command {
        None => run(&args),
        Some(Command::Load {
            addr,
            model,
            concurrency,
            secs,
            stream,
        }) => load_only(*addr, model, *concurrency, *secs, *stream),
        Some(Command::Dashboard { rows, repeats }) => dashboard(&args, rows, *repeats),
        Some(Command::Soak { secs }) => soak(&args, *secs),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) if !args.strict => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("switchyard-bench: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Ok(true) when every target was met.
fn run(args: &Args) -> anyhow::Result<bool> {
    let switchyard = args
        .switchyard
        .clone()
        .or_else(|| sibling("switchyard"))
        .ok_or_else(|| anyhow::anyhow!("cannot find the switchyard binary; pass --switchyard"))?;
    let mock = args
        .mock
        .clone()
        .or_else(|| sibling("bench-mock"))
        .ok_or_else(|| anyhow::anyhow!("cannot find bench-mock; pass --mock"))?;
    let forwarder = args
        .forwarder
        .clone()
        .or_else(|| sibling("bench-forwarder"))
        .ok_or_else(|| anyhow::anyhow!("cannot find bench-forwarder; pass --forwarder"))?;
    for binary in [&switchyard, &mock, &forwarder] {
        anyhow::ensure!(
            binary.exists(),
            "{} does not exist; build it first",
            binary.display()
        );
    }
    anyhow::ensure!(
        args.phase_secs > 0.0 && args.phase_secs <= 30.0,
        "--phase-secs must be in (0, 30]"
    );
    let work_dir = std::env::temp_dir().join(format!("switchyard-bench-{}", std::process::id()));
    let options = Options {
        switchyard,
        mock,
        forwarder,
        phase: Duration::from_secs_f64(args.phase_secs),
        work_dir: work_dir.clone(),
        compare_bodies: !args.no_bodies_comparison,
        allocations: Some(ALLOCATOR),
    };
    let runtime = if args.client_threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.client_threads)
            .enable_all()
            .build()?
    };
    eprintln!(
        "switchyard-bench: running (about {:.0} s); work dir {}",
        args.phase_secs * 35.0 + 10.0,
        work_dir.display()
    );
    let started = Instant::now();
    let outcome = scenario::run(&options, &runtime);
    if !args.keep {
        let _ = std::fs::remove_dir_all(&work_dir);
    }
    let outcome = outcome?;
    let (met, missed) = outcome.table.score();
    let mut report = String::new();
    report.push_str(&switchyard_bench::machine::describe());
    report.push_str(&format!(
        "- run: {:.0} s, {:.1} s per phase, load generator on {} thread(s), gateway with RUST_LOG=warn\n\n",
        started.elapsed().as_secs_f64(),
        args.phase_secs,
        args.client_threads.max(1)
    ));
    report.push_str(&outcome.table.markdown());
    report.push('\n');
    for note in &outcome.notes {
        report.push_str(&format!("- {note}\n"));
    }
    report.push_str(&format!("\n{met} targets met, {missed} missed.\n"));
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(report.as_bytes())?;
    stdout.flush()?;
    if let Some(path) = &args.out {
        std::fs::write(path, &report)?;
    }
    Ok(missed == 0)
}

/// Load against one address, then one line of results.
#[allow(clippy::print_stdout)]
fn load_only(
    addr: std::net::SocketAddr,
    model: &str,
    concurrency: usize,
    secs: f64,
    stream: bool,
) -> anyhow::Result<bool> {
    anyhow::ensure!(
        addr.ip().is_loopback(),
        "load goes to loopback addresses only"
    );
    anyhow::ensure!(secs > 0.0 && secs <= 600.0, "--secs must be in (0, 600]");
    let body = scenario::chat_body(model, stream);
    let target = Target::post(addr, "/v1/chat/completions", body, stream, &[])?;
    let phase = Phase {
        concurrency: concurrency.clamp(1, 4096),
        warmup: 5,
        duration: Duration::from_secs_f64(secs),
        max_requests: 10_000_000,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let sample = runtime.block_on(load::run(&target, phase));
    println!(
        "{} ok, {} non-2xx, {} errors; {}; p50 {}, p99 {}{}",
        sample.ok,
        sample.failed,
        sample.errors,
        per_sec(sample.throughput()),
        ms(sample.latency.value_at_quantile(0.5)),
        ms(sample.latency.value_at_quantile(0.99)),
        sample
            .first_problem
            .as_deref()
            .map_or(String::new(), |p| format!("; first problem: {p}"))
    );
    Ok(sample.failed + sample.errors == 0)
}

/// Prints the dashboard views' latency at each history size, the writer's pace and the
/// database's weight; Ok(true) when every target is met.
fn dashboard(args: &Args, sizes: &[u64], repeats: u32) -> anyhow::Result<bool> {
    use switchyard_bench::dashboard::{self, REQUESTS_PAGE_TARGET, VIEW_TARGET};
    anyhow::ensure!(!sizes.is_empty(), "--rows needs at least one size");
    let switchyard = args
        .switchyard
        .clone()
        .or_else(|| sibling("switchyard"))
        .ok_or_else(|| anyhow::anyhow!("cannot find the switchyard binary; pass --switchyard"))?;
    let work_dir =
        std::env::temp_dir().join(format!("switchyard-bench-dashboard-{}", std::process::id()));
    let started = Instant::now();
    let measured = dashboard::run(&dashboard::Options {
        switchyard,
        work_dir: work_dir.clone(),
        sizes: sizes.to_vec(),
        repeats: repeats.max(1),
        keep: args.keep,
    });
    if !args.keep {
        let _ = std::fs::remove_dir_all(&work_dir);
    }
    let measured = measured?;
    let mut out = format!(
        "History at scale: dashboard views over {} rows ({repeats} timed requests each, p50, \
         loopback, connect to close; whole run {:.0} s)\n\n| View | Request |",
        sizes
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(" and "),
        started.elapsed().as_secs_f64()
    );
    for size in &measured {
        out.push_str(&format!(" {} rows |", size.seeded.rows));
    }
    let last = measured.len() - 1;
    if last > 0 {
        out.push_str(" growth |");
    }
    out.push_str(&format!(
        "\n|---|---|{}\n",
        "---|".repeat(measured.len() + usize::from(last > 0))
    ));
    let mut met = true;
    for (i, first) in measured[0].timings.iter().enumerate() {
        out.push_str(&format!(
            "| {} | `{}` |",
            first.page,
            first.path.split('?').next().unwrap_or("")
        ));
        let target = if first.page.starts_with("Requests,") {
            REQUESTS_PAGE_TARGET
        } else {
            VIEW_TARGET
        };
        for size in &measured {
            let t = &size.timings[i];
            out.push_str(&format!(" {} |", ms(t.p50.as_nanos() as u64)));
        }
        let biggest = &measured[last].timings[i];
        let growth = biggest.p50.as_secs_f64() / first.p50.as_secs_f64().max(1e-9);
        if last > 0 {
            out.push_str(&format!(" {growth:.1}× |"));
        }
        out.push('\n');
        met &= biggest.p50 <= target && (last == 0 || growth <= 2.0);
    }
    out.push_str("\n| History | rows/s written | generator busy | raw bodies | DB file | DB / raw bodies | bytes per row | without bodies | roll-up rows |\n|---|---|---|---|---|---|---|---|---|\n");
    for size in &measured {
        let s = &size.seeded;
        let rate = s.rows as f64 / s.elapsed.as_secs_f64();
        let ratio = size.file_bytes as f64 / s.raw_body_bytes.max(1) as f64;
        out.push_str(&format!(
            "| {} rows | {} | {:.0} % | {:.0} MiB | {:.0} MiB | {:.0} % | {} | {} | {} |\n",
            s.rows,
            per_sec(rate),
            100.0 * s.generating.as_secs_f64() / s.elapsed.as_secs_f64(),
            s.raw_body_bytes as f64 / 1048576.0,
            size.file_bytes as f64 / 1048576.0,
            100.0 * ratio,
            size.file_bytes / s.rows.max(1),
            (size.file_bytes - size.body_bytes.min(size.file_bytes)) / s.rows.max(1),
            size.rollup_rows,
        ));
        met &= rate >= 20_000.0 && ratio <= 0.40;
    }
    out.push_str("\nzstd on the bodies' 4 KB chunks, one core (what chose the store's level):\n\n| level | stored / raw | MB/s |\n|---|---|---|\n");
    for (level, ratio, speed) in dashboard::levels()? {
        out.push_str(&format!(
            "| {level} | {:.1} % | {speed:.0} |\n",
            ratio * 100.0
        ));
    }
    out.push_str(&format!(
        "\nTargets: every view ≤ {} ms p50 at the largest size (the Requests page ≤ {} ms), none \
         more than 2× slower than at the smallest; the writer ≥ 20,000 rows/s with bodies; the \
         database ≤ 40 % of the raw body bytes: {}.\n",
        VIEW_TARGET.as_millis(),
        REQUESTS_PAGE_TARGET.as_millis(),
        if met { "met" } else { "MISSED" }
    ));
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    if let Some(path) = &args.out {
        std::fs::write(path, &out)?;
    }
    Ok(met)
}

/// Prints the soak's readings; Ok(true) when memory stayed flat and history is whole.
fn soak(args: &Args, secs: u64) -> anyhow::Result<bool> {
    anyhow::ensure!((1..=86_400).contains(&secs), "--secs must be in [1, 86400]");
    let find = |given: &Option<PathBuf>, name: &str| {
        given
            .clone()
            .or_else(|| sibling(name))
            .filter(|p| p.exists())
            .ok_or_else(|| anyhow::anyhow!("cannot find {name}; build it or pass its path"))
    };
    let work_dir =
        std::env::temp_dir().join(format!("switchyard-bench-soak-{}", std::process::id()));
    eprintln!(
        "switchyard-bench: soak for {secs} s; work dir {}",
        work_dir.display()
    );
    let outcome = switchyard_bench::soak::run(&switchyard_bench::soak::Options {
        switchyard: find(&args.switchyard, "switchyard")?,
        mock: find(&args.mock, "bench-mock")?,
        work_dir: work_dir.clone(),
        duration: Duration::from_secs(secs),
    });
    if !args.keep {
        let _ = std::fs::remove_dir_all(&work_dir);
    }
    let outcome = outcome?;
    let out = outcome.markdown();
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    if let Some(path) = &args.out {
        std::fs::write(path, &out)?;
    }
    Ok(outcome.passed())
}
