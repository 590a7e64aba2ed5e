//! Scalar functions, `CASE`, casts, arithmetic and date functions.

use super::fixtures::*;

fn one(select_list: &str, id: &str) -> Vec<String> {
    rows(&format!(
        "SELECT {select_list} FROM {STORE_A} WHERE eventID = '{id}'"
    ))
    .remove(0)
}

#[test]
fn string_functions() {
    assert_eq!(
        one(
            "lower(eventData.userIdentity.principalId), upper(eventData.eventName), length(eventData.eventName), \
             concat(eventData.eventSource, ':', eventData.eventName), eventData.UID || '/' || eventID, \
             substr(eventData.eventName, 1, 6), substring(eventData.eventName, 8), substr(eventData.eventName, -7), \
             substr(eventData.eventName, -7, 3), substr(eventData.eventName, -100), substr(eventData.eventName, 0, 2), \
             substr(eventData.eventName, 3, 0), strpos(eventData.eventName, '.'), position('x' IN eventData.eventName), \
             replace(eventData.eventName, '.', '/'), replace(eventData.eventName, 'backup.'), \
             starts_with(eventData.eventName, 'backup'), starts_with(eventData.eventName, 'Backup')",
            "ev-6"
        ),
        [
            "dave",
            "BACKUP.COMPLETED",
            "16",
            "com.nordcloudapp.autobackup:backup.completed",
            "uid-6/ev-6",
            "backup",
            "completed",
            "mpleted",
            "mpl",
            "",
            "",
            "",
            "7",
            "0",
            "backup/completed",
            "completed",
            "true",
            "false",
        ]
    );
}

#[test]
fn null_handling_functions() {
    assert_eq!(
        one(
            "coalesce(eventData.errorCode, eventData.userAgent, 'none'), coalesce(eventData.errorCode, 'none'), \
             nullif(eventData.userIdentity.type, 'USER'), greatest(eventData.UID, eventID), \
             least(eventData.UID, eventID), greatest(eventData.errorCode, 'a'), lower(eventData.errorCode)",
            "ev-5"
        ),
        ["none", "none", "<null>", "uid-5", "ev-5", "<null>", "<null>"]
    );
}

#[test]
fn case_expressions() {
    let sql = format!(
        "SELECT eventID, CASE WHEN eventData.errorCode IS NULL THEN 'ok' WHEN eventData.errorCode = 'Timeout' THEN \
         'retry' ELSE 'failed' END, CASE eventData.eventSource WHEN 'com.nordcloudapp.klarity' THEN 1 ELSE 0 END, \
         CASE WHEN eventTime >= '2023-01-06' THEN eventTime END FROM {STORE_A} WHERE eventTime < '2023-01-06 10:00' \
         ORDER BY eventID"
    );
    assert_eq!(
        rows(&sql),
        table(&[
            &["ev-1", "ok", "1", "<null>"],
            &["ev-2", "failed", "1", "<null>"],
            &["ev-3", "ok", "0", "<null>"],
            &["ev-4", "retry", "0", "2023-01-06 09:00:00.000"],
            &["ev-5", "ok", "0", "2023-01-06 09:00:00.000"],
        ])
    );
}

#[test]
fn casts() {
    assert_eq!(
        one(
            "CAST(element_at(eventData.requestParameters, 'machinesCount') AS BIGINT) + 1, \
             CAST(element_at(eventData.requestParameters, 'updatedCount') AS INTEGER) * 2, \
             CAST(element_at(eventData.requestParameters, 'machinesCount') AS DOUBLE) / 4, \
             CAST(eventTime AS VARCHAR), CAST(length(eventID) AS VARCHAR), CAST(eventData.eventName IS NULL AS VARCHAR), \
             TRY_CAST(eventData.eventName AS BIGINT), CAST('2023-01-05 13:50' AS TIMESTAMP), \
             CAST(eventData.version AS DOUBLE), CAST(2.5e0 AS BIGINT)",
            "ev-5"
        ),
        [
            "11",
            "14",
            "2.5",
            "2023-01-06 09:00:00.000",
            "4",
            "false",
            "<null>",
            "2023-01-05 13:50:00.000",
            "0.01",
            "3"
        ]
    );
    assert_eq!(
        failed(&format!(
            "SELECT CAST(eventData.eventName AS BIGINT) FROM {STORE_A}"
        )),
        "Cannot cast 'discoveryRule.created' to BIGINT"
    );
    assert_eq!(
        failed(&format!(
            "SELECT CAST(eventData.eventTime AS TIMESTAMP) FROM {STORE_A}"
        )),
        "Value cannot be cast to timestamp: 2023-01-05T13:50:00Z"
    );
}

#[test]
fn arithmetic_is_checked_like_trino() {
    assert_eq!(
        one(
            "length(eventID) + 1, length(eventID) - 10, 7 / 2, -7 / 2, 7 % 3, 2 * 3.5e0, 1 / 4e0, -length(eventID)",
            "ev-1"
        ),
        ["5", "-6", "3", "-3", "1", "7.0", "0.25", "-4"]
    );
    assert_eq!(
        failed(&format!("SELECT length(eventID) / 0 FROM {STORE_A}")),
        "Division by zero"
    );
    assert_eq!(
        failed(&format!(
            "SELECT 9223372036854775807 + length(eventID) FROM {STORE_A} WHERE eventID = 'ev-1'"
        )),
        "bigint addition overflow: 9223372036854775807 + 4"
    );
    // An integer plus a bigint is a bigint, so this does not overflow.
    assert_eq!(one("2147483647 + length(eventID)", "ev-1"), ["2147483651"]);
    assert_eq!(
        failed(&format!("SELECT 2147483647 + 1 FROM {STORE_A}")),
        "integer addition overflow: 2147483647 + 1"
    );
}

#[test]
fn date_functions_on_event_time() {
    assert_eq!(
        one(
            "date_trunc('second', eventTime), date_trunc('minute', eventTime), date_trunc('hour', eventTime), \
             date_trunc('day', eventTime), date_trunc('week', eventTime), date_trunc('month', eventTime), \
             date_trunc('quarter', eventTime), date_trunc('year', eventTime)",
            "ev-2"
        ),
        [
            "2023-01-05 13:51:00.000",
            "2023-01-05 13:51:00.000",
            "2023-01-05 13:00:00.000",
            "2023-01-05 00:00:00.000",
            "2023-01-02 00:00:00.000",
            "2023-01-01 00:00:00.000",
            "2023-01-01 00:00:00.000",
            "2023-01-01 00:00:00.000",
        ]
    );
    assert_eq!(
        one(
            "year(eventTime), quarter(eventTime), month(eventTime), day(eventTime), day_of_week(eventTime), \
             day_of_year(eventTime), hour(eventTime), minute(eventTime), second(eventTime), EXTRACT(DOW FROM eventTime), \
             EXTRACT(YEAR FROM eventTime)",
            "ev-6"
        ),
        ["2023", "1", "2", "1", "3", "32", "0", "0", "0", "3", "2023"]
    );
    let per_day = format!(
        "SELECT date_trunc('day', eventTime) AS day, count(*) FROM {STORE_A} GROUP BY date_trunc('day', eventTime) \
         ORDER BY day"
    );
    assert_eq!(
        rows(&per_day),
        table(&[
            &["2023-01-05 00:00:00.000", "3"],
            &["2023-01-06 00:00:00.000", "2"],
            &["2023-02-01 00:00:00.000", "1"],
        ])
    );
}

#[test]
fn unicode_case_mapping() {
    let q = crate::sql::compile(&format!(
        "SELECT lower('ÀÉÎ'), upper('straße') FROM {STORE_A} LIMIT 1"
    ))
    .unwrap();
    let out = crate::sql::execute(&lake(), &q).unwrap();
    assert_eq!(out.rows, [[Some("àéî".to_owned()), Some("STRAßE".to_owned())]]);
}
