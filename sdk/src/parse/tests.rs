//! Tests of `parse`: both shapes, exactness, every violation's message, and no panic on any input.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::{InputShape, ParseError, parse, parse_for_channel};
use crate::validate::{JsonType, Rule, Violation};
use crate::{AuditEventId, ChannelArn, event_data_checksum};

fn valid() -> Value {
    json!({
        "version": "1.0",
        "userIdentity": {"type": "CustomUser", "principalId": "alice", "details": {"team": "blue"}},
        "userAgent": "agent/1",
        "eventSource": "app.example.com",
        "eventName": "Login",
        "eventTime": "2024-01-01T00:00:00Z",
        "UID": "u-1",
        "requestParameters": {"a": 1},
        "responseElements": {"ok": true},
        "errorCode": "E",
        "errorMessage": "m",
        "sourceIPAddress": "192.0.2.1",
        "recipientAccountId": "123456789012",
        "additionalEventData": {"x": [1, 2]}
    })
}

fn with(changes: Value) -> Vec<u8> {
    let mut event = valid();
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            event.as_object_mut().unwrap().remove(k);
        } else {
            event[k] = v.clone();
        }
    }
    serde_json::to_vec(&event).unwrap()
}

fn messages(input: &[u8]) -> Vec<String> {
    match parse(input) {
        Err(ParseError::Invalid(v)) => v.iter().map(Violation::to_string).collect(),
        other => panic!("expected violations, got {other:?}"),
    }
}

fn record(event_data: &Value, extra: Value) -> Vec<u8> {
    let mut r = json!({"id": "evt-1", "eventData": event_data});
    for (k, v) in extra.as_object().unwrap() {
        r[k] = v.clone();
    }
    serde_json::to_vec(&r).unwrap()
}

#[test]
fn parses_a_bare_event_data_object() {
    let parsed = parse(serde_json::to_vec_pretty(&valid()).unwrap()).unwrap();
    assert_eq!(parsed.shape(), InputShape::EventData);
    assert_eq!(parsed.id(), None);
    assert_eq!(parsed.event_data().uid(), "u-1");
    assert_eq!(parsed.event_data_json(), serde_json::to_string(&valid()).unwrap());
    let entry = parsed.into_audit_event();
    assert_eq!(entry.id(), &AuditEventId::derive("u-1"));
    assert_eq!(
        entry.checksum(),
        Some(event_data_checksum(entry.event_data()).as_str())
    );
}

#[test]
fn parses_a_record_with_an_event_data_string_sent_byte_for_byte() {
    // Whitespace, key order and number forms inside the string are kept.
    let data = r#"{ "version":"1.0","UID":"u-1","userIdentity":{"type":"CustomUser","principalId":"alice"},"eventSource":"app.example.com","eventName":"Login","eventTime":"2024-01-01T00:00:00Z","recipientAccountId":"123456789012","requestParameters":{"big":123456789012345678901234567890,"dec":1.10,"z":0,"a":1e2}}"#;
    let input = record(
        &json!(data),
        json!({"eventDataChecksum": event_data_checksum(data)}),
    );
    let parsed = parse(&input).unwrap();
    assert_eq!(parsed.shape(), InputShape::Record);
    assert_eq!(parsed.id().map(AuditEventId::as_str), Some("evt-1"));
    assert_eq!(parsed.event_data_json(), data);
    assert_eq!(
        parsed.provided_checksum(),
        Some(event_data_checksum(data).as_str())
    );
    let entry = parsed.clone().into_audit_event();
    assert_eq!(entry.event_data(), data);
    assert_eq!(entry.checksum(), parsed.provided_checksum());
    assert_eq!(parsed.into_event_data().request_parameters().unwrap()["z"], 0);
}

#[test]
fn the_reference_checksum_vector_is_accepted() {
    let data = r#"{"version":"1.0","UID":"u-1","userIdentity":{"type":"CustomUser","principalId":"alice"},"eventSource":"app.example.com","eventName":"Login","eventTime":"2024-01-01T00:00:00Z","recipientAccountId":"123456789012"}"#;
    let input = record(
        &json!(data),
        json!({"eventDataChecksum": "rUq5wIHWBATw9EopYjn+p9GdGWFmJ8a6oXa8NSMqu5o="}),
    );
    assert!(parse(input).is_ok());
}

#[test]
fn parses_a_record_with_an_event_data_object() {
    let parsed = parse(record(&valid(), json!({}))).unwrap();
    assert_eq!(parsed.event_data_json(), serde_json::to_string(&valid()).unwrap());
    assert_eq!(parsed.provided_checksum(), None);
}

#[test]
fn json_errors_have_line_and_column() {
    assert_eq!(
        parse(b"{\n  \"version\": \"1.0\",\n  oops\n}")
            .unwrap_err()
            .to_string(),
        "not valid JSON at line 3, column 3: key must be a string"
    );
    assert_eq!(
        parse(b"").unwrap_err(),
        ParseError::Json {
            line: 1,
            column: 0,
            message: "EOF while parsing a value".into()
        }
    );
    assert_eq!(
        parse(b"{\"a\":\n \"\xff\"}").unwrap_err().to_string(),
        "not valid JSON at line 2, column 3: invalid UTF-8"
    );
    assert_eq!(
        parse(b"{} x").unwrap_err().to_string(),
        "not valid JSON at line 1, column 4: trailing characters"
    );
}

#[test]
fn non_objects_are_rejected() {
    assert_eq!(
        parse(b"[1]").unwrap_err().to_string(),
        "expected a JSON object (an eventData object or a PutAuditEvents record), found an array"
    );
    assert_eq!(
        parse(b" \"x\" ").unwrap_err(),
        ParseError::NotAnObject {
            found: JsonType::String
        }
    );
}

#[test]
fn every_missing_field_is_reported() {
    assert_eq!(
        messages(b"{}"),
        [
            "eventData.version: required field is missing",
            "eventData.userIdentity: required field is missing",
            "eventData.eventSource: required field is missing",
            "eventData.eventName: required field is missing",
            "eventData.eventTime: required field is missing",
            "eventData.UID: required field is missing",
            "eventData.recipientAccountId: required field is missing",
        ]
    );
    assert_eq!(
        messages(&with(json!({"userIdentity": {}}))),
        [
            "eventData.userIdentity.type: required field is missing",
            "eventData.userIdentity.principalId: required field is missing",
        ]
    );
}

#[test]
fn every_rule_has_its_message() {
    let long = |n: usize| "x".repeat(n);
    let blob = |n: usize| json!({ "k": "x".repeat(n - 8) });
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"version": long(257)}),
            "eventData.version: 257 characters, over the 256-character limit",
        ),
        (json!({"version": ""}), "eventData.version: must not be empty"),
        (
            json!({"version": 1}),
            "eventData.version: must be a string, found a number",
        ),
        (
            json!({"eventName": null}),
            "eventData.eventName: required field is missing",
        ),
        (
            json!({"userIdentity": {"type": long(129), "principalId": "p"}}),
            "eventData.userIdentity.type: 129 characters, over the 128-character limit",
        ),
        (
            json!({"userIdentity": {"type": "t", "principalId": long(1025)}}),
            "eventData.userIdentity.principalId: 1025 characters, over the 1024-character limit",
        ),
        (
            json!({"userIdentity": {"type": "t", "principalId": "p", "details": "x"}}),
            "eventData.userIdentity.details: must be a JSON object, found a string",
        ),
        (
            json!({"userIdentity": "alice"}),
            "eventData.userIdentity: must be a JSON object, found a string",
        ),
        (
            json!({"userAgent": long(1025)}),
            "eventData.userAgent: 1025 characters, over the 1024-character limit",
        ),
        (
            json!({"eventSource": long(1025)}),
            "eventData.eventSource: 1025 characters, over the 1024-character limit",
        ),
        (
            json!({"eventSource": ""}),
            "eventData.eventSource: must not be empty",
        ),
        (
            json!({"eventName": long(1025)}),
            "eventData.eventName: 1025 characters, over the 1024-character limit",
        ),
        (
            json!({"eventTime": "202-07-12T10:55:00"}),
            r#"eventData.eventTime: "202-07-12T10:55:00" is not a valid eventTime: the year must have 4 digits in yyyy-MM-ddTHH:mm:ssZ (e.g. 2024-01-01T00:00:00Z)"#,
        ),
        (
            json!({"eventTime": 1_700_000_000}),
            "eventData.eventTime: must be a string, found a number",
        ),
        (
            json!({"UID": long(1025)}),
            "eventData.UID: 1025 characters, over the 1024-character limit",
        ),
        (
            json!({"requestParameters": blob(104_857)}),
            "eventData.requestParameters: 104857 bytes, over the 100 kB limit",
        ),
        (
            json!({"requestParameters": [1]}),
            "eventData.requestParameters: must be a JSON object, found an array",
        ),
        (
            json!({"responseElements": blob(100_001)}),
            "eventData.responseElements: 100001 bytes, over the 100 kB limit",
        ),
        (
            json!({"responseElements": true}),
            "eventData.responseElements: must be a JSON object, found a boolean",
        ),
        (
            json!({"errorCode": long(257)}),
            "eventData.errorCode: 257 characters, over the 256-character limit",
        ),
        (
            json!({"errorMessage": long(257)}),
            "eventData.errorMessage: 257 characters, over the 256-character limit",
        ),
        (
            json!({"sourceIPAddress": "10.0.0.256"}),
            "eventData.sourceIPAddress: not a valid IPv4 or IPv6 address",
        ),
        (
            json!({"recipientAccountId": "1234"}),
            "eventData.recipientAccountId: must be an AWS account ID of exactly 12 digits",
        ),
        (
            json!({"additionalEventData": blob(28_001)}),
            "eventData.additionalEventData: 28001 bytes, over the 28 kB limit",
        ),
        (
            json!({"additionalEventData": null, "colour": "red"}),
            "eventData.colour: unknown field; expected one of: version, userIdentity, userAgent, eventSource, \
             eventName, eventTime, UID, requestParameters, responseElements, errorCode, errorMessage, \
             sourceIPAddress, recipientAccountId, additionalEventData",
        ),
        (
            json!({"userIdentity": {"type": "t", "principalId": "p", "arn": "x"}}),
            "eventData.userIdentity.arn: unknown field; expected one of: type, principalId, details",
        ),
        (
            json!({"a b": 1}),
            r#"eventData["a b"]: unknown field; expected one of: version, userIdentity, userAgent, eventSource, eventName, eventTime, UID, requestParameters, responseElements, errorCode, errorMessage, sourceIPAddress, recipientAccountId, additionalEventData"#,
        ),
    ];
    for (changes, expected) in cases {
        let got = messages(&with(changes.clone()));
        assert_eq!(got, [expected], "{changes}");
    }
}

#[test]
fn caps_are_inclusive_and_measured_on_the_sent_bytes() {
    // Whitespace in a bare object is removed before measuring: the object below is 100 000 bytes compact.
    let mut event = valid();
    event["requestParameters"] = json!({ "k": "x".repeat(100_000 - 8) });
    let pretty = serde_json::to_vec_pretty(&event).unwrap();
    assert!(parse(&pretty).is_ok());
    // Inside a record's eventData string nothing is removed, so whitespace counts.
    let spaced = serde_json::to_string(&event)
        .unwrap()
        .replacen("{\"k\":", "{ \"k\":", 1);
    assert_eq!(
        messages(&record(&json!(spaced), json!({}))),
        ["eventData.requestParameters: 100001 bytes, over the 100 kB limit"]
    );
}

#[test]
fn repeated_fields_are_reported() {
    let input = br#"{"version":"1","version":"2","userIdentity":{"type":"t","principalId":"p"},"eventSource":"s","eventName":"n","eventTime":"2024-01-01T00:00:00Z","UID":"u","recipientAccountId":"123456789012"}"#;
    assert_eq!(
        messages(input),
        ["eventData.version: field appears more than once"]
    );
}

#[test]
fn all_violations_are_reported_together() {
    let got = messages(&with(
        json!({"version": "", "sourceIPAddress": "x", "extra": 1, "UID": null}),
    ));
    assert_eq!(
        got,
        [
            "eventData.version: must not be empty",
            "eventData.UID: required field is missing",
            "eventData.sourceIPAddress: not a valid IPv4 or IPv6 address",
            "eventData.extra: unknown field; expected one of: version, userIdentity, userAgent, eventSource, \
             eventName, eventTime, UID, requestParameters, responseElements, errorCode, errorMessage, \
             sourceIPAddress, recipientAccountId, additionalEventData",
        ]
    );
}

#[test]
fn record_rules_have_their_messages() {
    let data = serde_json::to_string(&valid()).unwrap();
    let cases: Vec<(Vec<u8>, Vec<String>)> = vec![
        (
            serde_json::to_vec(&json!({"eventData": data})).unwrap(),
            vec!["id: required field is missing".into()],
        ),
        (
            record(&json!(data), json!({"id": ""})),
            vec!["id: must not be empty".into()],
        ),
        (
            record(&json!(data), json!({"id": "a.b"})),
            vec!["id: character 2 ('.') is not allowed; allowed: [-_A-Za-z0-9]".into()],
        ),
        (
            record(&json!(data), json!({"id": "a".repeat(129)})),
            vec!["id: 129 characters, over the 128-character limit".into()],
        ),
        (
            record(&json!(data), json!({"id": 7})),
            vec!["id: must be a string, found a number".into()],
        ),
        (
            record(&json!(42), json!({})),
            vec!["eventData: must be a JSON object, found a number".into()],
        ),
        (
            record(&json!("[1,2]"), json!({})),
            vec!["eventData: must be a JSON object, found an array".into()],
        ),
        (
            record(&json!("{\"version\": }"), json!({})),
            vec!["eventData: not valid JSON at line 1, column 13: expected value".into()],
        ),
        (
            record(&json!(data), json!({"eventDataChecksum": "AAAA"})),
            vec![format!(
                "eventDataChecksum: \"AAAA\" does not match base64(SHA-256(eventData)) = {:?}",
                event_data_checksum(&data)
            )],
        ),
        (
            record(&json!(data), json!({"eventDataChecksum": 1})),
            vec!["eventDataChecksum: must be a string, found a number".into()],
        ),
        (
            record(&json!(data), json!({"channelArn": "x"})),
            vec!["channelArn: unknown field; expected one of: id, eventData, eventDataChecksum".into()],
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(messages(&input), expected, "{}", String::from_utf8_lossy(&input));
    }
}

#[test]
fn checks_the_channel_owner_with_everything_else() {
    let other: ChannelArn = "arn:aws:cloudtrail:eu-west-1:210987654321:channel/c"
        .parse()
        .unwrap();
    let owner: ChannelArn = "arn:aws:cloudtrail:eu-west-1:123456789012:channel/c"
        .parse()
        .unwrap();
    let input = with(json!({}));
    assert!(parse_for_channel(&input, &owner).is_ok());
    let mismatch = "eventData.recipientAccountId: 123456789012 is not the channel owner's account 210987654321; \
                    recipientAccountId must be the account that owns the channel";
    let err = parse_for_channel(&input, &other).unwrap_err();
    assert_eq!(err.to_string(), format!("invalid event: {mismatch}"));
    assert!(matches!(
        err.violations().unwrap().as_slice()[0].rule(),
        Rule::RecipientMismatch { recipient, channel_account }
            if recipient.as_str() == "123456789012" && channel_account.as_str() == "210987654321"
    ));
    let err = parse_for_channel(with(json!({"version": ""})), &other).unwrap_err();
    assert_eq!(err.violations().unwrap().len(), 2);
    let parsed = parse(&input).unwrap();
    assert_eq!(parsed.validate_for_channel(&owner), Ok(()));
    assert_eq!(
        parsed.validate_for_channel(&other).unwrap_err().to_string(),
        mismatch
    );
}

#[test]
fn parsed_events_equal_built_events() {
    let built = crate::event::tests::full();
    let parsed = parse(built.to_json()).unwrap();
    assert_eq!(parsed.event_data(), &built);
    assert_eq!(parsed.event_data_json(), built.to_json());
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("version".to_owned()),
                    Just("userIdentity".to_owned()),
                    Just("eventData".to_owned()),
                    Just("id".to_owned()),
                    Just("eventTime".to_owned()),
                    Just("requestParameters".to_owned()),
                    ".{0,6}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = parse(&bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(v in json_value()) {
        let text = serde_json::to_vec(&v).unwrap();
        let _ = parse(&text);
        let _ = parse(record(&json!(String::from_utf8_lossy(&text)), json!({})));
    }

    #[test]
    fn mutated_valid_events_never_panic(field in 0usize..14, v in json_value(), cut in 0usize..400) {
        let mut event = valid();
        let key = event.as_object().unwrap().keys().nth(field).unwrap().clone();
        event[&key] = v;
        let text = serde_json::to_vec(&event).unwrap();
        let _ = parse(&text);
        let _ = parse(&text[..cut.min(text.len())]);
    }
}

#[test]
fn numbers_out_of_range_and_deep_nesting_are_errors_not_panics() {
    let text = String::from_utf8(with(json!({}))).unwrap().replacen(
        r#""requestParameters":{"a":1}"#,
        r#""requestParameters":{"a":1e400}"#,
        1,
    );
    // Positions inside a field count from the start of that field's value.
    assert_eq!(
        messages(text.as_bytes()),
        ["eventData.requestParameters: not valid JSON at line 1, column 10: number out of range"]
    );

    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(
        parse(deep.as_bytes()).unwrap_err(),
        ParseError::NotAnObject {
            found: JsonType::Array
        }
    );
    let nested = format!(r#"{{"a":{}{}}}"#, "[".repeat(10_000), "]".repeat(10_000));
    let mut event = valid();
    event["requestParameters"] = json!("PLACEHOLDER");
    let text = serde_json::to_string(&event)
        .unwrap()
        .replace(r#""PLACEHOLDER""#, &nested);
    assert_eq!(
        messages(text.as_bytes()),
        ["eventData.requestParameters: not valid JSON at line 1, column 132: recursion limit exceeded"]
    );
    let in_record = record(&json!(text), json!({}));
    assert_eq!(
        messages(&in_record),
        ["eventData.requestParameters: not valid JSON at line 1, column 132: recursion limit exceeded"]
    );
}
