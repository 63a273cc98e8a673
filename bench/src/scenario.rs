//! What `make bench` runs, in what order, and how each figure in the table is derived.
//!
//! One fast mock serves both the direct baseline and Switchyard's upstream, and every
//! comparison is made in the same run, direct first and then through the gateway (the c=1
//! and streaming ones interleaved in rounds, so slow drift in the machine's load hits both
//! sides alike). "Added" is the difference of the two percentiles, not a percentile of
//! per-request differences.
//!
//! The gateway runs with `RUST_LOG=warn` and, for the main run, `[logging] store_bodies =
//! true` (the default a user gets); a second, shorter run with `store_bodies = false` shows
//! what keeping bodies costs.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::runtime::Runtime;

use crate::allocations;
use crate::load::{self, Phase, Sample, Target};
use crate::processes::{self, ANTHROPIC_KEY_ENV, Gateway, Readiness};
use crate::procfs::{self, RssSampler};
use crate::report::{Table, added_ms, mib, ms, per_sec};

/// The scaling curve's concurrency levels.
const LEVELS: [usize; 5] = [1, 4, 16, 64, 256];
/// Rounds of direct-then-proxy for the c=1 measurements.
const ROUNDS: u32 = 3;
/// Timed requests per worker at most, whatever the duration (a bound, not a goal).
const MAX_PER_WORKER: u64 = 1_000_000;
/// How many times the start-up is measured (the first with a new data dir).
const STARTS: usize = 5;

#[derive(Debug, Clone)]
pub struct Options {
    pub switchyard: PathBuf,
    pub mock: PathBuf,
    pub forwarder: PathBuf,
    /// Length of one measured phase (c=1 rounds are half of it).
    pub phase: Duration,
    /// Config, data dirs and the gateway's log go here.
    pub work_dir: PathBuf,
    /// Also run the gateway with `store_bodies = false`.
    pub compare_bodies: bool,
    /// The bench binary's counting allocator: when given, the 2 MiB image request's bytes
    /// allocated are counted in a gateway run inside this process.
    pub allocations: Option<allocations::Counter>,
}

#[derive(Debug)]
pub struct Outcome {
    pub table: Table,
    /// Context for the table: noise, anything odd.
    pub notes: Vec<String>,
}

/// The requests the benchmark sends, each to the mock directly and through the gateway.
struct Targets {
    chat: (Target, Target),
    /// The pass-through request through the gateway, answered from its response cache.
    chat_cached: Target,
    translated: (Target, Target),
    chat_stream: (Target, Target),
    translated_stream: (Target, Target),
    chat_paced: (Target, Target),
    translated_paced: (Target, Target),
    /// A 2 MiB base64 image, OpenAI format through the gateway to an Anthropic provider.
    translated_image: (Target, Target),
}

impl Targets {
    fn new(mock: std::net::SocketAddr, gateway: std::net::SocketAddr) -> anyhow::Result<Targets> {
        let anthropic = [
            ("x-api-key", "bench-fake-anthropic-key"),
            ("anthropic-version", "2023-06-01"),
        ];
        let chat = |addr, model: &str, stream| {
            Target::post(
                addr,
                "/v1/chat/completions",
                chat_body(model, stream),
                stream,
                &[],
            )
        };
        let messages = |model: &str, stream| {
            Target::post(
                mock,
                "/v1/messages",
                messages_body(model, stream),
                stream,
                &anthropic,
            )
        };
        Ok(Targets {
            chat: (
                chat(mock, "bench", false)?,
                chat(gateway, "oai/bench", false)?,
            ),
            chat_cached: Target::post(
                gateway,
                "/v1/chat/completions",
                chat_body("oai/bench", false),
                false,
                &[("x-switchyard-cache-ttl", "3600")],
            )?,
            translated: (
                messages("claude-x", false)?,
                chat(gateway, "anth/claude-x", false)?,
            ),
            chat_stream: (
                chat(mock, "bench-s64", true)?,
                chat(gateway, "oai/bench-s64", true)?,
            ),
            translated_stream: (
                messages("claude-x-s64", true)?,
                chat(gateway, "anth/claude-x-s64", true)?,
            ),
            chat_paced: (
                chat(mock, "bench-s64-p20", true)?,
                chat(gateway, "oai/bench-s64-p20", true)?,
            ),
            translated_paced: (
                messages("claude-x-s64-p20", true)?,
                chat(gateway, "anth/claude-x-s64-p20", true)?,
            ),
            translated_image: (
                Target::post(
                    mock,
                    "/v1/messages",
                    image_messages_body("claude-x"),
                    false,
                    &anthropic,
                )?,
                Target::post(
                    gateway,
                    "/v1/chat/completions",
                    image_chat_body("anth/claude-x"),
                    false,
                    &[],
                )?,
            ),
        })
    }
}

/// A short code-completion request, the kind an editor sends on a keystroke.
pub fn chat_body(model: &str, stream: bool) -> String {
    format!(
        r#"{{"model":"{model}","messages":[{{"role":"system","content":"You complete code. Answer with code only."}},{{"role":"user","content":"Complete: fn main() {{"}}],"max_tokens":64,"temperature":0,"stream":{stream}}}"#
    )
}

/// The length of the large request's image, as base64 text.
pub const IMAGE_BASE64_BYTES: usize = 2 << 20;

/// Base64 text of [`IMAGE_BASE64_BYTES`]: a PNG signature, then the alphabet over and over
/// (nothing on the way decodes the pixels).
fn image_base64() -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::with_capacity(IMAGE_BASE64_BYTES);
    text.push_str("iVBORw0KGgo");
    while text.len() < IMAGE_BASE64_BYTES {
        text.push(char::from(ALPHABET[text.len() % 64]));
    }
    text
}

/// A question about a picture, OpenAI format (a `data:` URL), as a vision client sends it.
pub fn image_chat_body(model: &str) -> String {
    let image = image_base64();
    format!(
        r#"{{"model":"{model}","max_tokens":64,"messages":[{{"role":"user","content":[{{"type":"text","text":"What is in this picture?"}},{{"type":"image_url","image_url":{{"url":"data:image/png;base64,{image}"}}}}]}}]}}"#
    )
}

/// The same question in Anthropic's format, sent straight to the mock.
fn image_messages_body(model: &str) -> String {
    let image = image_base64();
    format!(
        r#"{{"model":"{model}","max_tokens":64,"messages":[{{"role":"user","content":[{{"type":"text","text":"What is in this picture?"}},{{"type":"image","source":{{"type":"base64","media_type":"image/png","data":"{image}"}}}}]}}]}}"#
    )
}

fn messages_body(model: &str, stream: bool) -> String {
    format!(
        r#"{{"model":"{model}","max_tokens":64,"system":"You complete code. Answer with code only.","messages":[{{"role":"user","content":"Complete: fn main() {{"}}],"stream":{stream}}}"#
    )
}

/// Providers `oai` (OpenAI-compatible, pass-through) and `anth` (Anthropic, translated for
/// OpenAI clients), both the fast mock, with prices so cost accounting runs as for a user.
pub fn write_config(
    dir: &Path,
    name: &str,
    mock: std::net::SocketAddr,
    store_bodies: bool,
) -> anyhow::Result<PathBuf> {
    let path = dir.join(name);
    let text = format!(
        r#"[server]
listen = "127.0.0.1:4545"

[logging]
store_bodies = {store_bodies}
retention_days = 30

[[providers]]
id = "oai"
kind = "openai-compatible"
base_url = "http://{mock}/v1"
models = ["bench"]

[[providers]]
id = "anth"
kind = "anthropic"
base_url = "http://{mock}"
key_env = "{ANTHROPIC_KEY_ENV}"
models = ["claude-x"]

[prices."oai/bench"]
input = 2.0
output = 8.0

[prices."anth/claude-x"]
input = 3.0
output = 15.0
"#
    );
    std::fs::write(&path, text)?;
    Ok(path)
}

fn c1(phase: Duration) -> Phase {
    Phase {
        concurrency: 1,
        warmup: 50,
        duration: phase / 2,
        max_requests: MAX_PER_WORKER,
    }
}

fn at(concurrency: usize, phase: Duration) -> Phase {
    Phase {
        concurrency,
        warmup: 5,
        duration: phase,
        max_requests: MAX_PER_WORKER,
    }
}

/// Direct then proxied, `rounds` times, merged per side.
fn interleaved(
    rt: &Runtime,
    pair: &(Target, Target),
    phase: Phase,
    rounds: u32,
) -> (Sample, Sample) {
    let mut samples = rotation(rt, &[&pair.0, &pair.1], phase, rounds).into_iter();
    let direct = samples.next().unwrap_or_default();
    let proxy = samples.next().unwrap_or_default();
    (direct, proxy)
}

/// Each target in turn, `rounds` times; one merged sample per target.
fn rotation(rt: &Runtime, targets: &[&Target], phase: Phase, rounds: u32) -> Vec<Sample> {
    let mut samples: Vec<Sample> = targets.iter().map(|_| Sample::new()).collect();
    for _ in 0..rounds {
        for (target, sample) in targets.iter().zip(&mut samples) {
            sample.merge(&rt.block_on(load::run(target, phase)));
        }
    }
    samples
}

/// `target` sent to another address instead (Host header included).
pub fn retarget(target: &Target, addr: std::net::SocketAddr) -> Target {
    let mut moved = target.clone();
    moved.addr = addr;
    if let Ok(host) = hyper::header::HeaderValue::from_str(&addr.to_string()) {
        moved.headers.insert(hyper::header::HOST, host);
    }
    moved
}

/// Runs a load phase, and the CPU time (user + system) `pid` spent on each of its requests.
fn with_cpu(pid: u32, run: impl FnOnce() -> Sample) -> (Sample, Option<Duration>) {
    let before = procfs::cpu_time(pid);
    let sample = run();
    let after = procfs::cpu_time(pid);
    let requests = (sample.ok + sample.failed).clamp(1, u64::from(u32::MAX)) as u32;
    let per_request = before
        .zip(after)
        .map(|(before, after)| after.saturating_sub(before) / requests);
    (sample, per_request)
}

fn p(sample: &Sample, q: f64) -> u64 {
    sample.latency.value_at_quantile(q)
}

/// Latency rows (p50 and p99) for a c=1 comparison, checked against the added-latency targets.
fn latency_rows(table: &mut Table, what: &str, direct: &Sample, proxy: &Sample, checked: bool) {
    for (q, label, limit_ms) in [(0.5, "p50", 0.1), (0.99, "p99", 0.5)] {
        let (d, x) = (p(direct, q), p(proxy, q));
        let added = x.saturating_sub(d);
        let metric = format!("{what}, {label}");
        if checked {
            table.check(
                &metric,
                ms(d),
                ms(x),
                added_ms(x, d),
                &format!("≤ +{limit_ms} ms"),
                (added as f64) <= limit_ms * 1e6,
            );
        } else {
            table.info(&metric, ms(d), ms(x), added_ms(x, d));
        }
    }
}

fn rate_and_p99(sample: &Sample) -> String {
    format!(
        "{} · p99 {}",
        per_sec(sample.throughput()),
        ms(p(sample, 0.99))
    )
}

fn ratio(direct: &Sample, proxy: &Sample) -> f64 {
    let d = direct.throughput();
    if d > 0.0 { proxy.throughput() / d } else { 0.0 }
}

/// Collects anything that went wrong in a sample, for the notes.
fn problems(notes: &mut Vec<String>, what: &str, sample: &Sample) {
    if sample.failed + sample.errors > 0 {
        notes.push(format!(
            "{what}: {} non-2xx answers, {} transport errors; first: {}",
            sample.failed,
            sample.errors,
            sample.first_problem.as_deref().unwrap_or("?")
        ));
    }
}

pub fn run(options: &Options, rt: &Runtime) -> anyhow::Result<Outcome> {
    let mut table = Table::default();
    let mut notes = vec![format!("at start: {}", crate::machine::busyness())];
    std::fs::create_dir_all(&options.work_dir)?;
    let mock = processes::start_mock(&options.mock)?;
    let config = write_config(&options.work_dir, "config.toml", mock.addr, true)?;
    let log = options.work_dir.join("switchyard.log");
    let phase = options.phase;

    // Start-up: the first start creates the data dir, the database and the admin token.
    let starts_dir = options.work_dir.join("data-starts");
    let mut starts: Vec<Readiness> = Vec::new();
    for _ in 0..STARTS {
        let (mut gateway, ready) =
            processes::start_gateway(&options.switchyard, &config, &starts_dir, &log, "warn")?;
        starts.push(ready);
        gateway.process.terminate(Duration::from_secs(10))?;
    }

    let (gateway, _) = processes::start_gateway(
        &options.switchyard,
        &config,
        &options.work_dir.join("data"),
        &log,
        "warn",
    )?;
    let pid = gateway.process.pid();
    std::thread::sleep(Duration::from_secs(1));
    let idle_rss = procfs::status_kib(pid, "VmRSS").unwrap_or(0);
    let sampler = RssSampler::start(pid, Duration::from_millis(10));
    let targets = Targets::new(mock.addr, gateway.addr)?;
    // Every complete answer the gateway gave: what the history must hold at the end.
    let mut answered = 0u64;

    // Latency at concurrency 1: direct, through Switchyard, and through the bare forwarder
    // (the floor), in turn.
    let (forwarder, forwarder_addr) = processes::start_forwarder(&options.forwarder, mock.addr)?;
    let floor_target = retarget(&targets.chat.0, forwarder_addr);
    let mut c1_samples = rotation(
        rt,
        &[
            &targets.chat.0,
            &targets.chat.1,
            &floor_target,
            &targets.chat_cached,
        ],
        c1(phase),
        ROUNDS,
    )
    .into_iter();
    let chat_d = c1_samples.next().unwrap_or_default();
    let chat_p = c1_samples.next().unwrap_or_default();
    let floor_c1 = c1_samples.next().unwrap_or_default();
    let cached_c1 = c1_samples.next().unwrap_or_default();
    answered += chat_p.answered + cached_c1.answered;
    problems(&mut notes, "c=1 cache hit", &cached_c1);
    let (tr_d, tr_p) = interleaved(rt, &targets.translated, c1(phase), ROUNDS);
    answered += tr_p.answered;
    let image_phase = Phase {
        warmup: 3,
        ..c1(phase)
    };
    let image_floor = retarget(&targets.translated_image.0, forwarder_addr);
    let mut image_samples = rotation(
        rt,
        &[
            &targets.translated_image.0,
            &targets.translated_image.1,
            &image_floor,
        ],
        image_phase,
        ROUNDS,
    )
    .into_iter();
    let img_d = image_samples.next().unwrap_or_default();
    let img_p = image_samples.next().unwrap_or_default();
    let img_floor = image_samples.next().unwrap_or_default();
    answered += img_p.answered;
    problems(&mut notes, "c=1 2 MiB image", &img_p);
    problems(&mut notes, "c=1 pass-through", &chat_p);
    problems(&mut notes, "c=1 translated", &tr_p);

    // The scaling curve, pass-through JSON.
    let mut curve = Vec::new();
    let mut c64_peak = 0;
    let mut c256_peak = 0;
    let mut c64_cpu = None;
    let mut floor_c64: Option<Sample> = None;
    let mut floor_cpu = None;
    let mut lag = None;
    for &level in &LEVELS {
        let direct = rt.block_on(load::run(&targets.chat.0, at(level, phase)));
        sampler.take_peak();
        let (proxy, cpu) = with_cpu(pid, || {
            rt.block_on(load::run(&targets.chat.1, at(level, phase)))
        });
        let peak = sampler.take_peak();
        answered += proxy.answered;
        problems(&mut notes, &format!("c={level} direct"), &direct);
        problems(&mut notes, &format!("c={level} proxy"), &proxy);
        if level == 64 {
            c64_peak = peak;
            c64_cpu = cpu;
            let (floor, cpu) = with_cpu(forwarder.pid(), || {
                rt.block_on(load::run(&floor_target, at(level, phase)))
            });
            floor_cpu = cpu;
            floor_c64 = Some(floor);
        }
        if level == 256 {
            c256_peak = peak;
            lag = Some(writer_lag(&gateway, proxy.last_answer, answered));
        }
        curve.push((level, direct, proxy));
    }
    let tr64_d = rt.block_on(load::run(&targets.translated.0, at(64, phase)));
    let (tr64_p, tr64_cpu) = with_cpu(pid, || {
        rt.block_on(load::run(&targets.translated.1, at(64, phase)))
    });
    answered += tr64_p.answered;
    problems(&mut notes, "c=64 translated", &tr64_p);

    // Streaming: time to first event (unpaced, c=1), then gaps between paced events.
    let stream_c1 = Phase {
        warmup: 10,
        ..c1(phase)
    };
    let (st_d, st_p) = interleaved(rt, &targets.chat_stream, stream_c1, 2);
    answered += st_p.answered;
    let (tst_d, tst_p) = interleaved(rt, &targets.translated_stream, stream_c1, 2);
    answered += tst_p.answered;
    let paced = Phase {
        concurrency: 8,
        warmup: 0,
        duration: Duration::from_secs(30),
        max_requests: 2,
    };
    let (pace_d, pace_p) = interleaved(rt, &targets.chat_paced, paced, 1);
    answered += pace_p.answered;
    let (tpace_d, tpace_p) = interleaved(rt, &targets.translated_paced, paced, 1);
    answered += tpace_p.answered;
    for (what, sample) in [
        ("stream pass-through", &st_p),
        ("stream translated", &tst_p),
        ("paced pass-through", &pace_p),
        ("paced translated", &tpace_p),
    ] {
        problems(&mut notes, what, sample);
    }

    // After the load: memory, then the history (graceful stop, then count rows).
    std::thread::sleep(Duration::from_secs(2));
    let after_rss = procfs::status_kib(pid, "VmRSS").unwrap_or(0);
    let hwm = procfs::status_kib(pid, "VmHWM").unwrap_or(0);
    drop(sampler);
    let settled = settle(&gateway).ok();
    let mut gateway = gateway;
    let stopped = gateway.process.terminate(Duration::from_secs(20));
    if let Err(e) = &stopped {
        notes.push(format!("graceful stop: {e:#}"));
    }
    let rows = gateway.history_rows().ok();

    // The same gateway without request/response bodies in the history.
    let lean = if options.compare_bodies {
        Some(lean_run(options, rt, &mock, &targets, &log)?)
    } else {
        None
    };
    // What the large request allocates, counted in a gateway inside this process.
    let image_allocations = options.allocations.map(|counter| {
        let (direct, through) = &targets.translated_image;
        let data_dir = options.work_dir.join("data-allocations");
        allocations::image_request(counter, &config, &data_dir, direct, through)
    });
    drop(mock);
    notes.push(format!("at end: {}", crate::machine::busyness()));

    // ---- The table ----
    table.section("Added latency, 1 request in flight (JSON answer)");
    latency_rows(
        &mut table,
        "pass-through (OpenAI → OpenAI)",
        &chat_d,
        &chat_p,
        true,
    );
    latency_rows(
        &mut table,
        "translated (OpenAI → Anthropic)",
        &tr_d,
        &tr_p,
        true,
    );
    latency_rows(
        &mut table,
        "floor: bare hyper forwarder, no logic",
        &chat_d,
        &floor_c1,
        false,
    );
    // The cache-hit path against the pass-through path, both through Switchyard: "direct" is
    // the pass-through answer here, "proxy" the same request answered from the cache.
    for (q, label) in [(0.5, "p50"), (0.99, "p99")] {
        let (passed, hit) = (p(&chat_p, q), p(&cached_c1, q));
        table.check(
            &format!("cache hit vs pass-through (both via Switchyard), {label}"),
            ms(passed),
            ms(hit),
            added_ms(hit, passed),
            "≤ pass-through",
            hit <= passed,
        );
    }
    if let Some(lean) = &lean {
        latency_rows(
            &mut table,
            "pass-through, store_bodies = false",
            &lean.c1.0,
            &lean.c1.1,
            false,
        );
    }

    table.section("Throughput and p99 by concurrency (pass-through JSON)");
    for (level, direct, proxy) in &curve {
        let r = ratio(direct, proxy);
        let added = format!("×{r:.2}, p99 {}", added_ms(p(proxy, 0.99), p(direct, 0.99)));
        let metric = format!("c={level}");
        if *level == 64 {
            table.check(
                &metric,
                rate_and_p99(direct),
                rate_and_p99(proxy),
                added,
                "≥ ×0.50",
                r >= 0.5,
            );
        } else {
            table.info(&metric, rate_and_p99(direct), rate_and_p99(proxy), added);
        }
    }
    if let Some(floor) = &floor_c64
        && let Some((_, direct, _)) = curve.iter().find(|(level, _, _)| *level == 64)
    {
        let r = ratio(direct, floor);
        table.info(
            "c=64 floor: bare hyper forwarder, no logic",
            rate_and_p99(direct),
            rate_and_p99(floor),
            format!("×{r:.2}, p99 {}", added_ms(p(floor, 0.99), p(direct, 0.99))),
        );
    }
    let r = ratio(&tr64_d, &tr64_p);
    table.check(
        "c=64 translated (OpenAI → Anthropic)",
        rate_and_p99(&tr64_d),
        rate_and_p99(&tr64_p),
        format!(
            "×{r:.2}, p99 {}",
            added_ms(p(&tr64_p, 0.99), p(&tr64_d, 0.99))
        ),
        "≥ ×0.50",
        r >= 0.5,
    );
    if let Some(lean) = &lean {
        let r = ratio(&lean.c64.0, &lean.c64.1);
        table.info(
            "c=64, store_bodies = false",
            rate_and_p99(&lean.c64.0),
            rate_and_p99(&lean.c64.1),
            format!(
                "×{r:.2}, p99 {}",
                added_ms(p(&lean.c64.1, 0.99), p(&lean.c64.0, 0.99))
            ),
        );
    }
    let floor_us = floor_cpu.map(|cpu| cpu.as_secs_f64() * 1e6);
    let versus_floor = |us: f64| match floor_us {
        Some(floor) => format!("{:.1} µs more than the forwarder", us - floor),
        None => String::new(),
    };
    if let Some(cpu) = c64_cpu {
        let us = cpu.as_secs_f64() * 1e6;
        table.check(
            "CPU per request at c=64, pass-through (user + system)",
            "—".into(),
            format!("{us:.1} µs"),
            versus_floor(us),
            "≤ 45 µs",
            us <= 45.0,
        );
    }
    if let Some(cpu) = tr64_cpu {
        let us = cpu.as_secs_f64() * 1e6;
        table.info(
            "CPU per request at c=64, translated",
            "—".into(),
            format!("{us:.1} µs"),
            versus_floor(us),
        );
    }
    if let Some(floor) = floor_us {
        table.info(
            "CPU per request at c=64, floor: bare hyper forwarder",
            "—".into(),
            format!("{floor:.1} µs"),
            String::new(),
        );
    }

    table.section("A 2 MiB base64 image, translated (OpenAI → Anthropic), c=1");
    for (q, label) in [(0.5, "p50"), (0.99, "p99")] {
        let (d, x) = (p(&img_d, q), p(&img_p, q));
        table.info(
            &format!("added latency, {label}"),
            ms(d),
            ms(x),
            added_ms(x, d),
        );
    }
    let (d, f) = (p(&img_d, 0.5), p(&img_floor, 0.5));
    table.info(
        "floor: bare hyper forwarder, same image (Anthropic body), p50",
        ms(d),
        ms(f),
        added_ms(f, d),
    );
    match &image_allocations {
        Some(Ok(counted)) => table.check(
            "bytes allocated in the gateway per request",
            format!("{} body", mib(counted.body_bytes as u64 / 1024)),
            mib(counted.per_request / 1024),
            format!("{:.1}× the body", counted.bodies()),
            "≤ 3× (read + 2 copies)",
            counted.bodies() <= 3.0,
        ),
        Some(Err(e)) => notes.push(format!("image allocations not measured: {e:#}")),
        None => notes.push("image allocations not measured: no counting allocator".into()),
    }

    table.section("Streaming (SSE)");
    for (what, direct, proxy) in [
        (
            "first event, pass-through (64 events unpaced, c=1)",
            &st_d,
            &st_p,
        ),
        (
            "first event, translated (64 events unpaced, c=1)",
            &tst_d,
            &tst_p,
        ),
    ] {
        let (d, x) = (
            direct.first_event.value_at_quantile(0.5),
            proxy.first_event.value_at_quantile(0.5),
        );
        table.check(
            &format!("{what}, p50"),
            ms(d),
            ms(x),
            added_ms(x, d),
            "≤ +0.2 ms",
            x.saturating_sub(d) <= 200_000,
        );
        let (d, x) = (
            direct.first_event.value_at_quantile(0.99),
            proxy.first_event.value_at_quantile(0.99),
        );
        table.info(&format!("{what}, p99"), ms(d), ms(x), added_ms(x, d));
    }
    for (what, direct, proxy) in [
        (
            "paced pass-through (64 events × 20 ms, 8 streams)",
            &pace_d,
            &pace_p,
        ),
        (
            "paced translated (64 events × 20 ms, 8 streams)",
            &tpace_d,
            &tpace_p,
        ),
    ] {
        let (d, x) = (
            direct.gaps.value_at_quantile(0.5),
            proxy.gaps.value_at_quantile(0.5),
        );
        table.check(
            &format!("{what}: gap between events, p50"),
            ms(d),
            ms(x),
            added_ms(x, d),
            "no added gap (≤ +0.1 ms)",
            x.saturating_sub(d) <= 100_000,
        );
        let (d, x) = (
            direct.gaps.value_at_quantile(0.99),
            proxy.gaps.value_at_quantile(0.99),
        );
        table.info(&format!("{what}: gap, p99"), ms(d), ms(x), added_ms(x, d));
        let (d, x) = (
            direct.latency.value_at_quantile(0.5),
            proxy.latency.value_at_quantile(0.5),
        );
        table.info(
            &format!("{what}: whole stream, p50"),
            ms(d),
            ms(x),
            added_ms(x, d),
        );
    }

    table.section("Memory (switchyard RSS, /proc/PID/status)");
    table.check(
        "idle, after start-up",
        "—".into(),
        mib(idle_rss),
        String::new(),
        "≤ 20 MiB",
        idle_rss <= 20 * 1024,
    );
    table.check(
        "peak under c=64 load (VmRSS every 10 ms)",
        "—".into(),
        mib(c64_peak),
        String::new(),
        "≤ 50 MiB",
        c64_peak > 0 && c64_peak <= 50 * 1024,
    );
    table.info(
        "peak under c=256 load",
        "—".into(),
        mib(c256_peak),
        String::new(),
    );
    table.info(
        "high-water mark over the whole run (VmHWM)",
        "—".into(),
        mib(hwm),
        String::new(),
    );
    table.check(
        "2 s after the load",
        "—".into(),
        mib(after_rss),
        format!(
            "{:+.1} MiB vs idle",
            (after_rss as f64 - idle_rss as f64) / 1024.0
        ),
        "near idle (≤ idle + 5 MiB)",
        after_rss <= idle_rss + 5 * 1024,
    );

    table.section("Start-up (spawn → first TCP connect accepted / first /healthz 200)");
    if let Some(first) = starts.first() {
        table.check(
            "first start (new data dir: creates the database)",
            "—".into(),
            format!("{} / {}", ms_d(first.connect), ms_d(first.healthz)),
            String::new(),
            "≤ 100 ms",
            first.connect <= Duration::from_millis(100),
        );
    }
    let mut again: Vec<Readiness> = starts.iter().skip(1).copied().collect();
    again.sort_by_key(|r| r.connect);
    if let (Some(median), Some(worst)) = (again.get(again.len() / 2), again.last()) {
        table.check(
            &format!(
                "restart, existing data dir (median of {}, worst)",
                again.len()
            ),
            "—".into(),
            format!("{} / {}", ms_d(median.connect), ms_d(median.healthz)),
            format!("worst {}", ms_d(worst.connect)),
            "≤ 100 ms",
            worst.connect <= Duration::from_millis(100),
        );
    }

    table.section("History (every answered request is a row)");
    match rows {
        Some(rows) => table.check(
            "rows after graceful stop vs requests answered",
            format!("{answered} answered"),
            format!("{rows} rows"),
            format!("{} lost", answered as i64 - rows as i64),
            "0 lost",
            rows == answered,
        ),
        None => table.check(
            "rows after graceful stop",
            format!("{answered} answered"),
            "unreadable".into(),
            String::new(),
            "0 lost",
            false,
        ),
    }
    if let Some((enqueued, written)) = settled {
        table.info(
            "GET /api/status after the run: enqueued / written",
            "—".into(),
            format!("{enqueued} / {written}"),
            String::new(),
        );
    }
    match lag {
        Some(Ok(lag)) => table.info(
            "writer lag: last c=256 answer → written == enqueued",
            "—".into(),
            ms_d(lag),
            String::new(),
        ),
        Some(Err(e)) => notes.push(format!("writer lag not measured: {e:#}")),
        None => {}
    }
    if let Some(lean) = &lean {
        match lean.rows {
            Some(rows) => table.check(
                "store_bodies = false run: rows vs answered",
                format!("{} answered", lean.answered),
                format!("{rows} rows"),
                format!("{} lost", lean.answered as i64 - rows as i64),
                "0 lost",
                rows == lean.answered,
            ),
            None => notes.push("store_bodies = false run: history unreadable".into()),
        }
    }
    Ok(Outcome { table, notes })
}

fn ms_d(d: Duration) -> String {
    ms(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// Polls `/api/status` right after the last answer until everything handed to the history
/// writer is written; returns the time from that last answer. Also checks that the gateway
/// handed over exactly as many rows as it answered requests.
fn writer_lag(
    gateway: &Gateway,
    last_answer: Option<Instant>,
    answered: u64,
) -> anyhow::Result<Duration> {
    let last = last_answer.context("no answer at c=256")?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (enqueued, written) = gateway.history_progress()?;
        if written >= enqueued {
            if enqueued != answered {
                anyhow::bail!(
                    "{enqueued} rows handed to the writer for {answered} answered requests"
                );
            }
            return Ok(last.elapsed());
        }
        if Instant::now() > deadline {
            anyhow::bail!("written {written} of {enqueued} after 30 s");
        }
        std::thread::sleep(Duration::from_micros(500));
    }
}

/// Waits (bounded) until the writer has caught up; returns (enqueued, written).
fn settle(gateway: &Gateway) -> anyhow::Result<(u64, u64)> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (enqueued, written) = gateway.history_progress()?;
        if written >= enqueued || Instant::now() > deadline {
            return Ok((enqueued, written));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The `store_bodies = false` comparison: c=1 latency and c=64 throughput, each against the
/// mock directly in the same minutes.
struct Lean {
    c1: (Sample, Sample),
    c64: (Sample, Sample),
    answered: u64,
    rows: Option<u64>,
}

fn lean_run(
    options: &Options,
    rt: &Runtime,
    mock: &processes::Mock,
    targets: &Targets,
    log: &Path,
) -> anyhow::Result<Lean> {
    let config = write_config(&options.work_dir, "config-no-bodies.toml", mock.addr, false)?;
    let (mut gateway, _) = processes::start_gateway(
        &options.switchyard,
        &config,
        &options.work_dir.join("data-no-bodies"),
        log,
        "warn",
    )?;
    let pair = (
        targets.chat.0.clone(),
        retarget(&targets.chat.1, gateway.addr),
    );
    let c1 = interleaved(rt, &pair, c1(options.phase), ROUNDS);
    let c64 = interleaved(rt, &pair, at(64, options.phase), 1);
    let answered = c1.1.answered + c64.1.answered;
    gateway.process.terminate(Duration::from_secs(20))?;
    let rows = gateway.history_rows().ok();
    Ok(Lean {
        c1,
        c64,
        answered,
        rows,
    })
}
