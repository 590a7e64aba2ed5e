//! [`SinkError`]: why a whole request failed, in the terms retry classification needs.

use std::error::Error as StdError;
use std::fmt;

type BoxError = Box<dyn StdError + Send + Sync>;

/// What kind of failure a [`SinkError`] is. Match on it; [`crate::retry::classify`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SinkErrorKind {
    /// The destination answered with an error for the whole request: its error `code` (e.g.
    /// `ChannelNotFound`, `ThrottlingException`) when it sent one, and the HTTP status when there is one.
    Service {
        /// The error code (`x-amzn-ErrorType` / `__type`), if any.
        code: Option<String>,
        /// The HTTP status, if the sink speaks HTTP.
        status: Option<u16>,
    },
    /// The request was not sent, or certainly not processed: a refused connection, a DNS failure, a TLS
    /// handshake failure. Safe to resend.
    Unsent,
    /// The outcome is unknown: the request may have been processed (a timeout, a connection closed before
    /// the answer, an answer that could not be read). Resending may store the events twice.
    Ambiguous,
    /// The request could not be built or the sink is misconfigured (e.g. no credentials, no region).
    /// Resending the same request would fail the same way.
    Invalid,
}

/// A whole-request failure reported by a [`Sink`](super::Sink): a [`kind`](Self::kind) to decide on, a
/// message, and the underlying error as [`source`](StdError::source).
#[derive(Debug)]
pub struct SinkError {
    kind: SinkErrorKind,
    message: String,
    source: Option<BoxError>,
}

impl SinkError {
    /// The destination answered with error `code` (HTTP `status`) and `message`.
    pub fn service(code: Option<String>, status: Option<u16>, message: impl Into<String>) -> Self {
        Self::new(SinkErrorKind::Service { code, status }, message)
    }

    /// The request could not be sent (safe to resend).
    pub fn unsent(message: impl Into<String>) -> Self {
        Self::new(SinkErrorKind::Unsent, message)
    }

    /// The outcome is unknown (the request may have been processed).
    pub fn ambiguous(message: impl Into<String>) -> Self {
        Self::new(SinkErrorKind::Ambiguous, message)
    }

    /// The request is invalid or the sink misconfigured.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(SinkErrorKind::Invalid, message)
    }

    /// An error of `kind` with `message`.
    pub fn new(kind: SinkErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// The same error with `source` as its cause.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> &SinkErrorKind {
        &self.kind
    }

    /// The service's error code, for [`SinkErrorKind::Service`].
    pub fn code(&self) -> Option<&str> {
        match &self.kind {
            SinkErrorKind::Service { code, .. } => code.as_deref(),
            SinkErrorKind::Unsent | SinkErrorKind::Ambiguous | SinkErrorKind::Invalid => None,
        }
    }

    /// The HTTP status, for [`SinkErrorKind::Service`].
    pub fn status(&self) -> Option<u16> {
        match &self.kind {
            SinkErrorKind::Service { status, .. } => *status,
            SinkErrorKind::Unsent | SinkErrorKind::Ambiguous | SinkErrorKind::Invalid => None,
        }
    }

    /// The message (the service's own message for a service error).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for SinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            SinkErrorKind::Service { code, status } => {
                f.write_str(code.as_deref().unwrap_or("service error"))?;
                if let Some(status) = status {
                    write!(f, " (HTTP {status})")?;
                }
                if !self.message.is_empty() {
                    write!(f, ": {}", self.message)?;
                }
                Ok(())
            }
            SinkErrorKind::Unsent => write!(f, "request not sent: {}", self.message),
            SinkErrorKind::Ambiguous => write!(f, "outcome unknown: {}", self.message),
            SinkErrorKind::Invalid => write!(f, "invalid request: {}", self.message),
        }
    }
}

impl StdError for SinkError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_code_status_and_message_without_the_source() {
        let e = SinkError::service(Some("ChannelNotFound".into()), Some(400), "Channel not found")
            .with_source(std::io::Error::other("inner"));
        assert_eq!(e.to_string(), "ChannelNotFound (HTTP 400): Channel not found");
        assert_eq!(e.code(), Some("ChannelNotFound"));
        assert_eq!(e.status(), Some(400));
        assert_eq!(e.source().map(ToString::to_string).as_deref(), Some("inner"));
        assert_eq!(
            SinkError::service(None, Some(503), "").to_string(),
            "service error (HTTP 503)"
        );
        assert_eq!(
            SinkError::ambiguous("timed out").to_string(),
            "outcome unknown: timed out"
        );
        assert_eq!(SinkError::unsent("refused").code(), None);
    }
}
