//! The `changes.ctlake.dev` catalog describes what `ctlake-changes` really produces: every change among real
//! CloudTrail records (`tests/fixtures/cloudtrail/`), normalized, passes the catalog without a finding.

use std::fs;

use ctlake_changes::classify::{Classifier, ClassifierConfig, Decision};
use ctlake_changes::normalize::{CHANGE_EVENT_SOURCE, NORMALIZED_VERSION, Normalizer};
use ctlake_event_sources::changes;
use serde_json::Value;

use super::{catalog, catalog_dir};

#[test]
fn the_catalog_names_the_source_and_version_the_normalizer_uses() {
    assert_eq!(changes::EVENT_SOURCE, CHANGE_EVENT_SOURCE);
    assert_eq!(
        <changes::Change as ctlake::TypedEvent>::VERSION,
        NORMALIZED_VERSION
    );
}

#[test]
fn normalized_real_changes_pass_the_catalog() {
    let catalog = catalog();
    let classifier = Classifier::new(&ClassifierConfig::default()).unwrap();
    let normalizer = Normalizer::new("123456789012".parse().unwrap());
    let mut checked = 0;
    let mut names = std::collections::BTreeSet::new();
    for entry in fs::read_dir(catalog_dir().join("tests/fixtures/cloudtrail")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let log: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        for record in log["Records"].as_array().unwrap() {
            let Decision::Keep(kept) = classifier.classify(record) else {
                continue;
            };
            let change = normalizer.normalize(record, &kept).unwrap();
            let report = catalog.check(&change.event);
            assert!(
                report.is_clean(),
                "{} {}: {report}",
                path.display(),
                record["eventID"]
            );
            names.insert(change.event.event_name().as_str().to_owned());
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} changes in the fixtures");
    assert!(names.len() >= 5, "only {names:?}");
}
