//! The normalizer: a kept CloudTrail record becomes one CloudTrail Lake activity event (the target model of
//! `ARCHITECTURE.md`, "Normalized change event").
//!
//! | eventData field | value |
//! |---|---|
//! | `eventSource` | [`CHANGE_EVENT_SOURCE`], ctlake's reserved source for CloudTrail-derived changes |
//! | `eventName`, `eventTime` | the original's |
//! | `UID` | the original `eventID`; the entry `id` is derived from it ([`Normalizer::audit_event_id`]) |
//! | `userIdentity` | `type` = normalized user type, `principalId` = the actor's ARN (or id), `details` = `user_name`, `user_arn`, `account`, `principal_id`, `invoked_by` (`change-detection.md` §2) |
//! | `sourceIPAddress` | the original when it is an IP address; AWS service names go to the `source_ip_address` tag |
//! | `userAgent`, `errorCode`, `errorMessage` | the original's, cut to Lake's character limits |
//! | `requestParameters` | the original, cut to 100 kB with a `ctlake_truncated` marker when larger |
//! | `recipientAccountId` | the channel owner's account, not the account of the change |
//! | `additionalEventData` | the tags: `identifier`, `summary`, `ticket_url`, `start`, `end`, `user_name`, `user_type`, `user_arn`, `rp_<key>`, `resources<N>_<key>`, `event_source`, `aws_region`, `account`, `event_type`, `request_id`, `actor_kind`, `matched_rules`, within 28 kB (largest `rp_`/`resources` tags trimmed, then dropped, with a `ctlake_truncated` marker) |

mod caps;
mod error;
mod identity;
mod normalizer;
mod tags;

pub use caps::TRUNCATION_MARKER;
pub use error::NormalizeError;
pub use identity::{Actor, actor};
pub use normalizer::{NormalizedChange, Normalizer};
pub use tags::ticket_url;

/// ctlake's reserved `eventSource` for change events derived from CloudTrail. The event-source catalog
/// (`event-sources/`) declares it; this constant is the one place the string lives in this crate.
pub const CHANGE_EVENT_SOURCE: &str = "changes.ctlake.dev";

/// `eventData.version` of ctlake's change events: the version of this normalized form (not CloudTrail's
/// `eventVersion`).
pub const NORMALIZED_VERSION: &str = "1.0";
