//! The Lake SQL `suggest-causes` runs and how its rows become the ranking's inputs.
//!
//! Both statements use only what the local Lake's SQL subset and CloudTrail Lake both answer: dotted `eventData`
//! fields, `element_at` on the map columns, string comparisons on `eventData.eventTime` (ISO-8601 text sorts by
//! time), a lower bound on the top-level `eventTime` (ingestion is never before the event; the bound keeps the
//! scanned — and billed — range small), `ORDER BY` and `LIMIT`.

use std::collections::HashMap;

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::rank::{AlarmContext, ChangeCandidate};
use super::risk::rules_matching;
use crate::alarm::{EVENT_SOURCE as ALARM_SOURCE, MetricRef};
use crate::normalize::CHANGE_EVENT_SOURCE;

/// Most change events read for one ranking.
pub const MAX_CANDIDATES: usize = 1000;

/// A result row: column name (as the query aliases it, compared case-insensitively) → value (`None` for SQL NULL).
pub type Row = HashMap<String, Option<String>>;

/// A row that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RowError {
    /// A column the query selects is missing or NULL.
    #[error("query result has no value for column `{0}`")]
    Missing(&'static str),
    /// A value of the wrong form.
    #[error("query result column `{column}`: {value:?} is not {expected}")]
    Invalid {
        /// The column.
        column: &'static str,
        /// Its value.
        value: String,
        /// What it must be.
        expected: &'static str,
    },
}

/// A SQL string literal: `'…'` with quotes doubled.
pub fn sql_string(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `yyyy-MM-ddTHH:mm:ssZ` (the form of `eventData.eventTime`).
pub fn event_time_text(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `yyyy-MM-dd HH:mm:ss` (Lake's form for comparisons with the top-level `eventTime` timestamp).
fn timestamp_text(t: OffsetDateTime) -> String {
    event_time_text(t)
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_owned()
}

/// The latest `alarm.triggered` event of `alarm_name` (at or before `at`, when given).
pub fn alarm_query(event_data_store: &str, alarm_name: &str, at: Option<OffsetDateTime>) -> String {
    let at_filter = at.map_or(String::new(), |t| {
        format!(" AND eventData.eventTime <= {}", sql_string(&event_time_text(t)))
    });
    format!(
        "SELECT eventData.eventTime AS event_time, \
         element_at(eventData.requestParameters, 'alarmName') AS alarm_name, \
         element_at(eventData.requestParameters, 'region') AS region, \
         element_at(eventData.requestParameters, 'accountId') AS account_id, \
         element_at(eventData.requestParameters, 'namespace') AS namespace, \
         element_at(eventData.requestParameters, 'metricName') AS metric_name, \
         element_at(eventData.requestParameters, 'dimensions') AS dimensions, \
         element_at(eventData.requestParameters, 'metrics') AS metrics, \
         element_at(eventData.additionalEventData, 'incidentStart') AS incident_start \
         FROM {event_data_store} \
         WHERE eventData.eventSource = {source} AND eventData.eventName = 'alarm.triggered' \
         AND element_at(eventData.requestParameters, 'alarmName') = {name}{at_filter} \
         ORDER BY eventData.eventTime DESC LIMIT 1",
        source = sql_string(ALARM_SOURCE),
        name = sql_string(alarm_name),
    )
}

/// The change events made in `[from, to]`, newest first, at most [`MAX_CANDIDATES`].
pub fn changes_query(event_data_store: &str, from: OffsetDateTime, to: OffsetDateTime) -> String {
    format!(
        "SELECT eventData.UID AS uid, eventData.eventName AS event_name, eventData.eventTime AS event_time, \
         element_at(eventData.additionalEventData, 'event_source') AS aws_event_source, \
         element_at(eventData.additionalEventData, 'aws_region') AS aws_region, \
         element_at(eventData.additionalEventData, 'account') AS account, \
         element_at(eventData.additionalEventData, 'user_name') AS user_name, \
         eventData.userIdentity.principalId AS principal, \
         element_at(eventData.additionalEventData, 'matched_rules') AS matched_rules, \
         eventData.requestParameters AS request_parameters, \
         eventData.additionalEventData AS tags \
         FROM {event_data_store} \
         WHERE eventData.eventSource = {source} AND eventTime >= {lower} \
         AND eventData.eventTime >= {from} AND eventData.eventTime <= {to} \
         ORDER BY eventData.eventTime DESC LIMIT {MAX_CANDIDATES}",
        source = sql_string(CHANGE_EVENT_SOURCE),
        lower = sql_string(&timestamp_text(from)),
        from = sql_string(&event_time_text(from)),
        to = sql_string(&event_time_text(to)),
    )
}

fn get<'a>(row: &'a Row, column: &'static str) -> Option<&'a str> {
    row.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(column))
        .and_then(|(_, v)| v.as_deref())
        .filter(|v| !v.is_empty())
}

fn required<'a>(row: &'a Row, column: &'static str) -> Result<&'a str, RowError> {
    get(row, column).ok_or(RowError::Missing(column))
}

fn time_of(row: &Row, column: &'static str) -> Result<OffsetDateTime, RowError> {
    let text = required(row, column)?;
    OffsetDateTime::parse(text, &Rfc3339).map_err(|_| RowError::Invalid {
        column,
        value: text.to_owned(),
        expected: "a time (yyyy-MM-ddTHH:mm:ssZ)",
    })
}

/// A map value as the query returned it: JSON text (the local Lake), or Trino's `{k=v, …}` rendering.
fn pairs(text: &str) -> Vec<(String, String)> {
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) {
        return map
            .into_iter()
            .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
            .collect();
    }
    text.trim_start_matches('{')
        .trim_end_matches('}')
        .split(", ")
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

/// The alarm of a row of [`alarm_query`]: its metrics from `namespace`/`metricName`/`dimensions` (one metric) or
/// `metrics` (metric math); its time is the incident's start when the row is a repeat of an open incident.
///
/// # Errors
///
/// [`RowError`] when a column is missing or malformed.
pub fn alarm_from_row(row: &Row) -> Result<AlarmContext, RowError> {
    let event_time = time_of(row, "event_time")?;
    let at = match get(row, "incident_start") {
        Some(_) => time_of(row, "incident_start")?,
        None => event_time,
    };
    let mut metrics = Vec::new();
    if let Some(namespace) = get(row, "namespace") {
        metrics.push(MetricRef {
            namespace: namespace.to_owned(),
            metric_name: get(row, "metric_name").unwrap_or_default().to_owned(),
            dimensions: get(row, "dimensions").map(pairs).unwrap_or_default(),
        });
    }
    if let Some(text) = get(row, "metrics") {
        let entries: Vec<Value> = serde_json::from_str(text).map_err(|_| RowError::Invalid {
            column: "metrics",
            value: text.to_owned(),
            expected: "a JSON array",
        })?;
        for entry in entries {
            let Some(metric) = entry.pointer("/MetricStat/Metric") else {
                continue;
            };
            let text = |key: &str| {
                metric
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let dimensions = metric
                .get("Dimensions")
                .and_then(Value::as_array)
                .map(|dims| {
                    dims.iter()
                        .filter_map(|d| {
                            let name = d.get("name").or_else(|| d.get("Name"))?.as_str()?;
                            let value = d.get("value").or_else(|| d.get("Value"))?.as_str()?;
                            Some((name.to_owned(), value.to_owned()))
                        })
                        .collect()
                })
                .unwrap_or_default();
            metrics.push(MetricRef {
                namespace: text("Namespace"),
                metric_name: text("MetricName"),
                dimensions,
            });
        }
    }
    Ok(AlarmContext {
        alarm_name: required(row, "alarm_name")?.to_owned(),
        account_id: get(row, "account_id").map(str::to_owned),
        region: required(row, "region")?.to_owned(),
        at,
        metrics,
    })
}

/// The change of a row of [`changes_query`]. Matched rules are those of the `matched_rules` tag plus the shipped
/// rules its event source and name match.
///
/// # Errors
///
/// [`RowError`] when a column is missing or malformed.
pub fn candidate_from_row(row: &Row) -> Result<ChangeCandidate, RowError> {
    let event_name = required(row, "event_name")?.to_owned();
    let event_source = get(row, "aws_event_source").unwrap_or_default().to_owned();
    let mut matched_rules: Vec<String> = match get(row, "matched_rules") {
        Some(text) => match serde_json::from_str::<Vec<String>>(text) {
            Ok(rules) => rules,
            Err(_) => text
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split(',')
                .map(|r| r.trim().trim_matches('"').to_owned())
                .filter(|r| !r.is_empty())
                .collect(),
        },
        None => Vec::new(),
    };
    // Rules recorded at ingestion depend on the rule sets configured then: add the shipped rules it matches.
    for rule in rules_matching(&event_source, &event_name, &Value::Null) {
        if !matched_rules.iter().any(|r| r == rule) {
            matched_rules.push(rule.to_owned());
        }
    }
    let request_parameters = get(row, "request_parameters").unwrap_or_default();
    let tags = get(row, "tags").unwrap_or_default();
    let resources = pairs(tags)
        .into_iter()
        .filter(|(k, _)| k.starts_with("resources") && k.to_ascii_lowercase().ends_with("_arn"))
        .map(|(_, v)| v)
        .collect();
    Ok(ChangeCandidate {
        id: required(row, "uid")?.to_owned(),
        event_time: time_of(row, "event_time")?,
        event_name,
        event_source,
        region: get(row, "aws_region").map(str::to_owned),
        account_id: get(row, "account").map(str::to_owned),
        actor: get(row, "user_name")
            .or_else(|| get(row, "principal"))
            .map(str::to_owned),
        matched_rules,
        parameters: vec![("requestParameters".to_owned(), request_parameters.to_owned())],
        resources,
    })
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn row(pairs: &[(&str, &str)]) -> Row {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Some((*v).to_owned())))
            .collect()
    }

    #[test]
    fn statements_quote_values_and_bound_the_time() {
        let q = alarm_query("eds-1", "it's high", Some(datetime!(2024-05-01 10:15:00.7 UTC)));
        assert!(q.contains("= 'it''s high'"), "{q}");
        assert!(q.contains("eventData.eventTime <= '2024-05-01T10:15:00Z'"), "{q}");
        assert!(q.contains("FROM eds-1 "), "{q}");
        let q = changes_query(
            "eds-1",
            datetime!(2024-05-01 08:15:00 UTC),
            datetime!(2024-05-01 10:15:00 UTC),
        );
        assert!(
            q.contains("eventData.eventSource = 'changes.ctlake.dev' AND eventTime >= '2024-05-01 08:15:00'"),
            "{q}"
        );
        assert!(q.contains(
            "eventData.eventTime >= '2024-05-01T08:15:00Z' AND eventData.eventTime <= '2024-05-01T10:15:00Z'"
        ));
        assert!(q.ends_with("LIMIT 1000"));
    }

    #[test]
    fn alarm_rows_single_metric_and_metric_math() {
        let single = row(&[
            ("event_time", "2024-05-01T10:20:00Z"),
            ("alarm_name", "cpu-high"),
            ("region", "us-east-1"),
            ("namespace", "AWS/EC2"),
            ("metric_name", "CPUUtilization"),
            ("dimensions", r#"{"InstanceId":"i-1"}"#),
            ("incident_start", "2024-05-01T10:15:00Z"),
        ]);
        let a = alarm_from_row(&single).unwrap();
        assert_eq!(a.at, datetime!(2024-05-01 10:15:00 UTC));
        assert_eq!(
            a.metrics[0].dimensions,
            [("InstanceId".to_owned(), "i-1".to_owned())]
        );
        let math = row(&[
            ("event_time", "2024-05-01T10:20:00Z"),
            ("alarm_name", "net"),
            ("region", "us-east-1"),
            (
                "metrics",
                r#"[{"Id":"e1","Expression":"m1*8"},{"Id":"m1","MetricStat":{"Metric":{"MetricName":"NetworkOut","Namespace":"AWS/EC2","Dimensions":[{"name":"InstanceId","value":"i-2"}]}}}]"#,
            ),
        ]);
        let a = alarm_from_row(&math).unwrap();
        assert_eq!(a.at, datetime!(2024-05-01 10:20:00 UTC));
        assert_eq!(a.metrics.len(), 1);
        assert_eq!(a.metrics[0].namespace, "AWS/EC2");
        // Trino's map rendering is read too.
        let trino = row(&[
            ("event_time", "2024-05-01T10:20:00Z"),
            ("alarm_name", "x"),
            ("region", "r"),
            ("namespace", "AWS/EC2"),
            ("dimensions", "{InstanceId=i-3, AutoScalingGroupName=web}"),
        ]);
        assert_eq!(alarm_from_row(&trino).unwrap().metrics[0].dimensions.len(), 2);
        assert_eq!(
            alarm_from_row(&row(&[("alarm_name", "x")])).unwrap_err(),
            RowError::Missing("event_time")
        );
        let bad = row(&[("event_time", "yesterday"), ("alarm_name", "x"), ("region", "r")]);
        assert!(matches!(
            alarm_from_row(&bad),
            Err(RowError::Invalid {
                column: "event_time",
                ..
            })
        ));
    }

    #[test]
    fn change_rows_read_rules_resources_and_fall_back_to_recomputing() {
        let r = row(&[
            ("UID", "e-1"),
            ("event_name", "AuthorizeSecurityGroupIngress"),
            ("event_time", "2024-05-01T10:10:00Z"),
            ("aws_event_source", "ec2.amazonaws.com"),
            ("aws_region", "us-east-1"),
            ("user_name", "alice"),
            ("request_parameters", "{groupId=sg-1}"),
            (
                "tags",
                "{summary=AuthorizeSecurityGroupIngress, resources0_ARN=arn:aws:ec2:us-east-1:1:security-group/sg-1, resources0_type=AWS::EC2::SecurityGroup}",
            ),
        ]);
        let c = candidate_from_row(&r).unwrap();
        assert_eq!(c.id, "e-1");
        assert_eq!(c.matched_rules, ["security-group-changes"]);
        assert_eq!(c.resources, ["arn:aws:ec2:us-east-1:1:security-group/sg-1"]);
        assert_eq!(c.actor.as_deref(), Some("alice"));
        let mut with_rules = r.clone();
        with_rules.insert("matched_rules".into(), Some(r#"["vpc-changes"]"#.into()));
        assert_eq!(
            candidate_from_row(&with_rules).unwrap().matched_rules,
            ["vpc-changes", "security-group-changes"]
        );
        with_rules.insert(
            "matched_rules".into(),
            Some("[vpc-changes, route-table-changes]".into()),
        );
        assert_eq!(
            candidate_from_row(&with_rules).unwrap().matched_rules,
            ["vpc-changes", "route-table-changes", "security-group-changes"]
        );
    }
}
