//! The hand-off bundle: what the account owner gives the publisher (the vendor) after `enable-integration`.

use serde::Serialize;

use super::{Change, changes_table};
use crate::output::{Report, table};

/// The result of `enable-integration`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Bundle {
    /// The channel the publisher sends to (`None` only in a dry run that would create it).
    pub(crate) channel_arn: Option<String>,
    /// The channel's name.
    pub(crate) channel_name: String,
    /// The channel's source.
    pub(crate) source: String,
    /// The account that owns the channel: every event's `recipientAccountId`.
    pub(crate) account_id: Option<String>,
    /// The Region.
    pub(crate) region: String,
    /// The external ID the publisher must send, if the policy requires one.
    pub(crate) external_id: Option<String>,
    /// Whether ctlake generated the external ID in this run.
    pub(crate) external_id_generated: bool,
    /// Who may publish.
    pub(crate) principals: Vec<String>,
    /// The event data store receiving the events.
    pub(crate) event_data_store_arn: Option<String>,
    /// Its name.
    pub(crate) event_data_store_name: String,
    /// Whether this run changed anything (or, in a dry run, would).
    pub(crate) changed: bool,
    /// Whether this was a dry run.
    pub(crate) dry_run: bool,
    /// Every step.
    pub(crate) changes: Vec<Change>,
}

fn or_none(v: Option<&str>) -> String {
    v.unwrap_or("None").to_owned()
}

impl Report for Bundle {
    fn table(&self) -> String {
        let pending = |v: Option<&str>| v.map_or_else(|| "(created when applied)".to_owned(), str::to_owned);
        let facts = table::key_values([
            ("Channel ARN", pending(self.channel_arn.as_deref())),
            ("Channel name", self.channel_name.clone()),
            ("Source", self.source.clone()),
            (
                "Account (recipientAccountId)",
                pending(self.account_id.as_deref()),
            ),
            ("Region", self.region.clone()),
            (
                "External ID",
                match (&self.external_id, self.external_id_generated) {
                    (Some(id), true) => format!("{id} (generated)"),
                    (Some(id), false) => id.clone(),
                    (None, _) => "None".to_owned(),
                },
            ),
            ("Principals", self.principals.join("\n")),
            ("Event data store", pending(self.event_data_store_arn.as_deref())),
        ]);
        format!("{facts}\n{}", changes_table(&self.changes, self.dry_run))
    }

    /// `channelArn accountId region externalId eventDataStoreArn` (absent values as `None`, as the AWS CLI).
    fn text(&self) -> Vec<String> {
        vec![
            or_none(self.channel_arn.as_deref()),
            or_none(self.account_id.as_deref()),
            self.region.clone(),
            or_none(self.external_id.as_deref()),
            or_none(self.event_data_store_arn.as_deref()),
        ]
    }
}

/// The result of `disable-integration`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Teardown {
    /// The channel.
    pub(crate) channel_arn: String,
    /// Whether this run changed anything (or, in a dry run, would).
    pub(crate) changed: bool,
    /// Whether this was a dry run.
    pub(crate) dry_run: bool,
    /// Every step.
    pub(crate) changes: Vec<Change>,
}

impl Report for Teardown {
    fn table(&self) -> String {
        changes_table(&self.changes, self.dry_run)
    }

    /// `channelArn changed` (`True`/`False`).
    fn text(&self) -> Vec<String> {
        vec![
            self.channel_arn.clone(),
            if self.changed { "True" } else { "False" }.to_owned(),
        ]
    }
}
