//! Configuration errors of the classifier.

use std::fmt;
use std::io;

use crate::filter::{FilterParseError, RuleSetError};

/// A classifier configuration that cannot be used. Names the file, the line and the rule when known.
#[derive(Debug, thiserror::Error)]
pub struct ConfigError {
    origin: String,
    line: Option<usize>,
    rule: Option<String>,
    #[source]
    kind: Box<ConfigErrorKind>,
}

impl ConfigError {
    pub(crate) fn new(kind: ConfigErrorKind) -> Self {
        Self {
            origin: String::new(),
            line: None,
            rule: None,
            kind: Box::new(kind),
        }
    }

    pub(crate) fn at(mut self, origin: &str, line: Option<usize>) -> Self {
        origin.clone_into(&mut self.origin);
        self.line = line;
        self
    }

    pub(crate) fn rule(mut self, rule: impl Into<String>) -> Self {
        self.rule = Some(rule.into());
        self
    }

    /// The file (or other origin) of the configuration, empty when it was built in code.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// 1-based line in the file, when known.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// The rule (or noise / include / exclude entry) the error is about.
    pub fn rule_name(&self) -> Option<&str> {
        self.rule.as_deref()
    }

    /// What is wrong.
    pub fn kind(&self) -> &ConfigErrorKind {
        &self.kind
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.origin.is_empty() {
            f.write_str(&self.origin)?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
            }
            f.write_str(": ")?;
        }
        if let Some(rule) = &self.rule {
            write!(f, "{rule}: ")?;
        }
        match &*self.kind {
            ConfigErrorKind::Read(_) => f.write_str("cannot read the configuration file"),
            ConfigErrorKind::Syntax(message) => f.write_str(message),
            ConfigErrorKind::Pattern(e) => write!(f, "invalid filter pattern: {e}"),
            ConfigErrorKind::Glob { glob, message } => write!(f, "invalid glob `{glob}`: {message}"),
            ConfigErrorKind::RuleSet(e) => write!(f, "{e}"),
            ConfigErrorKind::DuplicateRule => f.write_str("a rule with this name is already defined"),
            ConfigErrorKind::InvalidRuleName => {
                f.write_str("rule names use letters, digits, `-`, `_` and `.`, and `default` is reserved")
            }
            ConfigErrorKind::NothingSelects => {
                f.write_str("default-rule is false and no rule or rule set selects changes (action \"keep\")")
            }
        }
    }
}

/// What is wrong with a configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// The file cannot be read.
    #[error("cannot read the configuration file")]
    Read(#[source] io::Error),
    /// TOML syntax or an unknown / mistyped key.
    #[error("{0}")]
    Syntax(String),
    /// A filter pattern that does not parse.
    #[error("invalid filter pattern")]
    Pattern(#[source] FilterParseError),
    /// A glob that does not compile.
    #[error("invalid glob `{glob}`: {message}")]
    Glob {
        /// The glob.
        glob: String,
        /// Why it is invalid.
        message: String,
    },
    /// An unknown rule set.
    #[error("unknown rule set")]
    RuleSet(#[source] RuleSetError),
    /// Two rules with one name.
    #[error("duplicate rule name")]
    DuplicateRule,
    /// A rule name that is empty, reserved or has other characters.
    #[error("invalid rule name")]
    InvalidRuleName,
    /// Nothing would ever be kept.
    #[error("nothing selects changes")]
    NothingSelects,
}

/// 1-based line of byte `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
