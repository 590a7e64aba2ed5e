//! The 17 shipped rules against real records from the fixtures (or, where the fixtures have no example, records
//! built from the AWS documentation's examples): each rule matches its positive record, and the exact set of
//! rules each positive record matches is asserted, so a rule that matches too much fails too.

use ctlake_changes::filter::{BUILTIN_RULES, RuleSet};
use serde_json::{Value, json};

use crate::common::{fixture_record, fixture_records};

const INVICTUS_1205: &str = "invictus-aws_dataset__218007301253_CloudTrail_us-east-1_20230710T1205Z";
const INVICTUS_1210: &str = "invictus-aws_dataset__218007301253_CloudTrail_us-east-1_20230710T1210Z";
const INVICTUS_1215: &str = "invictus-aws_dataset__218007301253_CloudTrail_us-east-1_20230710T1215Z";
const INVICTUS_1225: &str = "invictus-aws_dataset__218007301253_CloudTrail_us-east-1_20230710T1225Z";

fn matched(record: &Value) -> Vec<String> {
    let all = RuleSet::builtin("all").unwrap();
    all.matching(record).map(str::to_owned).collect()
}

/// A fixture record with some top-level fields replaced, for rules the fixtures have no example of.
fn edited(prefix: &str, event_id: &str, changes: Value) -> Value {
    let mut record = fixture_record(prefix, event_id);
    for (key, value) in changes.as_object().unwrap() {
        record[key] = value.clone();
    }
    record
}

/// `(record, exactly the rules it must match)`, covering every shipped rule at least once.
fn positives() -> Vec<(&'static str, Value, Vec<&'static str>)> {
    vec![
        (
            "stratus AuthorizeSecurityGroupIngress",
            fixture_record(
                "stratus-red-team__aws.exfiltration",
                "9fd68588-ecbf-4528-a345-199fa6bb0821",
            ),
            vec!["security-group-changes"],
        ),
        (
            "invictus DeleteSecurityGroup",
            fixture_record(INVICTUS_1215, "9606afeb-3e3a-4f54-88ad-556e3d02d102"),
            vec!["security-group-changes"],
        ),
        (
            // No NACL change in the fixtures: the CreateRoute record renamed to CreateNetworkAclEntry.
            "edited CreateNetworkAclEntry",
            edited(
                INVICTUS_1210,
                "c9c65128-39db-47bb-a5d8-ff3220ec9a29",
                json!({"eventName": "CreateNetworkAclEntry"}),
            ),
            vec!["network-acl-changes"],
        ),
        (
            "invictus CreateInternetGateway",
            fixture_record(INVICTUS_1215, "bc855137-7ad6-4176-bb78-dc276fd918fa"),
            vec!["network-gateway-changes"],
        ),
        (
            "invictus DetachInternetGateway",
            fixture_record(INVICTUS_1215, "391942a4-c330-4d17-9497-343e28c0b8a1"),
            vec!["network-gateway-changes"],
        ),
        (
            "invictus CreateVpc",
            fixture_record(INVICTUS_1215, "4e3d85c1-45ac-4009-b07c-56116f72f287"),
            vec!["vpc-changes"],
        ),
        (
            // No instance launch in the fixtures: a RunInstances of a small type (documented request shape).
            "edited RunInstances t3.micro",
            edited(
                INVICTUS_1210,
                "c9c65128-39db-47bb-a5d8-ff3220ec9a29",
                json!({"eventName": "RunInstances", "requestParameters": {"instanceType": "t3.micro"}}),
            ),
            vec!["ec2-instance-changes"],
        ),
        (
            "edited RunInstances m5.8xlarge",
            edited(
                INVICTUS_1210,
                "c9c65128-39db-47bb-a5d8-ff3220ec9a29",
                json!({"eventName": "RunInstances", "requestParameters": {"instanceType": "m5.8xlarge"}}),
            ),
            vec!["ec2-instance-changes", "ec2-large-instance-changes"],
        ),
        (
            "invictus CreateTrail",
            fixture_record(INVICTUS_1205, "ad384a22-c03e-4f3c-8520-86a31e79378d"),
            vec!["cloudtrail-changes"],
        ),
        (
            "stratus StopLogging",
            fixture_record(
                "stratus-red-team__aws.defense-evasion.cloudtrail-stop",
                "10163ed2-2253-469d-a5ee-cbc6651f8934",
            ),
            vec!["cloudtrail-changes"],
        ),
        (
            // The console sign-in doc's failure shape: errorMessage, ConsoleLogin Failure, no errorCode.
            "edited failed ConsoleLogin",
            edited(
                INVICTUS_1225,
                "70e5932e-9022-4b38-837e-ca10dad94eb7",
                json!({"errorMessage": "Failed authentication", "responseElements": {"ConsoleLogin": "Failure"}}),
            ),
            vec!["console-sign-in-failures"],
        ),
        (
            "invictus Client.UnauthorizedOperation",
            fixture_record(INVICTUS_1205, "f4574dc5-9747-435c-bb53-22f2454be3b7"),
            vec!["authorization-failures"],
        ),
        (
            "stratus LeaveOrganization AccessDenied",
            fixture_record(
                "stratus-red-team__aws.defense-evasion.organizations-leave",
                "16903cbd-fdff-4818-82f2-d66ad09aaf57",
            ),
            vec!["authorization-failures", "organizations-changes"],
        ),
        (
            "invictus PutRolePolicy",
            fixture_record(INVICTUS_1205, "39b115ed-5806-43b7-abd5-c4e078b1528a"),
            vec!["iam-policy-changes"],
        ),
        (
            "stratus AttachUserPolicy",
            fixture_record(
                "stratus-red-team__aws.persistence.iam-create-admin-user",
                "083dc4ad-e264-46bc-a407-d0dd31b58bdc",
            ),
            vec!["iam-policy-changes"],
        ),
        (
            // The userIdentity page's Root example: no invokedBy, an API call.
            "edited Root DeleteTrail",
            edited(
                INVICTUS_1205,
                "ad384a22-c03e-4f3c-8520-86a31e79378d",
                json!({"eventName": "DeleteTrail",
                       "userIdentity": {"type": "Root", "principalId": "123837392027",
                                        "arn": "arn:aws:iam::123837392027:root", "accountId": "123837392027"}}),
            ),
            vec!["cloudtrail-changes", "root-account-usage"],
        ),
        (
            "stratus ConsoleLogin without MFA",
            fixture_record(
                "stratus-red-team__aws.initial-access.console-login-without-mfa",
                "865d9377-9c6b-4fd7-8aad-725e95f6a140",
            ),
            vec!["console-sign-in-without-mfa"],
        ),
        (
            "invictus ConsoleLogin without MFA",
            fixture_record(INVICTUS_1225, "70e5932e-9022-4b38-837e-ca10dad94eb7"),
            vec!["console-sign-in-without-mfa"],
        ),
        (
            "edited kms ScheduleKeyDeletion",
            edited(
                INVICTUS_1210,
                "c9c65128-39db-47bb-a5d8-ff3220ec9a29",
                json!({"eventSource": "kms.amazonaws.com", "eventName": "ScheduleKeyDeletion"}),
            ),
            vec!["kms-key-disabled-or-scheduled-deletion"],
        ),
        (
            "invictus PutBucketPolicy",
            fixture_record(INVICTUS_1205, "988f1043-3e3d-4d84-803b-1b4d00e0df90"),
            vec!["s3-bucket-policy-changes"],
        ),
        (
            "edited config StopConfigurationRecorder",
            edited(
                INVICTUS_1210,
                "c9c65128-39db-47bb-a5d8-ff3220ec9a29",
                json!({"eventSource": "config.amazonaws.com", "eventName": "StopConfigurationRecorder"}),
            ),
            vec!["aws-config-changes"],
        ),
        (
            "invictus CreateRoute",
            fixture_record(INVICTUS_1210, "c9c65128-39db-47bb-a5d8-ff3220ec9a29"),
            vec!["route-table-changes"],
        ),
        (
            "invictus DisassociateRouteTable",
            fixture_record(INVICTUS_1215, "fa576797-0e51-4db0-9910-2553bf130570"),
            vec!["route-table-changes"],
        ),
    ]
}

#[test]
fn each_positive_record_matches_exactly_its_rules() {
    for (what, record, expected) in positives() {
        assert_eq!(matched(&record), expected, "{what}");
    }
}

#[test]
fn every_shipped_rule_has_a_positive_record() {
    let covered: Vec<&str> = positives().into_iter().flat_map(|(_, _, rules)| rules).collect();
    for rule in BUILTIN_RULES {
        assert!(
            covered.contains(&rule.name),
            "{} has no positive record",
            rule.name
        );
    }
}

#[test]
fn no_rule_matches_unrelated_records() {
    let unrelated = [
        // Read-only calls, successful.
        fixture_record(INVICTUS_1205, "205b0abb-e2dc-4ed9-bea3-68e03b2da869"),
        fixture_record(INVICTUS_1205, "c5fe468d-48a6-48d3-a71e-6c5e643f53eb"),
        // A write no rule is about (PutBucketTagging).
        fixture_record(INVICTUS_1205, "b58e2c0b-f75b-4f05-a0e9-15e9b9bfecef"),
        // Lower-case or prefixed names are different events: exact, case-sensitive matching.
        edited(
            INVICTUS_1210,
            "c9c65128-39db-47bb-a5d8-ff3220ec9a29",
            json!({"eventName": "createroute"}),
        ),
        edited(
            INVICTUS_1210,
            "c9c65128-39db-47bb-a5d8-ff3220ec9a29",
            json!({"eventName": "CreateRoutes"}),
        ),
        // RunInstances of a 2xlarge matches the instance rule but not the large-instance rule (checked below).
    ];
    for record in &unrelated {
        assert_eq!(matched(record), Vec::<String>::new(), "{}", record["eventName"]);
    }
    let medium = edited(
        INVICTUS_1210,
        "c9c65128-39db-47bb-a5d8-ff3220ec9a29",
        json!({"eventName": "RunInstances", "requestParameters": {"instanceType": "m5.2xlarge"}}),
    );
    assert_eq!(matched(&medium), ["ec2-instance-changes"]);
}

/// Over whole fixture files, the rules fire only on the records listed in `positives` (plus their repeats).
#[test]
fn rule_hits_per_fixture_file() {
    let hits = |prefix: &str| -> Vec<(String, Vec<String>)> {
        fixture_records(prefix)
            .iter()
            .map(|r| (r["eventName"].as_str().unwrap().to_owned(), matched(r)))
            .filter(|(_, rules)| !rules.is_empty())
            .collect()
    };
    let names = |v: &[(String, Vec<String>)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    // 1205: CreateTrail, StartLogging, PutBucketPolicy, 2 failed StopLogging (TrailNotFound, still a
    // cloudtrail-changes hit: the pattern ignores errors), PutRolePolicy, AccessDenied AssumeRole, 15
    // Client.UnauthorizedOperation DescribeInstanceAttribute.
    let h = hits(INVICTUS_1205);
    assert_eq!(h.len(), 22, "{:?}", names(&h));
    assert_eq!(
        h.iter().filter(|(_, r)| r == &["authorization-failures"]).count(),
        16
    );
    assert_eq!(h.iter().filter(|(_, r)| r == &["cloudtrail-changes"]).count(), 4);
}
