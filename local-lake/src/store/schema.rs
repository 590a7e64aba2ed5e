//! The SQLite schema.
//!
//! The `events` table is a contract with the Lake SQL translator (`crate::sql`): columns may be added, never
//! renamed or removed.

/// Creates every table and index (idempotent).
pub(crate) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS events (
  seq            INTEGER PRIMARY KEY,   -- insertion order
  eds_id         TEXT NOT NULL,         -- bare event data store id = the table name used in Lake SQL
  event_id       TEXT NOT NULL,         -- CloudTrail-assigned eventID
  event_time     TEXT NOT NULL,         -- top-level eventTime, UTC, 'YYYY-MM-DD HH:MM:SS.000' (Lake SQL's timestamp rendering; sorts and compares as text)
  ingestion_time TEXT NOT NULL,         -- same form
  record         TEXT NOT NULL          -- the whole stored record, JSON, lake-api.md §2.2 layout:
                                        -- {eventVersion, eventCategory, eventType, eventID, eventTime, awsRegion, recipientAccountId,
                                        --  addendum?, metadata:{ingestionTime, channelARN}, eventData:{…as sent…}}
);
CREATE INDEX IF NOT EXISTS events_by_store_time ON events(eds_id, event_time);

-- Event data stores, channels and queries, one JSON document per row (crate::store::model).
CREATE TABLE IF NOT EXISTS resources (
  kind    TEXT NOT NULL,                -- 'event_data_store' | 'channel' | 'query'
  id      TEXT NOT NULL,
  account TEXT NOT NULL,
  region  TEXT NOT NULL,
  body    TEXT NOT NULL,
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;

-- A channel's IngestionStatus, written with the events that changed it (kept apart from the channel row so
-- that a concurrent UpdateChannel and PutAuditEvents never overwrite each other).
CREATE TABLE IF NOT EXISTS channel_ingestion (
  channel_id TEXT PRIMARY KEY,
  body       TEXT NOT NULL
) WITHOUT ROWID;

-- Results of finished queries: one JSON array of values (string or null) per row.
CREATE TABLE IF NOT EXISTS query_results (
  query_id TEXT NOT NULL,
  row_no   INTEGER NOT NULL,
  row      TEXT NOT NULL,
  PRIMARY KEY (query_id, row_no)
) WITHOUT ROWID;
"#;

/// Resource kinds in the `resources` table.
pub(crate) const KIND_EVENT_DATA_STORE: &str = "event_data_store";
/// See [`KIND_EVENT_DATA_STORE`].
pub(crate) const KIND_CHANNEL: &str = "channel";
/// See [`KIND_EVENT_DATA_STORE`].
pub(crate) const KIND_QUERY: &str = "query";
