//! Reading alarm notifications out of delivered message bodies (SQS, HTTP, Lambda), `change-detection.md` §5.7.

use serde_json::Value;

use super::error::AlarmParseError;
use super::notification::AlarmNotification;
use crate::sns::{MessageType, SnsMessage, SnsParseError};

/// What one delivered message holds, for alarm intake.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AlarmMessage {
    /// An alarm state change, with the id of its delivery (the SNS `MessageId`; for raw delivery the id given
    /// by the caller, e.g. the SQS message id).
    Alarm {
        /// Delivery id.
        message_id: String,
        /// The notification.
        notification: Box<AlarmNotification>,
    },
    /// An SNS subscription or unsubscribe confirmation (a cross-account SQS subscription receives these): nothing
    /// to record; confirm the subscription in SNS.
    Confirmation {
        /// `SubscriptionConfirmation` or `UnsubscribeConfirmation`.
        kind: MessageType,
        /// The topic.
        topic_arn: String,
        /// `SubscribeURL`.
        subscribe_url: Option<String>,
    },
    /// Something else (a CloudTrail log-delivery notification, plain text, …).
    NotAnAlarm {
        /// What it is, in words.
        what: String,
    },
}

/// An alarm message that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IntakeError {
    /// The body is not JSON.
    #[error("message body is not JSON (line {line}, column {column})")]
    NotJson {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// A broken SNS envelope.
    #[error(transparent)]
    Sns(#[from] SnsParseError),
    /// A broken alarm notification.
    #[error(transparent)]
    Alarm(#[from] AlarmParseError),
}

/// Reads the alarm messages a body holds: an SNS envelope (non-raw delivery), a bare alarm notification (raw
/// delivery, identified by `raw_id`), or a Lambda SNS event (`Records[].Sns`, one message per record).
///
/// # Errors
///
/// [`IntakeError`] when the body is not JSON, or is an SNS envelope or alarm notification with a broken field.
pub fn read_alarm_messages(body: &str, raw_id: &str) -> Result<Vec<AlarmMessage>, IntakeError> {
    let value: Value = serde_json::from_str(body).map_err(|e| IntakeError::NotJson {
        line: e.line(),
        column: e.column(),
    })?;
    if let Some(records) = value.get("Records").and_then(Value::as_array)
        && records.iter().any(|r| r.get("Sns").is_some())
    {
        return records
            .iter()
            .map(|record| match record.get("Sns") {
                Some(sns) => from_sns(&SnsMessage::from_value(sns)?),
                None => Ok(AlarmMessage::NotAnAlarm {
                    what: "a Lambda record without Sns".into(),
                }),
            })
            .collect();
    }
    Ok(vec![from_value(&value, raw_id)?])
}

/// What a verified or trusted SNS message holds.
///
/// # Errors
///
/// [`IntakeError::Alarm`] for a `Message` that is an alarm notification with a broken field.
pub fn from_sns(message: &SnsMessage) -> Result<AlarmMessage, IntakeError> {
    match message.kind() {
        MessageType::Notification => match serde_json::from_str::<Value>(message.message()) {
            Ok(inner) if AlarmNotification::looks_like(&inner) => Ok(AlarmMessage::Alarm {
                message_id: message.message_id().to_owned(),
                notification: Box::new(AlarmNotification::from_value(&inner)?),
            }),
            Ok(inner) => Ok(AlarmMessage::NotAnAlarm {
                what: describe(&inner),
            }),
            Err(_) => Ok(AlarmMessage::NotAnAlarm {
                what: "an SNS notification with a plain-text message".into(),
            }),
        },
        kind => Ok(AlarmMessage::Confirmation {
            kind,
            topic_arn: message.topic_arn().to_owned(),
            subscribe_url: message.subscribe_url().map(str::to_owned),
        }),
    }
}

fn from_value(value: &Value, raw_id: &str) -> Result<AlarmMessage, IntakeError> {
    if value.get("Type").is_some() && value.get("TopicArn").is_some() {
        return from_sns(&SnsMessage::from_value(value)?);
    }
    if AlarmNotification::looks_like(value) {
        return Ok(AlarmMessage::Alarm {
            message_id: raw_id.to_owned(),
            notification: Box::new(AlarmNotification::from_value(value)?),
        });
    }
    Ok(AlarmMessage::NotAnAlarm {
        what: describe(value),
    })
}

fn describe(value: &Value) -> String {
    if value.get("s3Bucket").is_some() {
        return "a CloudTrail log-delivery notification".into();
    }
    if value.pointer("/Records/0/eventSource").and_then(Value::as_str) == Some("aws:s3") {
        return "an S3 event notification".into();
    }
    match value.as_object() {
        Some(map) => {
            let keys: Vec<&str> = map.keys().map(String::as_str).take(6).collect();
            format!("a JSON object with keys {}", keys.join(", "))
        }
        None => "JSON that is not an object".into(),
    }
}
