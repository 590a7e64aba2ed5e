//! # ctlake
//!
//! Typed [AWS CloudTrail Lake](https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-lake.html)
//! activity events: build an `eventData` record, validate it against the service's documented limits before
//! anything is sent, and publish it with `PutAuditEvents`.
//!
//! ## Quick start
//!
//! ```
//! use ctlake::{AuditEvent, AuditEventId, ChannelArn, EventData, EventTime, UserIdentity};
//!
//! let channel: ChannelArn = "arn:aws:cloudtrail:us-east-1:123456789012:channel/EXAMPLE-1234".parse()?;
//! let event = EventData::builder()
//!     .version("1.0")
//!     .user_identity(UserIdentity::builder().r#type("CustomUser").principal_id("alice").build()?)
//!     .event_source("app.example.com")
//!     .event_name("Login")
//!     .event_time(EventTime::parse("2024-01-01T00:00:00Z")?)
//!     .uid("u-1")
//!     .source_ip_address("192.0.2.10")
//!     .recipient_account_id(channel.account_id().clone())
//!     .request_parameter("remember", true)
//!     .build()?; // Every rule that needs no serialization, all violations at once.
//! event.validate_for_channel(&channel)?; // Size caps and the channel owner.
//!
//! // One PutAuditEvents entry: the serialized event and its checksum, validated while serializing.
//! let entry = AuditEvent::validated(AuditEventId::derive("login/u-1"), &event)?;
//! assert!(entry.event_data().starts_with(r#"{"version":"1.0","userIdentity":"#));
//! assert_eq!(entry.checksum(), Some(ctlake::event_data_checksum(entry.event_data()).as_str()));
//!
//! // Untrusted input reports every problem with its JSON path.
//! let err = ctlake::parse(br#"{"version":"1.0","eventTime":"202-07-12T10:55:00"}"#).unwrap_err();
//! assert!(err.to_string().contains(r#"eventData.eventTime: "202-07-12T10:55:00" is not a valid eventTime"#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Modules
//!
//! - The event model ([`EventData`], [`UserIdentity`], [`AuditEvent`], the constrained newtypes and
//!   [`EventTime`]) is re-exported at the crate root.
//! - Typed events generated from an event-source catalog implement [`TypedEvent`]; [`Envelope`] holds the
//!   parts every event has.
//! - `catalog` (feature `catalog`): event-source catalogs — load, check events, generate Rust and docs.
//! - [`validate`]: limits ([`validate::limits`]), [`Violations`], [`Rule`], the checksum.
//! - [`mod@parse`]: untrusted JSON in either shape a user has (a bare `eventData` object or a `PutAuditEvents`
//!   record), checked by the same rules, reporting every violation.
//! - [`publisher`]: the batching, multi-tenant [`Publisher`] with its [`destination`]s, [`sink`]s
//!   ([`LakeSink`], [`FileSink`]), [`retry`] rules, global [`rate`] limit and [`metrics`].

mod batch;
#[cfg(feature = "catalog")]
pub mod catalog;
pub mod destination;
mod event;
pub mod metrics;
pub mod parse;
pub mod publisher;
pub mod rate;
pub mod retry;
pub mod sink;
mod typed;
pub mod validate;

pub use destination::{AssumeRole, Destination, DestinationCredentials, DestinationStatus, Health};
pub use event::{
    AccountId, AuditEvent, AuditEventId, BuildError, ChannelArn, EVENT_TIME_FORMAT, EventData,
    EventDataBuilder, EventName, EventSource, EventTime, EventTimeError, EventTimeErrorKind, ExternalId,
    InvalidValue, UserIdentity, UserIdentityBuilder, request_body_len,
};
pub use parse::{InputShape, ParseError, ParsedEvent, parse, parse_for_channel};
pub use publisher::{
    AbandonReason, Delivery, Outcome, OutgoingEvent, PublishError, Publisher, PublisherBuildError,
    PublisherBuilder, Receipt, Summary, TryPublishError,
};
pub use sink::{FileSink, LakeSink, Sink};
pub use typed::{Envelope, EventFields, FieldValue, TypedEvent};
pub use validate::{JsonType, Rule, Violation, Violations, event_data_checksum};
