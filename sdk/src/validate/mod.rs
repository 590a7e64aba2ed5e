//! Validation against CloudTrail Lake's documented rules, before anything is sent.
//!
//! - [`limits`]: every cap as a named constant citing its source.
//! - [`EventData::validate`](crate::EventData::validate) and
//!   [`EventData::validate_for_channel`](crate::EventData::validate_for_channel): the checks an
//!   [`EventData`](crate::EventData) value still needs (its JSON-object size caps, the channel owner).
//! - [`Violations`]: **all** problems found, each a [`Violation`] with the JSON path and a matchable [`Rule`];
//!   `Display` reads like `eventData.requestParameters: 104857 bytes, over the 100 kB limit`.
//!
//! Where rules are checked: the newtypes check their own rules when made; the builders check every rule that
//! needs no serialization; the size caps need the serialized bytes and are checked here and by
//! [`AuditEvent::validated`](crate::AuditEvent::validated) while serializing; [`crate::parse()`] checks all of
//! them on untrusted input. Every path uses the same rule functions, so messages are identical.

pub(crate) mod checksum;
mod error;
mod event;
pub mod limits;
pub(crate) mod rules;

pub use checksum::{CHECKSUM_LEN, event_data_checksum};
pub use error::{JsonType, Rule, Violation, Violations};
pub(crate) use event::{check_sizes, recipient_violation};
