//! Typed events from a shipped event-source catalog, printed as the `eventData` CloudTrail Lake receives.
//!
//! Run it with `cargo run -p catalog-events`. It builds one event of IBM Multicloud Accelerator
//! (`com.nordcloudapp.klarity`), one of AutoPatcher and one of ctlake's own alarm source with the types
//! generated from `event-sources/*/source.toml` (crate `ctlake-event-sources`), and prints each `eventData` on a
//! line. A required field left out of a `new(…)` call would not compile; `eventSource`, `eventName` and `version`
//! come from the catalog.

use ctlake::{AccountId, Envelope, EventData, EventTime, UserIdentity};
use ctlake_event_sources::{alarms, autopatcher, klarity};

/// The events the example prints.
fn events() -> Result<Vec<EventData>, Box<dyn std::error::Error>> {
    let jane = UserIdentity::builder()
        .r#type("USER")
        .principal_id("jane.doe@example.com")
        .build()?;
    let channel_owner: AccountId = "123456789012".parse()?;
    let at = |time: &str| EventTime::parse(time);

    let rule =
        klarity::DiscoveryRuleCreated::new("production web servers", "rule-17", "production", "webshop")
            .into_event_data(Envelope::new(
                jane.clone(),
                at("2024-05-01T09:30:00Z")?,
                "klarity-7f3a",
                channel_owner.clone(),
            ))?;

    let patching = autopatcher::BaselinePatchingFailed::new(42)
        .with_updated_count(17)
        .into_event_data(
            Envelope::new(
                jane,
                at("2024-05-01T23:10:00Z")?,
                "patch-run-981",
                channel_owner.clone(),
            )
            .with_error(
                "MaintenanceWindowExceeded",
                "The run did not finish within its window.",
            ),
        )?;

    let mut trigger = serde_json::Map::new();
    trigger.insert("MetricName".into(), "HTTPCode_Target_5XX_Count".into());
    trigger.insert("Namespace".into(), "AWS/ApplicationELB".into());
    trigger.insert("Threshold".into(), 5.0.into());
    let alarm = alarms::AlarmTriggered::new(
        "api-5xx-rate",
        "210987654321",
        "eu-west-1",
        alarms::AlarmState::Ok,
        alarms::AlarmState::Alarm,
        "Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).",
        at("2024-05-02T14:32:10Z")?,
        trigger,
        false,
    )
    .with_namespace("AWS/ApplicationELB")
    .with_metric_name("HTTPCode_Target_5XX_Count")
    .into_event_data(Envelope::new(
        UserIdentity::builder()
            .r#type("AWSService")
            .principal_id("cloudwatch.amazonaws.com")
            .build()?,
        at("2024-05-02T14:32:10Z")?,
        "api-5xx-rate/2024-05-02T14:32:10Z",
        channel_owner,
    ))?;

    Ok(vec![rule, patching, alarm])
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for event in events()? {
        println!("{}", event.to_json());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use ctlake::catalog::Catalog;

    use super::events;

    #[test]
    fn the_printed_events_are_valid_for_lake_and_the_catalog() {
        let catalog =
            Catalog::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../event-sources")).unwrap();
        let events = events().unwrap();
        let names: Vec<&str> = events.iter().map(|e| e.event_name().as_str()).collect();
        assert_eq!(
            names,
            [
                "discoveryRule.created",
                "baselinePatching.failed",
                "alarm.triggered"
            ]
        );
        for event in &events {
            event.validate().unwrap();
            let report = catalog.check(event);
            assert!(report.is_clean(), "{}: {report}", event.event_name());
        }
        let printed: serde_json::Value = serde_json::from_str(&events[0].to_json()).unwrap();
        assert_eq!(
            printed,
            serde_json::json!({
                "version": "v1",
                "userIdentity": {"type": "USER", "principalId": "jane.doe@example.com"},
                "eventSource": "com.nordcloudapp.klarity",
                "eventName": "discoveryRule.created",
                "eventTime": "2024-05-01T09:30:00Z",
                "UID": "klarity-7f3a",
                "requestParameters": {
                    "ruleName": "production web servers",
                    "ruleId": "rule-17",
                    "environment": "production",
                    "application": "webshop"
                },
                "recipientAccountId": "123456789012"
            })
        );
        assert_eq!(events[1].error_code(), Some("MaintenanceWindowExceeded"));
    }
}
