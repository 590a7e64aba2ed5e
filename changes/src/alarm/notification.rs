//! The CloudWatch alarm notification (the JSON SNS carries in `Message`, `change-detection.md` §5.4).

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

use super::error::AlarmParseError;
use super::region::{looks_like_region_code, region_code};

pub use ctlake_event_sources::alarms::AlarmState;

/// Reads an alarm state value (`OK`, `ALARM`, `INSUFFICIENT_DATA`).
pub fn parse_state(text: &str) -> Option<AlarmState> {
    match text {
        "OK" => Some(AlarmState::Ok),
        "ALARM" => Some(AlarmState::Alarm),
        "INSUFFICIENT_DATA" => Some(AlarmState::InsufficientData),
        _ => None,
    }
}

/// One metric an alarm watches: its namespace, name and dimensions (name, value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricRef {
    /// `Namespace`, e.g. `AWS/EC2`.
    pub namespace: String,
    /// `MetricName`, e.g. `CPUUtilization`.
    pub metric_name: String,
    /// `Dimensions` as (name, value) pairs, in notification order.
    pub dimensions: Vec<(String, String)>,
}

/// What the alarm evaluates.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TriggerKind {
    /// One metric (`Trigger.MetricName` / `Namespace` / `Dimensions`).
    Metric(MetricRef),
    /// Metric math (`Trigger.Metrics[]`): the metrics the expressions read (`MetricStat.Metric`) and the
    /// expressions.
    MetricMath {
        /// The metrics read by `MetricStat` entries.
        metrics: Vec<MetricRef>,
        /// The `Expression` strings.
        expressions: Vec<String>,
    },
    /// Neither (e.g. a composite alarm): only the raw trigger is kept.
    Other,
}

impl TriggerKind {
    /// Every metric the alarm reads.
    pub fn metrics(&self) -> &[MetricRef] {
        match self {
            Self::Metric(metric) => std::slice::from_ref(metric),
            Self::MetricMath { metrics, .. } => metrics,
            Self::Other => &[],
        }
    }
}

/// A CloudWatch alarm state-change notification.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmNotification {
    /// `AlarmName`.
    pub alarm_name: String,
    /// `AlarmDescription` (may be `null`).
    pub alarm_description: Option<String>,
    /// `AWSAccountId`.
    pub account_id: String,
    /// `AlarmArn` (older notifications omit it).
    pub alarm_arn: Option<String>,
    /// The region code: from `AlarmArn` when it has one, else from the long name in `Region`, else `Region` as is.
    pub region: String,
    /// `Region` as written (the long name, e.g. `Canada (Central)`).
    pub region_name: Option<String>,
    /// `OldStateValue`.
    pub old_state: AlarmState,
    /// `NewStateValue`.
    pub new_state: AlarmState,
    /// `NewStateReason`.
    pub reason: String,
    /// `StateChangeTime`, parsed (`2015-06-03T17:43:27.123+0000`).
    pub state_change_time: OffsetDateTime,
    /// `Trigger` as notified.
    pub trigger: Map<String, Value>,
    /// What the trigger evaluates.
    pub kind: TriggerKind,
}

impl AlarmNotification {
    /// Whether `value` looks like an alarm notification (`AlarmName` + `NewStateValue` + `Trigger`,
    /// `change-detection.md` §5.7 step 4).
    pub fn looks_like(value: &Value) -> bool {
        value.get("AlarmName").is_some()
            && value.get("NewStateValue").is_some()
            && value.get("Trigger").is_some()
    }

    /// Parses the `Message` text of an alarm notification.
    ///
    /// # Errors
    ///
    /// [`AlarmParseError`] naming the field and the rule.
    pub fn parse(text: &str) -> Result<Self, AlarmParseError> {
        let value: Value = serde_json::from_str(text).map_err(|e| AlarmParseError::NotJson {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        Self::from_value(&value)
    }

    /// Reads an alarm notification from parsed JSON.
    ///
    /// # Errors
    ///
    /// [`AlarmParseError`] naming the field and the rule.
    pub fn from_value(value: &Value) -> Result<Self, AlarmParseError> {
        let map = value.as_object().ok_or(AlarmParseError::NotAnObject)?;
        let state = |field: &'static str| -> Result<AlarmState, AlarmParseError> {
            let text = required(map, field)?;
            parse_state(&text).ok_or(AlarmParseError::InvalidState { field, value: text })
        };
        let alarm_name = required(map, "AlarmName")?;
        let account_id = required(map, "AWSAccountId")?;
        let new_state = state("NewStateValue")?;
        let old_state = state("OldStateValue")?;
        let alarm_arn = optional(map, "AlarmArn")?;
        let region_name = optional(map, "Region")?;
        let arn_region = alarm_arn
            .as_deref()
            .and_then(|arn| arn.split(':').nth(3))
            .filter(|r| !r.is_empty())
            .map(str::to_owned);
        let region = match (&arn_region, &region_name) {
            (Some(r), _) if looks_like_region_code(r) => r.clone(),
            (_, Some(name)) if region_code(name).is_some() => {
                region_code(name).unwrap_or_default().to_owned()
            }
            (Some(r), _) => r.clone(),
            (None, Some(name)) => name.clone(),
            (None, None) => return Err(AlarmParseError::MissingField { field: "Region" }),
        };
        let time_text = required(map, "StateChangeTime")?;
        let state_change_time = parse_time(&time_text).ok_or(AlarmParseError::InvalidTime {
            field: "StateChangeTime",
            value: time_text,
        })?;
        let trigger = match map.get("Trigger") {
            Some(Value::Object(trigger)) => trigger.clone(),
            None | Some(Value::Null) => return Err(AlarmParseError::MissingField { field: "Trigger" }),
            Some(_) => {
                return Err(AlarmParseError::WrongType {
                    field: "Trigger",
                    expected: "an object",
                });
            }
        };
        let kind = trigger_kind(&trigger)?;
        Ok(Self {
            alarm_name,
            alarm_description: optional(map, "AlarmDescription")?,
            account_id,
            alarm_arn,
            region,
            region_name,
            old_state,
            new_state,
            reason: required(map, "NewStateReason")?,
            state_change_time,
            trigger,
            kind,
        })
    }

    /// A stable key for the alarm: its ARN, or `account:region:name` without one.
    pub fn key(&self) -> String {
        match &self.alarm_arn {
            Some(arn) => arn.clone(),
            None => format!("{}:{}:{}", self.account_id, self.region, self.alarm_name),
        }
    }

    /// `StateChangeTime` in UTC with milliseconds, `2024-03-05T14:32:10.512Z`.
    pub fn state_change_time_text(&self) -> String {
        let t = self.state_change_time.to_offset(time::UtcOffset::UTC);
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        )
    }
}

/// `2015-06-03T17:43:27.123+0000` (CloudWatch's form), or RFC 3339.
fn parse_time(text: &str) -> Option<OffsetDateTime> {
    let cloudwatch = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond][offset_hour sign:mandatory][offset_minute]"
    );
    let cloudwatch_seconds = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"
    );
    OffsetDateTime::parse(text, cloudwatch)
        .or_else(|_| OffsetDateTime::parse(text, cloudwatch_seconds))
        .or_else(|_| OffsetDateTime::parse(text, &Rfc3339))
        .ok()
}

fn trigger_kind(trigger: &Map<String, Value>) -> Result<TriggerKind, AlarmParseError> {
    if let Some(metrics) = trigger.get("Metrics") {
        let entries = metrics.as_array().ok_or(AlarmParseError::WrongType {
            field: "Trigger.Metrics",
            expected: "an array",
        })?;
        let mut refs = Vec::new();
        let mut expressions = Vec::new();
        for entry in entries {
            if let Some(expression) = entry.get("Expression").and_then(Value::as_str) {
                expressions.push(expression.to_owned());
            }
            if let Some(metric) = entry.pointer("/MetricStat/Metric").and_then(Value::as_object) {
                refs.push(metric_ref(metric, "Trigger.Metrics[].MetricStat.Metric")?);
            }
        }
        return Ok(TriggerKind::MetricMath {
            metrics: refs,
            expressions,
        });
    }
    if trigger.contains_key("MetricName") {
        return Ok(TriggerKind::Metric(metric_ref(trigger, "Trigger")?));
    }
    Ok(TriggerKind::Other)
}

fn metric_ref(map: &Map<String, Value>, at: &'static str) -> Result<MetricRef, AlarmParseError> {
    let text = |key: &str| {
        map.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut dimensions = Vec::new();
    match map.get("Dimensions") {
        None | Some(Value::Null) => {}
        Some(Value::Array(entries)) => {
            for entry in entries {
                // Notifications spell the keys `name`/`value`; accept `Name`/`Value` too.
                let get = |lower: &str, upper: &str| {
                    entry
                        .get(lower)
                        .or_else(|| entry.get(upper))
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                };
                match (get("name", "Name"), get("value", "Value")) {
                    (Some(name), Some(value)) => dimensions.push((name, value)),
                    _ => {
                        return Err(AlarmParseError::WrongType {
                            field: at,
                            expected: "Dimensions entries with string `name` and `value`",
                        });
                    }
                }
            }
        }
        Some(_) => {
            return Err(AlarmParseError::WrongType {
                field: at,
                expected: "a Dimensions array",
            });
        }
    }
    Ok(MetricRef {
        namespace: text("Namespace"),
        metric_name: text("MetricName"),
        dimensions,
    })
}

fn optional(map: &Map<String, Value>, field: &'static str) -> Result<Option<String>, AlarmParseError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(AlarmParseError::WrongType {
            field,
            expected: "a string",
        }),
    }
}

fn required(map: &Map<String, Value>, field: &'static str) -> Result<String, AlarmParseError> {
    optional(map, field)?.ok_or(AlarmParseError::MissingField { field })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn alarm() -> Value {
        json!({"AlarmName":"Test alarm","AlarmDescription":null,"AWSAccountId":"017790921725",
            "AlarmConfigurationUpdatedTimestamp":"2022-09-25T18:48:56.505+0000","NewStateValue":"ALARM",
            "NewStateReason":"Threshold Crossed","StateChangeTime":"2022-09-25T18:50:37.811+0000",
            "Region":"Canada (Central)","AlarmArn":"arn:aws:cloudwatch:ca-central-1:017790921725:alarm:Test alarm",
            "OldStateValue":"INSUFFICIENT_DATA","OKActions":[],"AlarmActions":["arn:aws:sns:x"],
            "Trigger":{"MetricName":"ConcurrentExecutions","Namespace":"AWS/Lambda","StatisticType":"Statistic",
              "Statistic":"SUM","Unit":null,"Dimensions":[{"value":"my-fn","name":"FunctionName"}],"Period":60,
              "EvaluationPeriods":1,"ComparisonOperator":"GreaterThanThreshold","Threshold":5.0,
              "TreatMissingData":"missing","EvaluateLowSampleCountPercentile":""}})
    }

    #[test]
    fn documented_capture_parses() {
        let n = AlarmNotification::from_value(&alarm()).unwrap();
        assert_eq!(n.alarm_name, "Test alarm");
        assert_eq!(n.alarm_description, None);
        assert_eq!(n.region, "ca-central-1");
        assert_eq!(n.region_name.as_deref(), Some("Canada (Central)"));
        assert_eq!(
            (n.old_state, n.new_state),
            (AlarmState::InsufficientData, AlarmState::Alarm)
        );
        assert_eq!(n.state_change_time_text(), "2022-09-25T18:50:37.811Z");
        assert_eq!(
            n.kind,
            TriggerKind::Metric(MetricRef {
                namespace: "AWS/Lambda".into(),
                metric_name: "ConcurrentExecutions".into(),
                dimensions: vec![("FunctionName".into(), "my-fn".into())],
            })
        );
        assert_eq!(
            n.key(),
            "arn:aws:cloudwatch:ca-central-1:017790921725:alarm:Test alarm"
        );
    }

    #[test]
    fn region_from_long_name_without_arn_and_offsets_are_honoured() {
        let mut v = alarm();
        v.as_object_mut().unwrap().remove("AlarmArn");
        v["Region"] = json!("Asia Pacific (Singapore)");
        v["StateChangeTime"] = json!("2022-09-25T20:50:37.811+0200");
        let n = AlarmNotification::from_value(&v).unwrap();
        assert_eq!(n.region, "ap-southeast-1");
        assert_eq!(n.state_change_time_text(), "2022-09-25T18:50:37.811Z");
        assert_eq!(n.key(), "017790921725:ap-southeast-1:Test alarm");
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (
                "NewStateValue",
                json!("BROKEN"),
                "alarm notification: `NewStateValue` is \"BROKEN\", expected OK, ALARM or INSUFFICIENT_DATA",
            ),
            (
                "StateChangeTime",
                json!("yesterday"),
                "alarm notification: `StateChangeTime` \"yesterday\" is not a time (2015-06-03T17:43:27.123+0000)",
            ),
            (
                "AlarmName",
                json!(null),
                "alarm notification: field `AlarmName` is required",
            ),
            (
                "AWSAccountId",
                json!(1),
                "alarm notification: field `AWSAccountId` must be a string",
            ),
            (
                "Trigger",
                json!([]),
                "alarm notification: field `Trigger` must be an object",
            ),
        ];
        for (field, value, message) in cases {
            let mut v = alarm();
            v[field] = value;
            assert_eq!(
                AlarmNotification::from_value(&v).unwrap_err().to_string(),
                message
            );
        }
        let mut v = alarm();
        v["Trigger"]["Dimensions"] = json!([{"name": 1}]);
        assert!(AlarmNotification::from_value(&v).is_err());
        assert!(matches!(
            AlarmNotification::parse("{"),
            Err(AlarmParseError::NotJson { .. })
        ));
    }

    #[test]
    fn treat_missing_data_oddities_and_unknown_triggers_are_kept_raw() {
        let mut v = alarm();
        v["Trigger"] = json!({"TreatMissingData":"- TreatMissingData: Breaching"});
        let n = AlarmNotification::from_value(&v).unwrap();
        assert_eq!(n.kind, TriggerKind::Other);
        assert!(n.kind.metrics().is_empty());
        assert_eq!(n.trigger["TreatMissingData"], "- TreatMissingData: Breaching");
        assert!(AlarmNotification::looks_like(&alarm()));
        assert!(!AlarmNotification::looks_like(&json!({"AlarmName":"x"})));
    }
}
