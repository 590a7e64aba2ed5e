//! CloudWatch alarm notifications → alarm events of ctlake's reserved alarm source [`EVENT_SOURCE`]
//! (`alarms.ctlake.dev`, declared in `event-sources/alarms/source.toml`).
//!
//! * [`AlarmNotification`]: the alarm JSON SNS carries (`change-detection.md` §5.4), single-metric and metric-math
//!   triggers, CloudWatch's `+0000` timestamps, the region code from `AlarmArn` or the long name.
//! * [`read_alarm_messages`]: finds alarm notifications in SNS envelopes (non-raw delivery), raw bodies and Lambda
//!   SNS events.
//! * [`AlarmStateStore`]: per-alarm incident tracking in a small JSON file — a repeated `ALARM` is a repeat, `OK`
//!   closes the incident with its duration, re-deliveries give the same answer.
//! * [`AlarmEvent`]: one classified state change as `eventData` (`alarm.triggered`, `alarm.resolved`,
//!   `alarm.insufficientData`), with a `PutAuditEvents` id derived from the SNS `MessageId`.
//!
//! ```
//! use ctlake_changes::alarm::{AlarmEvent, AlarmMessage, AlarmStateStore, read_alarm_messages};
//!
//! let body = r#"{"AlarmName":"cpu-high","AWSAccountId":"123456789012","NewStateValue":"ALARM",
//!   "OldStateValue":"OK","NewStateReason":"Threshold Crossed","StateChangeTime":"2024-05-01T10:15:00.123+0000",
//!   "Region":"US East (N. Virginia)","AlarmArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu-high",
//!   "Trigger":{"MetricName":"CPUUtilization","Namespace":"AWS/EC2","Dimensions":[{"name":"InstanceId","value":"i-1"}]}}"#;
//! let mut state = AlarmStateStore::in_memory();
//! for message in read_alarm_messages(body, "sqs-message-1")? {
//!     if let AlarmMessage::Alarm { message_id, notification } = message {
//!         let transition = state.apply(&message_id, &notification);
//!         let event = AlarmEvent { notification: *notification, transition, message_id };
//!         let data = event.to_event_data("123456789012".parse()?)?;
//!         assert_eq!(data.event_name().as_str(), "alarm.triggered");
//!         assert_eq!(data.request_parameters().unwrap()["region"], "us-east-1");
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod event;
mod intake;
mod notification;
mod region;
mod state;

pub use error::{AlarmParseError, StateFileError};
pub use event::{AlarmEvent, AlarmEventError, USER_IDENTITY_PRINCIPAL, USER_IDENTITY_TYPE};
pub use intake::{AlarmMessage, IntakeError, from_sns, read_alarm_messages};
pub use notification::{AlarmNotification, AlarmState, MetricRef, TriggerKind, parse_state};
pub use region::{REGION_NAMES, looks_like_region_code, region_code};
pub use state::{AlarmStateStore, RECENT_PER_ALARM, Transition};

/// The reserved `eventSource` of ctlake's alarm events.
pub const EVENT_SOURCE: &str = ctlake_event_sources::alarms::EVENT_SOURCE;
