//! [`AlarmIntake`]: alarm notifications → incident state → alarm events → Lake, shared by `ingest-alarms` and
//! `serve-sns`.
//!
//! The deliveries handed over together (one SQS receive, one HTTP POST) are applied to the state in
//! `StateChangeTime` order, so an `ALARM` and the `OK` that closes it give a triggered and a resolved event with
//! its duration however the queue ordered them. The state file is saved after every event has its outcome and
//! before the caller deletes a message: a message that comes again finds its first classification in the
//! state (by SNS `MessageId`) and produces the same event.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use ctlake::OutgoingEvent;
use ctlake_changes::alarm::{AlarmEvent, AlarmNotification, AlarmStateStore, Transition};

use super::publish::{About, Kind, Lake, Outgoing, Settled};
use crate::exit::{CliError, CliResult};

/// One alarm notification, with the id of the SNS message that carried it.
#[derive(Debug, Clone)]
pub(crate) struct Alarm {
    /// The SNS `MessageId` (or the SQS message id for raw delivery).
    pub(crate) message_id: String,
    /// The notification.
    pub(crate) notification: Box<AlarmNotification>,
}

/// Records alarms in Lake, keeping the incident state.
#[derive(Debug)]
pub(crate) struct AlarmIntake {
    state: Mutex<AlarmStateStore>,
    lake: Arc<Lake>,
}

impl AlarmIntake {
    /// Opens the state file (a missing file is an empty state; its folder is created).
    ///
    /// # Errors
    /// 252 when the state file cannot be read or is not a state file, or its folder cannot be created.
    pub(crate) fn open(path: &Path, lake: Arc<Lake>) -> CliResult<Self> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                CliError::usage(format!("--state-file: cannot create {}: {e}", parent.display()))
            })?;
        }
        let state = AlarmStateStore::open(path).map_err(|e| CliError::usage(format!("--state-file: {e}")))?;
        Ok(Self {
            state: Mutex::new(state),
            lake,
        })
    }

    /// Records the alarms of several deliveries (one list per delivery, named by `ids`) and returns, per
    /// delivery, whether it is done. The state file is saved before this returns.
    ///
    /// # Errors
    /// 255 when the state file or the reject file cannot be written: then no delivery is done.
    pub(crate) async fn record(&self, deliveries: Vec<(String, Vec<Alarm>)>) -> CliResult<Vec<Settled>> {
        let mut items: Vec<(usize, &str, Alarm)> = deliveries
            .iter()
            .enumerate()
            .flat_map(|(i, (id, alarms))| alarms.iter().map(move |a| (i, id.as_str(), a.clone())))
            .collect();
        items.sort_by_key(|(_, _, a)| a.notification.state_change_time);
        let events: Vec<(usize, String, AlarmEvent)> = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            items
                .into_iter()
                .map(|(i, delivery, alarm)| {
                    let transition = state.apply(&alarm.message_id, &alarm.notification);
                    let event = AlarmEvent {
                        notification: *alarm.notification,
                        transition,
                        message_id: alarm.message_id,
                    };
                    (i, delivery.to_owned(), event)
                })
                .collect()
        };
        let mut sent: Vec<Vec<_>> = deliveries.iter().map(|_| Vec::new()).collect();
        for (i, delivery, event) in events {
            let repeat = matches!(event.transition, Transition::Triggered { repeat: true, .. });
            let kind = Kind::Alarm {
                name: event.event_name(),
                repeat,
            };
            let id = event.audit_event_id();
            let s = match event.to_event_data(self.lake.recipient().clone()) {
                Ok(data) => {
                    let about = About {
                        id: id.clone(),
                        json: data.to_json(),
                        kind,
                        delivery,
                    };
                    self.lake
                        .send(Outgoing {
                            event: OutgoingEvent::with_id(id, data),
                            about,
                        })
                        .await
                }
                Err(e) => {
                    let about = About {
                        id,
                        json: String::new(),
                        kind,
                        delivery,
                    };
                    let message = format!(
                        "alarm {:?} at {}: {e}",
                        event.notification.alarm_name,
                        event.notification.state_change_time_text()
                    );
                    Lake::refuse_now(about, message)
                }
            };
            if let Some(list) = sent.get_mut(i) {
                list.push(s);
            }
        }
        let settled = futures::future::join_all(sent.into_iter().map(|s| self.lake.settle(s))).await;
        let settled = settled.into_iter().collect::<CliResult<Vec<_>>>()?;
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .save()
            .map_err(|e| CliError::other(format!("cannot save the alarm state: {e}")))?;
        Ok(settled)
    }
}
