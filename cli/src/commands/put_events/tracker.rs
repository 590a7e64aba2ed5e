//! Settles each record exactly once: counts, the reject file and the resume journal.
//!
//! A record is registered when it is handed to the sink (its line and raw bytes are kept until its receipt,
//! for the reject file), and settled by its receipt. Records that fail validation are settled at once. The
//! restart position written to the journal is the first record still waiting for an answer.

use std::collections::BTreeMap;

use super::rejects::{RejectFile, Rejected, Source};
use super::sink::{Fate, Receipt};
use super::state::{Earlier, Journal};
use super::summary::Summary;
use crate::events::check::Rejection;
use crate::events::input::{Format, Position};
use crate::exit::CliResult;

/// A record handed to the sink and not answered yet.
#[derive(Debug)]
struct Pending {
    at: Position,
    id: String,
    raw: Vec<u8>,
}

/// The bookkeeping of one run.
#[derive(Debug)]
pub(crate) struct Tracker {
    pending: BTreeMap<u64, Pending>,
    last: Option<Position>,
    journal: Option<Journal>,
    rejects: Option<RejectFile>,
    processed: u64,
    accepted: u64,
    rejected: BTreeMap<String, u64>,
    rejected_locally: u64,
    retried: u64,
    settled_this_run: u64,
}

impl Tracker {
    /// A tracker writing to `journal` and `rejects`, continuing `earlier`'s counts.
    pub(crate) fn new(journal: Option<Journal>, rejects: Option<RejectFile>, earlier: &Earlier) -> Self {
        Self {
            pending: BTreeMap::new(),
            last: earlier.start,
            journal,
            rejects,
            processed: 0,
            accepted: earlier.accepted,
            rejected: earlier.rejected.clone(),
            rejected_locally: 0,
            retried: earlier.retried,
            settled_this_run: 0,
        }
    }

    /// Notes the detected input format in the journal.
    pub(crate) fn format(&mut self, format: Format) {
        if let Some(j) = &mut self.journal {
            j.format(format);
        }
    }

    /// A record handed to the sink.
    pub(crate) fn register(&mut self, at: Position, id: &str, raw: Vec<u8>) {
        self.processed += 1;
        self.last = Some(at);
        self.pending.insert(
            at.index,
            Pending {
                at,
                id: id.to_owned(),
                raw,
            },
        );
    }

    /// A record that failed validation: settled at once.
    ///
    /// # Errors
    /// When the reject file cannot be written.
    pub(crate) fn reject_locally(
        &mut self,
        at: Position,
        raw: &[u8],
        rejection: &Rejection,
    ) -> CliResult<()> {
        self.processed += 1;
        self.last = Some(at);
        self.rejected_locally += 1;
        self.reject(
            at,
            None,
            &rejection.code,
            &rejection.message,
            Source::Validation,
            raw,
        )
    }

    /// Settles a record from its receipt (a receipt for an unknown record is ignored).
    ///
    /// # Errors
    /// When the reject file cannot be written.
    pub(crate) fn settle(&mut self, receipt: &Receipt) -> CliResult<()> {
        self.retried += u64::from(receipt.retries);
        if let Some(j) = &mut self.journal {
            j.retried(u64::from(receipt.retries));
        }
        match &receipt.fate {
            Fate::Accepted { .. } => {
                if self.pending.remove(&receipt.index).is_some() {
                    self.accepted += 1;
                    self.settled_this_run += 1;
                    if let Some(j) = &mut self.journal {
                        j.accepted(receipt.index);
                    }
                }
            }
            Fate::Rejected { code, message } => {
                if let Some(p) = self.pending.remove(&receipt.index) {
                    self.reject(p.at, Some(&p.id), code, message, Source::Lake, &p.raw)?;
                }
            }
        }
        Ok(())
    }

    fn reject(
        &mut self,
        at: Position,
        id: Option<&str>,
        code: &str,
        message: &str,
        source: Source,
        raw: &[u8],
    ) -> CliResult<()> {
        *self.rejected.entry(code.to_owned()).or_default() += 1;
        self.settled_this_run += 1;
        if let Some(r) = &mut self.rejects {
            r.write(&Rejected {
                line: at.line,
                index: at.index,
                id,
                code,
                message,
                source,
                record: raw,
            })?;
        }
        if let Some(j) = &mut self.journal {
            j.rejected(at.index, code);
        }
        Ok(())
    }

    /// Flushes the reject file, then appends the journal (so a rejection is on disk before the journal
    /// says it is settled).
    ///
    /// # Errors
    /// When either file cannot be written.
    pub(crate) fn checkpoint(&mut self) -> CliResult<()> {
        if let Some(r) = &mut self.rejects {
            r.flush()?;
        }
        let restart = self.pending.values().next().map(|p| p.at).or(self.last);
        if let Some(j) = &mut self.journal {
            j.write(restart)?;
        }
        Ok(())
    }

    /// Records sent and not answered.
    pub(crate) fn unfinished(&self) -> u64 {
        self.pending.len() as u64
    }

    /// The progress bar's message.
    pub(crate) fn progress_message(&self) -> String {
        let rejected: u64 = self.rejected.values().sum();
        format!("{} accepted, {rejected} rejected", self.accepted)
    }

    /// The summary over the whole file.
    pub(crate) fn summary(&self, earlier: &Earlier, elapsed_seconds: f64) -> Summary {
        let rejected: u64 = self.rejected.values().sum();
        let skipped = earlier.settled.len();
        Summary {
            records: skipped + self.processed,
            accepted: self.accepted,
            rejected,
            rejected_by_code: self.rejected.clone(),
            rejected_before_sending: self.rejected_locally,
            retried: self.retried,
            unfinished: self.unfinished(),
            skipped_from_earlier_runs: skipped,
            elapsed_seconds,
            events_per_second: if elapsed_seconds > 0.0 {
                self.settled_this_run as f64 / elapsed_seconds
            } else {
                0.0
            },
            ..Summary::default()
        }
    }

    /// The journal, to keep or remove.
    pub(crate) fn into_journal(self) -> Option<Journal> {
        self.journal
    }
}
