//! The exact account of a run: what was read, kept, skipped, malformed, published.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::read::{LogObject, ObjectRef, ObjectSkip, ReadError};

/// Most malformed records listed individually in a [`Summary`] (all are counted).
pub const MAX_LISTED_MALFORMED: usize = 1000;

/// A record that could not be used, with its object and 0-based index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MalformedRecord {
    /// The object (file, `s3://…`).
    pub object: String,
    /// 0-based index of the record in the object.
    pub index: usize,
    /// Why.
    pub reason: String,
}

impl fmt::Display for MalformedRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: record {}: {}", self.object, self.index, self.reason)
    }
}

/// What happened to one object's records.
#[derive(Debug)]
pub struct ObjectReport {
    /// The object.
    pub object: LogObject,
    /// Records read (every record delivered by the reader, whatever became of it).
    pub records: usize,
    /// Records kept as changes and normalized.
    pub kept: usize,
    /// Kept changes per matched rule (a change matched by two rules counts for both).
    pub kept_by_rule: BTreeMap<String, usize>,
    /// Skipped records per reason label (`read-only`, `failed`, `noise:ssm-agent`, …).
    pub skipped: BTreeMap<String, usize>,
    /// Records that could not be used (not a record, or not normalizable).
    pub malformed: Vec<MalformedRecord>,
    /// Why reading stopped early; the records before it were processed.
    pub error: Option<ReadError>,
    /// Reading was stopped on purpose (shutdown, or the consumer went away) before the end.
    pub stopped: bool,
}

impl ObjectReport {
    pub(crate) fn new(object: LogObject) -> Self {
        Self {
            object,
            records: 0,
            kept: 0,
            kept_by_rule: BTreeMap::new(),
            skipped: BTreeMap::new(),
            malformed: Vec::new(),
            error: None,
            stopped: false,
        }
    }

    /// Records skipped, over all reasons.
    pub fn skipped_total(&self) -> usize {
        self.skipped.values().sum()
    }

    /// Read to the end, without error or stop.
    pub fn complete(&self) -> bool {
        self.error.is_none() && !self.stopped
    }
}

/// The account of a whole run.
///
/// Every record read is exactly one of: kept, skipped (by reason) or malformed, so
/// `records_read == kept + skipped_total() + malformed` always holds. Kept changes then end as accepted,
/// rejected or unfinished (their consumer dropped them without an outcome).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Objects read to the end.
    pub objects_read: usize,
    /// Objects whose reading was stopped before the end (shutdown, or the consumer went away).
    pub objects_stopped: usize,
    /// Objects not read, per reason (`CloudTrail digest file`, `already processed (checkpoint)`, …).
    pub objects_skipped: BTreeMap<String, usize>,
    /// Objects that could not be read to the end, with the error (records before the error were processed).
    pub object_errors: Vec<String>,
    /// Records read.
    pub records_read: usize,
    /// Records kept as changes.
    pub kept: usize,
    /// Kept changes per matched rule.
    pub kept_by_rule: BTreeMap<String, usize>,
    /// Skipped records per reason.
    pub skipped: BTreeMap<String, usize>,
    /// Malformed records, counted.
    pub malformed: usize,
    /// Malformed records, listed (at most [`MAX_LISTED_MALFORMED`]).
    pub malformed_records: Vec<MalformedRecord>,
    /// Changes whose consumer reported them accepted (published).
    pub accepted: usize,
    /// Changes whose consumer reported them finally rejected.
    pub rejected: usize,
    /// Changes dropped by their consumer without an outcome (their objects are not checkpointed and their SQS
    /// messages not deleted).
    pub unfinished: usize,
    /// SQS messages received.
    pub messages_received: usize,
    /// SQS messages deleted (every event from their objects has a final outcome, or there was nothing to read).
    pub messages_deleted: usize,
    /// SQS messages with nothing to read (S3 test events, SNS confirmations, other S3 events).
    pub messages_ignored: usize,
    /// SQS messages that are not notifications this reader understands (left on the queue), with the reason.
    pub messages_unrecognized: Vec<String>,
    /// Errors of the queue or the checkpoint that did not stop the run.
    pub warnings: Vec<String>,
}

impl Summary {
    /// Records skipped, over all reasons.
    pub fn skipped_total(&self) -> usize {
        self.skipped.values().sum()
    }

    /// Adds one object's report.
    pub fn add_object(&mut self, report: &ObjectReport) {
        match &report.error {
            Some(error) => self.object_errors.push(error_chain(error)),
            None if report.stopped => self.objects_stopped += 1,
            None => self.objects_read += 1,
        }
        self.records_read += report.records;
        self.kept += report.kept;
        for (rule, n) in &report.kept_by_rule {
            *self.kept_by_rule.entry(rule.clone()).or_default() += n;
        }
        for (reason, n) in &report.skipped {
            *self.skipped.entry(reason.clone()).or_default() += n;
        }
        self.malformed += report.malformed.len();
        let room = MAX_LISTED_MALFORMED.saturating_sub(self.malformed_records.len());
        self.malformed_records
            .extend(report.malformed.iter().take(room).cloned());
    }

    /// Counts an object that was not read.
    pub fn add_skipped_object(&mut self, _object: &ObjectRef, reason: &ObjectSkip) {
        *self.objects_skipped.entry(reason.to_string()).or_default() += 1;
    }
}

/// An error with its sources, `: `-separated.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}
