//! [`EventData`]: the `eventData` payload of one ActivityAuditLog event.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::builder::EventDataBuilder;
use super::error::BuildError;
use super::ids::{AccountId, EventName, EventSource};
use super::json;
use super::time::EventTime;
use super::user_identity::UserIdentity;

/// The `eventData` of a CloudTrail Lake activity event (schema ActivityAuditLog): every field the caller
/// supplies, with the schema's JSON names (`UID`, `userIdentity`, `sourceIPAddress`, …).
///
/// Make one with [`EventData::builder`]. A value always satisfies every rule that can be checked on the
/// value alone: required fields present, string lengths, the `sourceIPAddress` form, and the newtypes'
/// rules. The size caps of the JSON-object fields are measured on their serialized bytes, so they are checked
/// by [`EventData::validate`] and while serializing by [`AuditEvent::validated`](crate::AuditEvent::validated),
/// not by `build()` (serializing once is what keeps the SDK fast).
///
/// Serialization ([`EventData::to_json`], or serde) is compact and deterministic: the fields in schema order,
/// optional fields omitted when unset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "EventDataRepr")]
pub struct EventData {
    pub(crate) version: String,
    #[serde(rename = "userIdentity")]
    pub(crate) user_identity: UserIdentity,
    #[serde(rename = "userAgent", skip_serializing_if = "Option::is_none")]
    pub(crate) user_agent: Option<String>,
    #[serde(rename = "eventSource")]
    pub(crate) event_source: EventSource,
    #[serde(rename = "eventName")]
    pub(crate) event_name: EventName,
    #[serde(rename = "eventTime")]
    pub(crate) event_time: EventTime,
    #[serde(rename = "UID")]
    pub(crate) uid: String,
    #[serde(rename = "requestParameters", skip_serializing_if = "Option::is_none")]
    pub(crate) request_parameters: Option<Map<String, Value>>,
    #[serde(rename = "responseElements", skip_serializing_if = "Option::is_none")]
    pub(crate) response_elements: Option<Map<String, Value>>,
    #[serde(rename = "errorCode", skip_serializing_if = "Option::is_none")]
    pub(crate) error_code: Option<String>,
    #[serde(rename = "errorMessage", skip_serializing_if = "Option::is_none")]
    pub(crate) error_message: Option<String>,
    #[serde(rename = "sourceIPAddress", skip_serializing_if = "Option::is_none")]
    pub(crate) source_ip_address: Option<String>,
    #[serde(rename = "recipientAccountId")]
    pub(crate) recipient_account_id: AccountId,
    #[serde(rename = "additionalEventData", skip_serializing_if = "Option::is_none")]
    pub(crate) additional_event_data: Option<Map<String, Value>>,
}

impl EventData {
    /// A builder. See [`EventDataBuilder::build`] for the required fields.
    pub fn builder() -> EventDataBuilder {
        EventDataBuilder::default()
    }

    /// A builder holding this event's values, to change some of them.
    pub fn into_builder(self) -> EventDataBuilder {
        EventDataBuilder::from_event(self)
    }

    /// `version`: the event's version at its source (not CloudTrail's `eventVersion`).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// `userIdentity`: who made the request.
    pub fn user_identity(&self) -> &UserIdentity {
        &self.user_identity
    }

    /// `userAgent`: the agent the request was made with.
    pub fn user_agent(&self) -> Option<&str> {
        self.user_agent.as_deref()
    }

    /// `eventSource`: the partner source or custom application.
    pub fn event_source(&self) -> &EventSource {
        &self.event_source
    }

    /// `eventName`: the action requested.
    pub fn event_name(&self) -> &EventName {
        &self.event_name
    }

    /// `eventTime`: when the event happened, in UTC.
    pub fn event_time(&self) -> EventTime {
        self.event_time
    }

    /// `UID`: the source application's identifier of the request.
    pub fn uid(&self) -> &str {
        &self.uid
    }

    /// `requestParameters`: the request's parameters, as a JSON object.
    pub fn request_parameters(&self) -> Option<&Map<String, Value>> {
        self.request_parameters.as_ref()
    }

    /// `responseElements`: the response, as a JSON object.
    pub fn response_elements(&self) -> Option<&Map<String, Value>> {
        self.response_elements.as_ref()
    }

    /// `errorCode`: the error, when the request failed.
    pub fn error_code(&self) -> Option<&str> {
        self.error_code.as_deref()
    }

    /// `errorMessage`: the error's description.
    pub fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }

    /// `sourceIPAddress`: the IPv4 or IPv6 address the request came from, as given.
    pub fn source_ip_address(&self) -> Option<&str> {
        self.source_ip_address.as_deref()
    }

    /// `recipientAccountId`: the account that owns the channel the event is sent to.
    pub fn recipient_account_id(&self) -> &AccountId {
        &self.recipient_account_id
    }

    /// `additionalEventData`: further data about the event, as a JSON object.
    pub fn additional_event_data(&self) -> Option<&Map<String, Value>> {
        self.additional_event_data.as_ref()
    }

    /// The `eventData` string: compact JSON, fields in schema order, unset optional fields omitted.
    ///
    /// Deterministic: equal values give equal strings. Parsing the result back (`serde_json::from_str`)
    /// gives an equal `EventData`. The result equals `serde_json::to_string(self)`.
    pub fn to_json(&self) -> String {
        json::to_json(self).0
    }
}

/// The wire form, checked into an [`EventData`] on deserialization (through the builder).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventDataRepr {
    version: Option<String>,
    #[serde(rename = "userIdentity")]
    user_identity: Option<UserIdentity>,
    #[serde(rename = "userAgent")]
    user_agent: Option<String>,
    #[serde(rename = "eventSource")]
    event_source: Option<String>,
    #[serde(rename = "eventName")]
    event_name: Option<String>,
    #[serde(rename = "eventTime")]
    event_time: Option<String>,
    #[serde(rename = "UID")]
    uid: Option<String>,
    #[serde(rename = "requestParameters")]
    request_parameters: Option<Map<String, Value>>,
    #[serde(rename = "responseElements")]
    response_elements: Option<Map<String, Value>>,
    #[serde(rename = "errorCode")]
    error_code: Option<String>,
    #[serde(rename = "errorMessage")]
    error_message: Option<String>,
    #[serde(rename = "sourceIPAddress")]
    source_ip_address: Option<String>,
    #[serde(rename = "recipientAccountId")]
    recipient_account_id: Option<String>,
    #[serde(rename = "additionalEventData")]
    additional_event_data: Option<Map<String, Value>>,
}

impl TryFrom<EventDataRepr> for EventData {
    type Error = BuildError;

    fn try_from(r: EventDataRepr) -> Result<Self, Self::Error> {
        EventData::builder()
            .set_version(r.version)
            .set_user_identity(r.user_identity)
            .set_user_agent(r.user_agent)
            .set_event_source(r.event_source)
            .set_event_name(r.event_name)
            .set_event_time_text(r.event_time)
            .set_uid(r.uid)
            .set_request_parameters(r.request_parameters)
            .set_response_elements(r.response_elements)
            .set_error_code(r.error_code)
            .set_error_message(r.error_message)
            .set_source_ip_address(r.source_ip_address)
            .set_recipient_account_id(r.recipient_account_id)
            .set_additional_event_data(r.additional_event_data)
            .build()
    }
}
