//! # ctlake-local
//!
//! A wire-compatible CloudTrail Lake that runs on one machine: the awsJson1_1 control plane and the restJson1
//! `PutAuditEvents` data plane on one port, stored in SQLite, answering Lake SQL.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ctlake_local::Error> {
//! // Tests: a Lake on 127.0.0.1 with an ephemeral port and an in-memory database.
//! let lake = ctlake_local::LocalLake::start(ctlake_local::Config::in_memory()).await?;
//! println!("endpoint: {}", lake.endpoint_url());
//! lake.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! Credentials follow LocalStack's convention (see [`config::Credentials`]): access key `test` / secret `test`
//! is account `000000000000`, a 12-digit access key id is that account (secret `test`). The region is the
//! one in the request's SigV4 credential scope; every resource belongs to an (account, region) pair.
//!
//! Error policy: the public entry points return [`Error`] (a `thiserror` enum). Inside, every failure that a
//! client can cause is an AWS error response (`protocol::ApiError`), never a panic.
//!
//! Module map: `protocol` (wire formats and AWS errors), `auth` (SigV4 and identities), `control` (the
//! CloudTrail control-plane operations), `data` (PutAuditEvents), `policy` (channel resource policies),
//! `store` (SQLite schema, catalog of resources, the group-commit writer thread), `query` (query lifecycle),
//! `faults` (fault injection), `admin` (`/_ctlake/*` endpoints), `server` (listener and dispatch).

mod admin;
mod app;
mod arn;
mod auth;
pub mod config;
mod control;
mod data;
mod error;
pub mod faults;
mod limits;
mod policy;
mod protocol;
mod query;
mod server;
pub mod sql;
mod store;
mod timefmt;

pub use config::{Config, Credentials, Storage};
pub use error::Error;
pub use faults::FaultConfig;
pub use server::{LocalLake, serve};
