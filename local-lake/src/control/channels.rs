//! Create/Get/List/Update/DeleteChannel (lake-api.md §3.3, §3.4).

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::common::{
    check_name, find_active_store, find_channel, page_size, paginate, parse_page_token, parse_tags, tags_json,
};
use super::event_data_stores::ACTIVITY_AUDIT_LOG;
use crate::app::App;
use crate::arn;
use crate::auth::Caller;
use crate::limits::{MAX_CHANNELS, MAX_DESTINATIONS, MAX_LIST_RESULTS, MAX_LOCATION_CHARS};
use crate::protocol::ApiError;
use crate::protocol::aws_json::{Params, epoch};
use crate::store::schema::KIND_CHANNEL;
use crate::store::writer::{delete as delete_row, save_channel};
use crate::store::{Catalog, Channel, Destination, IngestionStatus};
use crate::timefmt::now_ms;

/// `Source` of a custom integration.
const CUSTOM: &str = "Custom";

/// The partner `Source` values of [UG-INTEG] (lake-api.md §3.4). Each may have one channel per account
/// and Region ("a maximum of one channel is allowed per source", [BC-CT] CreateChannel). `Custom` is exempt:
/// the 25-channel quota only makes sense if custom integrations can have several channels.
pub(crate) const PARTNER_SOURCES: [&str; 15] = [
    "CloudStorageSecurityConsole",
    "Clumio",
    "CrowdStrike",
    "CyberArk",
    "GitHub",
    "KongGatewayEnterprise",
    "LaunchDarkly",
    "NetskopeCloudExchange",
    "IBMMulticloud",
    "MontyCloud",
    "OktaSystemLogEvents",
    "OneLogin",
    "Shoreline",
    "Snyk",
    "WizAuditLogs",
];

fn parse_destinations(
    catalog: &Catalog,
    caller: &Caller,
    items: &[Value],
) -> Result<Vec<Destination>, ApiError> {
    if items.is_empty() || items.len() > MAX_DESTINATIONS {
        return Err(ApiError::invalid_parameter(format!(
            "Destinations must have 1 to {MAX_DESTINATIONS} items; it has {}.",
            items.len()
        )));
    }
    let mut out: Vec<Destination> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = |why: String| ApiError::invalid_parameter(format!("Destinations[{i}]: {why}."));
        let kind = item
            .get("Type")
            .and_then(Value::as_str)
            .ok_or_else(|| at("Type is required".into()))?;
        let location = item
            .get("Location")
            .and_then(Value::as_str)
            .ok_or_else(|| at("Location is required".into()))?;
        match kind {
            "EVENT_DATA_STORE" => {}
            "AWS_SERVICE" => {
                return Err(at(
                    "Type AWS_SERVICE is for service-linked channels; a channel for events from outside AWS uses EVENT_DATA_STORE"
                        .into(),
                ));
            }
            other => {
                return Err(at(format!(
                    "Type must be EVENT_DATA_STORE or AWS_SERVICE, not '{other}'"
                )));
            }
        }
        if !(3..=MAX_LOCATION_CHARS).contains(&location.chars().count()) {
            return Err(at(format!(
                "Location must have 3 to {MAX_LOCATION_CHARS} characters"
            )));
        }
        let store = find_active_store(catalog, caller, location)?;
        if store.category != ACTIVITY_AUDIT_LOG {
            return Err(ApiError::bad_request(
                "InvalidEventDataStoreCategoryException",
                format!(
                    "The event data store {} collects {} events; a channel needs one whose selectors choose eventCategory = ActivityAuditLog.",
                    store.id, store.category
                ),
            ));
        }
        if out.iter().any(|d| d.eds_id == store.id) {
            return Err(at(format!("the event data store {} is listed twice", store.id)));
        }
        out.push(Destination {
            kind: kind.to_owned(),
            location: location.to_owned(),
            eds_id: store.id.clone(),
        });
    }
    Ok(out)
}

fn destinations_json(destinations: &[Destination]) -> Value {
    Value::Array(
        destinations
            .iter()
            .map(|d| json!({"Type": d.kind, "Location": d.location}))
            .collect(),
    )
}

fn name_taken(catalog: &Catalog, caller: &Caller, name: &str, except: Option<&str>) -> Result<(), ApiError> {
    if catalog
        .channels_in(&caller.account, &caller.region)
        .iter()
        .any(|c| c.name == name && Some(c.id.as_str()) != except)
    {
        return Err(ApiError::bad_request(
            "ChannelAlreadyExistsException",
            format!("A channel named {name} already exists."),
        ));
    }
    Ok(())
}

fn ingestion_json(s: &IngestionStatus) -> Value {
    let mut m = Map::new();
    if let Some(t) = s.success_time_ms {
        m.insert("LatestIngestionSuccessTime".into(), epoch(t));
    }
    if let Some(id) = &s.success_event_id {
        m.insert("LatestIngestionSuccessEventID".into(), id.clone().into());
    }
    if let Some(code) = &s.error_code {
        m.insert("LatestIngestionErrorCode".into(), code.clone().into());
    }
    if let Some(t) = s.attempt_time_ms {
        m.insert("LatestIngestionAttemptTime".into(), epoch(t));
    }
    if let Some(id) = &s.attempt_event_id {
        m.insert("LatestIngestionAttemptEventID".into(), id.clone().into());
    }
    Value::Object(m)
}

/// CreateChannel.
pub(crate) async fn create(app: &Arc<App>, caller: &Caller, p: &Params) -> Result<Value, ApiError> {
    let name = p.req_str("Name")?;
    check_name("Name", name)?;
    let source = p.req_str("Source")?;
    if source != CUSTOM && !PARTNER_SOURCES.contains(&source) {
        return Err(ApiError::bad_request(
            "InvalidSourceException",
            format!(
                "'{source}' is not a channel source: use Custom or a partner source ({}).",
                PARTNER_SOURCES.join(", ")
            ),
        ));
    }
    let items = p
        .opt_list("Destinations")?
        .ok_or_else(|| ApiError::invalid_parameter("Destinations is required."))?;
    let tags = parse_tags(p, "Tags", "TagsLimitExceededException")?;
    let (response, pending) = {
        let mut state = app.state();
        let catalog = &state.catalog;
        name_taken(catalog, caller, name, None)?;
        let existing = catalog.channels_in(&caller.account, &caller.region);
        if source != CUSTOM
            && let Some(other) = existing.iter().find(|c| c.source == source)
        {
            return Err(ApiError::bad_request(
                "ChannelAlreadyExistsException",
                format!(
                    "The channel {} already uses source {source}; only one channel is allowed per source.",
                    other.name
                ),
            ));
        }
        if existing.len() >= MAX_CHANNELS {
            return Err(ApiError::bad_request(
                "ChannelMaxLimitExceededException",
                format!(
                    "This account already has {MAX_CHANNELS} channels in {}.",
                    caller.region
                ),
            ));
        }
        let destinations = parse_destinations(catalog, caller, items)?;
        let channel = Channel {
            id: uuid::Uuid::new_v4().to_string(),
            account: caller.account.clone(),
            region: caller.region.clone(),
            name: name.to_owned(),
            source: source.to_owned(),
            destinations,
            tags,
            policy: None,
            created_ms: now_ms(),
            ingestion: IngestionStatus::default(),
        };
        let mut response = json!({
            "ChannelArn": arn::channel(&channel.region, &channel.account, &channel.id),
            "Name": channel.name,
            "Source": channel.source,
            "Destinations": destinations_json(&channel.destinations),
        });
        if !channel.tags.is_empty() {
            response["Tags"] = tags_json(&channel.tags);
        }
        let pending = app.store.submit(Vec::new(), Some(save_channel(&channel)));
        state.catalog.channels.insert(channel.id.clone(), channel);
        (response, pending)
    };
    pending.wait().await?;
    Ok(response)
}

/// GetChannel.
pub(crate) async fn get(app: &Arc<App>, caller: &Caller, p: &Params) -> Result<Value, ApiError> {
    let target = p.req_str("Channel")?;
    let state = app.state();
    let c = find_channel(&state.catalog, caller, target)?;
    Ok(json!({
        "ChannelArn": arn::channel(&c.region, &c.account, &c.id),
        "Name": c.name,
        "Source": c.source,
        "Destinations": destinations_json(&c.destinations),
        "IngestionStatus": ingestion_json(&c.ingestion),
    }))
}

/// ListChannels.
pub(crate) async fn list(app: &Arc<App>, caller: &Caller, p: &Params) -> Result<Value, ApiError> {
    let size = page_size(p, "MaxResults", MAX_LIST_RESULTS)?;
    let offset = parse_page_token("channels", p.opt_str("NextToken")?)?;
    let items: Vec<Value> = {
        let state = app.state();
        state
            .catalog
            .channels_in(&caller.account, &caller.region)
            .into_iter()
            .map(|c| json!({"ChannelArn": arn::channel(&c.region, &c.account, &c.id), "Name": c.name}))
            .collect()
    };
    let (page, next) = paginate(items, "channels", offset, size);
    let mut out = json!({ "Channels": page });
    if let Some(next) = next {
        out["NextToken"] = next.into();
    }
    Ok(out)
}

/// UpdateChannel (`Name` and/or `Destinations`; `Source` cannot change).
pub(crate) async fn update(app: &Arc<App>, caller: &Caller, p: &Params) -> Result<Value, ApiError> {
    let target = p.req_str("Channel")?;
    let name = p.opt_str("Name")?;
    if let Some(name) = name {
        check_name("Name", name)?;
    }
    let items = p.opt_list("Destinations")?;
    let (response, pending) = {
        let mut state = app.state();
        let catalog = &state.catalog;
        let mut channel = find_channel(catalog, caller, target)?.clone();
        if let Some(name) = name {
            name_taken(catalog, caller, name, Some(&channel.id))?;
            channel.name = name.to_owned();
        }
        if let Some(items) = items {
            channel.destinations = parse_destinations(catalog, caller, items)?;
        }
        let response = json!({
            "ChannelArn": arn::channel(&channel.region, &channel.account, &channel.id),
            "Name": channel.name,
            "Source": channel.source,
            "Destinations": destinations_json(&channel.destinations),
        });
        let pending = app.store.submit(Vec::new(), Some(save_channel(&channel)));
        state.catalog.channels.insert(channel.id.clone(), channel);
        (response, pending)
    };
    pending.wait().await?;
    Ok(response)
}

/// DeleteChannel (its resource policy goes with it; stored events stay in their event data stores).
pub(crate) async fn delete(app: &Arc<App>, caller: &Caller, p: &Params) -> Result<Value, ApiError> {
    let target = p.req_str("Channel")?;
    let pending = {
        let mut state = app.state();
        let id = find_channel(&state.catalog, caller, target)?.id.clone();
        state.catalog.channels.remove(&id);
        state.policies.remove(&id);
        app.store.submit(Vec::new(), Some(delete_row(KIND_CHANNEL, &id)))
    };
    pending.wait().await?;
    Ok(json!({}))
}
