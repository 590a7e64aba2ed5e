//! query: every output format, {eds}, saved queries, failures.

use crate::harness::{Lake, events};

fn lake_with_events() -> (Lake, String) {
    let lake = Lake::start();
    let bundle = lake.enable(&[]);
    let channel = bundle["channelArn"].as_str().unwrap();
    std::fs::write(lake.path("e.ndjson"), events(14, "q").join("\n")).unwrap();
    let run = lake.ctlake(&["put-events", "e.ndjson", "--channel-arn", channel]);
    assert_eq!(run.code, 0, "{run:?}");
    let store = bundle["eventDataStoreArn"].as_str().unwrap().to_owned();
    (lake, store)
}

const SQL: &str =
    "SELECT eventData.eventName, count(*) AS n FROM {eds} GROUP BY eventData.eventName ORDER BY n DESC";

#[test]
fn results_in_every_format() {
    let (lake, store) = lake_with_events();
    let json = lake.ctlake(&["--output", "json", "query", SQL, "--event-data-store", &store]);
    assert_eq!(json.code, 0, "{json:?}");
    assert_eq!(
        json.json(),
        serde_json::json!([{"eventName": "Update", "n": "9"}, {"eventName": "Login", "n": "5"}])
    );

    let text = lake.ctlake(&["--output", "text", "query", SQL, "--event-data-store", &store]);
    assert_eq!(text.stdout, "Update\t9\nLogin\t5\n", "{text:?}");

    let csv = lake.ctlake(&["--output", "csv", "query", SQL, "--event-data-store", &store]);
    assert_eq!(csv.stdout, "eventName,n\r\nUpdate,9\r\nLogin,5\r\n", "{csv:?}");

    // The store by name, through the environment variable.
    let table = crate::harness::command(lake.dir.path())
        .env("AWS_ENDPOINT_URL", &lake.url)
        .env("CTLAKE_EVENT_DATA_STORE", "itest")
        .args(["--output", "table", "query", SQL])
        .output()
        .unwrap();
    let table = crate::harness::Run::of(table);
    assert_eq!(table.code, 0, "{table:?}");
    insta::assert_snapshot!(table.stdout);
}

#[test]
fn null_values_keep_their_column() {
    let (lake, store) = lake_with_events();
    // Lake sends a NULL as an empty cell in its place; the values after it stay in their columns.
    let sql = "SELECT element_at(eventData.requestParameters, 'n') AS n, \
               element_at(eventData.requestParameters, 'missing') AS missing, eventData.UID AS uid \
               FROM {eds} WHERE eventData.UID = 'q-3'";
    let json = lake.ctlake(&["--output", "json", "query", sql, "--event-data-store", &store]);
    assert_eq!(json.code, 0, "{json:?}");
    assert_eq!(
        json.json(),
        serde_json::json!([{"n": "3", "_col1": null, "uid": "q-3"}])
    );
    let text = lake.ctlake(&["--output", "text", "query", sql, "--event-data-store", &store]);
    assert_eq!(text.stdout, "3\t\tq-3\n", "{text:?}");
}

#[test]
fn saved_queries_run() {
    let (lake, store) = lake_with_events();
    let run = lake.ctlake(&[
        "--output",
        "json",
        "query",
        "--saved",
        "top-actors",
        "--event-data-store",
        &store,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let rows = run.json();
    assert_eq!(rows.as_array().unwrap().len(), 7);
    assert_eq!(rows[0]["events"], "2");
    let by_source = lake.ctlake(&[
        "--output",
        "text",
        "query",
        "--saved",
        "events-by-source",
        "--event-data-store",
        &store,
    ]);
    assert_eq!(
        by_source.stdout, "app.example.com\tUpdate\t9\napp.example.com\tLogin\t5\n",
        "{by_source:?}"
    );
    let empty = lake.ctlake(&[
        "--output",
        "json",
        "query",
        "--saved",
        "errors",
        "--event-data-store",
        &store,
    ]);
    assert_eq!(empty.stdout, "[]\n", "{empty:?}");
}

#[test]
fn query_errors_have_exit_codes() {
    let (lake, store) = lake_with_events();
    let no_store = lake.ctlake(&["query", SQL]);
    assert_eq!(no_store.code, 252, "{no_store:?}");
    let unknown = lake.ctlake(&["query", SQL, "--event-data-store", "nope"]);
    assert_eq!(unknown.code, 252, "{unknown:?}");
    assert!(unknown.stderr.contains("itest ("), "{unknown:?}");
    let invalid = lake.ctlake(&["query", "DELETE FROM {eds}", "--event-data-store", &store]);
    assert_eq!(invalid.code, 254, "{invalid:?}");
}
