//! Channels: finding the channel of a source, reading and writing its resource policy.

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::types::DestinationType;
use serde::Serialize;

use crate::aws::{is_code, sdk_error};
use crate::exit::CliResult;

/// The source of custom integrations (lake-api.md §3.4).
pub(crate) const CUSTOM_SOURCE: &str = "Custom";

/// What ctlake needs to know about a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ChannelInfo {
    /// The ARN.
    pub(crate) arn: String,
    /// The name.
    pub(crate) name: String,
    /// The source (`Custom` or a partner's).
    pub(crate) source: String,
    /// The event data stores it delivers to (ARNs).
    pub(crate) event_data_stores: Vec<String>,
}

/// Reads one channel (ARN or ID); `None` when it does not exist.
///
/// # Errors
/// 254 for other service errors.
pub(crate) async fn get(client: &Client, arn_or_id: &str) -> CliResult<Option<ChannelInfo>> {
    let out = match client.get_channel().channel(arn_or_id).send().await {
        Ok(out) => out,
        Err(e) if is_code(&e, "ChannelNotFoundException") => return Ok(None),
        Err(e) => return Err(sdk_error("GetChannel", e)),
    };
    Ok(Some(ChannelInfo {
        arn: out.channel_arn().unwrap_or_default().to_owned(),
        name: out.name().unwrap_or_default().to_owned(),
        source: out.source().unwrap_or_default().to_owned(),
        event_data_stores: out
            .destinations()
            .iter()
            .filter(|d| d.r#type() == &DestinationType::EventDataStore)
            .map(|d| d.location().to_owned())
            .collect(),
    }))
}

/// Every channel of the account in the Region, with details.
///
/// # Errors
/// 254 when a call fails.
pub(crate) async fn list(client: &Client) -> CliResult<Vec<ChannelInfo>> {
    let mut arns = Vec::new();
    let mut token = None;
    loop {
        let out = client
            .list_channels()
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| sdk_error("ListChannels", e))?;
        arns.extend(
            out.channels()
                .iter()
                .filter_map(|c| c.channel_arn().map(str::to_owned)),
        );
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let mut channels = Vec::with_capacity(arns.len());
    for arn in arns {
        if let Some(channel) = get(client, &arn).await? {
            channels.push(channel);
        }
    }
    Ok(channels)
}

/// The channel policy document, `None` when the channel has none.
///
/// # Errors
/// 254 for other service errors.
pub(crate) async fn policy(client: &Client, channel_arn: &str) -> CliResult<Option<String>> {
    match client
        .get_resource_policy()
        .resource_arn(channel_arn)
        .send()
        .await
    {
        Ok(out) => Ok(out.resource_policy().map(str::to_owned)),
        Err(e) if is_code(&e, "ResourcePolicyNotFoundException") => Ok(None),
        Err(e) => Err(sdk_error("GetResourcePolicy", e)),
    }
}
