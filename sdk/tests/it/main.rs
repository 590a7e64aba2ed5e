//! Integration tests of the `ctlake` crate (one binary, one module per concern).

// Test helpers may unwrap: a panic there is a test failure with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod wire;
