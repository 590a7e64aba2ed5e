//! The parsed form of a JSON filter pattern.

use regex_lite::Regex;

/// A boolean expression over comparisons; `&&` binds tighter than `||`.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    /// True when any operand is true.
    Or(Vec<Expr>),
    /// True when every operand is true.
    And(Vec<Expr>),
    /// One comparison of a selected field.
    Test(Box<Comparison>),
}

/// `selector op value`, `selector IS NULL|TRUE|FALSE` or `selector NOT EXISTS`.
#[derive(Debug, Clone)]
pub(crate) struct Comparison {
    pub(crate) selector: Selector,
    pub(crate) test: Test,
}

/// A path into the JSON event: `$.a.b[0]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Selector {
    pub(crate) steps: Vec<Step>,
}

/// One step of a selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// `.name`: a member of an object.
    Field(String),
    /// `[n]`: an element of an array.
    Index(usize),
}

/// What is checked on the selected node.
#[derive(Debug, Clone)]
pub(crate) enum Test {
    /// `= value`.
    Equal(Value),
    /// `!= value`.
    NotEqual(Value),
    /// `<`, `<=`, `>`, `>=` against a number.
    Order(Ordering, Number),
    /// `IS NULL`.
    IsNull,
    /// `IS TRUE`.
    IsTrue,
    /// `IS FALSE`.
    IsFalse,
    /// `NOT EXISTS`.
    NotExists,
}

/// A numeric ordering operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ordering {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// The right-hand side of `=` / `!=`.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    /// A number literal: compared numerically with JSON numbers, as text with anything else.
    Number(Number),
    /// A string, possibly with a leading and/or trailing `*` wildcard.
    Text(TextMatch),
    /// `%regex%`: a search (partial match) unless anchored.
    Regex(Regex),
}

/// A number literal, keeping its text for comparisons with non-number fields.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Number {
    pub(crate) value: f64,
    pub(crate) text: String,
}

/// A string comparison with CloudWatch Logs wildcard semantics: `*` at the start and/or end only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TextMatch {
    /// No wildcard: the whole text must be equal.
    Exact(String),
    /// `abc*`.
    Prefix(String),
    /// `*abc`.
    Suffix(String),
    /// `*abc*`.
    Contains(String),
    /// `*` alone: any value.
    Any,
}

impl TextMatch {
    /// Builds the matcher for a value written as `raw` (after unquoting).
    pub(crate) fn new(raw: &str) -> Self {
        if raw == "*" {
            return Self::Any;
        }
        let starts = raw.starts_with('*');
        let ends = raw.len() > 1 && raw.ends_with('*');
        match (starts, ends) {
            (true, true) => Self::Contains(raw[1..raw.len() - 1].to_owned()),
            (true, false) => Self::Suffix(raw[1..].to_owned()),
            (false, true) => Self::Prefix(raw[..raw.len() - 1].to_owned()),
            (false, false) => Self::Exact(raw.to_owned()),
        }
    }

    /// Whether `text` matches.
    pub(crate) fn matches(&self, text: &str) -> bool {
        match self {
            Self::Exact(s) => text == s,
            Self::Prefix(s) => text.starts_with(s.as_str()),
            Self::Suffix(s) => text.ends_with(s.as_str()),
            Self::Contains(s) => text.contains(s.as_str()),
            Self::Any => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_only_at_the_ends() {
        assert_eq!(TextMatch::new("*"), TextMatch::Any);
        assert_eq!(TextMatch::new("*Event"), TextMatch::Suffix("Event".into()));
        assert_eq!(TextMatch::new("Event*"), TextMatch::Prefix("Event".into()));
        assert_eq!(TextMatch::new("*html*"), TextMatch::Contains("html".into()));
        assert_eq!(TextMatch::new("Ev*ent"), TextMatch::Exact("Ev*ent".into()));
        assert!(TextMatch::new("Ev*ent").matches("Ev*ent"));
        assert!(!TextMatch::new("Ev*ent").matches("Evxent"));
        assert!(TextMatch::new("**").matches("anything"));
    }
}
