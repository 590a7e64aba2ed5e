//! Fault injection: each fault kind, set through the admin endpoint or the config.

use std::time::{Duration, Instant};

use ctlake_local::{Config, FaultConfig, LocalLake};

use crate::support::*;

async fn setup(lake: &LocalLake) -> (Clients, String) {
    let c = clients(lake, "test");
    let eds = create_store(&c.ct, "dest").await;
    let channel = create_channel(&c.ct, "chan", &[&eds]).await;
    (c, channel)
}

async fn put(
    c: &Clients,
    channel: &str,
) -> Result<
    aws_sdk_cloudtraildata::operation::put_audit_events::PutAuditEventsOutput,
    aws_sdk_cloudtraildata::error::SdkError<
        aws_sdk_cloudtraildata::operation::put_audit_events::PutAuditEventsError,
        aws_smithy_runtime_api::http::Response,
    >,
> {
    c.data
        .put_audit_events()
        .channel_arn(channel)
        .audit_events(audit_event("a", &event_data(OWNER, "1")))
        .audit_events(audit_event("b", &event_data(OWNER, "2")))
        .send()
        .await
}

#[tokio::test]
async fn whole_request_errors_by_scope() {
    let lake = lake().await;
    let (c, channel) = setup(&lake).await;
    set_faults(&lake, r#"{"scope": "data_plane", "error_500": 1.0}"#).await;
    let err = put(&c, &channel).await.unwrap_err();
    assert_eq!(status(&err), 500);
    assert_eq!(code(&err).as_deref(), Some("InternalFailure"));
    c.ct.list_channels()
        .send()
        .await
        .expect("the control plane is out of scope");

    set_faults(&lake, r#"{"scope": "data_plane", "error_503": 1.0}"#).await;
    let err = put(&c, &channel).await.unwrap_err();
    assert_eq!(status(&err), 503);

    set_faults(&lake, r#"{"throttle": 1.0}"#).await;
    let err = put(&c, &channel).await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ThrottlingException"));
    assert_eq!(status(&err), 400);
    let err = c.ct.list_channels().send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ThrottlingException"));
    assert_eq!(status(&err), 429);

    set_faults(&lake, r#"{"scope": "control_plane", "error_500": 1.0}"#).await;
    assert!(put(&c, &channel).await.is_ok(), "the data plane is out of scope");
    let (status, _, _) = raw(&lake, "POST", "/_ctlake/reset", &[], "").await;
    assert_eq!(status, 200);
    c.ct.list_channels()
        .send()
        .await
        .expect("reset removes the faults");
}

#[tokio::test]
async fn probabilities_are_seeded() {
    let lake = lake().await;
    let (c, channel) = setup(&lake).await;
    let mut runs = Vec::new();
    for _ in 0..2 {
        set_faults(&lake, r#"{"seed": 7, "scope": "data_plane", "error_503": 0.5}"#).await;
        let mut outcomes = Vec::new();
        for _ in 0..16 {
            outcomes.push(put(&c, &channel).await.is_ok());
        }
        runs.push(outcomes);
    }
    assert_eq!(runs[0], runs[1], "the same seed gives the same sequence");
    assert!(
        runs[0].contains(&true) && runs[0].contains(&false),
        "{:?}",
        runs[0]
    );
}

#[tokio::test]
async fn per_entry_faults() {
    let dir = tempfile::tempdir().unwrap();
    let lake = LocalLake::start(Config::with_data_dir(dir.path())).await.unwrap();
    let (c, channel) = setup(&lake).await;
    set_faults(&lake, r#"{"entry_throttling": 1.0}"#).await;
    let out = put(&c, &channel).await.unwrap();
    assert!(out.successful().is_empty());
    assert!(
        out.failed().iter().all(|f| f.error_code() == "Throttling"),
        "{:?}",
        out.failed()
    );
    set_faults(&lake, r#"{"entry_internal_failure": 1.0}"#).await;
    let out = put(&c, &channel).await.unwrap();
    assert!(out.failed().iter().all(|f| f.error_code() == "InternalFailure"));
    assert_eq!(out.failed().len(), 2);
    let eds =
        c.ct.list_event_data_stores()
            .send()
            .await
            .unwrap()
            .event_data_stores()[0]
            .event_data_store_arn()
            .unwrap()
            .to_owned();
    assert_eq!(
        stored_rows(dir.path(), id_of(&eds)),
        0,
        "failed entries are not stored"
    );
    lake.shutdown().await.unwrap();
}

#[tokio::test]
async fn added_latency() {
    let lake = lake().await;
    let (c, channel) = setup(&lake).await;
    set_faults(
        &lake,
        r#"{"scope": "data_plane", "latency_min_ms": 300, "latency_max_ms": 300}"#,
    )
    .await;
    let started = Instant::now();
    put(&c, &channel).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn dropped_connections() {
    let lake = lake().await;
    let (c, channel) = setup(&lake).await;
    set_faults(&lake, r#"{"scope": "data_plane", "drop_connection": 1.0}"#).await;
    let err = put(&c, &channel).await.unwrap_err();
    assert!(
        err.as_service_error().is_none(),
        "a dropped connection is a transport error: {err:?}"
    );
    assert!(err.raw_response().is_none());
    c.ct.list_channels()
        .send()
        .await
        .expect("the server keeps serving");
}

#[tokio::test]
async fn closed_to_new_customers() {
    let mut faults = FaultConfig::default();
    faults.refuse_new_customers = true;
    let lake = LocalLake::start(Config::in_memory().faults(faults))
        .await
        .unwrap();
    let c = clients(&lake, "test");
    let err =
        c.ct.create_event_data_store()
            .name("first")
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("UnsupportedOperationException"));
    assert_eq!(status(&err), 400);
    assert!(format!("{err:?}").contains("no longer accepting new customers"));
    // An existing customer (an account that already has a store) can still create stores.
    set_faults(&lake, "{}").await;
    create_store(&c.ct, "existing").await;
    set_faults(&lake, r#"{"refuse_new_customers": true}"#).await;
    create_store(&c.ct, "second").await;
}

#[tokio::test]
async fn put_audit_events_quota() {
    let lake = lake().await;
    let (c, channel) = setup(&lake).await;
    set_faults(
        &lake,
        r#"{"put_audit_events_quota": true, "put_audit_events_tps": 3}"#,
    )
    .await;
    let mut throttled = 0;
    for _ in 0..6 {
        if let Err(err) = put(&c, &channel).await {
            assert_eq!(code(&err).as_deref(), Some("ThrottlingException"));
            throttled += 1;
        }
    }
    assert!(throttled >= 2, "6 rapid calls against 3/s: {throttled} throttled");
    let partner = clients(&lake, PARTNER);
    let err = partner.ct.list_channels().send().await;
    assert!(err.is_ok(), "the quota covers PutAuditEvents only");
}

#[tokio::test]
async fn admin_endpoints() {
    let lake = lake().await;
    let (status, headers, body) = raw(&lake, "GET", "/_ctlake/health", &[], "").await;
    assert_eq!(status, 200);
    assert!(header(&headers, "x-amzn-requestid").is_some());
    assert!(body.contains("\"ok\""));
    set_faults(&lake, r#"{"error_503": 0.25, "seed": 3}"#).await;
    let (_, _, body) = raw(&lake, "GET", "/_ctlake/faults", &[], "").await;
    let current: FaultConfig = serde_json::from_str(&body).unwrap();
    assert_eq!(current.error_503, 0.25);
    assert_eq!(current.seed, 3);
    let (status, _, body) = raw(&lake, "POST", "/_ctlake/faults", &[], r#"{"error_500": 2}"#).await;
    assert_eq!(status, 400);
    assert!(body.contains("error_500"), "{body}");
    let (status, _, _) = raw(&lake, "POST", "/_ctlake/faults", &[], r#"{"unknown_fault": 1}"#).await;
    assert_eq!(status, 400);

    let c = clients(&lake, "test");
    set_faults(&lake, "{}").await;
    create_store(&c.ct, "to-wipe").await;
    let (status, _, body) = raw(&lake, "POST", "/_ctlake/reset", &[], r#"{"data": true}"#).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        c.ct.list_event_data_stores()
            .send()
            .await
            .unwrap()
            .event_data_stores()
            .is_empty()
    );
    let (_, _, body) = raw(&lake, "GET", "/_ctlake/faults", &[], "").await;
    assert_eq!(
        serde_json::from_str::<FaultConfig>(&body).unwrap(),
        FaultConfig::default()
    );
}
