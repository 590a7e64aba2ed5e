//! The 17 shipped filter patterns (`change-detection.md` §4) as named rules, grouped into rule sets.
//!
//! * `cloudwatch-alarms`: the 10 alarms of AWS's "CloudWatch Alarms for CloudTrail API Activity" CloudFormation
//!   template (`CloudWatch_Alarms_for_CloudTrail_API_Activity.json`, identical in Opsgenie's copy).
//! * `cis`: the CIS AWS Foundations Benchmark monitoring controls as Security Hub's CloudWatch.1–14 plus CIS v1.4
//!   4.15 (AWS Organizations changes): 15 rules, 8 of them shared with the template.
//! * `all`: every shipped rule.
//!
//! Rule names are stable identifiers: they are recorded with each change a rule matched.

use std::fmt;

use super::{FilterParseError, FilterPattern};

/// A shipped rule: a stable name, a title, its filter pattern (exact text of the source) and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinRule {
    /// Stable rule name (kebab-case), recorded with each change it matches.
    pub name: &'static str,
    /// What the rule detects, in words.
    pub title: &'static str,
    /// The CloudWatch Logs filter pattern, verbatim from the source.
    pub pattern: &'static str,
    /// The alarm / control the pattern comes from.
    pub source: &'static str,
}

/// Every shipped rule (`change-detection.md` §4.1 and §4.2).
pub const BUILTIN_RULES: &[BuiltinRule] = &[
    BuiltinRule {
        name: "security-group-changes",
        title: "Security group created, deleted or its rules changed",
        pattern: "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
        source: "CloudWatch alarms template CloudTrailSecurityGroupChanges; Security Hub CloudWatch.10 (CIS 3.10)",
    },
    BuiltinRule {
        name: "network-acl-changes",
        title: "Network ACL created, deleted or changed",
        pattern: "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
        source: "CloudWatch alarms template CloudTrailNetworkAclChanges; Security Hub CloudWatch.11 (CIS 3.11)",
    },
    BuiltinRule {
        name: "network-gateway-changes",
        title: "Customer or internet gateway created, deleted, attached or detached",
        pattern: "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
        source: "CloudWatch alarms template CloudTrailGatewayChanges; Security Hub CloudWatch.12 (CIS 3.12)",
    },
    BuiltinRule {
        name: "vpc-changes",
        title: "VPC, VPC peering or ClassicLink created, deleted or changed",
        pattern: "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }",
        source: "CloudWatch alarms template CloudTrailVpcChanges; Security Hub CloudWatch.14 (CIS 3.14)",
    },
    BuiltinRule {
        name: "ec2-instance-changes",
        title: "EC2 instance run, rebooted, started, stopped or terminated",
        pattern: "{ ($.eventName = RunInstances) || ($.eventName = RebootInstances) || ($.eventName = StartInstances) || ($.eventName = StopInstances) || ($.eventName = TerminateInstances) }",
        source: "CloudWatch alarms template CloudTrailEC2InstanceChanges",
    },
    BuiltinRule {
        name: "ec2-large-instance-changes",
        title: "EC2 4xlarge or 8xlarge instance run",
        pattern: "{ ($.eventName = RunInstances) && (($.requestParameters.instanceType = *.8xlarge) || ($.requestParameters.instanceType = *.4xlarge)) }",
        source: "CloudWatch alarms template CloudTrailEC2LargeInstanceChanges",
    },
    BuiltinRule {
        name: "cloudtrail-changes",
        title: "CloudTrail trail created, updated or deleted, or logging started or stopped",
        pattern: "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
        source: "CloudWatch alarms template CloudTrailChanges; Security Hub CloudWatch.5 (CIS 3.5)",
    },
    BuiltinRule {
        name: "console-sign-in-failures",
        title: "Failed console sign-in",
        pattern: "{ ($.eventName = ConsoleLogin) && ($.errorMessage = \"Failed authentication\") }",
        source: "CloudWatch alarms template CloudTrailConsoleSignInFailures; Security Hub CloudWatch.6 (CIS 3.6)",
    },
    BuiltinRule {
        name: "authorization-failures",
        title: "Unauthorized API call",
        pattern: "{ ($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\") }",
        source: "CloudWatch alarms template CloudTrailAuthorizationFailures; Security Hub CloudWatch.2 (CIS 3.1)",
    },
    BuiltinRule {
        name: "iam-policy-changes",
        title: "IAM policy created, deleted, changed, attached or detached",
        pattern: "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}",
        source: "CloudWatch alarms template CloudTrailIAMPolicyChanges; Security Hub CloudWatch.4 (CIS 3.4)",
    },
    BuiltinRule {
        name: "root-account-usage",
        title: "Root user activity",
        pattern: "{$.userIdentity.type=\"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !=\"AwsServiceEvent\"}",
        source: "Security Hub CloudWatch.1 (CIS 3.3)",
    },
    BuiltinRule {
        name: "console-sign-in-without-mfa",
        title: "Successful IAM user console sign-in without MFA",
        pattern: "{ ($.eventName = \"ConsoleLogin\") && ($.additionalEventData.MFAUsed != \"Yes\") && ($.userIdentity.type = \"IAMUser\") && ($.responseElements.ConsoleLogin = \"Success\") }",
        source: "Security Hub CloudWatch.3 (CIS 3.2)",
    },
    BuiltinRule {
        name: "kms-key-disabled-or-scheduled-deletion",
        title: "Customer managed KMS key disabled or scheduled for deletion",
        pattern: "{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}",
        source: "Security Hub CloudWatch.7 (CIS 3.7)",
    },
    BuiltinRule {
        name: "s3-bucket-policy-changes",
        title: "S3 bucket ACL, policy, CORS, lifecycle or replication changed",
        pattern: "{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}",
        source: "Security Hub CloudWatch.8 (CIS 3.8)",
    },
    BuiltinRule {
        name: "aws-config-changes",
        title: "AWS Config recorder or delivery channel stopped, deleted or changed",
        pattern: "{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}",
        source: "Security Hub CloudWatch.9 (CIS 3.9)",
    },
    BuiltinRule {
        name: "route-table-changes",
        title: "Route or route table created, replaced, deleted or disassociated",
        pattern: "{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}",
        source: "Security Hub CloudWatch.13 (CIS 3.13)",
    },
    BuiltinRule {
        name: "organizations-changes",
        title: "AWS Organizations changed",
        pattern: "{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = \"AcceptHandshake\") || ($.eventName = \"AttachPolicy\") || ($.eventName = \"CreateAccount\") || ($.eventName = \"CreateOrganizationalUnit\") || ($.eventName = \"CreatePolicy\") || ($.eventName = \"DeclineHandshake\") || ($.eventName = \"DeleteOrganization\") || ($.eventName = \"DeleteOrganizationalUnit\") || ($.eventName = \"DeletePolicy\") || ($.eventName = \"DetachPolicy\") || ($.eventName = \"DisablePolicyType\") || ($.eventName = \"EnablePolicyType\") || ($.eventName = \"InviteAccountToOrganization\") || ($.eventName = \"LeaveOrganization\") || ($.eventName = \"MoveAccount\") || ($.eventName = \"RemoveAccountFromOrganization\") || ($.eventName = \"UpdatePolicy\") || ($.eventName = \"UpdateOrganizationalUnit\")) }",
        source: "CIS AWS Foundations Benchmark v1.4 4.15",
    },
];

/// The shipped rule sets: `(name, description, rule names)`.
pub const BUILTIN_RULE_SETS: &[(&str, &str, &[&str])] = &[
    (
        "cloudwatch-alarms",
        "AWS's CloudWatch Alarms for CloudTrail API Activity template (10 alarms)",
        &[
            "security-group-changes",
            "network-acl-changes",
            "network-gateway-changes",
            "vpc-changes",
            "ec2-instance-changes",
            "ec2-large-instance-changes",
            "cloudtrail-changes",
            "console-sign-in-failures",
            "authorization-failures",
            "iam-policy-changes",
        ],
    ),
    (
        "cis",
        "CIS AWS Foundations Benchmark monitoring controls (Security Hub CloudWatch.1-14 and CIS v1.4 4.15)",
        &[
            "root-account-usage",
            "authorization-failures",
            "console-sign-in-without-mfa",
            "iam-policy-changes",
            "cloudtrail-changes",
            "console-sign-in-failures",
            "kms-key-disabled-or-scheduled-deletion",
            "s3-bucket-policy-changes",
            "aws-config-changes",
            "security-group-changes",
            "network-acl-changes",
            "network-gateway-changes",
            "route-table-changes",
            "vpc-changes",
            "organizations-changes",
        ],
    ),
    (
        "all",
        "Every shipped rule",
        &[
            "security-group-changes",
            "network-acl-changes",
            "network-gateway-changes",
            "vpc-changes",
            "ec2-instance-changes",
            "ec2-large-instance-changes",
            "cloudtrail-changes",
            "console-sign-in-failures",
            "authorization-failures",
            "iam-policy-changes",
            "root-account-usage",
            "console-sign-in-without-mfa",
            "kms-key-disabled-or-scheduled-deletion",
            "s3-bucket-policy-changes",
            "aws-config-changes",
            "route-table-changes",
            "organizations-changes",
        ],
    ),
];

/// A filter pattern with a stable name.
#[derive(Debug, Clone)]
pub struct NamedRule {
    name: String,
    pattern: FilterPattern,
}

impl NamedRule {
    /// Names a pattern.
    pub fn new(name: impl Into<String>, pattern: FilterPattern) -> Self {
        Self {
            name: name.into(),
            pattern,
        }
    }

    /// The shipped rule called `name`.
    ///
    /// # Errors
    ///
    /// [`RuleSetError::UnknownRule`] when no shipped rule has that name.
    pub fn builtin(name: &str) -> Result<Self, RuleSetError> {
        let rule = BUILTIN_RULES
            .iter()
            .find(|rule| rule.name == name)
            .ok_or_else(|| RuleSetError::UnknownRule {
                name: name.to_owned(),
            })?;
        let pattern = FilterPattern::parse(rule.pattern).map_err(|source| RuleSetError::Invalid {
            rule: rule.name.to_owned(),
            source,
        })?;
        Ok(Self::new(rule.name, pattern))
    }

    /// The rule's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The rule's pattern.
    pub fn pattern(&self) -> &FilterPattern {
        &self.pattern
    }

    /// Whether the record matches the rule's pattern.
    pub fn matches(&self, record: &serde_json::Value) -> bool {
        self.pattern.matches(record)
    }
}

/// A named group of rules, such as the shipped `cis` set.
#[derive(Debug, Clone)]
pub struct RuleSet {
    name: String,
    rules: Vec<NamedRule>,
}

impl RuleSet {
    /// The shipped rule set called `name` (`cloudwatch-alarms`, `cis`, `all`).
    ///
    /// # Errors
    ///
    /// [`RuleSetError::UnknownSet`] (listing the known names) when there is no such set.
    pub fn builtin(name: &str) -> Result<Self, RuleSetError> {
        let (_, _, rule_names) = BUILTIN_RULE_SETS
            .iter()
            .find(|(set, _, _)| *set == name)
            .ok_or_else(|| RuleSetError::UnknownSet {
                name: name.to_owned(),
            })?;
        let rules = rule_names
            .iter()
            .map(|rule| NamedRule::builtin(rule))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            name: name.to_owned(),
            rules,
        })
    }

    /// The names of the shipped rule sets.
    pub fn builtin_names() -> impl Iterator<Item = &'static str> {
        BUILTIN_RULE_SETS.iter().map(|(name, _, _)| *name)
    }

    /// The set's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The set's rules.
    pub fn rules(&self) -> &[NamedRule] {
        &self.rules
    }

    /// The names of the rules the record matches, in the set's order.
    pub fn matching<'s>(&'s self, record: &'s serde_json::Value) -> impl Iterator<Item = &'s str> + 's {
        self.rules
            .iter()
            .filter(|rule| rule.matches(record))
            .map(NamedRule::name)
    }
}

/// A rule or rule set that could not be found or built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleSetError {
    /// No shipped rule set has this name.
    #[error("unknown rule set `{name}` (known: {})", KnownSets)]
    UnknownSet {
        /// The requested name.
        name: String,
    },
    /// No shipped rule has this name.
    #[error("unknown rule `{name}`")]
    UnknownRule {
        /// The requested name.
        name: String,
    },
    /// A shipped pattern does not parse (a bug in this crate; covered by tests).
    #[error("shipped rule `{rule}` has an invalid pattern")]
    Invalid {
        /// The rule's name.
        rule: String,
        /// The parse error.
        source: FilterParseError,
    },
}

struct KnownSets;

impl fmt::Display for KnownSets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in RuleSet::builtin_names().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(name)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::json;

    use super::*;

    #[test]
    fn there_are_17_distinct_rules_that_all_parse() {
        assert_eq!(BUILTIN_RULES.len(), 17);
        let names: BTreeSet<_> = BUILTIN_RULES.iter().map(|r| r.name).collect();
        assert_eq!(names.len(), 17);
        let patterns: BTreeSet<_> = BUILTIN_RULES.iter().map(|r| r.pattern).collect();
        assert_eq!(patterns.len(), 17);
        for rule in BUILTIN_RULES {
            assert!(FilterPattern::parse(rule.pattern).is_ok(), "{}", rule.name);
            assert!(
                rule.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                rule.name
            );
        }
    }

    #[test]
    fn rule_sets_have_the_documented_sizes() {
        assert_eq!(RuleSet::builtin("cloudwatch-alarms").unwrap().rules().len(), 10);
        assert_eq!(RuleSet::builtin("cis").unwrap().rules().len(), 15);
        let all = RuleSet::builtin("all").unwrap();
        assert_eq!(all.rules().len(), 17);
        let all_names: BTreeSet<_> = all.rules().iter().map(NamedRule::name).collect();
        let builtin: BTreeSet<_> = BUILTIN_RULES.iter().map(|r| r.name).collect();
        assert_eq!(all_names, builtin);
        assert_eq!(
            RuleSet::builtin_names().collect::<Vec<_>>(),
            ["cloudwatch-alarms", "cis", "all"]
        );
    }

    #[test]
    fn unknown_names_are_errors_listing_the_known_sets() {
        let err = RuleSet::builtin("pci").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown rule set `pci` (known: cloudwatch-alarms, cis, all)"
        );
        assert!(matches!(
            NamedRule::builtin("nope"),
            Err(RuleSetError::UnknownRule { .. })
        ));
    }

    #[test]
    fn matching_lists_rule_names_in_set_order() {
        let cis = RuleSet::builtin("cis").unwrap();
        let record = json!({"eventName": "StopLogging", "eventSource": "cloudtrail.amazonaws.com",
                            "errorCode": "AccessDenied", "userIdentity": {"type": "Root"},
                            "eventType": "AwsApiCall"});
        assert_eq!(
            cis.matching(&record).collect::<Vec<_>>(),
            [
                "root-account-usage",
                "authorization-failures",
                "cloudtrail-changes"
            ]
        );
    }
}
