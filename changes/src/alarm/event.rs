//! [`AlarmEvent`]: one alarm state change as an event of ctlake's reserved alarm source, built with the typed
//! events generated from the catalog (`event-sources/alarms/source.toml`).

use ctlake::{AccountId, AuditEvent, AuditEventId, BuildError, Envelope, EventData, EventTime, UserIdentity};
use ctlake_event_sources::alarms::{AlarmInsufficientData, AlarmResolved, AlarmTriggered};
use serde_json::{Map, Value};

use super::notification::{AlarmNotification, TriggerKind};
use super::state::Transition;

/// `userIdentity.type` of alarm events: the change was made by an AWS service.
pub const USER_IDENTITY_TYPE: &str = "AWSService";

/// `userIdentity.principalId` of alarm events.
pub const USER_IDENTITY_PRINCIPAL: &str = "cloudwatch.amazonaws.com";

/// One alarm state change, classified against the alarm's history.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmEvent {
    /// The notification.
    pub notification: AlarmNotification,
    /// What it means for the alarm's incident.
    pub transition: Transition,
    /// The SNS `MessageId` it came in (or another stable delivery id for raw delivery).
    pub message_id: String,
}

impl AlarmEvent {
    /// `eventName`: `alarm.triggered`, `alarm.resolved` or `alarm.insufficientData`.
    pub fn event_name(&self) -> &'static str {
        match self.transition {
            Transition::Triggered { .. } => AlarmTriggered::EVENT_NAME,
            Transition::Resolved { .. } => AlarmResolved::EVENT_NAME,
            Transition::InsufficientData => AlarmInsufficientData::EVENT_NAME,
        }
    }

    /// `UID`: the alarm's key and the state change time, `arn:aws:cloudwatch:…:alarm:x/2024-03-05T14:32:10.512Z`;
    /// the same state change always has the same UID.
    pub fn uid(&self) -> String {
        format!(
            "{}/{}",
            self.notification.key(),
            self.notification.state_change_time_text()
        )
    }

    /// The `PutAuditEvents` entry id, derived from the SNS `MessageId`: a re-delivered message gets the same id.
    pub fn audit_event_id(&self) -> AuditEventId {
        AuditEventId::derive(&format!("alarms.ctlake.dev/sns/{}", self.message_id))
    }

    /// The `eventData` for a channel owned by `recipient`.
    ///
    /// # Errors
    ///
    /// [`BuildError`] when a value breaks a rule of Lake's schema (e.g. an alarm name over the length caps).
    pub fn to_event_data(&self, recipient: AccountId) -> Result<EventData, BuildError> {
        let n = &self.notification;
        let identity = UserIdentity::builder()
            .r#type(USER_IDENTITY_TYPE)
            .principal_id(USER_IDENTITY_PRINCIPAL)
            .detail("accountId", n.account_id.clone())
            .build()?;
        let envelope = Envelope::new(identity, n.state_change_time, self.uid(), recipient);
        let time = EventTime::from(n.state_change_time);
        let (dimensions, metrics) = metric_fields(n);
        let at = |secs: i64| EventTime::from_unix_timestamp(secs);
        macro_rules! common {
            ($event:expr) => {{
                let mut event = $event;
                if let Some(arn) = &n.alarm_arn {
                    event = event.with_alarm_arn(arn.clone());
                }
                if let Some(description) = &n.alarm_description {
                    event = event.with_alarm_description(description.clone());
                }
                if let TriggerKind::Metric(metric) = &n.kind {
                    event = event
                        .with_namespace(metric.namespace.clone())
                        .with_metric_name(metric.metric_name.clone());
                }
                if let Some(dimensions) = dimensions {
                    event = event.with_dimensions(dimensions);
                }
                if let Some(metrics) = metrics {
                    event = event.with_metrics(metrics);
                }
                event
            }};
        }
        let region = n.region.clone();
        match self.transition {
            Transition::Triggered {
                repeat,
                incident_start,
            } => {
                let mut event = common!(AlarmTriggered::new(
                    n.alarm_name.clone(),
                    n.account_id.clone(),
                    region,
                    n.old_state,
                    n.new_state,
                    n.reason.clone(),
                    time,
                    n.trigger.clone(),
                    repeat,
                ));
                if let Some(start) = incident_start.and_then(at) {
                    event = event.with_incident_start(start);
                }
                event.into_event_data(envelope)
            }
            Transition::Resolved {
                incident_start,
                duration_seconds,
            } => {
                let mut event = common!(AlarmResolved::new(
                    n.alarm_name.clone(),
                    n.account_id.clone(),
                    region,
                    n.old_state,
                    n.new_state,
                    n.reason.clone(),
                    time,
                    n.trigger.clone(),
                ));
                if let Some(start) = incident_start.and_then(at) {
                    event = event.with_incident_start(start);
                }
                if let Some(duration) = duration_seconds {
                    event = event.with_duration_seconds(duration);
                }
                event.into_event_data(envelope)
            }
            Transition::InsufficientData => common!(AlarmInsufficientData::new(
                n.alarm_name.clone(),
                n.account_id.clone(),
                region,
                n.old_state,
                n.new_state,
                n.reason.clone(),
                time,
                n.trigger.clone(),
            ))
            .into_event_data(envelope),
        }
    }

    /// The `PutAuditEvents` entry: [`AlarmEvent::audit_event_id`] and the validated `eventData`.
    ///
    /// # Errors
    ///
    /// [`AlarmEventError`] when the event breaks a rule of Lake's schema or size caps.
    pub fn to_audit_event(&self, recipient: AccountId) -> Result<AuditEvent, AlarmEventError> {
        let data = self.to_event_data(recipient).map_err(AlarmEventError::Build)?;
        AuditEvent::validated(self.audit_event_id(), &data).map_err(AlarmEventError::Invalid)
    }
}

/// An alarm event that cannot be sent to Lake.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AlarmEventError {
    /// A field breaks a rule.
    #[error("alarm event does not fit Lake's schema")]
    Build(#[source] BuildError),
    /// The serialized event breaks a size cap.
    #[error("alarm event does not fit Lake's limits")]
    Invalid(#[source] ctlake::Violations),
}

/// `dimensions` (name → value) of a single-metric alarm.
type Dimensions = Option<Map<String, Value>>;

/// `metrics`: the `Trigger.Metrics` entries of a metric-math alarm, as notified.
type Metrics = Option<Vec<Map<String, Value>>>;

/// The `dimensions` and `metrics` fields of `n`.
fn metric_fields(n: &AlarmNotification) -> (Dimensions, Metrics) {
    match &n.kind {
        TriggerKind::Metric(metric) if !metric.dimensions.is_empty() => (
            Some(
                metric
                    .dimensions
                    .iter()
                    .map(|(name, value)| (name.clone(), Value::from(value.clone())))
                    .collect(),
            ),
            None,
        ),
        TriggerKind::MetricMath { .. } => (
            None,
            n.trigger
                .get("Metrics")
                .and_then(Value::as_array)
                .map(|entries| entries.iter().filter_map(|e| e.as_object().cloned()).collect()),
        ),
        _ => (None, None),
    }
}
