//! Create/Get/List/Update/DeleteEventDataStore with the real SDK client.

use aws_sdk_cloudtrail::types::{AdvancedEventSelector, AdvancedFieldSelector, EventDataStoreStatus, Tag};

use crate::support::*;

#[tokio::test]
async fn lifecycle_happy_path() {
    let lake = lake().await;
    let c = clients(&lake, "test");
    let created =
        c.ct.create_event_data_store()
            .name("activity-store")
            .advanced_event_selectors(activity_selector())
            .multi_region_enabled(false)
            .retention_period(30)
            .tags_list(Tag::builder().key("env").value("test").build().unwrap())
            .send()
            .await
            .unwrap();
    let arn = created.event_data_store_arn().unwrap().to_owned();
    assert!(
        arn.starts_with("arn:aws:cloudtrail:us-east-1:000000000000:eventdatastore/"),
        "{arn}"
    );
    assert_eq!(created.status(), Some(&EventDataStoreStatus::Enabled));
    assert_eq!(
        created.termination_protection_enabled(),
        Some(true),
        "termination protection is on by default"
    );
    assert_eq!(created.multi_region_enabled(), Some(false));
    assert_eq!(created.retention_period(), Some(30));
    assert_eq!(created.tags_list()[0].key(), "env");
    assert!(created.created_timestamp().is_some());

    let by_id =
        c.ct.get_event_data_store()
            .event_data_store(id_of(&arn))
            .send()
            .await
            .unwrap();
    assert_eq!(by_id.name(), Some("activity-store"));
    assert_eq!(
        by_id.advanced_event_selectors()[0].field_selectors()[0].equals(),
        ["ActivityAuditLog".to_owned()]
    );

    let listed = c.ct.list_event_data_stores().send().await.unwrap();
    assert_eq!(listed.event_data_stores().len(), 1);
    assert_eq!(
        listed.event_data_stores()[0].event_data_store_arn(),
        Some(arn.as_str())
    );

    let err =
        c.ct.delete_event_data_store()
            .event_data_store(&arn)
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        code(&err).as_deref(),
        Some("EventDataStoreTerminationProtectedException")
    );

    let updated =
        c.ct.update_event_data_store()
            .event_data_store(&arn)
            .name("renamed")
            .retention_period(90)
            .termination_protection_enabled(false)
            .send()
            .await
            .unwrap();
    assert_eq!(updated.name(), Some("renamed"));
    assert_eq!(updated.retention_period(), Some(90));

    c.ct.delete_event_data_store()
        .event_data_store(&arn)
        .send()
        .await
        .unwrap();
    let gone =
        c.ct.get_event_data_store()
            .event_data_store(&arn)
            .send()
            .await
            .unwrap();
    assert_eq!(gone.status(), Some(&EventDataStoreStatus::PendingDeletion));
    let err =
        c.ct.delete_event_data_store()
            .event_data_store(&arn)
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InactiveEventDataStoreException"));
    let err =
        c.ct.update_event_data_store()
            .event_data_store(&arn)
            .retention_period(40)
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InactiveEventDataStoreException"));
}

#[tokio::test]
async fn validation_errors() {
    let lake = lake().await;
    let c = clients(&lake, "test");
    let err = c.ct.create_event_data_store().name("x").send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidParameterException"));
    assert_eq!(status(&err), 400);
    let err = c.ct.create_event_data_store().send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidParameterException"));

    let bad = AdvancedEventSelector::builder()
        .field_selectors(
            AdvancedFieldSelector::builder()
                .field("eventCategory")
                .equals("ActivityAuditLog")
                .build()
                .unwrap(),
        )
        .field_selectors(
            AdvancedFieldSelector::builder()
                .field("eventSource")
                .equals("x")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let err =
        c.ct.create_event_data_store()
            .name("bad-sel")
            .advanced_event_selectors(bad)
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidEventSelectorsException"));

    let err =
        c.ct.create_event_data_store()
            .name("short")
            .retention_period(6)
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidParameterException"));
    let err =
        c.ct.create_event_data_store()
            .name("org")
            .organization_enabled(true)
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("OrganizationsNotInUseException"));
    assert_eq!(status(&err), 404);
    let err =
        c.ct.create_event_data_store()
            .name("tags")
            .tags_list(Tag::builder().key("").build().unwrap())
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidTagParameterException"));

    create_store(&c.ct, "dup").await;
    let err =
        c.ct.create_event_data_store()
            .name("dup")
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        code(&err).as_deref(),
        Some("EventDataStoreAlreadyExistsException")
    );

    let err =
        c.ct.get_event_data_store()
            .event_data_store("00000000-0000-4000-8000-000000000000")
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("EventDataStoreNotFoundException"));
    assert_eq!(status(&err), 404);
    let err =
        c.ct.get_event_data_store()
            .event_data_store("arn:aws:s3:::bucket")
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("EventDataStoreARNInvalidException"));
    let other_account =
        "arn:aws:cloudtrail:us-east-1:999999999999:eventdatastore/00000000-0000-4000-8000-000000000000";
    let err =
        c.ct.get_event_data_store()
            .event_data_store(other_account)
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("EventDataStoreNotFoundException"));

    let err =
        c.ct.update_event_data_store()
            .event_data_store("dup")
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        code(&err).as_deref(),
        Some("InvalidParameterException"),
        "an update needs at least one member"
    );
}

#[tokio::test]
async fn ten_stores_per_region_including_pending_deletion() {
    let lake = lake().await;
    let c = clients(&lake, "test");
    let first = create_store(&c.ct, "store-0").await;
    for i in 1..10 {
        create_store(&c.ct, &format!("store-{i}")).await;
    }
    c.ct.delete_event_data_store()
        .event_data_store(&first)
        .send()
        .await
        .unwrap();
    let err =
        c.ct.create_event_data_store()
            .name("store-10")
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        code(&err).as_deref(),
        Some("EventDataStoreMaxLimitExceededException")
    );
    // Another Region has its own quota.
    let west = clients_with(&lake.endpoint_url(), "test", "test", "eu-west-1");
    create_store(&west.ct, "store-10").await;
    assert_eq!(
        c.ct.list_event_data_stores()
            .send()
            .await
            .unwrap()
            .event_data_stores()
            .len(),
        10
    );
    assert_eq!(
        west.ct
            .list_event_data_stores()
            .send()
            .await
            .unwrap()
            .event_data_stores()
            .len(),
        1
    );
}

#[tokio::test]
async fn list_pagination() {
    let lake = lake().await;
    let c = clients(&lake, "test");
    for i in 0..5 {
        create_store(&c.ct, &format!("page-{i}")).await;
    }
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let page =
            c.ct.list_event_data_stores()
                .max_results(2)
                .set_next_token(token)
                .send()
                .await
                .unwrap();
        assert!(page.event_data_stores().len() <= 2);
        names.extend(
            page.event_data_stores()
                .iter()
                .map(|s| s.name().unwrap().to_owned()),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(names, ["page-0", "page-1", "page-2", "page-3", "page-4"]);
    let err =
        c.ct.list_event_data_stores()
            .next_token("not-a-token")
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidNextTokenException"));
    let err =
        c.ct.list_event_data_stores()
            .max_results(0)
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidMaxResultsException"));
}
