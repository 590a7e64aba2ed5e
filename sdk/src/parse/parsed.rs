//! [`ParsedEvent`]: an event read from untrusted input that passed every rule.

#[cfg(doc)]
use crate::validate::Rule;
use crate::validate::{Violations, recipient_violation};
use crate::{AuditEvent, AuditEventId, ChannelArn, EventData};

/// Which shape the input had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InputShape {
    /// A bare `eventData` object: `{"version": …, "userIdentity": …, …}`.
    EventData,
    /// A `PutAuditEvents` entry: `{"id": …, "eventData": <string or object>, "eventDataChecksum"?: …}`.
    Record,
}

/// An event read by [`parse`](crate::parse()) that passed every rule.
///
/// It keeps two views of the event: the typed [`EventData`], and the exact `eventData` text that will be
/// sent ([`event_data_json`](Self::event_data_json)). The text is the input's own: the `eventData` string of a
/// record as given, or the given object with only the whitespace between tokens removed. So numbers (however
/// large or precise), key order and string escapes reach CloudTrail exactly as the user wrote them, and a
/// checksum the user computed over that string stays valid. The typed view holds JSON-object fields as
/// `serde_json` values, in which integers beyond 64 bits and decimals beyond `f64` precision are approximated
/// (the crate does not enable serde_json's workspace-wide `arbitrary_precision` feature) — the sent text is
/// never derived from it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedEvent {
    pub(crate) shape: InputShape,
    pub(crate) id: Option<AuditEventId>,
    pub(crate) event_data: EventData,
    pub(crate) event_data_json: String,
    pub(crate) checksum: Option<String>,
}

impl ParsedEvent {
    /// The input's shape.
    pub fn shape(&self) -> InputShape {
        self.shape
    }

    /// The record's `id`, if the input was a record.
    pub fn id(&self) -> Option<&AuditEventId> {
        self.id.as_ref()
    }

    /// The typed event.
    pub fn event_data(&self) -> &EventData {
        &self.event_data
    }

    /// The exact `eventData` text that [`into_audit_event`](Self::into_audit_event) sends.
    pub fn event_data_json(&self) -> &str {
        &self.event_data_json
    }

    /// The record's `eventDataChecksum` as given (it matched, or parsing would have failed).
    pub fn provided_checksum(&self) -> Option<&str> {
        self.checksum.as_deref()
    }

    /// Checks that `recipientAccountId` is the account that owns `channel` (every other rule was checked by
    /// parsing).
    ///
    /// # Errors
    ///
    /// [`Rule::RecipientMismatch`] at `eventData.recipientAccountId`.
    pub fn validate_for_channel(&self, channel: &ChannelArn) -> Result<(), Violations> {
        Violations::check(
            recipient_violation(&self.event_data, channel)
                .into_iter()
                .collect(),
        )
    }

    /// The typed event.
    pub fn into_event_data(self) -> EventData {
        self.event_data
    }

    /// The `PutAuditEvents` entry: the record's `id`, or for a bare `eventData` object an id derived from its
    /// `UID` with [`AuditEventId::derive`] (stable, so re-sending the same input sends the same id); the exact
    /// `eventData` text; its checksum.
    pub fn into_audit_event(self) -> AuditEvent {
        let id = self
            .id
            .unwrap_or_else(|| AuditEventId::derive(self.event_data.uid()));
        AuditEvent::from_json(id, self.event_data_json)
    }
}
