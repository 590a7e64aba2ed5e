//! The ranking itself: a pure function of the alarm and the candidate changes.

use std::time::Duration;

use time::OffsetDateTime;

use super::risk::risk_of;
use super::service::{
    CLOUDTRAIL_METRICS_NAMESPACE, GLOBAL_SOURCES, VPC_NAMESPACES, rule_for_cloudtrail_metric, sources_for,
};
use crate::alarm::MetricRef;

/// Shortest dimension value that is looked for in a change: shorter values (`1`, `on`) match by accident.
pub const MIN_DIMENSION_VALUE_LEN: usize = 3;

/// Rules that change the network around a resource.
const NETWORK_RULES: &[&str] = &[
    "security-group-changes",
    "network-acl-changes",
    "network-gateway-changes",
    "route-table-changes",
    "vpc-changes",
];

/// The alarm whose causes are looked for.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmContext {
    /// The alarm's name.
    pub alarm_name: String,
    /// The alarm's account, when known.
    pub account_id: Option<String>,
    /// The alarm's region code.
    pub region: String,
    /// When the alarm (its incident) began.
    pub at: OffsetDateTime,
    /// The metrics the alarm reads.
    pub metrics: Vec<MetricRef>,
}

/// One change event that may have caused the alarm.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeCandidate {
    /// Its identifier (the CloudTrail `eventID`, which change events carry as `UID`).
    pub id: String,
    /// When the change was made.
    pub event_time: OffsetDateTime,
    /// The API call, e.g. `AuthorizeSecurityGroupIngress`.
    pub event_name: String,
    /// The original CloudTrail `eventSource`, e.g. `ec2.amazonaws.com`.
    pub event_source: String,
    /// The region the change was made in.
    pub region: Option<String>,
    /// The account the change was made in.
    pub account_id: Option<String>,
    /// Who made it.
    pub actor: Option<String>,
    /// The shipped rules it matched.
    pub matched_rules: Vec<String>,
    /// Texts to look for the alarm's dimension values in, as (where, text): the request parameters, say.
    pub parameters: Vec<(String, String)>,
    /// The ARNs or ids of the resources the change names.
    pub resources: Vec<String>,
}

/// How much each component weighs in the score. The default weights add up to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Closeness in time before the alarm.
    pub time: f64,
    /// Same region.
    pub region: f64,
    /// The change's service acts on the alarm's metric namespace.
    pub service: f64,
    /// The alarm's dimension values appear in the change's parameters.
    pub dimensions: f64,
    /// The change names the alarm's resources, or at least its account.
    pub resources: f64,
    /// The change's risk (the CIS rule sets it matches).
    pub risk: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            time: 0.30,
            region: 0.10,
            service: 0.20,
            dimensions: 0.20,
            resources: 0.05,
            risk: 0.15,
        }
    }
}

/// One part of a candidate's score.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    /// `time`, `region`, `service`, `dimensions`, `resources` or `risk`.
    pub name: &'static str,
    /// The component's value, 0 to 1.
    pub value: f64,
    /// Its weight.
    pub weight: f64,
    /// Why it has this value, in words.
    pub reason: String,
}

impl Component {
    /// `value × weight`: what it adds to the score.
    pub fn contribution(&self) -> f64 {
        self.value * self.weight
    }
}

/// A candidate with its score and the components that explain it.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedCause {
    /// The change.
    pub candidate: ChangeCandidate,
    /// The sum of the components' contributions, 0 to 1 with the default weights.
    pub score: f64,
    /// The score's parts, in a fixed order.
    pub components: Vec<Component>,
}

/// Ranks the changes made in `window` before the alarm, most likely cause first. Changes after the alarm or
/// before the window are left out. Ties go to the change closer to the alarm, then to the smaller id.
pub fn rank(
    alarm: &AlarmContext,
    candidates: impl IntoIterator<Item = ChangeCandidate>,
    window: Duration,
    weights: &Weights,
) -> Vec<RankedCause> {
    let window_secs = window.as_secs_f64().max(1.0);
    let mut ranked: Vec<RankedCause> = candidates
        .into_iter()
        .filter_map(|candidate| {
            let before = (alarm.at - candidate.event_time).as_seconds_f64();
            if !(0.0..=window_secs).contains(&before) {
                return None;
            }
            let components = vec![
                time_component(before, window_secs, weights.time),
                region_component(alarm, &candidate, weights.region),
                service_component(alarm, &candidate, weights.service),
                dimension_component(alarm, &candidate, weights.dimensions),
                resource_component(alarm, &candidate, weights.resources),
                risk_component(&candidate, weights.risk),
            ];
            let score = components.iter().map(Component::contribution).sum();
            Some(RankedCause {
                candidate,
                score,
                components,
            })
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.candidate.event_time.cmp(&a.candidate.event_time))
            .then(a.candidate.id.cmp(&b.candidate.id))
    });
    ranked
}

/// `1h 5m`, `12m 30s`, `45s`.
pub fn human_duration(secs: f64) -> String {
    // Whole seconds are enough for an explanation; the value is never negative here.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let total = secs.max(0.0).round() as u64;
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m {s}s"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h {m}m"),
    }
}

fn component(name: &'static str, value: f64, weight: f64, reason: String) -> Component {
    Component {
        name,
        value,
        weight,
        reason,
    }
}

fn time_component(before: f64, window: f64, weight: f64) -> Component {
    let value = 1.0 - before / window;
    component(
        "time",
        value,
        weight,
        format!(
            "{} before the alarm (window {})",
            human_duration(before),
            human_duration(window)
        ),
    )
}

fn region_component(alarm: &AlarmContext, c: &ChangeCandidate, weight: f64) -> Component {
    let (value, reason) = match c.region.as_deref() {
        Some(region) if region == alarm.region => (1.0, format!("same region {region}")),
        _ if GLOBAL_SOURCES.contains(&c.event_source.as_str()) => (
            0.5,
            format!("{} is global: it acts in every region", c.event_source),
        ),
        Some(region) => (0.0, format!("other region {region} (alarm in {})", alarm.region)),
        None => (0.25, "region unknown".to_owned()),
    };
    component("region", value, weight, reason)
}

fn service_component(alarm: &AlarmContext, c: &ChangeCandidate, weight: f64) -> Component {
    let mut best = (
        0.0,
        "the change's service does not act on the alarm's metrics".to_owned(),
    );
    let network = c
        .matched_rules
        .iter()
        .find(|r| NETWORK_RULES.contains(&r.as_str()));
    for metric in &alarm.metrics {
        let ns = metric.namespace.as_str();
        let found = if ns == CLOUDTRAIL_METRICS_NAMESPACE {
            rule_for_cloudtrail_metric(&metric.metric_name)
                .filter(|rule| c.matched_rules.iter().any(|r| r == rule))
                .map(|rule| {
                    (
                        1.0,
                        format!(
                            "counted by the alarm's metric {} (rule {rule})",
                            metric.metric_name
                        ),
                    )
                })
        } else if sources_for(ns).contains(&c.event_source.as_str()) {
            Some((1.0, format!("{} acts on {ns}", c.event_source)))
        } else {
            network
                .filter(|_| VPC_NAMESPACES.contains(&ns))
                .map(|rule| (0.5, format!("network change ({rule}) around {ns} resources")))
        };
        if let Some(found) = found
            && found.0 > best.0
        {
            best = found;
        }
    }
    component("service", best.0, weight, best.1)
}

/// Whether `value` occurs in `text` as a whole token (not inside a longer id).
fn contains_token(text: &str, value: &str) -> bool {
    let is_id = |ch: char| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_';
    text.match_indices(value).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + value.len()..].chars().next();
        !before.is_some_and(is_id) && !after.is_some_and(is_id)
    })
}

fn dimension_component(alarm: &AlarmContext, c: &ChangeCandidate, weight: f64) -> Component {
    let mut best: (f64, Vec<String>) = (0.0, Vec::new());
    let mut any = false;
    for metric in &alarm.metrics {
        let dims: Vec<&(String, String)> = metric
            .dimensions
            .iter()
            .filter(|(_, v)| v.len() >= MIN_DIMENSION_VALUE_LEN)
            .collect();
        if dims.is_empty() {
            continue;
        }
        any = true;
        let found: Vec<String> = dims
            .iter()
            .filter_map(|(name, value)| {
                c.parameters
                    .iter()
                    .find(|(_, text)| contains_token(text, value))
                    .map(|(at, _)| format!("{name}={value} in {at}"))
            })
            .collect();
        #[allow(clippy::cast_precision_loss)]
        let share = found.len() as f64 / dims.len() as f64;
        if share > best.0 {
            best = (share, found);
        }
    }
    let reason = match (any, best.1.is_empty()) {
        (false, _) => "the alarm's metrics have no dimensions".to_owned(),
        (true, true) => "none of the alarm's dimension values appear in the change".to_owned(),
        (true, false) => best.1.join(", "),
    };
    component("dimensions", best.0, weight, reason)
}

fn resource_component(alarm: &AlarmContext, c: &ChangeCandidate, weight: f64) -> Component {
    let named = alarm
        .metrics
        .iter()
        .flat_map(|m| &m.dimensions)
        .filter(|(_, v)| v.len() >= MIN_DIMENSION_VALUE_LEN)
        .find_map(|(name, value)| {
            c.resources
                .iter()
                .find(|r| contains_token(r, value))
                .map(|r| format!("names the alarm's {name} {value} ({r})"))
        });
    let (value, reason) = match (named, &alarm.account_id, &c.account_id) {
        (Some(reason), _, _) => (1.0, reason),
        (None, Some(a), Some(b)) if a == b => (0.3, format!("same account {a}")),
        (None, Some(a), Some(b)) => (0.0, format!("other account {b} (alarm in {a})")),
        (None, _, _) => (0.0, "no shared resource".to_owned()),
    };
    component("resources", value, weight, reason)
}

fn risk_component(c: &ChangeCandidate, weight: f64) -> Component {
    let (value, rule) = risk_of(c.matched_rules.iter().map(String::as_str));
    let reason = match rule {
        Some(rule) => format!("risky change: rule {rule}"),
        None => "no high-risk rule matched".to_owned(),
    };
    component("risk", value, weight, reason)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn alarm() -> AlarmContext {
        AlarmContext {
            alarm_name: "cpu-high".into(),
            account_id: Some("123456789012".into()),
            region: "us-east-1".into(),
            at: datetime!(2024-05-01 10:15:00 UTC),
            metrics: vec![MetricRef {
                namespace: "AWS/EC2".into(),
                metric_name: "CPUUtilization".into(),
                dimensions: vec![("InstanceId".into(), "i-0abc123def4567890".into())],
            }],
        }
    }

    fn change(id: &str, at: OffsetDateTime, source: &str, name: &str, region: &str) -> ChangeCandidate {
        ChangeCandidate {
            id: id.into(),
            event_time: at,
            event_name: name.into(),
            event_source: source.into(),
            region: Some(region.into()),
            account_id: Some("123456789012".into()),
            actor: Some("alice".into()),
            matched_rules: Vec::new(),
            parameters: Vec::new(),
            resources: Vec::new(),
        }
    }

    fn two_hours() -> Duration {
        Duration::from_secs(2 * 3600)
    }

    #[test]
    fn the_change_to_the_alarmed_instance_ranks_first_and_says_why() {
        let mut resize = change(
            "resize",
            datetime!(2024-05-01 09:55:00 UTC),
            "ec2.amazonaws.com",
            "ModifyInstanceAttribute",
            "us-east-1",
        );
        resize.parameters = vec![(
            "requestParameters".into(),
            r#"{instanceId=i-0abc123def4567890, instanceType={"value":"t3.nano"}}"#.into(),
        )];
        let mut iam = change(
            "iam",
            datetime!(2024-05-01 10:12:00 UTC),
            "iam.amazonaws.com",
            "PutRolePolicy",
            "us-east-1",
        );
        iam.matched_rules = vec!["iam-policy-changes".into()];
        let mut sg = change(
            "sg",
            datetime!(2024-05-01 10:10:00 UTC),
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            "us-east-1",
        );
        sg.matched_rules = vec!["security-group-changes".into()];
        let elsewhere = change(
            "eu",
            datetime!(2024-05-01 10:14:00 UTC),
            "ec2.amazonaws.com",
            "RunInstances",
            "eu-west-1",
        );
        let after = change(
            "after",
            datetime!(2024-05-01 10:16:00 UTC),
            "ec2.amazonaws.com",
            "StopInstances",
            "us-east-1",
        );
        let too_old = change(
            "old",
            datetime!(2024-05-01 08:14:00 UTC),
            "ec2.amazonaws.com",
            "StopInstances",
            "us-east-1",
        );
        let ranked = rank(
            &alarm(),
            [iam.clone(), elsewhere, sg, resize, after, too_old],
            two_hours(),
            &Weights::default(),
        );
        let order: Vec<&str> = ranked.iter().map(|r| r.candidate.id.as_str()).collect();
        assert_eq!(order, ["resize", "sg", "iam", "eu"]);
        let first = &ranked[0];
        let reason = |name: &str| {
            first
                .components
                .iter()
                .find(|c| c.name == name)
                .unwrap()
                .reason
                .clone()
        };
        assert_eq!(reason("time"), "20m before the alarm (window 2h)");
        assert_eq!(
            reason("dimensions"),
            "InstanceId=i-0abc123def4567890 in requestParameters"
        );
        assert_eq!(reason("service"), "ec2.amazonaws.com acts on AWS/EC2");
        assert_eq!(reason("region"), "same region us-east-1");
        let total: f64 = first.components.iter().map(Component::contribution).sum();
        assert!((first.score - total).abs() < 1e-12);
        assert!((0.0..=1.0).contains(&first.score));
        // The IAM change: risky, but not the alarm's service; for an alarm in another region it still counts
        // half, IAM being global.
        let ranked_iam = ranked.iter().find(|r| r.candidate.id == "iam").unwrap();
        assert_eq!(ranked_iam.components[2].value, 0.0);
        let mut eu_alarm = alarm();
        eu_alarm.region = "eu-west-1".into();
        let iam = rank(&eu_alarm, [iam], two_hours(), &Weights::default()).remove(0);
        let region = iam.components.iter().find(|c| c.name == "region").unwrap();
        assert_eq!(
            (region.value, region.reason.as_str()),
            (0.5, "iam.amazonaws.com is global: it acts in every region")
        );
        let risk = iam.components.iter().find(|c| c.name == "risk").unwrap();
        assert_eq!(
            (risk.value, risk.reason.as_str()),
            (1.0, "risky change: rule iam-policy-changes")
        );
    }

    #[test]
    fn cloudtrail_metric_alarms_point_at_the_rule_they_count() {
        let mut a = alarm();
        a.metrics = vec![MetricRef {
            namespace: "CloudTrailMetrics".into(),
            metric_name: "SecurityGroupEventCount".into(),
            dimensions: Vec::new(),
        }];
        let mut sg = change(
            "sg",
            datetime!(2024-05-01 10:00:00 UTC),
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            "us-east-1",
        );
        sg.matched_rules = vec!["security-group-changes".into()];
        let other = change(
            "run",
            datetime!(2024-05-01 10:14:00 UTC),
            "ec2.amazonaws.com",
            "RunInstances",
            "us-east-1",
        );
        let ranked = rank(&a, [other, sg], two_hours(), &Weights::default());
        assert_eq!(ranked[0].candidate.id, "sg");
        let service = &ranked[0].components[2];
        assert_eq!(
            service.reason,
            "counted by the alarm's metric SecurityGroupEventCount (rule security-group-changes)"
        );
        assert_eq!(ranked[1].components[2].value, 0.0);
    }

    #[test]
    fn network_changes_relate_to_vpc_namespaces_and_tokens_must_be_whole() {
        let mut a = alarm();
        a.metrics[0].namespace = "AWS/RDS".into();
        a.metrics[0].dimensions = vec![("DBInstanceIdentifier".into(), "orders".into())];
        let mut nacl = change(
            "nacl",
            datetime!(2024-05-01 10:00:00 UTC),
            "ec2.amazonaws.com",
            "ReplaceNetworkAclEntry",
            "us-east-1",
        );
        nacl.matched_rules = vec!["network-acl-changes".into()];
        nacl.parameters = vec![(
            "requestParameters".into(),
            "{dbName=orders-archive, x=reorders}".into(),
        )];
        let ranked = rank(&a, [nacl], two_hours(), &Weights::default());
        let c = &ranked[0].components;
        assert_eq!(
            (c[2].value, c[2].reason.as_str()),
            (
                0.5,
                "network change (network-acl-changes) around AWS/RDS resources"
            )
        );
        // "orders" only occurs inside longer ids.
        assert_eq!(c[3].value, 0.0);
        assert!(contains_token("arn:aws:rds:us-east-1:1:db:orders", "orders"));
        assert!(!contains_token("orders2", "orders"));
    }

    #[test]
    fn resources_and_accounts() {
        let mut hit = change(
            "hit",
            datetime!(2024-05-01 10:00:00 UTC),
            "ec2.amazonaws.com",
            "StopInstances",
            "us-east-1",
        );
        hit.resources = vec!["arn:aws:ec2:us-east-1:123456789012:instance/i-0abc123def4567890".into()];
        let mut other_account = hit.clone();
        other_account.id = "other".into();
        other_account.resources.clear();
        other_account.account_id = Some("999999999999".into());
        let ranked = rank(&alarm(), [hit, other_account], two_hours(), &Weights::default());
        let res = |i: usize| ranked[i].components[4].clone();
        assert_eq!(res(0).value, 1.0);
        assert!(
            res(0)
                .reason
                .starts_with("names the alarm's InstanceId i-0abc123def4567890")
        );
        assert_eq!(
            (res(1).value, res(1).reason.as_str()),
            (0.0, "other account 999999999999 (alarm in 123456789012)")
        );
    }

    #[test]
    fn ties_prefer_the_later_change_and_durations_read_well() {
        let a = change(
            "a",
            datetime!(2024-05-01 10:00:00 UTC),
            "x.amazonaws.com",
            "Op",
            "us-east-1",
        );
        let mut b = a.clone();
        b.id = "b".into();
        let ranked = rank(&alarm(), [a, b], two_hours(), &Weights::default());
        assert_eq!(ranked[0].candidate.id, "a");
        assert_eq!(human_duration(45.0), "45s");
        assert_eq!(human_duration(750.0), "12m 30s");
        assert_eq!(human_duration(3900.0), "1h 5m");
        assert_eq!(human_duration(7200.0), "2h");
    }
}
