//! CloudWatch Logs JSON filter patterns, as rules over CloudTrail records.
//!
//! The grammar and semantics are those of CloudWatch Logs metric and subscription filters for JSON log events
//! (`shared/reference/change-detection.md` §3, from
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>): selectors with dots
//! and array indexes (`$.a[0].b`), `=` / `!=` with strings, `*` wildcards at either end and `%regex%` values,
//! numeric comparisons `<`, `<=`, `>`, `>=`, `=`, `!=`, `IS NULL`, `IS TRUE`, `IS FALSE`, `NOT EXISTS`, `&&` and
//! `||` (`&&` binds tighter) and parentheses. The empty pattern matches everything.
//!
//! ```
//! use ctlake_changes::filter::FilterPattern;
//!
//! let pattern: FilterPattern = r#"{ ($.eventName = "RunInstances") && ($.requestParameters.instanceType = *.8xlarge) }"#
//!     .parse()?;
//! let record = serde_json::json!({
//!     "eventName": "RunInstances",
//!     "requestParameters": { "instanceType": "m5.8xlarge" }
//! });
//! assert!(pattern.matches(&record));
//! # Ok::<(), ctlake_changes::filter::FilterParseError>(())
//! ```
//!
//! The patterns of AWS's "CloudWatch Alarms for CloudTrail API Activity" template and the CIS / Security Hub
//! CloudWatch controls ship as named rules grouped into rule sets: see [`RuleSet`].
//!
//! # Errors
//!
//! [`FilterPattern::parse`] returns a [`FilterParseError`] naming the column and what was expected there.

mod ast;
mod builtin;
mod error;
mod eval;
mod parser;

use std::fmt;
use std::str::FromStr;

pub use builtin::{BUILTIN_RULE_SETS, BUILTIN_RULES, BuiltinRule, NamedRule, RuleSet, RuleSetError};
pub use error::{FilterParseError, Found, ParseErrorKind};

/// Longest filter pattern CloudWatch Logs accepts, in characters.
///
/// Source: MetricFilter `filterPattern` "Length Constraints: Minimum length of 0. Maximum length of 1024."
/// (<https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_MetricFilter.html>,
/// `change-detection.md` §3.2).
pub const MAX_PATTERN_LEN: usize = 1024;

/// Most regular expressions one JSON filter pattern may contain.
///
/// Source: "You can use up to two regex expressions in a JSON or space-delimited filter pattern"
/// (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/regex-expressions.html>, `change-detection.md` §3.2).
pub const MAX_REGEX_PER_PATTERN: usize = 2;

/// A parsed CloudWatch Logs JSON filter pattern.
#[derive(Debug, Clone)]
pub struct FilterPattern {
    text: String,
    expr: Option<ast::Expr>,
}

impl FilterPattern {
    /// Parses `text`.
    ///
    /// # Errors
    ///
    /// [`FilterParseError`] with the column and what was expected when `text` is not a valid JSON filter pattern,
    /// is longer than [`MAX_PATTERN_LEN`] or has more than [`MAX_REGEX_PER_PATTERN`] regular expressions.
    pub fn parse(text: &str) -> Result<Self, FilterParseError> {
        Ok(Self {
            text: text.to_owned(),
            expr: parser::parse(text)?,
        })
    }

    /// Whether the JSON event matches. The empty pattern matches every event.
    pub fn matches(&self, event: &serde_json::Value) -> bool {
        self.expr.as_ref().is_none_or(|expr| expr.eval(event))
    }

    /// Whether a log event given as text matches: text that is not JSON never matches a JSON pattern (the empty
    /// pattern still matches it).
    pub fn matches_text(&self, text: &str) -> bool {
        match &self.expr {
            None => true,
            Some(expr) => {
                serde_json::from_str::<serde_json::Value>(text).is_ok_and(|event| expr.eval(&event))
            }
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl FromStr for FilterPattern {
    type Err = FilterParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl fmt::Display for FilterPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;

    fn matches(pattern: &str, event: &Value) -> bool {
        FilterPattern::parse(pattern)
            .unwrap_or_else(|e| panic!("{pattern}: {e}"))
            .matches(event)
    }

    /// Event A of `change-detection.md` §3.3 (from the CloudWatch Logs documentation).
    fn event_a() -> Value {
        json!({"eventType":"UpdateTrail","sourceIPAddress":"111.111.111.111",
               "arrayKey":["value","another value"],
               "objectList":[{"name":"a","id":1},{"name":"b","id":2}],
               "SomeObject":null,"ThisFlag":true})
    }

    /// Event B of `change-detection.md` §3.3.
    fn event_b() -> Value {
        json!({"user":{"id":1,"email":"John.Stiles@example.com"},
               "users":[{"id":2,"email":"John.Doe@example.com"},{"id":3,"email":"Jane.Doe@example.com"}],
               "actions":["GET","PUT","DELETE"],
               "coordinates":[[0,1,2],[4,5,6],[7,8,9]]})
    }

    #[test]
    fn documented_examples_for_event_a_all_match() {
        let a = event_a();
        for pattern in [
            r#"{ $.eventType = "UpdateTrail" }"#,
            "{ $.sourceIPAddress != 123.123.* }",
            r#"{ $.arrayKey[0] = "value" }"#,
            "{ $.objectList[1].id = 2 }",
            "{ $.SomeObject IS NULL }",
            "{ $.SomeOtherObject NOT EXISTS }",
            "{ $.ThisFlag IS TRUE }",
        ] {
            assert!(matches(pattern, &a), "{pattern}");
        }
    }

    #[test]
    fn documented_examples_for_event_a_negations_do_not_match() {
        let a = event_a();
        for pattern in [
            r#"{ $.eventType = "updatetrail" }"#,
            "{ $.sourceIPAddress != 111.111.* }",
            r#"{ $.arrayKey[1] = "value" }"#,
            "{ $.objectList[1].id = 1 }",
            "{ $.objectList[2].id = 2 }",
            "{ $.ThisFlag IS NULL }",
            "{ $.SomeObject NOT EXISTS }",
            "{ $.ThisFlag IS FALSE }",
            "{ $.SomeObject IS TRUE }",
            "{ $.Missing IS NULL }",
        ] {
            assert!(!matches(pattern, &a), "{pattern}");
        }
    }

    #[test]
    fn documented_examples_for_event_b() {
        let b = event_b();
        assert!(matches(
            r#"{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }"#,
            &b
        ));
        assert!(!matches(
            r#"{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }"#,
            &b
        ));
        assert!(matches(
            r#"{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }"#,
            &b
        ));
        assert!(!matches(
            r#"{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }"#,
            &b
        ));
        assert!(matches("{ $.coordinates[2][0] = 7 }", &b));
    }

    #[test]
    fn arrays_and_objects_never_compare() {
        let event = json!({"users":[1,2,3],"obj":{"a":1}});
        for pattern in [
            "{$.users = 1}",
            "{$.users != 1}",
            "{$.users = *}",
            "{$.obj != x}",
            "{$.obj IS NULL}",
            "{$.users NOT EXISTS}",
        ] {
            assert!(!matches(pattern, &event), "{pattern}");
        }
        assert!(matches("{$.users[0] = 1}", &event));
        // Indexing a non-array or naming a field of an array does not resolve.
        assert!(!matches("{$.obj[0] = 1}", &event));
        assert!(matches("{$.obj[0] NOT EXISTS}", &event));
        assert!(matches("{$.users.a NOT EXISTS}", &event));
    }

    #[test]
    fn documented_numeric_examples() {
        let event = json!({"latency": 1500, "numbers": [0.001, 5], "errorCode": 400,
                           "processes": [{}, {}, {}, {}, {"averageRuntime": 55.5}]});
        for pattern in [
            "{ $.latency >= 500 }",
            "{ $.numbers[0] < 10e3 }",
            "{ $.numbers[0] < 10e-3 }",
            "{ $.processes[4].averageRuntime <= 55.5 }",
            "{ $.errorCode = 400 }",
            "{ $.latency > +1000 }",
            "{ $.errorCode = 4.0e2 }",
            "{ $.errorCode != 401 }",
        ] {
            assert!(matches(pattern, &event), "{pattern}");
        }
        for pattern in [
            "{ $.latency < 500 }",
            "{ $.numbers[1] < 10e-3 }",
            "{ $.processes[4].averageRuntime < 55.5 }",
            "{ $.errorCode != 400 }",
            "{ $.latency > 1500 }",
            "{ $.missing < 1 }",
        ] {
            assert!(!matches(pattern, &event), "{pattern}");
        }
    }

    #[test]
    fn numbers_against_strings_compare_as_text_and_never_order() {
        let event = json!({"code": "400", "big": "1000"});
        assert!(matches("{ $.code = 400 }", &event));
        assert!(!matches("{ $.code != 400 }", &event));
        assert!(!matches("{ $.big > 1 }", &event));
        assert!(!matches("{ $.big < 100000 }", &event));
    }

    #[test]
    fn wildcards() {
        let event = json!({"errorCode": "Client.UnauthorizedOperation", "instanceType": "c5.8xlarge",
                           "path": "/index.html", "star": "Ev*ent"});
        for pattern in [
            r#"{ $.errorCode = "*UnauthorizedOperation" }"#,
            "{ $.errorCode = Client.* }",
            "{ $.instanceType = *.8xlarge }",
            "{ $.path = *html* }",
            "{ $.path = *index* }",
            "{ $.path = * }",
            r#"{ $.path = "*" }"#,
            "{ $.star = Ev*ent }",
        ] {
            assert!(matches(pattern, &event), "{pattern}");
        }
        for pattern in [
            r#"{ $.errorCode = "AccessDenied*" }"#,
            "{ $.instanceType = *.4xlarge }",
            "{ $.path = *xml* }",
            "{ $.missing = * }",
            "{ $.path != * }",
            "{ $.path = /in*.html }",
        ] {
            assert!(!matches(pattern, &event), "{pattern}");
        }
    }

    #[test]
    fn strings_are_case_sensitive_and_exact() {
        let event = json!({"eventName": "ConsoleLogin", "flag": false, "nothing": null, "n": 42});
        assert!(matches("{ $.eventName = ConsoleLogin }", &event));
        assert!(!matches("{ $.eventName = consolelogin }", &event));
        assert!(!matches("{ $.eventName = Console }", &event));
        assert!(matches("{ $.flag = false }", &event));
        assert!(matches("{ $.nothing != x }", &event));
        assert!(matches(r#"{ $.n = "42" }"#, &event));
        // A missing field fails both `=` and `!=`.
        assert!(!matches(r#"{ $.additionalEventData.MFAUsed != "Yes" }"#, &event));
    }

    #[test]
    fn quoted_strings_unescape_quotes_and_backslashes() {
        let event = json!({"a": "say \"hi\"", "b": r"C:\dir", "c": r"\n"});
        assert!(matches(r#"{ $.a = "say \"hi\"" }"#, &event));
        assert!(matches(r#"{ $.b = "C:\\dir" }"#, &event));
        assert!(matches(r#"{ $.c = "\n" }"#, &event));
    }

    #[test]
    fn regex_values_search_unless_anchored() {
        let event = json!({"eventName": "DeleteBucketPolicy", "n": 12345});
        assert!(matches("{ $.eventName = %Bucket% }", &event));
        assert!(matches("{ $.eventName = %^Delete.*Policy$% }", &event));
        assert!(!matches("{ $.eventName = %^Bucket% }", &event));
        assert!(matches("{ $.eventName != %^Put% }", &event));
        assert!(matches("{ $.n = %^[0-9]{5}$% }", &event));
    }

    #[test]
    fn precedence_and_binds_tighter_than_or() {
        let event = json!({"a": 1, "b": 0, "c": 0});
        // a || (b && c): true because of a.
        assert!(matches("{ $.a = 1 || $.b = 1 && $.c = 1 }", &event));
        // (a || b) && c: false because of c.
        assert!(!matches("{ ($.a = 1 || $.b = 1) && $.c = 1 }", &event));
        // (b && c) || a, written without parentheses.
        assert!(matches("{ $.b = 1 && $.c = 1 || $.a = 1 }", &event));
        assert!(!matches("{ $.b = 1 && ($.c = 1 || $.a = 1) }", &event));
        // Nested parentheses.
        assert!(matches("{ ((($.a = 1))) }", &event));
    }

    /// The CIS v1.4 "unauthorized API calls" pattern is matched literally: `Unauth || (AccessDenied && … )`.
    #[test]
    fn cis_v1_4_unauthorized_pattern_is_matched_literally() {
        let pattern = r#"{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }"#;
        let unauthorized_head_bucket = json!({"errorCode": "Client.UnauthorizedOperation", "eventName": "HeadBucket",
                                              "sourceIPAddress": "delivery.logs.amazonaws.com"});
        assert!(matches(pattern, &unauthorized_head_bucket));
        let denied_head_bucket = json!({"errorCode": "AccessDenied", "eventName": "HeadBucket",
                                        "sourceIPAddress": "1.2.3.4"});
        assert!(!matches(pattern, &denied_head_bucket));
        let denied_other = json!({"errorCode": "AccessDenied", "eventName": "GetObject",
                                  "sourceIPAddress": "1.2.3.4"});
        assert!(matches(pattern, &denied_other));
    }

    #[test]
    fn empty_pattern_matches_everything_and_text_input_needs_json() {
        let empty = FilterPattern::parse("").unwrap();
        assert!(empty.matches(&json!(null)));
        assert!(empty.matches_text("not json"));
        let p = FilterPattern::parse("{ $.a = 1 }").unwrap();
        assert!(p.matches_text(r#"{"a": 1}"#));
        assert!(!p.matches_text("a = 1"));
        assert_eq!(p.to_string(), "{ $.a = 1 }");
        assert_eq!(p.as_str(), "{ $.a = 1 }");
    }

    proptest! {
        #[test]
        fn parser_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
            let _ = FilterPattern::parse(&text);
        }

        #[test]
        fn parser_never_panics_on_pattern_like_text(
            text in r#"[{}()$.\[\]0-9a-zA-Z_*"%!=<>&| \\-]{0,120}"#,
        ) {
            if let Ok(pattern) = FilterPattern::parse(&text) {
                let _ = pattern.matches(&event_b());
            }
        }

        #[test]
        fn errors_point_inside_the_text(text in r#"[{}()$.\[\]0-9a-z"%!=<>&| ]{0,60}"#) {
            if let Err(e) = FilterPattern::parse(&text) {
                prop_assert!(e.offset() <= text.len());
                prop_assert!(e.column() <= text.chars().count() + 1);
            }
        }
    }
}
