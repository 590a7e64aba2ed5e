//! Untrusted input: read one event from JSON bytes, in either shape a user has, through the same rules as
//! the builder.
//!
//! Two shapes are accepted (the input is a record when it has an `eventData` member):
//! - a bare `eventData` object, `{"version": "1.0", "userIdentity": {…}, …}`;
//! - a `PutAuditEvents` record, `{"id": "…", "eventData": "<JSON string>" | {…}, "eventDataChecksum": "…"}`.
//!
//! [`parse()`] never panics. It reports JSON syntax errors with line and column ([`ParseError::Json`]), and
//! otherwise **every** violation at once ([`ParseError::Invalid`]): required fields, JSON types, every cap,
//! the `eventTime` form, the IP address, the account ID, the record's `id`, unknown and repeated fields, and a
//! provided checksum that does not match.
//!
//! **Exactness.** What is sent is the input's own text ([`ParsedEvent::event_data_json`]): a record's
//! `eventData` string byte for byte, or the given object with the whitespace between tokens removed. Large
//! integers and long decimals therefore reach CloudTrail exactly as written, in the original key order, and the
//! size caps are measured on those bytes. The typed [`EventData`](crate::EventData) view uses plain
//! `serde_json` numbers (i64/u64/f64): serde_json's `arbitrary_precision` feature is deliberately not enabled,
//! because it is a switch for the whole build (every crate that uses serde_json in the workspace would get
//! `Number`s that deserialize differently, e.g. inside `#[serde(flatten)]` and untagged enums) — and keeping
//! the text makes it unnecessary.
//!
//! ```
//! let record = br#"{"id":"evt-1","eventData":"{\"version\":\"1.0\",\"userIdentity\":{\"type\":\"CustomUser\",\"principalId\":\"alice\"},\"eventSource\":\"app.example.com\",\"eventName\":\"Login\",\"eventTime\":\"2024-01-01T00:00:00Z\",\"UID\":\"u-1\",\"recipientAccountId\":\"123456789012\",\"requestParameters\":{\"n\":12345678901234567890123}}"}"#;
//! let parsed = ctlake::parse(record)?;
//! assert!(parsed.event_data_json().ends_with(r#"{"n":12345678901234567890123}}"#)); // Exact digits.
//! let entry = parsed.into_audit_event();
//! assert_eq!(entry.id().as_str(), "evt-1");
//!
//! let err = ctlake::parse(br#"{"version": 1, "colour": "red"}"#).unwrap_err();
//! assert!(err.to_string().contains("eventData.version: must be a string, found a number"));
//! assert!(err.to_string().contains("eventData.colour: unknown field"));
//! # Ok::<(), ctlake::ParseError>(())
//! ```

mod error;
mod event;
mod object;
mod parsed;

pub use error::ParseError;
pub use event::{parse, parse_for_channel};
pub use parsed::{InputShape, ParsedEvent};

#[cfg(test)]
mod tests;
