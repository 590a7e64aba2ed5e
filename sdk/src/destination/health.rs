//! The circuit breaker of one destination, as plain state: [`Breaker`] decides whether a batch may be sent,
//! and [`Health`] is what the status API shows.
//!
//! A tenant-fatal answer (`ChannelNotFound`, `ChannelInsufficientPermission`, `InvalidChannelARN`; see
//! [`crate::retry::classify`]) opens the breaker: the destination is paused and its batches are rejected
//! without a call. After the probe delay the next batch goes out alone as a probe (half-open); a non-fatal
//! answer closes the breaker, a fatal one reopens it with the delay doubled (up to a maximum).

use std::time::Duration;

use tokio::time::Instant;

/// A destination's health, as [`DestinationStatus`](super::DestinationStatus) reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Health {
    /// Sending normally.
    Healthy,
    /// Paused after a tenant-fatal error: events are rejected with that error's code until the probe.
    Paused {
        /// The error code that paused the destination (e.g. `ChannelNotFound`).
        code: String,
        /// The service's message.
        message: String,
        /// When the destination was first paused (in this run of failures).
        since: Instant,
        /// When the next batch will be sent as a probe.
        next_probe: Instant,
    },
    /// One batch is out as a probe; other batches wait for its answer.
    Probing {
        /// The error code that paused the destination.
        code: String,
        /// The service's message.
        message: String,
        /// When the destination was first paused.
        since: Instant,
    },
}

impl Health {
    /// Whether the destination is sending normally.
    pub fn is_healthy(&self) -> bool {
        matches!(self, Self::Healthy)
    }
}

/// What to do with a batch that is ready to go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Admit {
    /// Send it.
    Send,
    /// Send it as the probe.
    Probe,
    /// Hold it: a probe is out.
    Wait,
    /// Reject its events with this code and message, without a call.
    Reject { code: String, message: String },
}

/// The breaker: [`Health`] plus the probe delay policy.
#[derive(Debug)]
pub(crate) struct Breaker {
    health: Health,
    initial_delay: Duration,
    max_delay: Duration,
    delay: Duration,
}

impl Breaker {
    /// A closed breaker probing first after `initial_delay`, doubling up to `max_delay`.
    pub(crate) fn new(initial_delay: Duration, max_delay: Duration) -> Self {
        Self {
            health: Health::Healthy,
            initial_delay,
            max_delay: max_delay.max(initial_delay),
            delay: initial_delay,
        }
    }

    /// The current health.
    pub(crate) fn health(&self) -> &Health {
        &self.health
    }

    /// Decides about a batch that is ready at `now`.
    pub(crate) fn admit(&mut self, now: Instant) -> Admit {
        match &self.health {
            Health::Healthy => Admit::Send,
            Health::Probing { .. } => Admit::Wait,
            Health::Paused {
                code,
                message,
                since,
                next_probe,
            } => {
                if now >= *next_probe {
                    self.health = Health::Probing {
                        code: code.clone(),
                        message: message.clone(),
                        since: *since,
                    };
                    Admit::Probe
                } else {
                    Admit::Reject {
                        code: code.clone(),
                        message: format!(
                            "destination paused after {code}: {message} (next probe in {} ms)",
                            next_probe.saturating_duration_since(now).as_millis()
                        ),
                    }
                }
            }
        }
    }

    /// A batch got a tenant-fatal answer. `was_probe`: it was the probe batch.
    pub(crate) fn on_fatal(&mut self, now: Instant, was_probe: bool, code: &str, message: &str) {
        match &self.health {
            Health::Healthy => {
                self.delay = self.initial_delay;
                self.health = Health::Paused {
                    code: code.to_owned(),
                    message: message.to_owned(),
                    since: now,
                    next_probe: now + self.delay,
                };
            }
            Health::Probing { since, .. } if was_probe => {
                self.delay = (self.delay * 2).min(self.max_delay);
                self.health = Health::Paused {
                    code: code.to_owned(),
                    message: message.to_owned(),
                    since: *since,
                    next_probe: now + self.delay,
                };
            }
            // Answers to batches sent before the pause change nothing.
            Health::Probing { .. } | Health::Paused { .. } => {}
        }
    }

    /// A batch got a non-fatal answer. Only the probe's answer closes an open breaker.
    pub(crate) fn on_answer(&mut self, was_probe: bool) {
        if was_probe && matches!(self.health, Health::Probing { .. }) {
            self.health = Health::Healthy;
            self.delay = self.initial_delay;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn pauses_rejects_probes_and_resumes() {
        let t0 = Instant::now();
        let mut b = Breaker::new(S, 4 * S);
        assert_eq!(b.admit(t0), Admit::Send);
        b.on_fatal(t0, false, "ChannelNotFound", "gone");
        let Admit::Reject { code, message } = b.admit(t0 + S / 2) else {
            panic!("paused destinations reject")
        };
        assert_eq!(code, "ChannelNotFound");
        assert!(
            message.starts_with("destination paused after ChannelNotFound: gone"),
            "{message}"
        );
        // A stale success from a batch sent before the pause does not resume.
        b.on_answer(false);
        assert!(matches!(b.health(), Health::Paused { .. }));
        assert_eq!(b.admit(t0 + S), Admit::Probe);
        assert_eq!(b.admit(t0 + S), Admit::Wait, "one probe at a time");
        b.on_answer(true);
        assert!(b.health().is_healthy());
    }

    #[test]
    fn failed_probes_double_the_delay_up_to_the_maximum() {
        let t0 = Instant::now();
        let mut b = Breaker::new(S, 3 * S);
        b.on_fatal(t0, false, "ChannelInsufficientPermission", "denied");
        let mut now = t0;
        let mut delays = Vec::new();
        for _ in 0..4 {
            let Health::Paused { next_probe, .. } = b.health().clone() else {
                panic!("paused")
            };
            delays.push(next_probe - now);
            now = next_probe;
            assert_eq!(b.admit(now), Admit::Probe);
            b.on_fatal(now, true, "ChannelInsufficientPermission", "denied");
        }
        assert_eq!(delays, [S, 2 * S, 3 * S, 3 * S]);
        let Health::Paused { since, .. } = b.health() else {
            panic!("paused")
        };
        assert_eq!(*since, t0, "since is the start of the outage");
        // A stale fatal answer while paused changes nothing.
        let before = b.health().clone();
        b.on_fatal(now + S, false, "ChannelNotFound", "x");
        assert_eq!(b.health(), &before);
    }
}
