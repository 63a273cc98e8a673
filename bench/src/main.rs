//! `switchyard-bench`: runs the benchmark (see `switchyard_bench::scenario`) and prints one
//! Markdown table, preceded by the machine it ran on. `make bench` builds and runs it.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use switchyard_bench::load::{self, Phase, Target};
use switchyard_bench::report::{ms, per_sec};
use switchyard_bench::scenario::{self, Options};

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
    /// Time the dashboard's pages (admin API) over a long history, seeded into SQLite
    Dashboard {
        /// History rows to seed
        #[arg(long, default_value_t = 100_000)]
        rows: u64,
        /// Timed requests per page (after one warm-up)
        #[arg(long, default_value_t = 30)]
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
        Some(Command::Dashboard { rows, repeats }) => dashboard(&args, *rows, *repeats),
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

/// Prints one Markdown table of the dashboard pages' latency; Ok(true) when the Requests
/// page's first page answered within 200 ms at p50.
fn dashboard(args: &Args, rows: u64, repeats: u32) -> anyhow::Result<bool> {
    let switchyard = args
        .switchyard
        .clone()
        .or_else(|| sibling("switchyard"))
        .ok_or_else(|| anyhow::anyhow!("cannot find the switchyard binary; pass --switchyard"))?;
    let work_dir =
        std::env::temp_dir().join(format!("switchyard-bench-dashboard-{}", std::process::id()));
    let seeded = Instant::now();
    let timings = switchyard_bench::dashboard::run(&switchyard_bench::dashboard::Options {
        switchyard,
        work_dir: work_dir.clone(),
        rows,
        repeats: repeats.max(1),
    });
    if !args.keep {
        let _ = std::fs::remove_dir_all(&work_dir);
    }
    let timings = timings?;
    let mut out = format!(
        "Dashboard pages over {rows} history rows ({repeats} timed requests each, loopback, \
         connect to close; whole run {:.1} s)\n\n\
         | Page | Request | p50 | p99 | max | answer size |\n|---|---|---|---|---|---|\n",
        seeded.elapsed().as_secs_f64()
    );
    for t in &timings {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {:.1} KiB |\n",
            t.page,
            t.path,
            ms(t.p50.as_nanos() as u64),
            ms(t.p99.as_nanos() as u64),
            ms(t.max.as_nanos() as u64),
            t.bytes as f64 / 1024.0
        ));
    }
    let first = timings
        .first()
        .ok_or_else(|| anyhow::anyhow!("no page was measured"))?;
    let met = first.p50 <= Duration::from_millis(200);
    out.push_str(&format!(
        "\nTarget: the Requests page's first page in under 200 ms: {} (p50 {}).\n",
        if met { "met" } else { "MISSED" },
        ms(first.p50.as_nanos() as u64)
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
