//! Today's spend and request count for the tray, kept current: read again a moment after the
//! history commits new rows, and every few seconds anyway (so the figures start from zero when
//! the UTC day changes).
//!
//! The figures are the gateway's live ones: the budget tracker counts every request as the
//! history takes it (and read today's totals once at start), so a refresh costs a lock, not a
//! query of the history.

use std::time::Duration;

use switchyard_gateway::budgets::BudgetTracker;
use switchyard_gateway::state::SharedState;
use tokio::sync::broadcast::error::RecvError;

use crate::tray_model::Today;

pub const EVERY: Duration = Duration::from_secs(5);
/// Rows arrive in bursts (an agent's parallel calls): one refresh for the burst.
const SETTLE: Duration = Duration::from_millis(300);

/// Today's figures as the tray shows them.
pub fn read(budgets: &BudgetTracker, now: chrono::DateTime<chrono::Utc>) -> Today {
    let live = budgets.today(now);
    Today {
        cost_usd: live.cost_usd,
        requests: live.requests,
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
        update(read(&state.budgets, chrono::Utc::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tray_shows_the_live_figures_of_today() {
        let now = chrono::DateTime::parse_from_rfc3339("2025-12-01T12:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let budgets = BudgetTracker::new(now);
        let ms = now.timestamp_millis();
        budgets.record(ms - 86_400_000, Some(5.0), None, now); // yesterday's
        for cost in [Some(0.01), Some(0.0023), None] {
            budgets.record(ms, cost, None, now);
        }
        let today = read(&budgets, now);
        assert_eq!(today.requests, 3, "yesterday's request is not today's");
        assert!(
            (today.cost_usd - 0.0123).abs() < 1e-9,
            "an unpriced request adds nothing: {}",
            today.cost_usd
        );
    }
}
