//! The worker of one destination: the async shell around the [`Limiter`], the circuit breaker and the tower
//! stack.
//!
//! It reads events from the destination's bounded queue into the current batch and sends the batch when it
//! is full, when its linger time has passed, or when a flush asks for it — and only when the stack is
//! ready, so a batch keeps filling while the destination has no free slot or token. Each batch runs in its
//! own task (bounded by the stack's concurrency limit); the worker keeps the events' responders and gives
//! every event of a finished batch its outcome.
//!
//! Entries a finished batch must resend (per-entry `Throttling`/`InternalFailure`, or missing from the
//! answer) wait in the worker for their own backoff, then join the **next batch** ahead of newer events —
//! they are not sent as small requests of their own — and make that batch go without waiting for its
//! linger time. Their attempts and total time are bounded by the [`RetrySettings`], counted per entry.
//!
//! A flush waits for the events that arrived before it: each event carries the worker's flush *epoch* at
//! arrival, and a flush is answered when no earlier-epoch event is without an outcome (resent entries
//! included).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, mpsc, oneshot, watch};
use tokio::task::{Id, JoinSet};
use tokio::time::Instant;
use tower::{BoxError, Service, ServiceExt};
use tracing::Instrument;

use super::outcome::{AbandonReason, Outcome};
use super::shared::{DestinationShared, Meta, Pending};
use super::stack::Stack;
use crate::AuditEvent;
use crate::batch::{Batch, BatchResult, EntryState, Limiter, Limits};
use crate::destination::Health;
use crate::destination::health::Admit;
use crate::retry::RetrySettings;
use crate::sink::PutRequest;

/// A message in a destination's queue.
#[derive(Debug)]
pub(crate) enum Msg {
    Event(Pending),
    /// Send everything queued before this marker; answer when all of it has an outcome.
    Flush(oneshot::Sender<()>),
}

/// What the publisher asks of its workers when it stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// Keep going.
    Run,
    /// Send nothing more: events not sent yet are cancelled, batches in flight finish.
    Unsent,
    /// Stop now: everything without an outcome is abandoned.
    All,
}

/// A batch in flight: its entries (shared with the request) and what the worker keeps about each.
#[derive(Debug)]
struct InFlight {
    events: Arc<[AuditEvent]>,
    metas: Vec<Meta>,
    probe: bool,
}

pub(crate) struct Worker {
    shared: Arc<DestinationShared>,
    rx: mpsc::Receiver<Msg>,
    stack: Stack,
    limiter: Limiter<Pending>,
    linger: Duration,
    retry: Arc<RetrySettings>,
    /// When the current batch got its first entry.
    oldest: Option<Instant>,
    /// The current batch holds resent entries: send it without waiting for the linger time.
    urgent: bool,
    tasks: JoinSet<Result<BatchResult, BoxError>>,
    running: HashMap<Id, InFlight>,
    /// Entries to resend, with the time their backoff ends.
    resends: Vec<(Instant, Pending)>,
    /// The current flush epoch, and how many events of each epoch have no outcome yet.
    epoch: u64,
    unsettled: BTreeMap<u64, usize>,
    /// Flushes waiting for every event of an epoch below theirs to have an outcome.
    barriers: Vec<(u64, oneshot::Sender<()>)>,
    stop: watch::Receiver<Stop>,
    /// The publisher-wide queue slots of the events given an outcome since the loop last turned, released
    /// together.
    released: Option<OwnedSemaphorePermit>,
    /// The publisher (and with it the stop signal) is gone: nothing can stop the worker any more.
    stop_gone: bool,
    cancelling: bool,
    closed: bool,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("destination", &self.shared.destination.name())
            .field("batch", &self.limiter.len())
            .field("in_flight", &self.running.len())
            .field("resends", &self.resends.len())
            .finish_non_exhaustive()
    }
}

impl Worker {
    pub(crate) fn new(
        shared: Arc<DestinationShared>,
        rx: mpsc::Receiver<Msg>,
        stack: Stack,
        limits: Limits,
        linger: Duration,
        retry: Arc<RetrySettings>,
        stop: watch::Receiver<Stop>,
    ) -> Self {
        Self {
            shared,
            rx,
            stack,
            limiter: Limiter::new(limits),
            linger,
            retry,
            oldest: None,
            urgent: false,
            tasks: JoinSet::new(),
            running: HashMap::new(),
            resends: Vec::new(),
            epoch: 0,
            unsettled: BTreeMap::new(),
            barriers: Vec::new(),
            stop,
            released: None,
            stop_gone: false,
            cancelling: false,
            closed: false,
        }
    }

    /// Runs until the queue is closed and everything in it has an outcome, or until stopped.
    pub(crate) async fn run(mut self) {
        let span = tracing::info_span!("ctlake.destination", destination = self.shared.destination.name());
        async move {
            loop {
                // Before every wait: the slots of what got its outcome in the last turn go back together.
                self.free_slots(false);
                let stop = *self.stop.borrow();
                match stop {
                    Stop::All => {
                        self.abort_all().await;
                        return;
                    }
                    Stop::Unsent if !self.cancelling => self.cancel_unsent(),
                    Stop::Run | Stop::Unsent => {}
                }
                let now = Instant::now();
                self.admit_resends(now);
                let force = !self.barriers.is_empty() || self.closed || self.urgent;
                let linger_at = self.oldest.map(|t| t + self.linger);
                let sendable = !self.limiter.is_empty()
                    && (self.limiter.is_full() || force || linger_at.is_some_and(|t| now >= t));
                let health = self.shared.breaker().health().clone();
                match health {
                    Health::Paused { next_probe, .. } if sendable && now < next_probe => {
                        self.reject_paused(now);
                        continue;
                    }
                    _ => {}
                }
                self.release_barriers();
                if self.closed
                    && self.limiter.is_empty()
                    && self.limiter.waiting() == 0
                    && self.resends.is_empty()
                    && self.tasks.is_empty()
                {
                    return;
                }
                let want_send = sendable && !self.cancelling && !matches!(health, Health::Probing { .. });
                let accepting = (self.limiter.accepting() || self.cancelling) && !self.closed;
                let linger_wait = linger_at.filter(|t| *t > now && !self.limiter.is_full());
                let resend_wait = self.resends.iter().map(|(due, _)| *due).min();
                let wake = match (linger_wait, resend_wait) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                tokio::select! {
                    biased;
                    changed = self.stop.changed(), if !self.stop_gone => {
                        self.stop_gone = changed.is_err();
                    }
                    Some(joined) = self.tasks.join_next_with_id(), if !self.tasks.is_empty() => {
                        self.on_done(joined);
                    }
                    ready = ServiceExt::<Batch>::ready(&mut self.stack), if want_send => {
                        if ready.is_ok() {
                            self.send(Instant::now());
                        }
                    }
                    msg = self.rx.recv(), if accepting => {
                        self.on_msg(msg, now);
                        self.take_ready(now);
                    }
                    () = sleep_until_opt(wake), if wake.is_some() => {}
                }
            }
        }
        .instrument(span)
        .await;
    }

    fn on_msg(&mut self, msg: Option<Msg>, now: Instant) {
        match msg {
            Some(Msg::Event(mut pending)) => {
                let queued = self.shared.queued.fetch_sub(1, Relaxed).saturating_sub(1);
                self.shared.metrics.queue_depth.set(queued as f64);
                pending.meta.epoch = self.epoch;
                *self.unsettled.entry(self.epoch).or_default() += 1;
                if self.cancelling {
                    self.finish(pending.meta, cancelled(), true);
                    return;
                }
                if self.limiter.is_empty() {
                    self.oldest = Some(now);
                }
                self.limiter.push(pending);
            }
            Some(Msg::Flush(tx)) => {
                self.epoch += 1;
                self.barriers.push((self.epoch, tx));
            }
            None => self.closed = true,
        }
    }

    /// Takes the messages already queued, up to a full batch, without a loop turn (and its timers, locks and
    /// wake-ups) per event: under load the loop turns once per batch, not once per event.
    fn take_ready(&mut self, now: Instant) {
        while (self.limiter.accepting() || self.cancelling) && !self.closed {
            match self.rx.try_recv() {
                Ok(msg) => self.on_msg(Some(msg), now),
                Err(mpsc::error::TryRecvError::Empty) => return,
                Err(mpsc::error::TryRecvError::Disconnected) => self.on_msg(None, now),
            }
        }
    }

    /// Moves the resent entries whose backoff has ended into the batch, oldest due first.
    fn admit_resends(&mut self, now: Instant) {
        if self.resends.is_empty() {
            return;
        }
        if self.cancelling {
            for (_, p) in std::mem::take(&mut self.resends) {
                self.finish(p.meta, cancelled(), true);
            }
            return;
        }
        self.resends.sort_by_key(|(due, _)| *due);
        let due = self.resends.iter().take_while(|(d, _)| *d <= now).count();
        let mut moved = 0;
        while moved < due && self.limiter.accepting() {
            moved += 1;
            if self.limiter.is_empty() {
                self.oldest = Some(now);
            }
            self.urgent = true;
            let (_, p) = self.resends.remove(0);
            self.limiter.push(p);
        }
    }

    /// Takes the current batch for sending (or rejection), restarting the linger time for what is left.
    fn take(&mut self, now: Instant) -> (Vec<Pending>, usize) {
        let bytes = self.limiter.body_len();
        let items = self.limiter.take();
        self.oldest = (!self.limiter.is_empty()).then_some(now);
        self.urgent = false;
        (items, bytes)
    }

    /// Gives one event its outcome and counts it off its flush epoch.
    fn finish(&mut self, meta: Meta, outcome: Outcome, decided_for_request: bool) {
        if let Some(n) = self.unsettled.get_mut(&meta.epoch) {
            *n -= 1;
            if *n == 0 {
                self.unsettled.remove(&meta.epoch);
            }
        }
        let resends = meta.resends();
        let slot = meta
            .responder
            .deliver_keeping_slot(outcome, resends, decided_for_request);
        match (&mut self.released, slot) {
            (Some(released), Some(slot)) => released.merge(slot),
            (released @ None, slot) => *released = slot,
            (Some(_), None) => {}
        }
    }

    /// The destination is paused: its batch is rejected without a call.
    fn reject_paused(&mut self, now: Instant) {
        let admit = self.shared.breaker().admit(now);
        let Admit::Reject { code, message } = admit else {
            return;
        };
        let (items, _) = self.take(now);
        for p in items {
            let outcome = Outcome::Rejected {
                code: code.clone(),
                message: message.clone(),
                violations: None,
            };
            self.finish(p.meta, outcome, true);
        }
    }

    /// `stop` was called: cancel everything not sent yet.
    fn cancel_unsent(&mut self) {
        self.cancelling = true;
        for p in self.limiter.drain_all() {
            self.finish(p.meta, cancelled(), true);
        }
        self.oldest = None;
        self.urgent = false;
        self.admit_resends(Instant::now());
    }

    fn send(&mut self, now: Instant) {
        let admit = self.shared.breaker().admit(now);
        let probe = match admit {
            Admit::Send => false,
            Admit::Probe => true,
            Admit::Wait | Admit::Reject { .. } => return,
        };
        let (items, bytes) = self.take(now);
        if items.is_empty() {
            return;
        }
        let mut entries = Vec::with_capacity(items.len());
        let mut metas = Vec::with_capacity(items.len());
        for mut p in items {
            let entry = match p.entry.unpack() {
                Ok(entry) => entry,
                Err(e) => {
                    tracing::error!(destination = self.shared.destination.name(), error = %e, "Abandoning an entry.");
                    let reason = AbandonReason::RetriesExhausted {
                        attempts: 0,
                        last_error: e.to_string(),
                    };
                    self.finish(p.meta, Outcome::Abandoned { reason }, false);
                    continue;
                }
            };
            p.meta.sends += 1;
            p.meta.first_formed.get_or_insert(now);
            entries.push(entry);
            metas.push(p.meta);
        }
        if entries.is_empty() {
            return;
        }
        let events: Arc<[AuditEvent]> = entries.into();
        let count = events.len();
        self.shared.metrics.batch_events.record(count as f64);
        self.shared.metrics.batch_bytes.record(bytes as f64);
        let put = PutRequest::new(self.shared.destination.clone(), events.clone());
        let future = self.stack.call(Batch { put, formed: now });
        self.shared.in_flight.fetch_add(1, Relaxed);
        let span = tracing::debug_span!("ctlake.batch", events = count, bytes, probe);
        let handle = self.tasks.spawn(future.instrument(span));
        self.running
            .insert(handle.id(), InFlight { events, metas, probe });
    }

    fn on_done(&mut self, joined: Result<(Id, Result<BatchResult, BoxError>), tokio::task::JoinError>) {
        let (id, result) = match joined {
            Ok((id, result)) => (id, Some(result)),
            Err(e) => (e.id(), None),
        };
        let Some(flight) = self.running.remove(&id) else {
            return;
        };
        self.shared.in_flight.fetch_sub(1, Relaxed);
        let now = Instant::now();
        let result = match result {
            Some(Ok(result)) => result,
            failed => {
                // A panicking batch task, or a failure of the stack itself (its policy always answers `Ok`).
                let last_error = match failed {
                    Some(Err(e)) => e.to_string(),
                    _ => "the batch task failed".to_owned(),
                };
                let reason = AbandonReason::RetriesExhausted {
                    attempts: 0,
                    last_error,
                };
                self.shared.breaker().on_answer(flight.probe);
                for meta in flight.metas {
                    let outcome = Outcome::Abandoned {
                        reason: reason.clone(),
                    };
                    self.finish(meta, outcome, true);
                }
                self.release_barriers();
                return;
            }
        };
        let shared = &self.shared;
        shared.calls.fetch_add(u64::from(result.attempts), Relaxed);
        shared.retried.fetch_add(result.retried, Relaxed);
        shared.ambiguous.fetch_add(result.ambiguous, Relaxed);
        {
            let mut breaker = shared.breaker();
            match &result.fatal {
                Some((code, message)) => {
                    tracing::warn!(
                        destination = shared.destination.name(),
                        code,
                        message,
                        "Destination paused after a tenant-fatal error."
                    );
                    breaker.on_fatal(now, flight.probe, code, message);
                }
                None => breaker.on_answer(flight.probe),
            }
        }
        let whole = result.whole_request;
        let extra_sends = result.attempts.saturating_sub(1);
        let (mut resent, mut ambiguous) = (0u64, 0u64);
        // One jitter draw per answer: the entries of a batch resent after the same number of sends become due
        // together and go out in one batch.
        let jitter = fastrand::f64();
        for ((i, mut meta), state) in flight.metas.into_iter().enumerate().zip(result.states) {
            meta.sends += extra_sends;
            let (why, unsure) = match state {
                EntryState::Accepted(event_id) => {
                    self.finish(meta, Outcome::Accepted { event_id }, false);
                    continue;
                }
                EntryState::Rejected { code, message } => {
                    let outcome = Outcome::Rejected {
                        code,
                        message,
                        violations: None,
                    };
                    self.finish(meta, outcome, whole);
                    continue;
                }
                EntryState::Abandoned(reason) => {
                    self.finish(meta, Outcome::Abandoned { reason }, whole);
                    continue;
                }
                EntryState::Resend { why, ambiguous } => (why, ambiguous),
                EntryState::Failed { code, message } => (format!("{code}: {message}"), false),
                EntryState::Unknown => ("missing from the answer".to_owned(), true),
            };
            let Some(entry) = flight.events.get(i).cloned() else {
                self.finish(meta, cancelled(), true);
                continue;
            };
            if self.resend(entry, meta, why, now, jitter) {
                resent += 1;
                ambiguous += u64::from(unsure);
            }
        }
        if resent > 0 {
            shared_retried(&self.shared, resent, ambiguous);
        }
        self.release_barriers();
    }

    /// Schedules an entry to be resent after its backoff, or gives it its final outcome when its attempts
    /// or its time are used up (or the publisher is stopping). Returns whether it will be resent.
    fn resend(&mut self, entry: AuditEvent, meta: Meta, why: String, now: Instant, jitter: f64) -> bool {
        if self.cancelling {
            self.finish(meta, cancelled(), true);
            return false;
        }
        let exhausted = |meta: &Meta, why: String| Outcome::Abandoned {
            reason: AbandonReason::RetriesExhausted {
                attempts: meta.sends,
                last_error: why,
            },
        };
        if meta.sends >= self.retry.attempts_limit() {
            let outcome = exhausted(&meta, why);
            self.finish(meta, outcome, false);
            return false;
        }
        let due = now + self.retry.backoff(meta.sends, jitter);
        let first = meta.first_formed.unwrap_or(now);
        if due.duration_since(first) > self.retry.elapsed_limit() {
            let outcome = exhausted(&meta, why);
            self.finish(meta, outcome, false);
            return false;
        }
        let len = entry.encoded_len();
        self.resends.push((
            due,
            Pending {
                entry: entry.into(),
                len,
                meta,
            },
        ));
        true
    }

    /// Hands the slots released since the loop last turned to the publisher's [`Room`](super::room::Room); `now`: at once,
    /// not held back for a group.
    fn free_slots(&mut self, now: bool) {
        if let Some(slots) = self.released.take() {
            self.shared.publisher.room.free(slots, now);
        } else if now {
            self.shared.publisher.room.release_held();
        }
    }

    /// Answers the flushes whose events all have an outcome.
    fn release_barriers(&mut self) {
        if self.barriers.is_empty() {
            return;
        }
        // A flush answered sees the queue slots of what it waited for free.
        self.free_slots(true);
        let lowest = self.unsettled.keys().next().copied();
        let (waiting, done): (Vec<_>, Vec<_>) = std::mem::take(&mut self.barriers)
            .into_iter()
            .partition(|(barrier, _)| lowest.is_some_and(|l| l < *barrier));
        self.barriers = waiting;
        for (_, tx) in done {
            let _ = tx.send(());
        }
    }

    /// Shutdown timed out: abort the batch tasks and drop everything queued; the responders' `Drop` gives
    /// each event `Abandoned(ShutdownTimeout)`.
    async fn abort_all(&mut self) {
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
        self.running.clear();
        drop(self.limiter.drain_all());
        self.resends.clear();
        self.rx.close();
        while let Ok(msg) = self.rx.try_recv() {
            if let Msg::Event(_) = msg {
                self.shared.queued.fetch_sub(1, Relaxed);
            }
        }
        self.shared.in_flight.store(0, Relaxed);
    }
}

fn cancelled() -> Outcome {
    Outcome::Abandoned {
        reason: AbandonReason::Cancelled,
    }
}

/// Counts entries scheduled for a per-entry resend.
fn shared_retried(shared: &DestinationShared, resent: u64, ambiguous: u64) {
    shared.retried.fetch_add(resent, Relaxed);
    shared.ambiguous.fetch_add(ambiguous, Relaxed);
    crate::metrics::retried(shared.destination.name(), resent);
    tracing::debug!(
        destination = shared.destination.name(),
        resent,
        ambiguous,
        "Entries will be resent in a later batch."
    );
}

async fn sleep_until_opt(at: Option<Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at).await;
    }
}
