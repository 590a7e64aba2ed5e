//! Constrained string values: [`EventSource`], [`EventName`], [`AuditEventId`], [`ExternalId`], [`AccountId`].
//!
//! Each is a newtype with a private field, checked when it is made (`TryFrom<String>`, `TryFrom<&str>`,
//! `FromStr`, and serde's `Deserialize`), so a value of the type is always valid.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

use super::error::InvalidValue;
use crate::validate::rules;

macro_rules! string_newtype {
    ($(#[$meta:meta])* $name:ident, $what:literal, $check:path) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
        #[serde(try_from = "String")]
        pub struct $name(String);

        impl $name {
            /// The value.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The value, by value.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidValue;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                match $check(&value) {
                    Ok(()) => Ok(Self(value)),
                    Err(rule) => Err(InvalidValue::new($what, rule)),
                }
            }
        }

        impl TryFrom<&str> for $name {
            type Error = InvalidValue;

            fn try_from(value: &str) -> Result<Self, Self::Error> {
                match $check(value) {
                    Ok(()) => Ok(Self(value.to_owned())),
                    Err(rule) => Err(InvalidValue::new($what, rule)),
                }
            }
        }

        impl FromStr for $name {
            type Err = InvalidValue;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::try_from(value)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }
    };
}

string_newtype!(
    /// `eventData.eventSource`: the partner source or custom application the event comes from, e.g.
    /// `app.example.com`. 1–1024 characters ([`MAX_EVENT_SOURCE_CHARS`](crate::validate::limits::MAX_EVENT_SOURCE_CHARS)).
    EventSource,
    "event source",
    rules::event_source
);

string_newtype!(
    /// `eventData.eventName`: the action requested, e.g. `Login`. 1–1024 characters
    /// ([`MAX_EVENT_NAME_CHARS`](crate::validate::limits::MAX_EVENT_NAME_CHARS)).
    EventName,
    "event name",
    rules::event_name
);

string_newtype!(
    /// `auditEvents[].id`: the caller's identifier of one entry in a `PutAuditEvents` request. 1–128 characters
    /// of `[-_A-Za-z0-9]` ([`MAX_AUDIT_EVENT_ID_CHARS`](crate::validate::limits::MAX_AUDIT_EVENT_ID_CHARS)).
    ///
    /// Ids must be unique within one request (`DuplicatedAuditEventId` otherwise). For idempotent re-sends,
    /// derive the id from the event's own stable identifier with [`AuditEventId::derive`].
    AuditEventId,
    "audit event id",
    rules::audit_event_id
);

string_newtype!(
    /// The `externalId` a channel's resource policy may require on every `PutAuditEvents` call: 2–1224
    /// characters of `[\w+=,.@:/-]` ([`MAX_EXTERNAL_ID_CHARS`](crate::validate::limits::MAX_EXTERNAL_ID_CHARS)).
    ExternalId,
    "external id",
    rules::external_id
);

string_newtype!(
    /// A 12-digit AWS account ID: `eventData.recipientAccountId`, and the owner in a channel ARN.
    AccountId,
    "account id",
    rules::account_id
);

/// The UUID v5 namespace of [`AuditEventId::derive`]: the v5 UUID of the URL
/// `https://github.com/ctlake/ctlake/audit-event-id` in the standard URL namespace.
///
/// Computed once (a SHA-1 of its own), not on every [`AuditEventId::derive`].
fn derive_namespace() -> &'static uuid::Uuid {
    static NAMESPACE: std::sync::LazyLock<uuid::Uuid> = std::sync::LazyLock::new(|| {
        uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_URL,
            b"https://github.com/ctlake/ctlake/audit-event-id",
        )
    });
    &NAMESPACE
}

impl AuditEventId {
    /// A stable id for an event whose source has its own identifier (a database key, a CloudTrail
    /// `eventID`, a `UID`, …): the lowercase hyphenated UUID v5 of `source_id` in a fixed ctlake namespace.
    ///
    /// The same `source_id` always gives the same id, on every machine and release, so a re-sent event
    /// carries the same `id`; different source ids give different ids (up to SHA-1 collisions). Every result
    /// is 36 characters of `[0-9a-f-]`, so any string — of any length or alphabet — maps to a valid id.
    ///
    /// ```
    /// use ctlake::AuditEventId;
    /// let a = AuditEventId::derive("orders/42:created");
    /// assert_eq!(a, AuditEventId::derive("orders/42:created"));
    /// assert_ne!(a, AuditEventId::derive("orders/42:deleted"));
    /// assert_eq!(a.as_str().len(), 36);
    /// ```
    pub fn derive(source_id: &str) -> Self {
        let uuid = uuid::Uuid::new_v5(derive_namespace(), source_id.as_bytes());
        Self(
            uuid.hyphenated()
                .encode_lower(&mut uuid::Uuid::encode_buffer())
                .to_owned(),
        )
    }

    /// A random id (UUID v4), for events with no stable identifier of their own.
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4().hyphenated().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Rule;

    #[test]
    fn newtypes_accept_valid_values() {
        assert_eq!(
            EventSource::try_from("app.example.com").unwrap().as_str(),
            "app.example.com"
        );
        assert_eq!(EventName::from_str("Login").unwrap().to_string(), "Login");
        assert_eq!(AuditEventId::try_from("evt_1-A".to_owned()).unwrap(), "evt_1-A");
        assert_eq!(ExternalId::try_from("tenant-42").unwrap().as_ref(), "tenant-42");
        assert_eq!(
            String::from(AccountId::try_from("123456789012").unwrap()),
            "123456789012"
        );
    }

    #[test]
    fn newtypes_reject_invalid_values_with_their_name() {
        assert_eq!(
            EventSource::try_from("").unwrap_err().to_string(),
            "invalid event source: must not be empty"
        );
        assert_eq!(
            EventName::try_from("x".repeat(1025)).unwrap_err().to_string(),
            "invalid event name: 1025 characters, over the 1024-character limit"
        );
        assert_eq!(
            AuditEventId::try_from("a b").unwrap_err().to_string(),
            "invalid audit event id: character 2 (' ') is not allowed; allowed: [-_A-Za-z0-9]"
        );
        assert_eq!(
            ExternalId::try_from("x").unwrap_err().to_string(),
            "invalid external id: 1 character, under the 2-character minimum"
        );
        let err = AccountId::try_from("12345").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid account id: must be an AWS account ID of exactly 12 digits"
        );
        assert_eq!(err.what(), "account id");
        assert!(matches!(err.rule(), Rule::Pattern { .. }));
    }

    #[test]
    fn serde_checks_on_the_way_in() {
        let id: AuditEventId = serde_json::from_str(r#""abc""#).unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), r#""abc""#);
        let err = serde_json::from_str::<AccountId>(r#""abc""#).unwrap_err();
        assert!(err.to_string().contains("exactly 12 digits"), "{err}");
    }

    #[test]
    fn derived_ids_are_stable_and_valid() {
        // Fixed values (computed independently with Python's uuid module): derived ids must never change.
        assert_eq!(
            derive_namespace().to_string(),
            "1d991670-a89a-5890-a1ad-f34fce644682"
        );
        assert_eq!(
            AuditEventId::derive("orders/42:created").as_str(),
            "3ff856d5-40a3-5a91-96f3-505f226bb5a6"
        );
        let weird = AuditEventId::derive("ünïcode / spaces & more:+");
        assert!(AuditEventId::try_from(weird.as_str()).is_ok());
        assert_ne!(AuditEventId::random(), AuditEventId::random());
    }
}
