//! Adapter to the Lake SQL translator (`crate::sql`): compile a statement, list the event data stores it
//! reads, run it on a read connection.

use rusqlite::Connection;

use crate::sql::{self, CompiledQuery, QueryError};

/// A compiled statement.
#[derive(Debug)]
pub(crate) struct Compiled {
    inner: CompiledQuery,
}

impl Compiled {
    /// Bare event data store ids the statement reads.
    pub(crate) fn tables(&self) -> &[String] {
        self.inner.tables()
    }
}

/// The result of running a statement.
#[derive(Debug, Default)]
pub(crate) struct Output {
    /// Result column names, in SELECT order.
    pub(crate) columns: Vec<String>,
    /// Rows of values (`None` = SQL NULL).
    pub(crate) rows: Vec<Vec<Option<String>>>,
    /// Events read.
    pub(crate) events_scanned: u64,
    /// Bytes of stored records read.
    pub(crate) bytes_scanned: u64,
}

/// Why a statement did not produce a result.
#[derive(Debug)]
pub(crate) enum EngineError {
    /// Not valid (or not translatable) Lake SQL: `InvalidQueryStatementException`.
    Invalid(String),
    /// Valid but failed while running: the query ends `FAILED` with this message.
    Failed(String),
    /// Interrupted by CancelQuery or the timeout.
    Interrupted,
}

impl From<QueryError> for EngineError {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::Invalid(m) => Self::Invalid(m),
            QueryError::Interrupted => Self::Interrupted,
            other => Self::Failed(other.to_string()),
        }
    }
}

/// Compiles a Lake SQL statement.
pub(crate) fn compile(statement: &str) -> Result<Compiled, EngineError> {
    Ok(Compiled {
        inner: sql::compile(statement)?,
    })
}

/// Runs a compiled statement.
pub(crate) fn execute(conn: &Connection, query: &Compiled) -> Result<Output, EngineError> {
    let out = sql::execute(conn, &query.inner)?;
    Ok(Output {
        columns: out.columns,
        rows: out.rows,
        events_scanned: out.events_scanned,
        bytes_scanned: out.bytes_scanned,
    })
}
