//! Errors of the readers.

use std::io;

use super::ObjectRef;

/// An object (or a listing, or a queue) that could not be read to the end.
///
/// Records delivered before the error were delivered: a broken record `index` does not lose the records before it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The object could not be opened or read (file system, network).
    #[error("{object}: cannot read")]
    Io {
        /// The object.
        object: ObjectRef,
        /// The underlying error.
        source: io::Error,
    },
    /// The gzip stream is corrupt or truncated.
    #[error("{object}: record {index}: corrupt or truncated gzip data")]
    Decompress {
        /// The object.
        object: ObjectRef,
        /// Index (0-based) of the record being read when the data broke off; that many records were delivered.
        index: usize,
        /// The decoder's error.
        source: io::Error,
    },
    /// The JSON text is not valid (or ends early).
    #[error("{object}: record {index}: invalid JSON at line {line}, column {column}: {message}")]
    Json {
        /// The object.
        object: ObjectRef,
        /// Index (0-based) of the record being parsed; that many records were delivered.
        index: usize,
        /// 1-based line of the decompressed text.
        line: usize,
        /// 1-based column of the decompressed text.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// Valid JSON, but not a CloudTrail document: not `{"Records": [...]}`, an array of records, an EventBridge
    /// "AWS API Call via CloudTrail" event or a single record.
    #[error("{object}: not a CloudTrail log ({found})")]
    NotCloudTrail {
        /// The object.
        object: ObjectRef,
        /// What was found instead.
        found: String,
    },
    /// Listing a folder or an S3 prefix failed.
    #[error("cannot list {location}")]
    List {
        /// The folder or `s3://bucket/prefix`.
        location: String,
        /// The underlying error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Fetching an S3 object failed.
    #[error("{object}: cannot get the object")]
    Get {
        /// The object.
        object: ObjectRef,
        /// The underlying error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Receiving from, deleting from or extending a message on the queue failed.
    #[error("queue {queue}: {operation} failed")]
    Queue {
        /// The queue URL.
        queue: String,
        /// `ReceiveMessage`, `DeleteMessage`, `ChangeMessageVisibility`.
        operation: &'static str,
        /// The underlying error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl ReadError {
    /// The object the error is about, when it is about one object.
    pub fn object(&self) -> Option<&ObjectRef> {
        match self {
            Self::Io { object, .. }
            | Self::Decompress { object, .. }
            | Self::Json { object, .. }
            | Self::NotCloudTrail { object, .. }
            | Self::Get { object, .. } => Some(object),
            Self::List { .. } | Self::Queue { .. } => None,
        }
    }

    /// Index (0-based) of the record that could not be read, when the error is inside an object's records.
    pub fn record_index(&self) -> Option<usize> {
        match self {
            Self::Decompress { index, .. } | Self::Json { index, .. } => Some(*index),
            Self::Io { .. }
            | Self::NotCloudTrail { .. }
            | Self::List { .. }
            | Self::Get { .. }
            | Self::Queue { .. } => None,
        }
    }
}
