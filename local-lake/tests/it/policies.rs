//! Put/Get/DeleteResourcePolicy on channels with the real SDK client.

use crate::support::*;

fn policy(channel: &str, principal: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "ChannelPolicy",
            "Effect": "Allow",
            "Principal": {"AWS": [format!("arn:aws:iam::{principal}:root")]},
            "Action": ["cloudtrail-data:PutAuditEvents"],
            "Resource": [channel],
            "Condition": {"StringEquals": {"cloudtrail:ExternalId": "ext-123"}}
        }]
    })
    .to_string()
}

#[tokio::test]
async fn put_get_delete() {
    let lake = lake().await;
    let c = clients(&lake, "test");
    let eds = create_store(&c.ct, "dest").await;
    let channel = create_channel(&c.ct, "chan", &[&eds]).await;
    let err =
        c.ct.get_resource_policy()
            .resource_arn(&channel)
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ResourcePolicyNotFoundException"));
    assert_eq!(status(&err), 404);

    let doc = policy(&channel, PARTNER);
    let put =
        c.ct.put_resource_policy()
            .resource_arn(&channel)
            .resource_policy(&doc)
            .send()
            .await
            .unwrap();
    assert_eq!(put.resource_arn(), Some(channel.as_str()));
    assert_eq!(put.resource_policy(), Some(doc.as_str()));
    let got =
        c.ct.get_resource_policy()
            .resource_arn(&channel)
            .send()
            .await
            .unwrap();
    assert_eq!(got.resource_policy(), Some(doc.as_str()));

    c.ct.delete_resource_policy()
        .resource_arn(&channel)
        .send()
        .await
        .unwrap();
    let err =
        c.ct.delete_resource_policy()
            .resource_arn(&channel)
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ResourcePolicyNotFoundException"));
}

#[tokio::test]
async fn invalid_policies_and_resources() {
    let lake = lake().await;
    let c = clients(&lake, "test");
    let eds = create_store(&c.ct, "dest").await;
    let channel = create_channel(&c.ct, "chan", &[&eds]).await;
    let other = create_channel(&c.ct, "other", &[&eds]).await;
    for (doc, why) in [
        (policy(&other, PARTNER), "another channel's ARN"),
        (
            policy(&channel, PARTNER).replace("cloudtrail-data:PutAuditEvents", "cloudtrail:StartQuery"),
            "other action",
        ),
        (
            policy(&channel, PARTNER).replace("arn:aws:iam::111122223333:root", "*"),
            "wildcard principal",
        ),
        ("{not json".to_owned(), "syntax"),
        (
            r#"{"Version":"2012-10-17","Statement":[]}"#.to_owned(),
            "no statement",
        ),
        ("x".repeat(8193), "too long"),
    ] {
        let err =
            c.ct.put_resource_policy()
                .resource_arn(&channel)
                .resource_policy(doc)
                .send()
                .await
                .unwrap_err();
        assert_eq!(
            code(&err).as_deref(),
            Some("ResourcePolicyNotValidException"),
            "{why}"
        );
    }
    let err =
        c.ct.put_resource_policy()
            .resource_arn("channel-x")
            .resource_policy("{}")
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ResourceARNNotValidException"));
    let err =
        c.ct.put_resource_policy()
            .resource_arn(&eds)
            .resource_policy("{}")
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ResourceTypeNotSupportedException"));
    let missing = "arn:aws:cloudtrail:us-east-1:000000000000:channel/00000000-0000-4000-8000-000000000000";
    let err =
        c.ct.get_resource_policy()
            .resource_arn(missing)
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ResourceNotFoundException"));
}
