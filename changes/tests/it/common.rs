//! Helpers shared by the integration tests.

use std::io::{Read, Write};
use std::path::PathBuf;

use ctlake::AccountId;
use ctlake_changes::classify::Classifier;
use ctlake_changes::normalize::Normalizer;
use ctlake_changes::pipeline::{Changes, Ingest, Outcome};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::Value;

/// The channel owner used by the tests.
pub(crate) const CHANNEL_ACCOUNT: &str = "111122223333";

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

/// The bytes of a fixture, decompressed.
pub(crate) fn fixture_text(prefix: &str) -> Vec<u8> {
    let path = cloudtrail_fixture(prefix);
    let mut bytes = std::fs::read(&path).unwrap();
    if path.extension().is_some_and(|ext| ext == "gz") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .unwrap();
        bytes = out;
    }
    bytes
}

/// The records of a fixture, parsed independently of the crate's reader (plain serde_json, whole file).
pub(crate) fn fixture_records(prefix: &str) -> Vec<Value> {
    match serde_json::from_slice::<Value>(&fixture_text(prefix)).unwrap() {
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

/// Gzip-compresses bytes.
pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// An ingest with the default rules for the test channel.
pub(crate) fn default_ingest() -> Ingest {
    Ingest::new(
        Classifier::default(),
        Normalizer::new(AccountId::try_from(CHANNEL_ACCOUNT).unwrap()),
    )
}

/// Takes every change; `decide(i)` gives the outcome of the i-th (`None` drops its ticket unfinished).
/// Returns the source eventIDs in the order received, with the audit-event ids.
pub(crate) async fn drain(
    mut changes: Changes,
    decide: impl Fn(usize) -> Option<Outcome>,
) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    while let Some(change) = changes.recv().await {
        seen.push((
            change.change.source_event_id.clone(),
            change.change.audit_event.id().to_string(),
        ));
        match decide(seen.len() - 1) {
            Some(outcome) => change.ticket.complete(outcome),
            None => drop(change.ticket),
        }
    }
    seen
}

/// Sorted eventIDs of drained changes.
pub(crate) fn sorted_ids(seen: &[(String, String)]) -> Vec<String> {
    let mut ids: Vec<String> = seen.iter().map(|(id, _)| id.clone()).collect();
    ids.sort();
    ids
}

/// Sorted strings.
pub(crate) fn sorted(ids: &[&str]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
    ids.sort();
    ids
}

/// The eventIDs the default rules keep in each fixture (see `fixtures.rs`, where each is justified).
pub(crate) mod kept {
    pub(crate) const INVICTUS_1205: &[&str] = &[
        "b58e2c0b-f75b-4f05-a0e9-15e9b9bfecef",
        "988f1043-3e3d-4d84-803b-1b4d00e0df90",
        "ad384a22-c03e-4f3c-8520-86a31e79378d",
        "98cf02da-a187-453b-87fe-884d93a06a4c",
        "076e96d5-2983-473f-920a-2fc2d7e02777",
        "802075d5-9761-417d-a32a-3277cd1dfc12",
        "39b115ed-5806-43b7-abd5-c4e078b1528a",
        "a3fbe842-f8df-4bb3-accf-1407cc925cbd",
        "f94192be-ac87-46a2-9b88-ffb245b37ec6",
    ];
    pub(crate) const INVICTUS_1210: &[&str] = &["c9c65128-39db-47bb-a5d8-ff3220ec9a29"];
    pub(crate) const STRATUS_CLOUDTRAIL_STOP: &[&str] = &["10163ed2-2253-469d-a5ee-cbc6651f8934"];
    pub(crate) const STRATUS_SG_OPEN: &[&str] = &["9fd68588-ecbf-4528-a345-199fa6bb0821"];
    pub(crate) const STRATUS_IAM_ADMIN: &[&str] = &[
        "083dc4ad-e264-46bc-a407-d0dd31b58bdc",
        "94faedcc-0fa4-46e6-9322-022e8e934f04",
        "3346344c-5a3e-429e-8405-420f98f75d6e",
    ];
}

/// Fixture name prefixes.
pub(crate) mod names {
    pub(crate) const INVICTUS_1205: &str =
        "invictus-aws_dataset__218007301253_CloudTrail_us-east-1_20230710T1205Z";
    pub(crate) const INVICTUS_1210: &str =
        "invictus-aws_dataset__218007301253_CloudTrail_us-east-1_20230710T1210Z";
    pub(crate) const STRATUS_CLOUDTRAIL_STOP: &str = "stratus-red-team__aws.defense-evasion.cloudtrail-stop";
    pub(crate) const STRATUS_SG_OPEN: &str =
        "stratus-red-team__aws.exfiltration.ec2-security-group-open-port-22";
    pub(crate) const STRATUS_IAM_ADMIN: &str = "stratus-red-team__aws.persistence.iam-create-admin-user";
    pub(crate) const TRAILSCRAPER: &str = "trailscraper__111111111111_CloudTrail_eu-central-1";
}
