//! Readers: CloudTrail records from local files and folders, S3 prefixes and SQS notification queues.
//!
//! Every source yields [`LogObject`]s; each object is read as a stream by [`read_records`], one record at a time,
//! so memory stays flat however large an object is. Records carry their 0-based index in their object, so errors
//! name the object and the record.
//!
//! * Local: [`list_local`] + [`open_file`].
//! * S3: [`S3Reader::list`] (paginated, digest and Insights objects skipped) + [`S3Reader::open`] (streamed).
//! * SQS: [`SqsQueue::receive`] long-polls; each [`QueueMessage`] carries its parsed [`Notification`]: S3 event
//!   notifications (direct or through SNS, raw or not), CloudTrail's own delivery notification, or ignorable
//!   test events.
//!
//! The AWS clients take an endpoint URL ([`AwsOptions::endpoint_url`] or `AWS_ENDPOINT_URL`) and then use
//! path-style S3 addressing.

mod aws;
mod document;
mod error;
mod frame;
mod keys;
mod local;
mod notification;
mod object;
mod s3;
mod sqs;

pub use aws::{AwsOptions, StaticCredentials};
pub use document::{Flow, RawRecord, decode, read_records};
pub use error::ReadError;
pub use keys::{ObjectSkip, form_url_decode, skip_reason};
pub use local::{list_local, open_file};
pub use notification::{IgnoredReason, Notification, parse_notification};
pub use object::{Listing, LogObject, ObjectRef};
pub use s3::{S3Listing, S3Reader};
pub use sqs::{MAX_MESSAGES_PER_RECEIVE, MAX_VISIBILITY_TIMEOUT, MAX_WAIT, QueueMessage, SqsQueue};
