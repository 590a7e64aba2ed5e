//! Alarm state tracking: which alarms are in an open incident, so a repeated `ALARM` is a repeat and an `OK`
//! closes the incident with its duration. Kept in a small JSON file so it survives restarts.
//!
//! Rules, per alarm (keyed by ARN, or `account:region:name`):
//! * `ALARM` with no open incident opens one (its start is the state change time); `ALARM` while an incident is
//!   open — or a notification whose `OldStateValue` is already `ALARM` — is a **repeat**.
//! * `OK` closes the open incident and records its duration (whole seconds between the two state change times,
//!   each cut to the second as `eventTime` is). `INSUFFICIENT_DATA` leaves an incident open: only `OK` closes it.
//! * A message seen before (same SNS `MessageId`, among the last [`RECENT_PER_ALARM`] of that alarm) gets the
//!   transition recorded the first time, so a re-delivery produces the same event.
//! * A notification older than the last one applied is classified without changing the state (late delivery).

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::error::StateFileError;
use super::notification::{AlarmNotification, AlarmState};

/// How many recent message ids are remembered per alarm to recognize re-deliveries.
pub const RECENT_PER_ALARM: usize = 32;

/// Version of the state file format.
const FORMAT_VERSION: u32 = 1;

/// What a state change means for the alarm's incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Transition {
    /// Into `ALARM`.
    #[serde(rename_all = "camelCase")]
    Triggered {
        /// Already in an open incident: a repeat, not a new incident.
        repeat: bool,
        /// Start of the incident (unix seconds), when known.
        incident_start: Option<i64>,
    },
    /// Into `OK`.
    #[serde(rename_all = "camelCase")]
    Resolved {
        /// Start of the incident this closes (unix seconds), when one was open.
        incident_start: Option<i64>,
        /// Its duration in seconds, when one was open.
        duration_seconds: Option<i64>,
    },
    /// Into `INSUFFICIENT_DATA`.
    InsufficientData,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Seen {
    message_id: String,
    transition: Transition,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AlarmRecord {
    state: String,
    /// Unix milliseconds of the last applied state change.
    last_change_ms: i64,
    /// Unix seconds of the open incident's start.
    incident_start: Option<i64>,
    recent: VecDeque<Seen>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct StateFile {
    version: u32,
    alarms: BTreeMap<String, AlarmRecord>,
}

/// The state of every alarm seen, optionally backed by a file.
#[derive(Debug, Default)]
pub struct AlarmStateStore {
    path: Option<PathBuf>,
    alarms: BTreeMap<String, AlarmRecord>,
}

fn millis(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn state_text(state: AlarmState) -> String {
    state.as_str().to_owned()
}

impl AlarmStateStore {
    /// A store that lives in memory only.
    pub fn in_memory() -> Self {
        Self::default()
    }

    /// Opens the state file at `path`; a missing file is an empty state (created by [`AlarmStateStore::save`]).
    ///
    /// # Errors
    ///
    /// [`StateFileError`] when the file cannot be read or is not a state file.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, StateFileError> {
        let path = path.into();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self {
                    path: Some(path),
                    alarms: BTreeMap::new(),
                });
            }
            Err(source) => return Err(StateFileError::Io { path, source }),
        };
        let file: StateFile = serde_json::from_str(&text).map_err(|e| StateFileError::Format {
            path: path.clone(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        if file.version != FORMAT_VERSION {
            return Err(StateFileError::Format {
                path,
                line: 1,
                column: 1,
                message: format!(
                    "version {} is not supported (expected {FORMAT_VERSION})",
                    file.version
                ),
            });
        }
        Ok(Self {
            path: Some(path),
            alarms: file.alarms,
        })
    }

    /// The file this store saves to, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Writes the state file (to a temporary file, then renamed over the old one). No-op in memory.
    ///
    /// # Errors
    ///
    /// [`StateFileError::Io`].
    pub fn save(&self) -> Result<(), StateFileError> {
        let Some(path) = &self.path else { return Ok(()) };
        let file = StateFile {
            version: FORMAT_VERSION,
            alarms: self.alarms.clone(),
        };
        let io = |source| StateFileError::Io {
            path: path.clone(),
            source,
        };
        let text = serde_json::to_string_pretty(&file).map_err(|e| io(std::io::Error::other(e)))?;
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// The last known state of the alarm with this key ([`AlarmNotification::key`]).
    pub fn state(&self, key: &str) -> Option<&str> {
        self.alarms.get(key).map(|r| r.state.as_str())
    }

    /// Whether the alarm with this key has an open incident.
    pub fn incident_open(&self, key: &str) -> bool {
        self.alarms.get(key).is_some_and(|r| r.incident_start.is_some())
    }

    /// Applies one notification (delivered as SNS message `message_id`) and says what it means.
    pub fn apply(&mut self, message_id: &str, notification: &AlarmNotification) -> Transition {
        let key = notification.key();
        let at_ms = millis(notification.state_change_time);
        let at_s = notification.state_change_time.unix_timestamp();
        if let Some(seen) = self
            .alarms
            .get(&key)
            .and_then(|r| r.recent.iter().find(|s| s.message_id == message_id))
        {
            return seen.transition;
        }
        let record = self.alarms.entry(key).or_insert_with(|| AlarmRecord {
            state: state_text(notification.old_state),
            last_change_ms: i64::MIN,
            incident_start: None,
            recent: VecDeque::new(),
        });
        let late = at_ms < record.last_change_ms;
        let open = record.incident_start;
        let transition = match notification.new_state {
            AlarmState::Alarm => {
                let repeat = open.is_some() || notification.old_state == AlarmState::Alarm;
                let incident_start = match (open, repeat) {
                    (Some(start), _) => Some(start),
                    (None, true) => None,
                    (None, false) => Some(at_s),
                };
                Transition::Triggered {
                    repeat,
                    incident_start,
                }
            }
            AlarmState::Ok => match open {
                Some(start) if !late => Transition::Resolved {
                    incident_start: Some(start),
                    duration_seconds: Some(at_s.saturating_sub(start).max(0)),
                },
                _ => Transition::Resolved {
                    incident_start: None,
                    duration_seconds: None,
                },
            },
            AlarmState::InsufficientData => Transition::InsufficientData,
        };
        if !late {
            record.state = state_text(notification.new_state);
            record.last_change_ms = at_ms;
            match transition {
                Transition::Triggered { incident_start, .. } => {
                    record.incident_start = record.incident_start.or(incident_start);
                }
                Transition::Resolved { .. } => record.incident_start = None,
                Transition::InsufficientData => {}
            }
        }
        record.recent.push_back(Seen {
            message_id: message_id.to_owned(),
            transition,
        });
        while record.recent.len() > RECENT_PER_ALARM {
            record.recent.pop_front();
        }
        transition
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn n(old: &str, new: &str, time: &str) -> AlarmNotification {
        AlarmNotification::from_value(&json!({"AlarmName":"cpu-high","AWSAccountId":"123456789012",
            "AlarmArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu-high","Region":"US East (N. Virginia)",
            "OldStateValue":old,"NewStateValue":new,"NewStateReason":"r","StateChangeTime":time,
            "Trigger":{"MetricName":"CPUUtilization","Namespace":"AWS/EC2"}}))
        .unwrap()
    }

    const KEY: &str = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu-high";

    #[test]
    fn incident_opens_repeats_and_closes_with_duration() {
        let mut store = AlarmStateStore::in_memory();
        let start = n("OK", "ALARM", "2024-05-01T10:15:00.900+0000");
        let t0 = start.state_change_time.unix_timestamp();
        assert_eq!(
            store.apply("m1", &start),
            Transition::Triggered {
                repeat: false,
                incident_start: Some(t0)
            }
        );
        assert!(store.incident_open(KEY));
        // INSUFFICIENT_DATA does not close it; the next ALARM is a repeat of the same incident.
        assert_eq!(
            store.apply(
                "m2",
                &n("ALARM", "INSUFFICIENT_DATA", "2024-05-01T10:20:00.000+0000")
            ),
            Transition::InsufficientData
        );
        assert_eq!(
            store.apply(
                "m3",
                &n("INSUFFICIENT_DATA", "ALARM", "2024-05-01T10:25:00.000+0000")
            ),
            Transition::Triggered {
                repeat: true,
                incident_start: Some(t0)
            }
        );
        assert_eq!(
            store.apply("m4", &n("ALARM", "OK", "2024-05-01T10:35:30.100+0000")),
            Transition::Resolved {
                incident_start: Some(t0),
                duration_seconds: Some(20 * 60 + 30)
            }
        );
        assert!(!store.incident_open(KEY));
        assert_eq!(store.state(KEY), Some("OK"));
        // A new ALARM is a new incident.
        assert!(matches!(
            store.apply("m5", &n("OK", "ALARM", "2024-05-01T11:00:00.000+0000")),
            Transition::Triggered { repeat: false, .. }
        ));
    }

    #[test]
    fn redelivery_gives_the_same_transition_and_late_messages_change_nothing() {
        let mut store = AlarmStateStore::in_memory();
        let first = store.apply("m1", &n("OK", "ALARM", "2024-05-01T10:15:00.000+0000"));
        assert_eq!(
            store.apply("m1", &n("OK", "ALARM", "2024-05-01T10:15:00.000+0000")),
            first
        );
        let ok = store.apply("m2", &n("ALARM", "OK", "2024-05-01T10:30:00.000+0000"));
        // Re-delivered after the incident closed: still the first answer.
        assert_eq!(
            store.apply("m1", &n("OK", "ALARM", "2024-05-01T10:15:00.000+0000")),
            first
        );
        assert_eq!(
            store.apply("m2", &n("ALARM", "OK", "2024-05-01T10:30:00.000+0000")),
            ok
        );
        // A late, unseen ALARM from before the OK: classified, but the alarm stays OK.
        let late = store.apply("m0", &n("OK", "ALARM", "2024-05-01T10:14:00.000+0000"));
        assert!(matches!(late, Transition::Triggered { repeat: false, .. }));
        assert_eq!(store.state(KEY), Some("OK"));
        assert!(!store.incident_open(KEY));
    }

    #[test]
    fn first_sight_of_an_alarm_already_in_alarm_is_a_repeat() {
        let mut store = AlarmStateStore::in_memory();
        assert_eq!(
            store.apply("m1", &n("ALARM", "ALARM", "2024-05-01T10:15:00.000+0000")),
            Transition::Triggered {
                repeat: true,
                incident_start: None
            }
        );
        // An OK without a known start closes nothing measurable.
        assert_eq!(
            store.apply("m2", &n("ALARM", "OK", "2024-05-01T10:16:00.000+0000")),
            Transition::Resolved {
                incident_start: None,
                duration_seconds: None
            }
        );
    }

    #[test]
    fn state_survives_a_restart_and_bad_files_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alarms.json");
        let mut store = AlarmStateStore::open(&path).unwrap();
        store.apply("m1", &n("OK", "ALARM", "2024-05-01T10:15:00.000+0000"));
        store.save().unwrap();
        let mut reopened = AlarmStateStore::open(&path).unwrap();
        assert!(reopened.incident_open(KEY));
        assert!(matches!(
            reopened.apply("m9", &n("OK", "ALARM", "2024-05-01T10:16:00.000+0000")),
            Transition::Triggered { repeat: true, .. }
        ));
        std::fs::write(&path, "{\"version\": 1,\n \"alarms\": 5}").unwrap();
        let err = AlarmStateStore::open(&path).unwrap_err().to_string();
        assert!(err.contains("alarms.json: line 2"), "{err}");
        std::fs::write(&path, r#"{"version": 9, "alarms": {}}"#).unwrap();
        let err = AlarmStateStore::open(&path).unwrap_err().to_string();
        assert!(err.contains("version 9 is not supported"), "{err}");
    }

    #[test]
    fn recent_ids_are_bounded() {
        let mut store = AlarmStateStore::in_memory();
        for i in 0..(RECENT_PER_ALARM + 10) {
            let minute = i % 60;
            let hour = 10 + i / 60;
            store.apply(
                &format!("m{i}"),
                &n(
                    "OK",
                    "INSUFFICIENT_DATA",
                    &format!("2024-05-01T{hour:02}:{minute:02}:00.000+0000"),
                ),
            );
        }
        assert_eq!(store.alarms[KEY].recent.len(), RECENT_PER_ALARM);
    }
}
