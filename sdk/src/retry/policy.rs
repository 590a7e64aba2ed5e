//! [`RetryPolicy`]: the tower retry policy of a destination's stack.
//!
//! It resends whole requests and rebuilds smaller ones from the entries worth resending, as
//! [`classify`](super::classify) decides, with [`RetrySettings`]' backoff. Because `tower::retry` only returns
//! the last attempt's result, the policy keeps the entries already settled in earlier attempts and, when it
//! stops, replaces the last result with a [`BatchResult`] listing **every** entry of the batch in a final
//! state — whole-request failures included. So the stack's answer is always `Ok` with one final state per
//! entry.
//!
//! # Clone
//!
//! `tower::retry::Retry` clones the policy for each request session (each batch): the settled entries and
//! the attempt count live in that clone; the settings are shared.

use std::collections::HashSet;
use std::sync::Arc;

use tokio::time::{Instant, Sleep};
use tower::BoxError;

use super::RetrySettings;
use super::classify::{self, Disposition};
use crate::batch::{Batch, BatchResult, EntryState};
use crate::metrics;
use crate::publisher::AbandonReason;
use crate::sink::SinkError;

#[derive(Debug, Clone)]
pub(crate) struct RetryPolicy {
    settings: Arc<RetrySettings>,
    settled: Vec<(String, EntryState)>,
    attempts: u32,
    retried: u64,
    ambiguous: u64,
}

impl RetryPolicy {
    pub(crate) fn new(settings: Arc<RetrySettings>) -> Self {
        Self {
            settings,
            settled: Vec::new(),
            attempts: 0,
            retried: 0,
            ambiguous: 0,
        }
    }

    /// The backoff before the next attempt, if another attempt is allowed for a batch formed at `formed`.
    fn next_backoff(&self, formed: Instant) -> Option<std::time::Duration> {
        if self.attempts >= self.settings.attempts_limit() {
            return None;
        }
        let backoff = self.settings.backoff(self.attempts, fastrand::f64());
        let ends = Instant::now() + backoff;
        (ends.duration_since(formed) <= self.settings.elapsed_limit()).then_some(backoff)
    }

    /// Ends the session: the settled entries plus `rest` become the result.
    fn finish(
        &mut self,
        rest: impl IntoIterator<Item = (String, EntryState)>,
        fatal: Option<(String, String)>,
    ) -> BatchResult {
        let mut entries = std::mem::take(&mut self.settled);
        entries.extend(rest);
        BatchResult {
            entries,
            attempts: self.attempts,
            retried: self.retried,
            ambiguous: self.ambiguous,
            fatal,
        }
    }

    fn exhausted(&self, last_error: String) -> EntryState {
        EntryState::Abandoned(AbandonReason::RetriesExhausted {
            attempts: self.attempts,
            last_error,
        })
    }

    fn on_answer(&mut self, batch: &mut Batch, answer: BatchResult) -> Result<Sleep, BatchResult> {
        let mut resend: Vec<(String, String)> = Vec::new();
        let mut unknown = 0u64;
        for (id, state) in answer.entries {
            match state {
                EntryState::Failed { code, message } => match classify::classify_entry(&code) {
                    Disposition::Retry { .. } => resend.push((id, format!("{code}: {message}"))),
                    Disposition::Reject | Disposition::PauseDestination => {
                        self.settled.push((id, EntryState::Rejected { code, message }));
                    }
                },
                EntryState::Unknown => {
                    unknown += 1;
                    resend.push((id, "missing from the answer".to_owned()));
                }
                final_state => self.settled.push((id, final_state)),
            }
        }
        if resend.is_empty() {
            return Err(self.finish([], None));
        }
        let Some(backoff) = self.next_backoff(batch.formed) else {
            let rest: Vec<_> = resend
                .into_iter()
                .map(|(id, why)| {
                    let state = self.exhausted(why);
                    (id, state)
                })
                .collect();
            return Err(self.finish(rest, None));
        };
        let keep: HashSet<&str> = resend.iter().map(|(id, _)| id.as_str()).collect();
        batch.put = batch.put.retain(|e| keep.contains(e.id().as_str()));
        self.note_retry(batch, resend.len() as u64, unknown);
        Ok(tokio::time::sleep(backoff))
    }

    fn on_error(&mut self, batch: &Batch, error: &BoxError) -> Result<Sleep, BatchResult> {
        let (disposition, code, message) = describe(error);
        let ids = || batch.put.events().iter().map(|e| e.id().as_str().to_owned());
        match disposition {
            Disposition::Retry { ambiguous } => {
                if let Some(backoff) = self.next_backoff(batch.formed) {
                    let n = batch.put.len() as u64;
                    self.note_retry(batch, n, if ambiguous { n } else { 0 });
                    return Ok(tokio::time::sleep(backoff));
                }
                let last = format!("{code}: {message}");
                let rest: Vec<_> = ids().map(|id| (id, self.exhausted(last.clone()))).collect();
                Err(self.finish(rest, None))
            }
            Disposition::Reject => {
                let rest: Vec<_> = ids()
                    .map(|id| {
                        let state = EntryState::Rejected {
                            code: code.clone(),
                            message: message.clone(),
                        };
                        (id, state)
                    })
                    .collect();
                Err(self.finish(rest, None))
            }
            Disposition::PauseDestination => {
                let rest: Vec<_> = ids()
                    .map(|id| {
                        let state = EntryState::Rejected {
                            code: code.clone(),
                            message: message.clone(),
                        };
                        (id, state)
                    })
                    .collect();
                Err(self.finish(rest, Some((code, message))))
            }
        }
    }

    fn note_retry(&mut self, batch: &Batch, events: u64, ambiguous: u64) {
        self.retried += events;
        self.ambiguous += ambiguous;
        let name = batch.put.destination().name();
        metrics::retried(name, events);
        tracing::debug!(
            destination = name,
            events,
            ambiguous,
            attempt = self.attempts,
            "Retrying entries."
        );
    }
}

/// The disposition, reported code and message of a whole-request error coming out of the stack.
fn describe(error: &BoxError) -> (Disposition, String, String) {
    if let Some(e) = error.downcast_ref::<SinkError>() {
        (
            classify::classify_error(e),
            classify::error_code(e),
            e.message().to_owned(),
        )
    } else if error.is::<tower::timeout::error::Elapsed>() {
        (
            Disposition::Retry { ambiguous: true },
            "Timeout".to_owned(),
            "the attempt timed out".to_owned(),
        )
    } else {
        // Not from the sink or the timeout layer: treat as a failure of unknown outcome.
        (
            Disposition::Retry { ambiguous: true },
            "OutcomeUnknown".to_owned(),
            error.to_string(),
        )
    }
}

impl tower::retry::Policy<Batch, BatchResult, BoxError> for RetryPolicy {
    type Future = Sleep;

    fn retry(
        &mut self,
        batch: &mut Batch,
        result: &mut Result<BatchResult, BoxError>,
    ) -> Option<Self::Future> {
        self.attempts += 1;
        let step = match result {
            Ok(answer) => self.on_answer(batch, std::mem::take(answer)),
            Err(error) => self.on_error(batch, error),
        };
        match step {
            Ok(sleep) => Some(sleep),
            Err(done) => {
                *result = Ok(done);
                None
            }
        }
    }

    fn clone_request(&mut self, batch: &Batch) -> Option<Batch> {
        Some(batch.clone())
    }
}
