//! Incident scenario on the local Lake: CloudTrail changes (classified and normalized by this crate) and the alarm
//! they caused are published with the real AWS SDK; the suggest-causes statements run as Lake SQL on the local
//! Lake, and the ranking puts the causing change first and says why.

use std::collections::HashMap;
use std::time::Duration;

use aws_credential_types::Credentials;
use aws_sdk_cloudtrail::types::{
    AdvancedEventSelector, AdvancedFieldSelector, Destination, DestinationType, QueryStatus,
};
use ctlake::AccountId;
use ctlake_changes::alarm::{AlarmEvent, AlarmMessage, AlarmStateStore, read_alarm_messages};
use ctlake_changes::classify::{Classifier, ClassifierConfig, Decision, RuleAction};
use ctlake_changes::normalize::Normalizer;
use ctlake_changes::suggest::{
    Row, Weights, alarm_from_row, alarm_query, candidate_from_row, changes_query, rank,
};
use ctlake_local::{Config, LocalLake};
use serde_json::{Value, json};

/// The local Lake's default account (access key `test`).
const OWNER: &str = "000000000000";

struct Lake {
    _lake: LocalLake,
    ct: aws_sdk_cloudtrail::Client,
    data: aws_sdk_cloudtraildata::Client,
}

async fn lake() -> Lake {
    let lake = LocalLake::start(Config::in_memory()).await.unwrap();
    let creds = Credentials::new("test", "test", None, None, "it");
    let ct = aws_sdk_cloudtrail::Config::builder()
        .behavior_version(aws_sdk_cloudtrail::config::BehaviorVersion::latest())
        .region(aws_sdk_cloudtrail::config::Region::new("us-east-1"))
        .credentials_provider(creds.clone())
        .endpoint_url(lake.endpoint_url())
        .build();
    let data = aws_sdk_cloudtraildata::Config::builder()
        .behavior_version(aws_sdk_cloudtraildata::config::BehaviorVersion::latest())
        .region(aws_sdk_cloudtraildata::config::Region::new("us-east-1"))
        .credentials_provider(creds)
        .endpoint_url(lake.endpoint_url())
        .build();
    Lake {
        _lake: lake,
        ct: aws_sdk_cloudtrail::Client::from_conf(ct),
        data: aws_sdk_cloudtraildata::Client::from_conf(data),
    }
}

/// A CloudTrail record of `name` by IAM user alice.
fn record(
    id: &str,
    time: &str,
    source: &str,
    name: &str,
    region: &str,
    params: Value,
    resources: Value,
) -> Value {
    json!({"eventVersion":"1.08","eventID":id,"eventTime":time,"eventSource":source,"eventName":name,
           "awsRegion":region,"sourceIPAddress":"192.0.2.10","userAgent":"aws-cli/2",
           "userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::123456789012:user/alice",
                           "accountId":"123456789012","userName":"alice"},
           "requestParameters":params,"responseElements":null,"requestID":format!("req-{id}"),
           "readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012",
           "resources":resources})
}

async fn run_query(ct: &aws_sdk_cloudtrail::Client, statement: &str) -> Vec<Row> {
    let id = ct
        .start_query()
        .query_statement(statement)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e:?}"))
        .query_id
        .unwrap();
    for _ in 0..100 {
        let d = ct.describe_query().query_id(&id).send().await.unwrap();
        match d.query_status() {
            Some(QueryStatus::Finished) => break,
            Some(QueryStatus::Failed | QueryStatus::Cancelled | QueryStatus::TimedOut) => {
                panic!("{statement}: {:?}", d.error_message())
            }
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    let mut rows = Vec::new();
    let mut token = None;
    loop {
        let page = ct
            .get_query_results()
            .query_id(&id)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        for row in page.query_result_rows() {
            let mut map = HashMap::new();
            for cell in row {
                for (k, v) in cell {
                    map.insert(k.clone(), Some(v.clone()));
                }
            }
            rows.push(map);
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return rows;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggest_causes_ranks_the_causing_change_first_on_the_local_lake() {
    let lake = lake().await;
    let eds_arn = lake
        .ct
        .create_event_data_store()
        .name("incidents")
        .advanced_event_selectors(
            AdvancedEventSelector::builder()
                .field_selectors(
                    AdvancedFieldSelector::builder()
                        .field("eventCategory")
                        .equals("ActivityAuditLog")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .multi_region_enabled(false)
        .termination_protection_enabled(false)
        .send()
        .await
        .unwrap()
        .event_data_store_arn
        .unwrap();
    let channel = lake
        .ct
        .create_channel()
        .name("ctlake")
        .source("Custom")
        .destinations(
            Destination::builder()
                .r#type(DestinationType::EventDataStore)
                .location(&eds_arn)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .channel_arn
        .unwrap();
    let eds = eds_arn.rsplit('/').next().unwrap().to_owned();
    let owner: AccountId = OWNER.parse().unwrap();

    // The changes of the hour before the alarm (cpu-high on i-0abc123def4567890 in us-east-1 at 10:15:00).
    let instance = "i-0abc123def4567890";
    let records = [
        // The cause: the alarmed instance resized to a tiny type 20 minutes before.
        record(
            "e-resize",
            "2024-05-01T09:55:00Z",
            "ec2.amazonaws.com",
            "ModifyInstanceAttribute",
            "us-east-1",
            json!({"instanceId": instance, "instanceType": {"value": "t3.nano"}}),
            json!([{"ARN": format!("arn:aws:ec2:us-east-1:123456789012:instance/{instance}"), "accountId": "123456789012"}]),
        ),
        // Closer in time and risky, but about another resource or another service.
        record(
            "e-sg",
            "2024-05-01T10:10:00Z",
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            "us-east-1",
            json!({"groupId": "sg-0123456789abcdef0", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22}]}}),
            json!([]),
        ),
        record(
            "e-iam",
            "2024-05-01T10:12:00Z",
            "iam.amazonaws.com",
            "PutRolePolicy",
            "us-east-1",
            json!({"roleName": "app", "policyName": "inline"}),
            json!([]),
        ),
        record(
            "e-eu",
            "2024-05-01T10:14:00Z",
            "ec2.amazonaws.com",
            "StopInstances",
            "eu-west-1",
            json!({"instancesSet": {"items": [{"instanceId": "i-0fff000000000000e"}]}}),
            json!([]),
        ),
        // Outside the window: after the alarm, and long before it.
        record(
            "e-after",
            "2024-05-01T10:20:00Z",
            "ec2.amazonaws.com",
            "StopInstances",
            "us-east-1",
            json!({"instancesSet": {"items": [{"instanceId": instance}]}}),
            json!([]),
        ),
        record(
            "e-old",
            "2024-05-01T07:00:00Z",
            "ec2.amazonaws.com",
            "StopInstances",
            "us-east-1",
            json!({"instancesSet": {"items": [{"instanceId": instance}]}}),
            json!([]),
        ),
    ];
    let mut config = ClassifierConfig::default();
    config.rule_sets.push(("cis".into(), RuleAction::Tag));
    let classifier = Classifier::new(&config).unwrap();
    let normalizer = Normalizer::new(owner.clone());
    let mut entries = Vec::new();
    for r in &records {
        let Decision::Keep(kept) = classifier.classify(r) else {
            panic!("{r} is a change")
        };
        let change = normalizer.normalize(r, &kept).unwrap();
        entries.push(change.audit_event);
    }
    // The alarm, as SNS delivered it.
    let body = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sns/notification-alarm-v1.json"),
    )
    .unwrap();
    let AlarmMessage::Alarm {
        message_id,
        notification,
    } = read_alarm_messages(&body, "raw").unwrap().remove(0)
    else {
        panic!("an alarm")
    };
    let transition = AlarmStateStore::in_memory().apply(&message_id, &notification);
    let alarm = AlarmEvent {
        notification: *notification,
        transition,
        message_id,
    };
    entries.push(alarm.to_audit_event(owner).unwrap());

    let request: Vec<_> = entries
        .iter()
        .map(|e| aws_sdk_cloudtraildata::types::AuditEvent::try_from(e).unwrap())
        .collect();
    let out = lake
        .data
        .put_audit_events()
        .channel_arn(&channel)
        .set_audit_events(Some(request))
        .send()
        .await
        .unwrap();
    assert!(out.failed().is_empty(), "{:?}", out.failed());
    assert_eq!(out.successful().len(), records.len() + 1);

    // suggest-causes, step 1: the alarm.
    let alarm_rows = run_query(&lake.ct, &alarm_query(&eds, "cpu-high", None)).await;
    assert_eq!(alarm_rows.len(), 1, "{alarm_rows:?}");
    let context = alarm_from_row(&alarm_rows[0]).unwrap();
    assert_eq!(context.region, "us-east-1");
    assert_eq!(
        context.metrics[0].dimensions,
        [("InstanceId".to_owned(), instance.to_owned())]
    );
    // Step 2: the changes of the 2 hours before it.
    let window = Duration::from_secs(2 * 3600);
    let from = context.at - window;
    let change_rows = run_query(&lake.ct, &changes_query(&eds, from, context.at)).await;
    let candidates: Vec<_> = change_rows
        .iter()
        .map(|r| candidate_from_row(r).unwrap())
        .collect();
    let mut ids: Vec<&str> = candidates.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        ["e-eu", "e-iam", "e-resize", "e-sg"],
        "the window holds exactly these"
    );
    // Step 3: the ranking.
    let ranked = rank(&context, candidates, window, &Weights::default());
    assert_eq!(ranked[0].candidate.id, "e-resize");
    assert_eq!(ranked[0].candidate.event_name, "ModifyInstanceAttribute");
    let why: HashMap<&str, &str> = ranked[0]
        .components
        .iter()
        .map(|c| (c.name, c.reason.as_str()))
        .collect();
    assert_eq!(why["time"], "20m before the alarm (window 2h)");
    assert_eq!(
        why["dimensions"],
        format!("InstanceId={instance} in requestParameters")
    );
    assert_eq!(why["service"], "ec2.amazonaws.com acts on AWS/EC2");
    assert_eq!(why["region"], "same region us-east-1");
    assert!(
        why["resources"].starts_with(&format!("names the alarm's InstanceId {instance}")),
        "{}",
        why["resources"]
    );
    // The security-group change is second: risky (its CIS rule was recorded at ingestion) and close in time.
    assert_eq!(ranked[1].candidate.id, "e-sg");
    let risk = ranked[1].components.iter().find(|c| c.name == "risk").unwrap();
    assert_eq!(risk.reason, "risky change: rule security-group-changes");
    assert!(ranked[0].score > ranked[1].score);
}
