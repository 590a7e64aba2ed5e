//! The event model: [`EventData`] (the `eventData` payload) with [`UserIdentity`], the constrained values
//! ([`EventSource`], [`EventName`], [`AuditEventId`], [`ExternalId`], [`AccountId`], [`ChannelArn`],
//! [`EventTime`]) and [`AuditEvent`], one entry of a `PutAuditEvents` request.
//!
//! Constrained values are newtypes checked when they are made, so holding one means it is valid. Builders
//! follow the AWS SDK's style: `x(value)`, `set_x(Option)`, and a fallible `build()` that reports every
//! violation at once.

mod arn;
mod audit_event;
mod builder;
mod data;
mod error;
mod ids;
pub(crate) mod json;
mod time;
mod user_identity;

pub use arn::ChannelArn;
pub(crate) use audit_event::request_body;
pub use audit_event::{AuditEvent, request_body_len};
pub use builder::EventDataBuilder;
pub(crate) use builder::path;
pub use data::EventData;
pub use error::{BuildError, InvalidValue};
pub use ids::{AccountId, AuditEventId, EventName, EventSource, ExternalId};
pub use time::{EVENT_TIME_FORMAT, EventTime, EventTimeError, EventTimeErrorKind};
pub use user_identity::{UserIdentity, UserIdentityBuilder};

#[cfg(test)]
pub(crate) mod tests;
