//! A map that holds at most a fixed number of entries, forgetting the least recently written
//! first: for state learned from traffic whose keys a client chooses.
//!
//! The routing state is keyed by `(provider, model)`, and `provider/anything` reaches a
//! provider with any model name a client makes up: an unbounded map would grow by one entry
//! per invented name, for the life of the process. Entries are touched when written (a
//! failure, a latency sample); reads ([`Lru::peek`]) do not reorder, so the many readers of a
//! route's order never contend for more than the lock they already take.
//!
//! Eviction is amortised: once the map is over capacity it drops the oldest eighth at once,
//! so a flood of new keys costs a sort every `capacity / 8` inserts, not a scan per insert.

use std::collections::HashMap;
use std::hash::Hash;

#[derive(Debug)]
pub struct Lru<K, V> {
    entries: HashMap<K, (V, u64)>,
    clock: u64,
    capacity: usize,
}

impl<K: Eq + Hash + Clone, V> Lru<K, V> {
    pub fn new(capacity: usize) -> Self {
        Lru {
            entries: HashMap::new(),
            clock: 0,
            capacity: capacity.max(1),
        }
    }

    /// The value for `key` without marking it used.
    pub fn peek(&self, key: &K) -> Option<&V> {
        self.entries.get(key).map(|(value, _)| value)
    }

    /// The value for `key`, inserted with `make` if missing; either way now the most recent.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        self.clock += 1;
        let clock = self.clock;
        if !self.entries.contains_key(&key) && self.entries.len() >= self.capacity {
            self.evict();
        }
        let entry = self.entries.entry(key).or_insert_with(|| (make(), clock));
        entry.1 = clock;
        &mut entry.0
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.entries.remove(key).map(|(value, _)| value)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drops the least recently written eighth (at least one entry).
    fn evict(&mut self) {
        let mut ages: Vec<u64> = self.entries.values().map(|(_, at)| *at).collect();
        ages.sort_unstable();
        let drop = (self.capacity / 8).max(1);
        let Some(&cutoff) = ages.get(drop - 1) else {
            return;
        };
        self.entries.retain(|_, (_, at)| *at > cutoff);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_of_new_keys_never_grows_it_past_capacity() {
        let mut lru = Lru::new(64);
        for i in 0..10_000 {
            *lru.get_or_insert_with(format!("invented-{i}"), || 0) += 1;
            assert!(lru.len() <= 64, "{} entries after {i} inserts", lru.len());
        }
    }

    #[test]
    fn the_least_recently_written_go_first_and_a_rewrite_saves_an_entry() {
        let mut lru = Lru::new(8);
        for i in 0..8 {
            lru.get_or_insert_with(i, || i);
        }
        lru.get_or_insert_with(0, || 0);
        lru.get_or_insert_with(100, || 100);
        assert_eq!(lru.peek(&1), None, "1 was the oldest write");
        assert_eq!(lru.peek(&0), Some(&0), "0 was written again just before");
        assert_eq!(lru.peek(&100), Some(&100));
        assert_eq!(lru.remove(&100), Some(100));
        assert_eq!(lru.len(), 7);
    }
}
