//! Which recent changes most likely caused an alarm: the ranking behind `ctlake suggest-causes`.
//!
//! [`rank`] is a pure function of the alarm ([`AlarmContext`]) and the change events made in the window before it
//! ([`ChangeCandidate`]). Each candidate's score is the weighted sum of six components, each 0 to 1 and each with
//! the reason for its value, so the output explains itself:
//!
//! | component | 1 when | partial |
//! |---|---|---|
//! | `time` | made just before the alarm | falls linearly to 0 at the window's start |
//! | `region` | made in the alarm's region | 0.5 for a global service (IAM, STS, …) |
//! | `service` | its service acts on the alarm's namespace (`AWS/EC2` ← `ec2.amazonaws.com`), or it is counted by a `CloudTrailMetrics` alarm's rule | 0.5 for a network change around resources in a VPC |
//! | `dimensions` | every dimension value of the alarm (`InstanceId=i-…`) appears in its request parameters | the share found |
//! | `resources` | it names the alarm's resource | 0.3 for the same account |
//! | `risk` | it matches a high-risk CIS rule (IAM, security groups, network ACLs, gateways, routes) | per rule, 0.2 otherwise |
//!
//! [`alarm_query`] and [`changes_query`] are the Lake SQL statements that fetch the inputs; [`alarm_from_row`] and
//! [`candidate_from_row`] read their rows.
//!
//! ```
//! use std::time::Duration;
//! use ctlake_changes::alarm::MetricRef;
//! use ctlake_changes::suggest::{AlarmContext, ChangeCandidate, Weights, rank};
//! use time::macros::datetime;
//!
//! let alarm = AlarmContext {
//!     alarm_name: "cpu-high".into(), account_id: None, region: "us-east-1".into(),
//!     at: datetime!(2024-05-01 10:15:00 UTC),
//!     metrics: vec![MetricRef { namespace: "AWS/EC2".into(), metric_name: "CPUUtilization".into(),
//!                               dimensions: vec![("InstanceId".into(), "i-0abc".into())] }],
//! };
//! let change = ChangeCandidate {
//!     id: "e-1".into(), event_time: datetime!(2024-05-01 10:05:00 UTC), event_name: "ModifyInstanceAttribute".into(),
//!     event_source: "ec2.amazonaws.com".into(), region: Some("us-east-1".into()), account_id: None, actor: None,
//!     matched_rules: vec![], parameters: vec![("requestParameters".into(), "{instanceId=i-0abc}".into())],
//!     resources: vec![],
//! };
//! let ranked = rank(&alarm, [change], Duration::from_secs(7200), &Weights::default());
//! assert_eq!(ranked[0].components[3].reason, "InstanceId=i-0abc in requestParameters");
//! ```

mod query;
mod rank;
mod risk;
mod service;

pub use query::{
    MAX_CANDIDATES, Row, RowError, alarm_from_row, alarm_query, candidate_from_row, changes_query,
    event_time_text, sql_string,
};
pub use rank::{
    AlarmContext, ChangeCandidate, Component, MIN_DIMENSION_VALUE_LEN, RankedCause, Weights, human_duration,
    rank,
};
pub use risk::{BASE_RISK, RULE_RISK, risk_of, rules_matching};
pub use service::{
    CLOUDTRAIL_METRIC_RULES, CLOUDTRAIL_METRICS_NAMESPACE, GLOBAL_SOURCES, NAMESPACE_SOURCES, VPC_NAMESPACES,
    rule_for_cloudtrail_metric, sources_for,
};
