//! End-to-end tests of the `ctlake` binary: each test starts a local Lake on a loopback port (in this
//! process, in memory) and runs the built binary against it as a child process, as a user would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

mod alarms;
mod catalog;
mod cli;
mod ingest_changes;
mod ingest_changes_sqs;
mod integration;
mod local_serve;
mod put_events;
mod query;
mod quickstart;
mod scripts;
mod validate;
