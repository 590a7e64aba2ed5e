//! The storage contract with the rest of the local Lake: the `events` table the translator reads.

/// DDL of the `events` table (and its index) that Lake SQL queries read. The rest of the local Lake creates it and
/// inserts one row per stored event and destination event data store; the translator only ever reads
/// `eds_id`, `event_id`, `event_time` and `record`.
///
/// `event_time` is the top-level `eventTime` in Lake SQL's timestamp rendering (`YYYY-MM-DD HH:MM:SS.000`, UTC),
/// so it sorts and compares as text; `record` is the stored record of `lake-api.md` §2.2 as JSON.
pub const EVENTS_TABLE_DDL: &str = "\
CREATE TABLE IF NOT EXISTS events (
  seq            INTEGER PRIMARY KEY,   -- insertion order
  eds_id         TEXT NOT NULL,         -- bare event data store id = the table name used in Lake SQL
  event_id       TEXT NOT NULL,         -- CloudTrail-assigned eventID
  event_time     TEXT NOT NULL,         -- top-level eventTime, UTC, 'YYYY-MM-DD HH:MM:SS.000' (sorts and compares as text)
  ingestion_time TEXT NOT NULL,         -- same form
  record         TEXT NOT NULL          -- the whole stored record as JSON: {eventVersion, eventCategory, eventType, eventID,
                                        --  eventTime ('yyyy-MM-ddTHH:mm:ssZ'), awsRegion, recipientAccountId, addendum?,
                                        --  metadata:{ingestionTime, channelARN}, eventData:{version, userIdentity:{type, principalId, details?},
                                        --  userAgent?, eventSource, eventName, eventTime, UID, requestParameters?, responseElements?,
                                        --  errorCode?, errorMessage?, sourceIPAddress?, recipientAccountId, additionalEventData?}}
);
CREATE INDEX IF NOT EXISTS events_by_store_time ON events(eds_id, event_time);
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ddl_creates_the_table_and_is_idempotent() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(EVENTS_TABLE_DDL).unwrap();
        conn.execute_batch(EVENTS_TABLE_DDL).unwrap();
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name IN ('events', 'events_by_store_time')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 2);
    }
}
