//! Destinations: where a tenant's events go — a channel, the external ID its resource policy asks for, and
//! how to reach it (region, credentials, endpoint) — and each destination's health.
//!
//! A [`Destination`] is a cheap-to-clone handle. The publisher keys its per-destination state (queue,
//! batcher, tower stack, circuit breaker) by [`Destination::key`], so two handles built from the same settings
//! share one stack. Build one with [`Destination::builder`]:
//!
//! ```
//! use ctlake::{AssumeRole, Destination};
//!
//! let dest = Destination::builder()
//!     .name("tenant-42")
//!     .channel_arn("arn:aws:cloudtrail:eu-west-1:210987654321:channel/EXAMPLE-1234".parse()?)
//!     .external_id("vendor-tenant-42".parse()?)
//!     // The usual vendor setup: assume the customer's role, with the external ID the customer gave it.
//!     .assume_role(AssumeRole::new("arn:aws:iam::210987654321:role/VendorAudit").external_id("vendor-tenant-42"))
//!     .build()?;
//! assert_eq!(dest.region(), "eu-west-1"); // From the channel ARN unless set.
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`DestinationStatus`] reports a destination's health (see [`Health`]): a destination whose channel answers
//! `ChannelNotFound`, `ChannelInsufficientPermission` or `InvalidChannelARN` is **paused** — its events are
//! rejected at once, without calls — and probed again later with one batch; a success resumes it.

mod builder;
mod credentials;
pub(crate) mod health;
mod status;

pub use builder::{Destination, DestinationBuildError, DestinationBuilder, DestinationKey};
pub use credentials::{AssumeRole, DestinationCredentials};
pub use health::Health;
pub use status::{DestinationCounts, DestinationStatus};
