//! Helpers shared by the integration tests.

use std::io::Read;
use std::path::PathBuf;

use serde_json::Value;

/// Folder of the CloudTrail fixtures copied from `shared/fixtures/cloudtrail` (see `tests/fixtures/SOURCES.md`).
pub(crate) fn cloudtrail_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cloudtrail")
}

/// Path of the CloudTrail fixture whose file name starts with `prefix`.
pub(crate) fn cloudtrail_fixture(prefix: &str) -> PathBuf {
    let mut found = std::fs::read_dir(cloudtrail_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.file_name().unwrap().to_str().unwrap().starts_with(prefix))
        .collect::<Vec<_>>();
    assert_eq!(
        found.len(),
        1,
        "fixture prefix {prefix} must name exactly one file"
    );
    found.remove(0)
}

/// The records of a fixture, parsed independently of the crate's reader (plain serde_json, whole file).
pub(crate) fn fixture_records(prefix: &str) -> Vec<Value> {
    let path = cloudtrail_fixture(prefix);
    let mut bytes = std::fs::read(&path).unwrap();
    if path.extension().is_some_and(|ext| ext == "gz") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .unwrap();
        bytes = out;
    }
    match serde_json::from_slice::<Value>(&bytes).unwrap() {
        Value::Object(mut map) => match map.remove("Records") {
            Some(Value::Array(records)) => records,
            other => panic!("no Records array: {other:?}"),
        },
        Value::Array(records) => records,
        other => panic!("unexpected fixture shape: {other}"),
    }
}

/// The record with `event_id` from a fixture.
pub(crate) fn fixture_record(prefix: &str, event_id: &str) -> Value {
    fixture_records(prefix)
        .into_iter()
        .find(|r| r["eventID"] == event_id)
        .unwrap_or_else(|| panic!("{event_id} not in {prefix}"))
}
