//! SigV4 verification, identities, Regions and the wire envelope (request ids, error headers, routing).

use std::time::{Duration, SystemTime};

use ctlake_local::{Config, Credentials, LocalLake};

use crate::support::*;

#[tokio::test]
async fn unknown_keys_and_wrong_secrets_are_refused() {
    let lake = lake().await;
    let unknown = clients_with(&lake.endpoint_url(), "AKIAUNKNOWNKEY", "test", "us-east-1");
    let err = unknown.ct.list_channels().send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("UnrecognizedClientException"));
    assert_eq!(status(&err), 403);
    let wrong = clients_with(&lake.endpoint_url(), "test", "not-the-secret", "us-east-1");
    let err = wrong.ct.list_channels().send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidSignatureException"));
    assert_eq!(status(&err), 403);
    let err = wrong
        .data
        .put_audit_events()
        .channel_arn("arn:aws:cloudtrail:us-east-1:000000000000:channel/x")
        .audit_events(audit_event("a", "{}"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidSignatureException"));
}

#[tokio::test]
async fn configured_key_pairs_act_as_their_account() {
    let lake = LocalLake::start(Config::in_memory().credentials(Credentials::new(
        "AKIDEXAMPLE",
        "s3cret",
        "123456789012",
    )))
    .await
    .unwrap();
    let c = clients_with(&lake.endpoint_url(), "AKIDEXAMPLE", "s3cret", "us-east-1");
    let arn = create_store(&c.ct, "mine").await;
    assert!(arn.contains(":123456789012:"), "{arn}");
    let wrong = clients_with(&lake.endpoint_url(), "AKIDEXAMPLE", "test", "us-east-1");
    assert_eq!(
        code(&wrong.ct.list_channels().send().await.unwrap_err()).as_deref(),
        Some("InvalidSignatureException")
    );
}

#[tokio::test]
async fn accounts_and_regions_are_isolated() {
    let lake = lake().await;
    let owner = clients(&lake, "test");
    let arn = create_store(&owner.ct, "private").await;
    let other = clients(&lake, PARTNER);
    let err = other
        .ct
        .get_event_data_store()
        .event_data_store(id_of(&arn))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("EventDataStoreNotFoundException"));
    assert!(
        other
            .ct
            .list_event_data_stores()
            .send()
            .await
            .unwrap()
            .event_data_stores()
            .is_empty()
    );
    let west = clients_with(&lake.endpoint_url(), "test", "test", "eu-west-1");
    assert!(
        west.ct
            .list_event_data_stores()
            .send()
            .await
            .unwrap()
            .event_data_stores()
            .is_empty()
    );
}

#[tokio::test]
async fn missing_and_malformed_signatures() {
    let lake = lake().await;
    let (status, headers, body) = raw(
        &lake,
        "POST",
        "/",
        &[("x-amz-target", "CloudTrail_20131101.ListChannels")],
        "{}",
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        header(&headers, "x-amzn-errortype"),
        Some("MissingAuthenticationTokenException")
    );
    assert!(header(&headers, "x-amzn-requestid").is_some());
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["__type"], "MissingAuthenticationTokenException");

    let (status, headers, _) = raw(
        &lake,
        "POST",
        "/",
        &[
            ("x-amz-target", "CloudTrail_20131101.ListChannels"),
            ("authorization", "AWS4-HMAC-SHA256 Credential=test"),
        ],
        "{}",
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        header(&headers, "x-amzn-errortype"),
        Some("IncompleteSignatureException")
    );
}

#[tokio::test]
async fn stale_and_mis_scoped_signatures_are_invalid() {
    let lake = lake().await;
    let old = SystemTime::now() - Duration::from_secs(3600);
    let (status, headers, _) = signed(
        &lake,
        Some("CloudTrail_20131101.ListChannels"),
        "/",
        "{}",
        "cloudtrail",
        old,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        header(&headers, "x-amzn-errortype"),
        Some("InvalidSignatureException")
    );
    let (status, headers, body) = signed(
        &lake,
        Some("CloudTrail_20131101.ListChannels"),
        "/",
        "{}",
        "cloudtrail-data",
        SystemTime::now(),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("correct service"), "{body}");
    assert_eq!(
        header(&headers, "x-amzn-errortype"),
        Some("InvalidSignatureException")
    );
}

#[tokio::test]
async fn both_target_prefixes_and_path_prefixes_work() {
    let lake = lake().await;
    for target in [
        "CloudTrail_20131101.ListChannels",
        "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.ListChannels",
    ] {
        let (status, headers, body) =
            signed(&lake, Some(target), "/", "{}", "cloudtrail", SystemTime::now()).await;
        assert_eq!(status, 200, "{target}: {body}");
        assert_eq!(body, r#"{"Channels":[]}"#);
        assert_eq!(
            header(&headers, "content-type"),
            Some("application/x-amz-json-1.1")
        );
        assert!(header(&headers, "x-amzn-requestid").is_some());
    }
    let prefixed = clients_with(
        &format!("{}/prefix/x", lake.endpoint_url()),
        "test",
        "test",
        "us-east-1",
    );
    let eds = create_store(&prefixed.ct, "prefixed").await;
    let channel = create_channel(&prefixed.ct, "prefixed", &[&eds]).await;
    let out = prefixed
        .data
        .put_audit_events()
        .channel_arn(channel)
        .audit_events(audit_event("a", &event_data(OWNER, "u")))
        .send()
        .await
        .unwrap();
    assert_eq!(out.successful().len(), 1);
}

#[tokio::test]
async fn unknown_operations_and_paths() {
    let lake = lake().await;
    let (status, headers, body) = signed(
        &lake,
        Some("CloudTrail_20131101.CreateTrail"),
        "/",
        "{}",
        "cloudtrail",
        SystemTime::now(),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        header(&headers, "x-amzn-errortype"),
        Some("UnknownOperationException")
    );
    let (status, headers, _) = raw(&lake, "GET", "/favicon.ico", &[], "").await;
    assert_eq!(status, 404);
    assert_eq!(
        header(&headers, "x-amzn-errortype"),
        Some("UnknownOperationException")
    );
    assert!(header(&headers, "x-amzn-requestid").is_some());
}
