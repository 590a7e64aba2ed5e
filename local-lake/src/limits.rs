//! Every AWS limit the local Lake enforces, as a named constant with its source.
//!
//! Source keys refer to `shared/reference/lake-api.md` §0 (for example [BC-DATA] is the botocore model of
//! `cloudtrail-data`, [UG-SCHEMA] the user guide's integration event schema page,
//! <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-integration-event-schema.html>).
//!
//! "kB" in the schema page is not defined; the local Lake reads 1 kB as 1000 bytes (the conservative reading,
//! the same one the ctlake SDK uses), and measures an object field by the bytes of its JSON text as sent.

// ---- Data plane: PutAuditEvents request ([BC-DATA], [API-PAE]) ----

/// Most events in one PutAuditEvents request ([BC-DATA] `auditEvents` 1–100; [UG-QUOTA]).
pub(crate) const MAX_EVENTS_PER_REQUEST: usize = 100;
/// Largest PutAuditEvents request body in bytes: "100 events or 1 MB, whichever comes first" ([API-PAE]);
/// 1 MB read as 1 000 000 bytes.
pub(crate) const MAX_REQUEST_BYTES: usize = 1_000_000;
/// Longest caller event `id` ([BC-DATA] shape `Uuid`, 1–128, `^[-_A-Za-z0-9]+$`).
pub(crate) const MAX_EVENT_ID_CHARS: usize = 128;
/// Shortest `externalId` ([BC-DATA] `ExternalId`, 2–1224, `^[\w+=,.@:\/-]*$`).
pub(crate) const MIN_EXTERNAL_ID_CHARS: usize = 2;
/// Longest `externalId` ([BC-DATA]).
pub(crate) const MAX_EXTERNAL_ID_CHARS: usize = 1224;
/// Longest per-entry `errorMessage` in a response ([BC-DATA] `ResultErrorEntry.errorMessage` 1–1024).
pub(crate) const MAX_ERROR_MESSAGE_CHARS: usize = 1024;

// ---- eventData fields ([UG-SCHEMA] / [PO-SCHEMA] §2.1) ----

/// `version`: max 256 characters ([UG-SCHEMA]).
pub(crate) const MAX_VERSION_CHARS: usize = 256;
/// `userIdentity.type`: max 128 characters ([UG-SCHEMA]).
pub(crate) const MAX_USER_TYPE_CHARS: usize = 128;
/// `userIdentity.principalId`: max 1024 characters ([UG-SCHEMA]).
pub(crate) const MAX_PRINCIPAL_ID_CHARS: usize = 1024;
/// `userAgent`: max 1024 characters ([UG-SCHEMA]).
pub(crate) const MAX_USER_AGENT_CHARS: usize = 1024;
/// `eventSource`: max 1024 characters ([UG-SCHEMA]).
pub(crate) const MAX_EVENT_SOURCE_CHARS: usize = 1024;
/// `eventName`: max 1024 characters ([UG-SCHEMA]).
pub(crate) const MAX_EVENT_NAME_CHARS: usize = 1024;
/// `UID`: max 1024 characters ([UG-SCHEMA]).
pub(crate) const MAX_UID_CHARS: usize = 1024;
/// `errorCode`: max 256 characters ([UG-SCHEMA]).
pub(crate) const MAX_ERROR_CODE_CHARS: usize = 256;
/// `errorMessage`: max 256 characters ([UG-SCHEMA]).
pub(crate) const MAX_EVENT_ERROR_MESSAGE_CHARS: usize = 256;
/// `requestParameters`: max 100 kB of JSON ([UG-SCHEMA]), 1 kB = 1000 bytes.
pub(crate) const MAX_REQUEST_PARAMETERS_BYTES: usize = 100_000;
/// `responseElements`: max 100 kB of JSON ([UG-SCHEMA]), 1 kB = 1000 bytes.
pub(crate) const MAX_RESPONSE_ELEMENTS_BYTES: usize = 100_000;
/// `additionalEventData`: max 28 kB of JSON ([UG-SCHEMA]), 1 kB = 1000 bytes.
pub(crate) const MAX_ADDITIONAL_EVENT_DATA_BYTES: usize = 28_000;

// ---- Control plane ([BC-CT], [SM-CT], [UG-QUOTA]) ----

/// Event data stores per account and Region, every lifecycle state included ([UG-QUOTA]).
pub(crate) const MAX_EVENT_DATA_STORES: usize = 10;
/// Channels for non-AWS integrations ([UG-QUOTA]); the local Lake counts them per account and Region.
pub(crate) const MAX_CHANNELS: usize = 25;
/// Queued plus running queries ([UG-QUOTA]: "Concurrent queries 10"); counted per account and Region.
pub(crate) const MAX_CONCURRENT_QUERIES: usize = 10;
/// Resource and channel names: 3–128 characters, `^[a-zA-Z0-9._\-]+$` ([BC-CT] `EventDataStoreName`, `ChannelName`).
pub(crate) const MIN_NAME_CHARS: usize = 3;
/// See [`MIN_NAME_CHARS`].
pub(crate) const MAX_NAME_CHARS: usize = 128;
/// `RetentionPeriod` minimum in days ([BC-CT] `RetentionPeriod` 7–3653).
pub(crate) const MIN_RETENTION_DAYS: i64 = 7;
/// `RetentionPeriod` maximum under `EXTENDABLE_RETENTION_PRICING` ([BC-CT] CreateEventDataStore doc).
pub(crate) const MAX_RETENTION_DAYS_EXTENDABLE: i64 = 3653;
/// `RetentionPeriod` maximum under `FIXED_RETENTION_PRICING` ([BC-CT] CreateEventDataStore doc).
pub(crate) const MAX_RETENTION_DAYS_FIXED: i64 = 2557;
/// Default `RetentionPeriod` under `EXTENDABLE_RETENTION_PRICING` ([BC-CT]).
pub(crate) const DEFAULT_RETENTION_DAYS_EXTENDABLE: i64 = 366;
/// Default `RetentionPeriod` under `FIXED_RETENTION_PRICING` ([BC-CT]).
pub(crate) const DEFAULT_RETENTION_DAYS_FIXED: i64 = 2557;
/// Days a deleted event data store stays `PENDING_DELETION` ([BC-CT] DeleteEventDataStore doc).
pub(crate) const PENDING_DELETION_DAYS: i64 = 7;
/// Tags per resource ([BC-CT] `TagsList` max 200).
pub(crate) const MAX_TAGS: usize = 200;
/// Tag key length 1–128 ([BC-CT] `TagKey`).
pub(crate) const MAX_TAG_KEY_CHARS: usize = 128;
/// Tag value length up to 256 ([BC-CT] `TagValue`).
pub(crate) const MAX_TAG_VALUE_CHARS: usize = 256;
/// Channel destinations 1–200 ([BC-CT] `Destinations`).
pub(crate) const MAX_DESTINATIONS: usize = 200;
/// Destination `Location` 3–1024 characters ([BC-CT] `Location`).
pub(crate) const MAX_LOCATION_CHARS: usize = 1024;
/// ARN-or-ID members (`EventDataStore`, `Channel`, `ResourceArn`): 3–256 characters ([BC-CT]).
pub(crate) const MAX_ARN_CHARS: usize = 256;
/// `MaxResults` of the List operations: 1–1000 ([BC-CT]).
pub(crate) const MAX_LIST_RESULTS: i64 = 1000;
/// `MaxQueryResults` of GetQueryResults: 1–1000 ([BC-CT]).
pub(crate) const MAX_QUERY_RESULTS: i64 = 1000;
/// `QueryStatement`: 1–10 000 characters ([BC-CT]).
pub(crate) const MAX_QUERY_STATEMENT_CHARS: usize = 10_000;
/// Query results and `ListQueries` cover 7 days ([UG-QRES], [BC-CT] ListQueries doc).
pub(crate) const QUERY_HISTORY_DAYS: i64 = 7;
/// A query running longer than an hour may end `TIMED_OUT` ([UG-QRES]).
pub(crate) const QUERY_TIMEOUT_SECS: u64 = 3600;

// ---- Channel resource policies ([UG-RBP], [BC-CT] `ResourcePolicy`) ----

/// Most statements in a channel policy ([UG-RBP]).
pub(crate) const MAX_POLICY_STATEMENTS: usize = 20;
/// Most principals in one statement ([UG-RBP]).
pub(crate) const MAX_POLICY_PRINCIPALS: usize = 50;
/// Longest policy document in characters ([BC-CT] `ResourcePolicy` 1–8192).
pub(crate) const MAX_POLICY_CHARS: usize = 8192;

// ---- Quotas emulated by fault injection ----

/// PutAuditEvents calls per second per account when quota emulation is on (older [UG-QUOTA] revision:
/// "PutAuditEvents: 100 TPS"; lake-api.md §4.1 marks the current value UNCONFIRMED).
pub(crate) const PUT_AUDIT_EVENTS_TPS: u32 = 100;
