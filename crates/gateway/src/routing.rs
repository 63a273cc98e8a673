//! The order in which a route's targets are tried.
//!
//! Every strategy yields all targets, so a failing first choice still falls back to the rest:
//! `fallback` keeps the configured order, `round-robin` rotates the starting target per request,
//! `cheapest` sorts by the effective price (unpriced targets last), and `fastest` sorts by a
//! moving average of each target's time to first byte (untried targets first, so each gets
//! measured).
//!
//! A target that keeps failing is cooled down: after `[retries] cooldown_after` consecutive
//! retryable failures it is left out of the order for `cooldown_secs`, while other targets
//! remain (a request whose every target is cooling still tries them all). A target back from a
//! cool-down that fails again at once is cooled for twice as long, up to `max_cooldown_secs`;
//! one success forgets its failures.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::config::{Config, Resolution, RetryConfig, Strategy};
use crate::lru::Lru;

/// One target of a request: a provider (index into the config's providers) and a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub provider: usize,
    pub model: String,
}

/// Learned state that outlives one request: round-robin positions, latency averages and
/// target health. Each map is bounded ([`MAX_TRACKED`], least recently written forgotten
/// first): a client can name any model as `provider/model`, and must not grow them at will.
#[derive(Debug)]
pub struct RoutingState {
    round_robin: Mutex<Lru<String, std::sync::Arc<AtomicUsize>>>,
    ttfb_ms: Mutex<Lru<(String, String), f64>>,
    health: Mutex<Lru<(String, String), Health>>,
}

/// Entries each routing map keeps at most: far more targets than any config names.
pub const MAX_TRACKED: usize = 1024;

impl Default for RoutingState {
    fn default() -> Self {
        RoutingState {
            round_robin: Mutex::new(Lru::new(MAX_TRACKED)),
            ttfb_ms: Mutex::new(Lru::new(MAX_TRACKED)),
            health: Mutex::new(Lru::new(MAX_TRACKED)),
        }
    }
}

/// Recent failures of one target.
#[derive(Debug, Default, Clone, Copy)]
struct Health {
    consecutive_failures: u32,
    cooling_until: Option<Instant>,
    /// The last cool-down given; the next one doubles it.
    last_cooldown: Option<Duration>,
}

/// Weight of the newest observation in the latency average.
const EWMA_ALPHA: f64 = 0.3;

impl RoutingState {
    /// The targets for a resolved model, in the order to try them.
    pub fn order(&self, config: &Config, resolution: &Resolution<'_>) -> Vec<Target> {
        let route = match resolution {
            Resolution::Direct(provider, model) => {
                return vec![Target {
                    provider: *provider,
                    model: model.clone(),
                }];
            }
            Resolution::Route(route) => route,
        };
        let mut targets: Vec<Target> = route
            .targets
            .iter()
            .map(|(provider, model)| Target {
                provider: *provider,
                model: model.clone(),
            })
            .collect();
        match route.strategy {
            Strategy::Fallback => {}
            Strategy::RoundRobin => {
                let counter = self
                    .round_robin
                    .lock()
                    .map(|mut m| {
                        m.get_or_insert_with(route.alias.clone(), Default::default)
                            .clone()
                    })
                    .unwrap_or_default();
                let start = counter.fetch_add(1, Ordering::Relaxed);
                if !targets.is_empty() {
                    let len = targets.len();
                    targets.rotate_left(start % len);
                }
            }
            Strategy::Cheapest => {
                let cost = |t: &Target| {
                    let provider = &config.providers[t.provider].id;
                    crate::pricing::effective_price(config, provider, &t.model)
                        .map(|p| p.input + p.output)
                        .unwrap_or(f64::INFINITY)
                };
                targets.sort_by(|a, b| cost(a).total_cmp(&cost(b)));
            }
            Strategy::Fastest => {
                let speeds: Vec<f64> = match self.ttfb_ms.lock() {
                    Ok(averages) => targets
                        .iter()
                        .map(|t| {
                            let key = (config.providers[t.provider].id.clone(), t.model.clone());
                            averages.peek(&key).copied().unwrap_or(0.0)
                        })
                        .collect(),
                    Err(_) => vec![0.0; targets.len()],
                };
                let mut ranked: Vec<(f64, Target)> = speeds.into_iter().zip(targets).collect();
                ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
                targets = ranked.into_iter().map(|(_, t)| t).collect();
            }
        }
        self.without_cooling(config, targets)
    }

    /// Leaves out targets that are cooling down, unless that would leave none.
    fn without_cooling(&self, config: &Config, targets: Vec<Target>) -> Vec<Target> {
        let Ok(health) = self.health.lock() else {
            return targets;
        };
        if health.is_empty() {
            return targets;
        }
        let now = Instant::now();
        let cooling = |t: &Target| {
            let key = (config.providers[t.provider].id.clone(), t.model.clone());
            health
                .peek(&key)
                .and_then(|h| h.cooling_until)
                .is_some_and(|until| until > now)
        };
        let warm: Vec<Target> = targets.iter().filter(|t| !cooling(t)).cloned().collect();
        if warm.is_empty() { targets } else { warm }
    }

    /// A retryable failure of a target; may cool it down.
    pub fn failed(&self, provider: &str, model: &str, policy: &RetryConfig) {
        if policy.cooldown_after == 0 {
            return;
        }
        let Ok(mut health) = self.health.lock() else {
            return;
        };
        let h = health.get_or_insert_with((provider.to_owned(), model.to_owned()), Health::default);
        h.consecutive_failures += 1;
        // Back from a cool-down and failing again: no second run of `cooldown_after` chances.
        let relapsed = h.last_cooldown.is_some();
        if relapsed || h.consecutive_failures >= policy.cooldown_after {
            let next = h
                .last_cooldown
                .map_or(policy.cooldown, |last| last.saturating_mul(2))
                .min(policy.max_cooldown);
            h.cooling_until = Some(Instant::now() + next);
            h.last_cooldown = Some(next);
            h.consecutive_failures = 0;
            tracing::warn!(
                provider,
                model,
                cooldown_secs = next.as_secs_f64(),
                "target keeps failing; skipping it while other targets remain"
            );
        }
    }

    /// A successful answer from a target: its failures are forgotten.
    pub fn succeeded(&self, provider: &str, model: &str) {
        if let Ok(mut health) = self.health.lock()
            && !health.is_empty()
        {
            health.remove(&(provider.to_owned(), model.to_owned()));
        }
    }

    /// Feeds one observed time to first byte into the `fastest` strategy's average.
    pub fn observe_ttfb(&self, provider: &str, model: &str, ttfb: Duration) {
        if let Ok(mut map) = self.ttfb_ms.lock() {
            let sample = ttfb.as_secs_f64() * 1000.0;
            let mut fresh = false;
            let avg = map.get_or_insert_with((provider.to_owned(), model.to_owned()), || {
                fresh = true;
                sample
            });
            if !fresh {
                *avg = EWMA_ALPHA * sample + (1.0 - EWMA_ALPHA) * *avg;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse;

    fn config(strategy: &str) -> Config {
        parse(&format!(
            r#"
[[providers]]
id = "a"
kind = "openai-compatible"
base_url = "http://127.0.0.1:1/v1"
[[providers]]
id = "b"
kind = "openai-compatible"
base_url = "http://127.0.0.1:2/v1"
[[routes]]
alias = "r"
targets = ["a/m1", "b/m2"]
strategy = "{strategy}"
[prices."a/m1"]
input = 5.0
output = 5.0
[prices."b/m2"]
input = 1.0
output = 1.0
"#
        ))
        .unwrap()
    }

    fn providers(state: &RoutingState, config: &Config) -> Vec<usize> {
        let resolution = config.resolve("r").unwrap();
        state
            .order(config, &resolution)
            .into_iter()
            .map(|t| t.provider)
            .collect()
    }

    #[test]
    fn fallback_keeps_the_configured_order() {
        let config = config("fallback");
        assert_eq!(providers(&RoutingState::default(), &config), [0, 1]);
    }

    #[test]
    fn round_robin_rotates_but_keeps_every_target() {
        let config = config("round-robin");
        let state = RoutingState::default();
        assert_eq!(providers(&state, &config), [0, 1]);
        assert_eq!(providers(&state, &config), [1, 0]);
        assert_eq!(providers(&state, &config), [0, 1]);
    }

    #[test]
    fn cheapest_goes_by_effective_price() {
        let config = config("cheapest");
        assert_eq!(providers(&RoutingState::default(), &config), [1, 0]);
    }

    #[test]
    fn a_target_that_keeps_failing_is_skipped_while_others_remain() {
        let config = config("fallback");
        let state = RoutingState::default();
        let policy = RetryConfig::default();
        state.failed("a", "m1", &policy);
        state.failed("a", "m1", &policy);
        assert_eq!(providers(&state, &config), [0, 1], "two failures: not yet");
        state.failed("a", "m1", &policy);
        assert_eq!(
            providers(&state, &config),
            [1],
            "three in a row: cooled down"
        );
        state.failed("b", "m2", &policy);
        state.failed("b", "m2", &policy);
        state.failed("b", "m2", &policy);
        assert_eq!(
            providers(&state, &config),
            [0, 1],
            "all cooling: try them all"
        );
    }

    #[test]
    fn a_cool_down_doubles_when_the_target_fails_again_and_a_success_forgets() {
        let config = config("fallback");
        let state = RoutingState::default();
        let policy = RetryConfig {
            cooldown_after: 1,
            cooldown: Duration::from_millis(1),
            max_cooldown: Duration::from_secs(60),
            ..RetryConfig::default()
        };
        state.failed("a", "m1", &policy);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(
            providers(&state, &config),
            [0, 1],
            "the short cool-down is over"
        );
        for _ in 0..12 {
            state.failed("a", "m1", &policy);
        }
        assert_eq!(providers(&state, &config), [1], "2^12 ms and counting");
        state.succeeded("a", "m1");
        assert_eq!(providers(&state, &config), [0, 1]);
    }

    /// Issue 15: every model name a client invented added an entry for good.
    #[test]
    fn regression_invented_model_names_do_not_grow_the_routing_state_without_bound() {
        let state = RoutingState::default();
        let policy = RetryConfig::default();
        for i in 0..(MAX_TRACKED * 3) {
            let model = format!("made-up-{i}");
            state.observe_ttfb("a", &model, Duration::from_millis(5));
            state.failed("a", &model, &policy);
        }
        assert!(state.ttfb_ms.lock().unwrap().len() <= MAX_TRACKED);
        assert!(state.health.lock().unwrap().len() <= MAX_TRACKED);
    }

    #[test]
    fn fastest_tries_unmeasured_targets_then_the_quickest() {
        let config = config("fastest");
        let state = RoutingState::default();
        state.observe_ttfb("a", "m1", Duration::from_millis(50));
        assert_eq!(
            providers(&state, &config),
            [1, 0],
            "b is unmeasured: try it"
        );
        state.observe_ttfb("b", "m2", Duration::from_millis(500));
        assert_eq!(providers(&state, &config), [0, 1]);
    }
}
