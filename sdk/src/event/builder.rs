//! [`EventDataBuilder`]: builds an [`EventData`] in the AWS SDK's builder style.

use serde_json::{Map, Value};

use super::data::EventData;
use super::error::BuildError;
use super::ids::{AccountId, EventName, EventSource};
use super::time::{EventTime, EventTimeError};
use super::user_identity::{UserIdentity, required};
use crate::validate::{Rule, Violation, Violations, limits, rules};

/// JSON paths of the `eventData` fields, used in violations.
pub(crate) mod path {
    pub(crate) const VERSION: &str = "eventData.version";
    pub(crate) const USER_IDENTITY: &str = "eventData.userIdentity";
    pub(crate) const USER_AGENT: &str = "eventData.userAgent";
    pub(crate) const EVENT_SOURCE: &str = "eventData.eventSource";
    pub(crate) const EVENT_NAME: &str = "eventData.eventName";
    pub(crate) const EVENT_TIME: &str = "eventData.eventTime";
    pub(crate) const UID: &str = "eventData.UID";
    pub(crate) const REQUEST_PARAMETERS: &str = "eventData.requestParameters";
    pub(crate) const RESPONSE_ELEMENTS: &str = "eventData.responseElements";
    pub(crate) const ERROR_CODE: &str = "eventData.errorCode";
    pub(crate) const ERROR_MESSAGE: &str = "eventData.errorMessage";
    pub(crate) const SOURCE_IP_ADDRESS: &str = "eventData.sourceIPAddress";
    pub(crate) const RECIPIENT_ACCOUNT_ID: &str = "eventData.recipientAccountId";
    pub(crate) const ADDITIONAL_EVENT_DATA: &str = "eventData.additionalEventData";
}

/// Builds an [`EventData`]: `x(value)` sets a field, `set_x(Option)` sets or clears it, [`build`](Self::build)
/// checks every rule that can be checked without serializing and reports all violations at once.
///
/// Constrained fields (`eventSource`, `eventName`, `recipientAccountId`) take anything that converts into a
/// `String` — including the newtypes [`EventSource`], [`EventName`], [`AccountId`] — and are checked by
/// `build()`.
///
/// ```
/// use ctlake::{EventData, EventTime, UserIdentity};
/// let event = EventData::builder()
///     .version("1.0")
///     .user_identity(UserIdentity::builder().r#type("CustomUser").principal_id("alice").build()?)
///     .event_source("app.example.com")
///     .event_name("Login")
///     .event_time(EventTime::parse("2024-01-01T00:00:00Z")?)
///     .uid("u-1")
///     .recipient_account_id("123456789012")
///     .request_parameter("remember", true)
///     .build()?;
/// assert_eq!(event.event_name().as_str(), "Login");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventDataBuilder {
    version: Option<String>,
    user_identity: Option<UserIdentity>,
    user_agent: Option<String>,
    event_source: Option<String>,
    event_name: Option<String>,
    event_time: Option<EventTime>,
    // A time given as text that did not parse (deserialization only), reported by `build()`.
    event_time_error: Option<EventTimeError>,
    uid: Option<String>,
    request_parameters: Option<Map<String, Value>>,
    response_elements: Option<Map<String, Value>>,
    error_code: Option<String>,
    error_message: Option<String>,
    source_ip_address: Option<String>,
    recipient_account_id: Option<String>,
    additional_event_data: Option<Map<String, Value>>,
}

macro_rules! string_setters {
    ($field:ident, $set:ident, $doc:literal) => {
        #[doc = concat!("Sets `", $doc, "`.")]
        pub fn $field(mut self, value: impl Into<String>) -> Self {
            self.$field = Some(value.into());
            self
        }

        #[doc = concat!("Sets or clears `", $doc, "`.")]
        pub fn $set(mut self, value: Option<String>) -> Self {
            self.$field = value;
            self
        }
    };
}

macro_rules! object_setters {
    ($field:ident, $set:ident, $entry:ident, $doc:literal) => {
        #[doc = concat!("Sets `", $doc, "` (a JSON object).")]
        pub fn $field(mut self, value: impl Into<Map<String, Value>>) -> Self {
            self.$field = Some(value.into());
            self
        }

        #[doc = concat!("Adds one entry to `", $doc, "`, creating the object if needed.")]
        pub fn $entry(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
            self.$field
                .get_or_insert_with(Map::new)
                .insert(key.into(), value.into());
            self
        }

        #[doc = concat!("Sets or clears `", $doc, "`.")]
        pub fn $set(mut self, value: Option<Map<String, Value>>) -> Self {
            self.$field = value;
            self
        }
    };
}

impl EventDataBuilder {
    pub(crate) fn from_event(e: EventData) -> Self {
        Self {
            version: Some(e.version),
            user_identity: Some(e.user_identity),
            user_agent: e.user_agent,
            event_source: Some(e.event_source.into_string()),
            event_name: Some(e.event_name.into_string()),
            event_time: Some(e.event_time),
            event_time_error: None,
            uid: Some(e.uid),
            request_parameters: e.request_parameters,
            response_elements: e.response_elements,
            error_code: e.error_code,
            error_message: e.error_message,
            source_ip_address: e.source_ip_address,
            recipient_account_id: Some(e.recipient_account_id.into_string()),
            additional_event_data: e.additional_event_data,
        }
    }

    string_setters!(version, set_version, "version (required, at most 256 characters)");

    /// Sets `userIdentity` (required).
    pub fn user_identity(mut self, value: impl Into<UserIdentity>) -> Self {
        self.user_identity = Some(value.into());
        self
    }

    /// Sets or clears `userIdentity`.
    pub fn set_user_identity(mut self, value: Option<UserIdentity>) -> Self {
        self.user_identity = value;
        self
    }

    string_setters!(
        user_agent,
        set_user_agent,
        "userAgent (optional, at most 1024 characters)"
    );
    string_setters!(
        event_source,
        set_event_source,
        "eventSource (required, 1–1024 characters)"
    );
    string_setters!(
        event_name,
        set_event_name,
        "eventName (required, 1–1024 characters)"
    );

    /// Sets `eventTime` (required). Takes an [`EventTime`], a [`std::time::SystemTime`] or a
    /// [`time::OffsetDateTime`] (converted to UTC, sub-seconds truncated).
    pub fn event_time(mut self, value: impl Into<EventTime>) -> Self {
        self.event_time = Some(value.into());
        self.event_time_error = None;
        self
    }

    /// Sets or clears `eventTime`.
    pub fn set_event_time(mut self, value: Option<EventTime>) -> Self {
        self.event_time = value;
        self.event_time_error = None;
        self
    }

    /// Sets `eventTime` from text; a text that is not `yyyy-MM-ddTHH:mm:ssZ` is reported by `build()`.
    pub(crate) fn set_event_time_text(mut self, value: Option<String>) -> Self {
        match value.as_deref().map(EventTime::parse) {
            None => self.event_time = None,
            Some(Ok(t)) => self.event_time = Some(t),
            Some(Err(e)) => {
                self.event_time = None;
                self.event_time_error = Some(e);
            }
        }
        self
    }

    string_setters!(uid, set_uid, "UID (required, 1–1024 characters)");
    object_setters!(
        request_parameters,
        set_request_parameters,
        request_parameter,
        "requestParameters (optional, at most 100 kB serialized)"
    );
    object_setters!(
        response_elements,
        set_response_elements,
        response_element,
        "responseElements (optional, at most 100 kB serialized)"
    );
    string_setters!(
        error_code,
        set_error_code,
        "errorCode (optional, at most 256 characters)"
    );
    string_setters!(
        error_message,
        set_error_message,
        "errorMessage (optional, at most 256 characters)"
    );
    string_setters!(
        source_ip_address,
        set_source_ip_address,
        "sourceIPAddress (optional, an IPv4 or IPv6 address; a `std::net::IpAddr` converts with `to_string()`)"
    );
    string_setters!(
        recipient_account_id,
        set_recipient_account_id,
        "recipientAccountId (required, the 12-digit account that owns the channel)"
    );
    object_setters!(
        additional_event_data,
        set_additional_event_data,
        additional_event_data_entry,
        "additionalEventData (optional, at most 28 kB serialized)"
    );

    /// Builds the event.
    ///
    /// Required: `version`, `userIdentity`, `eventSource`, `eventName`, `eventTime`, `UID`,
    /// `recipientAccountId`. Optional: `userAgent`, `requestParameters`, `responseElements`, `errorCode`,
    /// `errorMessage`, `sourceIPAddress`, `additionalEventData`.
    ///
    /// Checks every rule that does not need the serialized event: required fields present and non-empty, the
    /// character limits (version 256; eventSource, eventName, UID, userAgent 1024; errorCode, errorMessage
    /// 256), `sourceIPAddress` an IPv4 or IPv6 address, `recipientAccountId` 12 digits. The size caps of
    /// `requestParameters`, `responseElements` and `additionalEventData` are checked by
    /// [`EventData::validate`] and [`AuditEvent::validated`](crate::AuditEvent::validated).
    ///
    /// # Errors
    ///
    /// [`BuildError::Invalid`] with every violation, each naming its JSON path (e.g. `eventData.version`).
    pub fn build(self) -> Result<EventData, BuildError> {
        let mut v = Vec::new();
        let version = required(&mut v, path::VERSION, self.version, limits::MAX_VERSION_CHARS);
        if self.user_identity.is_none() {
            v.push(Violation::new(path::USER_IDENTITY, Rule::Required));
        }
        optional(&mut v, path::USER_AGENT, self.user_agent.as_deref(), |s| {
            rules::optional_chars(s, limits::MAX_USER_AGENT_CHARS)
        });
        let event_source = newtype::<EventSource>(&mut v, path::EVENT_SOURCE, self.event_source);
        let event_name = newtype::<EventName>(&mut v, path::EVENT_NAME, self.event_name);
        match (self.event_time, self.event_time_error) {
            (Some(_), _) => {}
            (None, Some(e)) => v.push(Violation::new(path::EVENT_TIME, Rule::InvalidTime(e))),
            (None, None) => v.push(Violation::new(path::EVENT_TIME, Rule::Required)),
        }
        let uid = required(&mut v, path::UID, self.uid, limits::MAX_UID_CHARS);
        optional(&mut v, path::ERROR_CODE, self.error_code.as_deref(), |s| {
            rules::optional_chars(s, limits::MAX_ERROR_CODE_CHARS)
        });
        optional(&mut v, path::ERROR_MESSAGE, self.error_message.as_deref(), |s| {
            rules::optional_chars(s, limits::MAX_ERROR_MESSAGE_CHARS)
        });
        optional(
            &mut v,
            path::SOURCE_IP_ADDRESS,
            self.source_ip_address.as_deref(),
            rules::ip_address,
        );
        let recipient_account_id =
            newtype::<AccountId>(&mut v, path::RECIPIENT_ACCOUNT_ID, self.recipient_account_id);

        match (
            version,
            self.user_identity,
            event_source,
            event_name,
            self.event_time,
            uid,
            recipient_account_id,
        ) {
            (
                Some(version),
                Some(user_identity),
                Some(event_source),
                Some(event_name),
                Some(event_time),
                Some(uid),
                Some(recipient_account_id),
            ) if v.is_empty() => Ok(EventData {
                version,
                user_identity,
                user_agent: self.user_agent,
                event_source,
                event_name,
                event_time,
                uid,
                request_parameters: self.request_parameters,
                response_elements: self.response_elements,
                error_code: self.error_code,
                error_message: self.error_message,
                source_ip_address: self.source_ip_address,
                recipient_account_id,
                additional_event_data: self.additional_event_data,
            }),
            _ => Err(BuildError::Invalid(Violations::new(v))),
        }
    }
}

fn optional(
    violations: &mut Vec<Violation>,
    path: &'static str,
    value: Option<&str>,
    check: impl FnOnce(&str) -> Result<(), Rule>,
) {
    if let Some(Err(rule)) = value.map(check) {
        violations.push(Violation::new(path, rule));
    }
}

fn newtype<T: TryFrom<String, Error = super::error::InvalidValue>>(
    violations: &mut Vec<Violation>,
    path: &'static str,
    value: Option<String>,
) -> Option<T> {
    match value.map(T::try_from) {
        None => {
            violations.push(Violation::new(path, Rule::Required));
            None
        }
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            violations.push(Violation::new(path, e.into_rule()));
            None
        }
    }
}
