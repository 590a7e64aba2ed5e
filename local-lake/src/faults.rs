//! Fault injection for reliability tests: whole-request errors, per-entry failures, latency, dropped
//! connections, the "closed to new customers" refusal and PutAuditEvents quota emulation.
//!
//! Set at start with [`crate::Config::faults`] or at run time with `POST /_ctlake/faults` (a JSON
//! [`FaultConfig`]; members left out take their defaults). Random decisions come from one RNG seeded with
//! [`FaultConfig::seed`], so a single-client test sees the same sequence on every run.
//!
//! ```json
//! {"seed": 7, "scope": "data_plane", "error_503": 0.2, "entry_throttling": 0.1,
//!  "latency_min_ms": 5, "latency_max_ms": 20, "put_audit_events_quota": true}
//! ```

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::limits::PUT_AUDIT_EVENTS_TPS;
use crate::protocol::{ApiError, Plane};

/// The message AWS returns to accounts that try to create their first event data store after
/// 2026-05-31 (peers.md §0 item 1, quoting aws-samples/iam-identity-center-team #586; CloudFormation adds the
/// prefix "Invalid request provided: " to it).
pub const NEW_CUSTOMER_REFUSAL: &str = "CloudTrail Lake is no longer accepting new customers. Existing customers can continue to use their event data stores.";

/// Which API the whole-request faults (`error_*`, `throttle`, `drop_connection`, latency) apply to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultScope {
    /// Both APIs.
    #[default]
    All,
    /// PutAuditEvents only.
    DataPlane,
    /// The CloudTrail control plane only.
    ControlPlane,
}

/// The faults a local Lake injects. All probabilities are in `0.0..=1.0`; the default injects nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct FaultConfig {
    /// Seed of the RNG behind every random decision; setting faults reseeds it.
    pub seed: u64,
    /// Which API the whole-request faults apply to.
    pub scope: FaultScope,
    /// Probability of answering HTTP 500 `InternalFailure` (retried by every AWS SDK).
    pub error_500: f64,
    /// Probability of answering HTTP 503 `ServiceUnavailable` (retried by every AWS SDK).
    pub error_503: f64,
    /// Probability of answering `ThrottlingException` (a code the AWS SDKs classify as throttling; HTTP 400
    /// on the data plane where it is not modeled, 429 on the control plane as [SM-CT] models it).
    pub throttle: f64,
    /// Probability of closing the connection without any response.
    pub drop_connection: f64,
    /// Smallest added latency in milliseconds (applied to every request in scope).
    pub latency_min_ms: u64,
    /// Largest added latency in milliseconds; the delay is uniform in `min..=max` (fixed when equal or lower).
    pub latency_max_ms: u64,
    /// Probability that an otherwise accepted PutAuditEvents entry fails with per-entry code `Throttling`.
    pub entry_throttling: f64,
    /// Probability that an otherwise accepted PutAuditEvents entry fails with per-entry code `InternalFailure`.
    pub entry_internal_failure: f64,
    /// Refuse `CreateEventDataStore` for accounts that have no event data store yet, the way AWS refuses new
    /// customers since 2026-05-31 (HTTP 400 `UnsupportedOperationException`, see [`NEW_CUSTOMER_REFUSAL`]).
    pub refuse_new_customers: bool,
    /// Milliseconds every query stays `RUNNING` before it executes (slow queries: lets tests reach the
    /// concurrent-query quota and cancel running queries).
    pub query_latency_ms: u64,
    /// Emulate the PutAuditEvents rate quota: calls beyond [`FaultConfig::put_audit_events_tps`] per second
    /// per account get `ThrottlingException`.
    pub put_audit_events_quota: bool,
    /// The quota in calls per second when `put_audit_events_quota` is on; 0 means the documented 100.
    pub put_audit_events_tps: u32,
}

impl FaultConfig {
    /// Checks every probability is within `0..=1`, naming the member that is not.
    pub fn validate(&self) -> Result<(), String> {
        for (name, p) in [
            ("error_500", self.error_500),
            ("error_503", self.error_503),
            ("throttle", self.throttle),
            ("drop_connection", self.drop_connection),
            ("entry_throttling", self.entry_throttling),
            ("entry_internal_failure", self.entry_internal_failure),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!("faults.{name}: {p} is not a probability in 0.0..=1.0"));
            }
        }
        if self.error_500 + self.error_503 + self.throttle > 1.0 + f64::EPSILON {
            return Err("faults: error_500 + error_503 + throttle must not exceed 1.0".to_owned());
        }
        if self.entry_throttling + self.entry_internal_failure > 1.0 + f64::EPSILON {
            return Err("faults: entry_throttling + entry_internal_failure must not exceed 1.0".to_owned());
        }
        Ok(())
    }

    fn applies_to(&self, plane: Plane) -> bool {
        match self.scope {
            FaultScope::All => true,
            FaultScope::DataPlane => plane == Plane::Data,
            FaultScope::ControlPlane => plane == Plane::Control,
        }
    }

    fn tps(&self) -> u32 {
        if self.put_audit_events_tps == 0 {
            PUT_AUDIT_EVENTS_TPS
        } else {
            self.put_audit_events_tps
        }
    }
}

/// What to do with one request before handling it.
#[derive(Debug, Default)]
pub(crate) struct RequestFault {
    /// Sleep this long first.
    pub(crate) delay: Option<Duration>,
    /// Close the connection without a response.
    pub(crate) drop_connection: bool,
    /// Answer with this error instead of handling the request.
    pub(crate) error: Option<ApiError>,
}

/// A per-entry failure injected into an otherwise accepted event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryFault {
    /// Per-entry `Throttling`.
    Throttling,
    /// Per-entry `InternalFailure`.
    InternalFailure,
}

/// The run-time fault state shared by all requests.
#[derive(Debug)]
pub(crate) struct Faults {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: FaultConfig,
    rng: fastrand::Rng,
    /// Token buckets of the PutAuditEvents quota, per account.
    buckets: HashMap<String, Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Faults {
    /// Fault state starting from `config`.
    pub(crate) fn new(config: FaultConfig) -> Self {
        Self {
            inner: Mutex::new(Inner::from(config)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Replaces the configuration, reseeds the RNG and empties the quota buckets.
    pub(crate) fn set(&self, config: FaultConfig) {
        *self.lock() = Inner::from(config);
    }

    /// The current configuration.
    pub(crate) fn get(&self) -> FaultConfig {
        self.lock().config.clone()
    }

    /// Whether `CreateEventDataStore` refuses accounts without an event data store.
    pub(crate) fn refuse_new_customers(&self) -> bool {
        self.lock().config.refuse_new_customers
    }

    /// The added run time of each query, if any.
    pub(crate) fn query_latency(&self) -> Option<Duration> {
        let ms = self.lock().config.query_latency_ms;
        (ms > 0).then(|| Duration::from_millis(ms))
    }

    /// Rolls the whole-request faults for one request on `plane`.
    pub(crate) fn on_request(&self, plane: Plane) -> RequestFault {
        let mut inner = self.lock();
        let Inner { config, rng, .. } = &mut *inner;
        if !config.applies_to(plane) {
            return RequestFault::default();
        }
        let mut out = RequestFault::default();
        if config.latency_min_ms > 0 || config.latency_max_ms > 0 {
            let max = config.latency_max_ms.max(config.latency_min_ms);
            out.delay = Some(Duration::from_millis(rng.u64(config.latency_min_ms..=max)));
        }
        if config.drop_connection > 0.0 && rng.f64() < config.drop_connection {
            out.drop_connection = true;
            return out;
        }
        let total = config.error_500 + config.error_503 + config.throttle;
        if total > 0.0 {
            let r = rng.f64();
            out.error = if r < config.error_500 {
                Some(ApiError::new(
                    "InternalFailure",
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The request processing has failed because of an unknown error, exception or failure (injected).",
                ))
            } else if r < config.error_500 + config.error_503 {
                Some(ApiError::new(
                    "ServiceUnavailable",
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The request has failed due to a temporary failure of the server (injected).",
                ))
            } else if r < total {
                Some(throttling(plane, "Rate exceeded (injected)."))
            } else {
                None
            };
        }
        out
    }

    /// Takes one token from `account`'s PutAuditEvents quota bucket when quota emulation is on.
    pub(crate) fn check_put_quota(&self, account: &str) -> Result<(), ApiError> {
        let mut inner = self.lock();
        if !inner.config.put_audit_events_quota {
            return Ok(());
        }
        let tps = f64::from(inner.config.tps());
        let now = Instant::now();
        let bucket = inner.buckets.entry(account.to_owned()).or_insert(Bucket {
            tokens: tps,
            last: now,
        });
        bucket.tokens = (bucket.tokens + now.duration_since(bucket.last).as_secs_f64() * tps).min(tps);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(throttling(
                Plane::Data,
                format!("Rate exceeded: PutAuditEvents is limited to {tps} calls per second per account."),
            ))
        }
    }

    /// Rolls the per-entry faults for one otherwise accepted event.
    pub(crate) fn on_entry(&self) -> Option<EntryFault> {
        let mut inner = self.lock();
        let Inner { config, rng, .. } = &mut *inner;
        if config.entry_throttling == 0.0 && config.entry_internal_failure == 0.0 {
            return None;
        }
        let r = rng.f64();
        if r < config.entry_throttling {
            Some(EntryFault::Throttling)
        } else if r < config.entry_throttling + config.entry_internal_failure {
            Some(EntryFault::InternalFailure)
        } else {
            None
        }
    }
}

impl From<FaultConfig> for Inner {
    fn from(config: FaultConfig) -> Self {
        Self {
            rng: fastrand::Rng::with_seed(config.seed),
            config,
            buckets: HashMap::new(),
        }
    }
}

/// `ThrottlingException`: 429 on the control plane ([SM-CT]), 400 on the data plane (not modeled there;
/// AWS's common-errors table lists 400).
fn throttling(plane: Plane, message: impl Into<String>) -> ApiError {
    let status = if plane == Plane::Control {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::BAD_REQUEST
    };
    ApiError::new("ThrottlingException", status, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_injects_nothing() {
        let f = Faults::new(FaultConfig::default());
        for _ in 0..100 {
            let r = f.on_request(Plane::Data);
            assert!(r.error.is_none() && !r.drop_connection && r.delay.is_none());
            assert!(f.on_entry().is_none());
            assert!(f.check_put_quota("000000000000").is_ok());
        }
    }

    #[test]
    fn certain_faults_always_fire_and_respect_scope() {
        let f = Faults::new(FaultConfig {
            error_503: 1.0,
            scope: FaultScope::DataPlane,
            ..Default::default()
        });
        assert_eq!(
            f.on_request(Plane::Data).error.unwrap().status,
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert!(f.on_request(Plane::Control).error.is_none());
        f.set(FaultConfig {
            throttle: 1.0,
            ..Default::default()
        });
        assert_eq!(
            f.on_request(Plane::Control).error.unwrap().status,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(
            f.on_request(Plane::Data).error.unwrap().code,
            "ThrottlingException"
        );
    }

    #[test]
    fn same_seed_same_sequence() {
        let cfg = FaultConfig {
            seed: 42,
            entry_throttling: 0.5,
            ..Default::default()
        };
        let a = Faults::new(cfg.clone());
        let b = Faults::new(cfg);
        let sa: Vec<_> = (0..64).map(|_| a.on_entry()).collect();
        let sb: Vec<_> = (0..64).map(|_| b.on_entry()).collect();
        assert_eq!(sa, sb);
        assert!(sa.iter().any(Option::is_some) && sa.iter().any(Option::is_none));
    }

    #[test]
    fn quota_allows_the_rate_then_throttles() {
        let f = Faults::new(FaultConfig {
            put_audit_events_quota: true,
            put_audit_events_tps: 5,
            ..Default::default()
        });
        for _ in 0..5 {
            f.check_put_quota("111122223333").unwrap();
        }
        assert_eq!(
            f.check_put_quota("111122223333").unwrap_err().code,
            "ThrottlingException"
        );
        // Another account has its own bucket.
        f.check_put_quota("000000000000").unwrap();
    }

    #[test]
    fn validation_names_the_member() {
        let bad = FaultConfig {
            error_500: 1.5,
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("error_500"));
        let json: Result<FaultConfig, _> = serde_json::from_str(r#"{"eror_500": 0.1}"#);
        assert!(json.is_err(), "unknown members are rejected");
    }
}
