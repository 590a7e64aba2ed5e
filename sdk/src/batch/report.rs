//! [`Batch`] (the request of a destination's tower stack) and [`BatchResult`] (its response).

use tokio::time::Instant;

use crate::publisher::AbandonReason;
use crate::sink::PutRequest;

/// One batch on its way through the stack: the request (shrunk to the entries still to resend on a
/// per-entry retry) and when it was formed (the retry layer bounds the total time from there).
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
    /// Final refusal.
    Rejected { code: String, message: String },
    /// Given up.
    Abandoned(AbandonReason),
}

/// What became of every entry of a batch, plus what the attempts were like. After the retry layer every
/// entry of the original batch is listed, in a final state (`Accepted`, `Rejected` or `Abandoned`).
#[derive(Debug, Clone, Default)]
pub(crate) struct BatchResult {
    pub(crate) entries: Vec<(String, EntryState)>,
    /// Calls made.
    pub(crate) attempts: u32,
    /// Entries resent (one per entry per retry).
    pub(crate) retried: u64,
    /// Entries resent after an ambiguous failure.
    pub(crate) ambiguous: u64,
    /// A tenant-fatal error (code, message) that should pause the destination.
    pub(crate) fatal: Option<(String, String)>,
}
