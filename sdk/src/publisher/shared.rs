//! State shared between a destination's worker, the publish calls and the status API: counters, health, and
//! the [`Responder`] that gives each event its one outcome.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, oneshot};
use tokio::time::Instant;

use super::outcome::{AbandonReason, Delivery, Outcome, Summary};
use super::packed::Queued;
use super::room::Room;
use crate::AuditEvent;
use crate::batch::BatchItem;
use crate::destination::health::Breaker;
use crate::destination::{Destination, DestinationCounts, DestinationStatus};
use crate::metrics::DestinationMetrics;

/// The most of an event's text kept as a destination's compression dictionary (LZ4 looks back 64 KiB at
/// most; the start of an event holds what events share).
const MAX_DICTIONARY_BYTES: usize = 16 * 1024;

/// Publisher-wide state.
#[derive(Debug)]
pub(crate) struct PublisherShared {
    /// The publisher-wide bound on queued events.
    pub(crate) room: Arc<Room>,
    /// Set when `shutdown`'s timeout passed: outcomes decided by dropping are `ShutdownTimeout`.
    pub(crate) shutting_down: AtomicBool,
    pub(crate) abandoned_at_shutdown: AtomicU64,
    /// Every destination ever used, for status and totals.
    pub(crate) destinations: Mutex<Vec<Arc<DestinationShared>>>,
}

impl PublisherShared {
    /// The state of a publisher that holds at most `max_queued` events.
    pub(crate) fn new(max_queued: usize) -> Self {
        Self {
            room: Room::new(max_queued),
            shutting_down: AtomicBool::new(false),
            abandoned_at_shutdown: AtomicU64::new(0),
            destinations: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for d in self
            .destinations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let c = d.counts();
            s.published += c.published;
            s.accepted += c.accepted;
            s.rejected += c.rejected;
            s.abandoned += c.abandoned;
            s.pending += c.pending();
        }
        s.abandoned_at_shutdown = self.abandoned_at_shutdown.load(Relaxed);
        s
    }

    pub(crate) fn status(&self) -> Vec<DestinationStatus> {
        self.destinations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|d| d.status())
            .collect()
    }
}

/// One destination's shared state.
#[derive(Debug)]
pub(crate) struct DestinationShared {
    pub(crate) destination: Destination,
    pub(crate) metrics: DestinationMetrics,
    pub(crate) breaker: Mutex<Breaker>,
    pub(crate) publisher: Arc<PublisherShared>,
    published: AtomicU64,
    accepted: AtomicU64,
    rejected: AtomicU64,
    abandoned: AtomicU64,
    pub(crate) retried: AtomicU64,
    pub(crate) ambiguous: AtomicU64,
    pub(crate) calls: AtomicU64,
    pub(crate) queued: AtomicUsize,
    pub(crate) in_flight: AtomicUsize,
    /// The dictionary of compressed entries (see [`Queued`]), set when the first one is compressed.
    dictionary: OnceLock<Arc<[u8]>>,
}

impl DestinationShared {
    pub(crate) fn new(destination: Destination, breaker: Breaker, publisher: Arc<PublisherShared>) -> Self {
        Self {
            metrics: DestinationMetrics::new(destination.name()),
            destination,
            breaker: Mutex::new(breaker),
            publisher,
            published: AtomicU64::new(0),
            accepted: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            abandoned: AtomicU64::new(0),
            retried: AtomicU64::new(0),
            ambiguous: AtomicU64::new(0),
            calls: AtomicU64::new(0),
            queued: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            dictionary: OnceLock::new(),
        }
    }

    pub(crate) fn breaker(&self) -> std::sync::MutexGuard<'_, Breaker> {
        self.breaker.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn count_published(&self) {
        self.published.fetch_add(1, Relaxed);
        self.metrics.published.increment(1);
    }

    /// The form `entry` is queued in: compressed when the queue is deeper than `compress_above` (see
    /// [`PublisherBuilder::compress_queued_above`](super::PublisherBuilder::compress_queued_above)), as it
    /// is otherwise. The destination's dictionary is the first entry compressed.
    pub(crate) fn queued_form(&self, entry: AuditEvent, compress_above: usize) -> Queued {
        if self.queued.load(Relaxed) < compress_above {
            return Queued::Plain(entry);
        }
        let dictionary = self.dictionary.get_or_init(|| {
            let text = entry.event_data().as_bytes();
            Arc::from(&text[..text.len().min(MAX_DICTIONARY_BYTES)])
        });
        Queued::pack(entry, dictionary)
    }

    pub(crate) fn counts(&self) -> DestinationCounts {
        // Outcomes are read before `published`, so `pending` never goes negative in a snapshot.
        let accepted = self.accepted.load(Relaxed);
        let rejected = self.rejected.load(Relaxed);
        let abandoned = self.abandoned.load(Relaxed);
        DestinationCounts {
            published: self.published.load(Relaxed),
            accepted,
            rejected,
            abandoned,
            retried: self.retried.load(Relaxed),
            ambiguous_retries: self.ambiguous.load(Relaxed),
            calls: self.calls.load(Relaxed),
        }
    }

    pub(crate) fn status(&self) -> DestinationStatus {
        DestinationStatus {
            name: self.destination.name().to_owned(),
            channel_arn: self.destination.channel_arn().as_str().to_owned(),
            health: self.breaker().health().clone(),
            queued: self.queued.load(Relaxed),
            in_flight: self.in_flight.load(Relaxed),
            counts: self.counts(),
        }
    }

    /// Counts an outcome (and reports it to the metrics).
    fn record(&self, outcome: &Outcome, published_at: Instant) {
        match outcome {
            Outcome::Accepted { .. } => {
                self.accepted.fetch_add(1, Relaxed);
                self.metrics.accepted.increment(1);
            }
            Outcome::Rejected { code, .. } => {
                self.rejected.fetch_add(1, Relaxed);
                self.metrics.rejected(code, 1);
            }
            Outcome::Abandoned { reason } => {
                self.abandoned.fetch_add(1, Relaxed);
                self.metrics.abandoned(reason.label(), 1);
                if *reason == AbandonReason::ShutdownTimeout {
                    self.publisher.abandoned_at_shutdown.fetch_add(1, Relaxed);
                }
            }
        }
        self.metrics.latency.record(published_at.elapsed().as_secs_f64());
    }
}

/// Gives one event its outcome: exactly once, by [`resolve`](Self::resolve), or — if it is dropped unresolved
/// (its batch task was aborted, the worker stopped) — by `Drop`, as `Abandoned`.
#[derive(Debug)]
pub(crate) struct Responder {
    tx: Option<oneshot::Sender<Box<Delivery>>>,
    shared: Arc<DestinationShared>,
    published_at: Instant,
    /// The publisher-wide queue slot, released with the outcome.
    permit: Option<OwnedSemaphorePermit>,
}

impl Responder {
    pub(crate) fn new(
        tx: oneshot::Sender<Box<Delivery>>,
        shared: Arc<DestinationShared>,
        permit: Option<OwnedSemaphorePermit>,
    ) -> Self {
        Self {
            tx: Some(tx),
            shared,
            published_at: Instant::now(),
            permit,
        }
    }

    /// Gives the event its outcome, decided for this entry.
    pub(crate) fn resolve(self, outcome: Outcome) {
        self.deliver(outcome, 0, false);
    }

    /// Gives the event its outcome, with how many times it was resent and whether the whole request (or the
    /// destination) decided it.
    pub(crate) fn deliver(self, outcome: Outcome, resends: u32, decided_for_request: bool) {
        drop(self.deliver_keeping_slot(outcome, resends, decided_for_request));
    }

    /// [`deliver`](Self::deliver), handing back the event's publisher-wide queue slot instead of releasing
    /// it, so a worker can release the slots of a whole batch at once (one wake-up of the waiting publishers
    /// per batch, not one per event).
    pub(crate) fn deliver_keeping_slot(
        mut self,
        outcome: Outcome,
        resends: u32,
        decided_for_request: bool,
    ) -> Option<OwnedSemaphorePermit> {
        if let Some(tx) = self.tx.take() {
            self.shared.record(&outcome, self.published_at);
            let _ = tx.send(Box::new(Delivery::new(outcome, resends, decided_for_request)));
        }
        self.permit.take()
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        if let Some(tx) = self.tx.take() {
            let reason = if self.shared.publisher.shutting_down.load(Relaxed) {
                AbandonReason::ShutdownTimeout
            } else {
                AbandonReason::Closed
            };
            let outcome = Outcome::Abandoned { reason };
            self.shared.record(&outcome, self.published_at);
            let _ = tx.send(Box::new(Delivery::new(outcome, 0, true)));
        }
    }
}

/// What the worker keeps about an event besides its entry: its responder and its delivery so far.
#[derive(Debug)]
pub(crate) struct Meta {
    pub(crate) responder: Responder,
    /// The calls the entry was in so far.
    pub(crate) sends: u32,
    /// When the entry's first batch was formed (the retry time bound counts from there).
    pub(crate) first_formed: Option<Instant>,
    /// The worker's flush epoch when the entry arrived.
    pub(crate) epoch: u64,
}

impl Meta {
    /// Resends so far.
    pub(crate) fn resends(&self) -> u32 {
        self.sends.saturating_sub(1)
    }
}

/// A queued event: the entry (compressed while the queue is deep), its exact size, and its [`Meta`].
#[derive(Debug)]
pub(crate) struct Pending {
    pub(crate) entry: Queued,
    pub(crate) len: usize,
    pub(crate) meta: Meta,
}

impl Pending {
    /// A queued event; `len` is the entry's [`AuditEvent::encoded_len`], measured once by `publish`.
    pub(crate) fn new(entry: Queued, len: usize, responder: Responder) -> Self {
        Self {
            len,
            entry,
            meta: Meta {
                responder,
                sends: 0,
                first_formed: None,
                epoch: 0,
            },
        }
    }
}

impl BatchItem for Pending {
    fn id(&self) -> &str {
        self.entry.id()
    }

    fn encoded_len(&self) -> usize {
        self.len
    }
}
