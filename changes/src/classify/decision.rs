//! What the classifier decided about one record.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// Name of the default rule (`change-detection.md` §1.4), recorded like any other rule.
pub const DEFAULT_RULE: &str = "default";

/// The classifier's verdict on one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// An actual change, with the rules that selected it.
    Keep(Kept),
    /// Not a change (or not wanted), and why.
    Skip(SkipReason),
}

/// A record kept as a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// Every rule that matched, in configuration order: [`DEFAULT_RULE`] first when it kept the record, then
    /// filter-pattern rules (selecting and tagging ones).
    pub rules: Vec<Arc<str>>,
    /// Who made the change, roughly (§1.4 step 6).
    pub actor: ActorKind,
}

/// Whether a change was made by a person or by an AWS service / machine identity (`change-detection.md` §1.4
/// step 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActorKind {
    /// An IAM user, root, a federated or SSO user, or a role session that is not a machine's.
    Human,
    /// `AWSService`, a call with `invokedBy`, a service event without identity type, an EC2 instance-role session
    /// (`i-…`) or a service-linked role (`aws-service-role/`).
    Service,
}

impl ActorKind {
    /// `human` or `service`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Human => "human",
            Self::Service => "service",
        }
    }
}

/// Why a record is not kept as a change.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SkipReason {
    /// Not an object with non-empty string `eventName`, `eventSource`, `eventTime` and `eventID`.
    Malformed(String),
    /// A CloudTrail Insights event.
    Insight,
    /// A data event (`eventCategory: Data` or `managementEvent: false`); kept only when data events are on.
    DataEvent,
    /// A network activity event; kept only when data events are on.
    NetworkActivity,
    /// A console sign-in (`AwsConsoleSignIn`: ConsoleLogin, CheckMfa, SwitchRole, …).
    SignIn,
    /// A failed call: `errorCode` or `errorMessage` present, or `responseElements.ConsoleLogin` is `Failure`.
    Failed,
    /// `readOnly: true`.
    ReadOnly,
    /// No `readOnly`, and the event name does not start with a write verb.
    ReadOnlyByName,
    /// On the noise list, under the entry with this name.
    Noise(Arc<str>),
    /// Made by an AWS service or machine identity while service actors are dropped.
    ServiceActor,
    /// Outside the configured includes, or matched the exclude with this description.
    Excluded(Arc<str>),
    /// Matched the filter-pattern rule with this name, whose action is `drop`.
    DroppedByRule(Arc<str>),
    /// The default rule is off and no selecting rule matched.
    NotSelected,
    /// The same `eventID` was already kept in this run.
    Duplicate,
}

impl SkipReason {
    /// A short stable label for counting: `read-only`, `noise:ssm-agent`, `dropped-by-rule:my-rule`, …
    pub fn label(&self) -> Cow<'static, str> {
        match self {
            Self::Malformed(_) => Cow::Borrowed("malformed"),
            Self::Insight => Cow::Borrowed("insight"),
            Self::DataEvent => Cow::Borrowed("data-event"),
            Self::NetworkActivity => Cow::Borrowed("network-activity"),
            Self::SignIn => Cow::Borrowed("sign-in"),
            Self::Failed => Cow::Borrowed("failed"),
            Self::ReadOnly => Cow::Borrowed("read-only"),
            Self::ReadOnlyByName => Cow::Borrowed("read-only-by-name"),
            Self::Noise(entry) => Cow::Owned(format!("noise:{entry}")),
            Self::ServiceActor => Cow::Borrowed("service-actor"),
            Self::Excluded(_) => Cow::Borrowed("excluded"),
            Self::DroppedByRule(rule) => Cow::Owned(format!("dropped-by-rule:{rule}")),
            Self::NotSelected => Cow::Borrowed("not-selected"),
            Self::Duplicate => Cow::Borrowed("duplicate"),
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(why) => write!(f, "malformed record: {why}"),
            Self::Insight => f.write_str("CloudTrail Insights event"),
            Self::DataEvent => f.write_str("data event"),
            Self::NetworkActivity => f.write_str("network activity event"),
            Self::SignIn => f.write_str("console sign-in"),
            Self::Failed => f.write_str("failed call"),
            Self::ReadOnly => f.write_str("read-only call"),
            Self::ReadOnlyByName => f.write_str("no readOnly flag and the name is not a write verb"),
            Self::Noise(entry) => write!(f, "noise ({entry})"),
            Self::ServiceActor => f.write_str("made by an AWS service"),
            Self::Excluded(by) => write!(f, "excluded ({by})"),
            Self::DroppedByRule(rule) => write!(f, "dropped by rule {rule}"),
            Self::NotSelected => f.write_str("no selecting rule matched"),
            Self::Duplicate => f.write_str("duplicate eventID"),
        }
    }
}
