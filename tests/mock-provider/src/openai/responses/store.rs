//! Responses kept for `previous_response_id`, `GET /v1/responses/{id}` and
//! references to their items, like OpenAI keeps responses created with
//! `store` left true.
//!
//! The store belongs to one server (the OpenAI router owns it). It keeps the
//! newest [`CAPACITY`] responses so a long benchmark cannot grow it without
//! bound; an evicted id is "not found", as an expired one is at OpenAI.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::Value;

use super::request::CallKind;

/// How many responses the store keeps.
pub(crate) const CAPACITY: usize = 10_000;

/// One stored response.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stored {
    /// The response object, as `GET /v1/responses/{id}` returns it.
    pub(crate) object: Value,
    /// Tokens the conversation so far costs a follow-up: this response's
    /// input (instructions and tools aside, as they are not carried over)
    /// and its visible output.
    pub(crate) context_tokens: u64,
    /// The calls in its output, which a follow-up must answer.
    pub(crate) calls: Vec<(CallKind, String)>,
    /// The ids of its output items.
    pub(crate) item_ids: Vec<String>,
}

/// The stored responses of one server; clones share them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Store(Arc<Mutex<Inner>>);

#[derive(Debug, Default)]
struct Inner {
    responses: HashMap<String, Stored>,
    /// Response ids, oldest first.
    order: VecDeque<String>,
    /// Output item ids of the stored responses.
    items: HashSet<String>,
}

impl Store {
    /// Keeps `stored` under `id`, evicting the oldest response when full.
    pub(crate) fn insert(&self, id: String, stored: Stored) {
        let mut inner = self.lock();
        if inner.order.len() >= CAPACITY
            && let Some(oldest) = inner.order.pop_front()
        {
            inner.forget(&oldest);
        }
        inner.items.extend(stored.item_ids.iter().cloned());
        inner.order.push_back(id.clone());
        inner.responses.insert(id, stored);
    }

    /// The response stored under `id`.
    pub(crate) fn get(&self, id: &str) -> Option<Stored> {
        self.lock().responses.get(id).cloned()
    }

    /// Whether `item_id` is an output item of a stored response.
    pub(crate) fn has_item(&self, item_id: &str) -> bool {
        self.lock().items.contains(item_id)
    }

    /// Deletes the response stored under `id`; false when there is none.
    pub(crate) fn remove(&self, id: &str) -> bool {
        let mut inner = self.lock();
        let known = inner.responses.contains_key(id);
        if known {
            inner.order.retain(|kept| kept != id);
            inner.forget(id);
        }
        known
    }

    /// A poisoned lock still holds usable data.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Inner {
    fn forget(&mut self, id: &str) {
        if let Some(stored) = self.responses.remove(id) {
            for item in &stored.item_ids {
                self.items.remove(item);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn stored(item: &str) -> Stored {
        Stored {
            object: Value::Null,
            context_tokens: 1,
            calls: Vec::new(),
            item_ids: vec![item.to_owned()],
        }
    }

    #[test]
    fn the_oldest_response_is_evicted_with_its_items_when_full() {
        let store = Store::default();
        for i in 0..=CAPACITY {
            store.insert(format!("resp_{i}"), stored(&format!("rs_{i}")));
        }
        assert!(store.get("resp_0").is_none());
        assert!(!store.has_item("rs_0"));
        assert!(store.get("resp_1").is_some());
        assert!(store.has_item(&format!("rs_{CAPACITY}")));
    }

    #[test]
    fn removing_forgets_the_response_and_its_items() {
        let store = Store::default();
        store.insert("resp_a".to_owned(), stored("msg_a"));
        assert!(store.remove("resp_a"));
        assert!(!store.remove("resp_a"));
        assert!(!store.has_item("msg_a"));
    }
}
