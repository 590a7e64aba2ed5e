//! The fields of a CloudTrail record the classifier looks at, extracted once.

use serde_json::{Map, Value};

use super::decision::{ActorKind, SkipReason};

/// What the classifier needs from a record.
#[derive(Debug)]
pub(crate) struct Fields<'a> {
    pub(crate) event_name: &'a str,
    pub(crate) event_source: &'a str,
    pub(crate) event_type: Option<&'a str>,
    pub(crate) event_category: Option<&'a str>,
    pub(crate) read_only: Option<bool>,
    pub(crate) management_event: Option<bool>,
    pub(crate) failed: bool,
    pub(crate) actor: ActorKind,
}

/// Whether the record is a CloudTrail Insights event (no eventName / eventSource / userIdentity).
pub(crate) fn is_insight(record: &Map<String, Value>) -> bool {
    str_field(record, "eventType") == Some("AwsCloudTrailInsight")
        || str_field(record, "eventCategory") == Some("Insight")
}

/// Extracts the fields, or says why the record is malformed (§1.4 step 0).
pub(crate) fn fields(record: &Map<String, Value>) -> Result<Fields<'_>, SkipReason> {
    let required = |key: &str| match record.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.as_str()),
        Some(Value::String(_)) => Err(SkipReason::Malformed(format!("{key} is empty"))),
        Some(_) => Err(SkipReason::Malformed(format!("{key} is not a string"))),
        None => Err(SkipReason::Malformed(format!("no {key}"))),
    };
    let event_name = required("eventName")?;
    let event_source = required("eventSource")?;
    required("eventTime")?;
    required("eventID")?;
    let response_console_login = record
        .get("responseElements")
        .and_then(|r| r.get("ConsoleLogin"))
        .and_then(Value::as_str);
    Ok(Fields {
        event_name,
        event_source,
        event_type: str_field(record, "eventType"),
        event_category: str_field(record, "eventCategory"),
        read_only: flag(record.get("readOnly")),
        management_event: flag(record.get("managementEvent")),
        failed: present(record.get("errorCode"))
            || present(record.get("errorMessage"))
            || response_console_login == Some("Failure"),
        actor: actor(record),
    })
}

fn str_field<'a>(record: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    record.get(key).and_then(Value::as_str)
}

/// A boolean flag, also when written as a string (`"true"`), as some producers do.
fn flag(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Present = exists, not null, not an empty string.
fn present(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

/// §1.4 step 6: is the actor an AWS service or a machine identity?
fn actor(record: &Map<String, Value>) -> ActorKind {
    let Some(identity) = record.get("userIdentity").and_then(Value::as_object) else {
        return ActorKind::Service;
    };
    let identity_type = identity.get("type").and_then(Value::as_str);
    if matches!(identity_type, None | Some("AWSService")) || present(identity.get("invokedBy")) {
        return ActorKind::Service;
    }
    if identity_type == Some("AssumedRole") {
        let session = identity
            .get("arn")
            .and_then(Value::as_str)
            .and_then(|arn| arn.rsplit('/').next())
            .unwrap_or("");
        let issuer_arn = identity
            .get("sessionContext")
            .and_then(|c| c.get("sessionIssuer"))
            .and_then(|i| i.get("arn"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if session.starts_with("i-") || issuer_arn.contains(":role/aws-service-role/") {
            return ActorKind::Service;
        }
    }
    ActorKind::Human
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn actor_of(identity: Value) -> ActorKind {
        actor(json!({ "userIdentity": identity }).as_object().unwrap())
    }

    #[test]
    fn actors() {
        assert_eq!(
            actor_of(json!({"type": "IAMUser", "userName": "bob"})),
            ActorKind::Human
        );
        assert_eq!(actor_of(json!({"type": "Root"})), ActorKind::Human);
        assert_eq!(
            actor_of(json!({"type": "AWSService", "invokedBy": "config.amazonaws.com"})),
            ActorKind::Service
        );
        assert_eq!(
            actor_of(json!({"accountId": "1", "invokedBy": "ec2.amazonaws.com"})),
            ActorKind::Service
        );
        assert_eq!(
            actor_of(json!({"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/ssm-role/i-0abc"})),
            ActorKind::Service
        );
        assert_eq!(
            actor_of(
                json!({"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/AWSServiceRoleForRDS/x",
                            "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::1:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS"}}})
            ),
            ActorKind::Service
        );
        assert_eq!(
            actor_of(
                json!({"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/admin/alice@example.com"})
            ),
            ActorKind::Human
        );
        assert_eq!(actor(json!({}).as_object().unwrap()), ActorKind::Service);
    }

    #[test]
    fn malformed_records_say_what_is_missing() {
        let record = json!({"eventName": "A", "eventSource": "s", "eventTime": "t"});
        assert_eq!(
            fields(record.as_object().unwrap()).unwrap_err(),
            SkipReason::Malformed("no eventID".into())
        );
        let record = json!({"eventName": "", "eventSource": "s", "eventTime": "t", "eventID": "i"});
        assert_eq!(
            fields(record.as_object().unwrap()).unwrap_err(),
            SkipReason::Malformed("eventName is empty".into())
        );
        let record = json!({"eventName": "A", "eventSource": 5, "eventTime": "t", "eventID": "i"});
        assert_eq!(
            fields(record.as_object().unwrap()).unwrap_err(),
            SkipReason::Malformed("eventSource is not a string".into())
        );
    }

    #[test]
    fn failures_and_flags() {
        let base = |extra: Value| {
            let mut record = json!({"eventName": "A", "eventSource": "s", "eventTime": "t", "eventID": "i"});
            for (k, v) in extra.as_object().unwrap() {
                record[k] = v.clone();
            }
            record
        };
        let failed = |extra| fields(base(extra).as_object().unwrap()).unwrap().failed;
        assert!(failed(json!({"errorCode": "AccessDenied"})));
        assert!(failed(json!({"errorMessage": "Failed authentication"})));
        assert!(failed(json!({"responseElements": {"ConsoleLogin": "Failure"}})));
        assert!(!failed(json!({"errorCode": null, "errorMessage": ""})));
        assert!(!failed(json!({"responseElements": {"ConsoleLogin": "Success"}})));
        let record = base(json!({"readOnly": "false", "managementEvent": true}));
        let f = fields(record.as_object().unwrap()).unwrap();
        assert_eq!((f.read_only, f.management_event), (Some(false), Some(true)));
    }
}
