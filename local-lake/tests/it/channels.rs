//! Create/Get/List/Update/DeleteChannel with the real SDK client.

use aws_sdk_cloudtrail::types::{Destination, DestinationType};

use crate::support::*;

#[tokio::test]
async fn lifecycle_happy_path() {
    let lake = lake().await;
    let c = clients(&lake, "test");
    let eds = create_store(&c.ct, "dest-a").await;
    let eds_b = create_store(&c.ct, "dest-b").await;
    let created =
        c.ct.create_channel()
            .name("my-channel")
            .source("Custom")
            .destinations(destination(&eds))
            .send()
            .await
            .unwrap();
    let arn = created.channel_arn().unwrap().to_owned();
    assert!(
        arn.starts_with("arn:aws:cloudtrail:us-east-1:000000000000:channel/"),
        "{arn}"
    );
    assert_eq!(created.source(), Some("Custom"));
    assert_eq!(created.destinations()[0].location(), eds);

    let got = c.ct.get_channel().channel(id_of(&arn)).send().await.unwrap();
    assert_eq!(got.name(), Some("my-channel"));
    let ingestion = got.ingestion_status().unwrap();
    assert!(
        ingestion.latest_ingestion_success_event_id().is_none(),
        "no ingestion yet"
    );

    let listed = c.ct.list_channels().send().await.unwrap();
    assert_eq!(listed.channels().len(), 1);
    assert_eq!(listed.channels()[0].channel_arn(), Some(arn.as_str()));

    let updated =
        c.ct.update_channel()
            .channel(&arn)
            .name("renamed-channel")
            .destinations(destination(&eds))
            .destinations(destination(id_of(&eds_b)))
            .send()
            .await
            .unwrap();
    assert_eq!(updated.name(), Some("renamed-channel"));
    assert_eq!(updated.destinations().len(), 2);

    let err =
        c.ct.delete_event_data_store()
            .event_data_store(&eds_b)
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ChannelExistsForEDSException"));

    c.ct.delete_channel().channel(&arn).send().await.unwrap();
    let err = c.ct.get_channel().channel(&arn).send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ChannelNotFoundException"));
    assert_eq!(status(&err), 404);
    c.ct.delete_event_data_store()
        .event_data_store(&eds_b)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn validation_errors() {
    let lake = lake().await;
    let c = clients(&lake, "test");
    let eds = create_store(&c.ct, "dest").await;
    let management =
        c.ct.create_event_data_store()
            .name("mgmt")
            .send()
            .await
            .unwrap()
            .event_data_store_arn
            .unwrap();

    let err =
        c.ct.create_channel()
            .name("chan-1")
            .source("NotAPartner")
            .destinations(destination(&eds))
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidSourceException"));
    let err =
        c.ct.create_channel()
            .name("chan-1")
            .source("Custom")
            .destinations(destination(&management))
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        code(&err).as_deref(),
        Some("InvalidEventDataStoreCategoryException")
    );
    let missing =
        "arn:aws:cloudtrail:us-east-1:000000000000:eventdatastore/00000000-0000-4000-8000-000000000000";
    let err =
        c.ct.create_channel()
            .name("chan-1")
            .source("Custom")
            .destinations(destination(missing))
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("EventDataStoreNotFoundException"));
    let err =
        c.ct.create_channel()
            .name("chan-1")
            .source("Custom")
            .destinations(destination("not an arn!"))
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("EventDataStoreARNInvalidException"));
    let service = Destination::builder()
        .r#type(DestinationType::AwsService)
        .location("Config")
        .build()
        .unwrap();
    let err =
        c.ct.create_channel()
            .name("chan-1")
            .source("Custom")
            .destinations(service)
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidParameterException"));
    let err =
        c.ct.create_channel()
            .name("chan-1")
            .source("Custom")
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidParameterException"));

    c.ct.create_channel()
        .name("okta")
        .source("OktaSystemLogEvents")
        .destinations(destination(&eds))
        .send()
        .await
        .unwrap();
    let err =
        c.ct.create_channel()
            .name("okta-2")
            .source("OktaSystemLogEvents")
            .destinations(destination(&eds))
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        code(&err).as_deref(),
        Some("ChannelAlreadyExistsException"),
        "one channel per partner source"
    );
    let err =
        c.ct.create_channel()
            .name("okta")
            .source("Custom")
            .destinations(destination(&eds))
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        code(&err).as_deref(),
        Some("ChannelAlreadyExistsException"),
        "names are unique"
    );

    let pending = create_store(&c.ct, "pending").await;
    c.ct.delete_event_data_store()
        .event_data_store(&pending)
        .send()
        .await
        .unwrap();
    let err =
        c.ct.create_channel()
            .name("chan-2")
            .source("Custom")
            .destinations(destination(&pending))
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InactiveEventDataStoreException"));

    let err =
        c.ct.get_channel()
            .channel("arn:aws:cloudtrail:us-east-1:000000000000:trail/x")
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ChannelARNInvalidException"));
    let err =
        c.ct.delete_channel()
            .channel("00000000-0000-4000-8000-000000000000")
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ChannelNotFoundException"));
}

#[tokio::test]
async fn twenty_five_custom_channels_then_quota() {
    let lake = lake().await;
    let c = clients(&lake, "test");
    let eds = create_store(&c.ct, "dest").await;
    for i in 0..25 {
        create_channel(&c.ct, &format!("custom-{i}"), &[&eds]).await;
    }
    let err =
        c.ct.create_channel()
            .name("custom-25")
            .source("Custom")
            .destinations(destination(&eds))
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ChannelMaxLimitExceededException"));
    let page = c.ct.list_channels().max_results(10).send().await.unwrap();
    assert_eq!(page.channels().len(), 10);
    let rest =
        c.ct.list_channels()
            .next_token(page.next_token().unwrap())
            .send()
            .await
            .unwrap();
    assert_eq!(rest.channels().len(), 15);
    assert!(rest.next_token().is_none());
}
