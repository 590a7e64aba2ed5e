//! Completion tracking: an object is done when it was read to the end and every change from it has a final
//! outcome; an SQS message is done when all its objects are.
//!
//! Every change handed to the consumer carries a [`Ticket`]. The consumer reports the final outcome
//! ([`Ticket::accepted`], [`Ticket::rejected`]); a ticket dropped without an outcome marks its object as failed,
//! so the object is not checkpointed and its SQS message is not deleted: SQS delivers it again later and nothing
//! is lost.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;

use crate::read::LogObject;

/// The final outcome of one change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Lake accepted the event (or, in a dry run, it was printed).
    Accepted,
    /// Lake rejected the event for good (the consumer keeps it, e.g. in a reject file).
    Rejected,
}

/// Proof that a change still needs a final outcome. Report it with [`accepted`](Self::accepted),
/// [`rejected`](Self::rejected) or [`complete`](Self::complete); dropping it without one counts the change as
/// unfinished and keeps its object and message for a later run.
#[derive(Debug)]
#[must_use = "a change's ticket must be completed, or its object counts as unfinished"]
pub struct Ticket {
    tracker: Arc<Tracker>,
    object: u64,
    done: bool,
}

impl Ticket {
    /// The change was accepted.
    pub fn accepted(self) {
        self.complete(Outcome::Accepted);
    }

    /// The change was rejected for good.
    pub fn rejected(self) {
        self.complete(Outcome::Rejected);
    }

    /// Reports the final outcome.
    pub fn complete(mut self, outcome: Outcome) {
        self.done = true;
        self.tracker.settle(self.object, Some(outcome));
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if !self.done {
            self.tracker.settle(self.object, None);
        }
    }
}

/// Shared completion state.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    state: Mutex<State>,
    pub(crate) changed: Notify,
}

#[derive(Debug, Default)]
struct State {
    next_id: u64,
    objects: HashMap<u64, ObjectState>,
    messages: HashMap<u64, MessageState>,
    accepted: usize,
    rejected: usize,
    unfinished: usize,
    done_objects: Vec<DoneObject>,
    done_messages: Vec<DoneMessage>,
}

#[derive(Debug)]
struct ObjectState {
    object: LogObject,
    message: Option<u64>,
    pending: usize,
    read: Option<(usize, usize)>,
    failed: bool,
}

#[derive(Debug)]
struct MessageState {
    receipt_handle: String,
    message_id: String,
    objects_left: usize,
    failed: bool,
}

/// An object whose changes all have final outcomes.
#[derive(Debug)]
pub(crate) struct DoneObject {
    pub(crate) object: LogObject,
    /// `(records, changes)`, `None` when the object failed (read error, stopped, or an unfinished change).
    pub(crate) counts: Option<(usize, usize)>,
}

/// A message whose objects are all done.
#[derive(Debug)]
pub(crate) struct DoneMessage {
    pub(crate) receipt_handle: String,
    pub(crate) message_id: String,
    /// Every object succeeded: the message may be deleted.
    pub(crate) succeeded: bool,
}

/// Counters of ticket outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Outcomes {
    pub(crate) accepted: usize,
    pub(crate) rejected: usize,
    pub(crate) unfinished: usize,
}

impl Tracker {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers an SQS message that will have `objects` objects registered under it.
    pub(crate) fn add_message(&self, message_id: &str, receipt_handle: &str, objects: usize) -> u64 {
        let mut state = self.lock();
        let id = state.next_id;
        state.next_id += 1;
        state.messages.insert(
            id,
            MessageState {
                receipt_handle: receipt_handle.to_owned(),
                message_id: message_id.to_owned(),
                objects_left: objects,
                failed: false,
            },
        );
        if objects == 0 {
            finish_message(&mut state, id);
        }
        drop(state);
        self.changed.notify_one();
        id
    }

    /// Registers an object about to be read.
    pub(crate) fn add_object(&self, object: LogObject, message: Option<u64>) -> u64 {
        let mut state = self.lock();
        let id = state.next_id;
        state.next_id += 1;
        state.objects.insert(
            id,
            ObjectState {
                object,
                message,
                pending: 0,
                read: None,
                failed: false,
            },
        );
        id
    }

    /// A ticket for one more change of `object`.
    pub(crate) fn ticket(self: &Arc<Self>, object: u64) -> Ticket {
        if let Some(o) = self.lock().objects.get_mut(&object) {
            o.pending += 1;
        }
        Ticket {
            tracker: Arc::clone(self),
            object,
            done: false,
        }
    }

    /// The object was read: to the end (`failed` false, with its record and change counts) or not.
    pub(crate) fn object_read(&self, object: u64, records: usize, changes: usize, failed: bool) {
        let mut state = self.lock();
        if let Some(o) = state.objects.get_mut(&object) {
            o.read = Some((records, changes));
            o.failed |= failed;
        }
        try_finish_object(&mut state, object);
        drop(state);
        self.changed.notify_one();
    }

    /// A ticket ended, with an outcome or abandoned.
    fn settle(&self, object: u64, outcome: Option<Outcome>) {
        let mut state = self.lock();
        match outcome {
            Some(Outcome::Accepted) => state.accepted += 1,
            Some(Outcome::Rejected) => state.rejected += 1,
            None => state.unfinished += 1,
        }
        if let Some(o) = state.objects.get_mut(&object) {
            o.pending = o.pending.saturating_sub(1);
            o.failed |= outcome.is_none();
        }
        try_finish_object(&mut state, object);
        drop(state);
        self.changed.notify_one();
    }

    /// Takes the objects and messages finished since the last call.
    pub(crate) fn take_done(&self) -> (Vec<DoneObject>, Vec<DoneMessage>) {
        let mut state = self.lock();
        (
            std::mem::take(&mut state.done_objects),
            std::mem::take(&mut state.done_messages),
        )
    }

    /// Receipt handles of the messages still in flight.
    pub(crate) fn messages_in_flight(&self) -> Vec<String> {
        self.lock()
            .messages
            .values()
            .map(|m| m.receipt_handle.clone())
            .collect()
    }

    /// Whether every registered object and message is finished and taken.
    pub(crate) fn is_idle(&self) -> bool {
        let state = self.lock();
        state.objects.is_empty()
            && state.messages.is_empty()
            && state.done_objects.is_empty()
            && state.done_messages.is_empty()
    }

    pub(crate) fn outcomes(&self) -> Outcomes {
        let state = self.lock();
        Outcomes {
            accepted: state.accepted,
            rejected: state.rejected,
            unfinished: state.unfinished,
        }
    }
}

fn try_finish_object(state: &mut State, id: u64) {
    let ready = state
        .objects
        .get(&id)
        .is_some_and(|o| o.read.is_some() && o.pending == 0);
    if !ready {
        return;
    }
    let Some(o) = state.objects.remove(&id) else {
        return;
    };
    let counts = if o.failed { None } else { o.read };
    if let Some(message) = o.message
        && let Some(m) = state.messages.get_mut(&message)
    {
        m.objects_left = m.objects_left.saturating_sub(1);
        m.failed |= counts.is_none();
        if m.objects_left == 0 {
            finish_message(state, message);
        }
    }
    state.done_objects.push(DoneObject {
        object: o.object,
        counts,
    });
}

fn finish_message(state: &mut State, id: u64) {
    if let Some(m) = state.messages.remove(&id) {
        state.done_messages.push(DoneMessage {
            receipt_handle: m.receipt_handle,
            message_id: m.message_id,
            succeeded: !m.failed,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::ObjectRef;

    fn object(key: &str) -> LogObject {
        LogObject::new(ObjectRef::s3("b", key))
    }

    #[test]
    fn a_message_is_done_when_every_change_of_every_object_has_an_outcome() {
        let tracker = Arc::new(Tracker::default());
        let message = tracker.add_message("m1", "r1", 2);
        let a = tracker.add_object(object("a"), Some(message));
        let b = tracker.add_object(object("b"), Some(message));
        let t1 = tracker.ticket(a);
        let t2 = tracker.ticket(a);
        tracker.object_read(a, 10, 2, false);
        let t3 = tracker.ticket(b);
        tracker.object_read(b, 5, 1, false);
        t1.accepted();
        assert!(tracker.take_done().0.is_empty());
        t2.rejected();
        let (objects, messages) = tracker.take_done();
        assert_eq!(objects.len(), 1);
        assert_eq!(objects[0].counts, Some((10, 2)));
        assert!(messages.is_empty(), "b still has a change in flight");
        t3.accepted();
        let (objects, messages) = tracker.take_done();
        assert_eq!(objects[0].counts, Some((5, 1)));
        assert_eq!(messages.len(), 1);
        assert!(messages[0].succeeded);
        assert_eq!(messages[0].receipt_handle, "r1");
        assert!(tracker.is_idle());
        assert_eq!(
            tracker.outcomes(),
            Outcomes {
                accepted: 2,
                rejected: 1,
                unfinished: 0
            }
        );
    }

    #[test]
    fn a_dropped_ticket_fails_its_object_and_message() {
        let tracker = Arc::new(Tracker::default());
        let message = tracker.add_message("m1", "r1", 1);
        let a = tracker.add_object(object("a"), Some(message));
        let t = tracker.ticket(a);
        tracker.object_read(a, 3, 1, false);
        drop(t);
        let (objects, messages) = tracker.take_done();
        assert_eq!(objects[0].counts, None);
        assert!(!messages[0].succeeded);
        assert_eq!(tracker.outcomes().unfinished, 1);
    }

    #[test]
    fn read_failures_and_empty_messages() {
        let tracker = Arc::new(Tracker::default());
        let message = tracker.add_message("m1", "r1", 1);
        let a = tracker.add_object(object("a"), Some(message));
        tracker.object_read(a, 3, 0, true);
        let (objects, messages) = tracker.take_done();
        assert_eq!(objects[0].counts, None);
        assert!(!messages[0].succeeded);
        // A message with nothing to read is done at once.
        tracker.add_message("m2", "r2", 0);
        let (_, messages) = tracker.take_done();
        assert!(messages[0].succeeded);
        // An object without a message (files, S3 listings).
        let c = tracker.add_object(object("c"), None);
        assert!(!tracker.is_idle());
        tracker.object_read(c, 0, 0, false);
        assert_eq!(tracker.take_done().0[0].counts, Some((0, 0)));
        assert!(tracker.is_idle());
    }

    #[test]
    fn tickets_may_finish_before_the_object_is_read_to_the_end() {
        let tracker = Arc::new(Tracker::default());
        let a = tracker.add_object(object("a"), None);
        tracker.ticket(a).accepted();
        assert!(tracker.take_done().0.is_empty(), "not read to the end yet");
        tracker.object_read(a, 2, 1, false);
        assert_eq!(tracker.take_done().0.len(), 1);
    }
}
