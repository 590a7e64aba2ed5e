//! Checking events against a catalog: every error and warning, for typed events and untrusted JSON.

use serde_json::{Value, json};

use super::*;
use crate::catalog::{CheckReport, Problem, Severity};
use crate::{EventData, JsonType};

fn catalog() -> Catalog {
    Catalog::from_files([
        SourceFile::new("demo", "demo/source.toml", DEMO),
        SourceFile::new("full", "full/source.toml", FULL),
        SourceFile::new(
            "parked",
            "parked/source.toml",
            "[source]\nevent_source = \"com.example.parked\"\nproduct = \"Parked\"\nowner = \"Example\"\n\
             description = \"Reserved for later.\"\nstatus = \"reserved\"\n",
        ),
    ])
    .unwrap()
}

/// A valid `job.finished` event (every required field), as JSON, with `edit` applied.
fn job(edit: impl FnOnce(&mut Value)) -> Value {
    let mut event = json!({
        "version": "v2",
        "userIdentity": {"type": "USER", "principalId": "jane@example.com"},
        "eventSource": "com.example.full",
        "eventName": "job.finished",
        "eventTime": "2024-03-01T10:00:00Z",
        "UID": "u-1",
        "recipientAccountId": "123456789012",
        "requestParameters": {
            "jobId": "j-1",
            "attempts": 2,
            "startedAt": "2024-03-01T09:00:00Z",
            "outcome": "SUCCEEDED"
        }
    });
    edit(&mut event);
    event
}

/// Checks the JSON both as a typed event (it must pass the SDK's rules) and as untrusted JSON; the two
/// reports must agree.
fn check(event: &Value) -> CheckReport {
    let catalog = catalog();
    let typed: EventData = serde_json::from_value(event.clone()).unwrap();
    let report = catalog.check(&typed);
    assert_eq!(report, catalog.check_json(event), "check and check_json disagree");
    report
}

fn lines(report: &CheckReport) -> Vec<String> {
    report.to_string().lines().map(str::to_owned).collect()
}

#[test]
fn a_valid_event_is_clean() {
    let report = check(&job(|_| {}));
    assert!(report.is_clean() && report.is_ok(), "{report}");
    assert_eq!(report.to_string(), "");
}

#[test]
fn every_example_of_the_catalog_is_clean() {
    let catalog = catalog();
    let mut n = 0;
    for source in catalog.sources() {
        for event in source.events() {
            for example in event.examples() {
                assert!(catalog.check(example.event_data()).is_clean());
                n += 1;
            }
        }
    }
    assert_eq!(n, 5);
}

#[test]
fn unknown_source_suggests_a_close_name() {
    let report = check(&job(|e| e["eventSource"] = json!("com.example.fuller")));
    assert_eq!(
        lines(&report),
        [
            "error: eventData.eventSource: \"com.example.fuller\" is not an event source of the catalog (did you \
          mean \"com.example.full\"?)"
        ]
    );
    assert_eq!(
        report.findings()[0].problem(),
        &Problem::UnknownSource {
            event_source: "com.example.fuller".into(),
            did_you_mean: Some("com.example.full".into()),
        }
    );
    let report = check(&job(|e| e["eventSource"] = json!("app.unrelated.org")));
    assert_eq!(
        lines(&report),
        ["error: eventData.eventSource: \"app.unrelated.org\" is not an event source of the catalog"]
    );
}

#[test]
fn undeclared_event_name() {
    let report = check(&job(|e| e["eventName"] = json!("job.started")));
    assert_eq!(
        lines(&report),
        [
            "error: eventData.eventName: \"job.started\" is not an event type of the source; declared: \
          \"job.finished\", \"job.queued\", \"Job*\""
        ]
    );
    assert!(!report.is_ok());
}

#[test]
fn a_pattern_event_type_takes_every_matching_name() {
    let report = check(&job(|e| {
        e["eventName"] = json!("JobRestart");
        e["version"] = json!("1");
        e["requestParameters"] = json!({"anything": [1, 2], "goes": null});
    }));
    assert!(report.is_clean(), "{report}");
}

#[test]
fn a_reserved_source_declares_nothing_yet() {
    let report = check(&job(|e| e["eventSource"] = json!("com.example.parked")));
    assert_eq!(
        lines(&report),
        [
            "error: eventData.eventName: \"job.finished\" is not declared: the source is reserved but declares no \
          event types yet"
        ]
    );
}

#[test]
fn missing_required_fields() {
    let report = check(&job(|e| {
        let rp = e["requestParameters"].as_object_mut().unwrap();
        rp.remove("jobId");
        rp.insert("attempts".into(), Value::Null);
    }));
    assert_eq!(
        lines(&report),
        [
            "error: eventData.requestParameters.jobId: required field is missing (required by job.finished, \
             declared at full/source.toml:23:5)",
            "error: eventData.requestParameters.attempts: required field is missing (required by job.finished, \
             declared at full/source.toml:24:5)",
        ]
    );
    // Without the section, every required field of it is missing.
    let report = check(&job(|e| {
        e.as_object_mut().unwrap().remove("requestParameters");
    }));
    assert_eq!(report.errors().count(), 4);
    assert!(
        report
            .errors()
            .all(|f| matches!(f.problem(), Problem::MissingField { .. }))
    );
    // A missing optional field is fine, and so is an optional one set to null.
    let report = check(&job(|e| e["requestParameters"]["ratio"] = Value::Null));
    assert!(report.is_clean(), "{report}");
}

#[test]
fn wrong_types_of_every_kind() {
    let report = check(&job(|e| {
        e["requestParameters"] = json!({
            "jobId": 7,
            "attempts": 1.5,
            "ratio": "half",
            "dryRun": "no",
            "startedAt": 1_700_000_000,
            "outcome": "DONE",
            "priority": 1,
            "type": false
        });
        e["responseElements"] = json!({
            "output": [],
            "tags": ["a", 2],
            "raw": {},
            "note": {"any": ["thing"]}
        });
        e["additionalEventData"] = json!({"label_x": 1, "metric_y": "fast"});
    }));
    assert_eq!(
        lines(&report),
        [
            "error: eventData.requestParameters.jobId: must be string, found a number",
            "error: eventData.requestParameters.attempts: must be integer, found a number",
            "error: eventData.requestParameters.ratio: must be number, found a string",
            "error: eventData.requestParameters.dryRun: must be boolean, found a string",
            "error: eventData.requestParameters.startedAt: must be timestamp, found a number",
            "error: eventData.requestParameters.outcome: \"DONE\" is not one of the allowed values \"SUCCEEDED\", \
             \"FAILED\", \"timed-out\"",
            "error: eventData.requestParameters.priority: must be enum (LOW, HIGH), found a number",
            "error: eventData.requestParameters.type: must be string, found a boolean",
            "error: eventData.responseElements.output: must be object, found an array",
            "error: eventData.responseElements.tags[1]: must be string, found a number",
            "error: eventData.responseElements.raw: must be array, found an object",
            "error: eventData.additionalEventData.label_x: must be string, found a number",
            "error: eventData.additionalEventData.metric_y: must be number, found a string",
        ]
    );
    assert_eq!(
        report.at("eventData.requestParameters.jobId").unwrap().problem(),
        &Problem::WrongType {
            expected: "string".into(),
            found: JsonType::Number
        }
    );
}

#[test]
fn integers_may_be_any_whole_number_and_timestamps_need_the_eventtime_form() {
    let report = check(&job(|e| e["requestParameters"]["attempts"] = json!(u64::MAX)));
    assert!(report.is_clean(), "{report}");
    let report = check(&job(|e| {
        e["requestParameters"]["startedAt"] = json!("2024-03-01 09:00:00")
    }));
    assert_eq!(
        lines(&report),
        [
            "error: eventData.requestParameters.startedAt: \"2024-03-01 09:00:00\" is not a UTC timestamp of the \
          form yyyy-MM-ddTHH:mm:ssZ"
        ]
    );
}

#[test]
fn undeclared_fields_are_warnings() {
    let report = check(&job(|e| {
        e["requestParameters"]["colour"] = json!("red");
        e["additionalEventData"] = json!({"label_team": "ops", "mood": "good"});
    }));
    assert_eq!(
        lines(&report),
        [
            "warning: eventData.requestParameters.colour: field is not declared by job.finished",
            "warning: eventData.additionalEventData.mood: field is not declared by job.finished",
        ]
    );
    assert!(report.is_ok() && !report.is_clean());
    assert_eq!(report.warnings().count(), 2);
    assert!(report.warnings().all(|w| w.severity() == Severity::Warning));
}

#[test]
fn another_version_is_a_warning() {
    let report = check(&job(|e| e["version"] = json!("v1")));
    assert_eq!(
        lines(&report),
        ["warning: eventData.version: \"v1\" is not the declared version \"v2\""]
    );
}

#[test]
fn check_json_reads_records_and_reports_non_objects() {
    let catalog = catalog();
    let bare = job(|e| e["requestParameters"]["jobId"] = json!(1));
    let expected = catalog.check_json(&bare);
    assert_eq!(expected.errors().count(), 1);
    let as_string = json!({"id": "r-1", "eventData": bare.to_string()});
    assert_eq!(catalog.check_json(&as_string), expected);
    let as_object = json!({"id": "r-1", "eventData": bare});
    assert_eq!(catalog.check_json(&as_object), expected);

    let report = catalog.check_json(&job(|e| e["responseElements"] = json!("text")));
    assert_eq!(
        lines(&report),
        ["error: eventData.responseElements: must be a JSON object, found a string"]
    );
    // What the catalog cannot read is left to the SDK's validation.
    for unreadable in [
        json!({"eventData": "{not json"}),
        json!(["not", "an", "object"]),
        job(|e| e["eventSource"] = json!(42)),
    ] {
        assert!(catalog.check_json(&unreadable).is_clean(), "{unreadable}");
    }
    // Without an eventName only the source is checked.
    let report = catalog.check_json(&job(|e| {
        e.as_object_mut().unwrap().remove("eventName");
    }));
    assert!(report.is_clean(), "{report}");
}
