//! Every documented CloudTrail Lake limit the SDK enforces, one named constant each, with its source.
//!
//! Sources (keys as in the team's `lake-api.md`):
//! - \[UG-SCHEMA\] <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-integration-event-schema.html>
//!   (the same table is in the partner-onboarding guide, \[PO-SCHEMA\]).
//! - \[BC-DATA\] the `cloudtrail-data` 2021-08-11 service model (botocore
//!   `botocore/data/cloudtrail-data/2021-08-11/service-2.json`; the same content is the Smithy model the AWS SDK
//!   for Rust is generated from).
//! - \[API-PAE\] <https://docs.aws.amazon.com/awscloudtraildata/latest/APIReference/API_PutAuditEvents.html>
//! - \[UG-QUOTA\] <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html>
//!
//! **Units.** String limits count characters (Unicode scalar values, Rust's `char`). The documentation says
//! "maximum length" without a unit; characters is the natural reading. (A service that counted UTF-16 code
//! units would count a character outside the Basic Multilingual Plane twice; that difference is
//! unconfirmed.) Size limits on JSON objects count bytes of the object serialized as compact JSON. The
//! documentation writes "kB" and "MB" without saying whether it means 1000 or 1024 (unconfirmed), so these
//! constants use the smaller, decimal reading — 1 kB = 1000 bytes, 1 MB = 1 000 000 bytes — so the SDK never
//! sends what the service might reject.

/// `eventData.version`: at most 256 characters. Source: \[UG-SCHEMA\]
/// <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-integration-event-schema.html>.
pub const MAX_VERSION_CHARS: usize = 256;

/// `eventData.userIdentity.type`: at most 128 characters. Source: \[UG-SCHEMA\]
/// <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-integration-event-schema.html>.
pub const MAX_USER_IDENTITY_TYPE_CHARS: usize = 128;

/// `eventData.userIdentity.principalId`: at most 1024 characters. Source: \[UG-SCHEMA\]
/// <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-integration-event-schema.html>.
pub const MAX_PRINCIPAL_ID_CHARS: usize = 1024;

/// `eventData.userAgent`: at most 1024 characters. Source: \[UG-SCHEMA\]
/// <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-integration-event-schema.html>.
pub const MAX_USER_AGENT_CHARS: usize = 1024;

/// `eventData.eventSource`: at most 1024 characters. Source: \[UG-SCHEMA\]
/// <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-integration-event-schema.html>.
pub const MAX_EVENT_SOURCE_CHARS: usize = 1024;

/// `eventData.eventName`: at most 1024 characters. Source: \[UG-SCHEMA\]
/// <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-integration-event-schema.html>.
pub const MAX_EVENT_NAME_CHARS: usize = 1024;

/// `eventData.UID`: at most 1024 characters. Source: \[UG-SCHEMA\]
/// <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-integration-event-schema.html>.
pub const MAX_UID_CHARS: usize = 1024;

/// `eventData.errorCode`: at most 256 characters. Source: \[UG-SCHEMA\]
/// <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-integration-event-schema.html>.
pub const MAX_ERROR_CODE_CHARS: usize = 256;

/// `eventData.errorMessage`: at most 256 characters. Source: \[UG-SCHEMA\]
/// <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-integration-event-schema.html>.
pub const MAX_ERROR_MESSAGE_CHARS: usize = 256;

/// `eventData.requestParameters`: at most "100 kB" serialized, taken as 100 000 bytes of compact JSON (the
/// documentation does not say whether kB means 1000 or 1024 — unconfirmed — so the smaller reading is used).
/// Source: \[UG-SCHEMA\] <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-integration-event-schema.html>.
pub const MAX_REQUEST_PARAMETERS_BYTES: usize = 100_000;

/// `eventData.responseElements`: at most "100 kB" serialized, taken as 100 000 bytes of compact JSON (1 kB =
/// 1000 bytes, the conservative reading of an unconfirmed unit). Source: \[UG-SCHEMA\]
/// <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-integration-event-schema.html>.
pub const MAX_RESPONSE_ELEMENTS_BYTES: usize = 100_000;

/// `eventData.additionalEventData`: at most "28 kB" serialized, taken as 28 000 bytes of compact JSON (1 kB =
/// 1000 bytes, the conservative reading of an unconfirmed unit). Source: \[UG-SCHEMA\]
/// <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-integration-event-schema.html>.
pub const MAX_ADDITIONAL_EVENT_DATA_BYTES: usize = 28_000;

/// `auditEvents[].id`: at least 1 character (shape `Uuid`). Source: \[BC-DATA\] `Uuid` shape,
/// <https://docs.aws.amazon.com/awscloudtraildata/latest/APIReference/API_AuditEvent.html>.
pub const MIN_AUDIT_EVENT_ID_CHARS: usize = 1;

/// `auditEvents[].id`: at most 128 characters (shape `Uuid`). Source: \[BC-DATA\] `Uuid` shape,
/// <https://docs.aws.amazon.com/awscloudtraildata/latest/APIReference/API_AuditEvent.html>.
pub const MAX_AUDIT_EVENT_ID_CHARS: usize = 128;

/// `auditEvents[].id` pattern `^[-_A-Za-z0-9]+$`. Source: \[BC-DATA\] `Uuid` shape,
/// <https://docs.aws.amazon.com/awscloudtraildata/latest/APIReference/API_AuditEvent.html>.
pub const AUDIT_EVENT_ID_PATTERN: &str = "[-_A-Za-z0-9]";

/// `externalId` query parameter: at least 2 characters. Source: \[BC-DATA\] `ExternalId` shape, \[API-PAE\]
/// <https://docs.aws.amazon.com/awscloudtraildata/latest/APIReference/API_PutAuditEvents.html>.
pub const MIN_EXTERNAL_ID_CHARS: usize = 2;

/// `externalId` query parameter: at most 1224 characters. Source: \[BC-DATA\] `ExternalId` shape, \[API-PAE\]
/// <https://docs.aws.amazon.com/awscloudtraildata/latest/APIReference/API_PutAuditEvents.html>.
pub const MAX_EXTERNAL_ID_CHARS: usize = 1224;

/// `externalId` pattern `^[\w+=,.@:\/-]*$`, where `\w` is the ASCII word class `[A-Za-z0-9_]`. Source:
/// \[BC-DATA\], \[API-PAE\] <https://docs.aws.amazon.com/awscloudtraildata/latest/APIReference/API_PutAuditEvents.html>.
pub const EXTERNAL_ID_PATTERN: &str = r"[\w+=,.@:/-]";

/// An AWS account ID (`recipientAccountId`, the account in a channel ARN) is exactly 12 digits. Source:
/// \[UG-SCHEMA\] (recipientAccountId is an AWS account ID) and the channel ARN format in the Service
/// Authorization Reference <https://docs.aws.amazon.com/service-authorization/latest/reference/list_cloudtrail-data.html>.
pub const ACCOUNT_ID_DIGITS: usize = 12;

/// A channel ARN or ID is at most 256 characters (the control plane's `ChannelArn` shape, 3–256 of
/// `[a-zA-Z0-9._/\-:]`). Source: \[BC-CT\] botocore `cloudtrail/2013-11-01/service-2.json`, and
/// <https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetChannel.html>.
pub const MAX_CHANNEL_ARN_CHARS: usize = 256;

/// At most 100 events per `PutAuditEvents` request (`auditEvents`: 1–100 items). Source: \[BC-DATA\],
/// \[API-PAE\] <https://docs.aws.amazon.com/awscloudtraildata/latest/APIReference/API_PutAuditEvents.html>,
/// \[UG-QUOTA\] <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html>.
pub const MAX_EVENTS_PER_REQUEST: usize = 100;

/// At most "1 MB" per `PutAuditEvents` request, taken as 1 000 000 bytes of request body (the unit is
/// unconfirmed; the decimal reading is the safe one). Source: \[API-PAE\]
/// <https://docs.aws.amazon.com/awscloudtraildata/latest/APIReference/API_PutAuditEvents.html>,
/// \[UG-QUOTA\] <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html>.
pub const MAX_REQUEST_BYTES: usize = 1_000_000;

/// The bytes of the `PutAuditEvents` body around its entries: `{"auditEvents":[` and `]}`, as the AWS SDK
/// for Rust serializes it (\[RS-DATA\] `ser_put_audit_events_input_input`). A body of `n` entries is
/// `REQUEST_BODY_WRAPPER_BYTES + (n - 1)` commas `+` the sum of [`AuditEvent::encoded_len`](crate::AuditEvent::encoded_len).
pub const REQUEST_BODY_WRAPPER_BYTES: usize = r#"{"auditEvents":[]}"#.len();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapper_is_the_sdk_body_without_entries() {
        assert_eq!(REQUEST_BODY_WRAPPER_BYTES, 18);
    }
}
