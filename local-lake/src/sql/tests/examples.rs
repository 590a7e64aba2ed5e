//! The documented example queries of `lake-api.md` §5 ([UG-QUERIES], [UG-QEX], [AZ-SAMPLE]), adapted to
//! ActivityAuditLog fields and written as their authors write them (bare id, mixed case, lowercase paths).

use super::fixtures::*;

#[test]
fn top_apis_in_a_time_window() {
    // [UG-QUERIES]: always bound eventTime; aliases keep their case ("apiCount").
    let sql = format!(
        "SELECT eventData.eventName, COUNT(*) AS apiCount FROM {STORE_A} \
         WHERE eventtime >= '2023-01-05 13:51:00' AND eventtime < '2023-01-07 00:00:00' \
         GROUP BY eventData.eventName ORDER BY apiCount DESC, eventData.eventName LIMIT 10"
    );
    assert_eq!(columns(&sql), ["eventName", "apiCount"]);
    assert_eq!(
        rows(&sql),
        table(&[
            &["backup.failed", "1"],
            &["backup.started", "1"],
            &["baselinePatching.completed", "1"],
            &["discoveryRule.deleted", "1"],
        ])
    );
}

#[test]
fn principal_activity_with_lowercase_paths() {
    // [UG-QEX]: a dotted path is named by its last part as written (userIdentity.principalid → "principalid").
    let sql = format!(
        "SELECT eventData.userIdentity.principalid, eventTime, element_at(eventData.requestParameters, 'ruleName') \
         AS rule FROM {STORE_A} WHERE eventData.eventSource = 'com.nordcloudapp.klarity' ORDER BY eventTime"
    );
    assert_eq!(columns(&sql), ["principalid", "eventTime", "rule"]);
    assert_eq!(
        rows(&sql),
        table(&[
            &["alice@example.com", "2023-01-05 13:50:00.000", "prod"],
            &["bob@example.com", "2023-01-05 13:51:00.000", "dev"],
        ])
    );
}

#[test]
fn failed_calls_by_source_ip() {
    // [AZ-SAMPLE] style: lowercase field names and the uid column.
    let sql = format!(
        "SELECT eventdata.sourceipaddress, eventdata.uid, eventData.errorCode FROM {STORE_A} \
         WHERE eventData.errorCode IS NOT NULL AND eventtime > '2023-01-01 00:00:00' ORDER BY eventdata.uid"
    );
    assert_eq!(columns(&sql), ["sourceipaddress", "uid", "errorCode"]);
    assert_eq!(
        rows(&sql),
        table(&[
            &["10.0.0.2", "uid-2", "AccessDenied"],
            &["2001:db8::1", "uid-4", "Timeout"]
        ])
    );
}

#[test]
fn distinct_users_per_day_with_having() {
    let sql = format!(
        "SELECT date_trunc('day', eventTime) AS day, count(DISTINCT eventData.userIdentity.principalId) AS users \
         FROM {STORE_A} GROUP BY 1 HAVING count(*) >= 2 ORDER BY day"
    );
    assert_eq!(
        rows(&sql),
        table(&[
            &["2023-01-05 00:00:00.000", "2"],
            &["2023-01-06 00:00:00.000", "2"]
        ])
    );
}

#[test]
fn result_values_are_strings() {
    // [UG-QEX]: numbers and timestamps come back as strings ("96059", "2023-01-22 16:53:53.000").
    let out = run(&format!(
        "SELECT count(*) AS apiCount, max(eventTime) AS eventTime FROM {STORE_A}"
    ));
    assert_eq!(out.columns, ["apiCount", "eventTime"]);
    assert_eq!(
        out.rows,
        [[Some("6".to_owned()), Some("2023-02-01 00:00:00.000".to_owned())]]
    );
}
