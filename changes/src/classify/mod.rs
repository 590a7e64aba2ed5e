//! The classifier: which CloudTrail records are actual changes.
//!
//! The default rule is `change-detection.md` §1.4 with the pitfalls of §1.5: data events, console sign-ins,
//! failed calls (also `errorMessage` without `errorCode`, and `responseElements.ConsoleLogin: Failure`), read-only
//! calls (the verb heuristic when `readOnly` is missing; `AwsServiceEvent`s without it count as writes) and a noise
//! list (SSM / ECS agents, STS credentials, KMS crypto, RDS Data API, sign-in and SSO flows, Lambda invokes) are
//! not changes. On top, a TOML configuration ([`ClassifierConfig`]) adds includes / excludes by `eventSource` /
//! `eventName` globs, its own noise entries, and CloudWatch Logs filter-pattern rules — written in the file or
//! taken from the shipped rule sets (`cis`, `cloudwatch-alarms`, `all`) — that select, tag or drop records. Every
//! kept change lists the rules that matched; the default rule is named [`DEFAULT_RULE`].
//!
//! ```
//! use ctlake_changes::classify::{Classifier, ClassifierConfig, Decision};
//!
//! let config = ClassifierConfig::from_toml_str(r#"rule-sets = ["cis"]"#, "inline")?;
//! let classifier = Classifier::new(&config)?;
//! let record = serde_json::json!({
//!     "eventTime": "2024-01-01T00:00:00Z", "eventID": "1", "eventSource": "cloudtrail.amazonaws.com",
//!     "eventName": "StopLogging", "readOnly": false, "eventType": "AwsApiCall",
//!     "userIdentity": {"type": "IAMUser", "userName": "mallory"}
//! });
//! let Decision::Keep(kept) = classifier.classify(&record) else { panic!() };
//! assert_eq!(kept.rules.iter().map(|r| &**r).collect::<Vec<_>>(), ["default", "cloudtrail-changes"]);
//! # Ok::<(), ctlake_changes::classify::ConfigError>(())
//! ```

mod classifier;
mod config;
mod decision;
mod error;
mod lite;
mod matcher;
mod noise;
mod record;
mod verbs;

pub use classifier::Classifier;
pub use config::{
    ClassifierConfig, EventMatch, MissingReadOnly, PatternRule, ReadOnlyPolicy, RuleAction, ServiceActors,
};
pub use decision::{ActorKind, DEFAULT_RULE, Decision, Kept, SkipReason};
pub use error::{ConfigError, ConfigErrorKind};
pub use noise::builtin_noise;
