//! Errors of the alarm module.

use std::path::PathBuf;

use thiserror::Error;

/// A message that is not a valid CloudWatch alarm notification.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AlarmParseError {
    /// The text is not JSON.
    #[error("alarm notification is not JSON (line {line}, column {column}): {message}")]
    NotJson {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// JSON, but not an object.
    #[error("alarm notification is not a JSON object")]
    NotAnObject,
    /// A required field is absent or `null`.
    #[error("alarm notification: field `{field}` is required")]
    MissingField {
        /// The field.
        field: &'static str,
    },
    /// A field of the wrong JSON type.
    #[error("alarm notification: field `{field}` must be {expected}")]
    WrongType {
        /// The field.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// A state other than `OK`, `ALARM`, `INSUFFICIENT_DATA`.
    #[error("alarm notification: `{field}` is {value:?}, expected OK, ALARM or INSUFFICIENT_DATA")]
    InvalidState {
        /// The field.
        field: &'static str,
        /// Its value.
        value: String,
    },
    /// A time that cannot be read.
    #[error("alarm notification: `{field}` {value:?} is not a time (2015-06-03T17:43:27.123+0000)")]
    InvalidTime {
        /// The field.
        field: &'static str,
        /// Its value.
        value: String,
    },
}

/// The alarm state file could not be read or written.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StateFileError {
    /// Reading or writing failed.
    #[error("alarm state file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a state file of this version.
    #[error("alarm state file {path}: line {line}, column {column}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}
