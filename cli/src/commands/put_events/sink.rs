//! What put-events needs from whatever publishes: take entries with backpressure, report one receipt per
//! entry, finish. The SDK publisher implements it (`publisher.rs`), and owns every retry.

use ctlake::AuditEvent;
use tokio::sync::mpsc;

/// One entry handed to a sink, with the record number it came from.
#[derive(Debug, Clone)]
pub(crate) struct Submission {
    /// The record's 1-based number in the input.
    pub(crate) index: u64,
    /// The entry.
    pub(crate) entry: AuditEvent,
}

/// How one entry ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fate {
    /// Stored by Lake, with Lake's `eventID`.
    Accepted {
        /// Lake's `eventID`.
        event_id: String,
    },
    /// Refused by Lake for good (a per-entry error code other than a retryable one, or a retryable one after
    /// the publisher's retries ran out).
    Rejected {
        /// Lake's per-entry error code.
        code: String,
        /// Lake's message.
        message: String,
    },
}

/// The outcome of one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Receipt {
    /// The record number ([`Submission::index`]).
    pub(crate) index: u64,
    /// How it ended.
    pub(crate) fate: Fate,
    /// How many times it was sent again after a retryable failure (whole-request or per-entry).
    pub(crate) retries: u32,
}

/// A failure that stops the whole run (the channel is gone, the caller may not publish, the service cannot
/// be reached after retries). The message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub(crate) struct Fatal {
    /// Whether the service answered (exit 254) rather than being unreachable (255).
    pub(crate) service: bool,
    /// What happened.
    pub(crate) message: String,
}

/// Where receipts go.
pub(crate) type Receipts = mpsc::UnboundedSender<Receipt>;

/// A publisher as put-events uses it.
pub(crate) trait Sink {
    /// Takes one entry, waiting while the sink is full. Its receipt arrives later on the receipts channel.
    ///
    /// # Errors
    /// A [`Fatal`] error stops the run; entries not yet answered stay unanswered.
    async fn submit(&mut self, submission: Submission) -> Result<(), Fatal>;

    /// Sends everything still buffered and waits until every entry has its receipt.
    ///
    /// # Errors
    /// As [`Sink::submit`].
    async fn finish(&mut self) -> Result<(), Fatal>;

    /// Stops without sending what is buffered; requests in flight may finish (their receipts arrive), the
    /// rest stay unanswered and a resumed run sends them again.
    async fn abandon(&mut self);
}
