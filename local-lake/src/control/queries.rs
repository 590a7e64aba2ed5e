//! StartQuery, DescribeQuery, GetQueryResults, ListQueries and CancelQuery (lake-api.md §3.3, §5). The
//! lifecycle itself lives in `crate::query`.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::common::{find_active_store, page_size, paginate, parse_page_token};
use crate::app::App;
use crate::auth::Caller;
use crate::limits::{MAX_LIST_RESULTS, MAX_QUERY_RESULTS, QUERY_HISTORY_DAYS};
use crate::protocol::ApiError;
use crate::protocol::aws_json::{Params, epoch};
use crate::query;
use crate::query::query_not_found;
use crate::store::Query;
use crate::timefmt::now_ms;

const STATUSES: [&str; 6] = [
    "QUEUED",
    "RUNNING",
    "FINISHED",
    "FAILED",
    "CANCELLED",
    "TIMED_OUT",
];

fn unsupported(member: &str, why: &str) -> ApiError {
    ApiError::invalid_parameter(format!("{member} is not supported by the local Lake: {why}."))
}

/// Checks the optional `EventDataStoreOwnerAccountId`: only the caller's own account is supported.
fn check_owner(caller: &Caller, p: &Params) -> Result<Option<String>, ApiError> {
    let Some(owner) = p.opt_str("EventDataStoreOwnerAccountId")? else {
        return Ok(None);
    };
    if !(12..=16).contains(&owner.len()) || !owner.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid_parameter(
            "EventDataStoreOwnerAccountId must be 12 to 16 digits.",
        ));
    }
    if owner != caller.account {
        return Err(unsupported(
            "EventDataStoreOwnerAccountId",
            "cross-account queries need event data store policies",
        ));
    }
    Ok(Some(owner.to_owned()))
}

/// Looks up a query of the caller, checking the deprecated `EventDataStore` member and that the stores the
/// query read are still active (queries on a store pending deletion stop working, [BC-CT]).
fn find_query(app: &App, caller: &Caller, p: &Params) -> Result<Query, ApiError> {
    let id = p.req_str("QueryId")?;
    let state = app.state();
    if let Some(store) = p.opt_str("EventDataStore")? {
        find_active_store(&state.catalog, caller, store)?;
    }
    let q = state
        .catalog
        .queries
        .get(id)
        .filter(|q| q.account == caller.account && q.region == caller.region)
        .ok_or_else(|| query_not_found(id))?;
    if let Some(gone) = q
        .tables
        .iter()
        .find(|t| state.catalog.stores.get(*t).is_none_or(|s| s.pending_deletion()))
    {
        return Err(super::common::inactive_store(gone));
    }
    Ok(q.clone())
}

/// StartQuery.
pub(crate) async fn start(app: &Arc<App>, caller: &Caller, p: &Params) -> Result<Value, ApiError> {
    if p.has("QueryAlias") || p.has("QueryParameters") {
        return Err(unsupported(
            "QueryAlias",
            "dashboard queries are not emulated; send QueryStatement",
        ));
    }
    if p.has("DeliveryS3Uri") {
        return Err(unsupported(
            "DeliveryS3Uri",
            "results stay in the local Lake; read them with GetQueryResults",
        ));
    }
    let owner = check_owner(caller, p)?;
    let statement = p.req_str("QueryStatement")?;
    let id = query::start(app, caller, statement).await?;
    let mut out = json!({ "QueryId": id });
    if let Some(owner) = owner {
        out["EventDataStoreOwnerAccountId"] = owner.into();
    }
    Ok(out)
}

/// DescribeQuery.
pub(crate) async fn describe(app: &Arc<App>, caller: &Caller, p: &Params) -> Result<Value, ApiError> {
    if p.has("QueryAlias") && !p.has("QueryId") {
        return Err(unsupported(
            "QueryAlias",
            "dashboard queries are not emulated; send QueryId",
        ));
    }
    let owner = check_owner(caller, p)?;
    let q = find_query(app, caller, p)?;
    let mut out = Map::new();
    out.insert("QueryId".into(), q.id.clone().into());
    out.insert("QueryString".into(), q.statement.clone().into());
    out.insert("QueryStatus".into(), q.status.clone().into());
    out.insert(
        "QueryStatistics".into(),
        json!({
            "EventsMatched": q.stats.results,
            "EventsScanned": q.stats.events_scanned,
            "BytesScanned": q.stats.bytes_scanned,
            "ExecutionTimeInMillis": q.stats.execution_ms,
            "CreationTime": epoch(q.created_ms),
        }),
    );
    if let Some(e) = &q.error {
        out.insert("ErrorMessage".into(), e.clone().into());
    }
    if let Some(owner) = owner {
        out.insert("EventDataStoreOwnerAccountId".into(), owner.into());
    }
    Ok(Value::Object(out))
}

/// One result row in the §5 encoding: a list of one-entry maps `{column: value}` in SELECT order. A NULL
/// value becomes an empty map: the AWS SDKs reject null values in these (dense) maps, and an empty map keeps
/// the column positions.
fn encode_row(columns: &[String], values: Vec<Option<String>>) -> Value {
    Value::Array(
        columns
            .iter()
            .zip(values)
            .map(|(c, v)| {
                let mut m = Map::new();
                if let Some(v) = v {
                    m.insert(c.clone(), Value::String(v));
                }
                Value::Object(m)
            })
            .collect(),
    )
}

/// GetQueryResults.
pub(crate) async fn results(app: &Arc<App>, caller: &Caller, p: &Params) -> Result<Value, ApiError> {
    let size = page_size(p, "MaxQueryResults", MAX_QUERY_RESULTS)?;
    check_owner(caller, p)?;
    let q = find_query(app, caller, p)?;
    let offset = parse_page_token(&format!("results-{}", q.id), p.opt_str("NextToken")?)?;
    let mut out = Map::new();
    out.insert("QueryStatus".into(), q.status.clone().into());
    if let Some(e) = &q.error {
        out.insert("ErrorMessage".into(), e.clone().into());
    }
    if q.status != "FINISHED" {
        out.insert(
            "QueryStatistics".into(),
            json!({"ResultsCount": 0, "TotalResultsCount": 0, "BytesScanned": 0}),
        );
        return Ok(Value::Object(out));
    }
    let total = usize::try_from(q.stats.results).unwrap_or(usize::MAX);
    if offset > total {
        return Err(ApiError::bad_request(
            "InvalidNextTokenException",
            "The NextToken is past the end of the results.",
        ));
    }
    let rows = query::fetch_rows(app, &q.id, offset, size).await?;
    let count = rows.len();
    out.insert(
        "QueryStatistics".into(),
        json!({"ResultsCount": count, "TotalResultsCount": total, "BytesScanned": q.stats.bytes_scanned}),
    );
    out.insert(
        "QueryResultRows".into(),
        Value::Array(rows.into_iter().map(|r| encode_row(&q.columns, r)).collect()),
    );
    if offset + count < total {
        out.insert(
            "NextToken".into(),
            super::common::page_token(&format!("results-{}", q.id), offset + count).into(),
        );
    }
    Ok(Value::Object(out))
}

/// ListQueries: the queries of the past 7 days that read the given event data store, newest first.
pub(crate) async fn list(app: &Arc<App>, caller: &Caller, p: &Params) -> Result<Value, ApiError> {
    let store = p.req_str("EventDataStore")?;
    let size = page_size(p, "MaxResults", MAX_LIST_RESULTS)?;
    let offset = parse_page_token("queries", p.opt_str("NextToken")?)?;
    let start = p.opt_epoch_ms("StartTime")?;
    let end = p.opt_epoch_ms("EndTime")?;
    if let (Some(s), Some(e)) = (start, end)
        && s > e
    {
        return Err(ApiError::bad_request(
            "InvalidDateRangeException",
            "StartTime must not be later than EndTime.",
        ));
    }
    let status = p.opt_str("QueryStatus")?;
    if let Some(s) = status
        && !STATUSES.contains(&s)
    {
        return Err(ApiError::bad_request(
            "InvalidQueryStatusException",
            format!("QueryStatus must be one of {}; got '{s}'.", STATUSES.join(", ")),
        ));
    }
    let cutoff = now_ms() - QUERY_HISTORY_DAYS * 86_400_000;
    let mut items: Vec<(i64, String, Value)> = {
        let state = app.state();
        let id = find_active_store(&state.catalog, caller, store)?.id.clone();
        state
            .catalog
            .queries
            .values()
            .filter(|q| q.account == caller.account && q.region == caller.region && q.tables.contains(&id))
            .filter(|q| q.created_ms >= cutoff)
            .filter(|q| start.is_none_or(|s| q.created_ms >= s) && end.is_none_or(|e| q.created_ms <= e))
            .filter(|q| status.is_none_or(|s| q.status == s))
            .map(|q| {
                (
                    q.created_ms,
                    q.id.clone(),
                    json!({"QueryId": q.id, "QueryStatus": q.status, "CreationTime": epoch(q.created_ms)}),
                )
            })
            .collect()
    };
    items.sort_by(|a, b| (b.0, &b.1).cmp(&(a.0, &a.1)));
    let (page, next) = paginate(items.into_iter().map(|i| i.2).collect(), "queries", offset, size);
    let mut out = json!({ "Queries": page });
    if let Some(next) = next {
        out["NextToken"] = next.into();
    }
    Ok(out)
}

/// CancelQuery.
pub(crate) async fn cancel(app: &Arc<App>, caller: &Caller, p: &Params) -> Result<Value, ApiError> {
    let owner = check_owner(caller, p)?;
    let id = p.req_str("QueryId")?;
    if let Some(store) = p.opt_str("EventDataStore")? {
        find_active_store(&app.state().catalog, caller, store)?;
    }
    query::cancel(app, caller, id)?;
    let mut out = json!({"QueryId": id, "QueryStatus": "CANCELLED"});
    if let Some(owner) = owner {
        out["EventDataStoreOwnerAccountId"] = owner.into();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_lists_of_one_entry_maps_and_nulls_are_empty_maps() {
        let row = encode_row(&["eventID".into(), "n".into()], vec![Some("e-1".into()), None]);
        assert_eq!(row, json!([{"eventID": "e-1"}, {}]));
    }
}
