//! The results of `ingest-alarms` and `serve-sns`: what became of the messages, and of the events they carried.

use std::collections::BTreeMap;

use serde::Serialize;

use super::publish::Tally;
use crate::output::{Report, table};

/// The event counts both commands report.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Events {
    /// Events stored by Lake.
    pub(crate) accepted: u64,
    /// Accepted events by `eventName` (`alarm.triggered`, `alarm.resolved`, `alarm.insufficientData`) and
    /// `change` for change events.
    pub(crate) accepted_by_kind: BTreeMap<String, u64>,
    /// Accepted `alarm.triggered` events that repeat an open incident.
    pub(crate) repeats: u64,
    /// Events Lake refused for good (in the reject file).
    pub(crate) rejected: u64,
    /// Refused events by code.
    pub(crate) rejected_by_code: BTreeMap<String, u64>,
    /// Events Lake did not take for a reason that is not theirs (the channel, the permissions), or that the
    /// publisher gave up on: their messages are kept for a later try.
    pub(crate) not_delivered: u64,
    /// Of those, by code (`Abandoned` for the publisher giving up after its retries).
    pub(crate) not_delivered_by_code: BTreeMap<String, u64>,
}

impl From<Tally> for Events {
    fn from(t: Tally) -> Self {
        let mut not_delivered_by_code = t.refused;
        if t.abandoned > 0 {
            *not_delivered_by_code.entry("Abandoned".to_owned()).or_default() += t.abandoned;
        }
        Self {
            accepted: t.accepted.values().sum(),
            accepted_by_kind: t.accepted,
            repeats: t.repeats,
            rejected: t.rejected.values().sum(),
            rejected_by_code: t.rejected,
            not_delivered: not_delivered_by_code.values().sum(),
            not_delivered_by_code,
        }
    }
}

impl Events {
    fn rows(&self, rows: &mut Vec<(&'static str, String)>) {
        rows.push(("Events accepted", self.accepted.to_string()));
        for (kind, n) in &self.accepted_by_kind {
            rows.push(("  accepted", format!("{kind}: {n}")));
        }
        if self.repeats > 0 {
            rows.push(("  repeats", self.repeats.to_string()));
        }
        rows.push(("Events rejected", self.rejected.to_string()));
        for (code, n) in &self.rejected_by_code {
            rows.push(("  rejected", format!("{code}: {n}")));
        }
        if self.not_delivered > 0 {
            rows.push(("Not delivered", self.not_delivered.to_string()));
            for (code, n) in &self.not_delivered_by_code {
                rows.push(("  not delivered", format!("{code}: {n}")));
            }
        }
    }
}

/// A message left on the queue, and why.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LeftMessage {
    /// The SQS message id.
    pub(crate) message_id: String,
    /// Why it was not deleted.
    pub(crate) reason: String,
}

/// A message that carries no event, written to the reject file and deleted.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RejectedMessage {
    /// The SQS message id.
    pub(crate) message_id: String,
    /// `MalformedMessage` or `NotAnAlarm`.
    pub(crate) code: String,
    /// Why.
    pub(crate) reason: String,
}

/// An SNS subscription confirmation found in the queue.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Confirmation {
    /// `SubscriptionConfirmation` or `UnsubscribeConfirmation`.
    pub(crate) kind: String,
    /// The topic.
    pub(crate) topic_arn: String,
    /// Visit it to confirm the subscription.
    pub(crate) subscribe_url: Option<String>,
}

/// The result of `ingest-alarms`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IngestSummary {
    /// The queue URL.
    pub(crate) queue: String,
    /// The channel.
    pub(crate) channel_arn: String,
    /// Messages received (a message received twice counts twice).
    pub(crate) messages_received: u64,
    /// Messages deleted: every event they carried has a final outcome.
    pub(crate) messages_deleted: u64,
    /// Messages left on the queue, with the reason.
    pub(crate) messages_left: Vec<LeftMessage>,
    /// Messages that carry no event (unreadable, or not alarm notifications), written to the reject file and
    /// deleted.
    pub(crate) messages_rejected: Vec<RejectedMessage>,
    /// Subscription confirmations (deleted).
    pub(crate) confirmations: Vec<Confirmation>,
    /// The alarm events.
    pub(crate) events: Events,
    /// The state file.
    pub(crate) state_file: String,
    /// The reject file, if any.
    pub(crate) reject_file: Option<String>,
    /// Seconds the run took.
    pub(crate) elapsed_seconds: f64,
}

impl Report for IngestSummary {
    fn table(&self) -> String {
        let mut rows = vec![
            ("Queue", self.queue.clone()),
            ("Channel", self.channel_arn.clone()),
            ("Messages received", self.messages_received.to_string()),
            ("Messages deleted", self.messages_deleted.to_string()),
            ("Messages left", self.messages_left.len().to_string()),
        ];
        for left in &self.messages_left {
            rows.push(("  left", format!("{}: {}", left.message_id, left.reason)));
        }
        if !self.messages_rejected.is_empty() {
            rows.push(("Messages rejected", self.messages_rejected.len().to_string()));
        }
        for r in &self.messages_rejected {
            rows.push((
                "  rejected",
                format!("{} ({}): {}", r.message_id, r.code, r.reason),
            ));
        }
        for c in &self.confirmations {
            rows.push((
                "Confirmation",
                format!(
                    "{} {} {}",
                    c.kind,
                    c.topic_arn,
                    c.subscribe_url.as_deref().unwrap_or("")
                ),
            ));
        }
        self.events.rows(&mut rows);
        rows.push(("State file", self.state_file.clone()));
        if let Some(f) = &self.reject_file {
            rows.push(("Reject file", f.clone()));
        }
        rows.push(("Seconds", format!("{:.1}", self.elapsed_seconds)));
        table::key_values(rows).to_string()
    }

    /// `received deleted left accepted rejected`.
    fn text(&self) -> Vec<String> {
        vec![
            self.messages_received.to_string(),
            self.messages_deleted.to_string(),
            self.messages_left.len().to_string(),
            self.events.accepted.to_string(),
            self.events.rejected.to_string(),
        ]
    }
}

/// The result of `serve-sns`, printed when it stops.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ServeSummary {
    /// The URL it listened on.
    pub(crate) url: String,
    /// The channel.
    pub(crate) channel_arn: String,
    /// POST requests received.
    pub(crate) requests: u64,
    /// Answered 200.
    pub(crate) answered_ok: u64,
    /// Refused (400 malformed, 403 unknown topic or bad signature).
    pub(crate) refused: u64,
    /// Answered 503: not every event could be delivered (SNS delivers the message again).
    pub(crate) retry_later: u64,
    /// Topics whose subscription was confirmed.
    pub(crate) subscriptions_confirmed: Vec<String>,
    /// Alarm notifications received.
    pub(crate) alarm_notifications: u64,
    /// Verified notifications that were neither alarms nor log deliveries (answered 400, written to the
    /// reject file when there is one).
    pub(crate) messages_rejected: u64,
    /// CloudTrail log-delivery notifications received.
    pub(crate) log_notifications: u64,
    /// Log objects read to the end.
    pub(crate) log_objects: u64,
    /// CloudTrail records read from them.
    pub(crate) log_records: u64,
    /// The events.
    pub(crate) events: Events,
    /// Seconds it ran.
    pub(crate) elapsed_seconds: f64,
}

impl Report for ServeSummary {
    fn table(&self) -> String {
        let mut rows = vec![
            ("URL", self.url.clone()),
            ("Channel", self.channel_arn.clone()),
            ("Requests", self.requests.to_string()),
            ("  200", self.answered_ok.to_string()),
            ("  400/403", self.refused.to_string()),
            ("  503", self.retry_later.to_string()),
        ];
        for topic in &self.subscriptions_confirmed {
            rows.push(("Confirmed", topic.clone()));
        }
        rows.push(("Alarm notifications", self.alarm_notifications.to_string()));
        rows.push(("Log notifications", self.log_notifications.to_string()));
        rows.push(("Not understood", self.messages_rejected.to_string()));
        rows.push(("Log objects read", self.log_objects.to_string()));
        rows.push(("Log records read", self.log_records.to_string()));
        self.events.rows(&mut rows);
        rows.push(("Seconds", format!("{:.1}", self.elapsed_seconds)));
        table::key_values(rows).to_string()
    }

    /// `requests accepted rejected`.
    fn text(&self) -> Vec<String> {
        vec![
            self.requests.to_string(),
            self.events.accepted.to_string(),
            self.events.rejected.to_string(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_sum_the_tally() {
        let tally = Tally {
            accepted: BTreeMap::from([("alarm.triggered".into(), 2), ("alarm.resolved".into(), 1)]),
            repeats: 1,
            rejected: BTreeMap::from([("InvalidData".into(), 1)]),
            refused: BTreeMap::from([("ChannelInsufficientPermission".into(), 2)]),
            abandoned: 1,
        };
        let events = Events::from(tally);
        assert_eq!(events.accepted, 3);
        assert_eq!(events.rejected, 1);
        assert_eq!(events.not_delivered, 3);
        assert_eq!(events.not_delivered_by_code["Abandoned"], 1);
    }
}
