//! The translator's error type.

/// Why a Lake SQL statement could not be compiled or executed.
///
/// The caller maps [`QueryError::Invalid`] to `InvalidQueryStatementException` (the statement is rejected before
/// it runs) and [`QueryError::Execution`] to a `FAILED` query whose `ErrorMessage` is the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// The statement is not valid Lake SQL, or uses a construct the local Lake does not translate. The message
    /// names the construct (for example `INTERVAL is not supported by the local Lake` or
    /// `unknown column eventData.foo`).
    #[error("{0}")]
    Invalid(String),
    /// The statement was valid but failed while running: a Trino runtime error the local Lake reproduces (for
    /// example `Cannot cast 'abc' to BIGINT`, `Division by zero`) or a storage error.
    #[error("{0}")]
    Execution(String),
    /// The connection was interrupted while the query ran (`rusqlite::InterruptHandle::interrupt`, as done for
    /// `CancelQuery` or a timeout).
    #[error("the query was interrupted")]
    Interrupted,
}

impl QueryError {
    /// Shorthand used by the analyzer: an [`QueryError::Invalid`] with this message.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(message.into())
    }

    /// Shorthand for a construct the local Lake rejects: `"<construct> is not supported by the local Lake"`.
    pub(crate) fn unsupported(construct: impl std::fmt::Display) -> Self {
        Self::Invalid(format!("{construct} is not supported by the local Lake"))
    }
}

impl From<rusqlite::Error> for QueryError {
    fn from(err: rusqlite::Error) -> Self {
        // A user function (a Trino runtime error) reports its own message; SQLite's wrapper adds nothing useful.
        match err {
            rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::OperationInterrupted => {
                Self::Interrupted
            }
            rusqlite::Error::SqliteFailure(_, Some(message)) => Self::Execution(message),
            rusqlite::Error::UserFunctionError(inner) => Self::Execution(inner.to_string()),
            other => Self::Execution(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_names_the_construct() {
        assert_eq!(
            QueryError::unsupported("INTERVAL").to_string(),
            "INTERVAL is not supported by the local Lake"
        );
    }

    #[test]
    fn sqlite_failure_keeps_the_message() {
        let err =
            rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(1), Some("Division by zero".to_owned()));
        assert_eq!(
            QueryError::from(err),
            QueryError::Execution("Division by zero".to_owned())
        );
    }
}
