//! Put/Get/DeleteResourcePolicy for channels (lake-api.md §3.3, §3.5).

use std::sync::Arc;

use serde_json::{Value, json};

use crate::app::App;
use crate::arn::{self, Arn, Kind};
use crate::auth::Caller;
use crate::limits::MAX_ARN_CHARS;
use crate::policy::ChannelPolicy;
use crate::protocol::ApiError;
use crate::protocol::aws_json::Params;
use crate::store::writer::save_channel;

/// Resolves `ResourceArn` to a channel id of the caller.
fn channel_id(app: &App, caller: &Caller, p: &Params) -> Result<(String, String), ApiError> {
    let text = p.req_str("ResourceArn")?;
    let invalid = || {
        ApiError::bad_request(
            "ResourceARNNotValidException",
            format!(
                "'{text}' is not a valid CloudTrail resource ARN (arn:aws:cloudtrail:<region>:<account>:channel/<id>)."
            ),
        )
    };
    if !(3..=MAX_ARN_CHARS).contains(&text.chars().count()) {
        return Err(invalid());
    }
    let parsed = Arn::parse(text).ok_or_else(invalid)?;
    if parsed.kind != Kind::Channel {
        return Err(ApiError::bad_request(
            "ResourceTypeNotSupportedException",
            "The local Lake supports resource policies on channels only.",
        ));
    }
    let not_found = || {
        ApiError::bad_request(
            "ResourceNotFoundException",
            format!("The channel {text} does not exist."),
        )
    };
    if parsed.account != caller.account || parsed.region != caller.region {
        return Err(not_found());
    }
    let state = app.state();
    let channel = state
        .catalog
        .channel(&caller.account, &caller.region, &parsed.id)
        .ok_or_else(not_found)?;
    Ok((channel.id.clone(), text.to_owned()))
}

fn no_policy(arn: &str) -> ApiError {
    ApiError::not_found(
        "ResourcePolicyNotFoundException",
        format!("The channel {arn} has no resource policy."),
    )
}

/// PutResourcePolicy: validates and replaces the channel's policy.
pub(crate) async fn put(app: &Arc<App>, caller: &Caller, p: &Params) -> Result<Value, ApiError> {
    let (id, given_arn) = channel_id(app, caller, p)?;
    let document = p.req_str("ResourcePolicy")?;
    let canonical = arn::channel(&caller.region, &caller.account, &id);
    let policy = ChannelPolicy::parse(document, &canonical)
        .map_err(|why| ApiError::bad_request("ResourcePolicyNotValidException", why))?;
    let pending = {
        let mut state = app.state();
        let Some(channel) = state.catalog.channels.get_mut(&id) else {
            return Err(ApiError::bad_request(
                "ResourceNotFoundException",
                format!("The channel {given_arn} does not exist."),
            ));
        };
        channel.policy = Some(document.to_owned());
        let pending = app.store.submit(Vec::new(), Some(save_channel(channel)));
        state.policies.insert(id, Arc::new(policy));
        pending
    };
    pending.wait().await?;
    Ok(json!({"ResourceArn": given_arn, "ResourcePolicy": document}))
}

/// GetResourcePolicy.
pub(crate) async fn get(app: &Arc<App>, caller: &Caller, p: &Params) -> Result<Value, ApiError> {
    let (id, given_arn) = channel_id(app, caller, p)?;
    let state = app.state();
    let policy = state
        .catalog
        .channels
        .get(&id)
        .and_then(|c| c.policy.clone())
        .ok_or_else(|| no_policy(&given_arn))?;
    Ok(json!({"ResourceArn": given_arn, "ResourcePolicy": policy}))
}

/// DeleteResourcePolicy.
pub(crate) async fn delete(app: &Arc<App>, caller: &Caller, p: &Params) -> Result<Value, ApiError> {
    let (id, given_arn) = channel_id(app, caller, p)?;
    let pending = {
        let mut state = app.state();
        let Some(channel) = state.catalog.channels.get_mut(&id).filter(|c| c.policy.is_some()) else {
            return Err(no_policy(&given_arn));
        };
        channel.policy = None;
        let pending = app.store.submit(Vec::new(), Some(save_channel(channel)));
        state.policies.remove(&id);
        pending
    };
    pending.wait().await?;
    Ok(json!({}))
}
