//! [`LogIntake`]: a CloudTrail log-delivery notification reaching `serve-sns` → the named log files read from S3
//! → classified and normalized by `ctlake-changes`' per-object ingest core → change events in Lake.
//!
//! Each object is read on a blocking thread and its changes are handed over through a small channel, so memory
//! stays flat however large the object. The delivery is done when every object was read to the end and every
//! change has a final outcome; otherwise SNS gets 503 and delivers the notification again. Digest and Insights
//! objects are skipped (`ctlake_changes::read::skip_reason`). Each delivery gets a fresh de-duplication window:
//! a notification that comes again after a failure is read again in full.

use std::path::Path;
use std::sync::Arc;

use ctlake::OutgoingEvent;
use ctlake_changes::classify::{Classifier, ClassifierConfig};
use ctlake_changes::normalize::{NormalizedChange, Normalizer};
use ctlake_changes::pipeline::Ingest;
use ctlake_changes::read::{AwsOptions, Flow, LogObject, ObjectRef, S3Reader, decode, skip_reason};
use tokio::sync::mpsc;

use super::publish::{About, Kind, Lake, Outgoing, Settled};
use crate::exit::{CliError, CliResult};

/// Changes queued between an object's reader thread and the publisher.
const CHANGES_IN_FLIGHT: usize = 256;

/// What reading one delivery's objects did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LogCounts {
    /// Objects read to the end.
    pub(crate) objects: u64,
    /// Objects skipped (digests, Insights).
    pub(crate) skipped_objects: u64,
    /// Records read.
    pub(crate) records: u64,
    /// Records kept as changes.
    pub(crate) changes: u64,
}

/// Reads notified log objects and publishes their changes.
#[derive(Debug)]
pub(crate) struct LogIntake {
    ingest: Ingest,
    reader: S3Reader,
    lake: Arc<Lake>,
}

impl LogIntake {
    /// A classifier from `rules` (TOML; the built-in rules without it), a normalizer for the channel owner and
    /// an S3 client.
    ///
    /// # Errors
    /// 252 when the rules file cannot be read or is invalid.
    pub(crate) async fn new(rules: Option<&Path>, aws: &AwsOptions, lake: Arc<Lake>) -> CliResult<Self> {
        let config = match rules {
            Some(path) => ClassifierConfig::from_toml_file(path)
                .map_err(|e| CliError::usage(format!("--rules: {e}")))?,
            None => ClassifierConfig::default(),
        };
        let classifier = Classifier::new(&config).map_err(|e| CliError::usage(format!("--rules: {e}")))?;
        let normalizer = Normalizer::new(lake.recipient().clone());
        Ok(Self {
            ingest: Ingest::new(classifier, normalizer),
            reader: S3Reader::connect(aws).await,
            lake,
        })
    }

    /// Reads `objects` (named by the SNS message `delivery`) and publishes their changes.
    ///
    /// # Errors
    /// 255 when the reject file cannot be written.
    pub(crate) async fn ingest(
        &self,
        delivery: &str,
        objects: Vec<LogObject>,
    ) -> CliResult<(Settled, LogCounts)> {
        let ingest = self.ingest.fresh();
        let mut counts = LogCounts::default();
        let mut read_all = true;
        let mut sent = Vec::new();
        for object in objects {
            let ObjectRef::S3 { bucket, key } = &object.id else {
                continue;
            };
            if let Some(reason) = skip_reason(key) {
                tracing::info!(object = %object.id, ?reason, "Log object skipped.");
                counts.skipped_objects += 1;
                continue;
            }
            let body = match self.reader.open(bucket, key).await {
                Ok(body) => body,
                Err(e) => {
                    tracing::warn!(object = %object.id, error = %super::error_chain(&e), "Cannot read a notified log object.");
                    read_all = false;
                    continue;
                }
            };
            let (tx, mut rx) = mpsc::channel::<NormalizedChange>(CHANGES_IN_FLIGHT);
            let ingest = ingest.clone();
            let name = object.id.clone();
            let reading = tokio::task::spawn_blocking(move || match decode(body) {
                Ok(reader) => Ok(ingest.process_object(&object, reader, |change, _index| {
                    match tx.blocking_send(change) {
                        Ok(()) => Flow::Continue,
                        Err(_) => Flow::Stop,
                    }
                })),
                Err(e) => Err(e),
            });
            while let Some(change) = rx.recv().await {
                let about = About {
                    id: change.audit_event.id().clone(),
                    json: change.audit_event.event_data().to_owned(),
                    kind: Kind::Change,
                    delivery: delivery.to_owned(),
                };
                sent.push(
                    self.lake
                        .send(Outgoing {
                            event: OutgoingEvent::from(change.audit_event),
                            about,
                        })
                        .await,
                );
            }
            match reading.await {
                Ok(Ok(report)) => {
                    counts.records += report.records as u64;
                    counts.changes += report.kept as u64;
                    for malformed in &report.malformed {
                        tracing::warn!(%malformed, "Malformed CloudTrail record skipped.");
                    }
                    if report.complete() {
                        counts.objects += 1;
                    } else {
                        if let Some(e) = &report.error {
                            tracing::warn!(object = %name, error = %super::error_chain(e), "Log object not read to the end.");
                        }
                        read_all = false;
                    }
                }
                Ok(Err(e)) => {
                    tracing::warn!(object = %name, error = %e, "Cannot decode a log object.");
                    read_all = false;
                }
                Err(e) => {
                    tracing::warn!(object = %name, error = %e, "Reading a log object failed.");
                    read_all = false;
                }
            }
        }
        let settled = self.lake.settle(sent).await?;
        let settled = if read_all {
            settled
        } else {
            settled.and(Settled::Again { refused: None })
        };
        Ok((settled, counts))
    }
}
