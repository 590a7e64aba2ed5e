//! What an SQS message body says: which S3 objects to read (`change-detection.md` §5.1–5.3, §5.7).
//!
//! Understood, in this order:
//!
//! 1. An SNS envelope (`Type` + `TopicArn`, non-raw delivery): a `Notification`'s `Message` string is parsed and
//!    classified again; subscription confirmations are acknowledged without reading anything.
//! 2. An S3 test event (`"Event": "s3:TestEvent"`): acknowledged, nothing to read.
//! 3. An S3 event notification `{"Records": [{"eventSource": "aws:s3", …}]}` (direct, or SNS raw delivery): every
//!    `ObjectCreated:*` record names an object; keys are form-URL-decoded (`+` is a space, then `%XX`).
//! 4. Lambda-shaped SNS (`"EventSource": "aws:sns"`) and SQS (`"eventSource": "aws:sqs"`) records: each carried
//!    message is classified again.
//! 5. CloudTrail's own SNS log-delivery notification `{"s3Bucket": …, "s3ObjectKey": […]}` (keys are plain).
//! 6. A CloudTrail document itself (an EventBridge "AWS API Call via CloudTrail" event, `{"Records": [ CloudTrail
//!    records ]}`): the message body is read as the log object.

use serde_json::{Map, Value};

use super::keys::form_url_decode;
use super::{LogObject, ObjectRef};

/// How deep envelopes may nest (SNS inside Lambda-shaped SQS inside …) before a body is called unrecognized.
const MAX_NESTING: usize = 4;

/// The meaning of one SQS message body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notification {
    /// S3 objects to read.
    Objects(Vec<LogObject>),
    /// The body itself is a CloudTrail document: read it as the object.
    Inline,
    /// Nothing to read; the message can be deleted.
    Ignored(IgnoredReason),
    /// Not a notification this reader understands; the message is left on the queue.
    Unrecognized(String),
}

/// Why a message has nothing to read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IgnoredReason {
    /// The test event S3 sends when a notification is configured.
    S3TestEvent,
    /// An SNS `SubscriptionConfirmation` or `UnsubscribeConfirmation`; confirm it in SNS (visit `SubscribeURL`).
    SnsConfirmation {
        /// `SubscriptionConfirmation` or `UnsubscribeConfirmation`.
        kind: String,
        /// The `SubscribeURL`, when present.
        subscribe_url: Option<String>,
    },
    /// An S3 event notification about something other than a new object (e.g. `ObjectRemoved:Delete`).
    NoObjectCreated {
        /// The S3 event names seen.
        events: Vec<String>,
    },
}

/// Classifies an SQS message body.
pub fn parse_notification(body: &str) -> Notification {
    match serde_json::from_str::<Value>(body) {
        Ok(value) => classify(&value, 0),
        Err(e) => Notification::Unrecognized(format!("body is not JSON: {e}")),
    }
}

fn classify(value: &Value, depth: usize) -> Notification {
    if depth > MAX_NESTING {
        return Notification::Unrecognized("envelopes nested too deep".into());
    }
    let Some(map) = value.as_object() else {
        return Notification::Unrecognized("body is not a JSON object".into());
    };
    if map.contains_key("TopicArn") && map.contains_key("Type") {
        return sns_envelope(map, depth);
    }
    if map.get("Event").and_then(Value::as_str) == Some("s3:TestEvent") {
        return Notification::Ignored(IgnoredReason::S3TestEvent);
    }
    if let Some(records) = map.get("Records").and_then(Value::as_array) {
        let first = records.first();
        let source = |key: &str| first.and_then(|r| r.get(key)).and_then(Value::as_str);
        if source("eventSource") == Some("aws:s3") {
            return s3_event(records);
        }
        if source("EventSource") == Some("aws:sns") {
            return nested(records, "Sns", depth);
        }
        if source("eventSource") == Some("aws:sqs") {
            return nested(records, "body", depth);
        }
        if first.is_some_and(|r| r.get("eventID").is_some() || r.get("eventVersion").is_some()) {
            return Notification::Inline;
        }
        return Notification::Unrecognized("Records of an unknown kind".into());
    }
    if map.contains_key("s3Bucket") {
        return cloudtrail_delivery(map);
    }
    if map.get("detail-type").and_then(Value::as_str) == Some("AWS API Call via CloudTrail") {
        return Notification::Inline;
    }
    let keys: Vec<&str> = map.keys().map(String::as_str).take(6).collect();
    Notification::Unrecognized(format!("unknown message, keys: {}", keys.join(", ")))
}

/// SNS envelope (`change-detection.md` §5.2, §5.5).
fn sns_envelope(map: &Map<String, Value>, depth: usize) -> Notification {
    match map.get("Type").and_then(Value::as_str) {
        Some("Notification") => match map.get("Message").and_then(Value::as_str) {
            Some(message) => match serde_json::from_str::<Value>(message) {
                Ok(inner) => classify(&inner, depth + 1),
                Err(_) => Notification::Unrecognized("SNS Message is not JSON".into()),
            },
            None => Notification::Unrecognized("SNS Notification without a Message string".into()),
        },
        Some(kind @ ("SubscriptionConfirmation" | "UnsubscribeConfirmation")) => {
            Notification::Ignored(IgnoredReason::SnsConfirmation {
                kind: kind.to_owned(),
                subscribe_url: map.get("SubscribeURL").and_then(Value::as_str).map(str::to_owned),
            })
        }
        other => Notification::Unrecognized(format!("SNS message of type {other:?}")),
    }
}

/// S3 event notification records (`change-detection.md` §5.1).
fn s3_event(records: &[Value]) -> Notification {
    let mut objects = Vec::new();
    let mut other_events = Vec::new();
    for record in records {
        let event_version = record.get("eventVersion").and_then(Value::as_str).unwrap_or("");
        if event_version.split('.').next() != Some("2") {
            return Notification::Unrecognized(format!(
                "S3 event notification version {event_version:?} (expected 2.x)"
            ));
        }
        let event_name = record.get("eventName").and_then(Value::as_str).unwrap_or("");
        if !event_name.starts_with("ObjectCreated:") {
            other_events.push(event_name.to_owned());
            continue;
        }
        let s3 = record.get("s3");
        let bucket = s3.and_then(|s| s.pointer("/bucket/name")).and_then(Value::as_str);
        let object = s3.and_then(|s| s.get("object"));
        let key = object.and_then(|o| o.get("key")).and_then(Value::as_str);
        let (Some(bucket), Some(key)) = (bucket, key) else {
            return Notification::Unrecognized("S3 ObjectCreated record without bucket name or key".into());
        };
        objects.push(LogObject {
            id: ObjectRef::s3(bucket, form_url_decode(key)),
            size: object.and_then(|o| o.get("size")).and_then(Value::as_u64),
            version: object
                .and_then(|o| o.get("eTag"))
                .and_then(Value::as_str)
                .map(|etag| etag.trim_matches('"').to_owned()),
        });
    }
    if objects.is_empty() {
        Notification::Ignored(IgnoredReason::NoObjectCreated { events: other_events })
    } else {
        Notification::Objects(objects)
    }
}

/// CloudTrail's SNS log-delivery notification (`change-detection.md` §5.3); keys are not encoded.
fn cloudtrail_delivery(map: &Map<String, Value>) -> Notification {
    let bucket = map.get("s3Bucket").and_then(Value::as_str);
    let keys: Option<Vec<&str>> = match map.get("s3ObjectKey") {
        Some(Value::Array(keys)) => keys.iter().map(Value::as_str).collect(),
        Some(Value::String(key)) => Some(vec![key.as_str()]),
        _ => None,
    };
    match (bucket, keys) {
        (Some(bucket), Some(keys)) if !keys.is_empty() => Notification::Objects(
            keys.into_iter()
                .map(|key| LogObject::new(ObjectRef::s3(bucket, key)))
                .collect(),
        ),
        _ => Notification::Unrecognized("s3Bucket without a list of s3ObjectKey strings".into()),
    }
}

/// Lambda-shaped SNS / SQS records: classify each carried message and merge.
fn nested(records: &[Value], field: &str, depth: usize) -> Notification {
    let mut objects = Vec::new();
    let mut ignored = None;
    for record in records {
        let inner = match record.get(field) {
            Some(Value::String(body)) => match serde_json::from_str::<Value>(body) {
                Ok(value) => classify(&value, depth + 1),
                Err(_) => Notification::Unrecognized(format!("{field} is not JSON")),
            },
            // Lambda's SNS record carries `SigningCertUrl`/`UnsubscribeUrl` spellings; they are not used here.
            Some(value @ Value::Object(_)) => classify(value, depth + 1),
            _ => Notification::Unrecognized(format!("record without {field}")),
        };
        match inner {
            Notification::Objects(found) => objects.extend(found),
            Notification::Ignored(reason) => ignored = Some(reason),
            other @ (Notification::Inline | Notification::Unrecognized(_)) => {
                return match other {
                    Notification::Inline => Notification::Unrecognized(format!(
                        "inline CloudTrail records inside a Lambda {field}"
                    )),
                    unrecognized => unrecognized,
                };
            }
        }
    }
    match (objects.is_empty(), ignored) {
        (false, _) => Notification::Objects(objects),
        (true, Some(reason)) => Notification::Ignored(reason),
        (true, None) => Notification::Unrecognized("no records".into()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn s3_body(key: &str, event: &str) -> String {
        json!({"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-west-2",
            "eventTime":"1970-01-01T00:00:00.000Z","eventName":event,
            "s3":{"s3SchemaVersion":"1.0","bucket":{"name":"logs","arn":"arn:aws:s3:::logs"},
                  "object":{"key":key,"size":1024,"eTag":"d41d8cd98f00b204e9800998ecf8427e"}}}]})
        .to_string()
    }

    fn sns(message: &str) -> String {
        json!({"Type":"Notification","MessageId":"63a3f6b6","TopicArn":"arn:aws:sns:us-west-2:123456789012:t",
               "Message":message,"Timestamp":"2012-03-29T05:12:16.901Z","SignatureVersion":"1","Signature":"x"})
        .to_string()
    }

    fn keys(n: &Notification) -> Vec<String> {
        match n {
            Notification::Objects(objects) => objects.iter().map(|o| o.id.to_string()).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn direct_s3_notification_decodes_keys() {
        let n = parse_notification(&s3_body(
            "AWSLogs/1/CloudTrail/a+b%2Bc.json.gz",
            "ObjectCreated:Put",
        ));
        assert_eq!(keys(&n), ["s3://logs/AWSLogs/1/CloudTrail/a b+c.json.gz"]);
        let Notification::Objects(objects) = n else {
            unreachable!()
        };
        assert_eq!(objects[0].size, Some(1024));
        assert_eq!(
            objects[0].version.as_deref(),
            Some("d41d8cd98f00b204e9800998ecf8427e")
        );
    }

    #[test]
    fn sns_wrapped_non_raw_and_cloudtrail_delivery() {
        let n = parse_notification(&sns(&s3_body(
            "k%20x.json.gz",
            "ObjectCreated:CompleteMultipartUpload",
        )));
        assert_eq!(keys(&n), ["s3://logs/k x.json.gz"]);
        let delivery = json!({"s3Bucket":"trail-bucket","s3ObjectKey":["AWSLogs/1/CloudTrail/a+b.json.gz","k2.json.gz"]});
        let n = parse_notification(&sns(&delivery.to_string()));
        // CloudTrail's keys are plain: `+` stays.
        assert_eq!(
            keys(&n),
            [
                "s3://trail-bucket/AWSLogs/1/CloudTrail/a+b.json.gz",
                "s3://trail-bucket/k2.json.gz"
            ]
        );
        // Raw delivery of CloudTrail's notification: the body is the message.
        let n = parse_notification(&delivery.to_string());
        assert_eq!(keys(&n).len(), 2);
    }

    #[test]
    fn test_events_confirmations_and_removals_are_ignored() {
        let test = r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2024-01-01T00:00:00.000Z","Bucket":"b","RequestId":"r","HostId":"h"}"#;
        assert_eq!(
            parse_notification(test),
            Notification::Ignored(IgnoredReason::S3TestEvent)
        );
        assert_eq!(
            parse_notification(&sns(test)),
            Notification::Ignored(IgnoredReason::S3TestEvent)
        );
        let confirm = json!({"Type":"SubscriptionConfirmation","MessageId":"m","Token":"t",
            "TopicArn":"arn:aws:sns:us-east-1:1:t","Message":"You have chosen to subscribe",
            "SubscribeURL":"https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription"});
        assert!(matches!(
            parse_notification(&confirm.to_string()),
            Notification::Ignored(IgnoredReason::SnsConfirmation {
                subscribe_url: Some(_),
                ..
            })
        ));
        assert_eq!(
            parse_notification(&s3_body("k.json.gz", "ObjectRemoved:Delete")),
            Notification::Ignored(IgnoredReason::NoObjectCreated {
                events: vec!["ObjectRemoved:Delete".into()]
            })
        );
    }

    #[test]
    fn lambda_go_fixtures() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/notifications");
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
        assert_eq!(
            keys(&parse_notification(&read("aws-lambda-go__s3-event.json"))),
            ["s3://sourcebucket/Happy Face.jpg"]
        );
        // "Hello from SNS!" and "Message Body" are not notifications.
        assert!(matches!(
            parse_notification(&read("aws-lambda-go__sns-event.json")),
            Notification::Unrecognized(_)
        ));
        assert!(matches!(
            parse_notification(&read("aws-lambda-go__sqs-event.json")),
            Notification::Unrecognized(_)
        ));
    }

    #[test]
    fn lambda_shaped_sns_carrying_an_s3_event() {
        let body = json!({"Records":[{"EventSource":"aws:sns","EventVersion":"1.0",
            "Sns":{"Type":"Notification","TopicArn":"arn:aws:sns:x","Message": s3_body("a.json.gz", "ObjectCreated:Put"),
                   "SigningCertUrl":"x","UnsubscribeUrl":"y"}}]});
        assert_eq!(
            keys(&parse_notification(&body.to_string())),
            ["s3://logs/a.json.gz"]
        );
    }

    #[test]
    fn inline_cloudtrail_documents() {
        let eventbridge = json!({"version":"0","detail-type":"AWS API Call via CloudTrail","source":"aws.ec2",
                                 "detail":{"eventID":"e","eventName":"RunInstances"}});
        assert_eq!(parse_notification(&eventbridge.to_string()), Notification::Inline);
        let log = json!({"Records":[{"eventVersion":"1.08","eventID":"e"}]});
        assert_eq!(parse_notification(&log.to_string()), Notification::Inline);
    }

    #[test]
    fn unrecognized_bodies_say_why() {
        for (body, why) in [
            ("not json", "body is not JSON"),
            ("[1]", "body is not a JSON object"),
            (r#"{"hello":"world"}"#, "unknown message, keys: hello"),
            (
                r#"{"s3Bucket":"b"}"#,
                "s3Bucket without a list of s3ObjectKey strings",
            ),
            (
                r#"{"s3Bucket":"b","s3ObjectKey":[]}"#,
                "s3Bucket without a list of s3ObjectKey strings",
            ),
            (&sns("plain text"), "SNS Message is not JSON"),
            (
                r#"{"Records":[{"eventVersion":"3.0","eventSource":"aws:s3"}]}"#,
                "S3 event notification version \"3.0\" (expected 2.x)",
            ),
            (
                r#"{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{}}]}"#,
                "S3 ObjectCreated record without bucket name or key",
            ),
        ] {
            match parse_notification(body) {
                Notification::Unrecognized(reason) => assert!(reason.starts_with(why), "{body}: {reason}"),
                other => panic!("{body}: {other:?}"),
            }
        }
    }
}
