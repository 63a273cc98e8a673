//! Budgets: what was spent today and this month, and what happens when
//! a limit is reached.
//!
//! Spend is kept live and cheap: the history's totals for the current UTC day and month are
//! read once at start, and every record handed to the history adds its cost (through the
//! history's observer), so no request ever queries the database for a budget. Days and months
//! are UTC, like the history's reports. Today's request count is kept beside today's spend, so
//! the desktop tray's "today" figure reads memory too.
//!
//! Reaching a limit with `action = "warn"` sends a [`BudgetEvent`] on a broadcast channel (the
//! desktop app turns it into a notification) and logs one warning per crossing. With
//! `action = "block"` the same event is sent, and new proxy requests are refused with an
//! OpenAI-shaped 429 (`budget_exceeded`) until the period resets; the refusals are recorded in
//! the history like any rejected request. Limits are read from the running config on each
//! check, so a reload takes effect at once.

use std::sync::Mutex;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde::Serialize;
use tokio::sync::broadcast;

use crate::config::{BudgetAction, Budgets};
use crate::error::ProxyError;

/// A budget period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Daily,
    Monthly,
}

impl Period {
    fn adjective(self) -> &'static str {
        match self {
            Period::Daily => "Daily",
            Period::Monthly => "Monthly",
        }
    }

    fn spent_when(self) -> &'static str {
        match self {
            Period::Daily => "today",
            Period::Monthly => "this month",
        }
    }
}

/// A limit was reached. Sent once per period and limit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetEvent {
    pub period: Period,
    /// `warn` or `block`: what Switchyard does about it.
    pub action: &'static str,
    pub limit_usd: f64,
    pub spent_usd: f64,
    /// RFC 3339, UTC.
    pub resets_at: String,
    pub message: String,
}

/// Today's figures: what the tray shows.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Today {
    pub cost_usd: f64,
    pub requests: u64,
}

/// The UTC day a request started on (today when the time is out of range).
fn started_day(started_at_ms: i64, now: DateTime<Utc>) -> NaiveDate {
    Utc.timestamp_millis_opt(started_at_ms)
        .single()
        .map_or(now.date_naive(), |t| t.date_naive())
}

/// One period's figures, for `GET /api/budgets`.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct PeriodStatus {
    pub limit_usd: Option<f64>,
    pub spent_usd: f64,
    pub remaining_usd: Option<f64>,
    pub exceeded: bool,
    pub resets_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct BudgetStatus {
    /// `warn`, `block`, or null when no `[budgets]` is configured.
    #[ts(type = "string | null")]
    pub action: Option<&'static str>,
    /// True when new requests are being refused.
    pub blocking: bool,
    pub daily: PeriodStatus,
    pub monthly: PeriodStatus,
}

/// Live spend and the notification channel. One per running gateway.
#[derive(Debug)]
pub struct BudgetTracker {
    spend: Mutex<Spend>,
    events: broadcast::Sender<BudgetEvent>,
}

#[derive(Debug, Clone, PartialEq)]
struct Spend {
    day: NaiveDate,
    day_usd: f64,
    /// Requests started today, priced or not.
    day_requests: u64,
    /// The first day of the current month.
    month: NaiveDate,
    month_usd: f64,
    /// The period start (day or month) whose crossing was already announced.
    announced_day: Option<NaiveDate>,
    announced_month: Option<NaiveDate>,
}

impl Spend {
    fn at(now: DateTime<Utc>) -> Spend {
        let day = now.date_naive();
        Spend {
            day,
            day_usd: 0.0,
            day_requests: 0,
            month: first_of_month(day),
            month_usd: 0.0,
            announced_day: None,
            announced_month: None,
        }
    }

    /// Moves to the period containing `now`, starting from zero when it changed.
    fn roll(&mut self, now: DateTime<Utc>) {
        let today = now.date_naive();
        if today > self.day {
            self.day = today;
            self.day_usd = 0.0;
            self.day_requests = 0;
        }
        let month = first_of_month(today);
        if month > self.month {
            self.month = month;
            self.month_usd = 0.0;
        }
    }
}

impl Default for BudgetTracker {
    fn default() -> Self {
        BudgetTracker::new(Utc::now())
    }
}

impl BudgetTracker {
    pub fn new(now: DateTime<Utc>) -> BudgetTracker {
        let (events, _) = broadcast::channel(16);
        BudgetTracker {
            spend: Mutex::new(Spend::at(now)),
            events,
        }
    }

    /// Notifications of limits reached; the desktop app subscribes here.
    pub fn subscribe(&self) -> broadcast::Receiver<BudgetEvent> {
        self.events.subscribe()
    }

    /// Sets today's spend and requests and this month's spend (from the history, at start).
    pub fn seed(&self, today: Today, month_usd: f64, now: DateTime<Utc>) {
        let mut spend = self.lock();
        *spend = Spend::at(now);
        spend.day_usd = today.cost_usd;
        spend.day_requests = today.requests;
        spend.month_usd = month_usd;
    }

    /// Today's spend and requests so far (UTC day).
    pub fn today(&self, now: DateTime<Utc>) -> Today {
        let mut spend = self.lock();
        spend.roll(now);
        Today {
            cost_usd: spend.day_usd,
            requests: spend.day_requests,
        }
    }

    /// Counts one request (priced or not) in the day it started in, adds its cost to that day
    /// and month, and announces a limit it reached.
    pub fn record(
        &self,
        started_at_ms: i64,
        cost_usd: Option<f64>,
        limits: Option<&Budgets>,
        now: DateTime<Utc>,
    ) {
        let started = started_day(started_at_ms, now);
        let cost = cost_usd.filter(|c| c.is_finite() && *c > 0.0);
        let events = {
            let mut spend = self.lock();
            spend.roll(now);
            if started == spend.day {
                spend.day_requests += 1;
            }
            let Some(cost) = cost else { return };
            if started == spend.day {
                spend.day_usd += cost;
            }
            if first_of_month(started) == spend.month {
                spend.month_usd += cost;
            }
            limits.map(|l| crossings(&mut spend, l)).unwrap_or_default()
        };
        for event in events {
            tracing::warn!(period = ?event.period, limit_usd = event.limit_usd, spent_usd = event.spent_usd, "{}", event.message);
            let _ = self.events.send(event);
        }
    }

    /// Refuses a new request when a `block` budget is used up.
    pub fn admit(&self, limits: Option<&Budgets>, now: DateTime<Utc>) -> Result<(), ProxyError> {
        let Some(limits) = limits.filter(|l| l.action == BudgetAction::Block) else {
            return Ok(());
        };
        let mut spend = self.lock();
        spend.roll(now);
        for (period, limit, spent) in periods(&spend, limits) {
            if let Some(limit) = limit.filter(|l| spent >= *l) {
                return Err(ProxyError::BudgetExceeded(format!(
                    "{} budget of ${limit:.2} reached (${spent:.2} spent {}); resets at {}.",
                    period.adjective(),
                    period.spent_when(),
                    resets_at(&spend, period)
                )));
            }
        }
        Ok(())
    }

    pub fn status(&self, limits: Option<&Budgets>, now: DateTime<Utc>) -> BudgetStatus {
        let mut spend = self.lock();
        spend.roll(now);
        let period = |period: Period, limit: Option<f64>, spent: f64| PeriodStatus {
            limit_usd: limit,
            spent_usd: spent,
            remaining_usd: limit.map(|l| (l - spent).max(0.0)),
            exceeded: limit.is_some_and(|l| spent >= l),
            resets_at: resets_at(&spend, period),
        };
        let daily = period(
            Period::Daily,
            limits.and_then(|l| l.daily_usd),
            spend.day_usd,
        );
        let monthly = period(
            Period::Monthly,
            limits.and_then(|l| l.monthly_usd),
            spend.month_usd,
        );
        let action = limits.map(|l| action_name(l.action));
        BudgetStatus {
            blocking: action == Some("block") && (daily.exceeded || monthly.exceeded),
            action,
            daily,
            monthly,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Spend> {
        self.spend.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Limits newly reached, marked as announced.
fn crossings(spend: &mut Spend, limits: &Budgets) -> Vec<BudgetEvent> {
    let mut out = Vec::new();
    for (period, limit, spent) in periods(spend, limits) {
        let Some(limit) = limit.filter(|l| spent >= *l) else {
            continue;
        };
        let (start, announced) = match period {
            Period::Daily => (spend.day, spend.announced_day),
            Period::Monthly => (spend.month, spend.announced_month),
        };
        if announced == Some(start) {
            continue;
        }
        let resets = resets_at(spend, period);
        let consequence = match limits.action {
            BudgetAction::Warn => "requests still go through (action = \"warn\")",
            BudgetAction::Block => "new requests are refused until then (action = \"block\")",
        };
        out.push(BudgetEvent {
            period,
            action: action_name(limits.action),
            limit_usd: limit,
            spent_usd: spent,
            message: format!(
                "{} budget of ${limit:.2} reached (${spent:.2} spent {}); resets at {resets}; {consequence}.",
                period.adjective(),
                period.spent_when()
            ),
            resets_at: resets,
        });
    }
    for event in &out {
        match event.period {
            Period::Daily => spend.announced_day = Some(spend.day),
            Period::Monthly => spend.announced_month = Some(spend.month),
        }
    }
    out
}

fn periods(spend: &Spend, limits: &Budgets) -> [(Period, Option<f64>, f64); 2] {
    [
        (Period::Daily, limits.daily_usd, spend.day_usd),
        (Period::Monthly, limits.monthly_usd, spend.month_usd),
    ]
}

fn action_name(action: BudgetAction) -> &'static str {
    match action {
        BudgetAction::Warn => "warn",
        BudgetAction::Block => "block",
    }
}

fn resets_at(spend: &Spend, period: Period) -> String {
    let next = match period {
        Period::Daily => spend.day.succ_opt(),
        Period::Monthly => next_month(spend.month),
    };
    next.and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| {
            t.and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        })
        .unwrap_or_default()
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

fn next_month(first: NaiveDate) -> Option<NaiveDate> {
    let (year, month) = if first.month() == 12 {
        (first.year() + 1, 1)
    } else {
        (first.year(), first.month() + 1)
    };
    NaiveDate::from_ymd_opt(year, month, 1)
}

/// Midnight UTC starting today and the first of this month, in ms: where live spend starts.
pub fn period_starts(now: DateTime<Utc>) -> (i64, i64) {
    let ms = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp_millis())
    };
    let today = now.date_naive();
    (ms(today), ms(first_of_month(today)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn ms(text: &str) -> i64 {
        at(text).timestamp_millis()
    }

    fn budgets(daily: Option<f64>, monthly: Option<f64>, action: BudgetAction) -> Budgets {
        Budgets {
            daily_usd: daily,
            monthly_usd: monthly,
            action,
        }
    }

    #[test]
    fn block_refuses_once_the_daily_limit_is_reached_with_the_reset_time() {
        let now = at("2026-11-25T15:00:00Z");
        let limits = budgets(Some(10.0), None, BudgetAction::Block);
        let tracker = BudgetTracker::new(now);
        let today = Today {
            cost_usd: 9.50,
            requests: 3,
        };
        tracker.seed(today, 9.50, now);
        assert!(
            tracker.admit(Some(&limits), now).is_ok(),
            "$9.50 of $10 leaves room"
        );
        tracker.record(ms("2026-11-25T15:00:01Z"), Some(0.92), Some(&limits), now);
        let err = tracker.admit(Some(&limits), now).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Daily budget of $10.00 reached ($10.42 spent today); resets at 2026-11-26T00:00:00Z."
        );
        assert_eq!(err.status().as_u16(), 429);
    }

    #[test]
    fn a_new_utc_day_starts_from_zero_but_the_month_keeps_counting() {
        let limits = budgets(Some(1.0), Some(100.0), BudgetAction::Block);
        let tracker = BudgetTracker::new(at("2026-11-25T23:59:00Z"));
        tracker.record(
            ms("2026-11-25T23:59:00Z"),
            Some(2.0),
            Some(&limits),
            at("2026-11-25T23:59:01Z"),
        );
        assert!(
            tracker
                .admit(Some(&limits), at("2026-11-25T23:59:30Z"))
                .is_err()
        );
        let tomorrow = at("2026-11-26T00:00:01Z");
        assert!(
            tracker.admit(Some(&limits), tomorrow).is_ok(),
            "the daily budget resets at midnight UTC"
        );
        let status = tracker.status(Some(&limits), tomorrow);
        assert_eq!(
            (status.daily.spent_usd, status.monthly.spent_usd),
            (0.0, 2.0)
        );
        assert_eq!(status.monthly.resets_at, "2026-12-01T00:00:00Z");
    }

    #[test]
    fn a_request_that_started_yesterday_does_not_count_today() {
        let tracker = BudgetTracker::new(at("2026-11-26T00:00:05Z"));
        tracker.record(
            ms("2026-11-25T23:59:59Z"),
            Some(3.0),
            None,
            at("2026-11-26T00:00:05Z"),
        );
        let status = tracker.status(None, at("2026-11-26T00:00:06Z"));
        assert_eq!(
            (status.daily.spent_usd, status.monthly.spent_usd),
            (0.0, 3.0)
        );
    }

    #[test]
    fn warn_never_refuses_and_announces_each_crossing_once() {
        let now = at("2026-11-25T10:00:00Z");
        let limits = budgets(Some(1.0), None, BudgetAction::Warn);
        let tracker = BudgetTracker::new(now);
        let mut events = tracker.subscribe();
        tracker.record(ms("2026-11-25T10:00:00Z"), Some(0.6), Some(&limits), now);
        assert!(events.try_recv().is_err(), "not reached yet");
        tracker.record(ms("2026-11-25T10:00:00Z"), Some(0.6), Some(&limits), now);
        let event = events.try_recv().unwrap();
        assert_eq!(
            (event.period, event.action, event.limit_usd),
            (Period::Daily, "warn", 1.0)
        );
        assert!(
            event
                .message
                .starts_with("Daily budget of $1.00 reached ($1.20 spent today)"),
            "{}",
            event.message
        );
        tracker.record(ms("2026-11-25T10:00:00Z"), Some(0.6), Some(&limits), now);
        assert!(
            events.try_recv().is_err(),
            "one event per crossing, not per request"
        );
        assert!(
            tracker.admit(Some(&limits), now).is_ok(),
            "warn lets requests through"
        );
    }

    #[test]
    fn monthly_limits_block_too_and_year_end_resets_in_january() {
        let now = at("2026-12-31T12:00:00Z");
        let limits = budgets(None, Some(150.0), BudgetAction::Block);
        let tracker = BudgetTracker::new(now);
        tracker.seed(Today::default(), 150.0, now);
        let err = tracker.admit(Some(&limits), now).unwrap_err().to_string();
        assert_eq!(
            err,
            "Monthly budget of $150.00 reached ($150.00 spent this month); resets at 2027-01-01T00:00:00Z."
        );
    }

    #[test]
    fn today_counts_every_request_started_today_and_starts_from_zero_at_midnight() {
        let now = at("2026-11-25T23:59:00Z");
        let tracker = BudgetTracker::new(now);
        let seeded = Today {
            cost_usd: 1.25,
            requests: 4,
        };
        tracker.seed(seeded, 1.25, now);
        tracker.record(ms("2026-11-25T23:58:59Z"), Some(0.25), None, now);
        tracker.record(ms("2026-11-25T23:59:00Z"), None, None, now); // unpriced: counted, free
        tracker.record(ms("2026-11-24T12:00:00Z"), Some(2.0), None, now); // yesterday's, late
        assert_eq!(
            tracker.today(now),
            Today {
                cost_usd: 1.5,
                requests: 6
            }
        );
        assert_eq!(
            tracker.today(at("2026-11-26T00:00:01Z")),
            Today::default(),
            "a new UTC day"
        );
    }

    #[test]
    fn no_budgets_means_no_limits() {
        let now = at("2026-11-25T10:00:00Z");
        let tracker = BudgetTracker::new(now);
        tracker.record(ms("2026-11-25T10:00:00Z"), Some(1e6), None, now);
        assert!(tracker.admit(None, now).is_ok());
        let status = tracker.status(None, now);
        assert_eq!(
            (status.action, status.blocking, status.daily.limit_usd),
            (None, false, None)
        );
        assert_eq!(status.daily.spent_usd, 1e6);
    }
}
