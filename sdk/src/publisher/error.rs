//! Errors of [`Publisher::publish`](crate::Publisher::publish) and [`try_publish`](crate::Publisher::try_publish).

use super::input::OutgoingEvent;

/// Why `publish` could not queue an event.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PublishError {
    /// The publisher is shutting down or shut down; the event was not queued (and has no outcome).
    #[error("the publisher is shut down")]
    Closed,
}

/// Why `try_publish` could not queue an event. The event comes back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TryPublishError {
    /// The queue is full (the destination's, or the publisher's total); try later or use `publish`, which waits.
    #[error("the publisher's queue is full")]
    Full(OutgoingEvent),
    /// The publisher is shutting down or shut down.
    #[error("the publisher is shut down")]
    Closed(OutgoingEvent),
}

impl TryPublishError {
    /// The event that was not queued.
    pub fn into_event(self) -> OutgoingEvent {
        match self {
            Self::Full(e) | Self::Closed(e) => e,
        }
    }
}
