//! ingest-changes: local CloudTrail logs into the local Lake through the publisher — the summary, the reject
//! file, the exit code, the checkpoint and the published journal.

use std::path::Path;

use serde_json::{Value, json};

use crate::harness::{Lake, count};

/// The fixtures and the changes they hold (checked by hand in `changes/tests/it/fixtures.rs`).
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cloudtrail");
const CHANGES: [&str; 4] = [
    "083dc4ad-e264-46bc-a407-d0dd31b58bdc", // AttachUserPolicy
    "94faedcc-0fa4-46e6-9322-022e8e934f04", // CreateAccessKey
    "3346344c-5a3e-429e-8405-420f98f75d6e", // CreateUser
    "10163ed2-2253-469d-a5ee-cbc6651f8934", // StopLogging
];

fn copy_fixtures(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(FIXTURES).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}

fn uids(lake: &Lake, store: &str) -> Vec<String> {
    let id = store.rsplit('/').next().unwrap();
    let sql = format!(
        "SELECT eventData.UID FROM {id} WHERE eventData.eventSource = 'changes.ctlake.dev' ORDER BY eventData.UID"
    );
    let run = lake.ctlake(&["--output", "json", "query", &sql]);
    assert_eq!(run.code, 0, "{run:?}");
    run.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["UID"].as_str().unwrap().to_owned())
        .collect()
}

fn sorted(ids: &[&str]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
    ids.sort();
    ids
}

#[test]
fn local_logs_are_published_once_and_bad_input_goes_to_the_reject_file() {
    let lake = Lake::start();
    let bundle = lake.enable(&[]);
    let channel = bundle["channelArn"].as_str().unwrap();
    let store = bundle["eventDataStoreArn"].as_str().unwrap();
    let logs = lake.path("logs");
    copy_fixtures(&logs);
    // A write without eventTime cannot be normalized; a file cut short is unreadable after its first record.
    std::fs::write(
        logs.join("no-time.json"),
        json!({"Records": [{"eventVersion": "1.08", "eventID": "e-no-time", "eventSource": "ec2.amazonaws.com",
            "eventName": "RunInstances", "readOnly": false, "eventType": "AwsApiCall", "awsRegion": "us-east-1",
            "userIdentity": {"type": "IAMUser", "userName": "x", "accountId": "123456789012"}}]})
        .to_string(),
    )
    .unwrap();
    std::fs::write(
        logs.join("cut.json"),
        "{\"Records\":[{\"eventID\":\"a\"},{\"eventID\":",
    )
    .unwrap();

    let args = [
        "--output",
        "json",
        "ingest-changes",
        "logs",
        "--channel-arn",
        channel,
        "--reject-file",
        "rejects.jsonl",
    ];
    let run = lake.ctlake(&args);
    assert_eq!(run.code, 1, "{run:?}");
    let summary = run.json();
    assert_eq!(summary["changes"], 4, "{summary}");
    assert_eq!(summary["published"], 4);
    assert_eq!(summary["rejected"], 0);
    assert_eq!(summary["malformed"], 2, "{summary}");
    assert_eq!(summary["objectsFailed"], 1);
    assert_eq!(summary["complete"], false);
    assert_eq!(summary["changesByRule"], json!({"default": 4}));
    assert_eq!(uids(&lake, store), sorted(&CHANGES));

    let rejects: Vec<Value> = std::fs::read_to_string(lake.path("rejects.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut described: Vec<(String, Option<u64>, String)> = rejects
        .iter()
        .map(|r| {
            assert_eq!(r["source"], "input", "{r}");
            (
                Path::new(r["object"].as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                r["record"].as_u64(),
                r["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    described.sort();
    assert_eq!(
        described,
        [
            ("cut.json".to_owned(), None, "UnreadableObject".to_owned()),
            ("cut.json".to_owned(), Some(0), "MalformedRecord".to_owned()),
            ("no-time.json".to_owned(), Some(0), "MalformedRecord".to_owned()),
        ],
        "{rejects:?}"
    );
    let unreadable = rejects.iter().find(|r| r["code"] == "UnreadableObject").unwrap();
    assert!(
        unreadable["message"].as_str().unwrap().contains("record 1"),
        "{unreadable}"
    );

    // A second run: the complete objects are checkpointed, the broken one is read again and nothing is sent
    // twice.
    let run = lake.ctlake(&args);
    assert_eq!(run.code, 1, "{run:?}");
    let again = run.json();
    assert_eq!(again["published"], 0, "{again}");
    assert!(
        again["objectsSkipped"]["already processed (checkpoint)"]
            .as_u64()
            .unwrap()
            >= 3,
        "{again}"
    );
    assert_eq!(
        count(&lake, store, "WHERE eventData.eventSource = 'changes.ctlake.dev'"),
        (4, 4)
    );
}

#[test]
fn published_changes_of_a_partly_read_object_are_not_sent_again() {
    let lake = Lake::start();
    let bundle = lake.enable(&[]);
    let channel = bundle["channelArn"].as_str().unwrap();
    let store = bundle["eventDataStoreArn"].as_str().unwrap();
    let logs = lake.path("logs");
    copy_fixtures(&logs);
    // An earlier run was stopped after Lake accepted two of the changes: they are in the journal, their object
    // is not in the checkpoint. Publish those two the way that run did.
    std::fs::create_dir_all(lake.path(".ctlake")).unwrap();
    let first = lake.ctlake(&[
        "ingest-changes",
        "logs/stratus-red-team__aws.persistence.iam-create-admin-user.json",
        "--channel-arn",
        channel,
        "--checkpoint",
        "other.checkpoint",
    ]);
    assert_eq!(first.code, 0, "{first:?}");
    std::fs::write(
        lake.path(".ctlake/ingest-changes.checkpoint.published"),
        format!("{}\n{}\n", CHANGES[0], CHANGES[1]),
    )
    .unwrap();
    assert_eq!(count(&lake, store, ""), (3, 3));

    let run = lake.ctlake(&[
        "--output",
        "json",
        "ingest-changes",
        "logs",
        "--channel-arn",
        channel,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let summary = run.json();
    assert_eq!(summary["alreadyPublished"], 2, "{summary}");
    assert_eq!(summary["published"], 2, "{summary}");
    assert_eq!(summary["complete"], true);
    // CreateUser (not journaled) was sent again: the only duplicate is the one the journal did not know about.
    assert_eq!(count(&lake, store, ""), (5, 4));
    assert_eq!(uids(&lake, store).len(), 5);
}

#[test]
fn dry_run_prints_the_events_and_publishes_nothing() {
    let lake = Lake::start();
    let bundle = lake.enable(&[]);
    let channel = bundle["channelArn"].as_str().unwrap();
    let store = bundle["eventDataStoreArn"].as_str().unwrap();
    copy_fixtures(&lake.path("logs"));
    let run = lake.ctlake(&[
        "ingest-changes",
        "logs",
        "--channel-arn",
        channel,
        "--dry-run",
        "--rules",
        "cis",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let events: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut printed: Vec<&str> = events.iter().map(|e| e["UID"].as_str().unwrap()).collect();
    printed.sort_unstable();
    // The cis rule set also keeps the denied LeaveOrganization (its `authorization-failures` and `organizations-changes` rules).
    let leave = "16903cbd-fdff-4818-82f2-d66ad09aaf57";
    let mut expected = CHANGES.to_vec();
    expected.push(leave);
    assert_eq!(printed, sorted(&expected));
    let denied = events.iter().find(|e| e["UID"] == leave).unwrap();
    assert_eq!(denied["eventName"], "LeaveOrganization");
    assert_eq!(
        denied["additionalEventData"]["matched_rules"],
        json!(["authorization-failures", "organizations-changes"]),
        "{denied}"
    );
    for event in &events {
        assert_eq!(event["eventSource"], "changes.ctlake.dev");
        assert_eq!(event["recipientAccountId"], "000000000000");
    }
    let stop = events.iter().find(|e| e["eventName"] == "StopLogging").unwrap();
    assert_eq!(
        stop["additionalEventData"]["matched_rules"],
        json!(["default", "cloudtrail-changes"]),
        "{stop}"
    );
    assert_eq!(count(&lake, store, ""), (0, 0));
    assert!(!lake.path(".ctlake").exists(), "a dry run keeps no state");
}

#[test]
fn usage_errors_exit_252() {
    let lake = Lake::start();
    let channel = "arn:aws:cloudtrail:us-east-1:000000000000:channel/x";
    for (args, needle) in [
        (
            &["ingest-changes", "nowhere", "--channel-arn", channel][..],
            "nowhere: no such file",
        ),
        (
            &["ingest-changes", "s3://", "--channel-arn", channel][..],
            "no bucket",
        ),
        (
            &["ingest-changes", ".", "--channel-arn", "not-an-arn"][..],
            "--channel-arn",
        ),
        (
            &["ingest-changes", ".", "--channel-arn", channel, "--rules", "nope"][..],
            "nope",
        ),
    ] {
        let run = lake.ctlake(args);
        assert_eq!(run.code, 252, "{args:?}: {run:?}");
        assert!(run.stderr.contains(needle), "{args:?}: {run:?}");
    }
}

#[test]
fn a_refused_channel_stops_the_run_and_a_rerun_loses_nothing() {
    let lake = Lake::start();
    let bundle = lake.enable(&["--principal", crate::harness::VENDOR, "--external-id", "ext-42"]);
    let channel = bundle["channelArn"].as_str().unwrap();
    let store = bundle["eventDataStoreArn"].as_str().unwrap();
    copy_fixtures(&lake.path("logs"));
    let args = |external_id: &'static str| {
        [
            "--output",
            "json",
            "ingest-changes",
            "logs",
            "--channel-arn",
            channel,
            "--external-id",
            external_id,
        ]
        .map(str::to_owned)
    };
    // The vendor with the wrong external ID: Lake refuses every request, the run stops with 254 and records
    // nothing as done.
    let wrong = args("not-the-id");
    let wrong: Vec<&str> = wrong.iter().map(String::as_str).collect();
    let run = lake.ctlake_as(crate::harness::VENDOR, &wrong);
    assert_eq!(run.code, 254, "{run:?}");
    assert!(run.stderr.contains("ChannelInsufficientPermission"), "{run:?}");
    assert!(run.stderr.contains("--external-id"), "{run:?}");
    let summary = run.json();
    assert_eq!(summary["published"], 0, "{summary}");
    assert_eq!(summary["complete"], false, "{summary}");
    assert_eq!(count(&lake, store, ""), (0, 0));

    // The right one: every change is published, once.
    let right = args("ext-42");
    let right: Vec<&str> = right.iter().map(String::as_str).collect();
    let run = lake.ctlake_as(crate::harness::VENDOR, &right);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["published"], 4, "{run:?}");
    assert_eq!(uids(&lake, store), sorted(&CHANGES));
}
