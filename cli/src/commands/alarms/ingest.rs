//! `ctlake ingest-alarms sqs://…`: long-poll the queue, record each message's alarms, delete a message only once
//! its events have their final outcome and the state file is saved.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ctlake_changes::alarm::{AlarmMessage, read_alarm_messages};
use ctlake_changes::pipeline::Location;
use ctlake_changes::read::{MAX_MESSAGES_PER_RECEIVE, QueueMessage, SqsQueue};

use super::args::IngestAlarmsArgs;
use super::intake::{Alarm, AlarmIntake};
use super::publish::{Lake, Settled};
use super::rejects::{MALFORMED, NOT_AN_ALARM};
use super::summary::{Confirmation, IngestSummary, LeftMessage, RejectedMessage};
use crate::cli::OutputFormat;
use crate::commands::put_events::interrupt_signal;
use crate::context::Context;
use crate::exit::{CliError, CliResult, Outcome};

/// How long the publisher may take to deliver what is queued when the run stops.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// Consecutive ReceiveMessage failures before the run gives up.
const MAX_RECEIVE_FAILURES: u32 = 5;

/// The queue as given.
enum Queue {
    Url(String),
    Name(String),
}

/// What one received message holds.
enum Sorted {
    /// Alarms to record.
    Alarms(QueueMessage, Vec<Alarm>),
    /// Subscription confirmations: nothing to record, delete.
    Confirmations(QueueMessage, Vec<Confirmation>),
    /// Not an alarm notification ([`NOT_AN_ALARM`]) or a broken one ([`MALFORMED`]), with why: written to
    /// the reject file and deleted, or left on the queue when there is none.
    Other(QueueMessage, &'static str, String),
}

fn sort(message: QueueMessage) -> Sorted {
    let messages = match read_alarm_messages(&message.body, &message.message_id) {
        Ok(messages) => messages,
        Err(e) => {
            let reason = e.to_string();
            return Sorted::Other(message, MALFORMED, reason);
        }
    };
    let mut alarms = Vec::new();
    let mut confirmations = Vec::new();
    let mut others = Vec::new();
    for m in messages {
        match m {
            AlarmMessage::Alarm {
                message_id,
                notification,
            } => alarms.push(Alarm {
                message_id,
                notification,
            }),
            AlarmMessage::Confirmation {
                kind,
                topic_arn,
                subscribe_url,
            } => confirmations.push(Confirmation {
                kind: kind.to_string(),
                topic_arn,
                subscribe_url,
            }),
            AlarmMessage::NotAnAlarm { what } => others.push(what),
            other => others.push(format!("{other:?}")),
        }
    }
    if !others.is_empty() {
        Sorted::Other(
            message,
            NOT_AN_ALARM,
            format!("not an alarm notification: {}", others.join("; ")),
        )
    } else if alarms.is_empty() {
        Sorted::Confirmations(message, confirmations)
    } else {
        Sorted::Alarms(message, alarms)
    }
}

/// `ctlake ingest-alarms`.
pub(crate) async fn run(args: IngestAlarmsArgs, ctx: &Context) -> CliResult {
    if ctx.output == OutputFormat::Csv {
        return Err(CliError::usage(
            "--output csv applies to query results; ingest-alarms prints json, table or text",
        ));
    }
    let location: Location = args.queue.parse().map_err(|e| CliError::usage(format!("{e}")))?;
    let queue = match location {
        Location::SqsUrl(url) => Queue::Url(url),
        Location::SqsName(name) => Queue::Name(name),
        _ => {
            return Err(CliError::usage(format!(
                "{}: ingest-alarms reads an SQS queue: sqs://QUEUE-URL or sqs://NAME",
                args.queue
            )));
        }
    };
    let aws = ctx.aws().await?;
    let lake = Arc::new(Lake::start(&aws, &args.lake)?);
    let intake = AlarmIntake::open(&args.lake.state_file, Arc::clone(&lake))?;
    let options = super::aws_options(ctx);
    let queue = match queue {
        Queue::Url(url) => SqsQueue::connect(&options, &url).await,
        Queue::Name(name) => SqsQueue::connect_by_name(&options, &name)
            .await
            .map_err(|e| CliError::service(super::error_chain(&e)))?,
    };
    ctx.ui.note(format!(
        "Reading alarm notifications from {} into {}.",
        queue.url(),
        lake.channel_arn()
    ));

    let started = Instant::now();
    let mut summary = IngestSummary {
        queue: queue.url().to_owned(),
        channel_arn: lake.channel_arn().to_owned(),
        state_file: args.lake.state_file.display().to_string(),
        reject_file: args.lake.reject_file.as_ref().map(|p| p.display().to_string()),
        ..IngestSummary::default()
    };
    let interrupt = interrupt_signal();
    tokio::pin!(interrupt);
    let mut interrupted = false;
    let mut refused = None;
    let mut failure = None;
    let mut failures = 0;
    let wait = Duration::from_secs(args.wait_seconds);
    let visibility = Duration::from_secs(args.visibility_timeout);
    loop {
        let remaining = args
            .max_messages
            .map(|max| max.saturating_sub(summary.messages_received));
        if remaining == Some(0) {
            break;
        }
        let max = remaining.map_or(MAX_MESSAGES_PER_RECEIVE, |r| {
            i32::try_from(r).unwrap_or(i32::MAX).min(MAX_MESSAGES_PER_RECEIVE)
        });
        let received = tokio::select! {
            biased;
            () = &mut interrupt => {
                interrupted = true;
                break;
            }
            received = queue.receive(max, wait, Some(visibility)) => received,
        };
        let messages = match received {
            Ok(messages) => {
                failures = 0;
                messages
            }
            Err(e) => {
                failures += 1;
                if failures >= MAX_RECEIVE_FAILURES {
                    failure = Some(CliError::service(super::error_chain(&e)));
                    break;
                }
                ctx.ui.warn(super::error_chain(&e));
                tokio::time::sleep(Duration::from_millis(500 * u64::from(failures))).await;
                continue;
            }
        };
        if messages.is_empty() {
            if args.once {
                break;
            }
            continue;
        }
        summary.messages_received += messages.len() as u64;
        let batch = handle_batch(&intake, &lake, messages, &mut interrupt, &mut interrupted);
        let outcome = batch.await;
        let Batch {
            done,
            again,
            left,
            rejected,
            confirmations,
            refusal,
        } = match outcome {
            Ok(batch) => batch,
            Err(e) => {
                failure = Some(e);
                break;
            }
        };
        for message in &done {
            match queue.delete(&message.receipt_handle).await {
                Ok(()) => summary.messages_deleted += 1,
                Err(e) => {
                    ctx.ui.warn(format!(
                        "message {} stays on the queue: {}",
                        message.message_id,
                        super::error_chain(&e)
                    ));
                    summary.messages_left.push(LeftMessage {
                        message_id: message.message_id.clone(),
                        reason: "DeleteMessage failed; it will be received (and recorded as before) again"
                            .into(),
                    });
                }
            }
        }
        for c in &confirmations {
            ctx.ui.warn(format!(
                "SNS {} for {}: confirm the subscription by visiting {}",
                c.kind,
                c.topic_arn,
                c.subscribe_url.as_deref().unwrap_or("its SubscribeURL")
            ));
        }
        summary.confirmations.extend(confirmations);
        for r in &rejected {
            ctx.ui.warn(format!(
                "message {} written to the reject file ({}): {}",
                r.message_id, r.code, r.reason
            ));
        }
        summary.messages_rejected.extend(rejected);
        for (message, reason) in &left {
            ctx.ui.warn(format!(
                "message {} left on the queue: {reason}",
                message.message_id
            ));
        }
        summary
            .messages_left
            .extend(left.iter().map(|(m, reason)| LeftMessage {
                message_id: m.message_id.clone(),
                reason: reason.clone(),
            }));
        // Messages that must come again: at once when the run stops (a refusal, an interruption), after the
        // visibility timeout otherwise (a backoff for Lake's transient failures).
        let stopping = refusal.is_some() || interrupted;
        for (message, reason) in &again {
            if stopping
                && let Err(e) = queue
                    .extend_visibility(&message.receipt_handle, Duration::ZERO)
                    .await
            {
                ctx.ui.warn(super::error_chain(&e));
            }
            summary.messages_left.push(LeftMessage {
                message_id: message.message_id.clone(),
                reason: reason.clone(),
            });
        }
        if let Some(r) = refusal {
            refused = Some(r);
            break;
        }
        if interrupted {
            break;
        }
    }
    lake.shutdown(SHUTDOWN_TIMEOUT).await;
    summary.events = lake.tally().into();
    summary.elapsed_seconds = started.elapsed().as_secs_f64();
    crate::output::print(ctx.output, "ingest-alarms", &summary)?;
    if let Some(e) = failure {
        return Err(e);
    }
    if let Some(refusal) = refused {
        return Err(CliError::service(format!(
            "Lake refused the events: {refusal}; the messages stay on the queue: fix the channel, the credentials or \
             --external-id and run again"
        )));
    }
    if interrupted {
        return Err(CliError::interrupted(
            "interrupted; messages not recorded stay on the queue",
        ));
    }
    ctx.ui.note(format!(
        "{} messages, {} deleted, {} alarm events accepted, {} rejected",
        summary.messages_received, summary.messages_deleted, summary.events.accepted, summary.events.rejected
    ));
    Ok(
        if summary.events.rejected == 0
            && summary.messages_left.is_empty()
            && summary.messages_rejected.is_empty()
        {
            Outcome::Success
        } else {
            Outcome::Partial
        },
    )
}

/// What became of one receive's messages.
#[derive(Default)]
struct Batch {
    /// Delete these.
    done: Vec<QueueMessage>,
    /// Keep these for another try, with why.
    again: Vec<(QueueMessage, String)>,
    /// Not alarm notifications, and no reject file: left on the queue, with why.
    left: Vec<(QueueMessage, String)>,
    /// Not alarm notifications written to the reject file (their messages are in `done`).
    rejected: Vec<RejectedMessage>,
    /// Confirmations found (their messages are in `done`).
    confirmations: Vec<Confirmation>,
    /// Lake refused the channel, credentials or account.
    refusal: Option<String>,
}

/// Records one receive's alarms. On an interruption the publisher is shut down (so the wait ends within
/// [`SHUTDOWN_TIMEOUT`]) and what was not delivered is kept.
async fn handle_batch(
    intake: &AlarmIntake,
    lake: &Lake,
    messages: Vec<QueueMessage>,
    interrupt: &mut std::pin::Pin<&mut impl std::future::Future<Output = ()>>,
    interrupted: &mut bool,
) -> CliResult<Batch> {
    let mut batch = Batch::default();
    let mut with_alarms = Vec::new();
    for message in messages {
        match sort(message) {
            Sorted::Alarms(message, alarms) => with_alarms.push((message, alarms)),
            Sorted::Confirmations(message, confirmations) => {
                batch.confirmations.extend(confirmations);
                batch.done.push(message);
            }
            Sorted::Other(message, code, reason) => {
                if lake.reject_message(&message.message_id, code, &reason, &message.body)? {
                    batch.rejected.push(RejectedMessage {
                        message_id: message.message_id.clone(),
                        code: code.to_owned(),
                        reason,
                    });
                    batch.done.push(message);
                } else {
                    batch.left.push((message, reason));
                }
            }
        }
    }
    if with_alarms.is_empty() {
        return Ok(batch);
    }
    let deliveries = with_alarms
        .iter()
        .map(|(m, alarms)| (m.message_id.clone(), alarms.clone()))
        .collect();
    let recording = intake.record(deliveries);
    tokio::pin!(recording);
    let settled = tokio::select! {
        biased;
        settled = &mut recording => settled?,
        () = interrupt.as_mut(), if !*interrupted => {
            *interrupted = true;
            lake.shutdown(SHUTDOWN_TIMEOUT).await;
            recording.await?
        }
    };
    for ((message, _), settled) in with_alarms.into_iter().zip(settled) {
        match settled {
            Settled::Done => batch.done.push(message),
            Settled::Again { refused: Some(reason) } => {
                batch.refusal.get_or_insert_with(|| reason.clone());
                batch
                    .again
                    .push((message, format!("Lake refused its events: {reason}")));
            }
            Settled::Again { refused: None } => batch.again.push((
                message,
                "its events were not delivered (Lake unavailable or the run stopped); it comes back after the \
                 visibility timeout"
                    .into(),
            )),
        }
    }
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ctlake_changes::read::parse_notification;

    fn message(body: &str) -> QueueMessage {
        QueueMessage {
            message_id: "sqs-1".into(),
            receipt_handle: "rh".into(),
            body: body.into(),
            receive_count: Some(1),
            notification: parse_notification(body),
        }
    }

    const ALARM: &str = r#"{"AlarmName":"cpu-high","AWSAccountId":"123456789012","NewStateValue":"ALARM",
      "OldStateValue":"OK","NewStateReason":"Threshold Crossed","StateChangeTime":"2024-05-01T10:15:00.123+0000",
      "Region":"US East (N. Virginia)","AlarmArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu-high",
      "Trigger":{"MetricName":"CPUUtilization","Namespace":"AWS/EC2"}}"#;

    #[test]
    fn messages_are_sorted_by_what_they_hold() {
        // Raw delivery: the alarm is identified by the SQS message id.
        let Sorted::Alarms(_, alarms) = sort(message(ALARM)) else {
            panic!("an alarm")
        };
        assert_eq!(alarms[0].message_id, "sqs-1");
        // Non-raw delivery: by the SNS MessageId.
        let envelope = serde_json::json!({"Type":"Notification","MessageId":"sns-9","TopicArn":"arn:aws:sns:us-east-1:1:t",
            "Message":ALARM,"Timestamp":"2024-05-01T10:15:01.000Z"});
        let Sorted::Alarms(_, alarms) = sort(message(&envelope.to_string())) else {
            panic!("an alarm")
        };
        assert_eq!(alarms[0].message_id, "sns-9");
        let confirmation = serde_json::json!({"Type":"SubscriptionConfirmation","MessageId":"c","Token":"t",
            "TopicArn":"arn:aws:sns:us-east-1:1:t","Message":"confirm","SubscribeURL":"https://sns.us-east-1.amazonaws.com/?x",
            "Timestamp":"2024-05-01T10:15:01.000Z"});
        let Sorted::Confirmations(_, c) = sort(message(&confirmation.to_string())) else {
            panic!("a confirmation")
        };
        assert_eq!(
            c[0].subscribe_url.as_deref(),
            Some("https://sns.us-east-1.amazonaws.com/?x")
        );
        let Sorted::Other(_, code, why) = sort(message(r#"{"s3Bucket":"b","s3ObjectKey":["k"]}"#)) else {
            panic!("not an alarm")
        };
        assert!(why.contains("CloudTrail log-delivery"), "{why}");
        assert_eq!(code, NOT_AN_ALARM);
        let Sorted::Other(_, code, why) = sort(message("{not json")) else {
            panic!("broken")
        };
        assert!(why.contains("not JSON"), "{why}");
        assert_eq!(code, MALFORMED);
        let broken = ALARM.replace("\"ALARM\"", "\"ALARMING\"");
        let Sorted::Other(_, code, why) = sort(message(&broken)) else {
            panic!("broken")
        };
        assert!(why.contains("NewStateValue"), "{why}");
        assert_eq!(code, MALFORMED);
    }
}
