//! The change tags in `additionalEventData`: BigPanda's tag model (`change-detection.md` §1.1) plus ctlake's.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value};

use super::identity::{Actor, partition_of_region};

/// Tags that are never dropped to fit the 28 kB cap (they identify the change and its actor).
pub(crate) const PROTECTED_TAGS: &[&str] = &[
    "identifier",
    "summary",
    "ticket_url",
    "start",
    "end",
    "user_name",
    "user_type",
    "user_arn",
    "event_source",
    "aws_region",
    "account",
    "matched_rules",
    "actor_kind",
    "event_type",
    "request_id",
    "source_ip_address",
];

/// Characters escaped in the console URL fragment: everything but unreserved characters.
const FRAGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The CloudTrail console's event-detail page for an event (`change-detection.md` §1.1; the console host depends
/// on the partition: `console.amazonaws.cn` for `aws-cn`, `console.amazonaws-us-gov.com` for `aws-us-gov`).
pub fn ticket_url(region: &str, event_id: &str) -> String {
    let id = utf8_percent_encode(event_id, FRAGMENT);
    let region_q = utf8_percent_encode(region, FRAGMENT);
    match partition_of_region(region) {
        "aws-cn" => {
            format!("https://{region_q}.console.amazonaws.cn/cloudtrail/home?region={region_q}#/events/{id}")
        }
        "aws-us-gov" => {
            format!("https://console.amazonaws-us-gov.com/cloudtrail/home?region={region_q}#/events/{id}")
        }
        _ => format!(
            "https://{region_q}.console.aws.amazon.com/cloudtrail/home?region={region_q}#/events/{id}"
        ),
    }
}

/// Inputs of the tags besides the record.
pub(crate) struct TagInputs<'a> {
    pub(crate) actor: &'a Actor,
    pub(crate) rules: &'a [std::sync::Arc<str>],
    pub(crate) actor_kind: &'a str,
    /// The original `sourceIPAddress` when it is not an IP address (an AWS service name).
    pub(crate) non_ip_source: Option<&'a str>,
}

/// Builds the tags of one record (before the size cap).
pub(crate) fn tags(record: &Map<String, Value>, inputs: &TagInputs<'_>) -> Map<String, Value> {
    let s = |key: &str| record.get(key).and_then(Value::as_str);
    let mut tags = Map::new();
    let mut put = |key: &str, value: Option<&str>| {
        if let Some(value) = value {
            tags.insert(key.to_owned(), Value::String(value.to_owned()));
        }
    };
    let event_id = s("eventID");
    let event_time = s("eventTime");
    let region = s("awsRegion");
    put("identifier", event_id);
    put("summary", s("eventName"));
    put("start", event_time);
    put("end", event_time);
    if let (Some(region), Some(event_id)) = (region, event_id) {
        put("ticket_url", Some(&ticket_url(region, event_id)));
    }
    put("user_name", inputs.actor.user_name.as_deref());
    put("user_type", Some(&inputs.actor.user_type));
    put("user_arn", inputs.actor.user_arn.as_deref());
    put("event_source", s("eventSource"));
    put("aws_region", region);
    put(
        "account",
        s("recipientAccountId").or(inputs.actor.account.as_deref()),
    );
    put("event_type", s("eventType"));
    put("request_id", s("requestID"));
    put("actor_kind", Some(inputs.actor_kind));
    put("source_ip_address", inputs.non_ip_source);
    tags.insert(
        "matched_rules".to_owned(),
        Value::Array(
            inputs
                .rules
                .iter()
                .map(|r| Value::String(r.to_string()))
                .collect(),
        ),
    );
    if let Some(Value::Object(parameters)) = record.get("requestParameters") {
        for (key, value) in parameters {
            tags.insert(format!("rp_{key}"), tag_value(value));
        }
    }
    if let Some(Value::Array(resources)) = record.get("resources") {
        for (i, resource) in resources.iter().enumerate() {
            if let Value::Object(resource) = resource {
                for (key, value) in resource {
                    tags.insert(format!("resources{i}_{key}"), tag_value(value));
                }
            }
        }
    }
    tags
}

/// Scalars as they are; objects and arrays JSON-encoded into a string (BigPanda's flat tags).
fn tag_value(value: &Value) -> Value {
    match value {
        Value::Object(_) | Value::Array(_) => Value::String(value.to_string()),
        scalar => scalar.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_urls_per_partition() {
        assert_eq!(
            ticket_url("us-east-1", "c9c65128-39db-47bb-a5d8-ff3220ec9a29"),
            "https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events/c9c65128-39db-47bb-a5d8-ff3220ec9a29"
        );
        assert_eq!(
            ticket_url("cn-north-1", "e"),
            "https://cn-north-1.console.amazonaws.cn/cloudtrail/home?region=cn-north-1#/events/e"
        );
        assert_eq!(
            ticket_url("us-gov-west-1", "e"),
            "https://console.amazonaws-us-gov.com/cloudtrail/home?region=us-gov-west-1#/events/e"
        );
        assert_eq!(
            ticket_url("us-east-1", "a b/c"),
            "https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events/a%20b%2Fc"
        );
    }

    #[test]
    fn tag_values_flatten_objects() {
        assert_eq!(
            tag_value(&serde_json::json!({"a": [1]})),
            Value::String(r#"{"a":[1]}"#.into())
        );
        assert_eq!(tag_value(&serde_json::json!(5)), serde_json::json!(5));
        assert_eq!(tag_value(&Value::Null), Value::Null);
    }
}
