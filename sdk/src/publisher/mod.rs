//! The [`Publisher`]: batched, multi-tenant `PutAuditEvents` that retries exactly what is retryable and
//! gives every event one outcome.
//!
//! ```no_run
//! use std::time::Duration;
//! use ctlake::{Destination, EventData, Outcome, Publisher};
//!
//! # async fn demo(event: EventData) -> Result<(), Box<dyn std::error::Error>> {
//! // The AWS default chain (environment, profile, role); `AWS_ENDPOINT_URL_CLOUDTRAIL_DATA` is honoured.
//! let publisher = Publisher::from_env().await?;
//! let tenant = Destination::builder()
//!     .name("tenant-42")
//!     .channel_arn("arn:aws:cloudtrail:us-east-1:123456789012:channel/EXAMPLE-1234".parse()?)
//!     .external_id("tenant-42-secret".parse()?)
//!     .build()?;
//!
//! // Queues the event (waiting only if the queue is full) and returns a receipt.
//! let receipt = publisher.publish(&tenant, event).await?;
//! match receipt.await {
//!     Outcome::Accepted { event_id } => println!("stored as {event_id}"),
//!     Outcome::Rejected { code, message, .. } => eprintln!("rejected: {code}: {message}"),
//!     Outcome::Abandoned { reason } => eprintln!("gave up: {reason}"),
//!     _ => {}
//! }
//! for status in publisher.status() {
//!     println!("{}: {:?}, {} queued", status.name, status.health, status.counts.pending());
//! }
//! let summary = publisher.shutdown(Duration::from_secs(10)).await; // Delivers what is queued.
//! assert_eq!(summary.pending, 0);
//! # Ok(()) }
//! ```
//!
//! # How it works
//!
//! Events are validated before queueing (an invalid event is rejected at once with
//! [`VALIDATION_FAILED`] and its [`Violations`](crate::Violations)), then partitioned by destination. Each
//! destination, on first use, gets a bounded queue, a batcher (the `batch` module's rules under an async
//! shell), a circuit breaker ([`crate::destination`]) and a tower stack (see `stack` below): a per-destination
//! cache, not a `Steer`, so a slow or broken tenant never blocks the others. A publisher-wide bound on queued
//! events ([`PublisherBuilder::max_queued`]) caps memory across tenants.
//!
//! Memory: while a destination's queue is deep (over [`PublisherBuilder::compress_queued_above`] events),
//! further entries are queued with their text compressed and restored when their batch is formed, so a
//! full backlog costs a fraction of its text (the `packed` module).
//!
//! Backpressure: [`Publisher::publish`] waits while the queue is full; [`Publisher::try_publish`] returns
//! [`TryPublishError::Full`] with the event instead. Neither ever drops an event.
//! While callers wait for room, the room that outcomes free goes back to them in groups (1 % of
//! [`PublisherBuilder::max_queued`], at most 1 000 events, or after 250 ms at the latest), not an event at a
//! time. In the `publisher_load` benchmark's flood, that cut the wake-ups of its 10 waiting threads from ~950
//! a second in all to ~130.
//!
//! The tower stack per destination, outermost first: concurrency limit → retry → global rate limit →
//! per-attempt timeout → sink. Why this order, and how each layer behaves when cloned, is documented in the
//! `stack` module's source (`sdk/src/publisher/stack.rs`) and summed up here:
//! the concurrency limit bounds in-flight batches *including* those waiting to retry, so a failing tenant
//! backs up only its own queue; every attempt (retries too) takes a rate-limit token, so retries cannot
//! break the quota; the timeout bounds one attempt, not the wait for a token.
//!
//! # CPU and the allocator
//!
//! `publish` runs on the caller's thread (serialization, checksum, queueing); queued entries and request
//! bodies are freed on the publisher's tasks, i.e. on other threads than the ones that allocated them. The
//! system allocator of glibc (per-thread arenas) handles such cross-thread frees poorly, worst when the
//! queues stay full. In the `publisher_load` benchmark (figures in `BENCHMARKS.md`), at the 10 000 events/s
//! the default quota allows, the publisher used 20–24 % of a core with glibc and 17–20 % with mimalloc as
//! the application's global allocator; with a permanent backlog of 100 000 events (the application offering
//! more than the quota lets through, so every `publish` waits for room), 31–39 % with glibc and 22–25 % with
//! mimalloc on a quiet host (26–28 % with mimalloc while the hypervisor took 13–28 % of the CPUs). An
//! application that publishes at high rates may want such an allocator; the SDK leaves the choice to it. The `ctlake` command line made that choice: with mimalloc, `put-events` spends 17 % less
//! CPU per event than with glibc.

mod error;
mod input;
mod outcome;
mod packed;
mod room;
mod shared;
mod stack;
mod worker;

use std::collections::HashMap;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{TryAcquireError, mpsc, oneshot, watch};
use tokio::task::JoinHandle;

pub use error::{PublishError, TryPublishError};
pub use input::OutgoingEvent;
pub use outcome::{AbandonReason, Delivery, Outcome, Receipt, Summary, VALIDATION_FAILED};

use self::shared::{DestinationShared, Pending, PublisherShared, Responder};
use self::worker::{Msg, Stop, Worker};
use crate::batch::Limits;
use crate::destination::health::Breaker;
use crate::destination::{Destination, DestinationKey, DestinationStatus};
use crate::rate::{Rate, RateKey, RateLimiter};
use crate::retry::RetrySettings;
use crate::sink::{LakeSink, Sink};
use crate::validate::limits;

/// Publishes events to many destinations; see the [module docs](self). Cheap to clone: clones share
/// everything. Dropping the last clone lets each destination deliver what is queued and stop (while the
/// runtime runs); call [`shutdown`](Self::shutdown) to wait for that with a deadline.
#[derive(Debug, Clone)]
pub struct Publisher {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    sink: Arc<dyn Sink>,
    runtime: tokio::runtime::Handle,
    /// `None` once shut down.
    destinations: Mutex<Option<HashMap<DestinationKey, Handle>>>,
    shared: Arc<PublisherShared>,
    abort: watch::Sender<Stop>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

#[derive(Debug, Clone)]
struct Handle {
    sender: mpsc::Sender<Msg>,
    shared: Arc<DestinationShared>,
}

#[derive(Debug, Clone)]
struct Config {
    limits: Limits,
    linger: Duration,
    queue_capacity: usize,
    concurrency: usize,
    attempt_timeout: Duration,
    retry: Arc<RetrySettings>,
    rate_limiter: RateLimiter,
    probe_delay: Duration,
    max_probe_delay: Duration,
    /// Queue depth of a destination above which further entries are queued compressed.
    compress_above: usize,
}

impl Publisher {
    /// A builder with the defaults (see each setter).
    pub fn builder() -> PublisherBuilder {
        PublisherBuilder::default()
    }

    /// A publisher with the defaults and a [`LakeSink`] from the AWS default configuration
    /// ([`LakeSink::from_env`]). Must be called within a Tokio runtime.
    ///
    /// # Errors
    ///
    /// [`PublisherBuildError::NoRuntime`] outside a Tokio runtime.
    pub async fn from_env() -> Result<Self, PublisherBuildError> {
        Self::builder().sink(LakeSink::from_env().await).build()
    }

    /// Validates `event` for `destination` and queues it, waiting while the queue is full.
    ///
    /// An invalid event is not queued: its receipt is already resolved to `Rejected` with code
    /// [`VALIDATION_FAILED`] and the violations.
    ///
    /// # Errors
    ///
    /// [`PublishError::Closed`] after [`shutdown`](Self::shutdown) (the event has no outcome then).
    pub async fn publish(
        &self,
        destination: &Destination,
        event: impl Into<OutgoingEvent>,
    ) -> Result<Receipt, PublishError> {
        let handle = self.inner.handle(destination).ok_or(PublishError::Closed)?;
        let event: OutgoingEvent = event.into();
        let (entry, len) = match event.prepare(destination.channel_arn()) {
            Ok(prepared) => prepared,
            Err((id, violations)) => return Ok(reject_locally(&handle, id, violations)),
        };
        let id = entry.id().clone();
        let permit = self
            .inner
            .shared
            .room
            .acquire()
            .await
            .map_err(|_| PublishError::Closed)?;
        let slot = handle.sender.reserve().await.map_err(|_| PublishError::Closed)?;
        let (tx, rx) = oneshot::channel();
        let entry = handle.shared.queued_form(entry, self.inner.config.compress_above);
        let pending = Pending::new(
            entry,
            len,
            Responder::new(tx, handle.shared.clone(), Some(permit)),
        );
        handle.shared.queued.fetch_add(1, Relaxed);
        handle.shared.count_published();
        slot.send(Msg::Event(pending));
        Ok(Receipt::new(id, rx))
    }

    /// Like [`publish`](Self::publish), but never waits: a full queue returns [`TryPublishError::Full`] with
    /// the event. Usable from synchronous code (the publisher's runtime does the work).
    ///
    /// # Errors
    ///
    /// [`TryPublishError::Full`] when the destination's queue or the publisher-wide bound is full,
    /// [`TryPublishError::Closed`] after shutdown.
    pub fn try_publish(
        &self,
        destination: &Destination,
        event: impl Into<OutgoingEvent>,
    ) -> Result<Receipt, TryPublishError> {
        let event = event.into();
        let Some(handle) = self.inner.handle(destination) else {
            return Err(TryPublishError::Closed(event));
        };
        let (entry, len) = match event.prepare(destination.channel_arn()) {
            Ok(prepared) => prepared,
            Err((id, violations)) => return Ok(reject_locally(&handle, id, violations)),
        };
        let id = entry.id().clone();
        let permit = match self.inner.shared.room.try_acquire() {
            Ok(permit) => permit,
            Err(TryAcquireError::NoPermits) => return Err(TryPublishError::Full(entry.into())),
            Err(TryAcquireError::Closed) => return Err(TryPublishError::Closed(entry.into())),
        };
        let slot = match handle.sender.try_reserve() {
            Ok(slot) => slot,
            Err(mpsc::error::TrySendError::Full(())) => return Err(TryPublishError::Full(entry.into())),
            Err(mpsc::error::TrySendError::Closed(())) => return Err(TryPublishError::Closed(entry.into())),
        };
        let (tx, rx) = oneshot::channel();
        let entry = handle.shared.queued_form(entry, self.inner.config.compress_above);
        let pending = Pending::new(
            entry,
            len,
            Responder::new(tx, handle.shared.clone(), Some(permit)),
        );
        handle.shared.queued.fetch_add(1, Relaxed);
        handle.shared.count_published();
        slot.send(Msg::Event(pending));
        Ok(Receipt::new(id, rx))
    }

    /// Sends everything queued so far (without waiting for linger times) and returns when all of it has an
    /// outcome — accepted, rejected, or abandoned after its retries. Events published meanwhile may or may
    /// not be included. Returns the totals.
    pub async fn flush(&self) -> Summary {
        let handles = self.inner.handles();
        flush_all(&handles).await;
        self.inner.shared.summary()
    }

    /// Stops accepting events, delivers everything queued, and returns the totals. What has no outcome when
    /// `timeout` passes is abandoned ([`AbandonReason::ShutdownTimeout`], counted in
    /// [`Summary::abandoned_at_shutdown`]). Later `publish` calls fail with [`PublishError::Closed`].
    pub async fn shutdown(&self, timeout: Duration) -> Summary {
        let handles: Vec<Handle> = self
            .inner
            .destinations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .map(|m| m.into_values().collect())
            .unwrap_or_default();
        self.inner.shared.room.close();
        let delivered = tokio::time::timeout(timeout, flush_all(&handles)).await.is_ok();
        drop(handles);
        if !delivered {
            tracing::warn!(?timeout, "Shutdown timed out; abandoning undelivered events.");
            self.inner.shared.shutting_down.store(true, Relaxed);
            let _ = self.inner.abort.send(Stop::All);
        }
        let workers = std::mem::take(&mut *self.inner.workers.lock().unwrap_or_else(PoisonError::into_inner));
        for worker in workers {
            // After a timeout the workers only abort their tasks; otherwise they end once their queue is
            // empty. Either way this is quick.
            let _ = worker.await;
        }
        self.inner.shared.summary()
    }

    /// Stops at once, sending nothing more: refuses new events, gives every event not sent yet the outcome
    /// `Abandoned(`[`AbandonReason::Cancelled`]`)` (entries waiting to be resent too), and waits up to `grace`
    /// for the calls in flight to be answered, so what they stored is reported as accepted. What is still
    /// without an outcome after `grace` is abandoned ([`AbandonReason::ShutdownTimeout`]). For an interrupted
    /// run that will be resumed: nothing is sent after `stop`, and nothing in flight is lost from the count.
    pub async fn stop(&self, grace: Duration) -> Summary {
        drop(
            self.inner
                .destinations
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        self.inner.shared.room.close();
        let _ = self.inner.abort.send(Stop::Unsent);
        let mut workers =
            std::mem::take(&mut *self.inner.workers.lock().unwrap_or_else(PoisonError::into_inner));
        let waited = tokio::time::timeout(grace, futures::future::join_all(workers.iter_mut())).await;
        if waited.is_err() {
            self.inner.shared.shutting_down.store(true, Relaxed);
            let _ = self.inner.abort.send(Stop::All);
            for worker in workers.into_iter().filter(|w| !w.is_finished()) {
                let _ = worker.await;
            }
        }
        self.inner.shared.summary()
    }

    /// The status of every destination used so far.
    pub fn status(&self) -> Vec<DestinationStatus> {
        self.inner.shared.status()
    }

    /// The status of `destination`, if it was used.
    pub fn destination_status(&self, destination: &Destination) -> Option<DestinationStatus> {
        self.inner
            .shared
            .destinations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|d| d.destination.key() == destination.key())
            .map(|d| d.status())
    }

    /// The totals over every destination.
    pub fn summary(&self) -> Summary {
        self.inner.shared.summary()
    }
}

fn reject_locally(handle: &Handle, id: crate::AuditEventId, violations: crate::Violations) -> Receipt {
    let (tx, rx) = oneshot::channel();
    handle.shared.count_published();
    Responder::new(tx, handle.shared.clone(), None).resolve(Outcome::Rejected {
        code: VALIDATION_FAILED.to_owned(),
        message: violations.to_string(),
        violations: Some(violations),
    });
    Receipt::new(id, rx)
}

async fn flush_all(handles: &[Handle]) {
    let mut waiters = Vec::with_capacity(handles.len());
    for h in handles {
        let (tx, rx) = oneshot::channel();
        if h.sender.send(Msg::Flush(tx)).await.is_ok() {
            waiters.push(rx);
        }
    }
    for rx in waiters {
        let _ = rx.await;
    }
}

impl Inner {
    fn handles(&self) -> Vec<Handle> {
        self.destinations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The destination's handle, starting its worker on first use; `None` once shut down.
    fn handle(&self, destination: &Destination) -> Option<Handle> {
        let mut map = self.destinations.lock().unwrap_or_else(PoisonError::into_inner);
        let map = map.as_mut()?;
        if let Some(h) = map.get(destination.key()) {
            return Some(h.clone());
        }
        let c = &self.config;
        let shared = Arc::new(DestinationShared::new(
            destination.clone(),
            Breaker::new(c.probe_delay, c.max_probe_delay),
            self.shared.clone(),
        ));
        let bucket = c.rate_limiter.bucket(RateKey {
            region: destination.region().to_owned(),
            account: destination.credentials().caller_account().map(str::to_owned),
        });
        let stack = stack::build(
            self.sink.clone(),
            bucket,
            c.retry.clone(),
            c.concurrency,
            c.attempt_timeout,
        );
        let (sender, rx) = mpsc::channel(c.queue_capacity);
        let worker = Worker::new(
            shared.clone(),
            rx,
            stack,
            c.limits,
            c.linger,
            c.retry.clone(),
            self.abort.subscribe(),
        );
        let join = self.runtime.spawn(worker.run());
        self.workers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(join);
        self.shared
            .destinations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(shared.clone());
        let handle = Handle { sender, shared };
        map.insert(destination.key().clone(), handle.clone());
        Some(handle)
    }
}

/// Builds a [`Publisher`]. Only the [`sink`](Self::sink) is required.
#[derive(Debug, Clone)]
pub struct PublisherBuilder {
    sink: Option<Arc<dyn Sink>>,
    config: Config,
    runtime: Option<tokio::runtime::Handle>,
    max_queued: usize,
}

impl Default for PublisherBuilder {
    fn default() -> Self {
        Self {
            sink: None,
            config: Config {
                limits: Limits::default(),
                linger: Duration::from_millis(200),
                queue_capacity: 10_000,
                concurrency: 8,
                attempt_timeout: Duration::from_secs(30),
                retry: Arc::new(RetrySettings::default()),
                rate_limiter: RateLimiter::default(),
                probe_delay: Duration::from_secs(30),
                max_probe_delay: Duration::from_secs(600),
                compress_above: 1_000,
            },
            runtime: None,
            max_queued: 100_000,
        }
    }
}

/// A [`PublisherBuilder`] setting is missing or unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PublisherBuildError {
    /// No sink was set.
    #[error("publisher: a sink is required (e.g. LakeSink::from_env().await)")]
    MissingSink,
    /// `build` was called outside a Tokio runtime and no runtime handle was given.
    #[error("publisher: build() must run inside a Tokio runtime, or be given one with runtime()")]
    NoRuntime,
}

impl PublisherBuilder {
    /// Where batches go (required): a [`LakeSink`], a [`FileSink`](crate::FileSink), or your own [`Sink`].
    pub fn sink(mut self, sink: impl Sink) -> Self {
        self.sink = Some(Arc::new(sink));
        self
    }

    /// How long a batch may wait for more events before it is sent (default 200 ms). Full batches go at once.
    pub fn linger(mut self, linger: Duration) -> Self {
        self.config.linger = linger;
        self
    }

    /// Entries per request, at most (and by default) 100.
    pub fn max_batch_events(mut self, n: usize) -> Self {
        self.config.limits.max_events = n.clamp(1, limits::MAX_EVENTS_PER_REQUEST);
        self
    }

    /// Request body bytes, at most (and by default) [`MAX_REQUEST_BYTES`](limits::MAX_REQUEST_BYTES).
    pub fn max_batch_bytes(mut self, n: usize) -> Self {
        self.config.limits.max_bytes = n.min(limits::MAX_REQUEST_BYTES);
        self
    }

    /// Events each destination's queue holds before `publish` waits (default 10 000).
    pub fn queue_capacity(mut self, n: usize) -> Self {
        self.config.queue_capacity = n.max(1);
        self
    }

    /// Events the whole publisher holds — queued or in flight, over all destinations — before `publish`
    /// waits (default 100 000). Bounds memory however many tenants there are.
    ///
    /// Once it is reached, room freed by outcomes goes back to waiting callers in groups of 1 % of this
    /// bound (at most 1 000 events), or after 250 ms at the latest.
    pub fn max_queued(mut self, n: usize) -> Self {
        self.max_queued = n.max(1);
        self
    }

    /// Events a destination's queue holds before further events are queued compressed (default 1 000).
    ///
    /// A deep queue is mostly `eventData` text: above this depth, `publish` compresses each entry's text
    /// (LZ4, against an earlier event of the same destination as dictionary — typically to a fifth of its
    /// size or less) and the worker restores it when it forms the batch; what is sent is unchanged. This
    /// keeps [`max_queued`](Self::max_queued) events of backlog in a fraction of their size, at a cost of a
    /// few microseconds of CPU per event while the backlog lasts; a queue that stays below the depth (the
    /// steady state) costs nothing. `usize::MAX` never compresses, 0 always does.
    pub fn compress_queued_above(mut self, depth: usize) -> Self {
        self.config.compress_above = depth;
        self
    }

    /// Batches each destination has in flight, retries included (default 8).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.config.concurrency = n.max(1);
        self
    }

    /// The time limit of one attempt (default 30 s). A timed-out attempt is retried (and counted as
    /// ambiguous: it may have been stored).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.config.attempt_timeout = timeout;
        self
    }

    /// Retry backoff and bounds (default [`RetrySettings::default`]).
    pub fn retry(mut self, retry: RetrySettings) -> Self {
        self.config.retry = Arc::new(retry);
        self
    }

    /// The rate of each (region, calling account) bucket (default 100 calls per second, the quota).
    pub fn rate(mut self, rate: Rate) -> Self {
        self.config.rate_limiter = RateLimiter::new(rate);
        self
    }

    /// Share buckets with other publishers in this process (see [`crate::rate`]).
    pub fn rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.config.rate_limiter = limiter;
        self
    }

    /// How long a paused destination waits before its first probe (default 30 s), and the most it waits
    /// after repeated failed probes (default 10 min; the wait doubles each time).
    pub fn probe_delay(mut self, first: Duration, max: Duration) -> Self {
        self.config.probe_delay = first;
        self.config.max_probe_delay = max.max(first);
        self
    }

    /// The runtime the workers run on (default: the one `build` is called in).
    pub fn runtime(mut self, handle: tokio::runtime::Handle) -> Self {
        self.runtime = Some(handle);
        self
    }

    /// The publisher.
    ///
    /// # Errors
    ///
    /// [`PublisherBuildError`] when no sink is set, or no runtime is available.
    pub fn build(self) -> Result<Publisher, PublisherBuildError> {
        let sink = self.sink.ok_or(PublisherBuildError::MissingSink)?;
        let runtime = match self.runtime {
            Some(r) => r,
            None => tokio::runtime::Handle::try_current().map_err(|_| PublisherBuildError::NoRuntime)?,
        };
        let (abort, _) = watch::channel(Stop::Run);
        Ok(Publisher {
            inner: Arc::new(Inner {
                config: self.config,
                sink,
                runtime,
                destinations: Mutex::new(Some(HashMap::new())),
                shared: Arc::new(PublisherShared::new(self.max_queued)),
                abort,
                workers: Mutex::new(Vec::new()),
            }),
        })
    }
}

#[cfg(test)]
mod tests;
