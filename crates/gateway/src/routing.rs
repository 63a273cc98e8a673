//! The order in which a route's targets are tried.
//!
//! Every strategy yields all targets, so a failing first choice still falls back to the rest:
//! `fallback` keeps the configured order, `round-robin` rotates the starting target per request,
//! `cheapest` sorts by the effective price (unpriced targets last), and `fastest` sorts by a
//! moving average of each target's time to first byte (untried targets first, so each gets
//! measured).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::config::{Config, Resolution, Strategy};

/// One target of a request: a provider (index into the config's providers) and a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub provider: usize,
    pub model: String,
}

/// Learned state that outlives one request: round-robin positions and latency averages.
#[derive(Debug, Default)]
pub struct RoutingState {
    round_robin: Mutex<HashMap<String, std::sync::Arc<AtomicUsize>>>,
    ttfb_ms: Mutex<HashMap<(String, String), f64>>,
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
                    .map(|mut m| m.entry(route.alias.clone()).or_default().clone())
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
                let averages = self.ttfb_ms.lock().map(|m| m.clone()).unwrap_or_default();
                let speed = |t: &Target| {
                    let key = (config.providers[t.provider].id.clone(), t.model.clone());
                    averages.get(&key).copied().unwrap_or(0.0)
                };
                targets.sort_by(|a, b| speed(a).total_cmp(&speed(b)));
            }
        }
        targets
    }

    /// Feeds one observed time to first byte into the `fastest` strategy's average.
    pub fn observe_ttfb(&self, provider: &str, model: &str, ttfb: Duration) {
        if let Ok(mut map) = self.ttfb_ms.lock() {
            let sample = ttfb.as_secs_f64() * 1000.0;
            map.entry((provider.to_owned(), model.to_owned()))
                .and_modify(|avg| *avg = EWMA_ALPHA * sample + (1.0 - EWMA_ALPHA) * *avg)
                .or_insert(sample);
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
