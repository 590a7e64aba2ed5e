//! [`RetryPolicy`]: the tower retry policy of a destination's stack.
//!
//! It resends **whole requests** (5xx, throttling, timeouts, connection errors) with [`RetrySettings`]'
//! backoff, and classifies each entry of an answered request as [`classify`](super::classify) decides:
//! `Throttling` and `InternalFailure` entries (and entries missing from the answer) become
//! [`EntryState::Resend`] — the destination's worker merges them into a later batch once their own backoff
//! has passed, so they do not go out as small requests of their own — and every other per-entry code is a
//! final rejection. Because `tower::retry` only returns the last attempt's result, the policy replaces it
//! with a [`BatchResult`] giving every entry of the batch a state, whole-request failures included; the
//! stack's answer is always `Ok`.
//!
//! # Clone
//!
//! `tower::retry::Retry` clones the policy for each request session (each batch): the attempt count lives
//! in that clone; the settings are shared.

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
    attempts: u32,
    retried: u64,
    ambiguous: u64,
}

impl RetryPolicy {
    pub(crate) fn new(settings: Arc<RetrySettings>) -> Self {
        Self {
            settings,
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

    fn result(
        &self,
        states: Vec<EntryState>,
        whole_request: bool,
        fatal: Option<(String, String)>,
    ) -> BatchResult {
        BatchResult {
            states,
            attempts: self.attempts,
            retried: self.retried,
            ambiguous: self.ambiguous,
            whole_request,
            fatal,
        }
    }

    /// Classifies each entry of an answered request.
    fn on_answer(&self, answer: BatchResult) -> BatchResult {
        let states = answer
            .states
            .into_iter()
            .map(|state| match state {
                EntryState::Failed { code, message } => match classify::classify_entry(&code) {
                    Disposition::Retry { .. } => EntryState::Resend {
                        why: format!("{code}: {message}"),
                        ambiguous: false,
                    },
                    Disposition::Reject | Disposition::PauseDestination => {
                        EntryState::Rejected { code, message }
                    }
                },
                EntryState::Unknown => EntryState::Resend {
                    why: "missing from the answer".to_owned(),
                    ambiguous: true,
                },
                final_state => final_state,
            })
            .collect();
        self.result(states, false, None)
    }

    fn on_error(&mut self, batch: &Batch, error: &BoxError) -> Result<Sleep, BatchResult> {
        let (disposition, code, message) = describe(error);
        let n = batch.put.len();
        let all = |state: EntryState| vec![state; n];
        match disposition {
            Disposition::Retry { ambiguous } => {
                if let Some(backoff) = self.next_backoff(batch.formed) {
                    self.note_retry(batch, n as u64, if ambiguous { n as u64 } else { 0 });
                    return Ok(tokio::time::sleep(backoff));
                }
                let state = EntryState::Abandoned(AbandonReason::RetriesExhausted {
                    attempts: self.attempts,
                    last_error: format!("{code}: {message}"),
                });
                Err(self.result(all(state), true, None))
            }
            Disposition::Reject => Err(self.result(all(EntryState::Rejected { code, message }), true, None)),
            Disposition::PauseDestination => {
                let state = EntryState::Rejected {
                    code: code.clone(),
                    message: message.clone(),
                };
                Err(self.result(all(state), true, Some((code, message))))
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
            "Retrying the whole request."
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
            Ok(answer) => Err(self.on_answer(std::mem::take(answer))),
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
