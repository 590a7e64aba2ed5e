//! Lake SQL on SQLite: translates the documented `SELECT` subset of CloudTrail Lake's SQL (Trino) into SQLite
//! SQL over the `events` table, runs it and renders the rows as Lake does.
//!
//! ```
//! use ctlake_local::sql::{EVENTS_TABLE_DDL, compile, execute};
//!
//! let conn = rusqlite::Connection::open_in_memory()?;
//! conn.execute_batch(EVENTS_TABLE_DDL)?;
//! let q = compile(
//!     "SELECT eventData.eventName, count(*) AS n FROM 8a9cd1e2-1234-4f7e-a06a-43969abcdef0 \
//!      WHERE eventTime >= '2023-01-05 13:51:00' GROUP BY 1 ORDER BY n DESC LIMIT 10",
//! )?;
//! assert_eq!(q.tables(), ["8a9cd1e2-1234-4f7e-a06a-43969abcdef0"]);
//! assert_eq!(q.columns(), ["eventName", "n"]);
//! let out = execute(&conn, &q)?;
//! assert!(out.rows.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The pipeline: `prepass` quotes the bare event data store ids, `sqlparser` parses, `analyze` resolves and
//! type-checks against the ActivityAuditLog schema (`schema`, `types`) into the typed `ir`, `codegen` writes
//! SQLite SQL with every user value bound as a parameter, `execute` runs it with the `functions` installed and
//! `render`s each value. What cannot be answered exactly as Lake would answer it is rejected with
//! [`QueryError::Invalid`]; user documentation is `local-lake/SQL.md`.
//!
//! # Errors
//!
//! [`compile`] fails with [`QueryError::Invalid`]; [`execute`] with [`QueryError::Execution`].

mod analyze;
mod codegen;
mod compile;
mod error;
mod execute;
mod functions;
mod ir;
mod json;
mod like;
mod prepass;
mod render;
mod schema;
mod table;
mod timestamp;
mod types;

#[cfg(test)]
mod tests;

pub use compile::{CompiledQuery, compile};
pub use error::QueryError;
pub use execute::{QueryOutput, execute};
pub use table::EVENTS_TABLE_DDL;
