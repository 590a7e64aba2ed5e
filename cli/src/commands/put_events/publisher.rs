//! The [`Sink`] of put-events over the SDK [`Publisher`]: batching (100 events, 1 MB by exact size, unique
//! ids), the 100 calls/s quota, and **every retry** — whole requests after 5xx, throttling, timeouts and lost
//! connections, and the `Throttling`/`InternalFailure` entries merged into later batches — are the
//! publisher's. This adapter only turns each event's [`Delivery`] into a put-events receipt:
//!
//! | delivery | receipt |
//! |---|---|
//! | accepted | accepted, with its resend count |
//! | rejected for this entry (a per-entry code) | rejected: the reject file gets the record |
//! | abandoned after its own per-entry retries | rejected with the last per-entry code (e.g. `Throttling`) |
//! | rejected for the whole request (`ChannelInsufficientPermission`, a bad signature, a paused channel) | none: the run stops (exit 254) and `--resume` sends the record again |
//! | abandoned after whole-request retries (Lake unreachable, 5xx) | none: the run stops (exit 254 or 255) |
//! | cancelled or abandoned at a stop | none: the record stays unsettled for `--resume` |

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ctlake::{AbandonReason, Delivery, Destination, LakeSink, Outcome, Publisher};
use futures::StreamExt as _;
use futures::stream::FuturesUnordered;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::sink::{Fatal, Fate, Receipt, Receipts, Sink, Submission};
use crate::exit::{CliError, CliResult};

/// Events held by the publisher at once (queued or in flight): with the reader's chunks, what bounds
/// put-events' memory whatever the file size.
const MAX_HELD: usize = 4096;
/// How long an interrupted run waits for the calls in flight, so what they stored is recorded.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// How long `finish` waits for the workers once everything has an outcome.
const SHUTDOWN: Duration = Duration::from_secs(10);

/// Publishes put-events' entries through the SDK publisher.
#[derive(Debug)]
pub(crate) struct PublisherSink {
    publisher: Publisher,
    destination: Destination,
    receipts: Option<mpsc::UnboundedSender<(u64, ctlake::Receipt)>>,
    forwarder: Option<JoinHandle<()>>,
    fatal: Arc<Mutex<Option<Fatal>>>,
}

impl PublisherSink {
    /// A sink publishing to `destination` through a publisher on `config`; answers go to `receipts`.
    ///
    /// # Errors
    /// When the publisher cannot be built (outside a runtime: a bug).
    pub(crate) fn new(
        config: &aws_config::SdkConfig,
        destination: Destination,
        receipts: Receipts,
    ) -> CliResult<Self> {
        let publisher = Publisher::builder()
            .sink(LakeSink::new(config))
            .max_queued(MAX_HELD)
            .queue_capacity(MAX_HELD)
            .build()
            .map_err(|e| CliError::other(format!("cannot start the publisher: {e}")))?;
        let fatal = Arc::new(Mutex::new(None));
        let (tx, rx) = mpsc::unbounded_channel();
        let forwarder = tokio::spawn(forward(rx, receipts, fatal.clone()));
        Ok(Self {
            publisher,
            destination,
            receipts: Some(tx),
            forwarder: Some(forwarder),
            fatal,
        })
    }

    fn fatal(&self) -> Option<Fatal> {
        self.fatal.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Waits until every delivery has been turned into a receipt.
    async fn drain(&mut self) {
        self.receipts = None;
        if let Some(forwarder) = self.forwarder.take() {
            let _ = forwarder.await;
        }
    }
}

impl Sink for PublisherSink {
    async fn submit(&mut self, submission: Submission) -> Result<(), Fatal> {
        if let Some(fatal) = self.fatal() {
            return Err(fatal);
        }
        let receipt = self
            .publisher
            .publish(&self.destination, submission.entry)
            .await
            .map_err(|e| Fatal {
                service: false,
                message: format!("the publisher stopped: {e}"),
            })?;
        if let Some(tx) = &self.receipts {
            let _ = tx.send((submission.index, receipt));
        }
        Ok(())
    }

    async fn finish(&mut self) -> Result<(), Fatal> {
        self.publisher.flush().await;
        self.publisher.shutdown(SHUTDOWN).await;
        self.drain().await;
        self.fatal().map_or(Ok(()), Err)
    }

    async fn abandon(&mut self) {
        self.publisher.stop(STOP_GRACE).await;
        self.drain().await;
    }
}

/// Turns deliveries into receipts as they come, in any order; notes the first run-stopping failure.
async fn forward(
    mut rx: mpsc::UnboundedReceiver<(u64, ctlake::Receipt)>,
    receipts: Receipts,
    fatal: Arc<Mutex<Option<Fatal>>>,
) {
    let mut waiting = FuturesUnordered::new();
    let mut open = true;
    loop {
        tokio::select! {
            next = rx.recv(), if open => match next {
                Some((index, receipt)) => waiting.push(async move { (index, receipt.delivery().await) }),
                None => open = false,
            },
            Some((index, delivery)) = waiting.next(), if !waiting.is_empty() => {
                match settle(index, delivery) {
                    Ok(Some(receipt)) => {
                        let _ = receipts.send(receipt);
                    }
                    Ok(None) => {}
                    Err(stop) => {
                        fatal.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(stop);
                    }
                }
            }
            else => break,
        }
    }
}

/// The receipt for one delivery: `Ok(None)` leaves the record unsettled (sent again by `--resume`), `Err`
/// also stops the run.
fn settle(index: u64, delivery: Delivery) -> Result<Option<Receipt>, Fatal> {
    let retries = delivery.resends;
    let receipt = |fate| Ok(Some(Receipt { index, fate, retries }));
    match delivery.outcome {
        Outcome::Accepted { event_id } => receipt(Fate::Accepted { event_id }),
        Outcome::Rejected { code, message, .. } if !delivery.decided_for_request => {
            receipt(Fate::Rejected { code, message })
        }
        Outcome::Rejected { code, message, .. } => Err(Fatal {
            service: true,
            message: format!("PutAuditEvents failed: {code}: {message}{}", hint(&code)),
        }),
        Outcome::Abandoned {
            reason: AbandonReason::RetriesExhausted { last_error, .. },
        } if !delivery.decided_for_request => {
            let (code, message) = last_error
                .split_once(": ")
                .map_or((last_error.as_str(), ""), |(c, m)| (c, m));
            receipt(Fate::Rejected {
                code: code.to_owned(),
                message: format!("still failing after {retries} resends: {message}"),
            })
        }
        Outcome::Abandoned {
            reason: AbandonReason::RetriesExhausted { attempts, last_error },
        } => {
            let code = last_error.split_once(':').map_or(last_error.as_str(), |(c, _)| c);
            Err(Fatal {
                service: !matches!(code, "RequestNotSent" | "OutcomeUnknown" | "Timeout"),
                message: format!("PutAuditEvents failed after {attempts} attempts: {last_error}"),
            })
        }
        // Cancelled by an interruption or a stop after a failure, or cut off at shutdown: unsettled.
        Outcome::Abandoned { .. } => Ok(None),
        _ => Ok(None),
    }
}

/// What to check after a whole-request failure.
fn hint(code: &str) -> &'static str {
    match code {
        "ChannelInsufficientPermission" => {
            ": the caller may not publish to this channel. The channel policy must allow the caller's account, \
             and --external-id must match the policy's cloudtrail:ExternalId"
        }
        "ChannelNotFound" => ": check --channel-arn and --region",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Delivery` is non-exhaustive outside the SDK: take a real one and change its fields.
    fn delivery(outcome: Outcome, resends: u32, whole: bool) -> Delivery {
        let mut d = sample();
        d.outcome = outcome;
        d.resends = resends;
        d.decided_for_request = whole;
        d
    }

    /// A real `Delivery` from the SDK (a locally rejected event), to modify.
    fn sample() -> Delivery {
        let dir = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let publisher = Publisher::builder()
                .sink(ctlake::FileSink::create(dir.path().join("dry-run.ndjson")).unwrap())
                .build()
                .unwrap();
            let dest = Destination::new(
                "arn:aws:cloudtrail:us-east-1:123456789012:channel/abc"
                    .parse()
                    .unwrap(),
            );
            let entry = ctlake::AuditEvent::from_json(
                "x".parse().unwrap(),
                r#"{"recipientAccountId":"999999999999"}"#,
            );
            publisher.publish(&dest, entry).await.unwrap().delivery().await
        })
    }

    #[test]
    fn deliveries_become_receipts_or_stop_the_run() {
        let ok = settle(1, delivery(Outcome::Accepted { event_id: "E".into() }, 2, false));
        assert_eq!(
            ok,
            Ok(Some(Receipt {
                index: 1,
                fate: Fate::Accepted { event_id: "E".into() },
                retries: 2
            }))
        );
        let rejected = Outcome::Rejected {
            code: "InvalidData".into(),
            message: "m".into(),
            violations: None,
        };
        assert!(matches!(
            settle(2, delivery(rejected, 0, false)),
            Ok(Some(Receipt {
                fate: Fate::Rejected { .. },
                ..
            }))
        ));
        let stop = settle(
            3,
            delivery(
                Outcome::Rejected {
                    code: "ChannelInsufficientPermission".into(),
                    message: "no".into(),
                    violations: None,
                },
                0,
                true,
            ),
        )
        .unwrap_err();
        assert!(stop.service && stop.message.contains("--external-id"), "{stop}");
        let exhausted = |whole| {
            delivery(
                Outcome::Abandoned {
                    reason: AbandonReason::RetriesExhausted {
                        attempts: 10,
                        last_error: if whole {
                            "RequestNotSent: refused".into()
                        } else {
                            "Throttling: slow down".into()
                        },
                    },
                },
                9,
                whole,
            )
        };
        let Ok(Some(Receipt {
            fate: Fate::Rejected { code, .. },
            ..
        })) = settle(4, exhausted(false))
        else {
            panic!()
        };
        assert_eq!(code, "Throttling");
        assert!(!settle(5, exhausted(true)).unwrap_err().service);
        let cancelled = delivery(
            Outcome::Abandoned {
                reason: AbandonReason::Cancelled,
            },
            0,
            true,
        );
        assert_eq!(settle(6, cancelled), Ok(None));
    }
}
