//! The saved queries of `ctlake query --saved NAME`: Lake SQL templates over the `{eds}` table.
//!
//! They use only the documented SELECT subset (no time functions), so they run on CloudTrail Lake and on the
//! local Lake alike. They are not bounded in time: on a large store add your own
//! `WHERE eventTime >= '…'` (Lake bills by bytes scanned).

use clap::ValueEnum;

/// The `eventSource` of change events written by `ctlake ingest-changes` (the reserved change source of the
/// event-source catalog).
pub(crate) const CHANGE_EVENT_SOURCE: &str = "changes.ctlake.dev";

/// A saved query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SavedQuery {
    /// The 50 latest events.
    RecentEvents,
    /// The 50 latest change events (from `ctlake ingest-changes`).
    RecentChanges,
    /// Principals by number of events.
    TopActors,
    /// Number of events per eventSource and eventName.
    EventsBySource,
    /// The 50 latest events that carry an errorCode.
    Errors,
}

impl SavedQuery {
    /// The SQL, with `{eds}` for the table.
    pub(crate) fn sql(self) -> String {
        match self {
            Self::RecentEvents => "SELECT eventTime, eventData.eventSource, eventData.eventName, \
                 eventData.userIdentity.principalId, eventData.sourceIPAddress, eventData.UID \
                 FROM {eds} ORDER BY eventTime DESC LIMIT 50"
                .to_owned(),
            Self::RecentChanges => format!(
                "SELECT eventTime, eventData.eventName, eventData.userIdentity.principalId, \
                 element_at(eventData.additionalEventData, 'summary') AS summary, eventData.UID \
                 FROM {{eds}} WHERE eventData.eventSource = '{CHANGE_EVENT_SOURCE}' \
                 ORDER BY eventTime DESC LIMIT 50"
            ),
            Self::TopActors => "SELECT eventData.userIdentity.principalId, eventData.userIdentity.type, \
                 count(*) AS events FROM {eds} \
                 GROUP BY eventData.userIdentity.principalId, eventData.userIdentity.type \
                 ORDER BY events DESC, principalId LIMIT 20"
                .to_owned(),
            Self::EventsBySource => "SELECT eventData.eventSource, eventData.eventName, count(*) AS events \
                 FROM {eds} GROUP BY eventData.eventSource, eventData.eventName \
                 ORDER BY eventSource, events DESC, eventName"
                .to_owned(),
            Self::Errors => {
                "SELECT eventTime, eventData.eventSource, eventData.eventName, eventData.errorCode, \
                 eventData.errorMessage, eventData.userIdentity.principalId \
                 FROM {eds} WHERE eventData.errorCode IS NOT NULL ORDER BY eventTime DESC LIMIT 50"
                    .to_owned()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_saved_query_reads_the_eds_placeholder() {
        for q in SavedQuery::value_variants() {
            assert!(q.sql().contains("FROM {eds}"), "{q:?}");
        }
    }
}
