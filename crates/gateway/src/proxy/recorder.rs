//! The history row of the request in flight.
//!
//! A [`Recorder`] is created when a request arrives and carries its [`Record`] along as facts
//! are learned (model, attempts, usage). Finishing it hands the row to the history. If it is
//! dropped unfinished, the client went away (axum drops the handler future, or hyper drops the
//! streaming body): `Drop` then records the request as `client_disconnected` with whatever was
//! known, so no request ever goes unrecorded.

use std::sync::Arc;
use std::time::Instant;

use axum::http::HeaderMap;
use switchyard_protocol::Usage;

use crate::config::Config;
use crate::history::{Attempt, History, Outcome, Record};

/// Status recorded for a client that closed the connection (nginx's convention).
pub const CLIENT_CLOSED: u16 = 499;

#[derive(Debug)]
pub struct Recorder {
    history: History,
    record: Option<Record>,
    started: Instant,
    /// Set once a provider may have the request: what pricing a walk-away needs.
    walk_away: Option<WalkAway>,
}

/// How to bill a request whose client leaves before anything of the answer was relayed (a
/// stream's relay bills what it relayed itself): the provider has the prompt, so the prompt
/// is priced from its size, about four bytes a token, and marked as estimated.
#[derive(Debug)]
struct WalkAway {
    config: Arc<Config>,
    prompt_bytes: usize,
}

impl Recorder {
    pub fn start(history: &History, inbound_api: &'static str, headers: &HeaderMap) -> Self {
        let user_agent = headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(256).collect::<String>());
        let tags = headers
            .get("x-switchyard-tags")
            .and_then(|v| v.to_str().ok())
            .map(crate::history::parse_tags)
            .unwrap_or_default();
        let record = Record {
            id: uuid::Uuid::now_v7().to_string(),
            started_at_ms: chrono::Utc::now().timestamp_millis(),
            client: crate::clients::recognise(user_agent.as_deref()).map(str::to_owned),
            user_agent,
            inbound_api,
            tags,
            ..empty_record()
        };
        history.progress().begin();
        Recorder {
            history: history.clone(),
            record: Some(record),
            started: Instant::now(),
            walk_away: None,
        }
    }

    /// The request is about to go to providers: from now on a client that leaves is billed
    /// for the prompt (`prompt_bytes` long).
    pub fn bill_walk_away(&mut self, config: Arc<Config>, prompt_bytes: usize) {
        self.walk_away = Some(WalkAway {
            config,
            prompt_bytes,
        });
    }

    /// When the request arrived.
    pub fn started(&self) -> Instant {
        self.started
    }

    pub fn id(&self) -> &str {
        self.record.as_ref().map_or("", |r| r.id.as_str())
    }

    /// The row being built. Always present until the recorder is finished.
    pub fn row(&mut self) -> &mut Record {
        // Only a logic error (using a recorder after finishing it) finds no row: keep going
        // with a throwaway one rather than panic on a user's request.
        self.record.get_or_insert_with(empty_record)
    }

    pub fn push_attempt(&mut self, attempt: Attempt) {
        self.row().attempts.push(attempt);
    }

    pub fn mark_first_byte(&mut self) {
        let elapsed = self.started.elapsed().as_millis() as u64;
        let row = self.row();
        if row.ttft_ms.is_none() {
            row.ttft_ms = Some(elapsed);
        }
    }

    /// Completes the row and hands it to the history (waiting if the queue is full). If the
    /// request is dropped while this waits, the history still gets the row (its `record` is
    /// cancel-safe) and the in-flight count still ends, so shutdown never waits for it.
    pub async fn finish(mut self, status: u16, outcome: Outcome, error: Option<String>) {
        if let Some(record) = self.complete(status, outcome, error) {
            let _in_flight = InFlight(&self.history);
            self.history.record(record).await;
        }
    }

    fn complete(&mut self, status: u16, outcome: Outcome, error: Option<String>) -> Option<Record> {
        let latency = self.started.elapsed().as_millis() as u64;
        let mut record = self.record.take()?;
        record.status = status;
        record.outcome = outcome;
        record.latency_ms = latency;
        if record.error.is_none() {
            record.error = error;
        }
        Some(record)
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let unbilled = self
            .record
            .as_ref()
            .is_some_and(|r| r.provider.is_some() && r.usage.input_tokens == 0);
        if let Some(walk_away) = self.walk_away.take().filter(|_| unbilled) {
            let prompt = (walk_away.prompt_bytes as u64).div_ceil(4);
            super::accounting::account_partial(&walk_away.config, self.row(), None, || prompt, 0);
        }
        let error = Some("the client closed the connection before the answer was complete".into());
        if let Some(record) = self.complete(CLIENT_CLOSED, Outcome::ClientDisconnected, error) {
            tracing::info!(id = %record.id, "client disconnected mid-request");
            self.history.record_detached(record);
            self.history.progress().end();
        }
    }
}

/// Ends the request's in-flight count when dropped, however its recording ends.
struct InFlight<'a>(&'a History);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.progress().end();
    }
}

/// A row with nothing known yet.
fn empty_record() -> Record {
    Record {
        id: String::new(),
        started_at_ms: 0,
        client: None,
        user_agent: None,
        inbound_api: "",
        requested_model: None,
        provider: None,
        upstream_model: None,
        status: 0,
        outcome: Outcome::Ok,
        stream: false,
        attempts: Vec::new(),
        usage: Usage::default(),
        usage_estimated: false,
        cost_usd: None,
        price_source: None,
        latency_ms: 0,
        ttft_ms: None,
        tags: Vec::new(),
        error: None,
        request_body: None,
        response_body: None,
        cache_hit: false,
        key_last_four: None,
        client_key: None,
        warnings: Vec::new(),
    }
}
