//! The alarm fixtures (`tests/fixtures/notifications/`, AWS's Lambda test events) and the signed alarm
//! notification become the expected alarm events.

use ctlake::AccountId;
use ctlake_changes::alarm::{
    AlarmEvent, AlarmMessage, AlarmState, AlarmStateStore, EVENT_SOURCE, MetricRef, Transition, TriggerKind,
    read_alarm_messages,
};
use serde_json::{Value, json};

fn notification_fixture(name: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::read_to_string(dir.join(name)).unwrap()
}

fn recipient() -> AccountId {
    "210987654321".parse().unwrap()
}

/// Reads one alarm from `body`, applies it to `state` and returns the event and its eventData as JSON.
fn event_of(body: &str, state: &mut AlarmStateStore) -> (AlarmEvent, Value) {
    let mut messages = read_alarm_messages(body, "raw-id").unwrap();
    assert_eq!(messages.len(), 1);
    let AlarmMessage::Alarm {
        message_id,
        notification,
    } = messages.remove(0)
    else {
        panic!("not an alarm")
    };
    let transition = state.apply(&message_id, &notification);
    let event = AlarmEvent {
        notification: *notification,
        transition,
        message_id,
    };
    let data: Value = serde_json::from_str(&event.to_event_data(recipient()).unwrap().to_json()).unwrap();
    (event, data)
}

#[test]
fn single_metric_fixture_becomes_an_alarm_triggered_event() {
    let body =
        notification_fixture("notifications/aws-lambda-go__cloudwatch-alarm-sns-payload-single-metric.json");
    let (event, data) = event_of(&body, &mut AlarmStateStore::in_memory());
    let n = &event.notification;
    assert_eq!(event.message_id, "95df01b4-ee98-5cb9-9903-4c221d41eb5e");
    assert_eq!(n.alarm_name, "EXAMPLE");
    assert_eq!(n.account_id, "123456789012");
    assert_eq!(
        (n.old_state, n.new_state),
        (AlarmState::InsufficientData, AlarmState::Alarm)
    );
    // The fixture's ARN carries the placeholder "REGION"; the long name "EXAMPLE" is no region either.
    assert_eq!(n.region, "REGION");
    assert_eq!(
        n.kind,
        TriggerKind::Metric(MetricRef {
            namespace: "AWS/EC2".into(),
            metric_name: "NetworkOut".into(),
            dimensions: vec![("InstanceId".into(), "TestInstance".into())],
        })
    );
    assert_eq!(
        event.transition,
        Transition::Triggered {
            repeat: false,
            incident_start: Some(1_433_353_407)
        }
    );
    assert_eq!(data["eventSource"], EVENT_SOURCE);
    assert_eq!(data["eventName"], "alarm.triggered");
    assert_eq!(data["eventTime"], "2015-06-03T17:43:27Z");
    assert_eq!(
        data["UID"],
        "arn:aws:cloudwatch:REGION:ACCOUNT_NUMBER:alarm:EXAMPLE/2015-06-03T17:43:27.123Z"
    );
    assert_eq!(data["recipientAccountId"], "210987654321");
    insta::assert_json_snapshot!("single_metric_event", data);
}

#[test]
fn metric_math_fixture_keeps_the_expressions_and_metrics() {
    let body = notification_fixture(
        "notifications/aws-lambda-go__cloudwatch-alarm-sns-payload-multiple-metrics.json",
    );
    let (event, data) = event_of(&body, &mut AlarmStateStore::in_memory());
    let TriggerKind::MetricMath { metrics, expressions } = &event.notification.kind else {
        panic!("{:?}", event.notification.kind)
    };
    assert_eq!(expressions, &["m1*1"]);
    assert_eq!(
        metrics,
        &[MetricRef {
            namespace: "AWS/EC2".into(),
            metric_name: "NetworkOut".into(),
            dimensions: vec![("InstanceId".into(), "TestInstance".into())],
        }]
    );
    let params = &data["requestParameters"];
    assert_eq!(params["metrics"].as_array().map(Vec::len), Some(2));
    assert_eq!(params["metrics"][0]["Expression"], "m1*1");
    assert!(params.get("namespace").is_none() && params.get("dimensions").is_none());
    insta::assert_json_snapshot!("metric_math_event", data);
}

#[test]
fn the_signed_notification_repeats_and_resolves_with_duration() {
    let body = notification_fixture("sns/notification-alarm-v1.json");
    let mut state = AlarmStateStore::in_memory();
    let (first, data) = event_of(&body, &mut state);
    assert_eq!(first.message_id, "5b1c9a52-0e5e-5d8c-9b1a-3f2e4d6c8a01");
    assert_eq!(first.notification.region, "us-east-1");
    assert_eq!(
        data["requestParameters"]["dimensions"],
        json!({"InstanceId": "i-0abc123def4567890"})
    );
    assert_eq!(
        data["additionalEventData"],
        json!({"repeat": false, "incidentStart": "2024-05-01T10:15:00Z"})
    );
    // Re-delivery of the same message: the same event, the same ids.
    let (again, again_data) = event_of(&body, &mut state);
    assert_eq!(again.audit_event_id(), first.audit_event_id());
    assert_eq!(again_data, data);

    // A second ALARM (another message) while in ALARM is a repeat.
    let mut repeat: Value = serde_json::from_str(&body).unwrap();
    let mut alarm: Value = serde_json::from_str(repeat["Message"].as_str().unwrap()).unwrap();
    alarm["OldStateValue"] = json!("ALARM");
    alarm["StateChangeTime"] = json!("2024-05-01T10:20:00.000+0000");
    repeat["Message"] = json!(alarm.to_string());
    repeat["MessageId"] = json!("second");
    let (second, data) = event_of(&repeat.to_string(), &mut state);
    assert_ne!(second.audit_event_id(), first.audit_event_id());
    assert_eq!(data["eventName"], "alarm.triggered");
    assert_eq!(
        data["additionalEventData"],
        json!({"repeat": true, "incidentStart": "2024-05-01T10:15:00Z"})
    );

    // OK closes the incident: 10:15:00 → 10:45:30 is 1830 s.
    alarm["OldStateValue"] = json!("ALARM");
    alarm["NewStateValue"] = json!("OK");
    alarm["StateChangeTime"] = json!("2024-05-01T10:45:30.999+0000");
    repeat["Message"] = json!(alarm.to_string());
    repeat["MessageId"] = json!("third");
    let (_, data) = event_of(&repeat.to_string(), &mut state);
    assert_eq!(data["eventName"], "alarm.resolved");
    assert_eq!(
        data["additionalEventData"],
        json!({"incidentStart": "2024-05-01T10:15:00Z", "durationSeconds": 1830})
    );
    assert_eq!(data["requestParameters"]["newState"], "OK");

    alarm["OldStateValue"] = json!("OK");
    alarm["NewStateValue"] = json!("INSUFFICIENT_DATA");
    alarm["StateChangeTime"] = json!("2024-05-01T11:00:00.000+0000");
    let (_, data) = event_of(&alarm.to_string(), &mut state);
    assert_eq!(data["eventName"], "alarm.insufficientData");
    assert!(data.get("additionalEventData").is_none());
}

#[test]
fn other_messages_are_not_alarms() {
    for (body, what) in [
        (
            notification_fixture("sns/notification-delivery-v2.json"),
            "a CloudTrail log-delivery notification",
        ),
        (
            notification_fixture("sns/notification-text-v2.json"),
            "an SNS notification with a plain-text message",
        ),
        (
            notification_fixture("notifications/aws-lambda-go__s3-event.json"),
            "an S3 event notification",
        ),
    ] {
        let messages = read_alarm_messages(&body, "raw").unwrap();
        assert_eq!(messages, vec![AlarmMessage::NotAnAlarm { what: what.into() }]);
    }
    let confirm = read_alarm_messages(
        &notification_fixture("sns/subscription-confirmation-v1.json"),
        "raw",
    )
    .unwrap();
    assert!(matches!(
        &confirm[..],
        [AlarmMessage::Confirmation {
            subscribe_url: Some(_),
            ..
        }]
    ));
    assert!(read_alarm_messages("{", "raw").is_err());
    let broken = r#"{"AlarmName":"x","NewStateValue":"NOPE","Trigger":{}}"#;
    let err = read_alarm_messages(broken, "raw").unwrap_err().to_string();
    assert_eq!(err, "alarm notification: field `AWSAccountId` is required");
}
