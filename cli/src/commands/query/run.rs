//! Running a query: start, wait, page, print.

use std::time::{Duration, Instant};

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::types::QueryStatus;

use super::statement;
use crate::aws::sdk_error;
use crate::cli::QueryArgs;
use crate::context::Context;
use crate::exit::{CliError, CliResult, Outcome};
use crate::output::rows::RowWriter;
use crate::resources::event_data_stores;

/// Largest page GetQueryResults returns ([BC-CT] `MaxQueryResults`, 1–1000).
const MAX_QUERY_RESULTS_PER_PAGE: i32 = 1000;
/// First and longest pause between two status checks.
const POLL_FIRST: Duration = Duration::from_millis(100);
const POLL_MAX: Duration = Duration::from_secs(2);

/// `ctlake query`.
pub(crate) async fn run(args: QueryArgs, ctx: &Context) -> CliResult {
    let aws = ctx.aws().await?;
    let client = aws.control();
    let sql = match (args.saved, &args.sql) {
        (Some(saved), _) => saved.sql(),
        (None, Some(sql)) => sql.clone(),
        (None, None) => return Err(CliError::usage("give a SQL statement or --saved NAME")),
    };
    let table = match &args.event_data_store {
        Some(spec) if sql.contains(statement::EDS_PLACEHOLDER) => {
            Some(event_data_stores::table_name(&client, spec).await?)
        }
        _ => None,
    };
    let sql = statement::fill(&sql, table.as_deref())?;
    tracing::info!(sql = %sql, "Starting the query.");
    let rows = execute(&client, &sql, ctx, Duration::from_secs(args.timeout)).await?;
    ctx.ui
        .note(format!("{rows} row{}", if rows == 1 { "" } else { "s" }));
    Ok(Outcome::Success)
}

/// Runs `sql` to the end and prints its rows in `ctx.output`'s format; returns the number of rows.
///
/// # Errors
/// 254 when the query fails (with Lake's message), 130 on Ctrl-C (the query is cancelled), 255 on timeout.
pub(crate) async fn execute(
    client: &Client,
    sql: &str,
    ctx: &Context,
    timeout: Duration,
) -> CliResult<usize> {
    let started = client
        .start_query()
        .query_statement(sql)
        .send()
        .await
        .map_err(|e| sdk_error("StartQuery", e))?;
    let query_id = started
        .query_id()
        .ok_or_else(|| CliError::service("StartQuery returned no QueryId"))?
        .to_owned();
    let spinner = ctx.ui.spinner(format!("Query {query_id}: QUEUED"));
    let waited = tokio::select! {
        r = wait(client, &query_id, &spinner, timeout) => r,
        _ = tokio::signal::ctrl_c() => Err(CliError::interrupted("interrupted; the query was cancelled")),
    };
    spinner.finish_and_clear();
    if let Err(e) = waited {
        // Best effort: a query left running keeps one of the account's 10 concurrent query slots.
        let _ = client.cancel_query().query_id(&query_id).send().await;
        return Err(e);
    }
    print_pages(client, &query_id, ctx).await
}

async fn wait(
    client: &Client,
    query_id: &str,
    spinner: &indicatif::ProgressBar,
    timeout: Duration,
) -> CliResult<()> {
    let deadline = Instant::now() + timeout;
    let mut pause = POLL_FIRST;
    loop {
        let out = client
            .describe_query()
            .query_id(query_id)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeQuery", e))?;
        let status = out.query_status().cloned().unwrap_or(QueryStatus::Queued);
        spinner.set_message(format!("Query {query_id}: {}", status.as_str()));
        match status {
            QueryStatus::Finished => return Ok(()),
            QueryStatus::Failed | QueryStatus::Cancelled | QueryStatus::TimedOut => {
                let message = out.error_message().unwrap_or("no error message");
                return Err(CliError::service(format!(
                    "query {query_id} {}: {message}",
                    status.as_str()
                )));
            }
            _ => {}
        }
        if Instant::now() >= deadline {
            return Err(CliError::other(format!(
                "query {query_id} still {} after {} s (--timeout); it was cancelled",
                status.as_str(),
                timeout.as_secs()
            )));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(POLL_MAX);
    }
}

async fn print_pages(client: &Client, query_id: &str, ctx: &Context) -> CliResult<usize> {
    let mut writer: Option<RowWriter> = None;
    let mut token: Option<String> = None;
    loop {
        let page = client
            .get_query_results()
            .query_id(query_id)
            .max_query_results(MAX_QUERY_RESULTS_PER_PAGE)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| sdk_error("GetQueryResults", e))?;
        for row in page.query_result_rows() {
            // Each row is a list of one-entry maps {column: value}, in SELECT order; a NULL is an empty map that
            // keeps its position (its column is named `_colN` when the first row has it).
            let mut columns = Vec::with_capacity(row.len());
            let mut values = Vec::with_capacity(row.len());
            for (i, cell) in row.iter().enumerate() {
                match cell.iter().next() {
                    Some((k, v)) => {
                        columns.push(k.clone());
                        values.push(Some(v.clone()));
                    }
                    None => {
                        columns.push(format!("_col{i}"));
                        values.push(None);
                    }
                }
            }
            let w = match &mut writer {
                Some(w) => w,
                None => writer.insert(RowWriter::new(ctx.output, &columns)?),
            };
            w.row(&values)?;
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let writer = match writer {
        Some(w) => w,
        // No rows: Lake sends no column names either.
        None => RowWriter::new(ctx.output, &[])?,
    };
    let rows = writer.rows();
    writer.finish()?;
    Ok(rows)
}
