//! Evaluation of a parsed pattern over a JSON event (`change-detection.md` §3.2).
//!
//! * A selector that does not resolve makes every comparison false except `NOT EXISTS`.
//! * A selector that resolves to an object or array makes every comparison false (`{"users":[1]}` matches neither
//!   `$.users = 1` nor `$.users != 1`).
//! * A number literal compares numerically with a JSON number and as text with any other scalar; `<`, `<=`, `>`,
//!   `>=` are true only for JSON numbers.
//! * Text comparisons are exact and case-sensitive, with `*` as a wildcard at the start and/or end; scalars other
//!   than strings compare by their JSON text (`true`, `false`, `null`, `42`).

use std::borrow::Cow;

use serde_json::Value as Json;

use super::ast::{Comparison, Expr, Ordering, Selector, Step, Test, Value};

impl Expr {
    /// Whether `event` satisfies the expression.
    pub(crate) fn eval(&self, event: &Json) -> bool {
        match self {
            Self::Or(operands) => operands.iter().any(|e| e.eval(event)),
            Self::And(operands) => operands.iter().all(|e| e.eval(event)),
            Self::Test(comparison) => comparison.eval(event),
        }
    }
}

impl Selector {
    /// The node the selector points at, if every step resolves.
    pub(crate) fn resolve<'v>(&self, event: &'v Json) -> Option<&'v Json> {
        self.steps.iter().try_fold(event, |node, step| match step {
            Step::Field(name) => node.as_object()?.get(name),
            Step::Index(index) => node.as_array()?.get(*index),
        })
    }
}

impl Comparison {
    fn eval(&self, event: &Json) -> bool {
        let node = self.selector.resolve(event);
        let Some(node) = node else {
            return matches!(self.test, Test::NotExists);
        };
        if node.is_object() || node.is_array() {
            return false;
        }
        match &self.test {
            Test::NotExists => false,
            Test::IsNull => node.is_null(),
            Test::IsTrue => node.as_bool() == Some(true),
            Test::IsFalse => node.as_bool() == Some(false),
            Test::Equal(value) => equal(node, value),
            Test::NotEqual(value) => !equal(node, value),
            Test::Order(ordering, number) => node.as_f64().is_some_and(|n| match ordering {
                Ordering::Less => n < number.value,
                Ordering::LessOrEqual => n <= number.value,
                Ordering::Greater => n > number.value,
                Ordering::GreaterOrEqual => n >= number.value,
            }),
        }
    }
}

/// `=` between a scalar node and a value.
fn equal(node: &Json, value: &Value) -> bool {
    match value {
        Value::Number(number) => match node {
            Json::Number(n) => n.as_f64() == Some(number.value),
            other => scalar_text(other) == number.text,
        },
        Value::Text(text) => text.matches(&scalar_text(node)),
        Value::Regex(regex) => regex.is_match(&scalar_text(node)),
    }
}

/// The text a scalar node compares as.
fn scalar_text(node: &Json) -> Cow<'_, str> {
    match node {
        Json::String(s) => Cow::Borrowed(s),
        Json::Bool(true) => Cow::Borrowed("true"),
        Json::Bool(false) => Cow::Borrowed("false"),
        Json::Null => Cow::Borrowed("null"),
        Json::Number(n) => Cow::Owned(n.to_string()),
        Json::Array(_) | Json::Object(_) => Cow::Borrowed(""),
    }
}
