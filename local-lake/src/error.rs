//! The crate's public error type.

/// Why the local Lake could not start or stopped with an error. Request-level failures never surface here:
/// they become AWS error responses.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A filesystem or socket operation failed.
    #[error("{context}")]
    Io {
        /// What was being done, with the path or address involved.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The SQLite database could not be opened, created or written.
    #[error("the Lake database {location}: {message}")]
    Storage {
        /// The database file (or `memory`).
        location: String,
        /// What failed, as SQLite reported it.
        message: String,
    },
    /// The configuration is invalid (the message names the field and the rule).
    #[error("invalid local Lake configuration: {0}")]
    Config(String),
}
