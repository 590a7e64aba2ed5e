//! [`Envelope`]: the parts of an event that every event type shares.

use crate::{AccountId, EventDataBuilder, EventTime, UserIdentity};

/// The parts of an `eventData` that every event type has and a catalog does not describe: who made the
/// request, when, the source's request identifier, the channel owner, and optionally the client and the
/// error. A [`TypedEvent`](super::TypedEvent) adds `eventSource`, `eventName`, `version` and its own fields.
///
/// The required parts are arguments of [`Envelope::new`]; the optional ones are set with the `with_`
/// methods. Fields are public, so an envelope can also be written as a struct literal.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// `userIdentity`: who made the request.
    pub user_identity: UserIdentity,
    /// `eventTime`: when the event happened.
    pub event_time: EventTime,
    /// `UID`: the source application's identifier of the request (1–1024 characters); also the natural
    /// idempotency key.
    pub uid: String,
    /// `recipientAccountId`: the account that owns the channel the event is sent to.
    pub recipient_account_id: AccountId,
    /// `userAgent`: the agent the request was made with.
    pub user_agent: Option<String>,
    /// `sourceIPAddress`: the IPv4 or IPv6 address the request came from.
    pub source_ip_address: Option<String>,
    /// `errorCode`: the error, when the request failed.
    pub error_code: Option<String>,
    /// `errorMessage`: the error's description.
    pub error_message: Option<String>,
}

impl Envelope {
    /// An envelope with the required parts; the optional ones start unset.
    pub fn new(
        user_identity: UserIdentity,
        event_time: impl Into<EventTime>,
        uid: impl Into<String>,
        recipient_account_id: AccountId,
    ) -> Self {
        Self {
            user_identity,
            event_time: event_time.into(),
            uid: uid.into(),
            recipient_account_id,
            user_agent: None,
            source_ip_address: None,
            error_code: None,
            error_message: None,
        }
    }

    /// Sets `userAgent`.
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Sets `sourceIPAddress` (checked when the event is built).
    pub fn with_source_ip_address(mut self, address: impl Into<String>) -> Self {
        self.source_ip_address = Some(address.into());
        self
    }

    /// Sets `errorCode` and `errorMessage`, for an event that records a failure.
    pub fn with_error(mut self, code: impl Into<String>, message: impl Into<String>) -> Self {
        self.error_code = Some(code.into());
        self.error_message = Some(message.into());
        self
    }

    /// An [`EventData`](crate::EventData) builder holding the envelope's fields.
    pub fn into_builder(self) -> EventDataBuilder {
        crate::EventData::builder()
            .user_identity(self.user_identity)
            .event_time(self.event_time)
            .uid(self.uid)
            .recipient_account_id(self.recipient_account_id)
            .set_user_agent(self.user_agent)
            .set_source_ip_address(self.source_ip_address)
            .set_error_code(self.error_code)
            .set_error_message(self.error_message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> UserIdentity {
        UserIdentity::builder()
            .r#type("USER")
            .principal_id("jane@example.com")
            .build()
            .unwrap()
    }

    #[test]
    fn builder_holds_every_envelope_field() {
        let envelope = Envelope::new(
            identity(),
            EventTime::parse("2024-05-06T07:08:09Z").unwrap(),
            "uid-1",
            "123456789012".parse().unwrap(),
        )
        .with_user_agent("agent/1")
        .with_source_ip_address("192.0.2.1")
        .with_error("Failed", "it broke");
        let event = envelope
            .into_builder()
            .version("v1")
            .event_source("com.example.app")
            .event_name("thing.done")
            .build()
            .unwrap();
        assert_eq!(event.user_identity().principal_id(), "jane@example.com");
        assert_eq!(event.event_time().as_str(), "2024-05-06T07:08:09Z");
        assert_eq!(event.uid(), "uid-1");
        assert_eq!(event.recipient_account_id().as_str(), "123456789012");
        assert_eq!(event.user_agent(), Some("agent/1"));
        assert_eq!(event.source_ip_address(), Some("192.0.2.1"));
        assert_eq!(event.error_code(), Some("Failed"));
        assert_eq!(event.error_message(), Some("it broke"));
    }

    #[test]
    fn invalid_optional_part_is_reported_by_build() {
        let err = Envelope::new(
            identity(),
            EventTime::parse("2024-05-06T07:08:09Z").unwrap(),
            "uid-1",
            "123456789012".parse().unwrap(),
        )
        .with_source_ip_address("not-an-ip")
        .into_builder()
        .version("v1")
        .event_source("com.example.app")
        .event_name("thing.done")
        .build()
        .unwrap_err();
        assert!(
            err.violations().at("eventData.sourceIPAddress").is_some(),
            "{err}"
        );
    }
}
