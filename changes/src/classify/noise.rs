//! The built-in noise list (`change-detection.md` §1.4 step 5, §1.5): writes that do not change the environment.

use super::config::EventMatch;

/// `(entry name, event sources, event names)`; globs, empty names = every event of the source.
const BUILTIN_NOISE: &[(&str, &[&str], &[&str])] = &[
    // RDS Data API `ExecuteStatement` & co. are management writes that run SQL, not infrastructure changes.
    ("rds-data-api", &["rdsdata.amazonaws.com"], &[]),
    // SSM agent heartbeats from EC2 instance-role sessions (readOnly:false in the Invictus data).
    (
        "ssm-agent",
        &["ssm.amazonaws.com"],
        &[
            "UpdateInstanceInformation",
            "PutInventory",
            "PutComplianceItems",
            "UpdateInstanceAssociationStatus",
        ],
    ),
    // ECS agent state reports.
    (
        "ecs-agent",
        &["ecs.amazonaws.com"],
        &[
            "SubmitTaskStateChange",
            "SubmitContainerStateChange",
            "SubmitAttachmentStateChanges",
        ],
    ),
    // Credential issuance is not an environment change (GetFederationToken is readOnly:false).
    ("sts-credentials", &["sts.amazonaws.com"], &[]),
    // KMS data-key operations (already logged as reads; belt and braces).
    (
        "kms-crypto",
        &["kms.amazonaws.com"],
        &[
            "Encrypt",
            "Decrypt",
            "GenerateDataKey*",
            "ReEncrypt*",
            "GenerateRandom",
            "Sign",
            "Verify",
            "GenerateMac",
            "VerifyMac",
        ],
    ),
    // Sign-in and SSO credential flows.
    ("sign-in-flows", &["signin.amazonaws.com"], &[]),
    (
        "sso-credential-flows",
        &["sso.amazonaws.com", "sso-oidc.amazonaws.com"],
        &[
            "CreateToken",
            "Federate",
            "Authenticate",
            "GetRoleCredentials",
            "Logout",
            "RegisterClient",
            "StartDeviceAuthorization",
        ],
    ),
    // Lambda data-plane invocations (a write verb, but running code is not a change).
    (
        "lambda-invoke",
        &["lambda.amazonaws.com"],
        &["Invoke", "InvokeAsync", "InvokeWithResponseStream"],
    ),
];

/// The built-in noise entries.
pub fn builtin_noise() -> Vec<EventMatch> {
    BUILTIN_NOISE
        .iter()
        .map(|(name, sources, names)| EventMatch {
            name: Some((*name).to_owned()),
            event_source: sources.iter().map(|s| (*s).to_owned()).collect(),
            event_name: names.iter().map(|s| (*s).to_owned()).collect(),
        })
        .collect()
}
