//! How a destination authenticates: the sink's default credentials, static keys, an assumed role (with its
//! own external ID), or any credentials provider.

use std::fmt;

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;

/// The credentials a destination's `PutAuditEvents` calls are signed with.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum DestinationCredentials {
    /// The sink's own credentials (for [`LakeSink`](crate::LakeSink): the AWS default chain — environment,
    /// profile, container or instance role — it was created from).
    #[default]
    Default,
    /// Fixed keys.
    Static(Credentials),
    /// Assume a role, starting from the sink's own credentials (the vendor's identity). This is the usual
    /// setup when the customer's channel policy trusts a role in the customer's account.
    AssumeRole(AssumeRole),
    /// Any credentials provider. `name` identifies it: destinations with the same name share credentials
    /// (and one service stack), so give different providers different names.
    Provider {
        /// Identifies the provider in [`DestinationKey`](super::DestinationKey)s and logs.
        name: String,
        /// The provider.
        provider: SharedCredentialsProvider,
    },
}

impl DestinationCredentials {
    /// A stable identity of these credentials, for the destination key (never the secret).
    pub(crate) fn identity(&self) -> String {
        match self {
            Self::Default => "default".to_owned(),
            Self::Static(c) => format!("static:{}", c.access_key_id()),
            Self::AssumeRole(r) => format!(
                "role:{}|{}|{}",
                r.role_arn,
                r.external_id.as_deref().unwrap_or(""),
                r.session_name.as_deref().unwrap_or("")
            ),
            Self::Provider { name, .. } => format!("provider:{name}"),
        }
    }

    /// The AWS account the calls are made from, when the credentials say it (an assumed role's ARN). `None`
    /// means "the publisher's own identity".
    pub(crate) fn caller_account(&self) -> Option<&str> {
        match self {
            Self::AssumeRole(r) => r.account_id(),
            Self::Default | Self::Static(_) | Self::Provider { .. } => None,
        }
    }
}

impl fmt::Debug for DestinationCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Default => f.write_str("Default"),
            // `Credentials`' own Debug redacts the secret.
            Self::Static(c) => f.debug_tuple("Static").field(c).finish(),
            Self::AssumeRole(r) => f.debug_tuple("AssumeRole").field(r).finish(),
            Self::Provider { name, .. } => f
                .debug_struct("Provider")
                .field("name", name)
                .finish_non_exhaustive(),
        }
    }
}

/// An IAM role to assume for a destination, with the external ID the role's trust policy requires (this is
/// the STS `ExternalId`, distinct from the channel's `externalId` query parameter, though vendors often use
/// the same value for both).
///
/// The [`LakeSink`](crate::LakeSink) assumes it with aws-config's `AssumeRoleProvider`, which caches and
/// refreshes the temporary credentials.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AssumeRole {
    pub(crate) role_arn: String,
    pub(crate) external_id: Option<String>,
    pub(crate) session_name: Option<String>,
}

impl AssumeRole {
    /// Assume `role_arn` (e.g. `arn:aws:iam::210987654321:role/VendorAudit`).
    pub fn new(role_arn: impl Into<String>) -> Self {
        Self {
            role_arn: role_arn.into(),
            external_id: None,
            session_name: None,
        }
    }

    /// The STS external ID the role's trust policy requires.
    pub fn external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(external_id.into());
        self
    }

    /// The role session name (default: `ctlake-publisher`).
    pub fn session_name(mut self, session_name: impl Into<String>) -> Self {
        self.session_name = Some(session_name.into());
        self
    }

    /// The role's ARN.
    pub fn role_arn(&self) -> &str {
        &self.role_arn
    }

    /// The STS external ID, if set.
    pub fn external_id_value(&self) -> Option<&str> {
        self.external_id.as_deref()
    }

    /// The session name, if set.
    pub fn session_name_value(&self) -> Option<&str> {
        self.session_name.as_deref()
    }

    /// The account in the role ARN (`arn:<partition>:iam::<account>:role/<name>`), if it has the usual form.
    pub(crate) fn account_id(&self) -> Option<&str> {
        let mut parts = self.role_arn.split(':');
        let account = parts.nth(4)?;
        (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_never_contain_secrets_and_roles_name_their_account() {
        let stat = DestinationCredentials::Static(Credentials::new("AKID", "SECRET", None, None, "test"));
        assert_eq!(stat.identity(), "static:AKID");
        assert!(!format!("{stat:?}").contains("SECRET"));
        let role = AssumeRole::new("arn:aws:iam::210987654321:role/VendorAudit").external_id("x-1");
        assert_eq!(role.account_id(), Some("210987654321"));
        let creds = DestinationCredentials::AssumeRole(role);
        assert_eq!(creds.caller_account(), Some("210987654321"));
        assert_eq!(
            creds.identity(),
            "role:arn:aws:iam::210987654321:role/VendorAudit|x-1|"
        );
        assert_eq!(AssumeRole::new("not-an-arn").account_id(), None);
        assert_eq!(DestinationCredentials::Default.caller_account(), None);
    }
}
