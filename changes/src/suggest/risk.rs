//! How risky a change is: the CIS / CloudWatch-alarm rule sets it falls in (`change-detection.md` §4).
//!
//! Changes to who may do what (IAM), what may reach what (security groups, network ACLs, gateways, routes, VPCs)
//! and what is recorded or encrypted (CloudTrail, KMS, Config) are the classic causes of outages and the reason
//! these rules exist; they weigh most. Other changes keep a base risk.

use serde_json::json;

use crate::filter::{BUILTIN_RULES, FilterPattern};

/// Risk of a change no shipped rule matches.
pub const BASE_RISK: f64 = 0.2;

/// `(rule name, risk in 0..=1)`.
pub const RULE_RISK: &[(&str, f64)] = &[
    ("iam-policy-changes", 1.0),
    ("security-group-changes", 1.0),
    ("network-acl-changes", 1.0),
    ("route-table-changes", 0.9),
    ("network-gateway-changes", 0.9),
    ("kms-key-disabled-or-scheduled-deletion", 0.9),
    ("vpc-changes", 0.8),
    ("cloudtrail-changes", 0.8),
    ("root-account-usage", 0.7),
    ("organizations-changes", 0.6),
    ("s3-bucket-policy-changes", 0.6),
    ("aws-config-changes", 0.5),
    ("ec2-large-instance-changes", 0.5),
    ("ec2-instance-changes", 0.5),
    ("console-sign-in-without-mfa", 0.3),
    ("console-sign-in-failures", 0.2),
    ("authorization-failures", 0.2),
];

/// The risk of a change that matched `rules`, and the rule that sets it.
pub fn risk_of<'a>(rules: impl IntoIterator<Item = &'a str>) -> (f64, Option<&'a str>) {
    let mut best = (BASE_RISK, None);
    for rule in rules {
        if let Some(&(_, risk)) = RULE_RISK.iter().find(|(name, _)| *name == rule)
            && risk > best.0
        {
            best = (risk, Some(rule));
        }
    }
    best
}

/// The shipped rules a change with this CloudTrail `eventSource`, `eventName` and request parameters matches
/// (for change events stored without their matched rules).
pub fn rules_matching(
    event_source: &str,
    event_name: &str,
    request_parameters: &serde_json::Value,
) -> Vec<&'static str> {
    let record = json!({"eventSource": event_source, "eventName": event_name,
                        "requestParameters": request_parameters});
    BUILTIN_RULES
        .iter()
        .filter(|rule| FilterPattern::parse(rule.pattern).is_ok_and(|p| p.matches(&record)))
        .map(|rule| rule.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highest_rule_wins_and_unknown_rules_keep_the_base() {
        assert_eq!(
            risk_of(["ec2-instance-changes", "security-group-changes"]),
            (1.0, Some("security-group-changes"))
        );
        assert_eq!(risk_of(["made-up"]), (BASE_RISK, None));
        assert_eq!(risk_of([]), (BASE_RISK, None));
        for (rule, _) in RULE_RISK {
            assert!(BUILTIN_RULES.iter().any(|r| r.name == *rule), "{rule}");
        }
    }

    #[test]
    fn rules_are_recomputed_from_the_change() {
        let none = serde_json::Value::Null;
        assert_eq!(
            rules_matching("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", &none),
            ["security-group-changes"]
        );
        assert_eq!(
            rules_matching("iam.amazonaws.com", "PutRolePolicy", &none),
            ["iam-policy-changes"]
        );
        assert_eq!(
            rules_matching("kms.amazonaws.com", "DisableKey", &none),
            ["kms-key-disabled-or-scheduled-deletion"]
        );
        assert!(rules_matching("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", &none).is_empty());
        let large = serde_json::json!({"instanceType": "m5.8xlarge"});
        assert_eq!(
            rules_matching("ec2.amazonaws.com", "RunInstances", &large),
            ["ec2-instance-changes", "ec2-large-instance-changes"]
        );
    }
}
