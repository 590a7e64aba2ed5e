//! End-to-end tests: one integration binary, one module per area.
//!
//! - `moto`: the shared moto_server harness (SNS → SQS through the real SDK clients).
//! - `publisher`: the SDK's publisher against the local Lake with fault injection.
//! - `saas_audit`: the `saas-audit` example app driven over HTTP against the local Lake.

#![allow(clippy::unwrap_used)]

mod moto;
mod publisher;
mod saas_audit;
