//! # ctlake-event-sources
//!
//! Typed events of the reserved CloudTrail Lake event sources in ctlake's catalog: IBM Multicloud's five
//! products (a real-world example of a vendor's reserved sources) and ctlake's own two, change events and alarm
//! events. One module per source, generated from `event-sources/<source>/source.toml` (the format is
//! `event-sources/FORMAT.md`; each source's documentation is the `README.md` next to it).
//!
//! | module | eventSource |
//! |---|---|
//! | [`klarity`] | `com.nordcloudapp.klarity` (IBM Multicloud Accelerator) |
//! | [`autobackup`] | `com.nordcloudapp.autobackup` (IBM Multicloud AutoBackup) |
//! | [`autopatcher`] | `com.nordcloudapp.autopatcher` (IBM Multicloud AutoPatcher) |
//! | [`imagefactory`] | `com.nordcloudapp.imagefactory` (IBM Multicloud Machine Image Toolkit) |
//! | [`maestro`] | `com.nordcloudapp.maestro` (IBM Multicloud Provisioning; reserved, no event types yet) |
//! | [`changes`] | `changes.ctlake.dev` (changes derived from CloudTrail) |
//! | [`alarms`] | `alarms.ctlake.dev` (CloudWatch alarm state changes) |
//!
//! Each event type is a struct: its required fields are the arguments of `new`, its optional fields are set
//! with `with_` methods, and [`into_event_data`](klarity::DiscoveryRuleCreated::into_event_data) adds the
//! [`Envelope`](ctlake::Envelope) — who, when, which request, which channel owner — and sets `eventSource`,
//! `eventName` and `version` from the catalog:
//!
//! ```
//! use ctlake::{Envelope, EventTime, UserIdentity};
//! use ctlake_event_sources::klarity::DiscoveryRuleCreated;
//!
//! let envelope = Envelope::new(
//!     UserIdentity::builder().r#type("USER").principal_id("jane.doe@example.com").build()?,
//!     EventTime::parse("2024-05-01T09:30:00Z")?,
//!     "5f0c3e4e-8d2b-4c9a-9f1e-2a7b6c1d0e93",
//!     "123456789012".parse()?,
//! );
//! let event = DiscoveryRuleCreated::new("production web servers", "rule-17", "production", "webshop")
//!     .into_event_data(envelope)?;
//! assert_eq!(event.event_source().as_str(), "com.nordcloudapp.klarity");
//! assert_eq!(event.event_name().as_str(), "discoveryRule.created");
//! assert_eq!(event.version(), "v1");
//! assert_eq!(event.request_parameters().unwrap()["ruleId"], "rule-17");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Leaving out a required field does not compile — neither with `new`:
//!
//! ```compile_fail,E0061
//! use ctlake_event_sources::klarity::DiscoveryRuleCreated;
//! // `application` is required and missing.
//! let event = DiscoveryRuleCreated::new("production web servers", "rule-17", "production");
//! ```
//!
//! nor with a struct literal:
//!
//! ```compile_fail,E0063
//! use ctlake_event_sources::autopatcher::BaselinePatchingCompleted;
//! // `no_updates_count` is required and missing.
//! let event = BaselinePatchingCompleted { machines_count: 42, updated_count: 35, skipped_count: 2 };
//! ```
//!
//! while the complete literal does:
//!
//! ```
//! use ctlake_event_sources::autopatcher::BaselinePatchingCompleted;
//! let event =
//!     BaselinePatchingCompleted { machines_count: 42, updated_count: 35, skipped_count: 2, no_updates_count: 5 };
//! assert_eq!(event.machines_count, 42);
//! ```

mod generated;

pub use generated::*;
