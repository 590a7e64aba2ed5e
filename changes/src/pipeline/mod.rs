//! The pipeline: read → classify → normalize, with an exact account of every record, a checkpoint of processed
//! objects and SQS completion tracking.
//!
//! * [`Ingest::process_object`] is the synchronous core for one object (used by the benchmark and by tests).
//! * [`Pipeline`] drives a [`Source`] (`Location::parse` of a path, `s3://bucket/prefix` or `sqs://queue`): it
//!   hands each normalized change to the consumer as a [`Change`] with a [`Ticket`]. The consumer publishes it
//!   (or prints it in a dry run) and reports the final outcome on the ticket. An object is recorded in the
//!   [`Checkpoint`] — and an SQS message deleted — only when every change from it has a final outcome; a dropped
//!   ticket, a read error or a stop keeps the object for a later run, so a crash loses nothing.
//! * [`Summary`] accounts for every record: `records_read == kept + skipped + malformed`.

mod checkpoint;
mod ingest;
mod needed;
mod report;
mod run;
mod source;
mod tracker;

pub use checkpoint::{Checkpoint, CheckpointError};
pub use ingest::{DEDUPE_WINDOW, Ingest};
pub use report::{MAX_LISTED_MALFORMED, MalformedRecord, ObjectReport, Summary};
pub use run::{Change, Changes, Pipeline, PipelineError, PipelineOptions, Running, SqsOptions, Stopper};
pub use source::{Location, Source, SourceError};
pub use tracker::{Outcome, Ticket};
