//! Retries: **who retries what**, the classification of failures, and the tower policy that resends.
//!
//! # One retry owner
//!
//! The AWS SDK client the [`LakeSink`](crate::LakeSink) builds has its own retries switched off
//! (`RetryConfig::disabled()`), which also takes it out of the SDK's process-wide retry quota (a token bucket
//! shared by every client of a service and region, which fault-injection runs exhaust within seconds:
//! `sdk-wire-notes.md` §4). The publisher's retry layer owns every retry (ARCHITECTURE decision 3):
//!
//! | failure | what is resent |
//! |---|---|
//! | HTTP 5xx, 429, a throttling or transient error code | the whole request |
//! | a timeout, a lost connection, an unreadable answer | the whole request (counted as *ambiguous*: it may have been stored) |
//! | a connection that could not be made | the whole request |
//! | per-entry `Throttling` or `InternalFailure` in a 200 answer (or an entry missing from it) | only those entries, merged into the destination's next batch once their own backoff has passed |
//! | `ChannelNotFound`, `ChannelInsufficientPermission`, `InvalidChannelARN` | nothing; the destination pauses |
//! | any other error or per-entry code | nothing; reported with each event |
//!
//! [`classify`] maps failures to a [`Disposition`]; [`RetrySettings`] holds the backoff (exponential, with
//! jitter) and its bounds (a maximum number of attempts and a maximum total time, per batch for whole-request
//! retries and per entry for resent entries, counted from the entry's first batch). The policy that
//! acts on both is internal to the publisher's stack.

pub mod classify;
mod policy;
mod settings;

pub use classify::Disposition;
pub(crate) use policy::RetryPolicy;
pub use settings::RetrySettings;
