//! Errors of the normalizer.

use ctlake::{BuildError, EventTimeError, Violations};

/// A kept record that cannot become a valid CloudTrail Lake event; the pipeline counts it as malformed, naming
/// its object and index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NormalizeError {
    /// The record is not a JSON object.
    #[error("record is not a JSON object")]
    NotAnObject,
    /// A field the event needs is missing or not a string.
    #[error("{0} is missing or not a string")]
    Missing(&'static str),
    /// `eventTime` is neither `yyyy-MM-ddTHH:mm:ssZ` nor another RFC 3339 time.
    #[error("eventTime {value:?} is not a valid time")]
    EventTime {
        /// The text.
        value: String,
        /// Why CloudTrail Lake's form rejects it.
        source: EventTimeError,
    },
    /// The event breaks a rule of the Lake schema.
    #[error("not a valid Lake event")]
    Invalid(#[source] BuildError),
    /// A JSON-object field is over its size cap after cutting (should not happen: the normalizer cuts first).
    #[error("over a size cap")]
    TooLarge(#[source] Violations),
}
