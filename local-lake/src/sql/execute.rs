//! [`execute`]: runs a [`CompiledQuery`] on the store and renders the rows.

use rusqlite::Connection;

use super::compile::CompiledQuery;
use super::error::QueryError;
use super::functions::register;
use super::render::render;

/// A finished query's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryOutput {
    /// Column names, as [`CompiledQuery::columns`].
    pub columns: Vec<String>,
    /// Rows of rendered values (see `local-lake/SQL.md`); `None` is SQL `NULL`.
    pub rows: Vec<Vec<Option<String>>>,
    /// Events the query scanned: the events of each referenced event data store (counted once per reference)
    /// within the `eventTime` range its `WHERE` clause bounds, or all of them when it does not.
    pub events_scanned: u64,
    /// Bytes scanned: the stored record sizes (UTF-8 bytes of the record JSON) of those events.
    pub bytes_scanned: u64,
}

/// Runs `q` on `conn` (which holds the `events` table of [`EVENTS_TABLE_DDL`](super::EVENTS_TABLE_DDL)).
///
/// Installs the translator's SQLite functions on `conn` first (idempotent).
///
/// Runs synchronously (call it from a blocking thread); cancel it from another thread with
/// `conn.get_interrupt_handle().interrupt()`.
///
/// # Errors
///
/// [`QueryError::Execution`] with Trino's message for a runtime error (an impossible `CAST`, an integer
/// overflow, a division by zero) or with SQLite's message for a storage error; [`QueryError::Interrupted`] when
/// interrupted.
pub fn execute(conn: &Connection, q: &CompiledQuery) -> Result<QueryOutput, QueryError> {
    register(conn)?;
    let mut stmt = conn.prepare(&q.sql)?;
    let mut rows_out = Vec::new();
    let mut rows = stmt.query(rusqlite::params_from_iter(q.params.iter()))?;
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(q.types.len());
        for (i, ty) in q.types.iter().enumerate() {
            values.push(render(row.get_ref(i)?, *ty)?);
        }
        rows_out.push(values);
    }
    let (events_scanned, bytes_scanned) = scan_statistics(conn, q)?;
    Ok(QueryOutput {
        columns: q.columns.clone(),
        rows: rows_out,
        events_scanned,
        bytes_scanned,
    })
}

/// Events and bytes in each referenced store's `eventTime` range (the partitions Lake would scan and bill).
fn scan_statistics(conn: &Connection, q: &CompiledQuery) -> Result<(u64, u64), QueryError> {
    let mut events = 0u64;
    let mut bytes = 0u64;
    for rel in &q.relations {
        let mut sql = String::from(
            "SELECT count(*), coalesce(sum(octet_length(record)), 0) FROM events WHERE eds_id = ?1",
        );
        let mut params: Vec<&str> = vec![&rel.eds_id];
        if let Some(b) = &rel.from_time {
            sql.push_str(if b.inclusive {
                " AND event_time >= ?2"
            } else {
                " AND event_time > ?2"
            });
            params.push(&b.value);
        }
        if let Some(b) = &rel.to_time {
            let n = params.len() + 1;
            sql.push_str(&format!(
                " AND event_time {} ?{n}",
                if b.inclusive { "<=" } else { "<" }
            ));
            params.push(&b.value);
        }
        let (n, size): (i64, i64) = conn.query_row(&sql, rusqlite::params_from_iter(params.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        events += u64::try_from(n).unwrap_or(0);
        bytes += u64::try_from(size).unwrap_or(0);
    }
    Ok((events, bytes))
}
