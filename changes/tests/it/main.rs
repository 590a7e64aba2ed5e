//! Integration tests of `ctlake-changes` (one test binary, one module per concept).

// Test helpers unwrap: a panic in a test is a failure with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod alarm;
mod common;
mod fixtures;
mod rules;
mod sns;
