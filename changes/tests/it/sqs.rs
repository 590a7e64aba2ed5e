//! `sqs://` against a real moto_server, with every notification shape produced by moto itself where it can:
//! S3 → SQS directly (with S3's test event), S3 → SNS → SQS with and without raw delivery, CloudTrail's SNS
//! log-delivery notification, an EventBridge event in the queue, an SNS subscription confirmation and an
//! unrecognized message. Messages are deleted only once every change from their objects has an outcome.

use std::time::Duration;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Event, NotificationConfiguration, QueueConfiguration, TopicConfiguration};
use aws_sdk_sqs::types::QueueAttributeName;
use ctlake_changes::pipeline::{Location, Outcome, Pipeline, PipelineOptions, Source, SqsOptions, Summary};
use serde_json::json;

use crate::common::{
    default_ingest, drain, fixture_records, fixture_text, gzip, kept, names, sorted, sorted_ids,
};
use crate::moto::{ACCOUNT, Moto, REGION};

const BUCKET: &str = "trail-logs";
const DAY: &str = "AWSLogs/123456789012/CloudTrail/us-east-1/2023/07/10/";

fn options(visibility: Duration) -> PipelineOptions {
    PipelineOptions {
        sqs: SqsOptions {
            wait: Duration::from_secs(1),
            visibility_timeout: visibility,
            max_messages: 10,
            until_empty: true,
        },
        ..PipelineOptions::default()
    }
}

async fn create_queue(sqs: &aws_sdk_sqs::Client, name: &str) -> String {
    sqs.create_queue()
        .queue_name(name)
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap()
}

fn queue_arn(name: &str) -> String {
    format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{name}")
}

/// Messages left in the queue, visible or in flight.
async fn left_in_queue(sqs: &aws_sdk_sqs::Client, url: &str) -> usize {
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .unwrap();
    let map = attributes.attributes.unwrap_or_default();
    [
        QueueAttributeName::ApproximateNumberOfMessages,
        QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
    ]
    .iter()
    .map(|k| map.get(k).and_then(|v| v.parse::<usize>().ok()).unwrap_or(0))
    .sum()
}

async fn run_queue(moto: &Moto, url: &str, options: PipelineOptions) -> (Vec<(String, String)>, Summary) {
    let location: Location = format!("sqs://{url}").parse().unwrap();
    let source = Source::connect(&location, &moto.options()).await.unwrap();
    let (changes, running) = Pipeline::new(default_ingest(), source, options).start().unwrap();
    let (seen, summary) = tokio::join!(drain(changes, |_| Some(Outcome::Accepted)), running.finish());
    (seen, summary.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_notification_shape() {
    let moto = Moto::start();
    let s3 = moto.s3().await;
    let sqs = moto.sqs().await;
    let sns = moto.sns().await;

    let direct = create_queue(&sqs, "s3-direct").await;
    let enveloped = create_queue(&sqs, "s3-via-sns").await;
    let raw = create_queue(&sqs, "s3-via-sns-raw").await;
    let delivery = create_queue(&sqs, "cloudtrail-delivery").await;
    let misc = create_queue(&sqs, "misc").await;

    let s3_topic = sns
        .create_topic()
        .name("s3-events")
        .send()
        .await
        .unwrap()
        .topic_arn
        .unwrap();
    sns.subscribe()
        .topic_arn(&s3_topic)
        .protocol("sqs")
        .endpoint(queue_arn("s3-via-sns"))
        .send()
        .await
        .unwrap();
    sns.subscribe()
        .topic_arn(&s3_topic)
        .protocol("sqs")
        .endpoint(queue_arn("s3-via-sns-raw"))
        .attributes("RawMessageDelivery", "true")
        .send()
        .await
        .unwrap();
    let trail_topic = sns
        .create_topic()
        .name("trail-delivery")
        .send()
        .await
        .unwrap()
        .topic_arn
        .unwrap();
    sns.subscribe()
        .topic_arn(&trail_topic)
        .protocol("sqs")
        .endpoint(queue_arn("cloudtrail-delivery"))
        .send()
        .await
        .unwrap();

    s3.create_bucket().bucket(BUCKET).send().await.unwrap();
    // Configuring the notifications makes S3 (moto) send its s3:TestEvent to the queue and the topic.
    s3.put_bucket_notification_configuration()
        .bucket(BUCKET)
        .notification_configuration(
            NotificationConfiguration::builder()
                .queue_configurations(
                    QueueConfiguration::builder()
                        .queue_arn(queue_arn("s3-direct"))
                        .events(Event::S3ObjectCreated)
                        .build()
                        .unwrap(),
                )
                .topic_configurations(
                    TopicConfiguration::builder()
                        .topic_arn(&s3_topic)
                        .events(Event::S3ObjectCreated)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();

    // Three new objects: a canonical gzip log, one whose key has a space and a plus (S3 encodes it in the
    // notification as `stop+log%2B1.json.gz`), and a digest file (notified, but never read).
    let put = |key: String, body: Vec<u8>| {
        let s3 = s3.clone();
        async move {
            s3.put_object()
                .bucket(BUCKET)
                .key(&key)
                .body(ByteStream::from(body))
                .send()
                .await
                .unwrap_or_else(|e| panic!("put {key}: {e:?}"));
        }
    };
    put(
        format!("{DAY}123456789012_CloudTrail_us-east-1_20230710T1210Z_ZgEBhdXGdLTXGoIe.json.gz"),
        gzip(&fixture_text(names::INVICTUS_1210)),
    )
    .await;
    put(
        format!("{DAY}stop log+1.json.gz"),
        gzip(&fixture_text(names::STRATUS_CLOUDTRAIL_STOP)),
    )
    .await;
    put(
        "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2023/07/10/digest.json.gz".into(),
        gzip(b"{}"),
    )
    .await;
    // CloudTrail's own delivery notification names keys plainly (the `+` is part of the key); these objects are in
    // another bucket without S3 notifications.
    s3.create_bucket().bucket("trail-logs-2").send().await.unwrap();
    for (key, name) in [
        ("a+b admin.json.gz", names::STRATUS_IAM_ADMIN),
        ("1205.json.gz", names::INVICTUS_1205),
    ] {
        s3.put_object()
            .bucket("trail-logs-2")
            .key(format!("{DAY}{key}"))
            .body(ByteStream::from(gzip(&fixture_text(name))))
            .send()
            .await
            .unwrap();
    }
    sns.publish()
        .topic_arn(&trail_topic)
        .message(
            json!({"s3Bucket": "trail-logs-2",
                   "s3ObjectKey": [format!("{DAY}a+b admin.json.gz"), format!("{DAY}1205.json.gz")]})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    // An EventBridge "AWS API Call via CloudTrail" event, a subscription confirmation and a stray message.
    let sg = fixture_records(names::STRATUS_SG_OPEN).remove(0);
    for body in [
        json!({"version": "0", "id": "e1", "detail-type": "AWS API Call via CloudTrail", "source": "aws.ec2",
               "account": ACCOUNT, "time": "2024-08-01T00:00:00Z", "region": "us-east-1", "resources": [],
               "detail": sg})
        .to_string(),
        json!({"Type": "SubscriptionConfirmation", "MessageId": "m", "Token": "t", "TopicArn": s3_topic,
               "Message": "You have chosen to subscribe to the topic.",
               "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t",
               "Timestamp": "2024-08-01T00:00:00.000Z", "SignatureVersion": "1", "Signature": "x",
               "SigningCertURL": "https://sns.us-east-1.amazonaws.com/x.pem"})
        .to_string(),
        "hello, not a notification".to_owned(),
    ] {
        sqs.send_message()
            .queue_url(&misc)
            .message_body(body)
            .send()
            .await
            .unwrap();
    }

    // S3 → SQS, S3 → SNS → SQS (envelope), S3 → SNS → SQS (raw): the same test event and the same three objects.
    for url in [&direct, &enveloped, &raw] {
        let (seen, summary) = run_queue(&moto, url, options(Duration::from_secs(30))).await;
        assert_eq!(
            sorted_ids(&seen),
            sorted(&[kept::INVICTUS_1210, kept::STRATUS_CLOUDTRAIL_STOP].concat()),
            "{url}"
        );
        assert_eq!(summary.messages_received, 4, "{url}: {summary:#?}");
        assert_eq!(summary.messages_ignored, 1, "{url}: the test event");
        assert_eq!(summary.messages_deleted, 4, "{url}: {summary:#?}");
        assert_eq!(summary.objects_read, 2, "{url}");
        assert_eq!(summary.objects_skipped["CloudTrail digest file"], 1, "{url}");
        assert!(
            summary.messages_unrecognized.is_empty(),
            "{url}: {:?}",
            summary.messages_unrecognized
        );
        assert_eq!(left_in_queue(&sqs, url).await, 0, "{url}");
    }

    // CloudTrail's log-delivery notification through SNS: two objects in one message.
    let (seen, summary) = run_queue(&moto, &delivery, options(Duration::from_secs(30))).await;
    assert_eq!(
        sorted_ids(&seen),
        sorted(&[kept::STRATUS_IAM_ADMIN, kept::INVICTUS_1205].concat())
    );
    assert_eq!((summary.messages_received, summary.messages_deleted), (1, 1));
    assert_eq!(summary.objects_read, 2);
    assert_eq!(left_in_queue(&sqs, &delivery).await, 0);

    // The EventBridge event is read inline; the confirmation is acknowledged; the stray message stays.
    let (seen, summary) = run_queue(&moto, &misc, options(Duration::from_secs(30))).await;
    assert_eq!(sorted_ids(&seen), sorted(kept::STRATUS_SG_OPEN));
    assert_eq!(summary.messages_received, 3);
    assert_eq!(summary.messages_ignored, 1);
    assert_eq!(summary.messages_deleted, 2);
    assert_eq!(summary.messages_unrecognized.len(), 1);
    assert!(
        summary.messages_unrecognized[0].ends_with("body is not JSON: expected value at line 1 column 1"),
        "{:?}",
        summary.messages_unrecognized
    );
    assert_eq!(left_in_queue(&sqs, &misc).await, 1);
}

/// A message whose changes do not all get an outcome stays on the queue; once visible again it is read again —
/// with the same audit-event ids — and deleted when every change is accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_is_deleted_only_after_every_change_has_an_outcome() {
    let moto = Moto::start();
    let s3 = moto.s3().await;
    let sqs = moto.sqs().await;
    s3.create_bucket().bucket(BUCKET).send().await.unwrap();
    let key = format!("{DAY}1205.json.gz");
    s3.put_object()
        .bucket(BUCKET)
        .key(&key)
        .body(ByteStream::from(gzip(&fixture_text(names::INVICTUS_1205))))
        .send()
        .await
        .unwrap();
    let url = create_queue(&sqs, "deliveries").await;
    // Raw delivery of CloudTrail's notification: the body is the notification itself.
    sqs.send_message()
        .queue_url(&url)
        .message_body(json!({"s3Bucket": BUCKET, "s3ObjectKey": [key]}).to_string())
        .send()
        .await
        .unwrap();

    let visibility = Duration::from_secs(2);
    let location: Location = format!("sqs://{url}").parse().unwrap();
    let source = Source::connect(&location, &moto.options()).await.unwrap();
    let (changes, running) = Pipeline::new(default_ingest(), source.clone(), options(visibility))
        .start()
        .unwrap();
    // The consumer "crashes" after 5 of the 9 changes: the other tickets are dropped without an outcome.
    let (first, summary) = tokio::join!(
        drain(changes, |i| (i < 5).then_some(Outcome::Accepted)),
        running.finish()
    );
    let summary = summary.unwrap();
    assert_eq!(first.len(), 9);
    assert_eq!(
        (summary.accepted, summary.unfinished, summary.messages_deleted),
        (5, 4, 0)
    );
    assert!(
        summary
            .warnings
            .iter()
            .any(|w| w.ends_with("left on the queue: not every object was read and published")),
        "{:?}",
        summary.warnings
    );
    assert_eq!(left_in_queue(&sqs, &url).await, 1);

    tokio::time::sleep(visibility + Duration::from_millis(500)).await;
    let (changes, running) = Pipeline::new(default_ingest(), source, options(visibility))
        .start()
        .unwrap();
    let (second, summary) = tokio::join!(drain(changes, |_| Some(Outcome::Accepted)), running.finish());
    let summary = summary.unwrap();
    assert_eq!(second, first, "same changes, same audit-event ids");
    assert_eq!((summary.accepted, summary.messages_deleted), (9, 1));
    assert_eq!(left_in_queue(&sqs, &url).await, 0);
}
