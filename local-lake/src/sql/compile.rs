//! [`compile`]: Lake SQL text → [`CompiledQuery`].

use rusqlite::types::Value;

use super::analyze::analyze;
use super::codegen::generate;
use super::error::QueryError;
use super::ir::Relation;
use super::types::Ty;

/// A Lake SQL statement translated to SQLite, ready for [`execute`](super::execute).
///
/// It is plain data (`Send + Sync + Clone`): compile when the query is started, execute later on any
/// connection to the store.
#[derive(Debug, Clone)]
pub struct CompiledQuery {
    pub(crate) tables: Vec<String>,
    pub(crate) columns: Vec<String>,
    pub(crate) sql: String,
    pub(crate) params: Vec<Value>,
    pub(crate) types: Vec<Ty>,
    pub(crate) relations: Vec<Relation>,
}

impl CompiledQuery {
    /// The event data store ids the statement reads, each once, in order of appearance, lower-cased (Trino
    /// folds identifiers, and ids are lower-case UUIDs). The caller checks that each exists for the caller's
    /// account and is readable before executing; execution reads exactly the `events` rows with these ids.
    pub fn tables(&self) -> &[String] {
        &self.tables
    }

    /// The result column names as Lake reports them: the alias, else the column or last part of a dotted path
    /// as written, else `_col<position>`; `SELECT *` gives the schema's lowercase top-level names.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The generated SQLite SQL (for debugging and logs; parameters are `?1`, `?2`, …).
    pub fn sql(&self) -> &str {
        &self.sql
    }
}

/// Translates one Lake SQL `SELECT` statement.
///
/// # Errors
///
/// [`QueryError::Invalid`] naming the construct when the statement is not valid Lake SQL or uses something the
/// local Lake does not translate faithfully (see `local-lake/SQL.md`).
pub fn compile(statement: &str) -> Result<CompiledQuery, QueryError> {
    // Analysis recurses once per nesting level (bounded by MAX_EXPRESSION_DEPTH); give it a stack of its own so
    // the caller's (a tokio worker's 2 MiB) never limits what a statement may nest.
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("lake-sql-compile".to_owned())
            .stack_size(COMPILE_STACK_BYTES)
            .spawn_scoped(scope, || compile_here(statement));
        match worker {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|_| Err(QueryError::invalid("the statement could not be analyzed"))),
            // No thread to be had: analyze here (the depth bound still holds, on a smaller stack).
            Err(_) => compile_here(statement),
        }
    })
}

/// Stack of the analysis thread: ample for the 200 nesting levels the analyzer allows
/// levels in unoptimized builds (reserved address space; only the pages used are committed).
const COMPILE_STACK_BYTES: usize = 64 << 20;

fn compile_here(statement: &str) -> Result<CompiledQuery, QueryError> {
    let analysis = analyze(statement)?;
    let sql = generate(&analysis.plan);
    let mut tables: Vec<String> = Vec::new();
    for r in &analysis.plan.relations {
        if !tables.contains(&r.eds_id) {
            tables.push(r.eds_id.clone());
        }
    }
    Ok(CompiledQuery {
        tables,
        columns: analysis.columns,
        sql: sql.text,
        params: sql.params,
        types: analysis.plan.types,
        relations: analysis.plan.relations,
    })
}
