//! [`Lake`]: publishes alarm and change events through the SDK's [`Publisher`] and decides, from each event's
//! final outcome, whether the delivery that carried it is [`Settled::Done`] (delete the SQS message, answer 200)
//! or must come again ([`Settled::Again`]: leave the message on the queue, answer 503).
//!
//! * Accepted: done.
//! * Rejected for a reason of the event itself ([`EVENT_FAULT_CODES`]: sending it again can never succeed):
//!   written to the reject file, done.
//! * Rejected for any other reason (the channel, the permissions, the account) or abandoned after the
//!   publisher's retries: again. A refusal is reported, so `ingest-alarms` can stop.
//!
//! An event whose `id` is already in flight (SNS delivers at least once, so the same message can arrive twice
//! at the same time) is not sent again: the second delivery waits for the first one's outcome. Two entries with
//! one `id` in a request would make Lake refuse the whole request (`DuplicatedAuditEventId`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use ctlake::publisher::VALIDATION_FAILED;
use ctlake::{AccountId, AuditEventId, ChannelArn, Destination, LakeSink, Outcome, OutgoingEvent, Publisher};
use futures::FutureExt as _;
use futures::future::{BoxFuture, Shared};

use super::args::LakeArgs;
use super::rejects::{RejectFile, Rejected};
use crate::aws::Aws;
use crate::exit::{CliError, CliResult};

/// Rejection codes that are the event's own fault: the event breaks a rule of Lake's schema or limits, so it
/// is final. `ValidationFailed` is the publisher's code for events refused before sending; the others are
/// PutAuditEvents' per-entry codes (`lake-api.md` §1.3, "Retry? no"). `AccountNotSubscribed` is left out: it
/// concerns the account, not the event.
pub(crate) const EVENT_FAULT_CODES: [&str; 7] = [
    VALIDATION_FAILED,
    "FieldTooLong",
    "FieldNotFound",
    "InvalidChecksum",
    "InvalidData",
    "InvalidRecipient",
    "InvalidEventSource",
];

/// How long a batch may wait for more events. Alarms come one or a few at a time: a short linger keeps a
/// message's round trip short.
const LINGER: Duration = Duration::from_millis(50);

/// What an event is, for the counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An alarm event (`alarm.triggered`, …); `repeat` for a repeated ALARM.
    Alarm {
        /// `eventName`.
        name: &'static str,
        /// A repeat of an open incident.
        repeat: bool,
    },
    /// A change event read from a CloudTrail log file.
    Change,
}

/// One event to publish.
#[derive(Debug)]
pub(crate) struct Outgoing {
    /// The event (its entry id is `about.id`).
    pub(crate) event: OutgoingEvent,
    /// What the counts and the reject file say about it.
    pub(crate) about: About,
}

/// An event's identity for the counts and the reject file.
#[derive(Debug, Clone)]
pub(crate) struct About {
    /// Its `PutAuditEvents` entry id.
    pub(crate) id: AuditEventId,
    /// Its `eventData` as JSON text.
    pub(crate) json: String,
    /// What it is.
    pub(crate) kind: Kind,
    /// The delivery it came in (SQS message id, SNS message id).
    pub(crate) delivery: String,
}

/// An event handed to the publisher (or refused before), waiting for its outcome.
pub(crate) struct Sent {
    outcome: Shared<BoxFuture<'static, Outcome>>,
    /// Whether this delivery sent it (and so counts it); `false` when it joined an event in flight.
    owner: bool,
    about: About,
}

impl std::fmt::Debug for Sent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sent")
            .field("about", &self.about)
            .field("owner", &self.owner)
            .finish_non_exhaustive()
    }
}

/// What becomes of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Settled {
    /// Every event has a final outcome: delete the message, answer 200.
    Done,
    /// Some event must be sent again later: keep the message, answer 503.
    Again {
        /// Lake refused the channel, the credentials or the account (`code: message`); no later message
        /// will fare better until that is fixed.
        refused: Option<String>,
    },
}

impl Settled {
    /// Both deliveries' verdicts in one: again wins, a refusal is kept.
    pub(crate) fn and(self, other: Self) -> Self {
        match (self, other) {
            (Self::Done, Self::Done) => Self::Done,
            (Self::Again { refused: Some(r) }, _) | (_, Self::Again { refused: Some(r) }) => {
                Self::Again { refused: Some(r) }
            }
            _ => Self::Again { refused: None },
        }
    }
}

/// The final outcomes counted so far (each event once, however many deliveries carried it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Accepted events by `eventName` (alarm events) or `change`.
    pub(crate) accepted: BTreeMap<String, u64>,
    /// Accepted `alarm.triggered` events that repeat an open incident.
    pub(crate) repeats: u64,
    /// Rejected for good, by code (these are in the reject file).
    pub(crate) rejected: BTreeMap<String, u64>,
    /// Refused by Lake for a reason that is not the event's (kept for a later try), by code.
    pub(crate) refused: BTreeMap<String, u64>,
    /// Abandoned after the publisher's retries (kept for a later try).
    pub(crate) abandoned: u64,
}

/// An outcome that is already known.
fn ready(outcome: Outcome) -> BoxFuture<'static, Outcome> {
    futures::future::ready(outcome).boxed()
}

/// The Lake side of an intake.
#[derive(Debug)]
pub(crate) struct Lake {
    publisher: Publisher,
    destination: Destination,
    recipient: AccountId,
    rejects: Mutex<Option<RejectFile>>,
    inflight: Mutex<HashMap<String, Shared<BoxFuture<'static, Outcome>>>>,
    tally: Mutex<Tally>,
}

impl Lake {
    /// Checks the flags and starts a publisher for the channel.
    ///
    /// # Errors
    /// 252 for a malformed channel ARN or external ID or an unusable reject file, 255 when no publisher can
    /// be started.
    pub(crate) fn start(aws: &Aws, args: &LakeArgs) -> CliResult<Self> {
        let channel: ChannelArn = args
            .channel_arn
            .parse()
            .map_err(|e| CliError::usage(format!("--channel-arn: {e}")))?;
        let external_id = match &args.external_id {
            Some(id) => Some(
                id.parse()
                    .map_err(|e| CliError::usage(format!("--external-id: {e}")))?,
            ),
            None => None,
        };
        let rejects = args.reject_file.as_deref().map(RejectFile::open).transpose()?;
        let recipient = channel.account_id().clone();
        let destination = Destination::builder()
            .name(channel.as_str())
            .channel_arn(channel)
            .set_external_id(external_id)
            .build()
            .map_err(|e| CliError::usage(format!("--channel-arn: {e}")))?;
        let publisher = Publisher::builder()
            .sink(LakeSink::new(aws.sdk_config()))
            .linger(LINGER)
            .build()
            .map_err(|e| CliError::other(format!("cannot start the publisher: {e}")))?;
        Ok(Self {
            publisher,
            destination,
            recipient,
            rejects: Mutex::new(rejects),
            inflight: Mutex::default(),
            tally: Mutex::default(),
        })
    }

    /// The channel owner: every event's `recipientAccountId`.
    pub(crate) fn recipient(&self) -> &AccountId {
        &self.recipient
    }

    /// The channel.
    pub(crate) fn channel_arn(&self) -> &str {
        self.destination.channel_arn().as_str()
    }

    /// Hands `event` to the publisher, or joins the same `id` already in flight.
    pub(crate) async fn send(&self, event: Outgoing) -> Sent {
        let Outgoing { event, about } = event;
        let key = about.id.as_str().to_owned();
        let joined = self
            .inflight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned();
        if let Some(outcome) = joined {
            return Sent {
                outcome,
                owner: false,
                about,
            };
        }
        let outcome = match self.publisher.publish(&self.destination, event).await {
            Ok(receipt) => receipt.boxed(),
            // Only after shutdown: the event was not sent, so its delivery is kept.
            Err(_closed) => ready(Outcome::Abandoned {
                reason: ctlake::AbandonReason::Closed,
            }),
        }
        .shared();
        self.inflight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, outcome.clone());
        Sent {
            outcome,
            owner: true,
            about,
        }
    }

    /// An event refused before it could be built (a value breaks a rule of Lake's schema).
    pub(crate) fn refuse_now(about: About, message: String) -> Sent {
        Sent {
            outcome: ready(Outcome::Rejected {
                code: VALIDATION_FAILED.to_owned(),
                message,
                violations: None,
            })
            .shared(),
            owner: true,
            about,
        }
    }

    /// Waits for the outcome of every event of one delivery, counts them, writes final rejections to the
    /// reject file, and says what becomes of the delivery.
    ///
    /// # Errors
    /// 255 when the reject file cannot be written (the delivery is then not done).
    pub(crate) async fn settle(&self, sent: Vec<Sent>) -> CliResult<Settled> {
        let outcomes = futures::future::join_all(sent.iter().map(|s| s.outcome.clone())).await;
        let mut settled = Settled::Done;
        for (s, outcome) in sent.iter().zip(outcomes) {
            if s.owner {
                self.inflight
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(s.about.id.as_str());
            }
            let verdict = match &outcome {
                Outcome::Accepted { .. } => Settled::Done,
                Outcome::Rejected { code, message, .. } if EVENT_FAULT_CODES.contains(&code.as_str()) => {
                    if s.owner {
                        self.write_reject(s, code, message)?;
                    }
                    Settled::Done
                }
                Outcome::Rejected { code, message, .. } => Settled::Again {
                    refused: Some(format!("{code}: {message}")),
                },
                // Abandoned after the retries (or a future kind of outcome): try again later.
                _ => Settled::Again { refused: None },
            };
            if s.owner {
                self.count(s, &outcome);
            }
            settled = settled.and(verdict);
        }
        Ok(settled)
    }

    fn write_reject(&self, s: &Sent, code: &str, message: &str) -> CliResult<()> {
        let mut rejects = self.rejects.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(file) = rejects.as_mut() else {
            tracing::warn!(
                id = s.about.id.as_str(),
                code,
                message,
                "Event rejected (no --reject-file)."
            );
            return Ok(());
        };
        file.write(&Rejected {
            delivery: &s.about.delivery,
            kind: match s.about.kind {
                Kind::Alarm { .. } => "alarm",
                Kind::Change => "change",
            },
            id: s.about.id.as_str(),
            code,
            message,
            event_data: &s.about.json,
            body: None,
        })
    }

    /// Writes a message that carries no event (unreadable, or not an alarm notification) to the reject file,
    /// with `code` and `reason`. Returns `false` when there is no reject file: the caller keeps the message.
    ///
    /// # Errors
    /// 255 when the reject file cannot be written (the caller then keeps the message).
    pub(crate) fn reject_message(
        &self,
        delivery: &str,
        code: &str,
        reason: &str,
        body: &str,
    ) -> CliResult<bool> {
        let mut rejects = self.rejects.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(file) = rejects.as_mut() else {
            return Ok(false);
        };
        file.write(&Rejected {
            delivery,
            kind: "message",
            id: delivery,
            code,
            message: reason,
            event_data: "",
            body: Some(body),
        })?;
        Ok(true)
    }

    fn count(&self, s: &Sent, outcome: &Outcome) {
        let mut tally = self.tally.lock().unwrap_or_else(PoisonError::into_inner);
        match outcome {
            Outcome::Accepted { .. } => {
                let name = match s.about.kind {
                    Kind::Alarm { name, repeat } => {
                        if repeat {
                            tally.repeats += 1;
                        }
                        name
                    }
                    Kind::Change => "change",
                };
                *tally.accepted.entry(name.to_owned()).or_default() += 1;
            }
            Outcome::Rejected { code, .. } if EVENT_FAULT_CODES.contains(&code.as_str()) => {
                *tally.rejected.entry(code.clone()).or_default() += 1;
            }
            Outcome::Rejected { code, .. } => *tally.refused.entry(code.clone()).or_default() += 1,
            _ => tally.abandoned += 1,
        }
    }

    /// The counts so far.
    pub(crate) fn tally(&self) -> Tally {
        self.tally.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Stops the publisher: what is queued is delivered within `timeout`, the rest abandoned (and its
    /// delivery kept for a later try).
    pub(crate) async fn shutdown(&self, timeout: Duration) {
        self.publisher.shutdown(timeout).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn again_wins_and_keeps_the_refusal() {
        let refused = || Settled::Again {
            refused: Some("ChannelNotFound: x".into()),
        };
        let again = || Settled::Again { refused: None };
        assert_eq!(Settled::Done.and(Settled::Done), Settled::Done);
        assert_eq!(Settled::Done.and(again()), again());
        assert_eq!(again().and(refused()), refused());
        assert_eq!(refused().and(Settled::Done), refused());
    }

    #[test]
    fn only_the_events_own_faults_are_final() {
        for code in ["ValidationFailed", "InvalidData", "FieldTooLong"] {
            assert!(EVENT_FAULT_CODES.contains(&code));
        }
        for code in ctlake::retry::classify::TENANT_FATAL_CODES.iter().chain(&[
            "AccountNotSubscribed",
            "AccessDeniedException",
            "DuplicatedAuditEventId",
        ]) {
            assert!(!EVENT_FAULT_CODES.contains(code), "{code}");
        }
    }
}
