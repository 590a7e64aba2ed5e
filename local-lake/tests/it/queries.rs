//! StartQuery, DescribeQuery, GetQueryResults, ListQueries and CancelQuery.

use crate::support::*;

#[tokio::test]
async fn query_errors() {
    let lake = lake().await;
    let c = clients(&lake, "test");
    let eds = create_store(&c.ct, "dest").await;
    let err =
        c.ct.start_query()
            .query_statement("DELETE FROM everything")
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidQueryStatementException"));
    assert_eq!(status(&err), 400);
    let err = c.ct.start_query().query_statement("").send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidQueryStatementException"));
    let err =
        c.ct.start_query()
            .query_alias("dashboard")
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidParameterException"));

    let unknown = "00000000-0000-4000-8000-000000000000";
    let err = c.ct.describe_query().query_id(unknown).send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("QueryIdNotFoundException"));
    assert_eq!(status(&err), 404);
    let err =
        c.ct.get_query_results()
            .query_id(unknown)
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("QueryIdNotFoundException"));
    let err = c.ct.cancel_query().query_id(unknown).send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("QueryIdNotFoundException"));
    let err =
        c.ct.get_query_results()
            .query_id(unknown)
            .max_query_results(0)
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidMaxResultsException"));

    let listed = c.ct.list_queries().event_data_store(&eds).send().await.unwrap();
    assert!(listed.queries().is_empty());
    let err =
        c.ct.list_queries()
            .event_data_store(unknown)
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("EventDataStoreNotFoundException"));
    let err =
        c.ct.list_queries()
            .event_data_store(&eds)
            .query_status(aws_sdk_cloudtrail::types::QueryStatus::from("DONE"))
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidQueryStatusException"));
    let now = aws_sdk_cloudtrail::primitives::DateTime::from_secs(1_700_000_000);
    let earlier = aws_sdk_cloudtrail::primitives::DateTime::from_secs(1_600_000_000);
    let err =
        c.ct.list_queries()
            .event_data_store(&eds)
            .start_time(now)
            .end_time(earlier)
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidDateRangeException"));
}

async fn store_with_events(c: &Clients, name: &str, n: usize) -> String {
    let eds = create_store(&c.ct, name).await;
    let channel = create_channel(&c.ct, name, &[&eds]).await;
    let mut req = c.data.put_audit_events().channel_arn(&channel);
    for i in 0..n {
        req = req.audit_events(audit_event(
            &format!("e{i}"),
            &event_data(OWNER, &format!("uid-{i}")),
        ));
    }
    assert_eq!(req.send().await.unwrap().successful().len(), n);
    id_of(&eds).to_owned()
}

#[tokio::test]
async fn query_lifecycle_happy_path() {
    let lake = lake().await;
    let c = clients(&lake, "test");
    let eds = store_with_events(&c, "queried", 3).await;
    let statement = format!(
        "SELECT eventData.UID, eventData.userIdentity.principalId, eventTime FROM {eds} \
         WHERE eventTime >= '2023-12-31 00:00:00' ORDER BY eventData.UID"
    );
    let (id, status) = run_query(&c.ct, &statement).await;
    assert_eq!(status, "FINISHED");
    let d = c.ct.describe_query().query_id(&id).send().await.unwrap();
    assert_eq!(d.query_string(), Some(statement.as_str()));
    let stats = d.query_statistics().unwrap();
    assert_eq!(stats.events_matched(), Some(3));
    assert_eq!(stats.events_scanned(), Some(3));
    assert!(stats.bytes_scanned().unwrap() > 0);
    assert!(stats.creation_time().is_some());

    let rows = all_rows(&c.ct, &id, 2).await;
    assert_eq!(rows.len(), 3, "paged 2 + 1");
    assert_eq!(rows[0][0], ("UID".to_owned(), Some("uid-0".to_owned())));
    assert_eq!(rows[0][1], ("principalId".to_owned(), Some("alice".to_owned())));
    assert_eq!(
        rows[2][2],
        ("eventTime".to_owned(), Some("2024-01-01 00:00:00.000".to_owned()))
    );
    let first =
        c.ct.get_query_results()
            .query_id(&id)
            .max_query_results(2)
            .send()
            .await
            .unwrap();
    let stats = first.query_statistics().unwrap();
    assert_eq!(
        (stats.results_count(), stats.total_results_count()),
        (Some(2), Some(3))
    );

    let listed = c.ct.list_queries().event_data_store(&eds).send().await.unwrap();
    assert_eq!(listed.queries().len(), 1);
    assert_eq!(listed.queries()[0].query_id(), Some(id.as_str()));
    let finished =
        c.ct.list_queries()
            .event_data_store(&eds)
            .query_status(aws_sdk_cloudtrail::types::QueryStatus::Failed)
            .send()
            .await
            .unwrap();
    assert!(finished.queries().is_empty());

    let err = c.ct.cancel_query().query_id(&id).send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InactiveQueryException"));
    let err =
        c.ct.get_query_results()
            .query_id(&id)
            .next_token("bogus-token")
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidNextTokenException"));
}

#[tokio::test]
async fn counts_and_missing_stores() {
    let lake = lake().await;
    let c = clients(&lake, "test");
    let eds = store_with_events(&c, "counted", 4).await;
    let (id, status) = run_query(&c.ct, &format!("SELECT count(*) AS n FROM {eds}")).await;
    assert_eq!(status, "FINISHED");
    assert_eq!(
        all_rows(&c.ct, &id, 10).await,
        vec![vec![("n".to_owned(), Some("4".to_owned()))]]
    );

    let err =
        c.ct.start_query()
            .query_statement("SELECT eventID FROM 00000000-0000-4000-8000-000000000000")
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("EventDataStoreNotFoundException"));
    // Another account cannot read this store.
    let other = clients(&lake, PARTNER);
    let err = other
        .ct
        .start_query()
        .query_statement(format!("SELECT eventID FROM {eds}"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("EventDataStoreNotFoundException"));
    let err =
        c.ct.start_query()
            .query_statement(format!("SELECT nosuchcolumn FROM {eds}"))
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidQueryStatementException"));
}

#[tokio::test]
async fn concurrency_quota_and_cancel() {
    let lake = lake().await;
    let c = clients(&lake, "test");
    let eds = store_with_events(&c, "slow", 1).await;
    set_faults(&lake, r#"{"query_latency_ms": 20000}"#).await;
    let statement = format!("SELECT eventID FROM {eds}");
    let mut ids = Vec::new();
    for _ in 0..10 {
        ids.push(
            c.ct.start_query()
                .query_statement(&statement)
                .send()
                .await
                .unwrap()
                .query_id
                .unwrap(),
        );
    }
    let err =
        c.ct.start_query()
            .query_statement(&statement)
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("MaxConcurrentQueriesException"));
    assert_eq!(status(&err), 429);

    let running = c.ct.describe_query().query_id(&ids[0]).send().await.unwrap();
    assert!(matches!(
        running.query_status().unwrap().as_str(),
        "QUEUED" | "RUNNING"
    ));
    let pending = c.ct.get_query_results().query_id(&ids[0]).send().await.unwrap();
    assert!(pending.query_result_rows().is_empty());
    let cancelled = c.ct.cancel_query().query_id(&ids[0]).send().await.unwrap();
    assert_eq!(cancelled.query_status().as_str(), "CANCELLED");
    let d = c.ct.describe_query().query_id(&ids[0]).send().await.unwrap();
    assert_eq!(d.query_status().unwrap().as_str(), "CANCELLED");
    let err = c.ct.cancel_query().query_id(&ids[0]).send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InactiveQueryException"));
    // A slot is free again.
    c.ct.start_query()
        .query_statement(&statement)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn runtime_errors_fail_the_query_and_deleted_stores_stop_queries() {
    let lake = lake().await;
    let c = clients(&lake, "test");
    let eds = store_with_events(&c, "failing", 1).await;
    let (id, status) = run_query(
        &c.ct,
        &format!("SELECT CAST(eventData.eventName AS BIGINT) FROM {eds}"),
    )
    .await;
    assert_eq!(status, "FAILED");
    let d = c.ct.describe_query().query_id(&id).send().await.unwrap();
    assert!(d.error_message().is_some_and(|m| !m.is_empty()), "{d:?}");

    let other = create_store(&c.ct, "to-delete").await;
    let (q, _) = run_query(&c.ct, &format!("SELECT eventID FROM {}", id_of(&other))).await;
    c.ct.delete_event_data_store()
        .event_data_store(&other)
        .send()
        .await
        .unwrap();
    let err =
        c.ct.start_query()
            .query_statement(format!("SELECT eventID FROM {}", id_of(&other)))
            .send()
            .await
            .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InactiveEventDataStoreException"));
    let err = c.ct.get_query_results().query_id(&q).send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InactiveEventDataStoreException"));
}
