//! The checks an [`EventData`] value still needs after it was built: the size caps of its JSON-object fields
//! and, against a channel, the recipient account.

use super::error::{Rule, Violation, Violations};
use super::{limits, rules};
use crate::event::json::{self, ObjectSizes};
use crate::event::path;
use crate::{ChannelArn, EventData};

/// Checks measured object sizes against their caps; every field over its cap is reported.
pub(crate) fn check_sizes(sizes: &ObjectSizes) -> Result<(), Violations> {
    let mut v = Vec::new();
    size_violations(sizes, &mut v);
    Violations::check(v)
}

fn size_violations(sizes: &ObjectSizes, out: &mut Vec<Violation>) {
    let caps = [
        (
            sizes.request_parameters,
            path::REQUEST_PARAMETERS,
            limits::MAX_REQUEST_PARAMETERS_BYTES,
        ),
        (
            sizes.response_elements,
            path::RESPONSE_ELEMENTS,
            limits::MAX_RESPONSE_ELEMENTS_BYTES,
        ),
        (
            sizes.additional_event_data,
            path::ADDITIONAL_EVENT_DATA,
            limits::MAX_ADDITIONAL_EVENT_DATA_BYTES,
        ),
    ];
    for (size, path, max) in caps {
        if let Some(Err(rule)) = size.map(|n| rules::object_size(n, max)) {
            out.push(Violation::new(path, rule));
        }
    }
}

impl EventData {
    /// Checks the rules a built event can still break: `requestParameters` and `responseElements` at most
    /// [100 kB](limits::MAX_REQUEST_PARAMETERS_BYTES) and `additionalEventData` at most
    /// [28 kB](limits::MAX_ADDITIONAL_EVENT_DATA_BYTES), measured as compact JSON bytes. (Every other rule
    /// holds for any `EventData` value: the builder and deserialization enforce them.)
    ///
    /// Measures without allocating. When the event is about to be sent, [`AuditEvent::validated`](crate::AuditEvent::validated)
    /// does the same check while serializing, in one pass.
    ///
    /// # Errors
    ///
    /// [`Violations`] with every field over its cap.
    pub fn validate(&self) -> Result<(), Violations> {
        check_sizes(&json::object_sizes(self))
    }

    /// [`validate`](Self::validate), plus: `recipientAccountId` must be the account that owns `channel`
    /// (CloudTrail rejects other events with `InvalidRecipient`).
    ///
    /// # Errors
    ///
    /// [`Violations`] with every problem, including [`Rule::RecipientMismatch`] at
    /// `eventData.recipientAccountId`.
    pub fn validate_for_channel(&self, channel: &ChannelArn) -> Result<(), Violations> {
        let mut v: Vec<Violation> = recipient_violation(self, channel).into_iter().collect();
        size_violations(&json::object_sizes(self), &mut v);
        v.sort_by_key(|violation| schema_position(violation.path()));
        Violations::check(v)
    }
}

/// [`Rule::RecipientMismatch`] when `event`'s recipient is not `channel`'s owner.
pub(crate) fn recipient_violation(event: &EventData, channel: &ChannelArn) -> Option<Violation> {
    (event.recipient_account_id() != channel.account_id()).then(|| {
        Violation::new(
            path::RECIPIENT_ACCOUNT_ID,
            Rule::RecipientMismatch {
                recipient: event.recipient_account_id().clone(),
                channel_account: channel.account_id().clone(),
            },
        )
    })
}

/// Orders violations like the schema's fields.
fn schema_position(p: &str) -> usize {
    [
        path::REQUEST_PARAMETERS,
        path::RESPONSE_ELEMENTS,
        path::RECIPIENT_ACCOUNT_ID,
        path::ADDITIONAL_EVENT_DATA,
    ]
    .iter()
    .position(|q| *q == p)
    .unwrap_or(usize::MAX)
}
