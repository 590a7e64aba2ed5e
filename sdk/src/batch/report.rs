//! [`Batch`] (the request of a destination's tower stack) and [`BatchResult`] (its response).

use tokio::time::Instant;

use crate::publisher::AbandonReason;
use crate::sink::PutRequest;

/// One batch on its way through the stack: the request and when it was formed (the retry layer bounds the
/// total time of whole-request retries from there).
#[derive(Debug, Clone)]
pub(crate) struct Batch {
    pub(crate) put: PutRequest,
    pub(crate) formed: Instant,
}

/// The state of one entry in a [`BatchResult`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EntryState {
    /// Accepted, with the destination's `eventID`.
    Accepted(String),
    /// A per-entry failure, not yet classified (only between the sink and the retry policy).
    Failed { code: String, message: String },
    /// Missing from the answer: outcome unknown (only between the sink and the retry policy).
    Unknown,
    /// Worth sending again (a retryable per-entry code, or missing from the answer): the worker merges the
    /// entry into a later batch after its backoff. `why` is the last error.
    Resend { why: String, ambiguous: bool },
    /// Final refusal.
    Rejected { code: String, message: String },
    /// Given up.
    Abandoned(AbandonReason),
}

/// What became of every entry of a batch — `states[i]` is the state of the request's entry `i` — plus what
/// the attempts were like. After the retry layer every state is `Accepted`, `Resend`, `Rejected` or
/// `Abandoned`.
#[derive(Debug, Clone, Default)]
pub(crate) struct BatchResult {
    pub(crate) states: Vec<EntryState>,
    /// Calls made for the request (1 + whole-request retries).
    pub(crate) attempts: u32,
    /// Entries resent as part of whole-request retries (one per entry per retry).
    pub(crate) retried: u64,
    /// Of those, entries resent after an ambiguous failure.
    pub(crate) ambiguous: u64,
    /// The states were decided for the whole request (a whole-request error), not per entry.
    pub(crate) whole_request: bool,
    /// A tenant-fatal error (code, message) that should pause the destination.
    pub(crate) fatal: Option<(String, String)>,
}
