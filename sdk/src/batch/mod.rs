//! Batching: the pure [`Limiter`] that packs entries into `PutAuditEvents` requests, and the request and
//! result types that flow through each destination's tower stack.
//!
//! A batch is closed when it holds [`MAX_EVENTS_PER_REQUEST`](crate::validate::limits::MAX_EVENTS_PER_REQUEST)
//! entries, when the next entry would push the **exact** serialized body past
//! [`MAX_REQUEST_BYTES`](crate::validate::limits::MAX_REQUEST_BYTES) (sizes from
//! [`AuditEvent::encoded_len`](crate::AuditEvent::encoded_len): the body is `{"auditEvents":[` + entries
//! separated by commas + `]}`), or when its linger time has passed (the async shell in the publisher's
//! worker decides that). An entry whose id is already in the batch waits for a later batch — it is never
//! dropped — so a request never holds two entries with one id and `DuplicatedAuditEventId` cannot happen.

mod limiter;
mod report;

pub(crate) use limiter::{BatchItem, Limiter, Limits};
pub(crate) use report::{Batch, BatchResult, EntryState};
