//! # ctlake-changes
//!
//! Reads CloudTrail logs (files, S3, SQS/SNS notifications), keeps the records that are actual changes and
//! normalizes them into CloudTrail Lake activity events; turns CloudWatch alarm notifications into alarm events.

pub mod alarm;
pub mod classify;
pub mod filter;
pub mod normalize;
pub mod pipeline;
pub mod read;
pub mod sns;
pub mod suggest;
