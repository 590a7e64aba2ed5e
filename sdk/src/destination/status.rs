//! [`DestinationStatus`]: one destination's health, queue and counters, for the status API.

use super::health::Health;

/// Counters of one destination since the publisher started (every event ends in exactly one of
/// `accepted`, `rejected`, `abandoned`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DestinationCounts {
    /// Events handed to `publish`/`try_publish` for this destination (including locally rejected ones).
    pub published: u64,
    /// Events the destination accepted.
    pub accepted: u64,
    /// Events rejected (locally by validation, by the service, or while paused).
    pub rejected: u64,
    /// Events given up on (retries exhausted, shutdown).
    pub abandoned: u64,
    /// Events sent again after a whole-request or per-entry failure (one per event per retry).
    pub retried: u64,
    /// Retries after an ambiguous failure (a timeout, a lost connection): each may have stored events twice.
    pub ambiguous_retries: u64,
    /// `PutAuditEvents` calls made (attempts, including retries).
    pub calls: u64,
}

impl DestinationCounts {
    /// Events with an outcome.
    pub fn settled(&self) -> u64 {
        self.accepted + self.rejected + self.abandoned
    }

    /// Events still queued or in flight.
    pub fn pending(&self) -> u64 {
        self.published.saturating_sub(self.settled())
    }
}

/// A destination's state as [`Publisher::status`](crate::Publisher::status) reports it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DestinationStatus {
    /// The destination's name.
    pub name: String,
    /// The channel ARN.
    pub channel_arn: String,
    /// Its health.
    pub health: Health,
    /// Events waiting in its queue (not yet in a request).
    pub queued: usize,
    /// Requests in flight (including ones waiting to retry).
    pub in_flight: usize,
    /// Counters since the publisher started.
    pub counts: DestinationCounts,
}
