//! The consumer side of the pipeline: each change is published through the SDK [`Publisher`] (or printed in a
//! dry run) and its ticket completed from the publisher's answer, so the library checkpoints an object and
//! deletes an SQS message only once every change from it is accepted (and journaled) or finally rejected (and in
//! the reject file).
//!
//! | delivery | ticket |
//! |---|---|
//! | accepted | journaled, then accepted |
//! | rejected for this entry (a per-entry code, `ValidationFailed`) or its own resends exhausted | reject file, then rejected |
//! | rejected for the whole request (`ChannelInsufficientPermission`, `ChannelNotFound`, …) or whole-request retries exhausted | dropped: the run stops (exit 254/255), the object is read again next time |
//! | cancelled by a stop | dropped: read again next time |

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use ctlake::{AbandonReason, Delivery, Destination, LakeSink, Outcome, Publisher};
use ctlake_changes::pipeline::{
    Change, Ingest, Location, Pipeline, PipelineOptions, Source, SourceError, Ticket,
};
use ctlake_changes::read::AwsOptions;
use indicatif::ProgressBar;
use tokio::sync::mpsc;

use super::chain;
use super::journal::Journal;
use super::rejects::{RejectFile, Rejected, Source as RejectSource};
use crate::aws::Aws;
use crate::context::Context;
use crate::exit::{CliError, CliResult};

/// Events the publisher holds at once (queued or in flight); with the pipeline's buffer, what bounds memory.
const MAX_HELD: usize = 4096;
/// How long a stopping run waits for the calls in flight, so what they stored is journaled.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// How long the end of a run waits for the publisher's workers once every change has an outcome.
const SHUTDOWN: Duration = Duration::from_secs(10);

/// A change handed to the publisher, waiting for its delivery.
#[derive(Debug)]
struct Pending {
    ticket: Ticket,
    uid: String,
    object: String,
    index: usize,
}

/// A change and its delivery.
#[derive(Debug)]
struct Settled {
    pending: Pending,
    delivery: Delivery,
}

/// What publishing made of the changes.
#[derive(Debug, Default)]
pub(crate) struct Finished {
    /// Accepted (printed, in a dry run) in this run.
    pub(crate) published: usize,
    /// Accepted by an earlier run (journaled), not sent again.
    pub(crate) already_published: usize,
    /// Refused for good.
    pub(crate) rejected: usize,
    /// Refused, by code.
    pub(crate) rejected_by_code: BTreeMap<String, usize>,
    /// Why the run stopped early, if it did.
    pub(crate) stopped: Option<CliError>,
}

/// Publishes changes and settles their tickets.
pub(crate) struct Consumer<'c> {
    ctx: &'c Context,
    publisher: Option<(Publisher, Destination)>,
    journal: Option<Journal>,
    tx: mpsc::UnboundedSender<Settled>,
    rx: mpsc::UnboundedReceiver<Settled>,
    in_flight: usize,
    counts: Finished,
    interrupt: Pin<Box<dyn Future<Output = ()> + Send>>,
    spinner: ProgressBar,
}

impl<'c> Consumer<'c> {
    /// A consumer publishing to `publishing` (none: a dry run printing to standard output).
    ///
    /// # Errors
    /// 255 when the publisher cannot start.
    pub(crate) fn new(
        publishing: Option<(&Aws, Destination)>,
        journal: Option<Journal>,
        ctx: &'c Context,
    ) -> CliResult<Self> {
        let publisher = match publishing {
            Some((aws, destination)) => {
                let publisher = Publisher::builder()
                    .sink(LakeSink::new(aws.sdk_config()))
                    .max_queued(MAX_HELD)
                    .queue_capacity(MAX_HELD)
                    .build()
                    .map_err(|e| CliError::other(format!("cannot start the publisher: {e}")))?;
                Some((publisher, destination))
            }
            None => None,
        };
        let (tx, rx) = mpsc::unbounded_channel();
        Ok(Self {
            ctx,
            publisher,
            journal,
            tx,
            rx,
            in_flight: 0,
            counts: Finished::default(),
            interrupt: Box::pin(crate::commands::put_events::interrupt_signal()),
            spinner: ctx.ui.spinner("reading CloudTrail logs"),
        })
    }

    /// Whether the run is stopping (interrupted or failed).
    pub(crate) fn stopping(&self) -> bool {
        self.counts.stopped.is_some()
    }

    /// Reads one source to the end (or until the run stops), publishing its changes; returns the library's
    /// account of it.
    ///
    /// # Errors
    /// 252 for a bad location or checkpoint, 254 when a queue name cannot be resolved, 255 for the rest.
    pub(crate) async fn run_source(
        &mut self,
        location: &Location,
        aws: &AwsOptions,
        ingest: Ingest,
        options: PipelineOptions,
        mut rejects: Option<&mut RejectFile>,
    ) -> CliResult<ctlake_changes::pipeline::Summary> {
        let source = Source::connect(location, aws).await.map_err(|e| match e {
            SourceError::Queue(_) => CliError::service(format!("{location}: {}", chain(&e))),
            _ => CliError::usage(chain(&e)),
        })?;
        let (mut changes, running) = Pipeline::new(ingest, source, options)
            .start()
            .map_err(|e| CliError::usage(chain(&e)))?;
        let stopper = running.stopper();
        loop {
            tokio::select! {
                biased;
                () = &mut self.interrupt, if !self.stopping() => {
                    self.stop(CliError::interrupted("interrupted; run the same command again to continue")).await;
                }
                Some(settled) = self.rx.recv(), if self.in_flight > 0 => {
                    self.settle(settled, rejects.as_deref_mut()).await?;
                }
                change = changes.recv() => match change {
                    Some(change) => self.take(change).await?,
                    None => break,
                },
            }
            if self.stopping() {
                stopper.stop();
            }
        }
        // Everything is read: settle what is in flight (the publisher sends a partial batch after its linger).
        while self.in_flight > 0 {
            tokio::select! {
                biased;
                () = &mut self.interrupt, if !self.stopping() => {
                    self.stop(CliError::interrupted("interrupted; run the same command again to continue")).await;
                }
                Some(settled) = self.rx.recv() => self.settle(settled, rejects.as_deref_mut()).await?,
            }
        }
        let account = running
            .finish()
            .await
            .map_err(|e| CliError::other(format!("{location}: {}", chain(&e))))?;
        Ok(account)
    }

    /// Publishes (or prints) one change.
    async fn take(&mut self, change: Change) -> CliResult<()> {
        let Change {
            change,
            object,
            index,
            ticket,
        } = change;
        if self.stopping() {
            // Not sent: the ticket is dropped, so the object is read again next time.
            return Ok(());
        }
        let uid = change.source_event_id;
        if self.journal.as_ref().is_some_and(|j| j.contains(&uid)) {
            self.counts.already_published += 1;
            ticket.accepted();
            return Ok(());
        }
        let Some((publisher, destination)) = &self.publisher else {
            let mut line = change.audit_event.event_data().to_owned();
            line.push('\n');
            crate::output::write_stdout(line.as_bytes())?;
            self.counts.published += 1;
            ticket.accepted();
            return Ok(());
        };
        let receipt = match publisher.publish(destination, change.audit_event).await {
            Ok(receipt) => receipt,
            // Shut down by a stop meanwhile: the ticket is dropped.
            Err(_) => return Ok(()),
        };
        let pending = Pending {
            ticket,
            uid,
            object: object.to_string(),
            index,
        };
        let tx = self.tx.clone();
        self.in_flight += 1;
        tokio::spawn(async move {
            let delivery = receipt.delivery().await;
            let _ = tx.send(Settled { pending, delivery });
        });
        self.progress();
        Ok(())
    }

    /// Completes a change's ticket from its delivery.
    async fn settle(&mut self, settled: Settled, rejects: Option<&mut RejectFile>) -> CliResult<()> {
        self.in_flight -= 1;
        let Settled { pending, delivery } = settled;
        let decided_for_request = delivery.decided_for_request;
        match delivery.outcome {
            Outcome::Accepted { .. } => {
                if let Some(journal) = &mut self.journal {
                    journal.record(&pending.uid)?;
                }
                self.counts.published += 1;
                pending.ticket.accepted();
            }
            Outcome::Rejected { code, message, .. } if !decided_for_request => {
                self.reject(pending, &code, &message, rejects)?;
            }
            Outcome::Rejected { code, message, .. } => {
                let hint = hint(&code);
                self.stop(CliError::service(format!(
                    "PutAuditEvents failed: {code}: {message}{hint}; nothing is lost: run the same command again"
                )))
                .await;
            }
            Outcome::Abandoned {
                reason: AbandonReason::RetriesExhausted { last_error, .. },
            } if !decided_for_request => {
                let (code, message) = last_error.split_once(": ").unwrap_or((&last_error, ""));
                let message = format!("still failing after {} resends: {message}", delivery.resends);
                let code = code.to_owned();
                self.reject(pending, &code, &message, rejects)?;
            }
            Outcome::Abandoned {
                reason: AbandonReason::RetriesExhausted { attempts, last_error },
            } => {
                self.stop(CliError::other(format!(
                    "PutAuditEvents failed after {attempts} attempts: {last_error}; nothing is lost: run the same \
                     command again"
                )))
                .await;
            }
            // Cancelled by a stop, or cut off at shutdown: the dropped ticket keeps the object for next time.
            _ => {}
        }
        self.progress();
        Ok(())
    }

    fn reject(
        &mut self,
        pending: Pending,
        code: &str,
        message: &str,
        rejects: Option<&mut RejectFile>,
    ) -> CliResult<()> {
        if let Some(rejects) = rejects {
            rejects.write(&Rejected {
                object: &pending.object,
                record: Some(pending.index),
                uid: Some(&pending.uid),
                code,
                message,
                source: RejectSource::Lake,
            })?;
        } else {
            self.ctx.ui.warn(format!(
                "{}: record {}: change {} rejected: {code}: {message}",
                pending.object, pending.index, pending.uid
            ));
        }
        self.counts.rejected += 1;
        *self.counts.rejected_by_code.entry(code.to_owned()).or_default() += 1;
        pending.ticket.rejected();
        Ok(())
    }

    /// Stops the run: nothing more is read or sent; calls in flight are answered within the grace period.
    async fn stop(&mut self, why: CliError) {
        if self.stopping() {
            return;
        }
        self.counts.stopped = Some(why);
        if let Some((publisher, _)) = &self.publisher {
            publisher.stop(STOP_GRACE).await;
        }
    }

    fn progress(&self) {
        self.spinner.set_message(format!(
            "{} changes published, {} rejected, {} in flight",
            self.counts.published, self.counts.rejected, self.in_flight
        ));
    }

    /// Shuts the publisher down and returns the counts.
    pub(crate) async fn finish(mut self) -> Finished {
        if let Some((publisher, _)) = &self.publisher
            && !self.stopping()
        {
            publisher.shutdown(SHUTDOWN).await;
        }
        self.spinner.finish_and_clear();
        std::mem::take(&mut self.counts)
    }
}

/// What to check after a whole-request failure.
fn hint(code: &str) -> &'static str {
    match code {
        "ChannelInsufficientPermission" => {
            " (the channel policy must allow the caller's account, and --external-id must match the policy's \
             cloudtrail:ExternalId)"
        }
        "ChannelNotFound" => " (check --channel-arn and --region)",
        _ => "",
    }
}
