//! [`Room`]: the publisher-wide bound on queued events, and how freed room goes back to waiting callers.
//!
//! Every queued or in-flight event holds one permit of a semaphore of
//! [`max_queued`](super::PublisherBuilder::max_queued) permits, and gives it back with its outcome. While
//! nobody waits for room, freed permits go back at once. While `publish` calls wait (the queue is full: the
//! application offers more than the destinations take), each permit handed back wakes a waiting caller,
//! for one event each, only to make it wait again: with a permanent backlog that was ~950 thread wake-ups
//! a second in the `publisher_load` benchmark. So while the semaphore is empty, freed permits are **held back and handed back in a
//! group** — 1 % of `max_queued`, at most [`MAX_GROUP`] — or after [`MAX_HOLD`] at the latest, whichever
//! comes first: the woken callers then each queue many events in one go. A caller waits for room a little
//! longer (never more than `MAX_HOLD`), and at most a group's worth of room stays unused meanwhile.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{AcquireError, OwnedSemaphorePermit, Semaphore, TryAcquireError};

/// The most permits held back before they go back as one group.
pub(crate) const MAX_GROUP: usize = 1_000;

/// The longest freed room is held back.
pub(crate) const MAX_HOLD: Duration = Duration::from_millis(250);

/// The publisher-wide bound on queued events (see the module docs).
#[derive(Debug)]
pub(crate) struct Room {
    semaphore: Arc<Semaphore>,
    /// Freed permits not handed back yet.
    held: Mutex<Option<OwnedSemaphorePermit>>,
    /// How many held permits go back together.
    group: usize,
    /// A timer will hand back what is held.
    timer: AtomicBool,
}

impl Room {
    /// Room for `max_queued` events.
    pub(crate) fn new(max_queued: usize) -> Arc<Self> {
        Arc::new(Self {
            semaphore: Arc::new(Semaphore::new(max_queued)),
            held: Mutex::new(None),
            group: (max_queued / 100).clamp(1, MAX_GROUP),
            timer: AtomicBool::new(false),
        })
    }

    /// The semaphore events take their permit from.
    #[cfg(test)]
    fn semaphore(&self) -> &Arc<Semaphore> {
        &self.semaphore
    }

    /// A slot for one event, waiting for room.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] once [`close`](Self::close)d.
    pub(crate) async fn acquire(&self) -> Result<OwnedSemaphorePermit, AcquireError> {
        Arc::clone(&self.semaphore).acquire_owned().await
    }

    /// A slot for one event if there is room now.
    ///
    /// # Errors
    ///
    /// [`TryAcquireError`] when there is no room or once closed.
    pub(crate) fn try_acquire(&self) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        Arc::clone(&self.semaphore).try_acquire_owned()
    }

    /// Refuses further slots (shutdown): waiting and later callers get an error.
    pub(crate) fn close(&self) {
        self.semaphore.close();
    }

    /// Hands back the permits of events that got their outcome: at once while nobody can be waiting
    /// (the semaphore has permits left) or when `now` is set, otherwise in groups (see the module docs).
    pub(crate) fn free(self: &Arc<Self>, permits: OwnedSemaphorePermit, now: bool) {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let all = match held.as_mut() {
            Some(h) => {
                h.merge(permits);
                h
            }
            None => held.insert(permits),
        };
        // A waiting caller asks for one permit, so the semaphore has none left while anyone waits.
        if now || all.num_permits() >= self.group || self.semaphore.available_permits() > 0 {
            let group = held.take();
            drop(held);
            drop(group);
            return;
        }
        drop(held);
        self.arm_timer();
    }

    /// Hands back whatever is held now.
    pub(crate) fn release_held(&self) {
        let group = self.held.lock().unwrap_or_else(PoisonError::into_inner).take();
        drop(group);
    }

    /// Makes sure what is held goes back within [`MAX_HOLD`].
    fn arm_timer(self: &Arc<Self>) {
        if self.timer.swap(true, Relaxed) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.timer.store(false, Relaxed);
            self.release_held();
            return;
        };
        let room = Arc::clone(self);
        runtime.spawn(async move {
            tokio::time::sleep(MAX_HOLD).await;
            // Cleared first: permits held from here on arm a new timer.
            room.timer.store(false, Relaxed);
            room.release_held();
        });
    }
}

#[cfg(test)]
mod tests {
    use tokio::task::JoinHandle;

    use super::*;

    /// A caller waiting for `n` permits (queued on the semaphore once this returns).
    async fn wait_for(room: &Room, n: u32) -> JoinHandle<OwnedSemaphorePermit> {
        let s = room.semaphore().clone();
        let waiter = tokio::spawn(async move { s.acquire_many_owned(n).await.unwrap() });
        tokio::task::yield_now().await;
        waiter
    }

    /// What a caller from `wait_for` got, if it got it at once.
    async fn got(waiter: JoinHandle<OwnedSemaphorePermit>) -> usize {
        let permit = tokio::time::timeout(Duration::from_millis(1), waiter).await;
        let permit = permit.expect("the waiter was served").unwrap();
        let n = permit.num_permits();
        // Kept out of the semaphore, as the caller would while its event is queued.
        permit.forget();
        n
    }

    #[tokio::test(start_paused = true)]
    async fn freed_room_goes_back_at_once_while_nobody_waits() {
        let room = Room::new(10_000);
        let a = room.semaphore().clone().acquire_many_owned(50).await.unwrap();
        room.free(a, false);
        assert_eq!(room.semaphore().available_permits(), 10_000);
    }

    #[tokio::test(start_paused = true)]
    async fn while_the_room_is_full_freed_permits_go_back_in_groups() {
        let room = Room::new(10_000);
        assert_eq!(room.group, 100);
        let mut all = room.semaphore().clone().acquire_many_owned(10_000).await.unwrap();
        let waiter = wait_for(&room, 1).await;
        // 99 freed permits are held back: the waiter still waits.
        for _ in 0..99 {
            room.free(all.split(1).unwrap(), false);
        }
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        assert_eq!(room.semaphore().available_permits(), 0);
        // The hundredth makes a group: all go back, the waiter gets one, 99 are left.
        room.free(all.split(1).unwrap(), false);
        assert_eq!(got(waiter).await, 1);
        assert_eq!(room.semaphore().available_permits(), 99);
    }

    #[tokio::test(start_paused = true)]
    async fn held_room_goes_back_within_the_hold_time_or_when_asked() {
        let room = Room::new(10_000);
        let mut all = room.semaphore().clone().acquire_many_owned(10_000).await.unwrap();
        let waiter = wait_for(&room, 1).await;
        room.free(all.split(3).unwrap(), false);
        tokio::time::sleep(MAX_HOLD - Duration::from_millis(1)).await;
        assert!(!waiter.is_finished(), "held back");
        tokio::time::sleep(Duration::from_millis(2)).await;
        assert_eq!(got(waiter).await, 1, "handed back by the timer");
        assert_eq!(room.semaphore().available_permits(), 2);

        // `now` (a flush being answered) hands everything back at once.
        let waiter = wait_for(&room, 3).await;
        room.free(all.split(1).unwrap(), true);
        assert_eq!(got(waiter).await, 3);
    }

    #[test]
    fn a_small_bound_hands_every_permit_back_at_once() {
        let room = Room::new(150);
        assert_eq!(room.group, 1);
        let p = room.semaphore().clone().try_acquire_many_owned(150).unwrap();
        room.free(p, false);
        assert_eq!(room.semaphore().available_permits(), 150);
    }
}
