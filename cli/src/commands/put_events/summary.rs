//! The result of put-events: counts over the whole file (earlier interrupted runs included).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::output::{Report, table};

/// What happened to the file's records.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Summary {
    /// The input.
    pub(crate) file: String,
    /// The channel.
    pub(crate) channel_arn: String,
    /// Records read (this run and the earlier runs of a resumed file).
    pub(crate) records: u64,
    /// Stored by Lake.
    pub(crate) accepted: u64,
    /// Not stored: invalid, or refused by Lake.
    pub(crate) rejected: u64,
    /// Rejected records by code (Lake's per-entry codes; `InvalidJson` and `RecordTooLarge` for input that
    /// is not an event at all).
    pub(crate) rejected_by_code: BTreeMap<String, u64>,
    /// Of the rejected, how many were found invalid before sending.
    pub(crate) rejected_before_sending: u64,
    /// Resends after a retryable per-entry answer (`Throttling`, `InternalFailure`).
    pub(crate) retried: u64,
    /// Sent but not answered when the run stopped (sent again by `--resume`).
    pub(crate) unfinished: u64,
    /// Records settled by earlier runs and skipped by this one.
    pub(crate) skipped_from_earlier_runs: u64,
    /// Whether the whole file was read and every record settled.
    pub(crate) complete: bool,
    /// Seconds this run took.
    pub(crate) elapsed_seconds: f64,
    /// Records settled per second in this run.
    pub(crate) events_per_second: f64,
    /// The reject file, if any.
    pub(crate) reject_file: Option<String>,
    /// The resume state file, when the run is not complete.
    pub(crate) state_file: Option<String>,
}

impl Report for Summary {
    fn table(&self) -> String {
        let mut rows = vec![
            ("File", self.file.clone()),
            ("Channel", self.channel_arn.clone()),
            ("Records", self.records.to_string()),
            ("Accepted", self.accepted.to_string()),
            ("Rejected", self.rejected.to_string()),
        ];
        for (code, n) in &self.rejected_by_code {
            rows.push(("  rejected", format!("{code}: {n}")));
        }
        rows.push(("Retried", self.retried.to_string()));
        if self.unfinished > 0 {
            rows.push(("Unfinished", self.unfinished.to_string()));
        }
        if self.skipped_from_earlier_runs > 0 {
            rows.push((
                "Skipped (earlier runs)",
                self.skipped_from_earlier_runs.to_string(),
            ));
        }
        rows.push(("Complete", if self.complete { "yes" } else { "no" }.to_owned()));
        rows.push(("Events/s", format!("{:.0}", self.events_per_second)));
        if let Some(f) = &self.reject_file {
            rows.push(("Reject file", f.clone()));
        }
        if let Some(f) = &self.state_file {
            rows.push(("Resume state", f.clone()));
        }
        table::key_values(rows).to_string()
    }

    /// `records accepted rejected retried complete` (`True`/`False`).
    fn text(&self) -> Vec<String> {
        vec![
            self.records.to_string(),
            self.accepted.to_string(),
            self.rejected.to_string(),
            self.retried.to_string(),
            if self.complete { "True" } else { "False" }.to_owned(),
        ]
    }
}
