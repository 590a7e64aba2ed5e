//! Which CloudTrail `eventSource`s change what a CloudWatch metric namespace measures.
//!
//! Sources: the CloudWatch namespaces of AWS services
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/aws-services-cloudwatch-metrics.html>) and the
//! services' CloudTrail event sources; the `CloudTrailMetrics` metric names are those of AWS's "CloudWatch Alarms
//! for CloudTrail API Activity" template (`change-detection.md` §4.1).

/// `(namespace, event sources whose changes act directly on it)`.
pub const NAMESPACE_SOURCES: &[(&str, &[&str])] = &[
    ("AWS/EC2", &["ec2.amazonaws.com", "autoscaling.amazonaws.com"]),
    ("AWS/EBS", &["ec2.amazonaws.com"]),
    ("AWS/NATGateway", &["ec2.amazonaws.com"]),
    ("AWS/TransitGateway", &["ec2.amazonaws.com"]),
    ("AWS/VPN", &["ec2.amazonaws.com"]),
    (
        "AWS/AutoScaling",
        &["autoscaling.amazonaws.com", "ec2.amazonaws.com"],
    ),
    ("AWS/ELB", &["elasticloadbalancing.amazonaws.com"]),
    ("AWS/ApplicationELB", &["elasticloadbalancing.amazonaws.com"]),
    ("AWS/NetworkELB", &["elasticloadbalancing.amazonaws.com"]),
    ("AWS/Lambda", &["lambda.amazonaws.com"]),
    ("AWS/RDS", &["rds.amazonaws.com"]),
    ("AWS/DynamoDB", &["dynamodb.amazonaws.com"]),
    ("AWS/S3", &["s3.amazonaws.com"]),
    ("AWS/SQS", &["sqs.amazonaws.com"]),
    ("AWS/SNS", &["sns.amazonaws.com"]),
    ("AWS/ECS", &["ecs.amazonaws.com"]),
    ("AWS/EKS", &["eks.amazonaws.com"]),
    ("AWS/ElastiCache", &["elasticache.amazonaws.com"]),
    ("AWS/ApiGateway", &["apigateway.amazonaws.com"]),
    ("AWS/CloudFront", &["cloudfront.amazonaws.com"]),
    ("AWS/Route53", &["route53.amazonaws.com"]),
    ("AWS/Kinesis", &["kinesis.amazonaws.com"]),
    ("AWS/Firehose", &["firehose.amazonaws.com"]),
    ("AWS/States", &["states.amazonaws.com"]),
    ("AWS/Events", &["events.amazonaws.com"]),
    ("AWS/Logs", &["logs.amazonaws.com"]),
    ("AWS/KMS", &["kms.amazonaws.com"]),
    ("AWS/Redshift", &["redshift.amazonaws.com"]),
    ("AWS/ES", &["es.amazonaws.com"]),
    ("AWS/Kafka", &["kafka.amazonaws.com"]),
    ("AWS/CertificateManager", &["acm.amazonaws.com"]),
    ("AWS/WAFV2", &["wafv2.amazonaws.com"]),
    ("AWS/SES", &["ses.amazonaws.com"]),
];

/// Namespaces of resources that live in a VPC: network changes (`ec2.amazonaws.com` security groups, network
/// ACLs, routes, gateways) can break them without touching them.
pub const VPC_NAMESPACES: &[&str] = &[
    "AWS/EC2",
    "AWS/ELB",
    "AWS/ApplicationELB",
    "AWS/NetworkELB",
    "AWS/Lambda",
    "AWS/RDS",
    "AWS/ECS",
    "AWS/EKS",
    "AWS/ElastiCache",
    "AWS/NATGateway",
    "AWS/AutoScaling",
    "AWS/ES",
    "AWS/Kafka",
    "AWS/Redshift",
];

/// `(MetricName in namespace CloudTrailMetrics, the shipped rule that counts it)`: alarms of AWS's template
/// count exactly the changes that rule matches.
pub const CLOUDTRAIL_METRIC_RULES: &[(&str, &str)] = &[
    ("SecurityGroupEventCount", "security-group-changes"),
    ("NetworkAclEventCount", "network-acl-changes"),
    ("GatewayEventCount", "network-gateway-changes"),
    ("VpcEventCount", "vpc-changes"),
    ("EC2InstanceEventCount", "ec2-instance-changes"),
    ("EC2LargeInstanceEventCount", "ec2-large-instance-changes"),
    ("CloudTrailEventCount", "cloudtrail-changes"),
    ("ConsoleSignInFailureCount", "console-sign-in-failures"),
    ("AuthorizationFailureCount", "authorization-failures"),
    ("IAMPolicyEventCount", "iam-policy-changes"),
];

/// The namespace of the metrics CloudTrail metric filters publish (§4.1).
pub const CLOUDTRAIL_METRICS_NAMESPACE: &str = "CloudTrailMetrics";

/// Services whose events CloudTrail records in one region (`us-east-1`) while they act everywhere.
pub const GLOBAL_SOURCES: &[&str] = &[
    "iam.amazonaws.com",
    "sts.amazonaws.com",
    "organizations.amazonaws.com",
    "cloudfront.amazonaws.com",
    "route53.amazonaws.com",
    "signin.amazonaws.com",
    "waf.amazonaws.com",
];

/// The event sources acting directly on `namespace`, if known.
pub fn sources_for(namespace: &str) -> &'static [&'static str] {
    NAMESPACE_SOURCES
        .iter()
        .find(|(ns, _)| *ns == namespace)
        .map_or(&[], |(_, sources)| sources)
}

/// The rule counted by a `CloudTrailMetrics` metric of AWS's template.
pub fn rule_for_cloudtrail_metric(metric_name: &str) -> Option<&'static str> {
    CLOUDTRAIL_METRIC_RULES
        .iter()
        .find(|(metric, _)| *metric == metric_name)
        .map(|&(_, rule)| rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(sources_for("AWS/Lambda"), ["lambda.amazonaws.com"]);
        assert!(sources_for("Custom/App").is_empty());
        assert_eq!(
            rule_for_cloudtrail_metric("IAMPolicyEventCount"),
            Some("iam-policy-changes")
        );
        assert_eq!(rule_for_cloudtrail_metric("Other"), None);
        // Every rule named here is a shipped rule.
        for (_, rule) in CLOUDTRAIL_METRIC_RULES {
            assert!(
                crate::filter::BUILTIN_RULES.iter().any(|r| r.name == *rule),
                "{rule}"
            );
        }
    }
}
