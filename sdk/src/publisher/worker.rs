//! The worker of one destination: the async shell around the [`Limiter`], the circuit breaker and the tower
//! stack.
//!
//! It reads events from the destination's bounded queue into the current batch and sends the batch when it
//! is full, when its linger time has passed, or when a flush asks for it — and only when the stack is
//! ready, so a batch keeps filling while the destination has no free slot or token. Each batch runs in its
//! own task (bounded by the stack's concurrency limit), which gives every event of the batch its outcome.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::{Id, JoinSet};
use tokio::time::Instant;
use tower::{Service, ServiceExt};
use tracing::Instrument;

use super::outcome::{AbandonReason, Outcome};
use super::shared::{DestinationShared, Pending, Responder};
use super::stack::Stack;
use crate::batch::{Batch, BatchResult, EntryState, Limiter, Limits};
use crate::destination::Health;
use crate::destination::health::Admit;
use crate::sink::PutRequest;

/// A message in a destination's queue.
#[derive(Debug)]
pub(crate) enum Msg {
    Event(Pending),
    /// Send everything queued before this marker; answer when all of it has an outcome.
    Flush(oneshot::Sender<()>),
}

/// What a finished batch task reports to the worker.
#[derive(Debug)]
struct Done {
    probe: bool,
    fatal: Option<(String, String)>,
}

pub(crate) struct Worker {
    shared: Arc<DestinationShared>,
    rx: mpsc::Receiver<Msg>,
    stack: Stack,
    limiter: Limiter<Pending>,
    linger: Duration,
    /// When the current batch got its first entry.
    oldest: Option<Instant>,
    tasks: JoinSet<Done>,
    /// Sequence number and probe flag of each running batch task.
    running: HashMap<Id, (u64, bool)>,
    in_flight: BTreeSet<u64>,
    next_seq: u64,
    /// Flushes waiting for the batcher to empty.
    flushing: Vec<oneshot::Sender<()>>,
    /// Flushes waiting for every batch numbered below theirs to finish.
    barriers: Vec<(u64, oneshot::Sender<()>)>,
    abort: watch::Receiver<bool>,
    /// The publisher (and with it the abort signal) is gone: nothing can abort any more.
    abort_gone: bool,
    closed: bool,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("destination", &self.shared.destination.name())
            .field("batch", &self.limiter.len())
            .field("in_flight", &self.in_flight.len())
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
        abort: watch::Receiver<bool>,
    ) -> Self {
        Self {
            shared,
            rx,
            stack,
            limiter: Limiter::new(limits),
            linger,
            oldest: None,
            tasks: JoinSet::new(),
            running: HashMap::new(),
            in_flight: BTreeSet::new(),
            next_seq: 0,
            flushing: Vec::new(),
            barriers: Vec::new(),
            abort,
            abort_gone: false,
            closed: false,
        }
    }

    /// Runs until the queue is closed and everything in it has an outcome, or until aborted.
    pub(crate) async fn run(mut self) {
        let span = tracing::info_span!("ctlake.destination", destination = self.shared.destination.name());
        async move {
            loop {
                if *self.abort.borrow() {
                    self.abort_all().await;
                    return;
                }
                let now = Instant::now();
                let force = !self.flushing.is_empty() || self.closed;
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
                if !self.flushing.is_empty() && self.limiter.is_empty() && self.limiter.waiting() == 0 {
                    let barrier = self.next_seq;
                    for tx in std::mem::take(&mut self.flushing) {
                        self.barriers.push((barrier, tx));
                    }
                    self.release_barriers();
                }
                if self.closed && self.limiter.is_empty() && self.tasks.is_empty() {
                    self.release_barriers();
                    return;
                }
                let want_send = sendable && !matches!(health, Health::Probing { .. });
                let accepting = self.limiter.accepting() && self.flushing.is_empty() && !self.closed;
                let linger_wait = linger_at.filter(|t| *t > now && !self.limiter.is_full());
                tokio::select! {
                    biased;
                    changed = self.abort.changed(), if !self.abort_gone => {
                        self.abort_gone = changed.is_err();
                    }
                    Some(joined) = self.tasks.join_next_with_id(), if !self.tasks.is_empty() => {
                        self.on_done(joined);
                    }
                    ready = ServiceExt::<Batch>::ready(&mut self.stack), if want_send => {
                        if ready.is_ok() {
                            self.send(Instant::now());
                        }
                    }
                    msg = self.rx.recv(), if accepting => self.on_msg(msg, now),
                    () = sleep_until_opt(linger_wait), if linger_wait.is_some() => {}
                }
            }
        }
        .instrument(span)
        .await;
    }

    fn on_msg(&mut self, msg: Option<Msg>, now: Instant) {
        match msg {
            Some(Msg::Event(pending)) => {
                let queued = self.shared.queued.fetch_sub(1, Relaxed).saturating_sub(1);
                self.shared.metrics.queue_depth.set(queued as f64);
                if self.limiter.is_empty() {
                    self.oldest = Some(now);
                }
                self.limiter.push(pending);
            }
            Some(Msg::Flush(tx)) => self.flushing.push(tx),
            None => self.closed = true,
        }
    }

    /// Takes the current batch for sending (or rejection), restarting the linger time for what is left.
    fn take(&mut self, now: Instant) -> (Vec<Pending>, usize) {
        let bytes = self.limiter.body_len();
        let items = self.limiter.take();
        self.oldest = (!self.limiter.is_empty()).then_some(now);
        (items, bytes)
    }

    /// The destination is paused: its batch is rejected without a call.
    fn reject_paused(&mut self, now: Instant) {
        let admit = self.shared.breaker().admit(now);
        let Admit::Reject { code, message } = admit else {
            return;
        };
        let (items, _) = self.take(now);
        for p in items {
            p.responder.resolve(Outcome::Rejected {
                code: code.clone(),
                message: message.clone(),
                violations: None,
            });
        }
    }

    fn send(&mut self, now: Instant) {
        let admit = self.shared.breaker().admit(now);
        let probe = match admit {
            Admit::Send => false,
            Admit::Probe => true,
            Admit::Wait => return,
            Admit::Reject { .. } => {
                return;
            }
        };
        let (items, bytes) = self.take(now);
        if items.is_empty() {
            return;
        }
        let (entries, responders): (Vec<_>, Vec<_>) = items
            .into_iter()
            .map(|p| {
                let id = p.entry.id().as_str().to_owned();
                (p.entry, (id, p.responder))
            })
            .unzip();
        let events = entries.len();
        self.shared.metrics.batch_events.record(events as f64);
        self.shared.metrics.batch_bytes.record(bytes as f64);
        let put = PutRequest::new(self.shared.destination.clone(), entries);
        let future = self.stack.call(Batch { put, formed: now });
        let seq = self.next_seq;
        self.next_seq += 1;
        self.in_flight.insert(seq);
        self.shared.in_flight.fetch_add(1, Relaxed);
        let shared = self.shared.clone();
        let span = tracing::debug_span!("ctlake.batch", events, bytes, probe);
        let handle = self.tasks.spawn(
            async move {
                let result = future.await;
                settle(&shared, responders, result, probe)
            }
            .instrument(span),
        );
        self.running.insert(handle.id(), (seq, probe));
    }

    fn on_done(&mut self, joined: Result<(Id, Done), tokio::task::JoinError>) {
        let (id, done) = match joined {
            Ok((id, done)) => (id, Some(done)),
            // A panicking batch task: its responders were dropped, so its events are abandoned.
            Err(e) => (e.id(), None),
        };
        let Some((seq, probe)) = self.running.remove(&id) else {
            return;
        };
        self.in_flight.remove(&seq);
        self.shared.in_flight.fetch_sub(1, Relaxed);
        let now = Instant::now();
        let mut breaker = self.shared.breaker();
        match done {
            Some(Done {
                fatal: Some((code, message)),
                probe,
            }) => {
                tracing::warn!(
                    destination = self.shared.destination.name(),
                    code,
                    message,
                    "Destination paused after a tenant-fatal error."
                );
                breaker.on_fatal(now, probe, &code, &message);
            }
            Some(Done { probe, .. }) => breaker.on_answer(probe),
            None => breaker.on_answer(probe),
        }
        drop(breaker);
        self.release_barriers();
    }

    /// Answers the flushes whose batches have all finished.
    fn release_barriers(&mut self) {
        let lowest = self.in_flight.first().copied();
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
        drop(self.limiter.drain_all());
        self.rx.close();
        while let Ok(msg) = self.rx.try_recv() {
            if let Msg::Event(_) = msg {
                self.shared.queued.fetch_sub(1, Relaxed);
            }
        }
        self.shared.in_flight.store(0, Relaxed);
    }
}

async fn sleep_until_opt(at: Option<Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at).await;
    }
}

/// Gives each event of a finished batch its outcome; returns what the worker needs to know.
fn settle(
    shared: &DestinationShared,
    responders: Vec<(String, Responder)>,
    result: Result<BatchResult, tower::BoxError>,
    probe: bool,
) -> Done {
    let result = match result {
        Ok(r) => r,
        Err(e) => {
            // The stack's policy always answers `Ok`; an error here is a failure of the stack itself.
            let reason = AbandonReason::RetriesExhausted {
                attempts: 0,
                last_error: e.to_string(),
            };
            for (_, r) in responders {
                r.resolve(Outcome::Abandoned {
                    reason: reason.clone(),
                });
            }
            return Done { probe, fatal: None };
        }
    };
    shared.calls.fetch_add(u64::from(result.attempts), Relaxed);
    shared.retried.fetch_add(result.retried, Relaxed);
    shared.ambiguous.fetch_add(result.ambiguous, Relaxed);
    let mut states: HashMap<String, EntryState> = result.entries.into_iter().collect();
    for (id, responder) in responders {
        let outcome = match states.remove(&id) {
            Some(EntryState::Accepted(event_id)) => Outcome::Accepted { event_id },
            Some(EntryState::Rejected { code, message } | EntryState::Failed { code, message }) => {
                Outcome::Rejected {
                    code,
                    message,
                    violations: None,
                }
            }
            Some(EntryState::Abandoned(reason)) => Outcome::Abandoned { reason },
            Some(EntryState::Unknown) | None => Outcome::Abandoned {
                reason: AbandonReason::RetriesExhausted {
                    attempts: result.attempts,
                    last_error: "the entry's outcome is unknown".to_owned(),
                },
            },
        };
        responder.resolve(outcome);
    }
    Done {
        probe,
        fatal: result.fatal,
    }
}
