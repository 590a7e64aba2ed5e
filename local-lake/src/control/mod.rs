//! The CloudTrail control plane (awsJson1_1): one file per resource kind, one dispatch point.

mod channels;
mod common;
mod event_data_stores;
mod queries;
mod resource_policies;

use std::sync::Arc;

use serde_json::Value;

use crate::app::App;
use crate::auth::Caller;
use crate::protocol::ApiError;
use crate::protocol::aws_json::Params;

pub(crate) use common::inactive_store;

/// Runs one control-plane operation for a verified caller.
pub(crate) async fn dispatch(
    app: &Arc<App>,
    caller: &Caller,
    operation: &str,
    params: Params,
) -> Result<Value, ApiError> {
    let p = &params;
    match operation {
        "CreateEventDataStore" => event_data_stores::create(app, caller, p).await,
        "GetEventDataStore" => event_data_stores::get(app, caller, p).await,
        "ListEventDataStores" => event_data_stores::list(app, caller, p).await,
        "UpdateEventDataStore" => event_data_stores::update(app, caller, p).await,
        "DeleteEventDataStore" => event_data_stores::delete(app, caller, p).await,
        "CreateChannel" => channels::create(app, caller, p).await,
        "GetChannel" => channels::get(app, caller, p).await,
        "ListChannels" => channels::list(app, caller, p).await,
        "UpdateChannel" => channels::update(app, caller, p).await,
        "DeleteChannel" => channels::delete(app, caller, p).await,
        "PutResourcePolicy" => resource_policies::put(app, caller, p).await,
        "GetResourcePolicy" => resource_policies::get(app, caller, p).await,
        "DeleteResourcePolicy" => resource_policies::delete(app, caller, p).await,
        "StartQuery" => queries::start(app, caller, p).await,
        "DescribeQuery" => queries::describe(app, caller, p).await,
        "GetQueryResults" => queries::results(app, caller, p).await,
        "ListQueries" => queries::list(app, caller, p).await,
        "CancelQuery" => queries::cancel(app, caller, p).await,
        other => Err(ApiError::bad_request(
            "UnknownOperationException",
            format!("The local Lake does not implement CloudTrail operation '{other}'."),
        )),
    }
}
