//! Tests of the event model as a whole: building, serialization, round trips, entries.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use crate::validate::{Rule, Violation};
use crate::{AuditEvent, AuditEventId, EventData, EventTime, UserIdentity};

pub(crate) fn minimal() -> EventData {
    EventData::builder()
        .version("1.0")
        .user_identity(
            UserIdentity::builder()
                .r#type("CustomUser")
                .principal_id("alice")
                .build()
                .unwrap(),
        )
        .event_source("app.example.com")
        .event_name("Login")
        .event_time(EventTime::parse("2024-01-01T00:00:00Z").unwrap())
        .uid("u-1")
        .recipient_account_id("123456789012")
        .build()
        .unwrap()
}

pub(crate) fn full() -> EventData {
    EventData::builder()
        .version("2.1")
        .user_identity(
            UserIdentity::builder()
                .r#type("USER")
                .principal_id("arn:example:user/alice")
                .detail("email", "alice@example.com")
                .detail("roles", json!(["admin", "dev"]))
                .build()
                .unwrap(),
        )
        .user_agent("ctlake-test/1.0 \"quoted\"")
        .event_source("app.example.com")
        .event_name("UpdateOrder")
        .event_time(EventTime::parse("2024-05-06T07:08:09Z").unwrap())
        .uid("7a0c6f0e-5a37-4d0c-9b1e-1f0a8c3e2d11")
        .request_parameter("orderId", 42)
        .request_parameter("note", "line1\nline2\ttab \u{1}")
        .request_parameter("price", 19.99)
        .response_element("status", "ok")
        .error_code("Conflict")
        .error_message("order was changed by someone else")
        .source_ip_address("2001:db8::17")
        .recipient_account_id("123456789012")
        .additional_event_data_entry("tenant", "t-1")
        .additional_event_data_entry("nested", json!({"a": [1, 2, {"b": null}]}))
        .build()
        .unwrap()
}

#[test]
fn to_json_is_compact_in_schema_order_and_omits_unset_fields() {
    assert_eq!(
        minimal().to_json(),
        r#"{"version":"1.0","userIdentity":{"type":"CustomUser","principalId":"alice"},"eventSource":"app.example.com","eventName":"Login","eventTime":"2024-01-01T00:00:00Z","UID":"u-1","recipientAccountId":"123456789012"}"#
    );
}

#[test]
fn to_json_equals_serde_and_round_trips() {
    for event in [minimal(), full()] {
        let text = event.to_json();
        assert_eq!(text, serde_json::to_string(&event).unwrap());
        let back: EventData = serde_json::from_str(&text).unwrap();
        assert_eq!(back, event);
        assert_eq!(back.to_json(), text);
    }
}

#[test]
fn getters_return_what_was_built() {
    let e = full();
    assert_eq!(e.version(), "2.1");
    assert_eq!(e.user_identity().r#type(), "USER");
    assert_eq!(e.user_agent(), Some("ctlake-test/1.0 \"quoted\""));
    assert_eq!(e.event_source().as_str(), "app.example.com");
    assert_eq!(e.event_name().as_str(), "UpdateOrder");
    assert_eq!(e.event_time().as_str(), "2024-05-06T07:08:09Z");
    assert_eq!(e.uid(), "7a0c6f0e-5a37-4d0c-9b1e-1f0a8c3e2d11");
    assert_eq!(e.request_parameters().unwrap()["orderId"], 42);
    assert_eq!(e.response_elements().unwrap()["status"], "ok");
    assert_eq!(e.error_code(), Some("Conflict"));
    assert_eq!(e.error_message(), Some("order was changed by someone else"));
    assert_eq!(e.source_ip_address(), Some("2001:db8::17"));
    assert_eq!(e.recipient_account_id().as_str(), "123456789012");
    assert_eq!(e.additional_event_data().unwrap()["tenant"], "t-1");
    assert_eq!(e.clone().into_builder().build().unwrap(), e);
}

#[test]
fn serialized_form_snapshot() {
    insta::assert_snapshot!(full().to_json());
}

#[test]
fn build_reports_every_missing_field() {
    let err = EventData::builder().build().unwrap_err();
    let paths: Vec<_> = err
        .violations()
        .iter()
        .map(|v| (v.path(), v.rule().clone()))
        .collect();
    assert_eq!(
        paths,
        [
            "eventData.version",
            "eventData.userIdentity",
            "eventData.eventSource",
            "eventData.eventName",
            "eventData.eventTime",
            "eventData.UID",
            "eventData.recipientAccountId",
        ]
        .map(|p| (p, Rule::Required))
    );
    assert!(
        err.to_string()
            .starts_with("invalid event: eventData.version: required field is missing; ")
    );
}

#[test]
fn build_reports_every_broken_rule_with_its_message() {
    let long = |n: usize| "x".repeat(n);
    let err = minimal()
        .into_builder()
        .version(long(257))
        .user_agent(long(1025))
        .event_source(long(1025))
        .event_name("")
        .uid(long(1025))
        .error_code(long(257))
        .error_message(long(257))
        .source_ip_address("300.1.1.1")
        .recipient_account_id("12345678901")
        .build()
        .unwrap_err();
    let messages: Vec<String> = err.violations().iter().map(Violation::to_string).collect();
    assert_eq!(
        messages,
        [
            "eventData.version: 257 characters, over the 256-character limit",
            "eventData.userAgent: 1025 characters, over the 1024-character limit",
            "eventData.eventSource: 1025 characters, over the 1024-character limit",
            "eventData.eventName: must not be empty",
            "eventData.UID: 1025 characters, over the 1024-character limit",
            "eventData.errorCode: 257 characters, over the 256-character limit",
            "eventData.errorMessage: 257 characters, over the 256-character limit",
            "eventData.sourceIPAddress: not a valid IPv4 or IPv6 address",
            "eventData.recipientAccountId: must be an AWS account ID of exactly 12 digits",
        ]
    );
}

#[test]
fn limits_are_inclusive() {
    let at = |n: usize| "x".repeat(n);
    let event = minimal()
        .into_builder()
        .version(at(256))
        .user_agent(at(1024))
        .event_source(at(1024))
        .event_name(at(1024))
        .uid(at(1024))
        .error_code(at(256))
        .error_message(at(256))
        .build();
    assert!(event.is_ok(), "{event:?}");
}

#[test]
fn deserialization_reports_violations_like_the_builder() {
    let err = serde_json::from_str::<EventData>(
        r#"{"version":"1","userIdentity":{"type":"t","principalId":"p"},"eventSource":"s","eventName":"n","eventTime":"202-07-12T10:55:00","UID":"u","recipientAccountId":"123456789012"}"#,
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with(
            r#"invalid event: eventData.eventTime: "202-07-12T10:55:00" is not a valid eventTime: the year must have 4 digits"#
        ),
        "{err}"
    );
}

#[test]
fn checksum_reference_vector_through_an_entry() {
    let data = r#"{"version":"1.0","UID":"u-1","userIdentity":{"type":"CustomUser","principalId":"alice"},"eventSource":"app.example.com","eventName":"Login","eventTime":"2024-01-01T00:00:00Z","recipientAccountId":"123456789012"}"#;
    let entry = AuditEvent::from_json(AuditEventId::try_from("1").unwrap(), data);
    assert_eq!(
        entry.checksum(),
        Some("rUq5wIHWBATw9EopYjn+p9GdGWFmJ8a6oXa8NSMqu5o=")
    );
    assert_eq!(entry.event_data(), data);
}

#[test]
fn entries_carry_the_checksum_by_default() {
    let id = AuditEventId::try_from("evt-1").unwrap();
    let entry = AuditEvent::new(id.clone(), &minimal());
    assert_eq!(entry.id(), &id);
    assert_eq!(entry.event_data(), minimal().to_json());
    assert_eq!(
        entry.checksum(),
        Some(crate::event_data_checksum(&minimal().to_json()).as_str())
    );
    let bare = entry.clone().without_checksum();
    assert_eq!(bare.checksum(), None);
    assert_eq!(
        serde_json::to_string(&bare).unwrap(),
        format!(
            r#"{{"id":"evt-1","eventData":{}}}"#,
            serde_json::to_string(&minimal().to_json()).unwrap()
        )
    );
    let validated = AuditEvent::validated(id, &minimal()).unwrap();
    assert_eq!(validated, entry);
}

#[test]
fn encoded_len_is_the_serde_json_entry_length() {
    for event in [minimal(), full()] {
        let entry = AuditEvent::new(AuditEventId::derive("x"), &event);
        assert_eq!(entry.encoded_len(), serde_json::to_string(&entry).unwrap().len());
        let bare = entry.without_checksum();
        assert_eq!(bare.encoded_len(), serde_json::to_string(&bare).unwrap().len());
    }
}

/// Writes a PutAuditEvents body exactly like the generated `ser_put_audit_events_input_input` and
/// `ser_audit_event` of aws-sdk-cloudtraildata, with the same JSON writer (aws-smithy-json).
fn sdk_body(entries: &[AuditEvent]) -> String {
    use aws_smithy_json::serialize::JsonObjectWriter;
    let mut out = String::new();
    let mut object = JsonObjectWriter::new(&mut out);
    let mut array = object.key("auditEvents").start_array();
    for e in entries {
        let mut entry = array.value().start_object();
        entry.key("id").string(e.id().as_str());
        entry.key("eventData").string(e.event_data());
        if let Some(c) = e.checksum() {
            entry.key("eventDataChecksum").string(c);
        }
        entry.finish();
    }
    array.finish();
    object.finish();
    out
}

#[test]
fn request_body_len_matches_the_aws_sdk_json_writer() {
    let entries = vec![
        AuditEvent::new(AuditEventId::derive("a"), &minimal()),
        AuditEvent::new(AuditEventId::derive("b"), &full()).without_checksum(),
        AuditEvent::from_json(
            AuditEventId::derive("c"),
            "{\"k\":\"\\u0001 \u{7f} \\\\ \u{e9}\"}",
        ),
    ];
    assert_eq!(crate::request_body_len(&entries), sdk_body(&entries).len());
    assert_eq!(
        crate::request_body_len(&entries[..1]),
        sdk_body(&entries[..1]).len()
    );
    assert_eq!(crate::request_body_len(&[]), sdk_body(&[]).len());
    for e in &entries {
        assert_eq!(
            sdk_body(std::slice::from_ref(e)).len(),
            crate::validate::limits::REQUEST_BODY_WRAPPER_BYTES + e.encoded_len()
        );
    }
}

#[test]
fn validate_reports_object_fields_over_their_caps() {
    // {"k":"<n x>"} is n + 8 bytes.
    let blob = |n: usize| json!({ "k": "x".repeat(n - 8) }).as_object().unwrap().clone();
    let at_caps = minimal()
        .into_builder()
        .request_parameters(blob(100_000))
        .response_elements(blob(100_000))
        .additional_event_data(blob(28_000))
        .build()
        .unwrap();
    assert_eq!(at_caps.validate(), Ok(()));
    assert!(AuditEvent::validated(AuditEventId::derive("a"), &at_caps).is_ok());

    let over = at_caps
        .into_builder()
        .request_parameters(blob(104_857))
        .response_elements(blob(100_001))
        .additional_event_data(blob(28_001))
        .build()
        .unwrap();
    let expected = [
        "eventData.requestParameters: 104857 bytes, over the 100 kB limit",
        "eventData.responseElements: 100001 bytes, over the 100 kB limit",
        "eventData.additionalEventData: 28001 bytes, over the 28 kB limit",
    ];
    let err = over.validate().unwrap_err();
    assert_eq!(err.iter().map(Violation::to_string).collect::<Vec<_>>(), expected);
    assert_eq!(
        err.as_slice()[0].rule(),
        &Rule::TooLarge {
            max_bytes: 100_000,
            actual: 104_857
        }
    );
    let err = AuditEvent::validated(AuditEventId::derive("a"), &over).unwrap_err();
    assert_eq!(err.iter().map(Violation::to_string).collect::<Vec<_>>(), expected);
}

#[test]
fn validate_for_channel_checks_the_recipient() {
    let channel: crate::ChannelArn = "arn:aws:cloudtrail:us-east-1:210987654321:channel/c-1"
        .parse()
        .unwrap();
    let err = minimal().validate_for_channel(&channel).unwrap_err();
    assert_eq!(
        err.to_string(),
        "eventData.recipientAccountId: 123456789012 is not the channel owner's account 210987654321; \
         recipientAccountId must be the account that owns the channel"
    );
    let own: crate::ChannelArn = "arn:aws:cloudtrail:us-east-1:123456789012:channel/c-1"
        .parse()
        .unwrap();
    assert_eq!(minimal().validate_for_channel(&own), Ok(()));
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 1..=max).prop_map(|c| c.into_iter().collect())
}

fn object() -> impl Strategy<Value = Map<String, Value>> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    let value = leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(any::<String>(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop::collection::btree_map(any::<String>(), value, 0..5).prop_map(|m| m.into_iter().collect())
}

fn ip() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<std::net::Ipv4Addr>().prop_map(|a| a.to_string()),
        any::<std::net::Ipv6Addr>().prop_map(|a| a.to_string()),
    ]
}

prop_compose! {
    fn any_event()(
        version in text(256),
        kind in text(128),
        principal in text(1024),
        details in prop::option::of(object()),
        user_agent in prop::option::of(text(1024)),
        source in text(1024),
        name in text(1024),
        secs in -62_167_219_200i64..253_402_300_800,
        uid in text(1024),
        request in prop::option::of(object()),
        response in prop::option::of(object()),
        error_code in prop::option::of(text(256)),
        error_message in prop::option::of(text(256)),
        source_ip in prop::option::of(ip()),
        account in "[0-9]{12}",
        additional in prop::option::of(object()),
    ) -> Result<EventData, crate::BuildError> {
        EventData::builder()
            .version(version)
            .user_identity(UserIdentity::builder().r#type(kind).principal_id(principal).set_details(details).build()?)
            .set_user_agent(user_agent)
            .event_source(source)
            .event_name(name)
            .set_event_time(EventTime::from_unix_timestamp(secs))
            .uid(uid)
            .set_request_parameters(request)
            .set_response_elements(response)
            .set_error_code(error_code)
            .set_error_message(error_message)
            .set_source_ip_address(source_ip)
            .recipient_account_id(account)
            .set_additional_event_data(additional)
            .build()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Every event the builder accepts validates, and survives JSON (serde and the untrusted parser) unchanged.
    #[test]
    fn accepted_events_validate_and_round_trip(event in any_event()) {
        let event = event.unwrap();
        prop_assert_eq!(event.validate(), Ok(()));
        let json = event.to_json();
        prop_assert_eq!(&json, &serde_json::to_string(&event).unwrap());
        let back: EventData = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &event);
        prop_assert_eq!(back.to_json(), json.clone());
        let parsed = crate::parse(&json).unwrap();
        prop_assert_eq!(parsed.event_data(), &event);
        prop_assert_eq!(parsed.event_data_json(), json.as_str());
        let entry = AuditEvent::validated(AuditEventId::derive(event.uid()), &event).unwrap();
        prop_assert_eq!(entry.encoded_len(), serde_json::to_string(&entry).unwrap().len());
        prop_assert_eq!(crate::request_body_len([&entry]), sdk_body(std::slice::from_ref(&entry)).len());
    }
}

#[test]
fn request_bodies_equal_the_aws_sdk_json_writer_even_past_the_room_set_aside() {
    // Texts made of escapes outgrow the quarter the body sets aside for them, so the buffer must grow.
    let dense = format!("{{\"k\":\"{}\"}}", "\\\"\\\\".repeat(2_000));
    let entries = [
        AuditEvent::new(AuditEventId::derive("a"), &full()),
        AuditEvent::from_json(AuditEventId::derive("b"), &dense),
        AuditEvent::new(AuditEventId::derive("c"), &minimal()).without_checksum(),
    ];
    for n in 0..=entries.len() {
        let body = crate::event::request_body(&entries[..n]);
        assert_eq!(String::from_utf8(body).unwrap(), sdk_body(&entries[..n]));
    }
}
