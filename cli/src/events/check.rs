//! Checking one record: parse it with the SDK's rules (the same ones CloudTrail Lake applies), and turn it
//! into a `PutAuditEvents` entry or a rejection with a code and every problem.
//!
//! Local rejections use the per-entry codes CloudTrail Lake would answer ([API-PAE] `ResultErrorEntry`), so a
//! summary counts them the same way: a missing field is `FieldNotFound`, a cap `FieldTooLong`, a foreign
//! `recipientAccountId` `InvalidRecipient`, a wrong checksum `InvalidChecksum`, anything else `InvalidData`.
//! Input that is not JSON is `InvalidJson`, and a record over the size limit `RecordTooLarge`. A valid event
//! that breaks the event-source catalog's rules (`--catalog`) is `CatalogViolation`.

use ctlake::catalog::Catalog;
use ctlake::{AuditEvent, AuditEventId, ChannelArn, ParseError, Rule};

use super::input::{MAX_RECORD_BYTES, RawRecord};

/// Why a record is not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    /// The code (Lake's per-entry code, or `InvalidJson` / `RecordTooLarge`).
    pub(crate) code: String,
    /// Every problem, one per line, each `path: rule`.
    pub(crate) message: String,
}

/// A record that passed every check.
#[derive(Debug, Clone)]
pub(crate) struct Valid {
    /// The entry to send.
    pub(crate) entry: AuditEvent,
}

/// What a record is checked against besides the schema.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Against<'a> {
    /// The channel: `recipientAccountId` must be its owner.
    pub(crate) channel: Option<&'a ChannelArn>,
    /// The event-source catalog: its errors reject the record (warnings do not).
    pub(crate) catalog: Option<&'a Catalog>,
}

/// Checks one record against the schema's rules and, with a channel, that its `recipientAccountId` owns it,
/// and with a catalog, the catalog's rules.
///
/// Records without an `id` get one derived from their position and `UID` (`AuditEventId::derive` of
/// `"<index>:<UID>"`), so the same file always sends the same ids and no two records of a file share one.
pub(crate) fn check(record: &RawRecord, against: Against<'_>) -> Result<Valid, Rejection> {
    if let Some(size) = record.too_large {
        return Err(Rejection {
            code: "RecordTooLarge".to_owned(),
            message: format!(
                "the record has {size} bytes; records over {MAX_RECORD_BYTES} bytes cannot be valid events"
            ),
        });
    }
    let parsed = match against.channel {
        Some(channel) => ctlake::parse_for_channel(&record.bytes, channel),
        None => ctlake::parse(&record.bytes),
    };
    let parsed = parsed.map_err(|e| rejection(&e))?;
    if let Some(catalog) = against.catalog {
        let report = catalog.check(parsed.event_data());
        if !report.is_ok() {
            let message = report
                .errors()
                .map(|f| format!("{}: {}", f.path(), f.problem()))
                .collect::<Vec<_>>();
            return Err(Rejection {
                code: "CatalogViolation".to_owned(),
                message: message.join("\n"),
            });
        }
    }
    let id = match parsed.id() {
        Some(id) => id.clone(),
        None => AuditEventId::derive(&format!("{}:{}", record.index, parsed.event_data().uid())),
    };
    Ok(Valid {
        entry: AuditEvent::from_json(id, parsed.event_data_json()),
    })
}

fn rejection(e: &ParseError) -> Rejection {
    match e {
        ParseError::Json { .. } => Rejection {
            code: "InvalidJson".to_owned(),
            message: e.to_string(),
        },
        ParseError::Invalid(violations) => {
            let code = violations
                .iter()
                .next()
                .map_or("InvalidData", |v| code_of(v.rule()))
                .to_owned();
            let message = violations
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n");
            Rejection { code, message }
        }
        _ => Rejection {
            code: "InvalidData".to_owned(),
            message: e.to_string(),
        },
    }
}

/// The per-entry code CloudTrail Lake gives a record that breaks `rule`.
fn code_of(rule: &Rule) -> &'static str {
    match rule {
        Rule::Required => "FieldNotFound",
        Rule::TooLong { .. } | Rule::TooLarge { .. } => "FieldTooLong",
        Rule::RecipientMismatch { .. } => "InvalidRecipient",
        Rule::ChecksumMismatch { .. } => "InvalidChecksum",
        _ => "InvalidData",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"version":"1.0","userIdentity":{"type":"CustomUser","principalId":"alice"},"eventSource":"app.example.com","eventName":"Login","eventTime":"2024-01-01T00:00:00Z","UID":"u-1","recipientAccountId":"123456789012"}"#;

    fn raw(index: u64, text: &str) -> RawRecord {
        RawRecord {
            index,
            line: index,
            offset: 0,
            bytes: text.as_bytes().to_vec(),
            too_large: None,
        }
    }

    #[test]
    fn bare_events_get_ids_from_position_and_uid() {
        let a = check(&raw(1, GOOD), Against::default()).unwrap();
        let b = check(&raw(2, GOOD), Against::default()).unwrap();
        assert_ne!(a.entry.id(), b.entry.id());
        assert_eq!(
            a.entry.id(),
            check(&raw(1, GOOD), Against::default()).unwrap().entry.id()
        );
        assert_eq!(a.entry.event_data(), GOOD);
    }

    #[test]
    fn records_keep_their_id() {
        let record = format!(r#"{{"id":"evt-7","eventData":{GOOD}}}"#);
        assert_eq!(
            check(&raw(1, &record), Against::default())
                .unwrap()
                .entry
                .id()
                .as_str(),
            "evt-7"
        );
    }

    #[test]
    fn rejections_carry_lake_codes() {
        let missing = check(&raw(1, r#"{"version":"1.0"}"#), Against::default()).unwrap_err();
        assert_eq!(missing.code, "FieldNotFound");
        assert!(
            missing.message.contains("eventData.userIdentity"),
            "{}",
            missing.message
        );
        assert_eq!(
            check(&raw(1, "{not json"), Against::default()).unwrap_err().code,
            "InvalidJson"
        );
        assert_eq!(
            check(&raw(1, "[1]"), Against::default()).unwrap_err().code,
            "InvalidData"
        );
        let channel: ChannelArn = "arn:aws:cloudtrail:us-east-1:999999999999:channel/x"
            .parse()
            .unwrap();
        assert_eq!(
            check(
                &raw(1, GOOD),
                Against {
                    channel: Some(&channel),
                    catalog: None
                }
            )
            .unwrap_err()
            .code,
            "InvalidRecipient"
        );
        let mut big = raw(1, "");
        big.too_large = Some(5_000_000);
        assert_eq!(
            check(&big, Against::default()).unwrap_err().code,
            "RecordTooLarge"
        );
    }

    #[test]
    fn catalog_errors_reject_valid_events() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../event-sources");
        let catalog = Catalog::load(dir).unwrap();
        let against = Against {
            channel: None,
            catalog: Some(&catalog),
        };
        let unknown = GOOD
            .replace("app.example.com", "com.nordcloudapp.klarity")
            .replace("Login", "bogus.thing");
        let err = check(&raw(1, &unknown), against).unwrap_err();
        assert_eq!(err.code, "CatalogViolation");
        assert!(err.message.contains("eventData.eventName"), "{}", err.message);
        // With a catalog, a source it does not have is an error too.
        assert_eq!(
            check(&raw(1, GOOD), against).unwrap_err().code,
            "CatalogViolation"
        );
        // The catalog's own examples pass.
        let example = catalog.sources()[0].events()[0].examples()[0]
            .event_data()
            .to_json();
        assert!(check(&raw(1, &example), against).is_ok(), "{example}");
    }
}
