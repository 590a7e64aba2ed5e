//! Integration tests of `ctlake-changes` (one test binary, one module per concept).
//!
//! `s3` and `sqs` start a real `moto_server` on a free loopback port (see `moto.rs`).

// Test helpers unwrap: a panic in a test is a failure with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod alarm;
mod common;
mod fixtures;
mod incident;
mod local;
mod moto;
mod rules;
mod s3;
mod sns;
mod sqs;
