//! [`Rate`], the shared [`Bucket`]s and the [`RateLimiter`] that keys them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// A rate: `calls` per `per`, with up to `burst` calls at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    calls: u32,
    per: Duration,
    burst: u32,
}

impl Rate {
    /// `calls` per `per` (a zero `calls` or `per` is raised to 1 call per 1 ns); the burst is a tenth of
    /// `calls` (at least 1).
    pub fn new(calls: u32, per: Duration) -> Self {
        let calls = calls.max(1);
        Self {
            calls,
            per: per.max(Duration::from_nanos(1)),
            burst: (calls / 10).max(1),
        }
    }

    /// The same rate allowing `burst` calls at once (at least 1).
    pub fn with_burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }

    /// The time between two calls at the steady rate.
    pub fn interval(&self) -> Duration {
        self.per / self.calls
    }

    /// The calls per period.
    pub fn calls(&self) -> u32 {
        self.calls
    }

    /// The period.
    pub fn per(&self) -> Duration {
        self.per
    }

    /// The calls allowed at once.
    pub fn burst(&self) -> u32 {
        self.burst
    }
}

impl Default for Rate {
    /// [`PUT_AUDIT_EVENTS_TPS`](super::PUT_AUDIT_EVENTS_TPS) calls per second.
    fn default() -> Self {
        Self::new(super::PUT_AUDIT_EVENTS_TPS, Duration::from_secs(1))
    }
}

/// The key of a bucket: region and calling account (`None`: the publisher's own identity).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct RateKey {
    pub(crate) region: String,
    pub(crate) account: Option<String>,
}

/// One token bucket (GCRA): the theoretical arrival time of the next call.
#[derive(Debug)]
pub(crate) struct Bucket {
    interval: Duration,
    tolerance: Duration,
    tat: Mutex<Option<Instant>>,
}

impl Bucket {
    pub(crate) fn new(rate: Rate) -> Self {
        let interval = rate.interval();
        Self {
            interval,
            tolerance: interval * (rate.burst - 1),
            tat: Mutex::new(None),
        }
    }

    /// Reserves one call at or after `now` and returns when it may go.
    pub(crate) fn reserve(&self, now: Instant) -> Instant {
        let mut tat = self.tat.lock().unwrap_or_else(PoisonError::into_inner);
        let base = tat.map_or(now, |t| t.max(now));
        *tat = Some(base + self.interval);
        base.checked_sub(self.tolerance).map_or(now, |t| t.max(now))
    }
}

/// The buckets of one publisher (or of several, when shared), keyed by region and calling account; see the
/// [module docs](super). Cheap to clone; clones share the buckets.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    rate: Rate,
    buckets: Arc<Mutex<HashMap<RateKey, Arc<Bucket>>>>,
}

impl RateLimiter {
    /// A limiter giving each (region, account) `rate`.
    pub fn new(rate: Rate) -> Self {
        Self {
            rate,
            buckets: Arc::default(),
        }
    }

    /// The rate of each bucket.
    pub fn rate(&self) -> Rate {
        self.rate
    }

    pub(crate) fn bucket(&self, key: RateKey) -> Arc<Bucket> {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        buckets
            .entry(key)
            .or_insert_with(|| Arc::new(Bucket::new(self.rate)))
            .clone()
    }
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new(Rate::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_steady_interval() {
        let b = Bucket::new(Rate::new(100, Duration::from_secs(1)).with_burst(3));
        let t0 = Instant::now();
        let slots: Vec<_> = (0..6).map(|_| b.reserve(t0) - t0).collect();
        let ms = Duration::from_millis;
        assert_eq!(slots, [ms(0), ms(0), ms(0), ms(10), ms(20), ms(30)]);
        // After a quiet period the burst is available again, but never more than `burst`.
        let later = t0 + Duration::from_secs(5);
        let slots: Vec<_> = (0..4).map(|_| b.reserve(later) - later).collect();
        assert_eq!(slots, [ms(0), ms(0), ms(0), ms(10)]);
    }

    #[test]
    fn keys_share_buckets_only_when_equal() {
        let limiter = RateLimiter::default();
        let key = |account: Option<&str>| RateKey {
            region: "us-east-1".into(),
            account: account.map(str::to_owned),
        };
        assert!(Arc::ptr_eq(
            &limiter.bucket(key(None)),
            &limiter.bucket(key(None))
        ));
        assert!(!Arc::ptr_eq(
            &limiter.bucket(key(None)),
            &limiter.bucket(key(Some("210987654321")))
        ));
        assert!(Arc::ptr_eq(
            &limiter.clone().bucket(key(None)),
            &limiter.bucket(key(None))
        ));
    }

    #[test]
    fn rate_defaults_to_the_documented_quota() {
        let r = Rate::default();
        assert_eq!((r.calls(), r.per(), r.burst()), (100, Duration::from_secs(1), 10));
        assert_eq!(r.interval(), Duration::from_millis(10));
        assert_eq!(Rate::new(0, Duration::ZERO).calls(), 1);
    }
}
