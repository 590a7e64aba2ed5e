//! The tower stack of one destination.
//!
//! ```text
//! ConcurrencyLimit (per destination)
//!   └─ Retry (RetryPolicy: whole requests and failed entries, backoff, bounds)
//!        └─ RateLimit (token bucket shared by (region, calling account))
//!             └─ Timeout (per attempt)
//!                  └─ SinkService (one Sink call)
//! ```
//!
//! # Order
//!
//! - **Concurrency limit outermost**: it bounds the batches a destination has in flight, *including* the ones
//!   waiting to retry. A destination whose calls fail or slow down therefore stops taking new batches, its
//!   queue fills and `publish` applies backpressure for that destination only; the others have their own
//!   limits and carry on.
//! - **Retry outside the rate limit**: every attempt, retries included, takes a token, so retries after
//!   throttling cannot exceed the quota. (With the rate limit outside the retry layer, as in Vector's stack,
//!   only first attempts would be counted and a burst of retries would go out exactly when the service asks
//!   for less.) The data-flow sketch in ARCHITECTURE.md lists "rate limit → concurrency → retry → timeout";
//!   this order keeps all four layers and differs only in where the token is taken, for that reason.
//! - **Rate limit outside the timeout**: waiting for a token is not part of an attempt's time budget.
//! - **Timeout innermost**: it bounds one call; a timed-out attempt is an ambiguous failure and is retried.
//!
//! Readiness propagates: the worker only forms the next batch into a request when the stack is ready (a
//! concurrency slot and a token), so while it waits the batch keeps filling — under load, batches are full.
//!
//! # Clone
//!
//! The worker holds one stack per destination and never clones it. Inside, `Retry` clones its inner
//! service and the policy once per batch: `RateLimit` clones share the bucket but not a reservation,
//! `Timeout` and `SinkService` clones are plain copies sharing the sink, and each policy clone holds that
//! batch's retry state (see `retry::policy`).

use std::sync::Arc;
use std::time::Duration;

use tower::limit::ConcurrencyLimit;
use tower::retry::Retry;
use tower::timeout::Timeout;

use crate::rate::{Bucket, RateLimit};
use crate::retry::{RetryPolicy, RetrySettings};
use crate::sink::Sink;
use crate::sink::service::SinkService;

/// The stack's type.
pub(crate) type Stack = ConcurrencyLimit<Retry<RetryPolicy, RateLimit<Timeout<SinkService>>>>;

/// Builds a destination's stack.
pub(crate) fn build(
    sink: Arc<dyn Sink>,
    bucket: Arc<Bucket>,
    retry: Arc<RetrySettings>,
    concurrency: usize,
    attempt_timeout: Duration,
) -> Stack {
    let service = Timeout::new(SinkService::new(sink), attempt_timeout);
    let service = RateLimit::new(service, bucket);
    let service = Retry::new(RetryPolicy::new(retry), service);
    ConcurrencyLimit::new(service, concurrency.max(1))
}
