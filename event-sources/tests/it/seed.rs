//! The example events published by the seed repository (nordcloud/cloudtrail-activity-events, restated from
//! `seed-event-sources.md`: each example's `eventData` object) are rejected by the shipped catalog and the
//! SDK's validation for exactly their defects — the wrong source `com.nordcloudapp.com.<product>`, the
//! `eventTime` `202-07-12T10:55:00` (a three-digit year and no `Z`) and the missing `recipientAccountId` — and
//! pass once those are corrected.

use ctlake::catalog::Problem;
use ctlake::{ParseError, Rule};
use serde_json::{Value, json};

use super::catalog;

/// The published examples' `eventData`, as published.
fn published() -> Vec<Value> {
    let event = |source: &str, name: &str, parameters: Value| {
        json!({
            "version": "v1",
            "userIdentity": {"type": "USER", "principalId": "name@example.com"},
            "eventSource": source,
            "eventName": name,
            "eventTime": "202-07-12T10:55:00",
            "UID": "UUID",
            "requestParameters": parameters
        })
    };
    vec![
        event(
            "com.nordcloudapp.com.klarity",
            "discoveryRule.created",
            json!({"ruleName": "test", "ruleId": "UUID", "environment": "testEnv", "application": "testApp"}),
        ),
        event(
            "com.nordcloudapp.com.autobackup",
            "backup.started",
            json!({"resourceType": "DynamoDB", "resourceArn": "ARN", "region": "eu-west-1", "backupPolicy": "UUID"}),
        ),
    ]
}

/// The same examples with the three defects corrected.
fn corrected(mut event: Value) -> Value {
    let source = event["eventSource"]
        .as_str()
        .unwrap()
        .replace("com.nordcloudapp.com.", "com.nordcloudapp.");
    event["eventSource"] = json!(source);
    event["eventTime"] = json!("2022-07-12T10:55:00Z");
    event["recipientAccountId"] = json!("123456789012");
    event
}

#[test]
fn published_examples_are_rejected_for_exactly_their_defects() {
    let catalog = catalog();
    for event in published() {
        let source = event["eventSource"].as_str().unwrap().to_owned();

        // The SDK: the eventTime and the missing recipientAccountId, nothing else.
        let err = ctlake::parse(event.to_string()).unwrap_err();
        let ParseError::Invalid(violations) = &err else {
            panic!("{source}: not a schema error: {err}");
        };
        let found: Vec<(&str, &Rule)> = violations.iter().map(|v| (v.path(), v.rule())).collect();
        assert_eq!(found.len(), 2, "{source}: {err}");
        assert!(
            matches!(found[0], ("eventData.eventTime", Rule::InvalidTime(_))),
            "{source}: {err}"
        );
        assert_eq!(
            found[1],
            ("eventData.recipientAccountId", &Rule::Required),
            "{source}: {err}"
        );

        // The catalog: the source, and it names the reserved one.
        let report = catalog.check_json(&event);
        let expected = source.replace("com.nordcloudapp.com.", "com.nordcloudapp.");
        assert_eq!(report.findings().len(), 1, "{source}: {report}");
        assert_eq!(
            report.findings()[0].problem(),
            &Problem::UnknownSource {
                event_source: source.clone(),
                did_you_mean: Some(expected.clone()),
            }
        );
        assert_eq!(
            report.to_string(),
            format!(
                "error: eventData.eventSource: \"{source}\" is not an event source of the catalog (did you mean \
                 \"{expected}\"?)"
            )
        );
    }
}

#[test]
fn corrected_examples_pass() {
    let catalog = catalog();
    for event in published().into_iter().map(corrected) {
        let parsed = ctlake::parse(event.to_string()).unwrap_or_else(|e| panic!("{event}: {e}"));
        let report = catalog.check(parsed.event_data());
        assert!(report.is_clean(), "{event}: {report}");
        assert!(catalog.check_json(&event).is_clean());
    }
}

#[test]
fn each_defect_alone_is_found() {
    let catalog = catalog();
    let good = corrected(published().remove(0));
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut event = good.clone();
        edit(&mut event);
        event
    };
    let wrong_source = with(&|e| e["eventSource"] = json!("com.nordcloudapp.com.klarity"));
    assert!(ctlake::parse(wrong_source.to_string()).is_ok());
    assert!(!catalog.check_json(&wrong_source).is_ok());

    let bad_time = with(&|e| e["eventTime"] = json!("202-07-12T10:55:00"));
    assert!(catalog.check_json(&bad_time).is_clean());
    let err = ctlake::parse(bad_time.to_string()).unwrap_err();
    assert_eq!(err.violations().unwrap().len(), 1, "{err}");
    assert!(err.violations().unwrap().at("eventData.eventTime").is_some());

    let no_recipient = with(&|e| {
        e.as_object_mut().unwrap().remove("recipientAccountId");
    });
    assert!(catalog.check_json(&no_recipient).is_clean());
    let err = ctlake::parse(no_recipient.to_string()).unwrap_err();
    assert_eq!(
        err.violations()
            .unwrap()
            .at("eventData.recipientAccountId")
            .unwrap()
            .rule(),
        &Rule::Required
    );
}

#[test]
fn autopatcher_misspelled_counter_is_caught() {
    // The seed repository spells the last AutoPatcher counter `noUpdatesCOunt`.
    let event = json!({
        "version": "v1",
        "userIdentity": {"type": "USER", "principalId": "name@example.com"},
        "eventSource": "com.nordcloudapp.autopatcher",
        "eventName": "baselinePatching.completed",
        "eventTime": "2022-07-12T10:55:00Z",
        "UID": "UUID",
        "recipientAccountId": "123456789012",
        "requestParameters": {"machinesCount": 4, "updatedCount": 2, "skippedCount": 1, "noUpdatesCOunt": 1}
    });
    let report = catalog().check_json(&event);
    assert_eq!(
        report.to_string(),
        format!(
            "error: eventData.requestParameters.noUpdatesCount: required field is missing (required by \
             baselinePatching.completed, declared at {}:54:5)\n\
             warning: eventData.requestParameters.noUpdatesCOunt: field is not declared by \
             baselinePatching.completed",
            super::catalog_dir()
                .join("autopatcher")
                .join("source.toml")
                .display()
        )
    );
}

#[test]
fn maestro_is_reserved_without_event_types() {
    let event = json!({
        "version": "v1",
        "userIdentity": {"type": "USER", "principalId": "name@example.com"},
        "eventSource": "com.nordcloudapp.maestro",
        "eventName": "deployment.created",
        "eventTime": "2022-07-12T10:55:00Z",
        "UID": "UUID",
        "recipientAccountId": "123456789012"
    });
    let report = catalog().check_json(&event);
    assert_eq!(
        report.to_string(),
        "error: eventData.eventName: \"deployment.created\" is not declared: the source is reserved but declares \
         no event types yet"
    );
}
