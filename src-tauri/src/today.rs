//! Today's spend and request count for the tray, kept current: read again a moment after the
//! history commits new rows, and every few seconds anyway (so the figures start from zero when
//! the UTC day changes).
//!
//! The figures come from the gateway's own cost report over today, the query behind the
//! dashboard's Costs page, through the history's reader; this module never writes SQL.

use std::time::Duration;

use switchyard_gateway::history::History;
use switchyard_gateway::history::costs::{self, GroupBy};
use switchyard_gateway::history::query::Filter;
use switchyard_gateway::state::SharedState;
use tokio::sync::broadcast::error::RecvError;

use crate::tray_model::Today;

pub const EVERY: Duration = Duration::from_secs(5);
/// Rows arrive in bursts (an agent's parallel calls): one read for the burst.
const SETTLE: Duration = Duration::from_millis(300);
const DAY_MS: i64 = 86_400_000;

/// Today's figures as of `now_ms`, in the UTC day the dashboard also uses.
pub async fn read(history: &History, now_ms: i64) -> Option<Today> {
    let filter = Filter {
        since_ms: Some(now_ms - now_ms.rem_euclid(DAY_MS)),
        ..Filter::default()
    };
    match history
        .read(move |c| costs::report(c, GroupBy::Day, &filter))
        .await
    {
        Ok(report) => Some(Today {
            cost_usd: report.total_cost_usd,
            requests: report.rows.iter().map(|row| row.requests).sum(),
        }),
        Err(e) => {
            tracing::warn!(error = %e, "could not read today's spend");
            None
        }
    }
}

/// Calls `update` with fresh figures until the history closes (the gateway stopped).
pub async fn follow(state: SharedState, mut update: impl FnMut(Today) + Send) {
    let mut committed = state.history.subscribe();
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            received = committed.recv() => match received {
                Ok(_) | Err(RecvError::Lagged(_)) => tokio::time::sleep(SETTLE).await,
                Err(RecvError::Closed) => break,
            },
        }
        if state.stopping.is_cancelled() {
            break;
        }
        if let Some(today) = read(&state.history, chrono::Utc::now().timestamp_millis()).await {
            update(today);
        }
    }
}

#[cfg(test)]
mod tests {
    use switchyard_gateway::history::{Outcome, Record};

    use super::*;

    fn record(id: &str, started_at_ms: i64, cost_usd: Option<f64>) -> Record {
        Record {
            id: id.to_owned(),
            started_at_ms,
            client: None,
            user_agent: None,
            inbound_api: "chat_completions",
            requested_model: Some("gpt-4.1".to_owned()),
            provider: Some("openai".to_owned()),
            upstream_model: Some("gpt-4.1".to_owned()),
            status: 200,
            outcome: Outcome::Ok,
            stream: false,
            attempts: Vec::new(),
            usage: Default::default(),
            usage_estimated: false,
            cost_usd,
            price_source: None,
            latency_ms: 10,
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

    #[tokio::test]
    async fn counts_todays_requests_and_spend_and_nothing_from_yesterday() {
        let history = History::open_in_memory().unwrap();
        let now_ms: i64 = 1_764_590_400_000; // 2025-12-01T12:00:00Z
        let midnight = now_ms - now_ms.rem_euclid(DAY_MS);
        history
            .record(record("yesterday", midnight - 1, Some(5.0)))
            .await;
        history.record(record("a", midnight, Some(0.01))).await;
        history.record(record("b", now_ms, Some(0.0023))).await;
        history.record(record("unpriced", now_ms, None)).await;
        let today = read(&history, now_ms).await.unwrap();
        assert_eq!(today.requests, 3, "yesterday's request is not today's");
        assert!(
            (today.cost_usd - 0.0123).abs() < 1e-9,
            "an unpriced request adds nothing: {}",
            today.cost_usd
        );
        history.close().await;
    }
}
