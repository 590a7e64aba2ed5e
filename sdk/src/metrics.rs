//! The publisher's metrics, through the [`metrics`](https://docs.rs/metrics) facade: install any recorder
//! (Prometheus, StatsD, …) **before** the publisher sees its first event for a destination (each destination
//! resolves its metric handles when its worker starts). Every metric has the label `destination` (the
//! destination's [name](crate::Destination::name)).
//!
//! | name | kind | extra labels | what |
//! |---|---|---|---|
//! | `ctlake_publisher_events_published_total` | counter | | events handed to `publish`/`try_publish` |
//! | `ctlake_publisher_events_sent_total` | counter | | entries put in calls (resends included) |
//! | `ctlake_publisher_calls_total` | counter | | `PutAuditEvents` calls (attempts) |
//! | `ctlake_publisher_events_accepted_total` | counter | | events accepted |
//! | `ctlake_publisher_events_rejected_total` | counter | `code` | events rejected, by code (`ValidationFailed` for local validation) |
//! | `ctlake_publisher_events_retried_total` | counter | | entries resent (one per entry per retry) |
//! | `ctlake_publisher_events_abandoned_total` | counter | `reason` | events given up on |
//! | `ctlake_publisher_batch_events` | histogram | | entries per batch |
//! | `ctlake_publisher_batch_bytes` | histogram | | exact request body bytes per batch |
//! | `ctlake_publisher_queue_depth` | gauge | | events waiting in the destination's queue |
//! | `ctlake_publisher_ack_latency_seconds` | histogram | | from `publish` to the event's outcome |
//!
//! Spans: each destination worker runs in a `ctlake.destination` span (field `destination`), each batch in
//! a `ctlake.batch` span (fields `events`, `bytes`).

use metrics::{Counter, Gauge, Histogram, counter, gauge, histogram};

/// Events handed to `publish`.
pub const EVENTS_PUBLISHED: &str = "ctlake_publisher_events_published_total";
/// Entries put in calls.
pub const EVENTS_SENT: &str = "ctlake_publisher_events_sent_total";
/// Calls made.
pub const CALLS: &str = "ctlake_publisher_calls_total";
/// Events accepted.
pub const EVENTS_ACCEPTED: &str = "ctlake_publisher_events_accepted_total";
/// Events rejected, label `code`.
pub const EVENTS_REJECTED: &str = "ctlake_publisher_events_rejected_total";
/// Entries resent.
pub const EVENTS_RETRIED: &str = "ctlake_publisher_events_retried_total";
/// Events abandoned, label `reason`.
pub const EVENTS_ABANDONED: &str = "ctlake_publisher_events_abandoned_total";
/// Entries per batch.
pub const BATCH_EVENTS: &str = "ctlake_publisher_batch_events";
/// Request body bytes per batch.
pub const BATCH_BYTES: &str = "ctlake_publisher_batch_bytes";
/// Events waiting in a destination's queue.
pub const QUEUE_DEPTH: &str = "ctlake_publisher_queue_depth";
/// Seconds from `publish` to the outcome.
pub const ACK_LATENCY: &str = "ctlake_publisher_ack_latency_seconds";

/// The label naming the destination.
pub const DESTINATION_LABEL: &str = "destination";

/// Handles of one destination's label-free metrics, resolved once.
#[derive(Debug, Clone)]
pub(crate) struct DestinationMetrics {
    name: String,
    pub(crate) published: Counter,
    pub(crate) accepted: Counter,
    pub(crate) batch_events: Histogram,
    pub(crate) batch_bytes: Histogram,
    pub(crate) queue_depth: Gauge,
    pub(crate) latency: Histogram,
}

impl DestinationMetrics {
    pub(crate) fn new(name: &str) -> Self {
        let label = || [(DESTINATION_LABEL, name.to_owned())];
        Self {
            name: name.to_owned(),
            published: counter!(EVENTS_PUBLISHED, &label()),
            accepted: counter!(EVENTS_ACCEPTED, &label()),
            batch_events: histogram!(BATCH_EVENTS, &label()),
            batch_bytes: histogram!(BATCH_BYTES, &label()),
            queue_depth: gauge!(QUEUE_DEPTH, &label()),
            latency: histogram!(ACK_LATENCY, &label()),
        }
    }

    pub(crate) fn rejected(&self, code: &str, n: u64) {
        counter!(EVENTS_REJECTED, DESTINATION_LABEL => self.name.clone(), "code" => code.to_owned())
            .increment(n);
    }

    pub(crate) fn abandoned(&self, reason: &'static str, n: u64) {
        counter!(EVENTS_ABANDONED, DESTINATION_LABEL => self.name.clone(), "reason" => reason).increment(n);
    }
}

/// Counts entries resent for `destination`.
pub(crate) fn retried(destination: &str, n: u64) {
    counter!(EVENTS_RETRIED, DESTINATION_LABEL => destination.to_owned()).increment(n);
}

/// Counts one call of `n` entries for `destination`.
pub(crate) fn call(destination: &str, n: u64) {
    counter!(CALLS, DESTINATION_LABEL => destination.to_owned()).increment(1);
    counter!(EVENTS_SENT, DESTINATION_LABEL => destination.to_owned()).increment(n);
}
