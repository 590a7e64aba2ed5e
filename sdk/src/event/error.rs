//! Errors of the event model: a rejected value ([`InvalidValue`]) and a rejected build ([`BuildError`]).

use crate::validate::{Rule, Violations};

/// A string that is not a valid value of a constrained type (event source, account ID, channel ARN, …).
///
/// `Display` names the type and the rule, e.g.
/// `invalid audit event id: character 3 ('.') is not allowed; allowed: [-_A-Za-z0-9]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what}: {rule}")]
pub struct InvalidValue {
    what: &'static str,
    rule: Rule,
}

impl InvalidValue {
    pub(crate) fn new(what: &'static str, rule: Rule) -> Self {
        Self { what, rule }
    }

    /// What kind of value was expected, e.g. `account id`.
    pub fn what(&self) -> &'static str {
        self.what
    }

    /// The rule the value breaks.
    pub fn rule(&self) -> &Rule {
        &self.rule
    }

    /// The rule, by value.
    pub fn into_rule(self) -> Rule {
        self.rule
    }
}

/// A builder's `build()` failed: required fields are missing or values break the schema's rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// Every problem found, each with the field's JSON path and rule (missing required fields are
    /// [`Rule::Required`]).
    #[error("invalid event: {0}")]
    Invalid(Violations),
}

impl BuildError {
    /// Every violation that made the build fail.
    pub fn violations(&self) -> &Violations {
        match self {
            Self::Invalid(v) => v,
        }
    }
}

impl From<Violations> for BuildError {
    fn from(v: Violations) -> Self {
        Self::Invalid(v)
    }
}
