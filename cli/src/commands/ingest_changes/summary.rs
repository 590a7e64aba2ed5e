//! The result of ingest-changes: the library's exact account of the records (`ctlake_changes::pipeline::Summary`,
//! summed over the sources) plus what publishing made of the changes.

use std::collections::BTreeMap;

use ctlake_changes::pipeline::Summary as Account;
use serde::Serialize;

use crate::output::{Report, table};

/// What happened to the records and the changes of a run.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Summary {
    /// The sources, as given.
    pub(crate) sources: Vec<String>,
    /// The channel (none in a dry run without one).
    pub(crate) channel_arn: Option<String>,
    /// Whether the changes were printed instead of published.
    pub(crate) dry_run: bool,
    /// Log objects read to the end.
    pub(crate) objects_read: usize,
    /// Log objects not read, per reason (digest files, already processed, …).
    pub(crate) objects_skipped: BTreeMap<String, usize>,
    /// Log objects that could not be read to the end (their earlier records were processed).
    pub(crate) objects_failed: usize,
    /// CloudTrail records read.
    pub(crate) records: usize,
    /// Records kept as changes.
    pub(crate) changes: usize,
    /// Changes per matched rule (a change matched by two rules counts for both).
    pub(crate) changes_by_rule: BTreeMap<String, usize>,
    /// Records that are not changes, per reason (`read-only`, `failed`, `noise:…`, `duplicate`, …).
    pub(crate) skipped: BTreeMap<String, usize>,
    /// Records that could not be used.
    pub(crate) malformed: usize,
    /// Changes stored by Lake in this run (printed, in a dry run).
    pub(crate) published: usize,
    /// Changes Lake accepted in an earlier, interrupted run and not sent again.
    pub(crate) already_published: usize,
    /// Changes refused for good.
    pub(crate) rejected: usize,
    /// Rejected changes by code.
    pub(crate) rejected_by_code: BTreeMap<String, usize>,
    /// Changes without an outcome when the run stopped (their objects are read again by the next run).
    pub(crate) unfinished: usize,
    /// SQS messages received.
    pub(crate) messages_received: usize,
    /// SQS messages deleted after all their changes were settled.
    pub(crate) messages_deleted: usize,
    /// SQS messages with nothing to read (test events, subscription confirmations).
    pub(crate) messages_ignored: usize,
    /// SQS messages that are not notifications ctlake understands (left on the queue).
    pub(crate) messages_unrecognized: usize,
    /// Whether everything was read and every change settled.
    pub(crate) complete: bool,
    /// Seconds the run took.
    pub(crate) elapsed_seconds: f64,
    /// The checkpoint file, if any.
    pub(crate) checkpoint: Option<String>,
    /// The reject file, if any.
    pub(crate) reject_file: Option<String>,
    /// Problems that did not stop the run (a message that could not be deleted, …).
    pub(crate) warnings: Vec<String>,
}

impl Summary {
    /// Adds one source's account.
    pub(crate) fn add(&mut self, account: &Account) {
        self.objects_read += account.objects_read;
        for (reason, n) in &account.objects_skipped {
            *self.objects_skipped.entry(reason.clone()).or_default() += n;
        }
        self.objects_failed += account.object_errors.len();
        self.records += account.records_read;
        self.changes += account.kept;
        for (rule, n) in &account.kept_by_rule {
            *self.changes_by_rule.entry(rule.clone()).or_default() += n;
        }
        for (reason, n) in &account.skipped {
            *self.skipped.entry(reason.clone()).or_default() += n;
        }
        self.malformed += account.malformed;
        self.unfinished += account.unfinished;
        self.messages_received += account.messages_received;
        self.messages_deleted += account.messages_deleted;
        self.messages_ignored += account.messages_ignored;
        self.messages_unrecognized += account.messages_unrecognized.len();
        self.warnings.extend(account.warnings.iter().cloned());
    }

    /// Whether anything needs the user's attention (exit code 1).
    pub(crate) fn partial(&self) -> bool {
        self.rejected > 0 || self.malformed > 0 || self.objects_failed > 0 || self.messages_unrecognized > 0
    }
}

fn counts(map: &BTreeMap<String, usize>) -> String {
    map.iter()
        .map(|(k, n)| format!("{k}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Report for Summary {
    fn table(&self) -> String {
        let mut rows = vec![("Sources", self.sources.join(" "))];
        if let Some(channel) = &self.channel_arn {
            rows.push(("Channel", channel.clone()));
        }
        rows.push(("Objects read", self.objects_read.to_string()));
        if !self.objects_skipped.is_empty() {
            rows.push(("Objects skipped", counts(&self.objects_skipped)));
        }
        if self.objects_failed > 0 {
            rows.push(("Objects failed", self.objects_failed.to_string()));
        }
        rows.push(("Records", self.records.to_string()));
        rows.push(("Changes", self.changes.to_string()));
        if !self.changes_by_rule.is_empty() {
            rows.push(("  by rule", counts(&self.changes_by_rule)));
        }
        if !self.skipped.is_empty() {
            rows.push(("Not changes", counts(&self.skipped)));
        }
        rows.push(("Malformed", self.malformed.to_string()));
        rows.push((
            if self.dry_run { "Printed" } else { "Published" },
            self.published.to_string(),
        ));
        if self.already_published > 0 {
            rows.push(("Published earlier", self.already_published.to_string()));
        }
        rows.push(("Rejected", self.rejected.to_string()));
        if !self.rejected_by_code.is_empty() {
            rows.push(("  by code", counts(&self.rejected_by_code)));
        }
        if self.unfinished > 0 {
            rows.push(("Unfinished", self.unfinished.to_string()));
        }
        if self.messages_received > 0 {
            rows.push((
                "SQS messages",
                format!(
                    "{} received, {} deleted, {} ignored, {} unrecognized",
                    self.messages_received,
                    self.messages_deleted,
                    self.messages_ignored,
                    self.messages_unrecognized
                ),
            ));
        }
        rows.push(("Complete", if self.complete { "yes" } else { "no" }.to_owned()));
        if let Some(f) = &self.checkpoint {
            rows.push(("Checkpoint", f.clone()));
        }
        if let Some(f) = &self.reject_file {
            rows.push(("Reject file", f.clone()));
        }
        table::key_values(rows).to_string()
    }

    /// `records changes published rejected malformed complete` (`True`/`False`).
    fn text(&self) -> Vec<String> {
        vec![
            self.records.to_string(),
            self.changes.to_string(),
            self.published.to_string(),
            self.rejected.to_string(),
            self.malformed.to_string(),
            if self.complete { "True" } else { "False" }.to_owned(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_add_up_over_sources_and_problems_make_it_partial() {
        let mut account = Account {
            objects_read: 2,
            records_read: 10,
            kept: 3,
            malformed: 0,
            ..Account::default()
        };
        account.kept_by_rule.insert("default".into(), 3);
        account.skipped.insert("read-only".into(), 7);
        let mut summary = Summary::default();
        summary.add(&account);
        summary.add(&account);
        assert_eq!(
            (summary.objects_read, summary.records, summary.changes),
            (4, 20, 6)
        );
        assert_eq!(summary.changes_by_rule["default"], 6);
        assert_eq!(summary.skipped["read-only"], 14);
        assert!(!summary.partial());
        account.malformed = 1;
        summary.add(&account);
        assert!(summary.partial());
        assert_eq!(summary.text(), ["30", "9", "0", "0", "1", "False"]);
    }
}
