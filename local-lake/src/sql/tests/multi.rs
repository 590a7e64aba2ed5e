//! Queries over several event data stores: set operations and joins.

use super::fixtures::*;

#[test]
fn union_all_keeps_duplicates_and_takes_names_from_the_first_branch() {
    let sql = format!(
        "SELECT eventData.userIdentity.principalId AS who FROM {STORE_A} WHERE eventData.eventSource = \
         'com.nordcloudapp.klarity' UNION ALL SELECT eventData.userIdentity.principalId FROM {STORE_B} ORDER BY who"
    );
    assert_eq!(columns(&sql), ["who"]);
    assert_eq!(
        col(&sql),
        [
            "alice@example.com",
            "alice@example.com",
            "bob@example.com",
            "bob@example.com"
        ]
    );
}

#[test]
fn union_intersect_except_are_distinct() {
    let who = |op: &str| {
        col(&format!(
            "SELECT eventData.userIdentity.principalId FROM {STORE_A} {op} \
             SELECT eventData.userIdentity.principalId FROM {STORE_B} ORDER BY 1"
        ))
    };
    assert_eq!(
        who("UNION"),
        [
            "Dave",
            "alice@example.com",
            "bob@example.com",
            "carol@example.com"
        ]
    );
    assert_eq!(who("INTERSECT"), ["alice@example.com", "bob@example.com"]);
    assert_eq!(who("EXCEPT"), ["Dave", "carol@example.com"]);
}

#[test]
fn intersect_binds_tighter_than_union() {
    // A ∪ (B ∩ A-klarity): B ∩ klarity-principals of A = {alice}; so the union is just {Dave}'s events' ids plus alice.
    let sql = format!(
        "SELECT eventData.userIdentity.principalId FROM {STORE_A} WHERE eventID = 'ev-6' \
         UNION SELECT eventData.userIdentity.principalId FROM {STORE_B} \
         INTERSECT SELECT eventData.userIdentity.principalId FROM {STORE_A} WHERE eventID = 'ev-1' ORDER BY 1"
    );
    assert_eq!(col(&sql), ["Dave", "alice@example.com"]);
}

#[test]
fn union_coerces_integer_with_double() {
    let sql = format!(
        "SELECT length(eventID) FROM {STORE_A} WHERE eventID = 'ev-1' UNION ALL SELECT 2.5e0 FROM {STORE_B} \
         WHERE eventID = 'ev-7' ORDER BY 1"
    );
    assert_eq!(col(&sql), ["2.5", "4.0"]);
}

#[test]
fn inner_and_left_joins_between_stores() {
    let inner = format!(
        "SELECT a.eventID, b.eventID FROM {STORE_A} a JOIN {STORE_B} b ON a.eventData.UID = b.eventData.UID"
    );
    assert_eq!(columns(&inner), ["eventID", "eventID"]);
    assert_eq!(rows(&inner), table(&[&["ev-1", "ev-7"]]));
    let left = format!(
        "SELECT a.eventID, b.eventData.eventName FROM {STORE_A} AS a LEFT JOIN {STORE_B} AS b \
         ON a.eventData.userIdentity.principalId = b.eventData.userIdentity.principalId \
         WHERE a.eventTime < '2023-01-06' ORDER BY a.eventID, 2"
    );
    assert_eq!(
        rows(&left),
        table(&[
            &["ev-1", "account.added"],
            &["ev-2", "backup.started"],
            &["ev-3", "account.added"],
        ])
    );
    let right = format!(
        "SELECT a.eventID, b.eventID FROM {STORE_A} a RIGHT JOIN {STORE_B} b ON a.eventData.UID = b.eventData.UID \
         ORDER BY b.eventID"
    );
    assert_eq!(rows(&right), table(&[&["ev-1", "ev-7"], &["<null>", "ev-8"]]));
    let full = format!(
        "SELECT count(*), count(a.eventID), count(b.eventID) FROM {STORE_A} a FULL JOIN {STORE_B} b \
         ON a.eventData.UID = b.eventData.UID"
    );
    assert_eq!(rows(&full), table(&[&["7", "6", "2"]]));
}

#[test]
fn self_join_with_aliases_and_grouping_over_a_join() {
    let sql = format!(
        "SELECT x.eventData.userIdentity.principalId, count(*) FROM {STORE_A} x JOIN {STORE_A} y \
         ON x.eventData.userIdentity.principalId = y.eventData.userIdentity.principalId AND x.eventID < y.eventID \
         GROUP BY x.eventData.userIdentity.principalId"
    );
    // alice has ev-1, ev-3, ev-5: three ordered pairs.
    assert_eq!(rows(&sql), table(&[&["alice@example.com", "3"]]));
}

#[test]
fn cross_join_and_star_over_two_relations() {
    let sql = format!("SELECT count(*) FROM {STORE_A} a CROSS JOIN {STORE_B} b");
    assert_eq!(col(&sql), ["12"]);
    let sql = format!("SELECT * FROM {STORE_A} a JOIN {STORE_B} b ON a.eventData.UID = b.eventData.UID");
    assert_eq!(columns(&sql).len(), 20);
    let sql = format!("SELECT b.* FROM {STORE_A} a JOIN {STORE_B} b ON a.eventData.UID = b.eventData.UID");
    assert_eq!(rows(&sql)[0][3], "ev-7");
}

#[test]
fn join_rules() {
    for (sql, needle) in [
        (
            "SELECT eventID FROM {A} a JOIN {B} b ON a.eventID = b.eventID",
            "column eventID is ambiguous",
        ),
        (
            "SELECT a.eventID FROM {A} JOIN {A} ON true",
            "Relations appear more than once",
        ),
        (
            "SELECT a.eventID FROM {A} a JOIN {B} b ON c.eventID = a.eventID",
            "unknown column c.eventID",
        ),
        (
            "SELECT a.eventID FROM {A} a JOIN {B} b ON a.eventID",
            "must evaluate to a boolean",
        ),
        ("SELECT a.eventID FROM {A} a NATURAL JOIN {B} b", "NATURAL JOIN"),
    ] {
        let msg = rejected(&sql.replace("{A}", STORE_A).replace("{B}", STORE_B));
        assert!(msg.contains(needle), "{msg:?} does not contain {needle:?}");
    }
}

#[test]
fn comma_join_with_bare_ids() {
    let sql = format!(
        "SELECT a.eventID, b.eventID FROM {STORE_A} a, {STORE_B} b WHERE a.eventData.UID = b.eventData.UID"
    );
    assert_eq!(rows(&sql), table(&[&["ev-1", "ev-7"]]));
}
