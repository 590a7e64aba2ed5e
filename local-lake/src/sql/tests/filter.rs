//! `WHERE`: comparisons, boolean logic, `IN`, `BETWEEN`, `LIKE`, `IS [NOT] NULL`, `IS [NOT] DISTINCT FROM`
//! and time comparisons against the top-level `eventTime`.

use super::fixtures::*;

fn ids(where_clause: &str) -> Vec<String> {
    col(&format!(
        "SELECT eventID FROM {STORE_A} WHERE {where_clause} ORDER BY eventID"
    ))
}

#[test]
fn comparisons_and_boolean_logic() {
    assert_eq!(
        ids("eventData.eventSource = 'com.nordcloudapp.klarity'"),
        ["ev-1", "ev-2"]
    );
    assert_eq!(
        ids("eventData.eventSource <> 'com.nordcloudapp.autobackup'"),
        ["ev-1", "ev-2", "ev-5"]
    );
    assert_eq!(
        ids("eventData.eventSource != 'com.nordcloudapp.autobackup' AND eventData.errorCode IS NULL"),
        ["ev-1", "ev-5"]
    );
    assert_eq!(
        ids("eventData.userIdentity.principalId = 'Dave' OR eventData.errorCode = 'Timeout'"),
        ["ev-4", "ev-6"]
    );
    assert_eq!(
        ids("NOT (eventData.userIdentity.principalId = 'alice@example.com')"),
        ["ev-2", "ev-4", "ev-6"]
    );
    assert_eq!(
        ids("eventData.userIdentity.principalId > 'bob@example.com'"),
        ["ev-4"]
    );
    assert_eq!(
        ids("eventData.userIdentity.principalId < 'alice@example.com'"),
        ["ev-6"]
    );
}

#[test]
fn null_semantics_follow_sql() {
    // A comparison with a missing field is unknown, so neither the condition nor its negation holds.
    assert_eq!(ids("eventData.errorCode = 'Timeout'"), ["ev-4"]);
    assert_eq!(ids("NOT (eventData.errorCode = 'Timeout')"), ["ev-2"]);
    assert_eq!(ids("eventData.errorCode IS NOT NULL"), ["ev-2", "ev-4"]);
    assert_eq!(ids("eventData.userAgent IS NULL"), ["ev-5"]);
    assert_eq!(
        ids("eventData.errorCode IS DISTINCT FROM 'Timeout'"),
        ["ev-1", "ev-2", "ev-3", "ev-5", "ev-6"]
    );
    assert_eq!(
        ids("eventData.errorCode IS NOT DISTINCT FROM NULL"),
        ["ev-1", "ev-3", "ev-5", "ev-6"]
    );
    assert_eq!(
        ids("eventData.errorCode NOT IN ('Timeout', NULL)"),
        Vec::<String>::new()
    );
}

#[test]
fn in_between_and_like() {
    assert_eq!(
        ids("eventData.eventName IN ('backup.started', 'backup.failed')"),
        ["ev-3", "ev-4"]
    );
    assert_eq!(
        ids("eventData.eventName NOT IN ('backup.started', 'backup.failed')"),
        ["ev-1", "ev-2", "ev-5", "ev-6"]
    );
    assert_eq!(
        ids("eventData.UID BETWEEN 'uid-2' AND 'uid-4'"),
        ["ev-2", "ev-3", "ev-4"]
    );
    assert_eq!(
        ids("eventData.UID NOT BETWEEN 'uid-2' AND 'uid-4'"),
        ["ev-1", "ev-5", "ev-6"]
    );
    assert_eq!(
        ids("eventData.eventName LIKE 'backup.%'"),
        ["ev-3", "ev-4", "ev-6"]
    );
    assert_eq!(
        ids("eventData.eventName NOT LIKE 'backup.%'"),
        ["ev-1", "ev-2", "ev-5"]
    );
    assert_eq!(ids("eventData.eventName LIKE '%.___rted'"), ["ev-3"]);
    // Trino's LIKE is case-sensitive.
    assert_eq!(
        ids("eventData.userIdentity.principalId LIKE 'd%'"),
        Vec::<String>::new()
    );
    assert_eq!(ids("eventData.userIdentity.principalId LIKE 'D%'"), ["ev-6"]);
    assert_eq!(
        ids("element_at(eventData.requestParameters, 'resourceType') LIKE 'ec_'"),
        ["ev-3"]
    );
    assert_eq!(
        ids("eventData.sourceIPAddress LIKE '10.0.0.\\_' ESCAPE '\\'"),
        Vec::<String>::new()
    );
    assert_eq!(ids("eventData.sourceIPAddress LIKE '%::%'"), ["ev-4"]);
}

#[test]
fn event_time_compares_with_string_literals_as_a_timestamp() {
    assert_eq!(
        ids("eventTime >= '2023-01-05 13:51:00'"),
        ["ev-2", "ev-3", "ev-4", "ev-5", "ev-6"]
    );
    assert_eq!(
        ids("eventTime > '2023-01-05 13:51:00'"),
        ["ev-3", "ev-4", "ev-5", "ev-6"]
    );
    assert_eq!(ids("eventTime < '2023-01-05 14:00'"), ["ev-1", "ev-2"]);
    assert_eq!(
        ids("eventTime <= '2023-01-05 14:00:00.000'"),
        ["ev-1", "ev-2", "ev-3"]
    );
    assert_eq!(ids("eventTime = '2023-01-06 09:00:00'"), ["ev-4", "ev-5"]);
    assert_eq!(ids("eventTime >= '2023-01-06'"), ["ev-4", "ev-5", "ev-6"]);
    assert_eq!(ids("eventTime >= '2023-1-6 9:00'"), ["ev-4", "ev-5", "ev-6"]);
    assert_eq!(ids("'2023-01-06' > eventTime"), ["ev-1", "ev-2", "ev-3"]);
    assert_eq!(
        ids("eventTime BETWEEN '2023-01-05 14:00:00' AND '2023-01-06 09:00:00'"),
        ["ev-3", "ev-4", "ev-5"]
    );
    assert_eq!(
        ids("eventTime IN ('2023-01-05 13:50:00', '2023-02-01 00:00:00')"),
        ["ev-1", "ev-6"]
    );
    assert_eq!(
        ids("eventTime >= TIMESTAMP '2023-01-06 00:00:00'"),
        ["ev-4", "ev-5", "ev-6"]
    );
    assert_eq!(ids("eventTime < DATE '2023-01-06'"), ["ev-1", "ev-2", "ev-3"]);
    // The eventData copy is a varchar and compares as text.
    assert_eq!(
        ids("eventData.eventTime >= '2023-01-06T'"),
        ["ev-4", "ev-5", "ev-6"]
    );
}

#[test]
fn boolean_literals_and_constant_conditions() {
    assert_eq!(ids("true AND eventID = 'ev-1'"), ["ev-1"]);
    assert_eq!(ids("false OR eventID = 'ev-1'"), ["ev-1"]);
    assert_eq!(ids("NULL"), Vec::<String>::new());
    assert_eq!(ids("(eventData.errorCode IS NULL) = false"), ["ev-2", "ev-4"]);
}
