//! A file-backed Lake keeps every resource, policy, ingestion status and event across a restart.

use ctlake_local::{Config, LocalLake};

use crate::support::*;

#[tokio::test]
async fn everything_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let lake = LocalLake::start(Config::with_data_dir(dir.path())).await.unwrap();
    let c = clients(&lake, "test");
    let eds = create_store(&c.ct, "durable").await;
    let channel = create_channel(&c.ct, "durable", &[&eds]).await;
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": PARTNER}, "Action": "cloudtrail-data:PutAuditEvents", "Resource": channel,
        "Condition": {"StringEquals": {"cloudtrail:ExternalId": "ext-9"}}}]})
    .to_string();
    c.ct.put_resource_policy()
        .resource_arn(&channel)
        .resource_policy(&policy)
        .send()
        .await
        .unwrap();
    let out = c
        .data
        .put_audit_events()
        .channel_arn(&channel)
        .audit_events(audit_event("before-1", &event_data(OWNER, "b1")))
        .audit_events(audit_event("before-2", &event_data(OWNER, "b2")))
        .send()
        .await
        .unwrap();
    let last_event = out.successful()[1].event_id().to_owned();
    lake.shutdown().await.unwrap();

    let lake = LocalLake::start(Config::with_data_dir(dir.path())).await.unwrap();
    let c = clients(&lake, "test");
    let store =
        c.ct.get_event_data_store()
            .event_data_store(&eds)
            .send()
            .await
            .unwrap();
    assert_eq!(store.name(), Some("durable"));
    let got = c.ct.get_channel().channel(&channel).send().await.unwrap();
    assert_eq!(
        got.ingestion_status()
            .unwrap()
            .latest_ingestion_success_event_id(),
        Some(last_event.as_str())
    );
    let kept =
        c.ct.get_resource_policy()
            .resource_arn(&channel)
            .send()
            .await
            .unwrap();
    assert_eq!(kept.resource_policy(), Some(policy.as_str()));
    // The policy is enforced again after the restart.
    let partner = clients(&lake, PARTNER);
    let err = partner
        .data
        .put_audit_events()
        .channel_arn(&channel)
        .audit_events(audit_event("x", &event_data(OWNER, "x")))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_channel_insufficient_permission()
    );
    partner
        .data
        .put_audit_events()
        .channel_arn(&channel)
        .external_id("ext-9")
        .audit_events(audit_event("after", &event_data(OWNER, "a1")))
        .send()
        .await
        .unwrap();
    assert_eq!(stored_rows(dir.path(), id_of(&eds)), 3);
    let (id, status) = run_query(
        &c.ct,
        &format!("SELECT eventData.UID FROM {} ORDER BY eventData.UID", id_of(&eds)),
    )
    .await;
    assert_eq!(status, "FINISHED");
    let uids: Vec<_> = all_rows(&c.ct, &id, 100)
        .await
        .into_iter()
        .map(|r| r[0].1.clone().unwrap())
        .collect();
    assert_eq!(
        uids,
        ["a1", "b1", "b2"],
        "events accepted before the restart are queryable after it"
    );
    lake.shutdown().await.unwrap();

    // Finished queries and their results survive a restart too.
    let lake = LocalLake::start(Config::with_data_dir(dir.path())).await.unwrap();
    let c = clients(&lake, "test");
    assert_eq!(all_rows(&c.ct, &id, 1).await.len(), 3);
    lake.shutdown().await.unwrap();
}
