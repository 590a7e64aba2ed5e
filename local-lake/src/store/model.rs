//! The resources the Lake keeps, as stored (one JSON document per row of `resources`).

use serde::{Deserialize, Serialize};

/// A tag (`Tag {Key, Value?}` in [BC-CT]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Tag {
    /// 1–128 characters.
    pub(crate) key: String,
    /// Up to 256 characters.
    pub(crate) value: Option<String>,
}

/// An event data store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct EventDataStore {
    /// Lowercase UUID v4; the table name in Lake SQL.
    pub(crate) id: String,
    /// Owner account.
    pub(crate) account: String,
    /// Home Region.
    pub(crate) region: String,
    /// Unique per account and Region.
    pub(crate) name: String,
    /// `ENABLED`, `STOPPED_INGESTION` or `PENDING_DELETION`.
    pub(crate) status: String,
    /// `AdvancedEventSelectors` as accepted.
    pub(crate) selectors: serde_json::Value,
    /// The `eventCategory` the selectors choose (`ActivityAuditLog` for integration stores).
    pub(crate) category: String,
    /// `MultiRegionEnabled`.
    pub(crate) multi_region: bool,
    /// `OrganizationEnabled`.
    pub(crate) organization: bool,
    /// `RetentionPeriod` in days.
    pub(crate) retention_days: i64,
    /// `TerminationProtectionEnabled`.
    pub(crate) termination_protection: bool,
    /// `TagsList`.
    pub(crate) tags: Vec<Tag>,
    /// `KmsKeyId` (stored and echoed; the local Lake does not encrypt).
    pub(crate) kms_key_id: Option<String>,
    /// `BillingMode`.
    pub(crate) billing_mode: String,
    /// Creation time, epoch ms.
    pub(crate) created_ms: i64,
    /// Last update (and, in `PENDING_DELETION`, the deletion time), epoch ms.
    pub(crate) updated_ms: i64,
}

impl EventDataStore {
    /// Whether the store was deleted and waits out its 7 days.
    pub(crate) fn pending_deletion(&self) -> bool {
        self.status == "PENDING_DELETION"
    }
}

/// A channel destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Destination {
    /// `EVENT_DATA_STORE`.
    pub(crate) kind: String,
    /// `Location` as the caller gave it (an ARN or an id).
    pub(crate) location: String,
    /// The event data store id `location` resolved to.
    pub(crate) eds_id: String,
}

/// `IngestionStatus` of a channel ([BC-CT] GetChannel).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct IngestionStatus {
    /// `LatestIngestionSuccessTime`, epoch ms.
    pub(crate) success_time_ms: Option<i64>,
    /// `LatestIngestionSuccessEventID`.
    pub(crate) success_event_id: Option<String>,
    /// `LatestIngestionErrorCode`.
    pub(crate) error_code: Option<String>,
    /// `LatestIngestionAttemptTime`, epoch ms.
    pub(crate) attempt_time_ms: Option<i64>,
    /// `LatestIngestionAttemptEventID`.
    pub(crate) attempt_event_id: Option<String>,
}

/// A channel for events from outside AWS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Channel {
    /// Lowercase UUID v4.
    pub(crate) id: String,
    /// Owner account.
    pub(crate) account: String,
    /// Region.
    pub(crate) region: String,
    /// Unique per account and Region.
    pub(crate) name: String,
    /// `Custom` or a partner source (lake-api.md §3.4).
    pub(crate) source: String,
    /// Where PutAuditEvents fans events out to.
    pub(crate) destinations: Vec<Destination>,
    /// `Tags`.
    pub(crate) tags: Vec<Tag>,
    /// The resource policy document as put (validated), if any.
    pub(crate) policy: Option<String>,
    /// Creation time, epoch ms.
    pub(crate) created_ms: i64,
    /// Kept in the `channel_ingestion` table, merged on load.
    #[serde(skip)]
    pub(crate) ingestion: IngestionStatus,
}

/// Statistics of a query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct QueryStats {
    /// Rows in the result.
    pub(crate) results: u64,
    /// Events read.
    pub(crate) events_scanned: u64,
    /// Bytes of stored records read.
    pub(crate) bytes_scanned: u64,
    /// Run time in ms.
    pub(crate) execution_ms: u64,
}

/// A Lake query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Query {
    /// Lowercase UUID v4.
    pub(crate) id: String,
    /// Caller account.
    pub(crate) account: String,
    /// Caller Region.
    pub(crate) region: String,
    /// `QueryStatement`.
    pub(crate) statement: String,
    /// `QUEUED`, `RUNNING`, `FINISHED`, `FAILED`, `CANCELLED` or `TIMED_OUT`.
    pub(crate) status: String,
    /// Event data store ids the statement reads.
    pub(crate) tables: Vec<String>,
    /// Result column names (set when finished).
    pub(crate) columns: Vec<String>,
    /// `ErrorMessage` of a failed query.
    pub(crate) error: Option<String>,
    /// Statistics (set when finished).
    pub(crate) stats: QueryStats,
    /// Creation time, epoch ms.
    pub(crate) created_ms: i64,
}

impl Query {
    /// Whether the query can no longer change (`FINISHED`, `FAILED`, `CANCELLED`, `TIMED_OUT`).
    pub(crate) fn is_terminal(&self) -> bool {
        !matches!(self.status.as_str(), "QUEUED" | "RUNNING")
    }
}
