//! `s3://bucket/prefix` against a real moto_server: paginated listing, digest / Insights / other services /
//! non-JSON objects skipped, streamed GetObject bodies with gzip detection, and the checkpoint.

use aws_sdk_s3::primitives::ByteStream;
use ctlake_changes::pipeline::{Outcome, Pipeline, PipelineOptions, Source};
use ctlake_changes::read::{ObjectRef, S3Reader};

use crate::common::{default_ingest, drain, fixture_text, gzip, kept, names, sorted, sorted_ids};
use crate::moto::Moto;

const BUCKET: &str = "trail-logs";
const DAY: &str = "AWSLogs/123456789012/CloudTrail/us-east-1/2023/07/10/";

async fn put(s3: &aws_sdk_s3::Client, key: &str, body: Vec<u8>) {
    s3.put_object()
        .bucket(BUCKET)
        .key(key)
        .body(ByteStream::from(body))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put {key}: {e:?}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_prefix_is_listed_page_by_page_and_read_streaming() {
    let moto = Moto::start();
    let s3 = moto.s3().await;
    s3.create_bucket().bucket(BUCKET).send().await.unwrap();
    // CloudTrail log objects: gzip with canonical names, a plain .json, a key with a space.
    put(
        &s3,
        &format!("{DAY}123456789012_CloudTrail_us-east-1_20230710T1205Z_UljXNp9xLp8nsAGc.json.gz"),
        gzip(&fixture_text(names::INVICTUS_1205)),
    )
    .await;
    put(
        &s3,
        &format!("{DAY}123456789012_CloudTrail_us-east-1_20230710T1210Z_ZgEBhdXGdLTXGoIe.json"),
        fixture_text(names::INVICTUS_1210),
    )
    .await;
    put(
        &s3,
        &format!("{DAY}stratus admin user.json.gz"),
        gzip(&fixture_text(names::STRATUS_IAM_ADMIN)),
    )
    .await;
    put(
        &s3,
        &format!("{DAY}trailscraper.json.gz"),
        gzip(&fixture_text(names::TRAILSCRAPER)),
    )
    .await;
    // Not CloudTrail logs: never read (their content would fail if it were).
    put(&s3, "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2023/07/10/123456789012_CloudTrail-Digest_us-east-1_x.json.gz", gzip(b"{\"awsAccountId\":\"1\"}")).await;
    put(
        &s3,
        "AWSLogs/123456789012/CloudTrail-Insight/us-east-1/2023/07/10/insight.json.gz",
        gzip(b"{\"Records\":[]}"),
    )
    .await;
    put(
        &s3,
        "AWSLogs/123456789012/Config/us-east-1/2023/7/10/ConfigSnapshot/snapshot.json.gz",
        gzip(b"{}"),
    )
    .await;
    put(&s3, &format!("{DAY}README.txt"), b"hello".to_vec()).await;
    // Outside the prefix.
    put(&s3, "other/ignored.json", b"not even json".to_vec()).await;

    let state = tempfile::tempdir().unwrap();
    let options = PipelineOptions {
        checkpoint: Some(state.path().join("checkpoint")),
        ..PipelineOptions::default()
    };
    let reader = S3Reader::connect(&moto.options()).await.page_size(2);
    let source = Source::S3 {
        reader: reader.clone(),
        bucket: BUCKET.into(),
        prefix: "AWSLogs/".into(),
    };
    let (changes, running) = Pipeline::new(default_ingest(), source.clone(), options.clone())
        .start()
        .unwrap();
    let (seen, summary) = tokio::join!(drain(changes, |_| Some(Outcome::Accepted)), running.finish());
    let summary = summary.unwrap();
    assert_eq!(
        sorted_ids(&seen),
        sorted(&[kept::INVICTUS_1205, kept::INVICTUS_1210, kept::STRATUS_IAM_ADMIN].concat())
    );
    assert_eq!(summary.objects_read, 4, "{summary:#?}");
    assert!(summary.object_errors.is_empty(), "{:?}", summary.object_errors);
    assert_eq!(summary.records_read, 55 + 1 + 3 + 2);
    assert_eq!(summary.accepted, 13);
    let skipped: Vec<(&str, usize)> = summary
        .objects_skipped
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        skipped,
        [
            ("CloudTrail Insights file", 1),
            ("CloudTrail digest file", 1),
            ("Config logs, not CloudTrail", 1),
            ("not a .json or .json.gz file", 1),
        ]
    );

    // The second run finds everything in the checkpoint.
    let (changes, running) = Pipeline::new(default_ingest(), source, options).start().unwrap();
    let (seen, summary) = tokio::join!(drain(changes, |_| Some(Outcome::Accepted)), running.finish());
    let summary = summary.unwrap();
    assert!(seen.is_empty());
    assert_eq!(summary.objects_skipped["already processed (checkpoint)"], 4);

    // Reading a missing object is an error naming it.
    let err = reader.open(BUCKET, "missing.json.gz").await.err().unwrap();
    assert_eq!(err.object(), Some(&ObjectRef::s3(BUCKET, "missing.json.gz")));
    assert_eq!(
        err.to_string(),
        "s3://trail-logs/missing.json.gz: cannot get the object"
    );
}

/// A multi-MB object is streamed from S3 (the body goes through a bounded channel to the parser).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_s3_object_streams() {
    let moto = Moto::start();
    let s3 = moto.s3().await;
    s3.create_bucket().bucket(BUCKET).send().await.unwrap();
    let records = crate::common::fixture_records(names::INVICTUS_1205);
    let mut text = b"{\"Records\":[".to_vec();
    let rounds = 40;
    for round in 0..rounds {
        for (i, record) in records.iter().enumerate() {
            let mut record = record.clone();
            record["eventID"] = serde_json::json!(format!("{round:04}-{i:04}"));
            if round + i > 0 {
                text.push(b',');
            }
            text.extend(serde_json::to_vec(&record).unwrap());
        }
    }
    text.extend(b"]}");
    assert!(text.len() > 3_000_000);
    put(&s3, "big/x.json.gz", gzip(&text)).await;
    let source = Source::S3 {
        reader: S3Reader::connect(&moto.options()).await,
        bucket: BUCKET.into(),
        prefix: "big/".into(),
    };
    let (changes, running) = Pipeline::new(default_ingest(), source, PipelineOptions::default())
        .start()
        .unwrap();
    let (seen, summary) = tokio::join!(drain(changes, |_| Some(Outcome::Accepted)), running.finish());
    let summary = summary.unwrap();
    assert_eq!(summary.records_read, rounds * records.len());
    assert_eq!(seen.len(), rounds * kept::INVICTUS_1205.len());
}
