//! The query lifecycle: StartQuery stores a `QUEUED` query and runs it on a blocking worker
//! (`RUNNING` → `FINISHED` | `FAILED` | `CANCELLED` | `TIMED_OUT`); results and statistics are stored in
//! SQLite so that DescribeQuery and GetQueryResults work across restarts.
//!
//! Lake SQL itself is translated by `crate::sql`; [`engine`] is the small adapter between the two.

mod engine;
mod lifecycle;

pub(crate) use lifecycle::{cancel, fetch_rows, query_not_found, recover_interrupted, start};
