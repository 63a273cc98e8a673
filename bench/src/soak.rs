//! `switchyard-bench soak`: a long run of mixed load through one gateway, to show its memory
//! does not creep. Ten minutes by default (`make bench` runs it after the table).
//!
//! The load turns every two seconds between the kinds of request people send: a pass-through
//! chat completion, one translated to Anthropic, both again as 64-chunk streams, and a model
//! name the gateway has never seen (a new one each turn), at 16 at a time. The gateway's
//! resident memory is read at the start (after a warm-up), the middle and the end, and its
//! peak is sampled every 100 ms; at the end the history must hold a row for every answer.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::load::{self, Phase, Target};
use crate::processes;
use crate::procfs::{self, RssSampler};
use crate::report::{mib, per_sec};
use crate::scenario::{chat_body, write_config};

#[derive(Debug, Clone)]
pub struct Options {
    pub switchyard: PathBuf,
    pub mock: PathBuf,
    pub work_dir: PathBuf,
    pub duration: Duration,
}

/// What the soak saw; [`Soak::markdown`] prints it.
#[derive(Debug)]
pub struct Soak {
    /// (label, seconds into the run, VmRSS KiB, answers so far)
    pub readings: Vec<(&'static str, f64, u64, u64)>,
    pub peak_kib: u64,
    pub answered: u64,
    pub failed: u64,
    pub history_rows: u64,
    pub elapsed: Duration,
}

/// Memory may grow this much from the middle of the run to its end before the soak counts
/// as creeping: past warm-up, a gateway that holds nothing per request stays flat.
const CREEP_ALLOWED_KIB: u64 = 8 * 1024;
const TURN: Duration = Duration::from_secs(2);
const CONCURRENCY: usize = 16;

impl Soak {
    /// Whether memory stayed flat and every answer has its history row.
    pub fn passed(&self) -> bool {
        let at = |label| {
            self.readings
                .iter()
                .find(|r| r.0 == label)
                .map_or(0, |r| r.2)
        };
        at("end").saturating_sub(at("middle")) <= CREEP_ALLOWED_KIB
            && self.history_rows >= self.answered
            && self.failed == 0
    }

    pub fn markdown(&self) -> String {
        let mut out = format!(
            "Soak: {:.0} s of mixed load at c={CONCURRENCY} ({} answers, {}, {} failed)\n\n\
             | Moment | Time | switchyard VmRSS | Answers so far |\n|---|---|---|---|\n",
            self.elapsed.as_secs_f64(),
            self.answered,
            per_sec(self.answered as f64 / self.elapsed.as_secs_f64().max(1e-9)),
            self.failed
        );
        for (label, secs, kib, answered) in &self.readings {
            out.push_str(&format!(
                "| {label} | {secs:.0} s | {} | {answered} |\n",
                mib(*kib)
            ));
        }
        out.push_str(&format!(
            "| peak (every 100 ms) | | {} | |\n\nHistory rows: {} for {} answers. \
             Target: VmRSS grows at most {} from the middle to the end, every answer recorded, \
             none failed: {}.\n",
            mib(self.peak_kib),
            self.history_rows,
            self.answered,
            mib(CREEP_ALLOWED_KIB),
            if self.passed() { "met" } else { "MISSED" }
        ));
        out
    }
}

pub fn run(options: &Options) -> anyhow::Result<Soak> {
    std::fs::create_dir_all(&options.work_dir)?;
    let mock = processes::start_mock(&options.mock)?;
    let config = write_config(&options.work_dir, "config.toml", mock.addr, true)?;
    let (mut gateway, _) = processes::start_gateway(
        &options.switchyard,
        &config,
        &options.work_dir.join("data"),
        &options.work_dir.join("switchyard.log"),
        "warn",
    )?;
    let pid = gateway.process.pid();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let chat = |model: &str, stream| {
        Target::post(
            gateway.addr,
            "/v1/chat/completions",
            chat_body(model, stream),
            stream,
            &[],
        )
    };
    let kinds = [
        chat("oai/bench", false)?,
        chat("anth/claude-x", false)?,
        chat("oai/bench-s64", true)?,
        chat("anth/claude-x-s64", true)?,
    ];

    let mut answered = 0u64;
    let mut failed = 0u64;
    let mut turn = 0usize;
    let mut one_turn = |answered: &mut u64, failed: &mut u64| -> anyhow::Result<()> {
        let invented;
        let target = match turn % (kinds.len() + 1) {
            i if i < kinds.len() => &kinds[i],
            _ => {
                invented = chat(&format!("oai/invented-{turn}"), false)?;
                &invented
            }
        };
        turn += 1;
        let phase = Phase {
            concurrency: CONCURRENCY,
            warmup: 0,
            duration: TURN,
            max_requests: u64::MAX,
        };
        let sample = runtime.block_on(load::run(target, phase));
        *answered += sample.answered;
        *failed += sample.failed + sample.errors;
        Ok(())
    };

    // Warm-up: every kind once, so pools, caches and allocator arenas exist.
    for _ in 0..=kinds.len() {
        one_turn(&mut answered, &mut failed)?;
    }
    let started = Instant::now();
    let sampler = RssSampler::start(pid, Duration::from_millis(100));
    let read = || procfs::status_kib(pid, "VmRSS").unwrap_or(0);
    let mut readings = vec![("start", 0.0, read(), answered)];
    let mut middle_taken = false;
    while started.elapsed() < options.duration {
        one_turn(&mut answered, &mut failed)?;
        if !middle_taken && started.elapsed() >= options.duration / 2 {
            readings.push(("middle", started.elapsed().as_secs_f64(), read(), answered));
            middle_taken = true;
        }
    }
    readings.push(("end", started.elapsed().as_secs_f64(), read(), answered));
    let peak_kib = sampler.take_peak();
    drop(sampler);
    let elapsed = started.elapsed();
    gateway.process.terminate(Duration::from_secs(30))?;
    let history_rows = gateway.history_rows()?;
    Ok(Soak {
        readings,
        peak_kib,
        answered,
        failed,
        history_rows,
        elapsed,
    })
}
