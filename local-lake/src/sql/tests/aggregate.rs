//! `GROUP BY`, `HAVING`, aggregates, `DISTINCT`, `ORDER BY` and `LIMIT`.

use super::fixtures::*;

#[test]
fn count_forms() {
    let sql = format!(
        "SELECT count(*), count(eventData.errorCode), count(DISTINCT eventData.userIdentity.principalId), \
         count(DISTINCT eventData.errorCode) FROM {STORE_A}"
    );
    assert_eq!(columns(&sql), ["_col0", "_col1", "_col2", "_col3"]);
    assert_eq!(rows(&sql), table(&[&["6", "2", "4", "2"]]));
}

#[test]
fn count_of_an_empty_store_is_zero_and_min_is_null() {
    let sql = format!("SELECT count(*), min(eventTime), max(eventData.eventName) FROM {STORE_EMPTY}");
    assert_eq!(rows(&sql), table(&[&["0", "<null>", "<null>"]]));
}

#[test]
fn group_by_expression_position_with_having_and_order() {
    let by_expr = format!(
        "SELECT eventData.eventSource, count(*) AS n FROM {STORE_A} GROUP BY eventData.eventSource \
         ORDER BY n DESC, eventData.eventSource"
    );
    let expected = table(&[
        &["com.nordcloudapp.autobackup", "3"],
        &["com.nordcloudapp.klarity", "2"],
        &["com.nordcloudapp.autopatcher", "1"],
    ]);
    assert_eq!(rows(&by_expr), expected);
    assert_eq!(columns(&by_expr), ["eventSource", "n"]);
    let by_position = format!(
        "SELECT eventdata.eventsource, count(*) AS n FROM {STORE_A} GROUP BY 1 ORDER BY 2 DESC, 1 ASC"
    );
    assert_eq!(rows(&by_position), expected);
    let having = format!(
        "SELECT eventData.eventSource, count(*) FROM {STORE_A} GROUP BY eventData.eventSource HAVING count(*) > 1 \
         ORDER BY 1"
    );
    assert_eq!(
        rows(&having),
        table(&[
            &["com.nordcloudapp.autobackup", "3"],
            &["com.nordcloudapp.klarity", "2"]
        ])
    );
}

#[test]
fn min_max_over_strings_and_timestamps() {
    let sql = format!(
        "SELECT eventData.userIdentity.principalId AS who, min(eventTime), max(eventTime), max(eventData.eventName) \
         FROM {STORE_A} GROUP BY eventData.userIdentity.principalId ORDER BY who"
    );
    assert_eq!(
        rows(&sql),
        table(&[
            &[
                "Dave",
                "2023-02-01 00:00:00.000",
                "2023-02-01 00:00:00.000",
                "backup.completed"
            ],
            &[
                "alice@example.com",
                "2023-01-05 13:50:00.000",
                "2023-01-06 09:00:00.000",
                "discoveryRule.created"
            ],
            &[
                "bob@example.com",
                "2023-01-05 13:51:00.000",
                "2023-01-05 13:51:00.000",
                "discoveryRule.deleted"
            ],
            &[
                "carol@example.com",
                "2023-01-06 09:00:00.000",
                "2023-01-06 09:00:00.000",
                "backup.failed"
            ],
        ])
    );
}

#[test]
fn sum_and_avg_of_numbers() {
    let sql = format!(
        "SELECT sum(length(eventData.eventName)), avg(length(eventData.eventName)), \
         sum(CAST(element_at(eventData.requestParameters, 'machinesCount') AS BIGINT)) FROM {STORE_A}"
    );
    // 21 + 21 + 14 + 13 + 26 + 16 = 111 characters over 6 events.
    assert_eq!(rows(&sql), table(&[&["111", "18.5", "10"]]));
}

#[test]
fn distinct_rows() {
    let sql = format!(
        "SELECT DISTINCT eventData.userIdentity.principalId FROM {STORE_A} ORDER BY eventData.userIdentity.principalId"
    );
    assert_eq!(
        col(&sql),
        [
            "Dave",
            "alice@example.com",
            "bob@example.com",
            "carol@example.com"
        ]
    );
}

#[test]
fn order_by_nulls_last_by_default_in_both_directions() {
    let asc = format!("SELECT eventData.errorCode FROM {STORE_A} ORDER BY eventData.errorCode");
    assert_eq!(
        col(&asc),
        ["AccessDenied", "Timeout", "<null>", "<null>", "<null>", "<null>"]
    );
    let desc = format!("SELECT eventData.errorCode FROM {STORE_A} ORDER BY 1 DESC");
    assert_eq!(
        col(&desc),
        ["Timeout", "AccessDenied", "<null>", "<null>", "<null>", "<null>"]
    );
    let first = format!("SELECT eventData.errorCode AS e FROM {STORE_A} ORDER BY e DESC NULLS FIRST LIMIT 5");
    assert_eq!(col(&first), ["<null>", "<null>", "<null>", "<null>", "Timeout"]);
}

#[test]
fn order_by_an_unselected_column_limit_and_offset() {
    let sql = format!("SELECT eventData.eventName FROM {STORE_A} ORDER BY eventTime DESC, eventID LIMIT 2");
    assert_eq!(col(&sql), ["backup.completed", "backup.failed"]);
    let sql = format!("SELECT eventID FROM {STORE_A} ORDER BY eventID OFFSET 4");
    assert_eq!(col(&sql), ["ev-5", "ev-6"]);
    let sql = format!("SELECT eventID FROM {STORE_A} ORDER BY eventID OFFSET 1 LIMIT 2");
    assert_eq!(col(&sql), ["ev-2", "ev-3"]);
    let sql = format!("SELECT eventID FROM {STORE_A} ORDER BY eventID FETCH FIRST 1 ROWS ONLY");
    assert_eq!(col(&sql), ["ev-1"]);
    let sql = format!("SELECT eventID FROM {STORE_A} LIMIT 0");
    assert!(col(&sql).is_empty());
}

#[test]
fn group_by_a_map_member_and_a_function() {
    let sql = format!(
        "SELECT lower(element_at(eventData.requestParameters, 'resourceType')) AS rt, count(*) FROM {STORE_A} \
         WHERE element_at(eventData.requestParameters, 'resourceType') IS NOT NULL \
         GROUP BY lower(element_at(eventData.requestParameters, 'resourceType')) ORDER BY rt"
    );
    assert_eq!(rows(&sql), table(&[&["ec2", "2"], &["rds", "1"]]));
}

#[test]
fn having_without_group_by_and_aggregate_in_order_by() {
    let sql = format!("SELECT count(*) FROM {STORE_A} HAVING count(*) > 100");
    assert!(rows(&sql).is_empty());
    let sql = format!(
        "SELECT eventData.eventSource FROM {STORE_A} GROUP BY eventData.eventSource ORDER BY count(*) DESC LIMIT 1"
    );
    assert_eq!(col(&sql), ["com.nordcloudapp.autobackup"]);
}

#[test]
fn trailing_semicolon_limit_all_and_distinct_aggregates() {
    let sql =
        format!("SELECT min(DISTINCT eventData.eventName), sum(DISTINCT length(eventID)) FROM {STORE_A};");
    assert_eq!(rows(&sql), table(&[&["backup.completed", "4"]]));
    let sql = format!("SELECT eventID FROM {STORE_A} ORDER BY eventID LIMIT ALL");
    assert_eq!(col(&sql).len(), 6);
}
