//! Scan statistics: events and bytes of the referenced stores within the `eventTime` range.

use super::fixtures::*;
use crate::sql::{compile, execute};

fn stats(sql: &str) -> (u64, u64) {
    let conn = lake();
    let out = execute(&conn, &compile(sql).unwrap()).unwrap();
    (out.events_scanned, out.bytes_scanned)
}

fn bytes_of(conn: &rusqlite::Connection, filter: &str) -> u64 {
    conn.query_row(
        &format!("SELECT coalesce(sum(length(CAST(record AS BLOB))), 0) FROM events WHERE {filter}"),
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| u64::try_from(n).unwrap())
    .unwrap()
}

#[test]
fn whole_store_without_a_time_bound() {
    let conn = lake();
    let (events, bytes) = stats(&format!(
        "SELECT eventID FROM {STORE_A} WHERE eventData.errorCode IS NOT NULL"
    ));
    assert_eq!(events, 6);
    assert_eq!(bytes, bytes_of(&conn, &format!("eds_id = '{STORE_A}'")));
}

#[test]
fn time_bounds_restrict_the_scan() {
    let conn = lake();
    let (events, bytes) = stats(&format!(
        "SELECT eventID FROM {STORE_A} WHERE eventTime >= '2023-01-05 13:51:00' AND eventTime < '2023-01-06'"
    ));
    assert_eq!(events, 2);
    assert_eq!(
        bytes,
        bytes_of(
            &conn,
            &format!(
                "eds_id = '{STORE_A}' AND event_time >= '2023-01-05 13:51:00.000' AND event_time < '2023-01-06 00:00:00.000'"
            )
        )
    );
    let (events, _) = stats(&format!(
        "SELECT eventID FROM {STORE_A} WHERE eventTime BETWEEN '2023-01-06' AND '2023-01-06 09:00'"
    ));
    assert_eq!(events, 2);
    let (events, _) = stats(&format!(
        "SELECT eventID FROM {STORE_A} WHERE eventTime > '2023-01-06 09:00:00' OR eventID = 'ev-1'"
    ));
    assert_eq!(events, 6, "an OR does not bound the scan");
}

#[test]
fn every_referenced_store_counts() {
    let (events, _) = stats(&format!(
        "SELECT eventID FROM {STORE_A} UNION ALL SELECT eventID FROM {STORE_B}"
    ));
    assert_eq!(events, 8);
    let (events, bytes) = stats(&format!("SELECT count(*) FROM {STORE_EMPTY}"));
    assert_eq!((events, bytes), (0, 0));
}

#[test]
fn an_interrupted_query_reports_interrupted() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let conn = lake();
    // Ten self cross joins: 6^10 rows to count, far longer than the interrupts below take to arrive.
    let from = (0..10)
        .map(|i| format!("{STORE_A} t{i}"))
        .collect::<Vec<_>>()
        .join(" CROSS JOIN ");
    let q = compile(&format!("SELECT count(*) FROM {from}")).unwrap();
    let handle = conn.get_interrupt_handle();
    let done = Arc::new(AtomicBool::new(false));
    let stopper = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                std::thread::sleep(std::time::Duration::from_millis(10));
                handle.interrupt();
            }
        })
    };
    let result = execute(&conn, &q);
    done.store(true, Ordering::SeqCst);
    stopper.join().unwrap();
    assert_eq!(result, Err(crate::sql::QueryError::Interrupted));
}
