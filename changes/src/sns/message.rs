//! The SNS message model: the JSON document SNS posts to an HTTP(S) subscriber or puts into an SQS queue with
//! non-raw delivery (`change-detection.md` §5.2, §5.5).

use std::fmt;

use serde_json::{Map, Value};

use super::error::SnsParseError;

/// The three kinds of SNS message (`Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// A message published to the topic.
    Notification,
    /// Sent when a subscription is created: visit `SubscribeURL` to confirm it.
    SubscriptionConfirmation,
    /// Sent when a subscription is deleted.
    UnsubscribeConfirmation,
}

impl MessageType {
    /// The `Type` value SNS writes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Notification => "Notification",
            Self::SubscriptionConfirmation => "SubscriptionConfirmation",
            Self::UnsubscribeConfirmation => "UnsubscribeConfirmation",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "Notification" => Some(Self::Notification),
            "SubscriptionConfirmation" => Some(Self::SubscriptionConfirmation),
            "UnsubscribeConfirmation" => Some(Self::UnsubscribeConfirmation),
            _ => None,
        }
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One SNS message, with every field SNS signs and the fields needed to verify the signature.
///
/// Made by [`SnsMessage::parse`] from the HTTP or SQS body, or by [`parse_lambda_event`] from the records of a
/// Lambda SNS event (whose `SigningCertUrl` / `UnsubscribeUrl` spellings are accepted too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnsMessage {
    kind: MessageType,
    message_id: String,
    topic_arn: String,
    message: String,
    timestamp: String,
    subject: Option<String>,
    token: Option<String>,
    subscribe_url: Option<String>,
    unsubscribe_url: Option<String>,
    signature_version: Option<String>,
    signature: Option<String>,
    signing_cert_url: Option<String>,
    message_attributes: Option<Map<String, Value>>,
}

impl SnsMessage {
    /// Parses the JSON body of an SNS message.
    ///
    /// # Errors
    ///
    /// [`SnsParseError`] naming the field and the rule: not JSON, not an object, an unknown `Type`, a required field
    /// missing (`Type`, `MessageId`, `TopicArn`, `Message`, `Timestamp`; for confirmations also `Token` and
    /// `SubscribeURL`), or a field that is not a string.
    pub fn parse(body: &str) -> Result<Self, SnsParseError> {
        let value: Value = serde_json::from_str(body).map_err(|e| SnsParseError::NotJson {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        Self::from_value(&value)
    }

    /// Reads an SNS message from an already parsed JSON value.
    ///
    /// # Errors
    ///
    /// As [`SnsMessage::parse`].
    pub fn from_value(value: &Value) -> Result<Self, SnsParseError> {
        let map = value.as_object().ok_or(SnsParseError::NotAnObject)?;
        let kind_text = required(map, "Type")?;
        let kind = MessageType::parse(&kind_text).ok_or(SnsParseError::UnknownType(kind_text))?;
        let confirmation = kind != MessageType::Notification;
        let message_attributes = match map.get("MessageAttributes") {
            None | Some(Value::Null) => None,
            Some(Value::Object(attributes)) => Some(attributes.clone()),
            Some(_) => {
                return Err(SnsParseError::WrongType {
                    field: "MessageAttributes",
                    expected: "an object",
                });
            }
        };
        Ok(Self {
            kind,
            message_id: required(map, "MessageId")?,
            topic_arn: required(map, "TopicArn")?,
            message: required(map, "Message")?,
            timestamp: required(map, "Timestamp")?,
            subject: optional(map, &["Subject"])?,
            token: if confirmation {
                Some(required(map, "Token")?)
            } else {
                optional(map, &["Token"])?
            },
            subscribe_url: if confirmation {
                Some(required_any(map, &["SubscribeURL", "SubscribeUrl"])?)
            } else {
                optional(map, &["SubscribeURL", "SubscribeUrl"])?
            },
            unsubscribe_url: optional(map, &["UnsubscribeURL", "UnsubscribeUrl"])?,
            signature_version: optional(map, &["SignatureVersion"])?,
            signature: optional(map, &["Signature"])?,
            signing_cert_url: optional(map, &["SigningCertURL", "SigningCertUrl"])?,
            message_attributes,
        })
    }

    /// `Type`.
    pub fn kind(&self) -> MessageType {
        self.kind
    }

    /// `MessageId`: unique per published message; SNS re-delivers a message with the same id.
    pub fn message_id(&self) -> &str {
        &self.message_id
    }

    /// `TopicArn`.
    pub fn topic_arn(&self) -> &str {
        &self.topic_arn
    }

    /// `Message`: the published text (for a notification) or SNS's explanation (for a confirmation).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// `Timestamp`, as SNS wrote it (`2012-03-29T05:12:16.901Z`).
    pub fn timestamp(&self) -> &str {
        &self.timestamp
    }

    /// `Subject`, when the publisher set one.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// `Token` of a confirmation.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// `SubscribeURL` of a confirmation: a GET on it confirms the subscription.
    pub fn subscribe_url(&self) -> Option<&str> {
        self.subscribe_url.as_deref()
    }

    /// `UnsubscribeURL` of a notification.
    pub fn unsubscribe_url(&self) -> Option<&str> {
        self.unsubscribe_url.as_deref()
    }

    /// `SignatureVersion` (`"1"`: SHA1withRSA, `"2"`: SHA256withRSA).
    pub fn signature_version(&self) -> Option<&str> {
        self.signature_version.as_deref()
    }

    /// `Signature`, base64.
    pub fn signature(&self) -> Option<&str> {
        self.signature.as_deref()
    }

    /// `SigningCertURL`: where the certificate with the public key is.
    pub fn signing_cert_url(&self) -> Option<&str> {
        self.signing_cert_url.as_deref()
    }

    /// `MessageAttributes`, when the publisher set some (not signed).
    pub fn message_attributes(&self) -> Option<&Map<String, Value>> {
        self.message_attributes.as_ref()
    }

    /// The text SNS signs for this message (`change-detection.md` §5.6): `Name\nValue\n` for each signed field in
    /// byte order of the names, built from the parsed (unescaped) values.
    ///
    /// * Notification: `Message`, `MessageId`, `Subject` (only when present and not empty), `Timestamp`,
    ///   `TopicArn`, `Type`.
    /// * Confirmations: `Message`, `MessageId`, `SubscribeURL`, `Timestamp`, `Token`, `TopicArn`, `Type`.
    pub fn string_to_sign(&self) -> String {
        let mut out = String::with_capacity(self.message.len() + 256);
        let mut push = |name: &str, value: &str| {
            out.push_str(name);
            out.push('\n');
            out.push_str(value);
            out.push('\n');
        };
        push("Message", &self.message);
        push("MessageId", &self.message_id);
        match self.kind {
            MessageType::Notification => {
                if let Some(subject) = self.subject.as_deref().filter(|s| !s.is_empty()) {
                    push("Subject", subject);
                }
                push("Timestamp", &self.timestamp);
            }
            MessageType::SubscriptionConfirmation | MessageType::UnsubscribeConfirmation => {
                push("SubscribeURL", self.subscribe_url.as_deref().unwrap_or_default());
                push("Timestamp", &self.timestamp);
                push("Token", self.token.as_deref().unwrap_or_default());
            }
        }
        push("TopicArn", &self.topic_arn);
        push("Type", self.kind.as_str());
        out
    }
}

/// The SNS messages of a Lambda SNS event (`{"Records": [{"EventSource": "aws:sns", "Sns": {…}}]}`), in order.
///
/// # Errors
///
/// [`SnsParseError`]: the body is not JSON, has no `Records` array, a record has no `Sns` object, or an `Sns`
/// object is not a valid SNS message (the error names the record).
pub fn parse_lambda_event(body: &str) -> Result<Vec<SnsMessage>, SnsParseError> {
    let value: Value = serde_json::from_str(body).map_err(|e| SnsParseError::NotJson {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let records = value
        .get("Records")
        .and_then(Value::as_array)
        .ok_or(SnsParseError::MissingField { field: "Records" })?;
    records
        .iter()
        .enumerate()
        .map(|(index, record)| {
            let sns = record.get("Sns").ok_or(SnsParseError::MissingField {
                field: "Records[].Sns",
            })?;
            SnsMessage::from_value(sns).map_err(|source| SnsParseError::InRecord {
                index,
                source: Box::new(source),
            })
        })
        .collect()
}

fn string_field(map: &Map<String, Value>, field: &'static str) -> Result<Option<String>, SnsParseError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(SnsParseError::WrongType {
            field,
            expected: "a string",
        }),
    }
}

fn optional(map: &Map<String, Value>, names: &[&'static str]) -> Result<Option<String>, SnsParseError> {
    for &name in names {
        if let Some(value) = string_field(map, name)? {
            return Ok(Some(value));
        }
    }
    Ok(None)
}

fn required(map: &Map<String, Value>, field: &'static str) -> Result<String, SnsParseError> {
    string_field(map, field)?.ok_or(SnsParseError::MissingField { field })
}

fn required_any(map: &Map<String, Value>, names: &[&'static str]) -> Result<String, SnsParseError> {
    optional(map, names)?.ok_or(SnsParseError::MissingField { field: names[0] })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn notification() -> Value {
        json!({"Type":"Notification","MessageId":"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
               "TopicArn":"arn:aws:sns:us-west-2:123456789012:MyTopic","Subject":"My First Message",
               "Message":"Hello world!\n\"quoted\"","Timestamp":"2012-05-02T00:54:06.655Z",
               "SignatureVersion":"1","Signature":"EXAMPLEw6JRN...",
               "SigningCertURL":"https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
               "UnsubscribeURL":"https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x"})
    }

    #[test]
    fn notification_string_to_sign_uses_unescaped_values_in_order() {
        let m = SnsMessage::parse(&notification().to_string()).unwrap();
        assert_eq!(m.kind(), MessageType::Notification);
        assert_eq!(
            m.string_to_sign(),
            "Message\nHello world!\n\"quoted\"\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n\
             Subject\nMy First Message\nTimestamp\n2012-05-02T00:54:06.655Z\n\
             TopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\nType\nNotification\n"
        );
        assert_eq!(m.signature_version(), Some("1"));
        assert!(m.signing_cert_url().is_some_and(|u| u.ends_with(".pem")));
    }

    #[test]
    fn subject_is_signed_only_when_present() {
        let mut v = notification();
        v.as_object_mut().unwrap().remove("Subject");
        let m = SnsMessage::from_value(&v).unwrap();
        assert!(!m.string_to_sign().contains("Subject"));
        v["Subject"] = json!(null);
        assert!(
            !SnsMessage::from_value(&v)
                .unwrap()
                .string_to_sign()
                .contains("Subject")
        );
    }

    #[test]
    fn confirmation_string_to_sign() {
        let v = json!({"Type":"SubscriptionConfirmation","MessageId":"165545c9","Token":"2336412f37",
            "TopicArn":"arn:aws:sns:us-west-2:123456789012:MyTopic",
            "Message":"You have chosen to subscribe to the topic arn:aws:sns:us-west-2:123456789012:MyTopic.",
            "SubscribeURL":"https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=t&Token=2336412f37",
            "Timestamp":"2012-04-26T20:45:04.751Z","SignatureVersion":"1","Signature":"EXAMPLEpH+",
            "SigningCertURL":"https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem"});
        let m = SnsMessage::from_value(&v).unwrap();
        assert_eq!(
            m.string_to_sign(),
            "Message\nYou have chosen to subscribe to the topic arn:aws:sns:us-west-2:123456789012:MyTopic.\n\
             MessageId\n165545c9\n\
             SubscribeURL\nhttps://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=t&Token=2336412f37\n\
             Timestamp\n2012-04-26T20:45:04.751Z\nToken\n2336412f37\n\
             TopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\nType\nSubscriptionConfirmation\n"
        );
        let mut unsub = v.clone();
        unsub["Type"] = json!("UnsubscribeConfirmation");
        let m = SnsMessage::from_value(&unsub).unwrap();
        assert_eq!(m.kind(), MessageType::UnsubscribeConfirmation);
        assert!(m.string_to_sign().ends_with("Type\nUnsubscribeConfirmation\n"));
    }

    #[test]
    fn errors_name_the_field_and_rule() {
        let mut v = notification();
        v.as_object_mut().unwrap().remove("MessageId");
        assert_eq!(
            SnsMessage::from_value(&v).unwrap_err().to_string(),
            "SNS message: field `MessageId` is required"
        );
        let mut v = notification();
        v["Timestamp"] = json!(5);
        assert_eq!(
            SnsMessage::from_value(&v).unwrap_err().to_string(),
            "SNS message: field `Timestamp` must be a string"
        );
        let mut v = notification();
        v["Type"] = json!("Surprise");
        assert_eq!(
            SnsMessage::from_value(&v).unwrap_err().to_string(),
            "SNS message: unknown Type \"Surprise\" (expected Notification, SubscriptionConfirmation or UnsubscribeConfirmation)"
        );
        let confirm = json!({"Type":"SubscriptionConfirmation","MessageId":"m","TopicArn":"t","Message":"x",
                             "Timestamp":"2012-04-26T20:45:04.751Z","Token":"k"});
        assert_eq!(
            SnsMessage::from_value(&confirm).unwrap_err().to_string(),
            "SNS message: field `SubscribeURL` is required"
        );
        assert!(matches!(
            SnsMessage::parse("{"),
            Err(SnsParseError::NotJson { line: 1, .. })
        ));
        assert_eq!(SnsMessage::parse("[]").unwrap_err(), SnsParseError::NotAnObject);
    }

    #[test]
    fn lambda_records_accept_lambda_spellings() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/notifications");
        let body = std::fs::read_to_string(dir.join("aws-lambda-go__sns-event.json")).unwrap();
        let messages = parse_lambda_event(&body).unwrap();
        assert_eq!(messages.len(), 1);
        let m = &messages[0];
        assert_eq!(m.message(), "Hello from SNS!");
        assert_eq!(m.subject(), Some("TestInvoke"));
        assert_eq!(m.signing_cert_url(), Some("EXAMPLE"));
        assert_eq!(m.unsubscribe_url(), Some("EXAMPLE"));
        assert_eq!(m.message_attributes().map(Map::len), Some(2));
        let err = parse_lambda_event(r#"{"Records":[{"Sns":{"Type":"Notification"}}]}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "record 0: SNS message: field `MessageId` is required"
        );
    }
}
