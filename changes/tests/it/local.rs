//! The pipeline over local files and folders: streaming a multi-MB `.json.gz`, malformed input that names the
//! file and record without losing the others, the checkpoint, dry runs and stopping.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use ctlake_changes::classify::{Classifier, Decision};
use ctlake_changes::pipeline::{Location, Outcome, Pipeline, PipelineOptions, Source, Summary};
use ctlake_changes::read::AwsOptions;
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};

use crate::common::{
    default_ingest, drain, fixture_records, fixture_text, gzip, kept, names, sorted, sorted_ids,
};

async fn run_local(path: &Path, options: PipelineOptions) -> (Vec<(String, String)>, Summary) {
    let location: Location = path.to_str().unwrap().parse().unwrap();
    let source = Source::connect(&location, &AwsOptions::default()).await.unwrap();
    let (changes, running) = Pipeline::new(default_ingest(), source, options).start().unwrap();
    let (seen, summary) = tokio::join!(drain(changes, |_| Some(Outcome::Accepted)), running.finish());
    (seen, summary.unwrap())
}

fn assert_accounted(summary: &Summary) {
    assert_eq!(
        summary.records_read,
        summary.kept + summary.skipped_total() + summary.malformed,
        "{summary:#?}"
    );
}

/// A generated `.json.gz` of several MB (every fixture record, again and again, each with a fresh eventID) is
/// streamed through the whole pipeline; the expected number of changes is computed by classifying the template
/// records on their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_megabyte_gzip_streams_through() {
    let mut templates = Vec::new();
    for name in [
        names::INVICTUS_1205,
        names::INVICTUS_1210,
        names::STRATUS_IAM_ADMIN,
        names::TRAILSCRAPER,
    ] {
        templates.extend(fixture_records(name));
    }
    let classifier = Classifier::default();
    let kept_per_round = templates
        .iter()
        .filter(|r| matches!(classifier.classify(r), Decision::Keep(_)))
        .count();
    assert_eq!(kept_per_round, 9 + 1 + 3);
    let rounds = 60;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json.gz");
    let mut gz = GzEncoder::new(std::fs::File::create(&path).unwrap(), Compression::fast());
    let mut uncompressed = 0;
    gz.write_all(b"{\"Records\":[").unwrap();
    for round in 0..rounds {
        for (i, template) in templates.iter().enumerate() {
            let mut record = template.clone();
            record["eventID"] = json!(format!("{round:04}-{i:04}-0000-0000-000000000000"));
            let bytes = serde_json::to_vec(&record).unwrap();
            if round + i > 0 {
                gz.write_all(b",").unwrap();
            }
            gz.write_all(&bytes).unwrap();
            uncompressed += bytes.len();
        }
    }
    gz.write_all(b"]}").unwrap();
    gz.finish().unwrap();
    assert!(uncompressed > 5_000_000, "{uncompressed} bytes is not multi-MB");

    let (seen, summary) = run_local(&path, PipelineOptions::default()).await;
    assert_eq!(summary.records_read, rounds * templates.len());
    assert_eq!(summary.kept, rounds * kept_per_round);
    assert_eq!(seen.len(), summary.kept);
    assert_eq!(summary.accepted, summary.kept);
    assert_eq!(summary.objects_read, 1);
    assert_accounted(&summary);
}

/// A folder with a truncated gzip, a file with broken JSON at record 2, a record without eventID, and good files:
/// the errors name the file and record index, the records before them and the other files are processed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_input_names_file_and_record_and_loses_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
    // a: a good gzip file (1 change).
    write("a-good.json.gz", &gzip(&fixture_text(names::INVICTUS_1210)));
    // b: 3 stratus records, the third broken mid-way (records 0 and 1 survive).
    let iam = fixture_records(names::STRATUS_IAM_ADMIN);
    let broken = format!("[{},{},{{\"eventName\": \"X\", \"eventID\": tru", iam[0], iam[1]);
    write("b-broken.json", broken.as_bytes());
    // c: a gzip file cut short: the reader reports where it broke off.
    let full = gzip(&fixture_text(names::INVICTUS_1205));
    write("c-truncated.json.gz", &full[..full.len() / 2]);
    // d: a record without eventID between two good ones.
    let mut bad = fixture_records(names::STRATUS_CLOUDTRAIL_STOP)[0].clone();
    bad.as_object_mut().unwrap().remove("eventID");
    let sg = fixture_records(names::STRATUS_SG_OPEN)[0].clone();
    let stop = fixture_records(names::STRATUS_CLOUDTRAIL_STOP)[0].clone();
    write(
        "d-missing-id.json",
        json!({"Records": [sg, bad, stop]}).to_string().as_bytes(),
    );
    // e: not CloudTrail at all.
    write(
        "e-config.json",
        br#"{"fileVersion":"1.0","configurationItems":[]}"#,
    );

    let (seen, summary) = run_local(dir.path(), PipelineOptions::default()).await;
    let ids = sorted_ids(&seen);
    // a: CreateRoute; b: AttachUserPolicy, CreateAccessKey (records 0, 1); d: the security group and StopLogging;
    // c: whatever of 1205's changes came before the cut (checked below).
    let c_changes: Vec<&String> = ids
        .iter()
        .filter(|id| kept::INVICTUS_1205.contains(&id.as_str()))
        .collect();
    let mut expected: Vec<&str> = vec![
        kept::INVICTUS_1210[0],
        kept::STRATUS_IAM_ADMIN[0],
        kept::STRATUS_IAM_ADMIN[1],
    ];
    expected.extend(kept::STRATUS_SG_OPEN);
    expected.extend(kept::STRATUS_CLOUDTRAIL_STOP);
    let mut without_c: Vec<String> = ids.iter().filter(|id| !c_changes.contains(id)).cloned().collect();
    without_c.sort();
    assert_eq!(without_c, sorted(&expected));

    assert_eq!(summary.objects_read, 2, "{summary:#?}");
    assert_eq!(summary.object_errors.len(), 3, "{:#?}", summary.object_errors);
    let errors = summary.object_errors.join("\n");
    assert!(
        errors.contains("b-broken.json: record 2: invalid JSON at line 1, column"),
        "{errors}"
    );
    assert!(
        errors.contains("c-truncated.json.gz: record ") && errors.contains("corrupt or truncated gzip"),
        "{errors}"
    );
    assert!(
        errors.contains("e-config.json: not a CloudTrail log (an object without Records, keys: configurationItems, fileVersion)"),
        "{errors}"
    );
    assert_eq!(summary.malformed, 1);
    let malformed = summary.malformed_records[0].to_string();
    assert!(
        malformed.ends_with("d-missing-id.json: record 1: no eventID"),
        "{malformed}"
    );
    // The truncated file delivered its records up to the break, in order: a prefix of 1205's changes.
    let prefix: Vec<&str> = kept::INVICTUS_1205[..c_changes.len()].to_vec();
    let mut c_sorted: Vec<String> = c_changes.iter().map(|s| (*s).clone()).collect();
    c_sorted.sort();
    assert_eq!(c_sorted, sorted(&prefix));
    assert_accounted(&summary);
}

/// Objects completed are checkpointed; a second run skips them; a dry run writes no checkpoint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoint_skips_processed_objects_and_dry_runs_write_nothing() {
    let logs = tempfile::tempdir().unwrap();
    std::fs::write(logs.path().join("a.json"), fixture_text(names::INVICTUS_1210)).unwrap();
    std::fs::write(
        logs.path().join("b.json.gz"),
        gzip(&fixture_text(names::STRATUS_IAM_ADMIN)),
    )
    .unwrap();
    let state = tempfile::tempdir().unwrap();
    let checkpoint = state.path().join("checkpoint.jsonl");

    let dry = PipelineOptions {
        dry_run: true,
        checkpoint: Some(checkpoint.clone()),
        ..PipelineOptions::default()
    };
    let (seen, summary) = run_local(logs.path(), dry.clone()).await;
    assert_eq!(seen.len(), 4);
    assert_eq!(summary.kept, 4);
    assert_eq!(
        std::fs::read_to_string(&checkpoint).unwrap(),
        "",
        "a dry run records nothing"
    );

    let real = PipelineOptions {
        checkpoint: Some(checkpoint.clone()),
        ..PipelineOptions::default()
    };
    let (first, summary) = run_local(logs.path(), real.clone()).await;
    assert_eq!(summary.objects_read, 2);
    assert_eq!(
        sorted_ids(&first),
        sorted(&[kept::INVICTUS_1210, kept::STRATUS_IAM_ADMIN].concat())
    );
    let lines: Vec<Value> = std::fs::read_to_string(&checkpoint)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let recorded: BTreeMap<String, (u64, u64)> = lines
        .iter()
        .map(|l| {
            let name = l["object"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned();
            (
                name,
                (l["records"].as_u64().unwrap(), l["changes"].as_u64().unwrap()),
            )
        })
        .collect();
    assert_eq!(
        recorded,
        BTreeMap::from([("a.json".to_owned(), (1, 1)), ("b.json.gz".to_owned(), (3, 3))])
    );

    let (second, summary) = run_local(logs.path(), real).await;
    assert!(second.is_empty());
    assert_eq!(summary.objects_read, 0);
    assert_eq!(summary.objects_skipped["already processed (checkpoint)"], 2);

    // A rewritten file (new modification time) is read again.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(logs.path().join("a.json"), fixture_text(names::INVICTUS_1210)).unwrap();
    let (third, _) = run_local(
        logs.path(),
        PipelineOptions {
            checkpoint: Some(checkpoint),
            ..PipelineOptions::default()
        },
    )
    .await;
    assert_eq!(sorted_ids(&third), sorted(kept::INVICTUS_1210));
}

/// A change whose ticket is dropped without an outcome keeps its object out of the checkpoint, so the next run
/// reads it again and produces the same identifiers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfinished_changes_keep_their_object_for_the_next_run() {
    let logs = tempfile::tempdir().unwrap();
    std::fs::write(
        logs.path().join("iam.json"),
        fixture_text(names::STRATUS_IAM_ADMIN),
    )
    .unwrap();
    let state = tempfile::tempdir().unwrap();
    let options = PipelineOptions {
        checkpoint: Some(state.path().join("cp")),
        ..PipelineOptions::default()
    };
    let location: Location = logs.path().to_str().unwrap().parse().unwrap();
    let source = Source::connect(&location, &AwsOptions::default()).await.unwrap();
    let (changes, running) = Pipeline::new(default_ingest(), source.clone(), options.clone())
        .start()
        .unwrap();
    let decide = |i: usize| match i {
        0 => Some(Outcome::Accepted),
        1 => Some(Outcome::Rejected),
        _ => None,
    };
    let (first, summary) = tokio::join!(drain(changes, decide), running.finish());
    let summary = summary.unwrap();
    assert_eq!(
        (summary.accepted, summary.rejected, summary.unfinished),
        (1, 1, 1)
    );
    assert_eq!(std::fs::read_to_string(state.path().join("cp")).unwrap(), "");

    let (changes, running) = Pipeline::new(default_ingest(), source, options).start().unwrap();
    let (second, summary) = tokio::join!(drain(changes, |_| Some(Outcome::Accepted)), running.finish());
    assert_eq!(summary.unwrap().accepted, 3);
    assert_eq!(first, second, "the same changes with the same audit-event ids");
    assert_eq!(
        std::fs::read_to_string(state.path().join("cp"))
            .unwrap()
            .lines()
            .count(),
        1
    );
}

/// Stopping abandons the current object (not checkpointed) and reads no further object.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_abandons_the_current_object() {
    let logs = tempfile::tempdir().unwrap();
    // 55 records, 9 changes, the last one near the end: with a buffer of one, the reader can get at most two
    // changes further after the stop, so it cannot reach the end of the file.
    std::fs::write(logs.path().join("a.json"), fixture_text(names::INVICTUS_1205)).unwrap();
    std::fs::write(logs.path().join("b.json"), fixture_text(names::INVICTUS_1210)).unwrap();
    let state = tempfile::tempdir().unwrap();
    let location: Location = logs.path().to_str().unwrap().parse().unwrap();
    let source = Source::connect(&location, &AwsOptions::default()).await.unwrap();
    let options = PipelineOptions {
        checkpoint: Some(state.path().join("cp")),
        buffer: 1,
        ..PipelineOptions::default()
    };
    let (mut changes, running) = Pipeline::new(default_ingest(), source, options).start().unwrap();
    let stopper = running.stopper();
    let first = changes.recv().await.unwrap();
    stopper.stop();
    first.ticket.accepted();
    let rest = drain(changes, |_| Some(Outcome::Accepted)).await;
    let summary = running.finish().await.unwrap();
    // At most the changes already queued (buffer of 1, plus one being sent) arrive after the stop.
    assert!(rest.len() <= 2, "{rest:?}");
    assert_eq!(summary.objects_read, 0, "{summary:#?}");
    assert_eq!(summary.objects_stopped, 1);
    assert_eq!(std::fs::read_to_string(state.path().join("cp")).unwrap(), "");
}
