//! A small lake: realistic ActivityAuditLog records (the reserved Nordcloud sources of
//! `seed-event-sources.md`) in two event data stores, plus helpers that run Lake SQL against it.

use rusqlite::Connection;
use serde_json::{Value, json};

use crate::sql::{EVENTS_TABLE_DDL, QueryError, QueryOutput, compile, execute};

/// The main store, written as Lake writes ids (a UUID).
pub(super) const STORE_A: &str = "8a9cd1e2-1234-4f7e-a06a-43969abcdef0";
/// A second store.
pub(super) const STORE_B: &str = "eds-b2";
/// A store with no events.
pub(super) const STORE_EMPTY: &str = "0e5f0000-0000-4000-8000-000000000000";

/// One stored event before it is wrapped.
struct Ev {
    store: &'static str,
    id: &'static str,
    time: &'static str,
    event_data: &'static str,
    addendum: Option<Value>,
}

fn events() -> Vec<Ev> {
    let ev = |store, id, time, event_data| Ev {
        store,
        id,
        time,
        event_data,
        addendum: None,
    };
    vec![
        ev(
            STORE_A,
            "ev-1",
            "2023-01-05T13:50:00Z",
            r#"{
                "version": "v1",
                "userIdentity": {"type": "USER", "principalId": "alice@example.com", "details": {"role": "admin", "mfa": true}},
                "userAgent": "klarity/1.0",
                "eventSource": "com.nordcloudapp.klarity",
                "eventName": "discoveryRule.created",
                "eventTime": "2023-01-05T13:50:00Z",
                "UID": "uid-1",
                "requestParameters": {"ruleName": "prod", "ruleId": "r-1", "environment": "production"},
                "responseElements": {"status": "ok"},
                "sourceIPAddress": "10.0.0.1",
                "recipientAccountId": "111122223333",
                "additionalEventData": {"count": 3, "ratio": 1.50, "flag": true, "nested": {"a": [1, 2]}, "none": null, "dotted.key": "d"}
            }"#,
        ),
        ev(
            STORE_A,
            "ev-2",
            "2023-01-05T13:51:00Z",
            r#"{
                "version": "v1",
                "userIdentity": {"type": "USER", "principalId": "bob@example.com"},
                "userAgent": "klarity/1.0",
                "eventSource": "com.nordcloudapp.klarity",
                "eventName": "discoveryRule.deleted",
                "eventTime": "2023-01-05T13:51:00Z",
                "UID": "uid-2",
                "requestParameters": {"ruleName": "dev", "ruleId": "r-2"},
                "errorCode": "AccessDenied",
                "errorMessage": "not allowed",
                "sourceIPAddress": "10.0.0.2",
                "recipientAccountId": "111122223333"
            }"#,
        ),
        ev(
            STORE_A,
            "ev-3",
            "2023-01-05T14:00:00Z",
            r#"{
                "version": "v1",
                "userIdentity": {"type": "USER", "principalId": "alice@example.com"},
                "userAgent": "autobackup/2.3",
                "eventSource": "com.nordcloudapp.autobackup",
                "eventName": "backup.started",
                "eventTime": "2023-01-05T14:00:00Z",
                "UID": "uid-3",
                "requestParameters": {"resourceType": "ec2", "region": "eu-west-1"},
                "sourceIPAddress": "10.0.0.1",
                "recipientAccountId": "111122223333"
            }"#,
        ),
        Ev {
            addendum: Some(
                json!({"reason": "UPDATED_DATA", "updatedFields": "eventName", "originalUID": "uid-0", "originalEventID": "ev-0"}),
            ),
            ..ev(
                STORE_A,
                "ev-4",
                "2023-01-06T09:00:00Z",
                r#"{
                    "version": "v1",
                    "userIdentity": {"type": "USER", "principalId": "carol@example.com"},
                    "userAgent": "autobackup/2.3",
                    "eventSource": "com.nordcloudapp.autobackup",
                    "eventName": "backup.failed",
                    "eventTime": "2023-01-06T09:00:00Z",
                    "UID": "uid-4",
                    "requestParameters": {"resourceType": "rds"},
                    "errorCode": "Timeout",
                    "sourceIPAddress": "2001:db8::1",
                    "recipientAccountId": "111122223333"
                }"#,
            )
        },
        ev(
            STORE_A,
            "ev-5",
            "2023-01-06T09:00:00Z",
            r#"{
                "version": "0.01",
                "userIdentity": {"type": "USER", "principalId": "alice@example.com"},
                "eventSource": "com.nordcloudapp.autopatcher",
                "eventName": "baselinePatching.completed",
                "eventTime": "2023-01-06T09:00:00Z",
                "UID": "uid-5",
                "requestParameters": {"machinesCount": 10, "updatedCount": 7},
                "recipientAccountId": "111122223333"
            }"#,
        ),
        ev(
            STORE_A,
            "ev-6",
            "2023-02-01T00:00:00Z",
            r#"{
                "version": "v1",
                "userIdentity": {"type": "CustomUserIdentity", "principalId": "Dave"},
                "userAgent": "autobackup/2.4",
                "eventSource": "com.nordcloudapp.autobackup",
                "eventName": "backup.completed",
                "eventTime": "2023-02-01T00:00:00Z",
                "UID": "uid-6",
                "requestParameters": {"resourceType": "EC2"},
                "recipientAccountId": "111122223333"
            }"#,
        ),
        ev(
            STORE_B,
            "ev-7",
            "2023-01-05T15:00:00Z",
            r#"{
                "version": "v1",
                "userIdentity": {"type": "USER", "principalId": "alice@example.com"},
                "eventSource": "com.nordcloudapp.klarity",
                "eventName": "account.added",
                "eventTime": "2023-01-05T15:00:00Z",
                "UID": "uid-1",
                "recipientAccountId": "111122223333"
            }"#,
        ),
        ev(
            STORE_B,
            "ev-8",
            "2023-01-07T00:00:00Z",
            r#"{
                "version": "v1",
                "userIdentity": {"type": "USER", "principalId": "bob@example.com"},
                "eventSource": "com.nordcloudapp.autobackup",
                "eventName": "backup.started",
                "eventTime": "2023-01-07T00:00:00Z",
                "UID": "uid-8",
                "recipientAccountId": "111122223333"
            }"#,
        ),
    ]
}

/// `2023-01-05T13:50:00Z` → `2023-01-05 13:50:00.000`.
fn stored_time(iso: &str) -> String {
    format!("{} {}.000", &iso[..10], &iso[11..19])
}

/// The record JSON as the rest of the local Lake stores it (lake-api.md §2.2).
fn record(e: &Ev) -> String {
    // Built as text so the eventData keeps its member order and number spelling, as a stored record does.
    let mut r = json!({
        "eventVersion": "1.0",
        "eventCategory": "ActivityAuditLog",
        "eventType": "ActivityLog",
        "eventID": e.id,
        "eventTime": e.time,
        "awsRegion": "us-east-1",
        "recipientAccountId": "111122223333",
        "metadata": {"ingestionTime": e.time, "channelARN": "arn:aws:cloudtrail:us-east-1:111122223333:channel/ch-1"},
    });
    if let (Some(a), Some(obj)) = (&e.addendum, r.as_object_mut()) {
        obj.insert("addendum".to_owned(), a.clone());
    }
    let head = r.to_string();
    format!("{},\"eventData\":{}}}", &head[..head.len() - 1], e.event_data)
}

/// An in-memory store holding the fixture events.
pub(super) fn lake() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(EVENTS_TABLE_DDL).unwrap();
    for e in events() {
        let t = stored_time(e.time);
        conn.execute(
            "INSERT INTO events (eds_id, event_id, event_time, ingestion_time, record) VALUES (?1, ?2, ?3, ?3, ?4)",
            rusqlite::params![e.store, e.id, t, record(&e)],
        )
        .unwrap();
    }
    conn
}

/// Compiles and runs `sql` on the fixture lake.
pub(super) fn run(sql: &str) -> QueryOutput {
    let q = compile(sql).unwrap_or_else(|e| panic!("compile failed: {e}\n{sql}"));
    execute(&lake(), &q).unwrap_or_else(|e| panic!("execute failed: {e}\n{sql}\n{}", q.sql()))
}

/// The rows of `sql` with `NULL` shown as `<null>`.
pub(super) fn rows(sql: &str) -> Vec<Vec<String>> {
    run(sql)
        .rows
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|v| v.unwrap_or_else(|| "<null>".to_owned()))
                .collect()
        })
        .collect()
}

/// The rows of a one-column result.
pub(super) fn col(sql: &str) -> Vec<String> {
    rows(sql).into_iter().map(|mut r| r.remove(0)).collect()
}

/// Builds expected rows from string slices.
pub(super) fn table(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|s| (*s).to_owned()).collect())
        .collect()
}

/// The column names of `sql`.
pub(super) fn columns(sql: &str) -> Vec<String> {
    compile(sql)
        .unwrap_or_else(|e| panic!("compile failed: {e}\n{sql}"))
        .columns()
        .to_vec()
}

/// The message of the `Invalid` error `sql` must fail with.
pub(super) fn rejected(sql: &str) -> String {
    match compile(sql) {
        Err(QueryError::Invalid(msg)) => msg,
        Err(other) => panic!("expected Invalid, got {other:?} for {sql}"),
        Ok(q) => panic!("expected a rejection, compiled to {} for {sql}", q.sql()),
    }
}

/// The message of the `Execution` error `sql` must fail with.
pub(super) fn failed(sql: &str) -> String {
    let q = compile(sql).unwrap_or_else(|e| panic!("compile failed: {e}\n{sql}"));
    match execute(&lake(), &q) {
        Err(QueryError::Execution(msg)) => msg,
        other => panic!("expected an execution error, got {other:?} for {sql}"),
    }
}
