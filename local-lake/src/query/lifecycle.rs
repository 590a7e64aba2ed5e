//! Starting, running, cancelling and reading queries.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use rusqlite::params;

use super::engine::{self, Compiled, EngineError, Output};
use crate::app::App;
use crate::auth::Caller;
use crate::limits::{
    MAX_CONCURRENT_QUERIES, MAX_QUERY_STATEMENT_CHARS, QUERY_HISTORY_DAYS, QUERY_TIMEOUT_SECS,
};
use crate::protocol::ApiError;
use crate::store::writer::{WriteFn, save_query};
use crate::store::{Query, QueryStats};
use crate::timefmt::now_ms;

fn invalid_statement(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("InvalidQueryStatementException", message)
}

/// `QueryIdNotFoundException` (404).
pub(crate) fn query_not_found(id: &str) -> ApiError {
    ApiError::not_found(
        "QueryIdNotFoundException",
        format!("The query {id} does not exist in this account and Region."),
    )
}

/// StartQuery: compiles, checks the stores and the concurrency quota, stores a `QUEUED` query and starts it.
pub(crate) async fn start(app: &Arc<App>, caller: &Caller, statement: &str) -> Result<String, ApiError> {
    let chars = statement.chars().count();
    if chars == 0 || chars > MAX_QUERY_STATEMENT_CHARS {
        return Err(invalid_statement(format!(
            "QueryStatement must have 1 to {MAX_QUERY_STATEMENT_CHARS} characters; it has {chars}."
        )));
    }
    let compiled = match engine::compile(statement) {
        Ok(c) => c,
        Err(EngineError::Invalid(m) | EngineError::Failed(m)) => return Err(invalid_statement(m)),
        Err(EngineError::Interrupted) => {
            return Err(ApiError::internal("The statement could not be compiled."));
        }
    };
    let (query, pending) = {
        let mut state = app.state();
        let mut tables = Vec::new();
        for table in compiled.tables() {
            let store = state.catalog.store(&caller.account, &caller.region, table).ok_or_else(|| {
                ApiError::not_found(
                    "EventDataStoreNotFoundException",
                    format!("The event data store {table} named in the query does not exist in this account and Region."),
                )
            })?;
            if store.pending_deletion() {
                return Err(crate::control::inactive_store(&store.id));
            }
            if !tables.contains(&store.id) {
                tables.push(store.id.clone());
            }
        }
        if state.catalog.active_queries(&caller.account, &caller.region) >= MAX_CONCURRENT_QUERIES {
            return Err(ApiError::new(
                "MaxConcurrentQueriesException",
                StatusCode::TOO_MANY_REQUESTS,
                format!("At most {MAX_CONCURRENT_QUERIES} queries can be queued or running at once."),
            ));
        }
        let query = Query {
            id: uuid::Uuid::new_v4().to_string(),
            account: caller.account.clone(),
            region: caller.region.clone(),
            statement: statement.to_owned(),
            status: "QUEUED".to_owned(),
            tables,
            columns: Vec::new(),
            error: None,
            stats: QueryStats::default(),
            created_ms: now_ms(),
        };
        let pending = app.store.submit(Vec::new(), Some(save_query(&query)));
        state.catalog.queries.insert(query.id.clone(), query.clone());
        (query, pending)
    };
    pending.wait().await?;
    let id = query.id.clone();
    tokio::spawn(run(Arc::clone(app), query.id, compiled));
    tokio::spawn(time_out(
        Arc::clone(app),
        id.clone(),
        Duration::from_secs(QUERY_TIMEOUT_SECS),
    ));
    Ok(id)
}

/// Moves a query to a terminal `status` if it is still queued or running; returns whether it did.
fn end(app: &App, id: &str, status: &str, error: Option<String>) -> bool {
    let pending = {
        let mut state = app.state();
        let Some(q) = state.catalog.queries.get_mut(id).filter(|q| !q.is_terminal()) else {
            return false;
        };
        q.status = status.to_owned();
        q.error = error;
        app.store.submit(Vec::new(), Some(save_query(q)))
    };
    if let Some(handle) = app.running().remove(id) {
        handle.interrupt();
    }
    drop(pending);
    true
}

async fn time_out(app: Arc<App>, id: String, after: Duration) {
    tokio::time::sleep(after).await;
    end(
        &app,
        &id,
        "TIMED_OUT",
        Some(format!("The query ran longer than {} seconds.", after.as_secs())),
    );
}

async fn run(app: Arc<App>, id: String, compiled: Compiled) {
    {
        let mut state = app.state();
        let Some(q) = state
            .catalog
            .queries
            .get_mut(&id)
            .filter(|q| q.status == "QUEUED")
        else {
            return;
        };
        q.status = "RUNNING".to_owned();
        drop(app.store.submit(Vec::new(), Some(save_query(q))));
    }
    let started = Instant::now();
    if let Some(delay) = app.faults.query_latency() {
        tokio::time::sleep(delay).await;
    }
    let worker_app = Arc::clone(&app);
    let worker_id = id.clone();
    let result = tokio::task::spawn_blocking(move || {
        let conn = worker_app
            .store
            .open_reader()
            .map_err(|e| EngineError::Failed(e.to_string()))?;
        worker_app
            .running()
            .insert(worker_id.clone(), conn.get_interrupt_handle());
        let still_running = worker_app
            .state()
            .catalog
            .queries
            .get(&worker_id)
            .is_some_and(|q| q.status == "RUNNING");
        let result = if still_running {
            engine::execute(&conn, &compiled)
        } else {
            Err(EngineError::Interrupted)
        };
        worker_app.running().remove(&worker_id);
        result
    })
    .await
    .unwrap_or_else(|e| Err(EngineError::Failed(format!("the query worker failed: {e}"))));
    let execution_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match result {
        Ok(output) => finish(&app, &id, output, execution_ms).await,
        Err(EngineError::Invalid(m) | EngineError::Failed(m)) => {
            end(&app, &id, "FAILED", Some(m));
        }
        Err(EngineError::Interrupted) => {
            end(&app, &id, "FAILED", Some("The query was interrupted.".to_owned()));
        }
    }
}

/// Stores the result rows and the `FINISHED` query in one transaction, then publishes the status.
async fn finish(app: &App, id: &str, output: Output, execution_ms: u64) {
    let Some(mut done) = app
        .state()
        .catalog
        .queries
        .get(id)
        .filter(|q| q.status == "RUNNING")
        .cloned()
    else {
        return;
    };
    done.status = "FINISHED".to_owned();
    done.columns = output.columns;
    done.stats = QueryStats {
        results: output.rows.len() as u64,
        events_scanned: output.events_scanned,
        bytes_scanned: output.bytes_scanned,
        execution_ms,
    };
    let rows: Vec<String> = output
        .rows
        .iter()
        .map(|r| serde_json::to_string(r).unwrap_or_else(|_| "[]".to_owned()))
        .collect();
    let save = save_query(&done);
    let query_id = id.to_owned();
    let write: WriteFn = Box::new(move |c: &rusqlite::Connection| {
        let mut insert = c.prepare_cached(
            "INSERT OR REPLACE INTO query_results (query_id, row_no, row) VALUES (?1, ?2, ?3)",
        )?;
        for (i, row) in rows.iter().enumerate() {
            insert.execute(params![query_id, i as i64, row])?;
        }
        save(c)
    });
    if let Err(e) = app.store.submit(Vec::new(), Some(write)).wait().await {
        end(app, id, "FAILED", Some(e.message));
        return;
    }
    let mut state = app.state();
    if let Some(q) = state
        .catalog
        .queries
        .get_mut(id)
        .filter(|q| q.status == "RUNNING")
    {
        *q = done;
    }
}

/// CancelQuery: `CANCELLED` unless the query already ended (`InactiveQueryException`).
pub(crate) fn cancel(app: &App, caller: &Caller, id: &str) -> Result<(), ApiError> {
    {
        let state = app.state();
        let q = state
            .catalog
            .queries
            .get(id)
            .filter(|q| q.account == caller.account && q.region == caller.region)
            .ok_or_else(|| query_not_found(id))?;
        if q.is_terminal() {
            return Err(ApiError::bad_request(
                "InactiveQueryException",
                format!("The query {id} is already {} and cannot be cancelled.", q.status),
            ));
        }
    }
    end(app, id, "CANCELLED", None);
    Ok(())
}

/// Reads result rows `offset..offset+limit` of a finished query.
pub(crate) async fn fetch_rows(
    app: &Arc<App>,
    id: &str,
    offset: usize,
    limit: usize,
) -> Result<Vec<Vec<Option<String>>>, ApiError> {
    let app = Arc::clone(app);
    let id = id.to_owned();
    tokio::task::spawn_blocking(move || -> rusqlite::Result<Vec<Vec<Option<String>>>> {
        let conn = app.store.open_reader()?;
        let mut stmt = conn.prepare(
            "SELECT row FROM query_results WHERE query_id = ?1 AND row_no >= ?2 ORDER BY row_no LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![id, offset as i64, limit as i64], |r| {
            r.get::<_, String>(0)
        })?;
        rows.map(|r| r.map(|text| serde_json::from_str(&text).unwrap_or_default()))
            .collect()
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
    .map_err(|e| ApiError::internal(format!("Cannot read the query results: {e}.")))
}

/// At start: queries that were queued or running when the Lake stopped end `FAILED`; queries older than the
/// 7-day history are forgotten with their results.
pub(crate) async fn recover_interrupted(app: &App) {
    let cutoff = now_ms() - QUERY_HISTORY_DAYS * 86_400_000;
    let mut writes: Vec<WriteFn> = Vec::new();
    {
        let mut state = app.state();
        let queries = &mut state.catalog.queries;
        let expired: Vec<String> = queries
            .values()
            .filter(|q| q.created_ms < cutoff)
            .map(|q| q.id.clone())
            .collect();
        for id in expired {
            queries.remove(&id);
            writes.push(Box::new(move |c: &rusqlite::Connection| {
                c.execute("DELETE FROM query_results WHERE query_id = ?1", [&id])?;
                c.execute("DELETE FROM resources WHERE kind = 'query' AND id = ?1", [&id])
                    .map(drop)
            }));
        }
        for q in queries.values_mut().filter(|q| !q.is_terminal()) {
            q.status = "FAILED".to_owned();
            q.error = Some("The local Lake stopped while the query was running.".to_owned());
            writes.push(save_query(q));
        }
    }
    if !writes.is_empty() {
        let all: WriteFn = Box::new(move |c: &rusqlite::Connection| writes.iter().try_for_each(|w| w(c)));
        let _ = app.store.submit(Vec::new(), Some(all)).wait().await;
    }
}
