//! The generated types build exactly the catalog's examples: the catalog (through the loader) and the code
//! (through the generator) agree on every name, section and type.

use ctlake::catalog::Catalog;
use ctlake::{Envelope, EventData, EventTime, Rule};
use ctlake_event_sources::{alarms, autopatcher, changes, klarity, maestro};
use serde_json::{Map, Value, json};

use super::catalog;

/// The example `n` (from 0) of an event type of a source.
fn example(catalog: &Catalog, source: &str, event_name: &str, n: usize) -> EventData {
    let source = catalog.source(source).unwrap();
    let event = source
        .events()
        .iter()
        .find(|e| e.name().as_str() == event_name)
        .unwrap();
    event.examples()[n].event_data().clone()
}

/// The envelope of an event: everything a typed event does not hold.
fn envelope_of(event: &EventData) -> Envelope {
    let mut envelope = Envelope::new(
        event.user_identity().clone(),
        event.event_time(),
        event.uid(),
        event.recipient_account_id().clone(),
    );
    envelope.user_agent = event.user_agent().map(str::to_owned);
    envelope.source_ip_address = event.source_ip_address().map(str::to_owned);
    envelope.error_code = event.error_code().map(str::to_owned);
    envelope.error_message = event.error_message().map(str::to_owned);
    envelope
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn time(text: &str) -> EventTime {
    EventTime::parse(text).unwrap()
}

#[test]
fn klarity_discovery_rule_created() {
    let expected = example(&catalog(), klarity::EVENT_SOURCE, "discoveryRule.created", 0);
    let event = klarity::DiscoveryRuleCreated::new(
        "production web servers",
        "5f0c3e4e-8d2b-4c9a-9f1e-2a7b6c1d0e93",
        "production",
        "webshop",
    )
    .into_event_data(envelope_of(&expected))
    .unwrap();
    assert_eq!(event, expected);
    assert_eq!(klarity::DiscoveryRuleCreated::EVENT_NAME, "discoveryRule.created");
}

#[test]
fn klarity_account_added_uses_the_shared_enum() {
    let expected = example(&catalog(), klarity::EVENT_SOURCE, "account.added", 0);
    let event = klarity::AccountAdded::new("210987654321", klarity::CloudProvider::Aws)
        .with_account_name("webshop-production")
        .into_event_data(envelope_of(&expected))
        .unwrap();
    assert_eq!(event, expected);
    assert_eq!(klarity::CloudProvider::Azure.to_string(), "AZURE");
}

#[test]
fn autopatcher_failed_with_optional_counters() {
    let expected = example(
        &catalog(),
        autopatcher::EVENT_SOURCE,
        "baselinePatching.failed",
        0,
    );
    assert_eq!(expected.error_code(), Some("MaintenanceWindowExceeded"));
    let event = autopatcher::BaselinePatchingFailed::new(42)
        .with_updated_count(17)
        .with_skipped_count(2)
        .with_no_updates_count(5)
        .into_event_data(envelope_of(&expected))
        .unwrap();
    assert_eq!(event, expected);
    // Unset optional fields are left out.
    let started = autopatcher::BaselinePatchingFailed::new(3)
        .into_event_data(envelope_of(&expected))
        .unwrap();
    assert_eq!(
        Value::Object(started.request_parameters().unwrap().clone()),
        json!({"machinesCount": 3})
    );
}

#[test]
fn change_events_keep_the_original_event_name() {
    let expected = example(&catalog(), changes::EVENT_SOURCE, "*", 0);
    let mut change = changes::Change::new(
        "RunInstances",
        "c9c65128-39db-47bb-a5d8-ff3220ec9a29",
        "RunInstances",
        time("2023-07-10T12:03:44Z"),
        time("2023-07-10T12:03:44Z"),
        "IAMUser",
        vec!["ec2-instance-changes".to_owned()],
    )
    .with_ticket_url(
        "https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events/\
         c9c65128-39db-47bb-a5d8-ff3220ec9a29",
    )
    .with_user_name("jane")
    .with_user_arn("arn:aws:iam::210987654321:user/jane")
    .with_event_source("ec2.amazonaws.com")
    .with_aws_region("us-east-1")
    .with_account("210987654321")
    .with_event_type("AwsApiCall")
    .with_request_id("a3b9c1d2-1111-4c3e-9f00-5e6d7c8b9a01")
    .with_actor_kind("human");
    for (key, value) in [
        ("instanceType", json!("t3.micro")),
        ("minCount", json!(1)),
        ("maxCount", json!(1)),
        ("imageId", json!("ami-0abcdef1234567890")),
    ] {
        change = change.with_parameters(key, value.clone()).with_rp(key, value);
    }
    let event = change.into_event_data(envelope_of(&expected)).unwrap();
    assert_eq!(event, expected);
    assert!(catalog().check(&event).is_clean());
}

#[test]
fn a_change_needs_an_event_name() {
    let expected = example(&catalog(), changes::EVENT_SOURCE, "*", 0);
    let err = changes::Change::new(
        "",
        "id",
        "",
        time("2023-07-10T12:03:44Z"),
        time("2023-07-10T12:03:44Z"),
        "Root",
        vec![],
    )
    .into_event_data(envelope_of(&expected))
    .unwrap_err();
    let violation = err.violations().at("eventData.eventName").unwrap();
    assert!(matches!(violation.rule(), Rule::Pattern { .. }), "{err}");
}

#[test]
fn alarm_triggered_on_one_metric() {
    let expected = example(&catalog(), alarms::EVENT_SOURCE, "alarm.triggered", 0);
    let parameters = expected.request_parameters().unwrap();
    let event = alarms::AlarmTriggered::new(
        "api-5xx-rate",
        "210987654321",
        "eu-west-1",
        alarms::AlarmState::Ok,
        alarms::AlarmState::Alarm,
        parameters["reason"].as_str().unwrap(),
        time("2024-03-05T14:32:10Z"),
        object(parameters["trigger"].clone()),
        false,
    )
    .with_alarm_arn("arn:aws:cloudwatch:eu-west-1:210987654321:alarm:api-5xx-rate")
    .with_namespace("AWS/ApplicationELB")
    .with_metric_name("HTTPCode_Target_5XX_Count")
    .with_dimensions(object(json!({"LoadBalancer": "app/api/50dc6c495c0c9188"})))
    .with_incident_start(time("2024-03-05T14:32:10Z"))
    .into_event_data(envelope_of(&expected))
    .unwrap();
    assert_eq!(event, expected);
}

#[test]
fn alarm_triggered_again_by_metric_math() {
    let expected = example(&catalog(), alarms::EVENT_SOURCE, "alarm.triggered", 1);
    let parameters = expected.request_parameters().unwrap();
    let metrics = parameters["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .cloned()
        .map(object)
        .collect();
    let event = alarms::AlarmTriggered::new(
        "network-out",
        "210987654321",
        "eu-west-1",
        alarms::AlarmState::Alarm,
        alarms::AlarmState::Alarm,
        parameters["reason"].as_str().unwrap(),
        time("2024-03-05T14:37:10Z"),
        object(parameters["trigger"].clone()),
        true,
    )
    .with_metrics(metrics)
    .with_incident_start(time("2024-03-05T14:32:10Z"))
    .into_event_data(envelope_of(&expected))
    .unwrap();
    assert_eq!(event, expected);
    assert_eq!(event.additional_event_data().unwrap()["repeat"], true);
}

#[test]
fn alarm_resolved_records_the_duration() {
    let expected = example(&catalog(), alarms::EVENT_SOURCE, "alarm.resolved", 0);
    let parameters = expected.request_parameters().unwrap();
    let event = alarms::AlarmResolved::new(
        "api-5xx-rate",
        "210987654321",
        "eu-west-1",
        alarms::AlarmState::Alarm,
        alarms::AlarmState::Ok,
        parameters["reason"].as_str().unwrap(),
        time("2024-03-05T14:52:40Z"),
        object(parameters["trigger"].clone()),
    )
    .with_alarm_arn("arn:aws:cloudwatch:eu-west-1:210987654321:alarm:api-5xx-rate")
    .with_namespace("AWS/ApplicationELB")
    .with_metric_name("HTTPCode_Target_5XX_Count")
    .with_incident_start(time("2024-03-05T14:32:10Z"))
    .with_duration_seconds(1230)
    .into_event_data(envelope_of(&expected))
    .unwrap();
    assert_eq!(event, expected);
    assert_eq!(alarms::AlarmState::InsufficientData.as_str(), "INSUFFICIENT_DATA");
}

#[test]
fn maestro_has_only_its_reserved_source() {
    assert_eq!(maestro::EVENT_SOURCE, "com.nordcloudapp.maestro");
    assert!(
        catalog()
            .source(maestro::EVENT_SOURCE)
            .unwrap()
            .events()
            .is_empty()
    );
}

#[test]
fn every_module_constant_is_a_source_of_the_catalog() {
    let catalog = catalog();
    let constants = [
        ctlake_event_sources::alarms::EVENT_SOURCE,
        ctlake_event_sources::autobackup::EVENT_SOURCE,
        ctlake_event_sources::autopatcher::EVENT_SOURCE,
        ctlake_event_sources::changes::EVENT_SOURCE,
        ctlake_event_sources::imagefactory::EVENT_SOURCE,
        ctlake_event_sources::klarity::EVENT_SOURCE,
        ctlake_event_sources::maestro::EVENT_SOURCE,
    ];
    let declared: Vec<&str> = catalog.sources().iter().map(|s| s.event_source()).collect();
    assert_eq!(declared, constants);
}
