//! A history of the shape a developer's year of coding agents leaves, written through the
//! gateway's own history writer (the code a running gateway uses, roll-ups and compression
//! included), so seeding it also measures the writer.
//!
//! Shape: requests come in sessions, three at a time, as a developer runs agents: each session
//! keeps one client, client key, model and tags. A dozen models over six providers (one
//! unpriced, local), eight clients, a few client keys and tags, 4 % of requests failing. Bodies
//! are what agents send: 60 % of sessions are agent runs of 1 to 40 turns, each turn resending
//! the client's tool definitions (4 to 24 KB, the same for all its sessions) and the whole
//! conversation so far (about 1 KB more per turn), cut at 256 KB; the others are chats of 1 to
//! 3 turns. Answers are 0.2 to 4 KB. Text is cut from a pool of pseudo-words, so it compresses
//! like prose and code rather than like repeated bytes.

use std::time::{Duration, Instant};

use switchyard_gateway::history::{Attempt, History, Outcome, Record};
use switchyard_protocol::Usage;

/// `(provider, model, $ per 1M input, $ per 1M output, weight)`; a price of 0 is unpriced.
const MODELS: &[(&str, &str, f64, f64, u32)] = &[
    ("anthropic", "claude-sonnet-4-5", 3.0, 15.0, 30),
    ("anthropic", "claude-haiku-4-5", 1.0, 5.0, 10),
    ("anthropic", "claude-opus-4-1", 15.0, 75.0, 3),
    ("openai", "gpt-5", 1.25, 10.0, 15),
    ("openai", "gpt-5-mini", 0.25, 2.0, 10),
    ("openai", "gpt-4.1", 2.0, 8.0, 5),
    ("gemini", "gemini-2.5-pro", 1.25, 10.0, 8),
    ("gemini", "gemini-2.5-flash", 0.3, 2.5, 6),
    ("openrouter", "deepseek/deepseek-chat", 0.27, 1.1, 4),
    ("groq", "llama-3.3-70b-versatile", 0.59, 0.79, 3),
    ("mistral", "codestral-latest", 0.3, 0.9, 3),
    ("ollama", "qwen2.5-coder:14b", 0.0, 0.0, 3),
];
const CLIENTS: &[(&str, u32)] = &[
    ("claude-code", 35),
    ("codex", 25),
    ("gemini-cli", 8),
    ("opencode", 8),
    ("aider", 6),
    ("continue", 6),
    ("openai-python", 7),
    ("curl", 5),
];
const CLIENT_KEYS: &[(Option<&str>, u32)] = &[
    (None, 40),
    (Some("alice"), 20),
    (Some("bob"), 15),
    (Some("carol"), 10),
    (Some("ci"), 15),
];
const PROJECTS: &[&str] = &[
    "atlas", "billing", "web", "mobile", "infra", "docs", "search", "ml",
];
/// Stored bodies are cut here, as `max_stored_body_kb = 256` does.
const BODY_CAP: usize = 256 * 1024;

/// xorshift64*: deterministic, fast, no dependency.
#[derive(Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut pick = self.below(u64::from(total)) as u32;
        for (item, weight) in items {
            if pick < *weight {
                return *item;
            }
            pick -= weight;
        }
        items[0].0
    }
}

/// What seeding wrote and how fast.
#[derive(Debug, Clone, Copy)]
pub struct Seeded {
    pub rows: u64,
    pub raw_body_bytes: u64,
    pub elapsed: Duration,
    /// Of `elapsed`, the time spent making records (the rest: the writer's pace).
    pub generating: Duration,
}

/// Makes the records of a history of `rows` requests spread evenly over the `span_days` days
/// before `now_ms`, oldest first.
pub struct Generator {
    rng: Rng,
    pool: Vec<u8>,
    prefixes: Vec<(usize, usize)>,
    sessions: Vec<Session>,
    rows: u64,
    span_ms: i64,
    now_ms: i64,
    bodies: bool,
}

/// One agent run or chat: what stays the same from turn to turn, and the turns so far (as
/// places in the text pool).
struct Session {
    model: usize,
    client: usize,
    client_key: Option<&'static str>,
    tags: Vec<(String, String)>,
    agent: bool,
    /// Asks for the route alias `coder` rather than the model's own name.
    aliased: bool,
    turns_left: u64,
    turns: Vec<(usize, usize)>,
}

impl Session {
    fn new(rng: &mut Rng) -> Session {
        let models: Vec<(usize, u32)> = MODELS.iter().enumerate().map(|(i, m)| (i, m.4)).collect();
        let clients: Vec<(usize, u32)> =
            CLIENTS.iter().enumerate().map(|(i, c)| (i, c.1)).collect();
        let mut tags = Vec::new();
        if rng.below(100) < 40 {
            tags.push((
                "project".to_owned(),
                PROJECTS[rng.below(8) as usize].to_owned(),
            ));
        }
        if rng.below(100) < 15 {
            tags.push((
                "team".to_owned(),
                ["core", "apps", "data"][rng.below(3) as usize].to_owned(),
            ));
        }
        let agent = rng.below(100) < 60;
        Session {
            aliased: rng.below(5) == 0,
            model: rng.weighted(&models),
            client: rng.weighted(&clients),
            client_key: rng.weighted(CLIENT_KEYS),
            tags,
            agent,
            turns_left: if agent {
                1 + rng.below(40)
            } else {
                1 + rng.below(3)
            },
            turns: Vec::new(),
        }
    }
}

impl std::fmt::Debug for Generator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generator")
            .field("rows", &self.rows)
            .field("span_ms", &self.span_ms)
            .field("bodies", &self.bodies)
            .finish_non_exhaustive()
    }
}

impl Generator {
    pub fn new(rows: u64, span_days: i64, now_ms: i64, bodies: bool) -> Generator {
        let mut rng = Rng::new(0x5EED);
        let pool = text_pool(&mut rng, 4 << 20);
        // One tool-definition prefix per client, 4 to 24 KB, the same for all its requests.
        let prefixes = CLIENTS
            .iter()
            .map(|_| {
                let len = 4096 + rng.below(20 * 1024) as usize;
                (rng.below((pool.len() - len) as u64) as usize, len)
            })
            .collect();
        let sessions = (0..3).map(|_| Session::new(&mut rng)).collect();
        Generator {
            rng,
            pool,
            prefixes,
            sessions,
            rows,
            span_ms: span_days * 86_400_000,
            now_ms,
            bodies,
        }
    }

    fn text(&self, (at, len): (usize, usize)) -> &str {
        // The pool is ASCII, so any cut is a character boundary.
        std::str::from_utf8(&self.pool[at..at + len]).unwrap_or("")
    }

    fn place(&mut self, len: usize) -> (usize, usize) {
        (self.rng.below((self.pool.len() - len) as u64) as usize, len)
    }

    pub fn record(&mut self, i: u64) -> Record {
        let which = self.rng.below(self.sessions.len() as u64) as usize;
        if self.sessions[which].turns_left == 0 {
            self.sessions[which] = Session::new(&mut self.rng);
        }
        let turn_len = 600 + self.rng.below(800) as usize;
        let turn = self.place(turn_len);
        let answer_len = 200 + self.rng.below(3800) as usize;
        let answer_at = self.place(answer_len);
        let session = &mut self.sessions[which];
        session.turns_left -= 1;
        session.turns.push(turn);
        let model = MODELS[session.model];
        let (client, client_key, tags, agent, aliased) = (
            session.client,
            session.client_key,
            session.tags.clone(),
            session.agent,
            session.aliased,
        );
        let turns = session.turns.clone();
        let rng = &mut self.rng;
        let started_at_ms = self.now_ms - self.span_ms
            + (self.span_ms as i128 * i as i128 / self.rows.max(1) as i128) as i64;
        let (status, outcome, error) = match rng.below(100) {
            0 | 1 => (
                429,
                Outcome::UpstreamError,
                Some("rate limited by the provider: quota exceeded, retry after 20s"),
            ),
            2 => (
                502,
                Outcome::UpstreamError,
                Some("the provider closed the connection before answering"),
            ),
            3 => (
                400,
                Outcome::Rejected,
                Some("messages: a tool result without its tool call"),
            ),
            _ => (200, Outcome::Ok, None),
        };
        let input = 200 + (rng.below(1000).pow(2) * 150) / 1000 + 300 * turns.len() as u64;
        let output = 20 + rng.below(4000);
        let usage = Usage {
            input_tokens: input,
            cached_input_tokens: input * rng.below(80) / 100,
            cache_write_tokens: 0,
            output_tokens: output,
            reasoning_tokens: output / 5,
        };
        let cost = (model.2 > 0.0 && status == 200)
            .then(|| (input as f64 * model.2 + output as f64 * model.3) / 1e6);
        let latency_ms = 300 + rng.below(20_000);
        let ttft_ms = 200 + rng.below(2_000);
        let estimated = rng.below(50) == 0;
        let id = format!("0190{i:012x}-seed-{:08x}", rng.next_u64() as u32);
        let (request_body, response_body) = if self.bodies {
            let mut body = format!("{{\"model\":\"{}\",\"stream\":true,\"messages\":[", model.1);
            if agent {
                body.push_str("{\"role\":\"system\",\"content\":\"");
                body.push_str(self.text(self.prefixes[client]));
                body.push_str("\"},");
            }
            for (n, place) in turns.iter().enumerate() {
                body.push_str(if n % 2 == 0 {
                    "{\"role\":\"user\",\"content\":\""
                } else {
                    "{\"role\":\"assistant\",\"content\":\""
                });
                body.push_str(self.text(*place));
                body.push_str("\"},");
                if body.len() > BODY_CAP {
                    break;
                }
            }
            body.pop();
            body.push_str("]}");
            body.truncate(BODY_CAP);
            let answer = format!(
                "{{\"choices\":[{{\"message\":{{\"role\":\"assistant\",\"content\":\"{}\"}}}}]}}",
                self.text(answer_at)
            );
            (Some(body), Some(answer))
        } else {
            (None, None)
        };
        Record {
            id,
            started_at_ms,
            client: Some(CLIENTS[client].0.to_owned()),
            user_agent: Some(format!("{}/1.0", CLIENTS[client].0)),
            inbound_api: "chat_completions",
            requested_model: Some(if aliased {
                "coder".to_owned()
            } else {
                model.1.to_owned()
            }),
            provider: Some(model.0.to_owned()),
            upstream_model: Some(model.1.to_owned()),
            status,
            outcome,
            stream: true,
            attempts: vec![Attempt {
                provider: model.0.to_owned(),
                upstream_model: model.1.to_owned(),
                status: Some(status),
                error: error.map(str::to_owned),
                latency_ms,
            }],
            usage,
            usage_estimated: estimated,
            cost_usd: cost,
            price_source: cost.map(|_| "config:bench".to_owned()),
            latency_ms,
            ttft_ms: Some(ttft_ms),
            tags,
            error: error.map(str::to_owned),
            request_body,
            response_body,
            cache_hit: false,
            key_last_four: Some("k3y9".to_owned()),
            client_key: client_key.map(str::to_owned),
            warnings: Vec::new(),
        }
    }
}

/// Writes `rows` records through `history`, oldest first, and waits until all are written.
pub async fn seed(history: &History, generator: &mut Generator, rows: u64) -> Seeded {
    let started = Instant::now();
    let mut generating = Duration::ZERO;
    let mut raw_body_bytes = 0u64;
    for i in 0..rows {
        let made = Instant::now();
        let record = generator.record(i);
        generating += made.elapsed();
        raw_body_bytes += record.request_body.as_ref().map_or(0, |b| b.len() as u64)
            + record.response_body.as_ref().map_or(0, |b| b.len() as u64);
        history.record(record).await;
    }
    history.close().await;
    Seeded {
        rows,
        raw_body_bytes,
        elapsed: started.elapsed(),
        generating,
    }
}

/// Pseudo-words of two to four syllables with code-like punctuation: compresses as English
/// and source code do (about a quarter to a third of its size), not as repeated bytes.
fn text_pool(rng: &mut Rng, len: usize) -> Vec<u8> {
    const SYLLABLES: &[&str] = &[
        "ta", "ro", "mi", "ven", "sel", "qua", "dor", "pli", "na", "ek", "strum", "ga", "lo", "fi",
        "zen", "ba", "cor", "tri", "ux", "pe", "lan", "mo", "sti", "rek", "vo", "hal", "der", "ni",
        "jus", "ker", "am", "ol",
    ];
    const JOINERS: &[&str] = &[
        " ", " ", " ", " ", ", ", ". ", "(", ") ", "_", ".", " = ", "\\n",
    ];
    let words: Vec<String> = (0..3000)
        .map(|_| {
            (0..2 + rng.below(3))
                .map(|_| SYLLABLES[rng.below(SYLLABLES.len() as u64) as usize])
                .collect()
        })
        .collect();
    let mut pool = String::with_capacity(len + 64);
    while pool.len() < len {
        // Zipf-like: a few words are everywhere, most are rare.
        let rank = (rng.below(1000).pow(3) / 1_000_000) as usize * words.len() / 1000;
        pool.push_str(&words[rank.min(words.len() - 1)]);
        pool.push_str(JOINERS[rng.below(JOINERS.len() as u64) as usize]);
    }
    pool.into_bytes()
}

/// How zstd's levels compare on the chunks stored bodies are cut into (4 KB, the store's
/// average): `(level, stored / raw, MB/s)` on one core, for choosing the store's level.
pub fn zstd_levels(
    generator: &mut Generator,
    levels: &[i32],
) -> anyhow::Result<Vec<(i32, f64, f64)>> {
    let samples: Vec<Vec<u8>> = (0..4_000u64)
        .filter_map(|i| generator.record(i).request_body)
        .map(|body| {
            let bytes = body.into_bytes();
            let at = bytes.len().saturating_sub(4096);
            bytes[at..].to_vec()
        })
        .collect();
    let raw: usize = samples.iter().map(Vec::len).sum();
    let mut out = Vec::new();
    for &level in levels {
        let mut compressor = zstd::bulk::Compressor::new(level)?;
        let started = Instant::now();
        let mut stored = 0;
        for sample in &samples {
            stored += compressor.compress(sample)?.len();
        }
        let secs = started.elapsed().as_secs_f64();
        out.push((
            level,
            stored as f64 / raw.max(1) as f64,
            raw as f64 / 1e6 / secs.max(1e-9),
        ));
    }
    Ok(out)
}
