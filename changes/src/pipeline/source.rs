//! Where a run reads from: a local path, `s3://bucket/prefix` or `sqs://queue`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::read::{AwsOptions, ReadError, S3Reader, SqsQueue};

/// A location as the user writes it, parsed but not connected.
///
/// * `s3://bucket` or `s3://bucket/prefix/` — every CloudTrail log object under the prefix;
/// * `sqs://https://sqs.us-east-1.amazonaws.com/123456789012/queue` (any `http://` or `https://` URL after
///   `sqs://`), `sqs://sqs.us-east-1.amazonaws.com/123456789012/queue` (HTTPS implied) or `sqs://queue` (a name,
///   resolved with GetQueueUrl);
/// * anything else — a local file or folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A local file or folder.
    Local(PathBuf),
    /// An S3 bucket and key prefix.
    S3 {
        /// Bucket.
        bucket: String,
        /// Key prefix (may be empty).
        prefix: String,
    },
    /// An SQS queue given by URL.
    SqsUrl(String),
    /// An SQS queue given by name.
    SqsName(String),
}

/// A location that cannot be parsed or connected to.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// `s3://` without a bucket, `sqs://` without a queue.
    #[error("invalid location `{location}`: {reason}")]
    Invalid {
        /// The location as given.
        location: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The queue name could not be resolved.
    #[error("cannot resolve the queue")]
    Queue(#[source] ReadError),
}

impl FromStr for Location {
    type Err = SourceError;

    fn from_str(location: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| SourceError::Invalid {
            location: location.to_owned(),
            reason,
        };
        if let Some(rest) = location.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(invalid("no bucket after s3://"));
            }
            return Ok(Self::S3 {
                bucket: bucket.to_owned(),
                prefix: prefix.to_owned(),
            });
        }
        if let Some(rest) = location.strip_prefix("sqs://") {
            if rest.is_empty() {
                return Err(invalid("no queue after sqs://"));
            }
            if rest.starts_with("http://") || rest.starts_with("https://") {
                return Ok(Self::SqsUrl(rest.to_owned()));
            }
            if rest.contains('/') {
                return Ok(Self::SqsUrl(format!("https://{rest}")));
            }
            return Ok(Self::SqsName(rest.to_owned()));
        }
        if location.is_empty() {
            return Err(invalid("empty path"));
        }
        Ok(Self::Local(PathBuf::from(location)))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Local(path) => write!(f, "{}", path.display()),
            Self::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
            Self::SqsUrl(url) => write!(f, "sqs://{url}"),
            Self::SqsName(name) => write!(f, "sqs://{name}"),
        }
    }
}

/// A connected source of log objects.
#[derive(Debug, Clone)]
pub enum Source {
    /// A local file or folder.
    Local(PathBuf),
    /// An S3 prefix.
    S3 {
        /// The S3 client.
        reader: S3Reader,
        /// Bucket.
        bucket: String,
        /// Key prefix.
        prefix: String,
    },
    /// An SQS queue of notifications; objects are fetched from S3.
    Sqs {
        /// The queue.
        queue: SqsQueue,
        /// The S3 client for the notified objects.
        reader: S3Reader,
    },
}

impl Source {
    /// Connects to a location (no network traffic except GetQueueUrl for `sqs://name`).
    ///
    /// # Errors
    ///
    /// [`SourceError::Queue`] when a queue name cannot be resolved.
    pub async fn connect(location: &Location, aws: &AwsOptions) -> Result<Self, SourceError> {
        Ok(match location {
            Location::Local(path) => Self::Local(path.clone()),
            Location::S3 { bucket, prefix } => Self::S3 {
                reader: S3Reader::connect(aws).await,
                bucket: bucket.clone(),
                prefix: prefix.clone(),
            },
            Location::SqsUrl(url) => Self::Sqs {
                queue: SqsQueue::connect(aws, url).await,
                reader: S3Reader::connect(aws).await,
            },
            Location::SqsName(name) => Self::Sqs {
                queue: SqsQueue::connect_by_name(aws, name)
                    .await
                    .map_err(SourceError::Queue)?,
                reader: S3Reader::connect(aws).await,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Location {
        s.parse().unwrap()
    }

    #[test]
    fn locations() {
        assert_eq!(
            parse("s3://logs/AWSLogs/1/"),
            Location::S3 {
                bucket: "logs".into(),
                prefix: "AWSLogs/1/".into()
            }
        );
        assert_eq!(
            parse("s3://logs"),
            Location::S3 {
                bucket: "logs".into(),
                prefix: String::new()
            }
        );
        assert_eq!(
            parse("sqs://https://sqs.us-east-1.amazonaws.com/1/q"),
            Location::SqsUrl("https://sqs.us-east-1.amazonaws.com/1/q".into())
        );
        assert_eq!(
            parse("sqs://http://127.0.0.1:5000/1/q"),
            Location::SqsUrl("http://127.0.0.1:5000/1/q".into())
        );
        assert_eq!(
            parse("sqs://sqs.eu-west-1.amazonaws.com/1/q"),
            Location::SqsUrl("https://sqs.eu-west-1.amazonaws.com/1/q".into())
        );
        assert_eq!(parse("sqs://my-queue"), Location::SqsName("my-queue".into()));
        assert_eq!(parse("./logs"), Location::Local("./logs".into()));
        assert_eq!(parse("s3://logs/p").to_string(), "s3://logs/p");
        for bad in ["s3://", "s3:///x", "sqs://", ""] {
            assert!(bad.parse::<Location>().is_err(), "{bad}");
        }
        assert_eq!(
            "s3://".parse::<Location>().unwrap_err().to_string(),
            "invalid location `s3://`: no bucket after s3://"
        );
    }
}
