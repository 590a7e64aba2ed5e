//! [`Outcome`], [`Receipt`] and [`Summary`]: what became of each event, and of all of them.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::oneshot;

use crate::{AuditEventId, Violations};

/// The code of events rejected locally, before queueing, because they break a documented rule (the
/// [`Violations`] come with the outcome).
pub const VALIDATION_FAILED: &str = "ValidationFailed";

/// What finally happened to one event. Every published event gets exactly one (ARCHITECTURE decision 5).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The destination stored the event.
    Accepted {
        /// The `eventID` the destination assigned.
        event_id: String,
    },
    /// The event was refused for good: by local validation ([`VALIDATION_FAILED`], with `violations`), by
    /// the service (a per-entry code such as `InvalidChecksum`, or a whole-request code such as
    /// `ChannelNotFound`), or because its destination is paused (that destination's pausing code).
    Rejected {
        /// The error code.
        code: String,
        /// The message.
        message: String,
        /// Every rule the event breaks, for local validation failures.
        violations: Option<Violations>,
    },
    /// The publisher gave up without a final answer; see [`AbandonReason`].
    Abandoned {
        /// Why.
        reason: AbandonReason,
    },
}

impl Outcome {
    /// Whether the event was accepted.
    pub fn is_accepted(&self) -> bool {
        matches!(self, Self::Accepted { .. })
    }

    /// The error code of a rejection.
    pub fn rejection_code(&self) -> Option<&str> {
        match self {
            Self::Rejected { code, .. } => Some(code),
            Self::Accepted { .. } | Self::Abandoned { .. } => None,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Accepted { event_id } => write!(f, "accepted as {event_id}"),
            Self::Rejected { code, message, .. } => write!(f, "rejected: {code}: {message}"),
            Self::Abandoned { reason } => write!(f, "abandoned: {reason}"),
        }
    }
}

/// Why an event was abandoned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AbandonReason {
    /// Every allowed attempt failed with a retryable error (the retry settings bound attempts and time).
    RetriesExhausted {
        /// Calls made for the event's batch.
        attempts: u32,
        /// The last error (`code: message`).
        last_error: String,
    },
    /// [`Publisher::shutdown`](crate::Publisher::shutdown)'s timeout passed before the event was delivered.
    ShutdownTimeout,
    /// The publisher's worker stopped before delivering it (its runtime shut down, or a bug).
    Closed,
    /// [`Publisher::stop`](crate::Publisher::stop) was called before the event was sent (or before a
    /// throttled entry could be resent): it was never stored.
    Cancelled,
}

impl AbandonReason {
    /// A short label for metrics.
    pub fn label(&self) -> &'static str {
        match self {
            Self::RetriesExhausted { .. } => "retries_exhausted",
            Self::ShutdownTimeout => "shutdown_timeout",
            Self::Closed => "closed",
            Self::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for AbandonReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RetriesExhausted { attempts, last_error } => write!(
                f,
                "retries exhausted after {attempts} attempts; last error: {last_error}"
            ),
            Self::ShutdownTimeout => f.write_str("not delivered before the shutdown timeout"),
            Self::Closed => f.write_str("the publisher stopped before delivering the event"),
            Self::Cancelled => f.write_str("the publisher was stopped before the event was sent"),
        }
    }
}

/// An event's [`Outcome`] with how it was reached, from [`Receipt::delivery`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Delivery {
    /// The outcome.
    pub outcome: Outcome,
    /// How many times the event was sent again after a retryable failure (whole-request retries and
    /// per-entry `Throttling`/`InternalFailure` resends alike).
    pub resends: u32,
    /// Whether the outcome was decided for the whole request or destination rather than from this entry's
    /// own answer: a whole-request error (`ChannelInsufficientPermission`, an invalid signature, …), a
    /// paused destination, retries exhausted on whole-request failures, a shutdown or [`stop`]. An event
    /// rejected this way was not judged on its content, so sending it again later may well succeed.
    ///
    /// [`stop`]: crate::Publisher::stop
    pub decided_for_request: bool,
}

impl Delivery {
    pub(crate) fn new(outcome: Outcome, resends: u32, decided_for_request: bool) -> Self {
        Self {
            outcome,
            resends,
            decided_for_request,
        }
    }
}

/// The future outcome of one published event. Await it (or don't: the outcome is also counted in
/// [`Publisher::status`](crate::Publisher::status) and the metrics).
#[derive(Debug)]
#[must_use = "a receipt does nothing unless awaited; dropping it is fine if the outcome is not needed"]
pub struct Receipt {
    id: AuditEventId,
    /// Boxed: the channel's shared cell lives as long as the event is queued, so it stays small (a boxed
    /// delivery is allocated only once the outcome is known).
    rx: oneshot::Receiver<Box<Delivery>>,
}

impl Receipt {
    pub(crate) fn new(id: AuditEventId, rx: oneshot::Receiver<Box<Delivery>>) -> Self {
        Self { id, rx }
    }

    /// The event's `id` in its `PutAuditEvents` request.
    pub fn id(&self) -> &AuditEventId {
        &self.id
    }

    /// The outcome if it is known already.
    pub fn try_outcome(&mut self) -> Option<Outcome> {
        match self.rx.try_recv() {
            Ok(delivery) => Some(delivery.outcome),
            Err(oneshot::error::TryRecvError::Empty) => None,
            Err(oneshot::error::TryRecvError::Closed) => Some(Outcome::Abandoned {
                reason: AbandonReason::Closed,
            }),
        }
    }
}

impl Receipt {
    /// The outcome with how it was reached (resends, and whether the whole request decided it).
    pub async fn delivery(self) -> Delivery {
        self.rx.await.map_or_else(|_| closed(), |delivery| *delivery)
    }
}

fn closed() -> Delivery {
    Delivery::new(
        Outcome::Abandoned {
            reason: AbandonReason::Closed,
        },
        0,
        true,
    )
}

impl Future for Receipt {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        Pin::new(&mut self.rx)
            .poll(cx)
            .map(|r| r.map_or_else(|_| closed().outcome, |delivery| delivery.outcome))
    }
}

/// Totals over every destination since the publisher started, as returned by
/// [`Publisher::flush`](crate::Publisher::flush) and [`Publisher::shutdown`](crate::Publisher::shutdown).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Events handed to the publisher.
    pub published: u64,
    /// Events accepted.
    pub accepted: u64,
    /// Events rejected.
    pub rejected: u64,
    /// Events abandoned (including those still queued when a shutdown timed out).
    pub abandoned: u64,
    /// Events without an outcome yet (0 after `flush` or `shutdown` returns, unless events were published
    /// meanwhile).
    pub pending: u64,
    /// Events abandoned because the shutdown timeout passed (part of `abandoned`).
    pub abandoned_at_shutdown: u64,
}
