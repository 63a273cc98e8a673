//! Several keys for one provider, used in turn, with the ones a provider refused set aside.
//!
//! Keys are told apart by their slot (`keychain:openai#2`, `env:OPENAI_KEY_B`), never by their
//! text. A key the provider answered 401/403 (wrong or revoked) or 429 (its quota is spent) is
//! set aside for a while; the others keep serving. When every key is set aside, they are all
//! used again rather than refusing requests a provider might now accept.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub struct Rotation {
    turns: Mutex<HashMap<String, usize>>,
    aside: Mutex<HashMap<(String, String), Instant>>,
}

impl Rotation {
    /// The index of the slot to use next for `provider`: the next in turn among those not set
    /// aside (among all of them when every one is set aside).
    pub fn choose(&self, provider: &str, slots: &[String]) -> usize {
        if slots.len() <= 1 {
            return 0;
        }
        let usable = self.usable(provider, slots);
        let candidates: Vec<usize> = if usable.is_empty() {
            (0..slots.len()).collect()
        } else {
            usable
        };
        let turn = self
            .turns
            .lock()
            .map(|mut turns| {
                let turn = turns.entry(provider.to_owned()).or_default();
                *turn = turn.wrapping_add(1);
                *turn - 1
            })
            .unwrap_or(0);
        candidates[turn % candidates.len()]
    }

    /// Sets a slot aside for `duration`; true when another slot is still usable.
    pub fn set_aside(
        &self,
        provider: &str,
        slot: &str,
        slots: &[String],
        duration: Duration,
    ) -> bool {
        if let Ok(mut aside) = self.aside.lock() {
            aside.insert(
                (provider.to_owned(), slot.to_owned()),
                Instant::now() + duration,
            );
        }
        !self.usable(provider, slots).is_empty()
    }

    /// Forgets what was set aside for a provider (its keys were changed).
    pub fn forget(&self, provider: Option<&str>) {
        if let Ok(mut aside) = self.aside.lock() {
            match provider {
                Some(id) => aside.retain(|(p, _), _| p != id),
                None => aside.clear(),
            }
        }
    }

    fn usable(&self, provider: &str, slots: &[String]) -> Vec<usize> {
        let now = Instant::now();
        let Ok(aside) = self.aside.lock() else {
            return (0..slots.len()).collect();
        };
        (0..slots.len())
            .filter(|&i| {
                aside
                    .get(&(provider.to_owned(), slots[i].clone()))
                    .is_none_or(|until| *until <= now)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots() -> Vec<String> {
        vec!["keychain:p".into(), "keychain:p#2".into(), "env:B".into()]
    }

    #[test]
    fn keys_are_used_in_turn() {
        let rotation = Rotation::default();
        let picks: Vec<usize> = (0..6).map(|_| rotation.choose("p", &slots())).collect();
        assert_eq!(picks, [0, 1, 2, 0, 1, 2]);
    }

    #[test]
    fn a_key_set_aside_is_skipped_until_every_key_is() {
        let rotation = Rotation::default();
        let slots = slots();
        let minute = Duration::from_secs(60);
        assert!(
            rotation.set_aside("p", "keychain:p#2", &slots, minute),
            "two left"
        );
        let picks: Vec<usize> = (0..4).map(|_| rotation.choose("p", &slots)).collect();
        assert!(
            !picks.contains(&1),
            "the refused key is not used: {picks:?}"
        );
        assert!(rotation.set_aside("p", "keychain:p", &slots, minute));
        assert!(
            !rotation.set_aside("p", "env:B", &slots, minute),
            "none left"
        );
        let picks: Vec<usize> = (0..3).map(|_| rotation.choose("p", &slots)).collect();
        assert_eq!(picks.len(), 3, "all set aside: all are used again");
        rotation.forget(Some("p"));
        assert!(
            rotation.set_aside("p", "env:B", &slots, minute),
            "forgotten"
        );
    }
}
