//! PutAuditEvents, in the order of lake-api.md §7 item 2: channel ARN → channel → permission and external
//! ID → 1–100 events and ≤ 1 MB (and the model's member constraints) → duplicate ids → per event.
//!
//! Model-constraint violations (event count, request size, `id` and `externalId` patterns, missing members)
//! are answered with AWS's generic `ValidationException` (400): the model declares the constraints but no
//! error for them, and `ValidationException` is what AWS services answer for model validation.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use serde::{Deserialize, Serialize};

use super::record::{RecordContext, build};
use super::validate::validate;
use crate::app::App;
use crate::arn::{self, Arn, Kind};
use crate::auth::Caller;
use crate::faults::EntryFault;
use crate::limits::{
    MAX_ERROR_MESSAGE_CHARS, MAX_EVENT_ID_CHARS, MAX_EVENTS_PER_REQUEST, MAX_EXTERNAL_ID_CHARS,
    MAX_REQUEST_BYTES, MIN_EXTERNAL_ID_CHARS,
};
use crate::protocol::ApiError;
use crate::protocol::rest_json::PutAuditEventsQuery;
use crate::store::writer::save_ingestion;
use crate::store::{EventRow, IngestionStatus};
use crate::timefmt::{iso_seconds, lake_timestamp, now_ms};

#[derive(Deserialize)]
struct RequestBody<'a> {
    #[serde(borrow, rename = "auditEvents", default)]
    audit_events: Option<Vec<AuditEventIn<'a>>>,
}

#[derive(Deserialize)]
struct AuditEventIn<'a> {
    #[serde(borrow, default)]
    id: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, rename = "eventData", default)]
    event_data: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, rename = "eventDataChecksum", default)]
    event_data_checksum: Option<std::borrow::Cow<'a, str>>,
}

/// The response: `successful` and `failed` entries (lake-api.md §7 item 2), serialized straight from these
/// structs (building a `serde_json::Value` per entry was 7 % of PutAuditEvents' CPU).
#[derive(Serialize)]
struct ResponseBody<'a> {
    successful: Vec<Accepted<'a>>,
    failed: Vec<Refused<'a>>,
}

#[derive(Serialize)]
struct Accepted<'a> {
    id: &'a str,
    #[serde(rename = "eventID", serialize_with = "shared_str")]
    event_id: Arc<str>,
}

/// Writes an `Arc<str>` as a JSON string (serde implements `Arc` only with its `rc` feature).
fn shared_str<S: serde::Serializer>(value: &Arc<str>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value)
}

#[derive(Serialize)]
struct Refused<'a> {
    id: &'a str,
    #[serde(rename = "errorCode")]
    error_code: &'static str,
    #[serde(rename = "errorMessage")]
    error_message: String,
}

/// A fresh `eventID`: a random (version 4) UUID from the thread's fast generator rather than the operating
/// system's (one `getrandom` call per stored event was 2.5 % of PutAuditEvents' CPU). Event ids must be
/// unique, not secret.
fn new_event_id() -> Arc<str> {
    let mut buffer = uuid::Uuid::encode_buffer();
    let id = uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes())
        .into_uuid()
        .hyphenated();
    Arc::from(&*id.encode_lower(&mut buffer))
}

fn validation(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("ValidationException", message)
}

fn invalid_arn(text: &str) -> ApiError {
    ApiError::bad_request(
        "InvalidChannelARN",
        format!("'{text}' is not a valid channel ARN (arn:aws:cloudtrail:<region>:<account>:channel/<id>)."),
    )
}

/// What PutAuditEvents needs of a channel, copied out of the catalog.
struct Target {
    id: String,
    owner: String,
    arn: String,
    destinations: Vec<String>,
}

/// Handles one PutAuditEvents request of a verified caller.
pub(crate) async fn handle(
    app: &Arc<App>,
    caller: &Caller,
    query: &PutAuditEventsQuery,
    body: &Bytes,
) -> Result<String, ApiError> {
    app.faults.check_put_quota(&caller.account)?;

    // 1. The channel ARN.
    let text = query.channel_arn.as_deref().unwrap_or_default();
    if text.is_empty() {
        return Err(ApiError::bad_request(
            "InvalidChannelARN",
            "The channelArn query parameter is required.",
        ));
    }
    let parsed = Arn::parse(text)
        .filter(|a| a.kind == Kind::Channel)
        .ok_or_else(|| invalid_arn(text))?;

    // 2. The channel, in the Region the request was sent to.
    let not_found =
        || ApiError::bad_request("ChannelNotFound", format!("The channel {text} does not exist."));
    let (target, policy) = {
        let state = app.state();
        let channel = (parsed.region == caller.region)
            .then(|| state.catalog.channel(&parsed.account, &parsed.region, &parsed.id))
            .flatten()
            .ok_or_else(not_found)?;
        let target = Target {
            id: channel.id.clone(),
            owner: channel.account.clone(),
            arn: arn::channel(&channel.region, &channel.account, &channel.id),
            destinations: channel.destinations.iter().map(|d| d.eds_id.clone()).collect(),
        };
        (target, state.policies.get(&channel.id).cloned())
    };

    let outcome = check_request(caller, query, body, &target, policy.as_deref());
    let events = match outcome {
        Ok(events) => events,
        Err(e) => {
            record_status(app, &target.id, IngestionUpdate::failed(e.code));
            return Err(e);
        }
    };
    ingest(app, caller, &target, &events).await
}

/// Steps 3–5: permission, size and count, member constraints, duplicate ids. Returns the parsed entries.
fn check_request<'b>(
    caller: &Caller,
    query: &PutAuditEventsQuery,
    body: &'b Bytes,
    target: &Target,
    policy: Option<&crate::policy::ChannelPolicy>,
) -> Result<Vec<AuditEventIn<'b>>, ApiError> {
    // 3. Permission: the owner always may; another account needs an Allow (with the external ID).
    let external_id = query.external_id.as_deref();
    if caller.account != target.owner && !policy.is_some_and(|p| p.allows(&caller.account, external_id)) {
        return Err(ApiError::bad_request(
            "ChannelInsufficientPermission",
            format!(
                "Account {} may not put events to channel {}: the channel's resource policy must name it as a principal{}.",
                caller.account,
                target.arn,
                if external_id.is_none() {
                    " (and the call may need the externalId the policy requires)"
                } else {
                    " with this externalId"
                }
            ),
        ));
    }
    if let Some(x) = external_id {
        let n = x.chars().count();
        if !(MIN_EXTERNAL_ID_CHARS..=MAX_EXTERNAL_ID_CHARS).contains(&n)
            || !x.chars().all(|c| c.is_alphanumeric() || "_+=,.@:/-".contains(c))
        {
            return Err(validation(format!(
                "1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must have \
                 {MIN_EXTERNAL_ID_CHARS} to {MAX_EXTERNAL_ID_CHARS} characters matching [\\w+=,.@:/-]*"
            )));
        }
    }

    // 4. Size, count and member constraints.
    if body.len() > MAX_REQUEST_BYTES {
        return Err(validation(format!(
            "The request body is {} bytes; PutAuditEvents accepts at most {MAX_REQUEST_BYTES} bytes (1 MB).",
            body.len()
        )));
    }
    let parsed: RequestBody<'b> = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(
            "SerializationException",
            format!("The request body is not valid: {e}."),
        )
    })?;
    let events = parsed.audit_events.unwrap_or_default();
    if events.is_empty() || events.len() > MAX_EVENTS_PER_REQUEST {
        return Err(validation(format!(
            "1 validation error detected: Value at 'auditEvents' failed to satisfy constraint: Member must have length \
             between 1 and {MAX_EVENTS_PER_REQUEST} (it has {}).",
            events.len()
        )));
    }
    for (i, e) in events.iter().enumerate() {
        let id =
            e.id.as_deref()
                .ok_or_else(|| validation(format!("auditEvents[{i}].id is required.")))?;
        if id.is_empty()
            || id.len() > MAX_EVENT_ID_CHARS
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(validation(format!(
                "auditEvents[{i}].id '{id}' must have 1 to {MAX_EVENT_ID_CHARS} characters matching ^[-_A-Za-z0-9]+$."
            )));
        }
        if e.event_data.is_none() {
            return Err(validation(format!("auditEvents[{i}].eventData is required.")));
        }
    }

    // 5. Duplicate ids reject the whole request.
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        let id = e.id.as_deref().unwrap_or_default();
        if let Some(first) = seen.insert(id, i) {
            return Err(ApiError::bad_request(
                "DuplicatedAuditEventId",
                format!("auditEvents[{first}] and auditEvents[{i}] have the same id '{id}'."),
            ));
        }
    }
    Ok(events)
}

/// Step 6 and storage: validates each event, stores the accepted ones in every destination, answers.
async fn ingest(
    app: &Arc<App>,
    caller: &Caller,
    target: &Target,
    events: &[AuditEventIn<'_>],
) -> Result<String, ApiError> {
    let now = now_ms();
    let ingestion_iso = iso_seconds(now);
    let ingestion_ts: Arc<str> = Arc::from(lake_timestamp(now));
    let ctx = RecordContext {
        region: &caller.region,
        recipient: &target.owner,
        channel_arn: &target.arn,
        ingestion_time: &ingestion_iso,
    };
    let mut successful = Vec::with_capacity(events.len());
    let mut failed = Vec::new();
    let mut rows = Vec::with_capacity(events.len() * target.destinations.len());
    let mut update = IngestionUpdate {
        attempt_ms: now,
        ..IngestionUpdate::default()
    };
    for e in events {
        let id = e.id.as_deref().unwrap_or_default();
        let data = e.event_data.as_deref().unwrap_or_default();
        let outcome = validate(data, e.event_data_checksum.as_deref(), &target.owner)
            .map_err(|err| (err.code, err.message));
        let outcome = outcome.and_then(|v| match app.faults.on_entry() {
            None => Ok(v),
            Some(EntryFault::Throttling) => Err((
                "Throttling",
                "The event was throttled (injected); send it again.".to_owned(),
            )),
            Some(EntryFault::InternalFailure) => Err((
                "InternalFailure",
                "The event could not be stored (injected); send it again.".to_owned(),
            )),
        });
        match outcome {
            Ok(valid) => {
                let event_id = new_event_id();
                let record: Arc<str> =
                    Arc::from(build(&ctx, &event_id, &iso_seconds(valid.event_time_ms), data));
                let event_time: Arc<str> = Arc::from(lake_timestamp(valid.event_time_ms));
                for eds in &target.destinations {
                    rows.push(EventRow {
                        eds_id: eds.clone(),
                        event_id: Arc::clone(&event_id),
                        event_time: Arc::clone(&event_time),
                        ingestion_time: Arc::clone(&ingestion_ts),
                        record: Arc::clone(&record),
                    });
                }
                successful.push(Accepted { id, event_id });
            }
            Err((code, message)) => {
                update.error_code = Some(code);
                let error_message: String = message.chars().take(MAX_ERROR_MESSAGE_CHARS).collect();
                failed.push(Refused {
                    id,
                    error_code: code,
                    error_message,
                });
            }
        }
    }
    update.success_event_id = successful.last().map(|a| a.event_id.to_string());
    let status_write = {
        let mut state = app.state();
        state.catalog.channels.get_mut(&target.id).map(|c| {
            update.apply(&mut c.ingestion);
            save_ingestion(&c.id, &c.ingestion)
        })
    };
    app.store.submit(rows, status_write).wait().await?;
    serde_json::to_string(&ResponseBody { successful, failed })
        .map_err(|e| ApiError::internal(format!("The response could not be written: {e}.")))
}

/// A change to a channel's `IngestionStatus`.
#[derive(Debug, Default)]
struct IngestionUpdate {
    attempt_ms: i64,
    success_event_id: Option<String>,
    error_code: Option<&'static str>,
}

impl IngestionUpdate {
    fn failed(code: &'static str) -> Self {
        Self {
            attempt_ms: now_ms(),
            success_event_id: None,
            error_code: Some(code),
        }
    }

    fn apply(&self, status: &mut IngestionStatus) {
        status.attempt_time_ms = Some(self.attempt_ms);
        if let Some(id) = &self.success_event_id {
            status.success_time_ms = Some(self.attempt_ms);
            status.success_event_id = Some(id.clone());
            status.attempt_event_id = Some(id.clone());
        }
        if let Some(code) = self.error_code {
            status.error_code = Some(code.to_owned());
        }
    }
}

/// Records a whole-request failure in the channel's ingestion status (not awaited).
fn record_status(app: &App, channel_id: &str, update: IngestionUpdate) {
    let mut state = app.state();
    if let Some(c) = state.catalog.channels.get_mut(channel_id) {
        update.apply(&mut c.ingestion);
        drop(
            app.store
                .submit(Vec::new(), Some(save_ingestion(&c.id, &c.ingestion))),
        );
    }
}
