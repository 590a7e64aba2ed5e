//! Who made a change: `userIdentity` → user type, human user name, ARN (`change-detection.md` §2).

use serde_json::{Map, Value};

/// The normalized actor of a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `userIdentity.type`, or `AWSService` (no type, `invokedBy` present) / `None` (no type at all).
    pub user_type: String,
    /// The human-meaningful name (§2 table), when one can be derived.
    pub user_name: Option<String>,
    /// `arn` → `sessionContext.sessionIssuer.arn` → synthesized from the account (root, IAM user).
    pub user_arn: Option<String>,
    /// `userIdentity.accountId`.
    pub account: Option<String>,
    /// `userIdentity.principalId`.
    pub principal_id: Option<String>,
    /// `userIdentity.invokedBy`: the AWS service that made the call on the actor's behalf.
    pub invoked_by: Option<String>,
}

impl Actor {
    /// The actor's stable id for Lake's `userIdentity.principalId`: the ARN, else the principal id, the invoking
    /// service, the account, the user name, or `unknown`.
    pub fn id(&self) -> &str {
        self.user_arn
            .as_deref()
            .or(self.principal_id.as_deref())
            .or(self.invoked_by.as_deref())
            .or(self.account.as_deref())
            .or(self.user_name.as_deref())
            .unwrap_or("unknown")
    }
}

/// Derives the actor from a record's `userIdentity` (and, for IAM Identity Center sign-ins, the record's
/// `additionalEventData.UserName`).
pub fn actor(record: &Map<String, Value>) -> Actor {
    let empty = Map::new();
    let identity = record
        .get("userIdentity")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let s = |key: &str| non_empty(identity.get(key));
    let issuer = identity
        .get("sessionContext")
        .and_then(|c| c.get("sessionIssuer"))
        .and_then(Value::as_object);
    let issuer_s = |key: &str| issuer.and_then(|i| non_empty(i.get(key)));
    let source_identity = identity
        .get("sessionContext")
        .and_then(|c| c.get("sourceIdentity"))
        .and_then(|v| non_empty(Some(v)));

    let identity_type = s("type");
    let invoked_by = s("invokedBy");
    let account = s("accountId");
    let principal_id = s("principalId");
    let arn = s("arn");
    let user_name_field = s("userName");
    let arn_tail = arn
        .and_then(|a| a.rsplit(['/', ':']).next())
        .filter(|t| !t.is_empty());

    let user_type = match (identity_type, invoked_by) {
        (Some(t), _) => t.to_owned(),
        (None, Some(_)) => "AWSService".to_owned(),
        (None, None) => "None".to_owned(),
    };

    let user_name = source_identity.or_else(|| match identity_type {
        Some("Root") => user_name_field.or(Some("root")),
        Some("IAMUser") | Some("Directory") => user_name_field.or(arn_tail),
        Some("AssumedRole") => {
            let session = principal_id
                .and_then(|p| p.split_once(':').map(|(_, s)| s))
                .or(arn_tail)
                .filter(|s| !s.is_empty());
            let sso = issuer_s("arn").is_some_and(|a| a.contains("/aws-reserved/sso.amazonaws.com/"));
            match session {
                Some(session) if session.contains('@') || sso => Some(session),
                _ => issuer_s("userName").or_else(|| arn.and_then(role_of_assumed_role_arn)),
            }
        }
        Some("Role") => issuer_s("userName").or(arn_tail),
        Some("FederatedUser") => principal_id
            .and_then(|p| p.split_once(':').map(|(_, n)| n))
            .filter(|n| !n.is_empty())
            .or_else(|| arn.and_then(|a| a.split_once("federated-user/").map(|(_, n)| n))),
        Some("SAMLUser") | Some("WebIdentityUser") => user_name_field.or(principal_id),
        Some("IdentityCenterUser") => identity
            .get("onBehalfOf")
            .and_then(|o| non_empty(o.get("userId")))
            .or_else(|| {
                record
                    .get("additionalEventData")
                    .and_then(|a| non_empty(a.get("UserName")))
            }),
        Some("AWSService") => invoked_by,
        Some("AWSAccount") => account.or(principal_id),
        None => invoked_by.or(account),
        // `Unknown` and future types.
        Some(_) => user_name_field.or(arn_tail).or(principal_id).or(account),
    });

    let user_arn = arn.or_else(|| issuer_s("arn")).map(str::to_owned).or_else(|| {
        let account = account?;
        match identity_type {
            Some("Root") => Some(format!("arn:{}:iam::{account}:root", partition(record))),
            Some("IAMUser") => {
                user_name_field.map(|n| format!("arn:{}:iam::{account}:user/{n}", partition(record)))
            }
            _ => None,
        }
    });

    Actor {
        user_type,
        user_name: user_name.map(str::to_owned),
        user_arn,
        account: account.map(str::to_owned),
        principal_id: principal_id.map(str::to_owned),
        invoked_by: invoked_by.map(str::to_owned),
    }
}

/// `arn:aws:sts::1:assumed-role/<role>/<session>` → `<role>`.
fn role_of_assumed_role_arn(arn: &str) -> Option<&str> {
    arn.split_once(":assumed-role/")
        .and_then(|(_, rest)| rest.split('/').next())
        .filter(|r| !r.is_empty())
}

/// The partition of the record's region (`aws`, `aws-cn`, `aws-us-gov`).
pub(crate) fn partition(record: &Map<String, Value>) -> &'static str {
    partition_of_region(record.get("awsRegion").and_then(Value::as_str).unwrap_or(""))
}

/// The partition of a region name.
pub(crate) fn partition_of_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

fn non_empty(value: Option<&Value>) -> Option<&str> {
    value.and_then(Value::as_str).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn of(identity: Value) -> Actor {
        actor(
            json!({"userIdentity": identity, "awsRegion": "us-east-1"})
                .as_object()
                .unwrap(),
        )
    }

    #[test]
    fn root() {
        let a = of(json!({"type": "Root", "principalId": "123456789012", "accountId": "123456789012"}));
        assert_eq!(a.user_type, "Root");
        assert_eq!(a.user_name.as_deref(), Some("root"));
        assert_eq!(a.user_arn.as_deref(), Some("arn:aws:iam::123456789012:root"));
        let alias = of(json!({"type": "Root", "userName": "my-alias", "arn": "arn:aws:iam::1:root"}));
        assert_eq!(alias.user_name.as_deref(), Some("my-alias"));
        assert_eq!(alias.id(), "arn:aws:iam::1:root");
    }

    #[test]
    fn iam_user() {
        let a = of(
            json!({"type": "IAMUser", "principalId": "AIDA", "arn": "arn:aws:iam::1:user/bert-jan",
                          "accountId": "1", "userName": "bert-jan"}),
        );
        assert_eq!(
            (a.user_name.as_deref(), a.user_arn.as_deref()),
            (Some("bert-jan"), Some("arn:aws:iam::1:user/bert-jan"))
        );
        let no_name = of(json!({"type": "IAMUser", "arn": "arn:aws:iam::1:user/path/alice"}));
        assert_eq!(no_name.user_name.as_deref(), Some("alice"));
        let synthesized = of(json!({"type": "IAMUser", "accountId": "1", "userName": "bob"}));
        assert_eq!(synthesized.user_arn.as_deref(), Some("arn:aws:iam::1:user/bob"));
    }

    #[test]
    fn assumed_role_sessions() {
        let machine = of(
            json!({"type": "AssumedRole", "principalId": "AROA:aws-go-sdk-1688990565286187801",
            "arn": "arn:aws:sts::1:assumed-role/data-role/aws-go-sdk-1688990565286187801",
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::1:role/data-role", "userName": "data-role"}}}),
        );
        assert_eq!(machine.user_name.as_deref(), Some("data-role"));
        assert_eq!(
            machine.user_arn.as_deref(),
            Some("arn:aws:sts::1:assumed-role/data-role/aws-go-sdk-1688990565286187801")
        );
        let human = of(
            json!({"type": "AssumedRole", "principalId": "AROA:alice@example.com",
            "arn": "arn:aws:sts::1:assumed-role/Admin/alice@example.com",
            "sessionContext": {"sessionIssuer": {"userName": "Admin"}}}),
        );
        assert_eq!(human.user_name.as_deref(), Some("alice@example.com"));
        let sso = of(json!({"type": "AssumedRole", "principalId": "AROA:alice",
            "arn": "arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_abc/alice",
            "sessionContext": {"sessionIssuer": {"userName": "AWSReservedSSO_Admin_abc",
                "arn": "arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_abc"}}}));
        assert_eq!(sso.user_name.as_deref(), Some("alice"));
        let no_issuer = of(json!({"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/ops/i-0abc"}));
        assert_eq!(no_issuer.user_name.as_deref(), Some("ops"));
        let source = of(json!({"type": "AssumedRole", "principalId": "AROA:x",
            "sessionContext": {"sourceIdentity": "carol", "sessionIssuer": {"userName": "r"}}}));
        assert_eq!(source.user_name.as_deref(), Some("carol"));
    }

    #[test]
    fn role_federated_saml_web_identity() {
        let role = of(json!({"type": "Role", "arn": "arn:aws:iam::1:role/r",
            "sessionContext": {"sessionIssuer": {"userName": "r-name"}}}));
        assert_eq!(role.user_name.as_deref(), Some("r-name"));
        let fed = of(
            json!({"type": "FederatedUser", "principalId": "742491224508:stratus_red_team",
            "arn": "arn:aws:sts::742491224508:federated-user/stratus_red_team",
            "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::742491224508:user/issuer", "userName": "issuer"}}}),
        );
        assert_eq!(fed.user_name.as_deref(), Some("stratus_red_team"));
        let fed_arn_only = of(json!({"type": "FederatedUser", "arn": "arn:aws:sts::1:federated-user/bob"}));
        assert_eq!(fed_arn_only.user_name.as_deref(), Some("bob"));
        let saml = of(
            json!({"type": "SAMLUser", "principalId": "Q+abc:alice", "userName": "alice",
            "identityProvider": "Q+abc"}),
        );
        assert_eq!(saml.user_name.as_deref(), Some("alice"));
        assert_eq!(saml.user_arn, None);
        assert_eq!(saml.id(), "Q+abc:alice");
        let web = of(json!({"type": "WebIdentityUser", "principalId": "oidc:sub",
            "userName": "system:serviceaccount:ns:sa", "identityProvider": "arn:aws:iam::1:oidc-provider/x"}));
        assert_eq!(web.user_name.as_deref(), Some("system:serviceaccount:ns:sa"));
    }

    #[test]
    fn identity_center_services_accounts_and_no_type() {
        let ic = of(json!({"type": "IdentityCenterUser", "accountId": "1",
            "onBehalfOf": {"userId": "uuid-1", "identityStoreArn": "arn:aws:identitystore::1:identitystore/d-1"},
            "credentialId": "secret-ish"}));
        assert_eq!(ic.user_name.as_deref(), Some("uuid-1"));
        let ic_sign_in = actor(
            json!({"userIdentity": {"type": "IdentityCenterUser"},
            "additionalEventData": {"UserName": "dave"}})
            .as_object()
            .unwrap(),
        );
        assert_eq!(ic_sign_in.user_name.as_deref(), Some("dave"));
        let service = of(json!({"type": "AWSService", "invokedBy": "inspector2.amazonaws.com"}));
        assert_eq!(
            (service.user_type.as_str(), service.user_name.as_deref()),
            ("AWSService", Some("inspector2.amazonaws.com"))
        );
        assert_eq!(service.id(), "inspector2.amazonaws.com");
        let other_account = of(json!({"type": "AWSAccount", "principalId": "AIDA", "accountId": "999"}));
        assert_eq!(other_account.user_name.as_deref(), Some("999"));
        let no_type = of(json!({"accountId": "123837392027", "invokedBy": "secretsmanager.amazonaws.com"}));
        assert_eq!(
            (no_type.user_type.as_str(), no_type.user_name.as_deref()),
            ("AWSService", Some("secretsmanager.amazonaws.com"))
        );
        let nothing = of(json!({"accountId": "1"}));
        assert_eq!(
            (nothing.user_type.as_str(), nothing.user_name.as_deref()),
            ("None", Some("1"))
        );
        let missing = actor(json!({}).as_object().unwrap());
        assert_eq!(
            (
                missing.user_type.as_str(),
                missing.user_name.as_deref(),
                missing.id()
            ),
            ("None", None, "unknown")
        );
    }

    #[test]
    fn unknown_and_directory() {
        let anon = of(json!({"type": "Unknown", "principalId": "Anonymous"}));
        assert_eq!(anon.user_name.as_deref(), Some("Anonymous"));
        let dir = of(json!({"type": "Directory", "arn": "arn:aws:x::1:user/d-1/bob"}));
        assert_eq!(dir.user_name.as_deref(), Some("bob"));
        let future = of(json!({"type": "SomethingNew", "userName": "eve"}));
        assert_eq!(
            (future.user_type.as_str(), future.user_name.as_deref()),
            ("SomethingNew", Some("eve"))
        );
    }

    #[test]
    fn partitions() {
        assert_eq!(partition_of_region("cn-north-1"), "aws-cn");
        assert_eq!(partition_of_region("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_of_region("eu-west-2r"), "aws");
        let a = actor(
            json!({"awsRegion": "cn-north-1", "userIdentity": {"type": "Root", "accountId": "1"}})
                .as_object()
                .unwrap(),
        );
        assert_eq!(a.user_arn.as_deref(), Some("arn:aws-cn:iam::1:root"));
    }
}
