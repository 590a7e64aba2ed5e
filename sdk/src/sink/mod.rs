//! Where batches go: the [`Sink`] interface the publisher sends every `PutAuditEvents` request through, and
//! its two implementations.
//!
//! - [`LakeSink`]: CloudTrail Lake (or the local Lake, by endpoint URL) through `aws-sdk-cloudtraildata`, one
//!   client per destination (region, credentials, endpoint), built with the SDK's own retries **off**: the
//!   publisher's retry layer is the only retry owner (see [`crate::retry`]).
//! - [`FileSink`]: an NDJSON file for dry runs, one `{"id", "eventData", "eventDataChecksum"}` record per line,
//!   every event accepted.
//!
//! A sink answers one request with a [`PutResponse`] (each entry either accepted with CloudTrail's `eventID`
//! or failed with a per-entry code) or a [`SinkError`] for the whole request. It neither retries nor
//! classifies: [`crate::retry::classify`] decides what happens next. Other destinations (CloudWatch Logs, a
//! queue) can implement the trait and take the same events (ARCHITECTURE decision 8).

mod body;
mod error;
mod file;
mod lake;
mod request;
pub(crate) mod service;

pub use error::{SinkError, SinkErrorKind};
pub use file::FileSink;
pub use lake::LakeSink;
pub use request::{EntryFailure, EntryOk, PutRequest, PutResponse};

use futures::future::BoxFuture;

/// Sends `PutAuditEvents` requests somewhere. Implementations must be cheap to share (`&self`) and may be
/// called concurrently, for any destination.
///
/// # Contract
///
/// - One call = one attempt. Do not retry inside: the publisher retries whole requests and failed entries
///   (and would multiply your retries by its own).
/// - Return `Ok` when the destination answered the request; list every entry of the request in
///   [`PutResponse::successful`] or [`PutResponse::failed`]. Entries missing from the answer are treated as
///   "outcome unknown" and resent.
/// - Return `Err` when the request as a whole failed; say in [`SinkError`] whether the service answered
///   (with its code and status), the request could not be sent, or the outcome is unknown (timeout, broken
///   response).
pub trait Sink: Send + Sync + std::fmt::Debug + 'static {
    /// Sends one request and reports what happened to it.
    fn put(&self, request: PutRequest) -> BoxFuture<'static, Result<PutResponse, SinkError>>;
}

impl<S: Sink + ?Sized> Sink for std::sync::Arc<S> {
    fn put(&self, request: PutRequest) -> BoxFuture<'static, Result<PutResponse, SinkError>> {
        (**self).put(request)
    }
}
