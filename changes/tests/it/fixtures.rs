//! Every CloudTrail fixture through the real reader, the default classifier and the normalizer: the exact set of
//! changes kept (checked by hand against `change-detection.md` §1.4, reasons in the comments), the exact account of
//! the skipped records, and an insta snapshot of the normalized events.

use std::collections::BTreeMap;

use ctlake::AccountId;
use ctlake_changes::classify::{Classifier, ClassifierConfig};
use ctlake_changes::normalize::{NormalizedChange, Normalizer};
use ctlake_changes::pipeline::{Ingest, ObjectReport};
use ctlake_changes::read::{Flow, LogObject, ObjectRef, open_file};
use serde_json::{Value, json};

use crate::common::cloudtrail_fixture;

/// The channel owner used by these tests (not the fixtures' accounts: `recipientAccountId` must be the channel's).
const CHANNEL_ACCOUNT: &str = "111122223333";

fn ingest(config: &ClassifierConfig) -> Ingest {
    Ingest::new(
        Classifier::new(config).unwrap(),
        Normalizer::new(AccountId::try_from(CHANNEL_ACCOUNT).unwrap()),
    )
}

fn run(prefix: &str, config: &ClassifierConfig) -> (Vec<NormalizedChange>, ObjectReport) {
    let path = cloudtrail_fixture(prefix);
    let object = LogObject::new(ObjectRef::File(path.clone()));
    let mut changes = Vec::new();
    let report = ingest(config).process_object(&object, open_file(&path).unwrap(), |change, _| {
        changes.push(change);
        Flow::Continue
    });
    assert!(report.error.is_none(), "{prefix}: {:?}", report.error);
    assert!(report.malformed.is_empty(), "{prefix}: {:?}", report.malformed);
    assert_eq!(report.records, report.kept + report.skipped_total(), "{prefix}");
    (changes, report)
}

/// Asserts the kept eventIDs (in file order) and the skipped reasons, and snapshots the normalized events.
fn check(prefix: &str, snapshot: &str, kept: &[(&str, &str)], skipped: &[(&str, usize)]) {
    let (changes, report) = run(prefix, &ClassifierConfig::default());
    let actual: Vec<(String, String)> = changes
        .iter()
        .map(|c| (c.source_event_id.clone(), c.event.event_name().to_string()))
        .collect();
    let expected: Vec<(String, String)> = kept
        .iter()
        .map(|(id, n)| ((*id).to_owned(), (*n).to_owned()))
        .collect();
    assert_eq!(actual, expected, "{prefix}: kept");
    let expected_skipped: BTreeMap<String, usize> =
        skipped.iter().map(|(r, n)| ((*r).to_owned(), *n)).collect();
    assert_eq!(report.skipped, expected_skipped, "{prefix}: skipped");
    for change in &changes {
        // Every entry is a valid PutAuditEvents entry for the channel, id derived from the eventID.
        assert_eq!(
            change.audit_event.id(),
            &Normalizer::audit_event_id(&change.source_event_id)
        );
        assert_eq!(change.event.recipient_account_id().as_str(), CHANNEL_ACCOUNT);
        assert_eq!(change.event.event_source().as_str(), "changes.ctlake.dev");
        assert_eq!(change.event.uid(), change.source_event_id);
    }
    let normalized: Vec<Value> = changes
        .iter()
        .map(|c| {
            json!({
                "id": c.audit_event.id().as_str(),
                "eventData": serde_json::from_str::<Value>(c.audit_event.event_data()).unwrap(),
            })
        })
        .collect();
    insta::assert_json_snapshot!(snapshot, normalized);
}

/// 55 records by IAM user bert-jan and a role session. Kept: the 9 successful writes (readOnly: false, no
/// errorCode). Skipped: 22 failed calls (4 S3 Get* with NoSuch*/NotFound codes, 2 StopLogging with
/// TrailNotFoundException, an AccessDenied AssumeRole, 15 Client.UnauthorizedOperation
/// DescribeInstanceAttribute) and 24 successful reads (readOnly: true).
#[test]
fn invictus_1205_s3_cloudtrail_and_iam_writes() {
    check(
        "invictus-aws_dataset__218007301253_CloudTrail_us-east-1_20230710T1205Z",
        "invictus_1205",
        &[
            ("b58e2c0b-f75b-4f05-a0e9-15e9b9bfecef", "PutBucketTagging"),
            ("988f1043-3e3d-4d84-803b-1b4d00e0df90", "PutBucketPolicy"),
            ("ad384a22-c03e-4f3c-8520-86a31e79378d", "CreateTrail"),
            ("98cf02da-a187-453b-87fe-884d93a06a4c", "StartLogging"),
            ("076e96d5-2983-473f-920a-2fc2d7e02777", "PutEventSelectors"),
            ("802075d5-9761-417d-a32a-3277cd1dfc12", "PutBucketTagging"),
            ("39b115ed-5806-43b7-abd5-c4e078b1528a", "PutRolePolicy"),
            ("a3fbe842-f8df-4bb3-accf-1407cc925cbd", "CreateFlowLogs"),
            ("f94192be-ac87-46a2-9b88-ffb245b37ec6", "CreateNatGateway"),
        ],
        &[("failed", 22), ("read-only", 24)],
    );
}

/// One successful CreateRoute (readOnly: false): kept.
#[test]
fn invictus_1210_single_create_route() {
    check(
        "invictus-aws_dataset__218007301253_CloudTrail_us-east-1_20230710T1210Z",
        "invictus_1210",
        &[("c9c65128-39db-47bb-a5d8-ff3220ec9a29", "CreateRoute")],
        &[],
    );
}

/// 156 records. Kept (55): 33 successful IAMUser writes (EC2 network teardown/setup, IAM, 10 ssm DeleteParameter
/// that were not throttled) and 22 secretsmanager AwsServiceEvents without userIdentity.type (readOnly: false:
/// the service deleting secret versions is a real change). Skipped: 17 failed (12 throttled DeleteParameter, a
/// failed CreateVpc, DetachNetworkInterface, StartLogging, DescribeRouteTables and AssumeRole) and 84 reads.
#[test]
fn invictus_1215_teardown_and_service_events() {
    check(
        "invictus-aws_dataset__218007301253_CloudTrail_us-east-1_20230710T1215Z",
        "invictus_1215",
        &[
            ("dc173b83-bc3d-4509-bf70-f1baade30b9b", "DeleteParameter"),
            ("dee00220-14e7-4b85-b76f-3a7c1afae272", "StartSecretVersionDelete"),
            ("04e31b9c-0377-4fd2-8af3-1f0c9bb79622", "EndSecretVersionDelete"),
            ("deb60f6a-8a2a-4dd9-9542-efb0d003a35e", "DeleteParameter"),
            ("8f09993e-0584-46fc-b4c8-25ee335a0ce6", "DeleteParameter"),
            ("717854fc-1e8d-4c45-9845-7560fe203b79", "DeleteParameter"),
            ("8065cc39-b50d-4fd6-a722-8ba9589b618d", "DeleteParameter"),
            ("6be113f6-9a2a-4a3e-aec4-acb72c303d6c", "DeleteParameter"),
            ("963db8ae-1e96-4277-a93f-472c6de22e61", "DeleteParameter"),
            ("3ec91601-3762-4dde-bb40-9d3e21ec3a28", "DeleteParameter"),
            ("b76dd861-920f-482a-a24f-e0772f0355cc", "DeleteParameter"),
            ("2415c463-0542-4ba6-8888-b219e9ed3abf", "StartSecretVersionDelete"),
            ("dcfe6489-325d-4579-b3a4-21cfbc3e3807", "EndSecretVersionDelete"),
            ("53c37397-1bb2-468a-9153-7fddff3833ae", "StartSecretVersionDelete"),
            ("52855b7a-ebd4-4e45-8cfc-cc8d8f2fd8b6", "EndSecretVersionDelete"),
            ("b4639c38-877e-449b-92a0-5f8eb252e6ea", "StartSecretVersionDelete"),
            ("48e4adae-fcd9-4900-8ad5-184e27cc5c5e", "EndSecretVersionDelete"),
            ("e88511a8-43fd-4e42-9880-f740e0fab5e5", "StartSecretVersionDelete"),
            ("f1b8da82-1691-48ce-9c79-b79f51ccc28a", "EndSecretVersionDelete"),
            ("408b01a7-e333-4c24-90f3-0815119a48fa", "StartSecretVersionDelete"),
            ("a2fe5169-d7dd-4163-963f-da84f1d06296", "EndSecretVersionDelete"),
            ("58fb7626-2164-4ce6-af0b-07a09a755fc7", "DeleteParameter"),
            ("562aad54-6c48-4319-9be1-7cf6a0fc193e", "StartSecretVersionDelete"),
            ("4cc5435c-3585-4727-adb6-86894bbb2607", "EndSecretVersionDelete"),
            (
                "73ce3be7-b19c-4331-9dfc-5d963b9da02a",
                "RemoveRoleFromInstanceProfile",
            ),
            ("8b237d3a-191b-4963-9459-83756d8780ef", "StartSecretVersionDelete"),
            ("c8d94a42-31cb-4d02-bc08-b9dadb524aa8", "EndSecretVersionDelete"),
            ("ac8be372-c4d7-4d3d-80d6-9c06f4288f14", "StartSecretVersionDelete"),
            ("2dd7469c-1eed-4468-a0af-a553d801ce43", "EndSecretVersionDelete"),
            ("4f07f636-bad0-4633-8b93-5aa006d43dd0", "StartSecretVersionDelete"),
            ("e8fd8030-fc31-43a5-9f19-096f6476bd48", "EndSecretVersionDelete"),
            ("38c4d361-9cbb-42f7-8b07-9a45d8e0196e", "StartSecretVersionDelete"),
            ("ec263c13-071c-4680-a2a5-366b997ddfbf", "EndSecretVersionDelete"),
            ("9fe9b888-78a1-41a0-b3e6-c833f9a55b66", "DeleteRole"),
            ("c2a364ef-9946-449b-bed5-d1d8e5528385", "DeleteSubnet"),
            ("4e3d85c1-45ac-4009-b07c-56116f72f287", "CreateVpc"),
            ("b44730f6-d93e-4a7d-80af-eed1c7a54b90", "CreatePolicy"),
            ("2393ea88-00be-43a3-bbfa-8af3925d1d95", "CreateSubnet"),
            ("bc855137-7ad6-4176-bb78-dc276fd918fa", "CreateInternetGateway"),
            ("fa5846e0-e873-4a68-8ef5-03337d21a2c0", "CreateRouteTable"),
            ("7475937c-a863-44ce-9878-81e8a268e966", "CreateSecurityGroup"),
            (
                "7e96f0e7-4d78-423d-b3f5-391370685b30",
                "AuthorizeSecurityGroupIngress",
            ),
            (
                "74bd84b4-6729-4895-b2a4-e2beb7c6b377",
                "AuthorizeSecurityGroupIngress",
            ),
            ("166db627-7c52-4552-ac56-5aad1d09bde8", "CreateTags"),
            ("8fe3095f-909c-41f5-a769-00b9ec6e95df", "ModifyImageAttribute"),
            ("8d96ddae-ab7e-4230-9935-44dde036f058", "ModifyImageAttribute"),
            ("3ad01b1d-ebc1-4830-994b-9210534ab9f2", "ModifySnapshotAttribute"),
            ("fa576797-0e51-4db0-9910-2553bf130570", "DisassociateRouteTable"),
            ("28bea918-a48a-4826-a1df-0df8983175fa", "DeleteInternetGateway"),
            ("391942a4-c330-4d17-9497-343e28c0b8a1", "DetachInternetGateway"),
            ("9606afeb-3e3a-4f54-88ad-556e3d02d102", "DeleteSecurityGroup"),
            ("c3f482f1-331b-4c9d-9b46-4dee1a46d2c1", "DeleteSubnet"),
            ("91a712f8-7d85-45cb-b291-3d0bde9c686e", "DeleteRoute"),
            ("d90783aa-7224-458c-b715-a72aee849737", "DeleteSubnet"),
            ("af96f3f5-5b2d-40dd-886e-4db2d999130b", "DeleteSnapshot"),
        ],
        &[("failed", 17), ("read-only", 84)],
    );
}

/// 10 records. Kept: CreateNetworkInterface made by the RDS service-linked role (a real change made by a service on
/// the user's behalf; actor_kind "service") and the user's CreateDBSnapshot. Skipped: 2 AWSService AssumeRole
/// (readOnly: true) and 6 DescribeDBInstances.
#[test]
fn invictus_1220_service_linked_role_write() {
    check(
        "invictus-aws_dataset__218007301253_CloudTrail_us-east-1_20230710T1220Z",
        "invictus_1220",
        &[
            ("75f05727-9451-4593-9dd2-921cb841f2c3", "CreateNetworkInterface"),
            ("0516b66a-77ec-4479-a82d-0cda54d3fc5d", "CreateDBSnapshot"),
        ],
        &[("read-only", 8)],
    );
}

/// 12 records, no change: a ConsoleLogin (AwsConsoleSignIn, readOnly: false — a sign-in, not a change), 4 S3
/// Get* failing with NoSuch* codes, 7 successful reads.
#[test]
fn invictus_1225_console_login_and_reads() {
    check(
        "invictus-aws_dataset__218007301253_CloudTrail_us-east-1_20230710T1225Z",
        "invictus_1225",
        &[],
        &[("failed", 4), ("read-only", 7), ("sign-in", 1)],
    );
}

/// StopLogging by an IAM user, successful: kept.
#[test]
fn stratus_cloudtrail_stop() {
    check(
        "stratus-red-team__aws.defense-evasion.cloudtrail-stop",
        "stratus_cloudtrail_stop",
        &[("10163ed2-2253-469d-a5ee-cbc6651f8934", "StopLogging")],
        &[],
    );
}

/// No change: 2 AssumeRole (readOnly: true) and LeaveOrganization denied (AccessDenied).
#[test]
fn stratus_organizations_leave() {
    check(
        "stratus-red-team__aws.defense-evasion.organizations-leave",
        "stratus_organizations_leave",
        &[],
        &[("failed", 1), ("read-only", 2)],
    );
}

/// AuthorizeSecurityGroupIngress opening port 22, successful: kept. Its sourceIPAddress (`253.243.215.253`) is a
/// valid IP address.
#[test]
fn stratus_security_group_open_port_22() {
    check(
        "stratus-red-team__aws.exfiltration.ec2-security-group-open-port-22-ingress",
        "stratus_sg_open_22",
        &[(
            "9fd68588-ecbf-4528-a345-199fa6bb0821",
            "AuthorizeSecurityGroupIngress",
        )],
        &[],
    );
}

/// A successful ConsoleLogin without MFA: a sign-in, not a change (the `cis` rule set keeps it, see below).
#[test]
fn stratus_console_login_without_mfa() {
    check(
        "stratus-red-team__aws.initial-access.console-login-without-mfa",
        "stratus_console_login",
        &[],
        &[("sign-in", 1)],
    );
}

/// CreateUser, CreateAccessKey, AttachUserPolicy, all successful writes: kept (in file order). The anonymised
/// sourceIPAddress `075.050.255.67` has leading zeros, so it is not a valid IP: it goes to the
/// `source_ip_address` tag.
#[test]
fn stratus_iam_create_admin_user() {
    check(
        "stratus-red-team__aws.persistence.iam-create-admin-user",
        "stratus_iam_create_admin_user",
        &[
            ("083dc4ad-e264-46bc-a407-d0dd31b58bdc", "AttachUserPolicy"),
            ("94faedcc-0fa4-46e6-9322-022e8e934f04", "CreateAccessKey"),
            ("3346344c-5a3e-429e-8405-420f98f75d6e", "CreateUser"),
        ],
        &[],
    );
}

/// No change: GetFederationToken is readOnly: false but credential issuance is noise (sts), and the
/// FederatedUser's GetCallerIdentity is a read.
#[test]
fn stratus_sts_federation_token() {
    check(
        "stratus-red-team__aws.persistence.sts-federation-token",
        "stratus_sts_federation_token",
        &[],
        &[("noise:sts-credentials", 1), ("read-only", 1)],
    );
}

/// The gzip fixture, eventVersion 1.05 without readOnly: DescribeLaunchConfigurations is a read by its verb and
/// AssumeRole has no write verb, so nothing is kept.
#[test]
fn trailscraper_gzip_without_read_only() {
    check(
        "trailscraper__111111111111_CloudTrail_eu-central-1",
        "trailscraper",
        &[],
        &[("read-only-by-name", 2)],
    );
}

/// With `rule-sets = ["cis"]` (rules select changes too), the sign-in without MFA and the authorization failures
/// become changes, recorded with the rule that matched.
#[test]
fn cis_rules_select_more_and_record_their_names() {
    let cis = ClassifierConfig::from_toml_str(r#"rule-sets = ["cis"]"#, "inline").unwrap();
    let rules_of = |changes: &[NormalizedChange]| -> Vec<(String, Vec<String>)> {
        changes
            .iter()
            .map(|c| {
                (
                    c.event.event_name().to_string(),
                    c.rules.iter().map(|r| r.to_string()).collect(),
                )
            })
            .collect()
    };
    let (changes, _) = run(
        "stratus-red-team__aws.initial-access.console-login-without-mfa",
        &cis,
    );
    assert_eq!(
        rules_of(&changes),
        [(
            "ConsoleLogin".to_owned(),
            vec!["console-sign-in-without-mfa".to_owned()]
        )]
    );
    let tags = changes[0].event.additional_event_data().unwrap();
    assert_eq!(tags["matched_rules"], json!(["console-sign-in-without-mfa"]));

    let (changes, report) = run("stratus-red-team__aws.defense-evasion.organizations-leave", &cis);
    assert_eq!(
        rules_of(&changes),
        [(
            "LeaveOrganization".to_owned(),
            vec![
                "authorization-failures".to_owned(),
                "organizations-changes".to_owned()
            ]
        )]
    );
    assert_eq!(changes[0].event.error_code(), Some("AccessDenied"));
    assert_eq!(report.kept_by_rule["organizations-changes"], 1);

    let (changes, report) = run(
        "invictus-aws_dataset__218007301253_CloudTrail_us-east-1_20230710T1205Z",
        &cis,
    );
    // 9 default changes + 15 unauthorized DescribeInstanceAttribute + the denied AssumeRole + the 2 failed
    // StopLogging (cloudtrail-changes counts attempts: the pattern does not look at errors).
    assert_eq!(changes.len(), 27);
    assert_eq!(report.kept_by_rule["default"], 9);
    assert_eq!(report.kept_by_rule["authorization-failures"], 16);
    assert_eq!(report.kept_by_rule["cloudtrail-changes"], 4);
    assert_eq!(report.kept_by_rule["s3-bucket-policy-changes"], 1);
    assert_eq!(report.kept_by_rule["iam-policy-changes"], 1);
}
