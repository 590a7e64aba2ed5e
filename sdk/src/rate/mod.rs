//! The global rate limit: token buckets shared by every destination stack that calls as the same AWS
//! account in the same region, so the publisher stays under the `PutAuditEvents` quota as a whole.
//!
//! # What "global" means
//!
//! CloudTrail Lake allows 100 `PutAuditEvents` calls per second and the quota cannot be raised
//! ([`PUT_AUDIT_EVENTS_TPS`]). Quotas are counted per calling account per region, so the bucket a call draws
//! from is keyed by **(region, calling account)**:
//!
//! - destinations that use the publisher's own credentials (the default chain, static keys, a named
//!   provider) call as the publisher's account: in one region they share **one** bucket, however many tenants
//!   there are;
//! - a destination that assumes a role calls as the role's account (from the role ARN): each customer account
//!   gets its own bucket, since its calls count against that account's quota.
//!
//! The buckets live in one [`RateLimiter`] per [`Publisher`](crate::Publisher) (not per process: two
//! publishers in one process should be given the same limiter with
//! [`PublisherBuilder::rate_limiter`](crate::PublisherBuilder::rate_limiter)).
//!
//! # Algorithm
//!
//! A token bucket in its GCRA form: each call reserves the next free slot (`per / calls` apart) and waits
//! until it. Up to `burst` calls may go at once after a quiet period. Reservations are first come, first
//! served, so destinations share the bucket fairly and no waiter is woken in vain.
//!
//! Every **attempt** takes a token, retries included: the layer sits inside the retry layer (see
//! [`crate::publisher`] for the stack order), so a storm of retries after throttling cannot exceed the quota.

mod bucket;
mod service;

pub(crate) use bucket::{Bucket, RateKey};
pub use bucket::{Rate, RateLimiter};
pub(crate) use service::RateLimit;

/// CloudTrail Lake's `PutAuditEvents` quota: 100 transactions per second, not adjustable. Source:
/// \[UG-QUOTA\] <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html>
/// (`lake-api.md` §4.1).
pub const PUT_AUDIT_EVENTS_TPS: u32 = 100;
