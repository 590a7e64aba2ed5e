//! # ctlake
//!
//! Typed [AWS CloudTrail Lake](https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-lake.html)
//! activity events: build an `eventData` record, validate it against the service's documented limits before
//! anything is sent, and publish it with `PutAuditEvents`.
