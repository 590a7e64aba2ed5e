//! Classification: a whole-request [`SinkError`] or a per-entry `errorCode` → a [`Disposition`]. No retry
//! mechanism here; the `policy` module acts on the answer.
//!
//! The lists come from the AWS SDK for Rust's own retry classifiers and the `PutAuditEvents` model (keys as
//! in the team's `lake-api.md` §1.3–1.4 and `sdk-wire-notes.md` §4): the SDK retries HTTP 500/502/503/504,
//! the throttling codes and the transient codes; per-entry `Throttling` and `InternalFailure` are the only
//! per-entry codes worth resending; `ChannelNotFound`, `ChannelInsufficientPermission` and `InvalidChannelARN`
//! concern the tenant's channel, so they pause that destination (ARCHITECTURE decision 3).

use crate::sink::{SinkError, SinkErrorKind};

/// What to do after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Send again after a backoff. `ambiguous`: the failed attempt may have been processed (a timeout or a
    /// lost connection), so the resend may store events twice.
    Retry {
        /// Whether the failed attempt may have been processed.
        ambiguous: bool,
    },
    /// Final: report the code with each event.
    Reject,
    /// Final for this batch, and the destination's channel is unusable: reject and pause the destination.
    PauseDestination,
}

/// Whole-request codes that mean the tenant's channel cannot take events: it does not exist, this caller
/// may not write to it, or the ARN is malformed. Source: \[RS-DATA\] / \[SM-DATA\] modeled PutAuditEvents
/// errors (`lake-api.md` §1.4).
pub const TENANT_FATAL_CODES: [&str; 3] = [
    "ChannelNotFound",
    "ChannelInsufficientPermission",
    "InvalidChannelARN",
];

/// Error codes the AWS SDKs treat as throttling, whatever the HTTP status. Source: \[RS-RT\] `aws-runtime`
/// `retries/classifiers.rs` `THROTTLING_ERRORS` (`lake-api.md` §1.4, `sdk-wire-notes.md` §4).
pub const THROTTLING_CODES: [&str; 14] = [
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes the AWS SDKs treat as transient. Source: \[RS-RT\] `TRANSIENT_ERRORS` (`lake-api.md` §1.4).
pub const TRANSIENT_CODES: [&str; 2] = ["RequestTimeout", "RequestTimeoutException"];

/// Per-entry `errorCode`s that are resent: the entry was throttled or failed inside the service. Every other
/// per-entry code (`FieldTooLong`, `FieldNotFound`, `InvalidChecksum`, `InvalidData`, `InvalidRecipient`,
/// `InvalidEventSource`, `AccountNotSubscribed`, and codes not documented yet) is final. Source: \[BC-DATA\]
/// `ResultErrorEntry.errorCode` (`lake-api.md` §1.3).
pub const RETRYABLE_ENTRY_CODES: [&str; 2] = ["Throttling", "InternalFailure"];

/// Classifies a whole-request failure.
///
/// - service errors: tenant-fatal codes → [`Disposition::PauseDestination`]; throttling or transient codes, HTTP
///   429 and 5xx → retry (not ambiguous: the service answered); anything else (including
///   `DuplicatedAuditEventId`, `ChannelUnsupportedSchema`, `UnsupportedOperationException`, unknown 4xx) → reject;
/// - not sent → retry; outcome unknown → retry, ambiguous; invalid request → reject.
pub fn classify_error(error: &SinkError) -> Disposition {
    match error.kind() {
        SinkErrorKind::Service { code, status } => {
            let code = code.as_deref().unwrap_or("");
            if TENANT_FATAL_CODES.contains(&code) {
                Disposition::PauseDestination
            } else if THROTTLING_CODES.contains(&code)
                || TRANSIENT_CODES.contains(&code)
                || status.is_some_and(|s| s == 429 || (500..600).contains(&s))
            {
                Disposition::Retry { ambiguous: false }
            } else {
                Disposition::Reject
            }
        }
        SinkErrorKind::Unsent => Disposition::Retry { ambiguous: false },
        SinkErrorKind::Ambiguous => Disposition::Retry { ambiguous: true },
        SinkErrorKind::Invalid => Disposition::Reject,
    }
}

/// Classifies a per-entry `errorCode`: [`RETRYABLE_ENTRY_CODES`] → retry, anything else → reject.
pub fn classify_entry(code: &str) -> Disposition {
    if RETRYABLE_ENTRY_CODES.contains(&code) {
        Disposition::Retry { ambiguous: false }
    } else {
        Disposition::Reject
    }
}

/// The code reported with events rejected because of `error`: the service's code, else `HTTP<status>`,
/// else a name of the error kind.
pub(crate) fn error_code(error: &SinkError) -> String {
    match error.kind() {
        SinkErrorKind::Service { code: Some(code), .. } => code.clone(),
        SinkErrorKind::Service {
            code: None,
            status: Some(status),
        } => format!("HTTP{status}"),
        SinkErrorKind::Service {
            code: None,
            status: None,
        } => "ServiceError".to_owned(),
        SinkErrorKind::Unsent => "RequestNotSent".to_owned(),
        SinkErrorKind::Ambiguous => "OutcomeUnknown".to_owned(),
        SinkErrorKind::Invalid => "InvalidRequest".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(code: Option<&str>, status: u16) -> SinkError {
        SinkError::service(code.map(str::to_owned), Some(status), "m")
    }

    #[test]
    fn whole_request_errors() {
        let retry = Disposition::Retry { ambiguous: false };
        let cases = [
            (service(None, 500), retry),
            (service(None, 502), retry),
            (service(Some("ServiceUnavailable"), 503), retry),
            (service(None, 504), retry),
            (service(None, 429), retry),
            (service(Some("ThrottlingException"), 400), retry),
            (service(Some("TooManyRequestsException"), 400), retry),
            (service(Some("RequestTimeout"), 400), retry),
            (service(Some("InternalFailure"), 500), retry),
            (
                service(Some("ChannelNotFound"), 400),
                Disposition::PauseDestination,
            ),
            (
                service(Some("ChannelInsufficientPermission"), 403),
                Disposition::PauseDestination,
            ),
            (
                service(Some("InvalidChannelARN"), 400),
                Disposition::PauseDestination,
            ),
            (service(Some("DuplicatedAuditEventId"), 400), Disposition::Reject),
            (
                service(Some("ChannelUnsupportedSchema"), 400),
                Disposition::Reject,
            ),
            (
                service(Some("UnsupportedOperationException"), 400),
                Disposition::Reject,
            ),
            (service(Some("ValidationException"), 400), Disposition::Reject),
            (service(None, 400), Disposition::Reject),
            (SinkError::unsent("refused"), retry),
            (
                SinkError::ambiguous("timeout"),
                Disposition::Retry { ambiguous: true },
            ),
            (SinkError::invalid("no region"), Disposition::Reject),
        ];
        for (error, expected) in cases {
            assert_eq!(classify_error(&error), expected, "{error}");
        }
    }

    #[test]
    fn per_entry_codes() {
        for code in RETRYABLE_ENTRY_CODES {
            assert_eq!(classify_entry(code), Disposition::Retry { ambiguous: false });
        }
        for code in [
            "FieldTooLong",
            "FieldNotFound",
            "InvalidChecksum",
            "InvalidData",
            "InvalidRecipient",
            "InvalidEventSource",
            "AccountNotSubscribed",
            "SomethingNew",
        ] {
            assert_eq!(classify_entry(code), Disposition::Reject, "{code}");
        }
    }

    #[test]
    fn reported_codes() {
        assert_eq!(
            error_code(&service(Some("ChannelNotFound"), 400)),
            "ChannelNotFound"
        );
        assert_eq!(error_code(&service(None, 418)), "HTTP418");
        assert_eq!(error_code(&SinkError::invalid("x")), "InvalidRequest");
    }
}
