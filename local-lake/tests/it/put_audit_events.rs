//! PutAuditEvents with the real aws-sdk-cloudtraildata client.

use base64::Engine as _;
use ctlake_local::{Config, LocalLake};
use sha2::Digest as _;

use crate::support::*;

fn checksum(data: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(data.as_bytes()))
}

#[tokio::test]
async fn stores_wrapped_records_in_every_destination() {
    let dir = tempfile::tempdir().unwrap();
    let lake = LocalLake::start(Config::with_data_dir(dir.path())).await.unwrap();
    let c = clients(&lake, "test");
    let a = create_store(&c.ct, "dest-a").await;
    let b = create_store(&c.ct, "dest-b").await;
    let channel = create_channel(&c.ct, "fan-out", &[&a, &b]).await;
    let first = event_data(OWNER, "uid-1");
    let out = c
        .data
        .put_audit_events()
        .channel_arn(&channel)
        .audit_events(
            aws_sdk_cloudtraildata::types::AuditEvent::builder()
                .id("evt-1")
                .event_data(&first)
                .event_data_checksum(checksum(&first))
                .build()
                .unwrap(),
        )
        .audit_events(audit_event("evt-2", &event_data(OWNER, "uid-2")))
        .send()
        .await
        .unwrap();
    assert!(out.failed().is_empty(), "{:?}", out.failed());
    assert_eq!(out.successful().len(), 2);
    assert_eq!(out.successful()[0].id(), "evt-1");
    let event_id = out.successful()[1].event_id().to_owned();
    assert_eq!(event_id.len(), 36);
    assert!(
        event_id.chars().all(|ch| ch.is_ascii_hexdigit() || ch == '-') && event_id == event_id.to_lowercase()
    );

    assert_eq!(stored_rows(dir.path(), id_of(&a)), 2);
    assert_eq!(stored_rows(dir.path(), id_of(&b)), 2);

    let conn = rusqlite::Connection::open(dir.path().join("lake.sqlite3")).unwrap();
    let (record, event_time, stored_id): (String, String, String) = conn
        .query_row(
            "SELECT record, event_time, event_id FROM events WHERE eds_id = ?1 ORDER BY seq DESC LIMIT 1",
            [id_of(&a)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(stored_id, event_id);
    assert_eq!(event_time, "2024-01-01 00:00:00.000");
    let record: serde_json::Value = serde_json::from_str(&record).unwrap();
    assert_eq!(record["eventCategory"], "ActivityAuditLog");
    assert_eq!(record["eventType"], "ActivityLog");
    assert_eq!(record["eventID"], event_id.as_str());
    assert_eq!(record["eventTime"], "2024-01-01T00:00:00Z");
    assert_eq!(record["awsRegion"], "us-east-1");
    assert_eq!(record["recipientAccountId"], OWNER);
    assert_eq!(record["metadata"]["channelARN"], channel.as_str());
    assert!(
        record["metadata"]["ingestionTime"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert_eq!(record["eventData"]["UID"], "uid-2");
    assert_eq!(record["eventData"]["userIdentity"]["details"]["team"], "blue");

    let status = c.ct.get_channel().channel(&channel).send().await.unwrap();
    let status = status.ingestion_status().unwrap();
    assert_eq!(
        status.latest_ingestion_success_event_id(),
        Some(event_id.as_str())
    );
    assert!(status.latest_ingestion_success_time().is_some());
    assert!(status.latest_ingestion_attempt_time().is_some());
    lake.shutdown().await.unwrap();
}

#[tokio::test]
async fn per_entry_failures_keep_the_rest() {
    let lake = lake().await;
    let c = clients(&lake, "test");
    let eds = create_store(&c.ct, "dest").await;
    let channel = create_channel(&c.ct, "chan", &[&eds]).await;
    let good = event_data(OWNER, "ok");
    let missing: serde_json::Value = serde_json::from_str(&good).unwrap();
    let mut missing = missing.as_object().unwrap().clone();
    missing.remove("eventName");
    let too_long = good.replace(
        "\"version\":\"1.0\"",
        &format!("\"version\":\"{}\"", "v".repeat(257)),
    );
    let out = c
        .data
        .put_audit_events()
        .channel_arn(&channel)
        .audit_events(audit_event("ok", &good))
        .audit_events(audit_event("bad-json", "{\"version\":"))
        .audit_events(audit_event(
            "missing",
            &serde_json::Value::Object(missing).to_string(),
        ))
        .audit_events(audit_event("long", &too_long))
        .audit_events(
            aws_sdk_cloudtraildata::types::AuditEvent::builder()
                .id("bad-sum")
                .event_data(&good)
                .event_data_checksum("rUq5wIHWBATw9EopYjn+p9GdGWFmJ8a6oXa8NSMqu5o=")
                .build()
                .unwrap(),
        )
        .audit_events(audit_event("recipient", &event_data("123456789012", "r")))
        .send()
        .await
        .unwrap();
    assert_eq!(out.successful().len(), 1);
    assert_eq!(out.successful()[0].id(), "ok");
    let codes: Vec<(&str, &str)> = out.failed().iter().map(|f| (f.id(), f.error_code())).collect();
    assert_eq!(
        codes,
        [
            ("bad-json", "InvalidData"),
            ("missing", "FieldNotFound"),
            ("long", "FieldTooLong"),
            ("bad-sum", "InvalidChecksum"),
            ("recipient", "InvalidRecipient")
        ]
    );
    assert!(out.failed()[1].error_message().contains("eventName"));
    let status = c.ct.get_channel().channel(&channel).send().await.unwrap();
    assert_eq!(
        status.ingestion_status().unwrap().latest_ingestion_error_code(),
        Some("InvalidRecipient")
    );
}

#[tokio::test]
async fn whole_request_errors() {
    let lake = lake().await;
    let c = clients(&lake, "test");
    let eds = create_store(&c.ct, "dest").await;
    let channel = create_channel(&c.ct, "chan", &[&eds]).await;
    let data = event_data(OWNER, "u");

    let err = c
        .data
        .put_audit_events()
        .channel_arn("not-an-arn")
        .audit_events(audit_event("a", &data))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error().unwrap().is_invalid_channel_arn(),
        "{err:?}"
    );
    assert_eq!(status(&err), 400);
    let missing = "arn:aws:cloudtrail:us-east-1:000000000000:channel/00000000-0000-4000-8000-000000000000";
    let err = c
        .data
        .put_audit_events()
        .channel_arn(missing)
        .audit_events(audit_event("a", &data))
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_channel_not_found());
    let other_region = channel.replace("us-east-1", "eu-west-1");
    let err = c
        .data
        .put_audit_events()
        .channel_arn(other_region)
        .audit_events(audit_event("a", &data))
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_channel_not_found());

    let err = c
        .data
        .put_audit_events()
        .channel_arn(&channel)
        .audit_events(audit_event("same", &data))
        .audit_events(audit_event("same", &data))
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_duplicated_audit_event_id());

    let mut too_many = c.data.put_audit_events().channel_arn(&channel);
    for i in 0..101 {
        too_many = too_many.audit_events(audit_event(&format!("e{i}"), &data));
    }
    let err = too_many.send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ValidationException"));

    let err = c
        .data
        .put_audit_events()
        .channel_arn(&channel)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ValidationException"), "no events");
    let err = c
        .data
        .put_audit_events()
        .channel_arn(&channel)
        .audit_events(audit_event("bad id!", &data))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ValidationException"));

    let big = event_data(OWNER, "u").replace(
        "\"team\":\"blue\"}",
        &format!("\"team\":\"{}\"}}", "x".repeat(20_000)),
    );
    let mut large = c.data.put_audit_events().channel_arn(&channel);
    for i in 0..60 {
        large = large.audit_events(audit_event(&format!("big{i}"), &big));
    }
    let err = large.send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ValidationException"), "over 1 MB");
    assert!(
        err.as_service_error().unwrap().to_string().contains("1 MB") || format!("{err:?}").contains("1 MB")
    );
}

#[tokio::test]
async fn cross_account_needs_policy_and_external_id() {
    let lake = lake().await;
    let owner = clients(&lake, "test");
    let partner = clients(&lake, PARTNER);
    let eds = create_store(&owner.ct, "dest").await;
    let channel = create_channel(&owner.ct, "chan", &[&eds]).await;
    let data = event_data(OWNER, "x");

    let err = partner
        .data
        .put_audit_events()
        .channel_arn(&channel)
        .audit_events(audit_event("a", &data))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_channel_insufficient_permission(),
        "no policy: {err:?}"
    );

    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": PARTNER}, "Action": "cloudtrail-data:PutAuditEvents",
            "Resource": channel, "Condition": {"StringEquals": {"cloudtrail:ExternalId": "ext-123"}}}]
    });
    owner
        .ct
        .put_resource_policy()
        .resource_arn(&channel)
        .resource_policy(policy.to_string())
        .send()
        .await
        .unwrap();
    let err = partner
        .data
        .put_audit_events()
        .channel_arn(&channel)
        .audit_events(audit_event("a", &data))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_channel_insufficient_permission(),
        "no external id"
    );
    let err = partner
        .data
        .put_audit_events()
        .channel_arn(&channel)
        .external_id("wrong-id")
        .audit_events(audit_event("a", &data))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_channel_insufficient_permission(),
        "wrong external id"
    );
    let ok = partner
        .data
        .put_audit_events()
        .channel_arn(&channel)
        .external_id("ext-123")
        .audit_events(audit_event("a", &data))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.successful().len(), 1);
    // The owner may always publish, with or without the external ID.
    let ok = owner
        .data
        .put_audit_events()
        .channel_arn(&channel)
        .audit_events(audit_event("b", &data))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.successful().len(), 1);
    // A third account is not a principal.
    let stranger = clients(&lake, "444455556666");
    let err = stranger
        .data
        .put_audit_events()
        .channel_arn(&channel)
        .external_id("ext-123")
        .audit_events(audit_event("a", &data))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_channel_insufficient_permission()
    );
}
