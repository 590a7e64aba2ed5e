//! Harness for ctlake's end-to-end tests: starts the local Lake and `moto_server` on free loopback ports.
//!
//! - [`lake`]: a local Lake in-process on `127.0.0.1:0` with a fault configuration, control-plane helpers
//!   (event data stores, channels, resource policies, queries) and SDK configurations for it.
//! - [`moto`]: a `moto_server` (S3, SQS, SNS) on a free loopback port, with SDK clients for it.

pub mod lake;
pub mod moto;
