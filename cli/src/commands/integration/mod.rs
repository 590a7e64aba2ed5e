//! `enable-integration` and `disable-integration`: the Lake side of an integration (event data store,
//! channel, channel policy), set up idempotently and torn down on request.
//!
//! Both work as plan-then-apply: every step is recorded as a [`Change`] (reused, created, updated, deleted
//! or unchanged), printed in the result, and with `--dry-run` nothing is applied.

mod bundle;
mod disable;
mod enable;

pub(crate) use disable::run as disable;
pub(crate) use enable::apply as apply_enable;
pub(crate) use enable::run as enable;

use serde::Serialize;

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Change {
    /// What happens: `reuse`, `create`, `update`, `delete`, `unchanged`, `skip`.
    pub(crate) action: &'static str,
    /// Which resource: `event data store`, `channel`, `channel policy`.
    pub(crate) resource: &'static str,
    /// The details, in words.
    pub(crate) detail: String,
}

impl Change {
    /// A step.
    pub(crate) fn new(action: &'static str, resource: &'static str, detail: impl Into<String>) -> Self {
        Self {
            action,
            resource,
            detail: detail.into(),
        }
    }

    /// Whether the step changes something in AWS.
    pub(crate) fn mutates(&self) -> bool {
        matches!(self.action, "create" | "update" | "delete")
    }
}

/// The table of changes.
pub(crate) fn changes_table(changes: &[Change], dry_run: bool) -> String {
    let header = if dry_run { "Planned" } else { "Action" };
    let mut table = crate::output::table::new([header, "Resource", "Detail"]);
    for c in changes {
        table.add_row([c.action.to_owned(), c.resource.to_owned(), c.detail.clone()]);
    }
    table.to_string()
}
