//! [`OutgoingEvent`]: what `publish` takes, and the local validation that runs before queueing.

use serde::Deserialize;

use crate::validate::limits;
use crate::{AuditEvent, AuditEventId, ChannelArn, EventData, ParsedEvent, Rule, Violation, Violations};

/// An event to publish: a typed [`EventData`] (its `id` derived from its `UID`, or given), an event read
/// from untrusted input by [`crate::parse()`] ([`ParsedEvent`]: its exact text is sent), or a ready
/// [`AuditEvent`] entry. Made with `From`/`Into`.
#[derive(Debug, Clone)]
pub struct OutgoingEvent {
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Data(Option<AuditEventId>, Box<EventData>),
    Parsed(Box<ParsedEvent>),
    Entry(AuditEvent),
}

impl OutgoingEvent {
    /// A typed event with an explicit `id`.
    pub fn with_id(id: AuditEventId, event: EventData) -> Self {
        Self {
            kind: Kind::Data(Some(id), Box::new(event)),
        }
    }

    /// The `id` the entry is (or will be) sent with: the given one, or for a typed event without one
    /// [`AuditEventId::derive`] of its `UID` — stable, so publishing the same event again sends the same id.
    pub fn id(&self) -> AuditEventId {
        match &self.kind {
            Kind::Data(Some(id), _) => id.clone(),
            Kind::Data(None, data) => AuditEventId::derive(data.uid()),
            Kind::Parsed(parsed) => parsed
                .id()
                .cloned()
                .unwrap_or_else(|| AuditEventId::derive(parsed.event_data().uid())),
            Kind::Entry(entry) => entry.id().clone(),
        }
    }

    /// Checks the event for `channel` and turns it into the entry to send, with its
    /// [`encoded_len`](AuditEvent::encoded_len) (measured here once, for the request-size check and the
    /// batcher).
    ///
    /// Typed events: `recipientAccountId` must be the channel's owner, and the JSON-object size caps are
    /// measured while serializing (every other rule held when the `EventData` was built). Entries: the
    /// recipient is read from the `eventData` text when it is a JSON object with that field (other entry
    /// content is sent as given — parse untrusted input with `ctlake::parse`). Both: a request holding the
    /// entry alone must fit in [`MAX_REQUEST_BYTES`](limits::MAX_REQUEST_BYTES).
    ///
    /// An invalid event comes back as its id (derived once, here) and every violation.
    pub(crate) fn prepare(
        self,
        channel: &ChannelArn,
    ) -> Result<(AuditEvent, usize), (AuditEventId, Violations)> {
        let mut violations = Vec::new();
        // The entry, or the id of a typed event that could not become one.
        let entry: Result<AuditEvent, AuditEventId> = match self.kind {
            Kind::Data(id, data) => {
                if data.recipient_account_id() != channel.account_id() {
                    violations.push(recipient_mismatch(data.recipient_account_id().as_str(), channel));
                }
                let id = id.unwrap_or_else(|| AuditEventId::derive(data.uid()));
                AuditEvent::validated_or_id(id, &data).map_err(|(id, sizes)| {
                    violations.extend(sizes);
                    id
                })
            }
            Kind::Parsed(parsed) => {
                if let Err(v) = parsed.validate_for_channel(channel) {
                    violations.extend(v);
                }
                Ok(parsed.into_audit_event())
            }
            Kind::Entry(entry) => {
                if let Ok(Recipient {
                    recipient_account_id: Some(recipient),
                }) = serde_json::from_str::<Recipient>(entry.event_data())
                    && recipient != channel.account_id().as_str()
                {
                    violations.push(recipient_mismatch(&recipient, channel));
                }
                Ok(entry)
            }
        };
        let len = entry.as_ref().map_or(0, AuditEvent::encoded_len);
        if entry.is_ok() {
            let alone = limits::REQUEST_BODY_WRAPPER_BYTES + len;
            if alone > limits::MAX_REQUEST_BYTES {
                violations.push(Violation::new(
                    "auditEvents",
                    Rule::TooLarge {
                        max_bytes: limits::MAX_REQUEST_BYTES,
                        actual: alone,
                    },
                ));
            }
        }
        match entry {
            Ok(entry) if violations.is_empty() => Ok((entry, len)),
            Ok(entry) => Err((entry.id().clone(), Violations::new(violations))),
            Err(id) => Err((id, Violations::new(violations))),
        }
    }
}

#[derive(Deserialize)]
struct Recipient {
    #[serde(rename = "recipientAccountId")]
    recipient_account_id: Option<String>,
}

fn recipient_mismatch(recipient: &str, channel: &ChannelArn) -> Violation {
    match recipient.parse() {
        Ok(recipient) => Violation::new(
            "eventData.recipientAccountId",
            Rule::RecipientMismatch {
                recipient,
                channel_account: channel.account_id().clone(),
            },
        ),
        Err(_) => Violation::new(
            "eventData.recipientAccountId",
            Rule::Pattern {
                expected: "the 12-digit account ID that owns the channel",
            },
        ),
    }
}

impl From<EventData> for OutgoingEvent {
    fn from(event: EventData) -> Self {
        Self {
            kind: Kind::Data(None, Box::new(event)),
        }
    }
}

impl From<(AuditEventId, EventData)> for OutgoingEvent {
    fn from((id, event): (AuditEventId, EventData)) -> Self {
        Self::with_id(id, event)
    }
}

impl From<ParsedEvent> for OutgoingEvent {
    fn from(parsed: ParsedEvent) -> Self {
        Self {
            kind: Kind::Parsed(Box::new(parsed)),
        }
    }
}

impl From<AuditEvent> for OutgoingEvent {
    fn from(entry: AuditEvent) -> Self {
        Self {
            kind: Kind::Entry(entry),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value};

    use super::*;
    use crate::{EventTime, UserIdentity};

    const CHANNEL: &str = "arn:aws:cloudtrail:us-east-1:123456789012:channel/abc";

    fn event(recipient: &str) -> EventData {
        EventData::builder()
            .version("1.0")
            .user_identity(
                UserIdentity::builder()
                    .r#type("CustomUser")
                    .principal_id("alice")
                    .build()
                    .unwrap(),
            )
            .event_source("app.example.com")
            .event_name("Login")
            .event_time(EventTime::parse("2024-01-01T00:00:00Z").unwrap())
            .uid("u-1")
            .recipient_account_id(recipient.parse::<crate::AccountId>().unwrap())
            .build()
            .unwrap()
    }

    #[test]
    fn typed_events_get_a_stable_id_from_their_uid() {
        let channel: ChannelArn = CHANNEL.parse().unwrap();
        let (entry, len) = OutgoingEvent::from(event("123456789012"))
            .prepare(&channel)
            .unwrap();
        assert_eq!(len, entry.encoded_len());
        assert_eq!(entry.id(), &AuditEventId::derive("u-1"));
        let id: AuditEventId = "mine".parse().unwrap();
        assert_eq!(OutgoingEvent::with_id(id.clone(), event("123456789012")).id(), id);
    }

    #[test]
    fn another_accounts_event_is_rejected_with_every_violation() {
        let channel: ChannelArn = CHANNEL.parse().unwrap();
        let mut big = Map::new();
        big.insert("blob".into(), Value::String("z".repeat(30_000)));
        let data = event("210987654321")
            .into_builder()
            .additional_event_data(big)
            .build()
            .unwrap();
        let (id, err) = OutgoingEvent::from(data).prepare(&channel).unwrap_err();
        assert_eq!(
            id,
            AuditEventId::derive("u-1"),
            "the id comes back with the violations"
        );
        let paths: Vec<_> = err.iter().map(Violation::path).collect();
        assert_eq!(
            paths,
            ["eventData.recipientAccountId", "eventData.additionalEventData"]
        );
        assert!(matches!(err.as_slice()[0].rule(), Rule::RecipientMismatch { .. }));
    }

    #[test]
    fn entries_are_checked_for_recipient_and_request_size() {
        let channel: ChannelArn = CHANNEL.parse().unwrap();
        let ok = AuditEvent::new("a".parse().unwrap(), &event("123456789012"));
        assert!(OutgoingEvent::from(ok).prepare(&channel).is_ok());
        let other = AuditEvent::new("a".parse().unwrap(), &event("210987654321"));
        let (_, err) = OutgoingEvent::from(other).prepare(&channel).unwrap_err();
        assert_eq!(err.as_slice()[0].path(), "eventData.recipientAccountId");
        let parsed = crate::parse(
            AuditEvent::new("p".parse().unwrap(), &event("210987654321"))
                .event_data()
                .as_bytes(),
        )
        .unwrap();
        let out = OutgoingEvent::from(parsed);
        assert_eq!(out.id(), AuditEventId::derive("u-1"));
        let (_, err) = out.prepare(&channel).unwrap_err();
        assert!(matches!(err.as_slice()[0].rule(), Rule::RecipientMismatch { .. }));
        let huge = AuditEvent::from_json("h".parse().unwrap(), "x".repeat(limits::MAX_REQUEST_BYTES));
        let (id, err) = OutgoingEvent::from(huge).prepare(&channel).unwrap_err();
        assert_eq!(id.as_str(), "h");
        assert!(matches!(
            err.as_slice()[0].rule(),
            Rule::TooLarge {
                max_bytes: 1_000_000,
                ..
            }
        ));
    }
}
