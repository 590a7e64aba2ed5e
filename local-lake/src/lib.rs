//! # ctlake-local
//!
//! A wire-compatible CloudTrail Lake that runs on one machine: the awsJson1_1 control plane and the restJson1
//! `PutAuditEvents` data plane on one port, stored in SQLite, answering Lake SQL.

pub mod sql;
