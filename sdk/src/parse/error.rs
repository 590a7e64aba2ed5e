//! [`ParseError`]: why untrusted input is not an event.

use crate::validate::{JsonType, Violations};

/// Why [`parse`](crate::parse()) rejected its input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The input is not JSON (or not UTF-8). Lines and columns count from 1; the column counts bytes.
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Json {
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// What the parser expected or found.
        message: String,
    },
    /// The input is JSON but not an object, so neither an `eventData` object nor a `PutAuditEvents` record.
    #[error("expected a JSON object (an eventData object or a PutAuditEvents record), found {found}")]
    NotAnObject {
        /// What the input is instead.
        found: JsonType,
    },
    /// The input is a JSON object that breaks the schema's rules; every violation is listed.
    #[error("invalid event: {0}")]
    Invalid(Violations),
}

impl ParseError {
    /// The violations, when the input was JSON but broke the schema.
    pub fn violations(&self) -> Option<&Violations> {
        match self {
            Self::Invalid(v) => Some(v),
            Self::Json { .. } | Self::NotAnObject { .. } => None,
        }
    }

    pub(crate) fn from_json(err: &serde_json::Error) -> Self {
        let (line, column) = (err.line(), err.column());
        Self::Json {
            line,
            column,
            message: message_of(err),
        }
    }
}

/// serde_json's message without its trailing ` at line L column C`.
pub(crate) fn message_of(err: &serde_json::Error) -> String {
    let full = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    match full.strip_suffix(&suffix) {
        Some(message) => message.to_owned(),
        None => full,
    }
}
