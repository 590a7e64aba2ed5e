//! Names of the things records are read from.

use std::fmt;
use std::path::PathBuf;

/// One log object: a local file, an S3 object, or the body of an SQS message that carries records itself.
///
/// Errors and skipped records name their object and the record's index in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ObjectRef {
    /// A local file.
    File(PathBuf),
    /// An S3 object.
    S3 {
        /// Bucket name.
        bucket: String,
        /// Object key (decoded).
        key: String,
    },
    /// The body of an SQS message that is itself a CloudTrail document (e.g. an EventBridge
    /// "AWS API Call via CloudTrail" event delivered to a queue).
    Message {
        /// The queue URL.
        queue: String,
        /// The SQS message id.
        message_id: String,
    },
}

impl ObjectRef {
    /// An S3 object.
    pub fn s3(bucket: impl Into<String>, key: impl Into<String>) -> Self {
        Self::S3 {
            bucket: bucket.into(),
            key: key.into(),
        }
    }

    /// The last path segment (file name or last key segment), used for logs and messages.
    pub fn name(&self) -> String {
        match self {
            Self::File(path) => path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            Self::S3 { key, .. } => key.rsplit('/').next().unwrap_or(key).to_owned(),
            Self::Message { message_id, .. } => message_id.clone(),
        }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(path) => write!(f, "{}", path.display()),
            Self::S3 { bucket, key } => write!(f, "s3://{bucket}/{key}"),
            Self::Message { queue, message_id } => write!(f, "{queue} message {message_id}"),
        }
    }
}

/// A log object with what is known about its version, so a checkpoint can tell a re-written object from the one
/// it processed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LogObject {
    /// Which object.
    pub id: ObjectRef,
    /// Size in bytes, when known before reading.
    pub size: Option<u64>,
    /// Version marker: the S3 ETag, or for files the modification time in nanoseconds since the epoch.
    pub version: Option<String>,
}

impl LogObject {
    /// An object with no size or version known.
    pub fn new(id: ObjectRef) -> Self {
        Self {
            id,
            size: None,
            version: None,
        }
    }
}

impl fmt::Display for LogObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.id.fmt(f)
    }
}

/// Objects found by a listing (a folder, a page of an S3 listing).
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// Objects to read, in order.
    pub objects: Vec<LogObject>,
    /// Objects not read, with the reason.
    pub skipped: Vec<(ObjectRef, super::ObjectSkip)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_name() {
        let s3 = ObjectRef::s3("b", "AWSLogs/1/CloudTrail/x.json.gz");
        assert_eq!(s3.to_string(), "s3://b/AWSLogs/1/CloudTrail/x.json.gz");
        assert_eq!(s3.name(), "x.json.gz");
        let file = ObjectRef::File(PathBuf::from("/tmp/a/b.json"));
        assert_eq!(file.to_string(), "/tmp/a/b.json");
        assert_eq!(file.name(), "b.json");
        let msg = ObjectRef::Message {
            queue: "http://q".into(),
            message_id: "m1".into(),
        };
        assert_eq!(msg.to_string(), "http://q message m1");
    }
}
