//! Typed events: what code generated from an event-source catalog (`ctlake catalog codegen`) builds on.
//!
//! A catalog declares, per reserved `eventSource`, its event types and their fields. The generator turns
//! each event type into a struct whose required fields are required by its constructor, and implements
//! [`TypedEvent`] for it. Turning a typed event into an [`EventData`](crate::EventData) needs the parts every
//! event has and the catalog cannot know — who, when, which request, which channel owner — the
//! [`Envelope`]:
//!
//! ```
//! use ctlake::{AccountId, Envelope, EventFields, EventTime, TypedEvent, UserIdentity};
//!
//! /// What the generator writes for an event type `backup.started` with one required field.
//! struct BackupStarted {
//!     resource_arn: String,
//! }
//!
//! impl TypedEvent for BackupStarted {
//!     const EVENT_SOURCE: &'static str = "com.example.backup";
//!     const VERSION: &'static str = "v1";
//!
//!     fn event_name(&self) -> &str {
//!         "backup.started"
//!     }
//!
//!     fn write_fields(self, fields: &mut EventFields) {
//!         fields.request("resourceArn", self.resource_arn);
//!     }
//! }
//!
//! let envelope = Envelope::new(
//!     UserIdentity::builder().r#type("USER").principal_id("jane@example.com").build()?,
//!     EventTime::parse("2024-01-01T00:00:00Z")?,
//!     "backup-1",
//!     "123456789012".parse::<AccountId>()?,
//! );
//! let event = BackupStarted { resource_arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/t".into() }
//!     .into_event_data(envelope)?;
//! assert_eq!(event.event_source().as_str(), "com.example.backup");
//! assert_eq!(event.event_name().as_str(), "backup.started");
//! assert_eq!(event.version(), "v1");
//! assert!(event.request_parameters().unwrap().contains_key("resourceArn"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod envelope;
mod event;
mod fields;
pub(crate) mod glob;

pub use envelope::Envelope;
pub use event::TypedEvent;
pub use fields::{EventFields, FieldValue};
