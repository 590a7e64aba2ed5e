//! [`PutRequest`] and [`PutResponse`]: one `PutAuditEvents` call as a sink sees it.

use std::sync::Arc;

use crate::destination::Destination;
use crate::{AuditEvent, request_body_len};

/// One `PutAuditEvents` request: the destination (channel, external ID, connection) and 1–100 entries with
/// unique ids whose serialized body is at most [`MAX_REQUEST_BYTES`](crate::validate::limits::MAX_REQUEST_BYTES).
///
/// Cheap to clone (the entries are shared), because the retry layer keeps a copy of every request it may
/// have to resend.
#[derive(Debug, Clone)]
pub struct PutRequest {
    destination: Destination,
    events: Arc<[AuditEvent]>,
}

impl PutRequest {
    /// A request of `events` to `destination`. The publisher only makes requests within the limits; a sink
    /// may still receive hand-made requests (tests), and must not panic on any.
    pub fn new(destination: Destination, events: impl Into<Arc<[AuditEvent]>>) -> Self {
        Self {
            destination,
            events: events.into(),
        }
    }

    /// Where the request goes.
    pub fn destination(&self) -> &Destination {
        &self.destination
    }

    /// The entries, in the order they are sent.
    pub fn events(&self) -> &[AuditEvent] {
        &self.events
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether the request has no entries.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The exact size of the JSON body `{"auditEvents":[…]}` the AWS SDK for Rust sends for this request.
    pub fn body_len(&self) -> usize {
        request_body_len(self.events.iter())
    }

    /// The JSON body `{"auditEvents":[…]}`, byte for byte as the AWS SDK for Rust serializes it,
    /// [`body_len`](Self::body_len) bytes long: what [`LakeSink`](crate::LakeSink) sends, and what a sink
    /// with its own HTTP client would send.
    pub fn body(&self) -> Vec<u8> {
        crate::event::request_body(&self.events)
    }
}

/// An entry the destination accepted: the caller's `id` and the `eventID` the destination assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryOk {
    id: String,
    event_id: String,
}

impl EntryOk {
    /// The entry's `id`, as sent.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The `eventID` the destination assigned (CloudTrail's id of the stored event).
    pub fn event_id(&self) -> &str {
        &self.event_id
    }

    pub(crate) fn into_event_id(self) -> String {
        self.event_id
    }
}

/// An entry the destination refused, with its per-entry `errorCode` (`Throttling`, `InvalidChecksum`, …) and
/// `errorMessage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFailure {
    id: String,
    code: String,
    message: String,
}

impl EntryFailure {
    /// The entry's `id`, as sent.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The per-entry `errorCode`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The per-entry `errorMessage`.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn into_code_message(self) -> (String, String) {
        (self.code, self.message)
    }
}

/// The answer to a [`PutRequest`] that the destination processed: `successful` and `failed` entries, like
/// the `PutAuditEvents` response. Partial success is normal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutResponse {
    successful: Vec<EntryOk>,
    failed: Vec<EntryFailure>,
}

impl PutResponse {
    /// An empty response; add entries with [`accepted`](Self::accepted) and [`failed`](Self::failed).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an accepted entry.
    pub fn accepted(mut self, id: impl Into<String>, event_id: impl Into<String>) -> Self {
        self.push_accepted(id, event_id);
        self
    }

    /// Adds a failed entry.
    pub fn failed(
        mut self,
        id: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        self.push_failed(id, code, message);
        self
    }

    /// Adds an accepted entry, in place.
    pub fn push_accepted(&mut self, id: impl Into<String>, event_id: impl Into<String>) {
        self.successful.push(EntryOk {
            id: id.into(),
            event_id: event_id.into(),
        });
    }

    /// Adds a failed entry, in place.
    pub fn push_failed(
        &mut self,
        id: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.failed.push(EntryFailure {
            id: id.into(),
            code: code.into(),
            message: message.into(),
        });
    }

    /// The accepted entries (`successful`).
    pub fn successful(&self) -> &[EntryOk] {
        &self.successful
    }

    /// The refused entries (`failed`).
    pub fn failed_entries(&self) -> &[EntryFailure] {
        &self.failed
    }

    /// The parts: accepted and refused entries.
    pub fn into_parts(self) -> (Vec<EntryOk>, Vec<EntryFailure>) {
        (self.successful, self.failed)
    }
}
