//! CloudTrail record + classifier verdict → CloudTrail Lake activity event.

use std::net::IpAddr;
use std::sync::Arc;

use ctlake::validate::limits::{
    MAX_ADDITIONAL_EVENT_DATA_BYTES, MAX_ERROR_CODE_CHARS, MAX_ERROR_MESSAGE_CHARS, MAX_PRINCIPAL_ID_CHARS,
    MAX_REQUEST_PARAMETERS_BYTES, MAX_USER_AGENT_CHARS, MAX_USER_IDENTITY_TYPE_CHARS,
};
use ctlake::{AccountId, AuditEvent, AuditEventId, EventData, EventTime, UserIdentity};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::caps::fit;
use super::error::NormalizeError;
use super::identity::actor;
use super::tags::{PROTECTED_TAGS, TagInputs, tags};
use super::{CHANGE_EVENT_SOURCE, NORMALIZED_VERSION};
use crate::classify::Kept;

/// One normalized change: the Lake event, its `PutAuditEvents` entry and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct NormalizedChange {
    /// The `eventData`.
    pub event: EventData,
    /// The `PutAuditEvents` entry: id derived from the CloudTrail `eventID`, serialized `eventData`, checksum.
    pub audit_event: AuditEvent,
    /// The original CloudTrail `eventID`.
    pub source_event_id: String,
    /// The rules that kept the change.
    pub rules: Vec<Arc<str>>,
}

/// Turns kept CloudTrail records into Lake activity events for one channel.
#[derive(Debug, Clone)]
pub struct Normalizer {
    recipient: AccountId,
}

impl Normalizer {
    /// A normalizer for the channel owned by `recipient_account_id` (every event's `recipientAccountId`; the
    /// account where a change happened is the `account` tag).
    pub fn new(recipient_account_id: AccountId) -> Self {
        Self {
            recipient: recipient_account_id,
        }
    }

    /// The channel owner's account.
    pub fn recipient_account_id(&self) -> &AccountId {
        &self.recipient
    }

    /// The audit-event id of a CloudTrail `eventID`: the same on every run, so re-ingesting an object sends the
    /// same ids.
    pub fn audit_event_id(event_id: &str) -> AuditEventId {
        AuditEventId::derive(&format!("{CHANGE_EVENT_SOURCE}/{event_id}"))
    }

    /// Normalizes one record the classifier kept.
    ///
    /// # Errors
    ///
    /// [`NormalizeError`] when the record cannot become a valid Lake event (e.g. an unparsable `eventTime`).
    pub fn normalize(&self, record: &Value, kept: &Kept) -> Result<NormalizedChange, NormalizeError> {
        let map = record.as_object().ok_or(NormalizeError::NotAnObject)?;
        let s = |key: &str| map.get(key).and_then(Value::as_str);
        let event_id = s("eventID").ok_or(NormalizeError::Missing("eventID"))?;
        let event_name = s("eventName").ok_or(NormalizeError::Missing("eventName"))?;
        let time_text = s("eventTime").ok_or(NormalizeError::Missing("eventTime"))?;
        let event_time = parse_time(time_text)?;
        let who = actor(map);

        let source_ip = s("sourceIPAddress");
        let (ip, non_ip_source) = match source_ip {
            Some(ip) if ip.parse::<IpAddr>().is_ok() => (Some(ip), None),
            other => (None, other),
        };

        let mut details = Map::new();
        for (key, value) in [
            ("user_name", who.user_name.as_deref()),
            ("user_arn", who.user_arn.as_deref()),
            ("account", who.account.as_deref()),
            ("principal_id", who.principal_id.as_deref()),
            ("invoked_by", who.invoked_by.as_deref()),
        ] {
            if let Some(value) = value {
                details.insert(key.to_owned(), Value::String(value.to_owned()));
            }
        }
        let identity = UserIdentity::builder()
            .r#type(truncate_chars(&who.user_type, MAX_USER_IDENTITY_TYPE_CHARS))
            .principal_id(truncate_chars(who.id(), MAX_PRINCIPAL_ID_CHARS))
            .details(details)
            .build()
            .map_err(NormalizeError::Invalid)?;

        let request_parameters = match map.get("requestParameters") {
            None | Some(Value::Null) => None,
            Some(Value::Object(parameters)) => Some(parameters.clone()),
            Some(other) => Some(Map::from_iter([("value".to_owned(), other.clone())])),
        }
        .map(|mut parameters| {
            fit(&mut parameters, MAX_REQUEST_PARAMETERS_BYTES, |_| false);
            parameters
        });

        let mut additional = tags(
            map,
            &TagInputs {
                actor: &who,
                rules: &kept.rules,
                actor_kind: kept.actor.as_str(),
                non_ip_source,
            },
        );
        fit(&mut additional, MAX_ADDITIONAL_EVENT_DATA_BYTES, |key| {
            PROTECTED_TAGS.contains(&key)
        });

        let event = EventData::builder()
            .version(NORMALIZED_VERSION)
            .user_identity(identity)
            .set_user_agent(s("userAgent").map(|a| truncate_chars(a, MAX_USER_AGENT_CHARS)))
            .event_source(CHANGE_EVENT_SOURCE)
            .event_name(event_name)
            .event_time(event_time)
            .uid(event_id)
            .set_request_parameters(request_parameters)
            .set_error_code(s("errorCode").map(|c| truncate_chars(c, MAX_ERROR_CODE_CHARS)))
            .set_error_message(s("errorMessage").map(|m| truncate_chars(m, MAX_ERROR_MESSAGE_CHARS)))
            .set_source_ip_address(ip.map(str::to_owned))
            .recipient_account_id(self.recipient.clone())
            .additional_event_data(additional)
            .build()
            .map_err(NormalizeError::Invalid)?;
        let audit_event = AuditEvent::validated(Self::audit_event_id(event_id), &event)
            .map_err(NormalizeError::TooLarge)?;
        Ok(NormalizedChange {
            event,
            audit_event,
            source_event_id: event_id.to_owned(),
            rules: kept.rules.clone(),
        })
    }
}

/// CloudTrail's `yyyy-MM-ddTHH:mm:ssZ`; other RFC 3339 forms (fractions, offsets) are converted to it.
fn parse_time(text: &str) -> Result<EventTime, NormalizeError> {
    EventTime::parse(text).or_else(|e| {
        OffsetDateTime::parse(text, &Rfc3339)
            .map(EventTime::from)
            .map_err(|_| NormalizeError::EventTime {
                value: text.to_owned(),
                source: e,
            })
    })
}

/// At most `max` characters of `s`.
fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => s[..at].to_owned(),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::classify::ActorKind;
    use crate::normalize::caps::TRUNCATION_MARKER;

    fn kept() -> Kept {
        Kept {
            rules: vec![Arc::from("default")],
            actor: ActorKind::Human,
        }
    }

    fn normalizer() -> Normalizer {
        Normalizer::new(AccountId::try_from("111122223333").unwrap())
    }

    fn record() -> Value {
        json!({
            "eventVersion": "1.08", "eventTime": "2023-07-10T12:10:40Z", "eventID": "c9c65128-39db-47bb-a5d8-ff3220ec9a29",
            "eventSource": "ec2.amazonaws.com", "eventName": "CreateRoute", "awsRegion": "us-east-1",
            "sourceIPAddress": "192.168.10.20", "userAgent": "aws-cli/2",
            "requestParameters": {"routeTableId": "rtb-1", "destinationCidrBlock": "0.0.0.0/0"},
            "requestID": "req-1", "eventType": "AwsApiCall", "recipientAccountId": "123837392027",
            "readOnly": false,
            "userIdentity": {"type": "IAMUser", "principalId": "AIDA", "arn": "arn:aws:iam::123837392027:user/bert-jan",
                             "accountId": "123837392027", "userName": "bert-jan"},
            "resources": [{"ARN": "arn:aws:ec2:us-east-1:123837392027:route-table/rtb-1", "accountId": "123837392027", "type": "AWS::EC2::RouteTable"}]
        })
    }

    #[test]
    fn target_model_fields() {
        let change = normalizer().normalize(&record(), &kept()).unwrap();
        let e = &change.event;
        assert_eq!(e.event_source().as_str(), CHANGE_EVENT_SOURCE);
        assert_eq!(e.event_name().as_str(), "CreateRoute");
        assert_eq!(e.event_time().as_str(), "2023-07-10T12:10:40Z");
        assert_eq!(e.uid(), "c9c65128-39db-47bb-a5d8-ff3220ec9a29");
        assert_eq!(e.recipient_account_id().as_str(), "111122223333");
        assert_eq!(e.source_ip_address(), Some("192.168.10.20"));
        assert_eq!(e.user_identity().r#type(), "IAMUser");
        assert_eq!(
            e.user_identity().principal_id(),
            "arn:aws:iam::123837392027:user/bert-jan"
        );
        let tags = e.additional_event_data().unwrap();
        assert_eq!(tags["identifier"], "c9c65128-39db-47bb-a5d8-ff3220ec9a29");
        assert_eq!(tags["summary"], "CreateRoute");
        assert_eq!(tags["start"], tags["end"]);
        assert_eq!(tags["account"], "123837392027");
        assert_eq!(tags["rp_routeTableId"], "rtb-1");
        assert_eq!(tags["resources0_type"], "AWS::EC2::RouteTable");
        assert_eq!(tags["matched_rules"], json!(["default"]));
        assert_eq!(
            change.audit_event.id(),
            &Normalizer::audit_event_id("c9c65128-39db-47bb-a5d8-ff3220ec9a29")
        );
        assert_eq!(change.audit_event.event_data(), e.to_json());
    }

    #[test]
    fn ids_are_stable_across_runs() {
        let a = normalizer().normalize(&record(), &kept()).unwrap();
        let b = normalizer().normalize(&record(), &kept()).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            Normalizer::audit_event_id("c9c65128-39db-47bb-a5d8-ff3220ec9a29"),
            AuditEventId::derive("changes.ctlake.dev/c9c65128-39db-47bb-a5d8-ff3220ec9a29")
        );
    }

    #[test]
    fn service_names_are_not_ip_addresses() {
        let mut r = record();
        r["sourceIPAddress"] = json!("ec2.amazonaws.com");
        let change = normalizer().normalize(&r, &kept()).unwrap();
        assert_eq!(change.event.source_ip_address(), None);
        assert_eq!(
            change.event.additional_event_data().unwrap()["source_ip_address"],
            "ec2.amazonaws.com"
        );
        // Anonymised fixture addresses with leading zeros are not valid IPs either.
        r["sourceIPAddress"] = json!("075.050.255.67");
        let change = normalizer().normalize(&r, &kept()).unwrap();
        assert_eq!(change.event.source_ip_address(), None);
    }

    #[test]
    fn oversized_request_parameters_are_cut_with_a_marker() {
        let mut r = record();
        r["requestParameters"] = json!({"policyDocument": "p".repeat(150_000), "name": "n"});
        let change = normalizer().normalize(&r, &kept()).unwrap();
        let parameters = change.event.request_parameters().unwrap();
        assert_eq!(parameters["name"], "n");
        assert!(parameters.contains_key(TRUNCATION_MARKER));
        assert!(serde_json::to_string(parameters).unwrap().len() <= MAX_REQUEST_PARAMETERS_BYTES);
        let tags = change.event.additional_event_data().unwrap();
        assert!(serde_json::to_string(tags).unwrap().len() <= MAX_ADDITIONAL_EVENT_DATA_BYTES);
        assert_eq!(tags[TRUNCATION_MARKER]["trimmed"], json!(["rp_policyDocument"]));
    }

    #[test]
    fn times_are_normalized_or_rejected() {
        let mut r = record();
        r["eventTime"] = json!("2023-07-10T12:10:40.123+02:00");
        let change = normalizer().normalize(&r, &kept()).unwrap();
        assert_eq!(change.event.event_time().as_str(), "2023-07-10T10:10:40Z");
        r["eventTime"] = json!("yesterday");
        let err = normalizer().normalize(&r, &kept()).unwrap_err();
        assert!(err.to_string().starts_with("eventTime \"yesterday\""), "{err}");
    }

    #[test]
    fn non_object_request_parameters_are_wrapped_and_long_fields_cut() {
        let mut r = record();
        r["requestParameters"] = json!("raw text");
        r["userAgent"] = json!("u".repeat(2000));
        r["errorCode"] = json!("E".repeat(300));
        let change = normalizer().normalize(&r, &kept()).unwrap();
        assert_eq!(change.event.request_parameters().unwrap()["value"], "raw text");
        assert_eq!(change.event.user_agent().unwrap().len(), MAX_USER_AGENT_CHARS);
        assert_eq!(change.event.error_code().unwrap().len(), MAX_ERROR_CODE_CHARS);
        assert_eq!(truncate_chars("ééé", 2), "éé");
    }
}
