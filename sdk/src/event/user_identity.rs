//! [`UserIdentity`]: `eventData.userIdentity`, who made the request.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error::BuildError;
use crate::validate::{Violation, Violations, limits, rules};

/// JSON path of `userIdentity.type`.
pub(crate) const PATH_TYPE: &str = "eventData.userIdentity.type";
/// JSON path of `userIdentity.principalId`.
pub(crate) const PATH_PRINCIPAL_ID: &str = "eventData.userIdentity.principalId";

/// `eventData.userIdentity`: who made the request.
///
/// Always valid: `type` has 1–128 characters, `principalId` 1–1024
/// ([`MAX_USER_IDENTITY_TYPE_CHARS`](limits::MAX_USER_IDENTITY_TYPE_CHARS),
/// [`MAX_PRINCIPAL_ID_CHARS`](limits::MAX_PRINCIPAL_ID_CHARS)); both are checked by
/// [`UserIdentityBuilder::build`] and by deserialization.
///
/// ```
/// use ctlake::UserIdentity;
/// let who = UserIdentity::builder().r#type("CustomUser").principal_id("alice").build()?;
/// assert_eq!(who.principal_id(), "alice");
/// # Ok::<(), ctlake::BuildError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "UserIdentityRepr")]
pub struct UserIdentity {
    #[serde(rename = "type")]
    r#type: String,
    #[serde(rename = "principalId")]
    principal_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<Map<String, Value>>,
}

impl UserIdentity {
    /// A builder; `type` and `principalId` are required.
    pub fn builder() -> UserIdentityBuilder {
        UserIdentityBuilder::default()
    }

    /// `type`: the kind of identity, free-form (AWS examples use `CustomUserIdentity`, `USER`).
    pub fn r#type(&self) -> &str {
        &self.r#type
    }

    /// `principalId`: the unique id of the actor.
    pub fn principal_id(&self) -> &str {
        &self.principal_id
    }

    /// `details`: any further identity data, as a JSON object.
    pub fn details(&self) -> Option<&Map<String, Value>> {
        self.details.as_ref()
    }

    /// A builder holding this identity's values, to change some of them.
    pub fn into_builder(self) -> UserIdentityBuilder {
        UserIdentityBuilder {
            r#type: Some(self.r#type),
            principal_id: Some(self.principal_id),
            details: self.details,
        }
    }
}

/// Builds a [`UserIdentity`] (AWS SDK builder style).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserIdentityBuilder {
    r#type: Option<String>,
    principal_id: Option<String>,
    details: Option<Map<String, Value>>,
}

impl UserIdentityBuilder {
    /// Sets `type` (required, 1–128 characters).
    pub fn r#type(mut self, value: impl Into<String>) -> Self {
        self.r#type = Some(value.into());
        self
    }

    /// Sets or clears `type`.
    pub fn set_type(mut self, value: Option<String>) -> Self {
        self.r#type = value;
        self
    }

    /// Sets `principalId` (required, 1–1024 characters).
    pub fn principal_id(mut self, value: impl Into<String>) -> Self {
        self.principal_id = Some(value.into());
        self
    }

    /// Sets or clears `principalId`.
    pub fn set_principal_id(mut self, value: Option<String>) -> Self {
        self.principal_id = value;
        self
    }

    /// Sets `details` (optional JSON object).
    pub fn details(mut self, value: impl Into<Map<String, Value>>) -> Self {
        self.details = Some(value.into());
        self
    }

    /// Adds one entry to `details`.
    pub fn detail(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.details
            .get_or_insert_with(Map::new)
            .insert(key.into(), value.into());
        self
    }

    /// Sets or clears `details`.
    pub fn set_details(mut self, value: Option<Map<String, Value>>) -> Self {
        self.details = value;
        self
    }

    /// Builds the identity.
    ///
    /// Required: `type` and `principalId`.
    ///
    /// # Errors
    ///
    /// [`BuildError::Invalid`] listing every problem: a required field missing or empty, `type` over 128
    /// characters, `principalId` over 1024.
    pub fn build(self) -> Result<UserIdentity, BuildError> {
        let mut violations = Vec::new();
        let r#type = required(
            &mut violations,
            PATH_TYPE,
            self.r#type,
            limits::MAX_USER_IDENTITY_TYPE_CHARS,
        );
        let principal_id = required(
            &mut violations,
            PATH_PRINCIPAL_ID,
            self.principal_id,
            limits::MAX_PRINCIPAL_ID_CHARS,
        );
        match (r#type, principal_id) {
            (Some(r#type), Some(principal_id)) if violations.is_empty() => Ok(UserIdentity {
                r#type,
                principal_id,
                details: self.details,
            }),
            _ => Err(BuildError::Invalid(Violations::new(violations))),
        }
    }
}

/// Checks a required string field, recording a violation when it is missing or breaks its length rule.
pub(crate) fn required(
    violations: &mut Vec<Violation>,
    path: &'static str,
    value: Option<String>,
    max_chars: usize,
) -> Option<String> {
    match value {
        None => {
            violations.push(Violation::new(path, crate::validate::Rule::Required));
            None
        }
        Some(v) => match rules::required_chars(&v, max_chars) {
            Ok(()) => Some(v),
            Err(rule) => {
                violations.push(Violation::new(path, rule));
                None
            }
        },
    }
}

/// The wire form, checked into a [`UserIdentity`] on deserialization.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserIdentityRepr {
    #[serde(rename = "type")]
    r#type: Option<String>,
    #[serde(rename = "principalId")]
    principal_id: Option<String>,
    details: Option<Map<String, Value>>,
}

impl TryFrom<UserIdentityRepr> for UserIdentity {
    type Error = BuildError;

    fn try_from(r: UserIdentityRepr) -> Result<Self, Self::Error> {
        UserIdentityBuilder {
            r#type: r.r#type,
            principal_id: r.principal_id,
            details: r.details,
        }
        .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Rule;

    #[test]
    fn builds_with_required_fields() {
        let who = UserIdentity::builder()
            .r#type("USER")
            .principal_id("u-1")
            .detail("email", "a@b.c")
            .build()
            .unwrap();
        assert_eq!(who.r#type(), "USER");
        assert_eq!(who.details().unwrap()["email"], "a@b.c");
        assert_eq!(
            serde_json::to_string(&who).unwrap(),
            r#"{"type":"USER","principalId":"u-1","details":{"email":"a@b.c"}}"#
        );
        assert_eq!(who.clone().into_builder().build().unwrap(), who);
    }

    #[test]
    fn reports_every_missing_or_invalid_field() {
        let err = UserIdentity::builder().build().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid event: eventData.userIdentity.type: required field is missing; \
             eventData.userIdentity.principalId: required field is missing"
        );
        let err = UserIdentity::builder()
            .r#type("t".repeat(129))
            .principal_id("")
            .build()
            .unwrap_err();
        assert_eq!(
            err.violations().as_slice(),
            &[
                Violation::new(
                    PATH_TYPE,
                    Rule::TooLong {
                        max: 128,
                        actual: 129
                    }
                ),
                Violation::new(PATH_PRINCIPAL_ID, Rule::Empty),
            ]
        );
        assert_eq!(
            err.to_string(),
            "invalid event: eventData.userIdentity.type: 129 characters, over the 128-character limit; \
             eventData.userIdentity.principalId: must not be empty"
        );
        let err = UserIdentity::builder()
            .r#type("t")
            .principal_id("p".repeat(1025))
            .build()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid event: eventData.userIdentity.principalId: 1025 characters, over the 1024-character limit"
        );
    }

    #[test]
    fn deserialization_checks_the_same_rules() {
        let ok: UserIdentity = serde_json::from_str(r#"{"type":"USER","principalId":"p"}"#).unwrap();
        assert_eq!(ok.details(), None);
        let err = serde_json::from_str::<UserIdentity>(r#"{"type":"USER"}"#).unwrap_err();
        assert!(
            err.to_string().contains("principalId: required field is missing"),
            "{err}"
        );
        assert!(serde_json::from_str::<UserIdentity>(r#"{"type":"USER","principalId":"p","x":1}"#).is_err());
    }
}
