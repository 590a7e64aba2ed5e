//! Integration tests of the local Lake: the real AWS SDK for Rust clients, the AWS CLI and boto3 against a
//! Lake on a loopback port.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod auth;
mod channels;
mod cli;
mod event_data_stores;
mod faults;
mod policies;
mod put_audit_events;
mod queries;
mod restart;
mod serve;
