//! The app's typed audit events and how each becomes an `eventData`.

use ctlake::{AccountId, BuildError, EventData, EventSource, EventTime, UserIdentity};
use serde::Deserialize;

/// Something a user did in a tenant, as the app's handlers record it.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind")]
pub enum AuditEvent {
    /// A project was created.
    ProjectCreated {
        /// Who.
        actor: String,
        /// The project's name.
        name: String,
    },
    /// A member was invited.
    MemberInvited {
        /// Who invited.
        actor: String,
        /// Who was invited.
        email: String,
        /// The role given.
        role: String,
    },
    /// A user logged in.
    UserLoggedIn {
        /// Who.
        actor: String,
    },
}

impl AuditEvent {
    /// The `eventName`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::ProjectCreated { .. } => "ProjectCreated",
            Self::MemberInvited { .. } => "MemberInvited",
            Self::UserLoggedIn { .. } => "UserLoggedIn",
        }
    }

    fn actor(&self) -> &str {
        match self {
            Self::ProjectCreated { actor, .. }
            | Self::MemberInvited { actor, .. }
            | Self::UserLoggedIn { actor } => actor,
        }
    }

    /// The `eventData` for tenant `tenant` whose channel belongs to `account`; `request_id` becomes the `UID`.
    ///
    /// # Errors
    ///
    /// [`BuildError`] when a value breaks a schema rule (e.g. an empty actor).
    pub fn to_event_data(
        &self,
        source: &EventSource,
        tenant: &str,
        account: &AccountId,
        request_id: &str,
        source_ip: Option<String>,
    ) -> Result<EventData, BuildError> {
        let mut b = EventData::builder()
            .version("1.0")
            .user_identity(
                UserIdentity::builder()
                    .r#type("TenantUser")
                    .principal_id(self.actor())
                    .build()?,
            )
            .event_source(source.as_str())
            .event_name(self.name())
            .event_time(EventTime::now())
            .uid(request_id)
            .set_source_ip_address(source_ip)
            .recipient_account_id(account.as_str())
            .request_parameter("tenant", tenant);
        b = match self {
            Self::ProjectCreated { name, .. } => b.request_parameter("projectName", name.as_str()),
            Self::MemberInvited { email, role, .. } => b
                .request_parameter("email", email.as_str())
                .request_parameter("role", role.as_str()),
            Self::UserLoggedIn { .. } => b,
        };
        b.build()
    }
}
