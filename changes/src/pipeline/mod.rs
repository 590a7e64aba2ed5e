//! The pipeline: read → classify → normalize, with an exact account of every record.
//!
//! [`Ingest::process_object`] is the synchronous core for one object.

mod ingest;
mod report;

pub use ingest::{DEDUPE_WINDOW, Ingest};
pub use report::{MAX_LISTED_MALFORMED, MalformedRecord, ObjectReport, Summary};
