//! [`Limiter`]: the batching rules as plain synchronous state.

use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasher, RandomState};

use crate::AuditEvent;
use crate::validate::limits;

/// What the limiter needs to know about an entry.
pub(crate) trait BatchItem {
    /// The entry's `id` (unique within a request).
    fn id(&self) -> &str;
    /// The entry's exact serialized size, [`AuditEvent::encoded_len`].
    fn encoded_len(&self) -> usize;
}

impl BatchItem for AuditEvent {
    fn id(&self) -> &str {
        AuditEvent::id(self).as_str()
    }

    fn encoded_len(&self) -> usize {
        AuditEvent::encoded_len(self)
    }
}

/// The limits of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Entries per request, `1..=MAX_EVENTS_PER_REQUEST`.
    pub(crate) max_events: usize,
    /// Bytes of request body.
    pub(crate) max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_events: limits::MAX_EVENTS_PER_REQUEST,
            max_bytes: limits::MAX_REQUEST_BYTES,
        }
    }
}

/// The batch being filled, plus the entries that wait for a later batch (a repeated id, or the entry that
/// did not fit), in arrival order.
///
/// Contract: the caller pushes only while [`accepting`](Self::accepting); [`take`](Self::take) hands out the
/// batch and starts the next one from the waiting entries. An entry too large for an empty batch still makes
/// a batch of one (the publisher's validation rejects such entries before they get here).
#[derive(Debug)]
pub(crate) struct Limiter<T> {
    limits: Limits,
    items: Vec<T>,
    /// Hashes of the ids in `items`. A hash collision only defers an entry to the next batch.
    ids: HashSet<u64>,
    hasher: RandomState,
    body_len: usize,
    /// An entry did not fit: the batch is closed.
    blocked: bool,
    waiting: VecDeque<T>,
}

impl<T: BatchItem> Limiter<T> {
    pub(crate) fn new(limits: Limits) -> Self {
        let limits = Limits {
            max_events: limits.max_events.clamp(1, limits::MAX_EVENTS_PER_REQUEST),
            ..limits
        };
        Self {
            limits,
            items: Vec::with_capacity(limits.max_events),
            ids: HashSet::with_capacity(limits.max_events),
            hasher: RandomState::new(),
            body_len: 0,
            blocked: false,
            waiting: VecDeque::new(),
        }
    }

    /// Entries in the current batch.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the current batch is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Entries waiting for a later batch.
    pub(crate) fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// The exact body size of the current batch (0 when empty).
    pub(crate) fn body_len(&self) -> usize {
        self.body_len
    }

    /// Whether the current batch can take no more entries: it holds `max_events`, or an entry did not fit.
    pub(crate) fn is_full(&self) -> bool {
        self.blocked || self.items.len() >= self.limits.max_events
    }

    /// Whether the caller may push: the batch is not full and the waiting list is short (bounded by
    /// `max_events`, so repeated ids cannot grow it without bound).
    pub(crate) fn accepting(&self) -> bool {
        !self.is_full() && self.waiting.len() < self.limits.max_events
    }

    /// Adds an entry to the current batch, or to the waiting list when its id is already in the batch, or
    /// the batch is full, or it does not fit.
    pub(crate) fn push(&mut self, item: T) {
        let hash = self.hasher.hash_one(item.id());
        if self.is_full() || self.ids.contains(&hash) {
            self.waiting.push_back(item);
            return;
        }
        let len = item.encoded_len();
        let new_body = if self.items.is_empty() {
            limits::REQUEST_BODY_WRAPPER_BYTES + len
        } else {
            self.body_len + 1 + len
        };
        if new_body > self.limits.max_bytes && !self.items.is_empty() {
            self.blocked = true;
            self.waiting.push_back(item);
            return;
        }
        self.body_len = new_body;
        self.ids.insert(hash);
        self.items.push(item);
    }

    /// Hands out the current batch and starts the next one from the waiting entries, in order.
    pub(crate) fn take(&mut self) -> Vec<T> {
        let batch = std::mem::replace(&mut self.items, Vec::with_capacity(self.limits.max_events));
        self.ids.clear();
        self.body_len = 0;
        self.blocked = false;
        for item in std::mem::take(&mut self.waiting) {
            self.push(item);
        }
        batch
    }

    /// Every entry, current batch first, then the waiting ones (for shutdown).
    pub(crate) fn drain_all(&mut self) -> Vec<T> {
        let mut all = self.take();
        while !self.is_empty() {
            all.extend(self.take());
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::request_body_len;

    fn entry(id: &str, data_len: usize) -> AuditEvent {
        AuditEvent::from_json(id.parse().unwrap(), "x".repeat(data_len))
    }

    fn ids(batch: &[AuditEvent]) -> Vec<&str> {
        batch.iter().map(|e| e.id().as_str()).collect()
    }

    #[test]
    fn closes_at_the_event_count() {
        let mut l = Limiter::new(Limits {
            max_events: 3,
            max_bytes: usize::MAX,
        });
        for i in 0..3 {
            assert!(l.accepting());
            l.push(entry(&format!("e{i}"), 10));
        }
        assert!(l.is_full() && !l.accepting());
        assert_eq!(ids(&l.take()), ["e0", "e1", "e2"]);
        assert!(l.is_empty() && l.accepting());
    }

    #[test]
    fn closes_on_the_exact_body_size_and_keeps_the_entry_that_did_not_fit() {
        let a = entry("a", 100);
        let b = entry("b", 100);
        let exact = request_body_len([&a, &b]);
        let mut l = Limiter::new(Limits {
            max_events: 100,
            max_bytes: exact,
        });
        l.push(a.clone());
        l.push(b.clone());
        assert_eq!(l.body_len(), exact);
        assert!(!l.is_full(), "a body of exactly the limit is allowed");
        l.push(entry("c", 1));
        assert!(l.is_full());
        assert_eq!(ids(&l.take()), ["a", "b"]);
        assert_eq!(ids(&l.take()), ["c"]);

        let mut l = Limiter::new(Limits {
            max_events: 100,
            max_bytes: exact - 1,
        });
        l.push(a);
        l.push(b);
        assert!(l.is_full());
        assert_eq!(ids(&l.take()), ["a"]);
    }

    #[test]
    fn a_repeated_id_waits_for_the_next_batch_and_is_never_dropped() {
        let mut l = Limiter::new(Limits::default());
        for id in ["a", "b", "a", "c", "a"] {
            l.push(entry(id, 5));
        }
        assert_eq!(l.waiting(), 2);
        assert_eq!(ids(&l.take()), ["a", "b", "c"]);
        assert_eq!(ids(&l.take()), ["a"]);
        assert_eq!(ids(&l.take()), ["a"]);
        assert!(l.is_empty() && l.waiting() == 0);
    }

    #[test]
    fn an_oversized_entry_makes_a_batch_of_one() {
        let mut l = Limiter::new(Limits {
            max_events: 100,
            max_bytes: 50,
        });
        l.push(entry("big", 500));
        assert_eq!(l.len(), 1);
        l.push(entry("next", 1));
        assert!(l.is_full());
        assert_eq!(ids(&l.take()), ["big"]);
    }

    #[test]
    fn the_waiting_list_is_bounded() {
        let mut l = Limiter::new(Limits {
            max_events: 2,
            max_bytes: usize::MAX,
        });
        l.push(entry("a", 1));
        l.push(entry("a", 1));
        assert!(l.accepting(), "one waiting entry is fine");
        l.push(entry("a", 1));
        assert!(!l.accepting(), "waiting list at max_events");
        assert_eq!(l.drain_all().len(), 3);
    }

    proptest! {
        /// Every batch respects both limits exactly (checked against `request_body_len`), has unique ids,
        /// and together the batches hold every entry pushed exactly once, each id's entries in order.
        #[test]
        fn batches_respect_the_limits_and_lose_nothing(
            entries in prop::collection::vec((0u8..30, 0usize..400), 1..400),
            max_events in 1usize..=100,
            max_bytes in 400usize..3000,
        ) {
            let mut l = Limiter::new(Limits { max_events, max_bytes });
            let pushed: Vec<AuditEvent> = entries
                .iter()
                .enumerate()
                .map(|(i, (id, len))| AuditEvent::from_json(format!("id{id}").parse().unwrap(), format!("{i}:{}", "y".repeat(*len))))
                .collect();
            let mut batches = Vec::new();
            let mut queue: VecDeque<_> = pushed.iter().cloned().collect();
            while let Some(e) = queue.pop_front() {
                if !l.accepting() {
                    batches.push(l.take());
                }
                l.push(e);
            }
            while !l.is_empty() {
                batches.push(l.take());
            }
            let mut seen = Vec::new();
            for batch in &batches {
                prop_assert!(!batch.is_empty() && batch.len() <= max_events);
                let body = request_body_len(batch);
                prop_assert!(body <= max_bytes || batch.len() == 1, "body {} > {}", body, max_bytes);
                let unique: HashSet<_> = batch.iter().map(AuditEvent::id).collect();
                prop_assert_eq!(unique.len(), batch.len());
                seen.extend(batch.iter().cloned());
            }
            prop_assert_eq!(seen.len(), pushed.len());
            for id in 0u8..30 {
                let id = format!("id{id}");
                let sent: Vec<_> = seen.iter().filter(|e| e.id().as_str() == id).map(AuditEvent::event_data).collect();
                let given: Vec<_> = pushed.iter().filter(|e| e.id().as_str() == id).map(AuditEvent::event_data).collect();
                prop_assert_eq!(sent, given);
            }
        }
    }
}
