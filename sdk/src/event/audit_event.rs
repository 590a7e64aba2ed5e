//! [`AuditEvent`]: one entry of a `PutAuditEvents` request — id, serialized `eventData`, checksum.

use serde::{Deserialize, Serialize};

use super::data::EventData;
use super::ids::AuditEventId;
use super::json;
use crate::validate::{Violations, checksum::event_data_checksum, limits};

/// One entry of a `PutAuditEvents` request: `{"id": …, "eventData": "<the event as a JSON string>",
/// "eventDataChecksum": …}`.
///
/// Serializing an `AuditEvent` with serde gives exactly that entry as the AWS SDK for Rust writes it (field
/// order `id`, `eventData`, `eventDataChecksum`; the checksum omitted when absent).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AuditEvent {
    id: AuditEventId,
    #[serde(rename = "eventData")]
    event_data: String,
    #[serde(
        rename = "eventDataChecksum",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    checksum: Option<String>,
}

impl AuditEvent {
    /// Serializes `event` (see [`EventData::to_json`]) and computes its checksum. Does not check the
    /// size caps of the JSON-object fields; use [`AuditEvent::validated`] for that.
    pub fn new(id: AuditEventId, event: &EventData) -> Self {
        Self::from_json(id, event.to_json())
    }

    /// Serializes `event` and computes its checksum, checking the size caps of `requestParameters`,
    /// `responseElements` and `additionalEventData` on the bytes being written (one pass). Everything else
    /// was checked when the `EventData` was built, so an `Ok` here is a fully valid entry.
    ///
    /// # Errors
    ///
    /// [`Violations`] listing every JSON-object field over its cap.
    pub fn validated(id: AuditEventId, event: &EventData) -> Result<Self, Violations> {
        Self::validated_or_id(id, event).map_err(|(_, violations)| violations)
    }

    /// [`validated`](Self::validated) that gives the id back with the violations (no copy of the id on the
    /// way in).
    pub(crate) fn validated_or_id(
        id: AuditEventId,
        event: &EventData,
    ) -> Result<Self, (AuditEventId, Violations)> {
        let (event_data, sizes) = json::to_json(event);
        match crate::validate::check_sizes(&sizes) {
            Ok(()) => Ok(Self::from_json(id, event_data)),
            Err(violations) => Err((id, violations)),
        }
    }

    /// An entry around an already-serialized `eventData` string, sent exactly as given, with its checksum.
    /// Nothing is checked: use [`crate::parse()`] for untrusted text.
    pub fn from_json(id: AuditEventId, event_data: impl Into<String>) -> Self {
        let mut event_data: String = event_data.into();
        // A serializer's buffer is often up to twice the text; a queued entry keeps only the text (the
        // publisher may hold 100 000 of them).
        event_data.shrink_to_fit();
        let checksum = Some(event_data_checksum(&event_data));
        Self {
            id,
            event_data,
            checksum,
        }
    }

    /// An entry from its parts, as they were taken apart by [`into_parts`](Self::into_parts): nothing is
    /// recomputed (the checksum must be the text's own, or `None`).
    pub(crate) fn from_parts_unchecked(
        id: AuditEventId,
        event_data: String,
        checksum: Option<String>,
    ) -> Self {
        Self {
            id,
            event_data,
            checksum,
        }
    }

    /// The same entry without `eventDataChecksum` (the checksum is optional on the wire).
    pub fn without_checksum(mut self) -> Self {
        self.checksum = None;
        self
    }

    /// `id`: the entry's identifier, unique within one request.
    pub fn id(&self) -> &AuditEventId {
        &self.id
    }

    /// `eventData`: the serialized event.
    pub fn event_data(&self) -> &str {
        &self.event_data
    }

    /// `eventDataChecksum`: base64(SHA-256(eventData)), if the entry carries one.
    pub fn checksum(&self) -> Option<&str> {
        self.checksum.as_deref()
    }

    /// The parts: id, `eventData`, checksum.
    pub fn into_parts(self) -> (AuditEventId, String, Option<String>) {
        (self.id, self.event_data, self.checksum)
    }

    /// The exact number of bytes this entry adds to a `PutAuditEvents` body `{"auditEvents":[e1,e2,…]}` as the
    /// AWS SDK for Rust serializes it: `{"id":"…","eventData":"…","eventDataChecksum":"…"}` with JSON string
    /// escaping, not counting the comma between entries. See [`request_body_len`] for a whole body. (An
    /// integration test compares it with the body `aws-sdk-cloudtraildata` actually sends.)
    pub fn encoded_len(&self) -> usize {
        // {"id":  ,"eventData":  }
        const FIXED: usize = r#"{"id":,"eventData":}"#.len();
        const CHECKSUM_KEY: usize = r#","eventDataChecksum":"#.len();
        FIXED
            + json::escaped_len(self.id.as_str())
            + json::escaped_len(&self.event_data)
            + self
                .checksum
                .as_deref()
                .map_or(0, |c| CHECKSUM_KEY + json::escaped_len(c))
    }
}

/// The same entry as the AWS SDK's wire type, for sending it with a plain `aws-sdk-cloudtraildata` client (the
/// publisher does not need it: it writes request bodies itself). The SDK's builder is fallible only when `id`
/// or `eventData` is missing, which an [`AuditEvent`] always has, so the error does not occur in practice.
impl TryFrom<&AuditEvent> for aws_sdk_cloudtraildata::types::AuditEvent {
    type Error = aws_sdk_cloudtraildata::error::BuildError;

    fn try_from(event: &AuditEvent) -> Result<Self, Self::Error> {
        Self::builder()
            .id(event.id().as_str())
            .event_data(event.event_data())
            .set_event_data_checksum(event.checksum().map(str::to_owned))
            .build()
    }
}

/// The exact size in bytes of the `PutAuditEvents` body `{"auditEvents":[…]}` holding `events`, as the AWS SDK
/// for Rust serializes it: [`REQUEST_BODY_WRAPPER_BYTES`](limits::REQUEST_BODY_WRAPPER_BYTES), plus each
/// entry's [`AuditEvent::encoded_len`], plus one comma between entries. Compare it with
/// [`MAX_REQUEST_BYTES`](limits::MAX_REQUEST_BYTES).
pub fn request_body_len<'a>(events: impl IntoIterator<Item = &'a AuditEvent>) -> usize {
    let (count, sum) = events
        .into_iter()
        .fold((0usize, 0usize), |(n, sum), e| (n + 1, sum + e.encoded_len()));
    limits::REQUEST_BODY_WRAPPER_BYTES + sum + count.saturating_sub(1)
}

/// Room for the body of `events` without measuring its escapes (measuring them is a pass over every text,
/// a third of the cost of writing the body): the unescaped sizes plus a quarter, since a text grows by a
/// backslash per quote (about one byte in seven in a typical `eventData`), plus the room the escaper wants
/// past the end for the longest text (six bytes per byte). A body that needs more grows once.
fn body_capacity(events: &[AuditEvent]) -> usize {
    /// `{"id":"","eventData":"","eventDataChecksum":""}` and the comma after it.
    const PER_ENTRY: usize = r#"{"id":"","eventData":"","eventDataChecksum":""},"#.len();
    let (raw, longest) = events.iter().fold((0, 0), |(raw, longest), e| {
        let entry =
            PER_ENTRY + e.id.as_str().len() + e.event_data.len() + e.checksum.as_ref().map_or(0, String::len);
        (raw + entry, longest.max(e.event_data.len()))
    });
    limits::REQUEST_BODY_WRAPPER_BYTES + raw + raw / 4 + 6 * longest
}

/// The `PutAuditEvents` body `{"auditEvents":[…]}` holding `events`, byte for byte as the AWS SDK for Rust
/// serializes it (see [`AuditEvent::encoded_len`]), [`request_body_len`] bytes long.
///
/// [`LakeSink`](crate::LakeSink) sends this instead of letting the SDK build the body from copies of every
/// entry (and escape the texts a byte at a time); a test compares the two.
pub(crate) fn request_body(events: &[AuditEvent]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body_capacity(events));
    out.extend_from_slice(br#"{"auditEvents":["#);
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(br#"{"id":"#);
        json::write_str(&mut out, e.id.as_str());
        out.extend_from_slice(br#","eventData":"#);
        json::write_str(&mut out, &e.event_data);
        if let Some(checksum) = &e.checksum {
            out.extend_from_slice(br#","eventDataChecksum":"#);
            json::write_str(&mut out, checksum);
        }
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
    // The escaper reserves six bytes per input byte past the end: a body of a few large texts can be left
    // with twice the room it needs, which would stay allocated while the request is in flight.
    if out.capacity() - out.len() > out.len() / 2 {
        out.shrink_to_fit();
    }
    out
}
