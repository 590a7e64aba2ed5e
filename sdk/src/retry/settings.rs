//! [`RetrySettings`]: exponential backoff with jitter, bounded in attempts and in total time.

use std::time::Duration;

/// How the publisher retries a batch: exponential backoff with "equal jitter" (half the step fixed, half
/// random), bounded by a number of attempts and by the total time since the batch was formed.
///
/// The defaults: first backoff 100 ms, doubling up to 5 s, at most 10 attempts, at most 60 s per batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySettings {
    initial_backoff: Duration,
    max_backoff: Duration,
    max_attempts: u32,
    max_elapsed: Duration,
}

impl Default for RetrySettings {
    fn default() -> Self {
        Self {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            max_attempts: 10,
            max_elapsed: Duration::from_secs(60),
        }
    }
}

impl RetrySettings {
    /// The first backoff step (default 100 ms).
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// The largest backoff step (default 5 s).
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// The most attempts per batch, the first included (default 10; at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// The most time from forming a batch to its last attempt (default 60 s). A retry whose backoff would end
    /// later is not made.
    pub fn max_elapsed(mut self, d: Duration) -> Self {
        self.max_elapsed = d;
        self
    }

    /// No retries at all.
    pub fn disabled() -> Self {
        Self::default().max_attempts(1)
    }

    /// The most attempts per batch.
    pub fn attempts_limit(&self) -> u32 {
        self.max_attempts
    }

    /// The most time per batch.
    pub fn elapsed_limit(&self) -> Duration {
        self.max_elapsed
    }

    /// The backoff before retry number `retry` (1 = the first retry), with `random` in `0.0..1.0`:
    /// `step/2 + random·step/2` where `step = min(max_backoff, initial_backoff · 2^(retry-1))`.
    pub fn backoff(&self, retry: u32, random: f64) -> Duration {
        let exp = retry.saturating_sub(1).min(30);
        let step = self
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        step / 2 + step.mul_f64(random.clamp(0.0, 1.0) / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_half_of_it_jittered_and_is_capped() {
        let s = RetrySettings::default();
        let ms = Duration::from_millis;
        assert_eq!(s.backoff(1, 0.0), ms(50));
        assert_eq!(s.backoff(1, 1.0), ms(100));
        assert_eq!(s.backoff(2, 0.0), ms(100));
        assert_eq!(s.backoff(3, 0.5), ms(300));
        assert_eq!(s.backoff(40, 1.0), ms(5000));
        assert_eq!(s.backoff(40, 0.0), ms(2500));
        assert_eq!(RetrySettings::disabled().attempts_limit(), 1);
    }
}
