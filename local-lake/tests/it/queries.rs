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
