//! The violations validation reports: where ([`Violation::path`]) and which rule ([`Rule`]).

use std::borrow::Cow;
use std::fmt;

use crate::event::{AccountId, EventTimeError};

/// The JSON type of a value, used to say what was expected and what was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonType {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl JsonType {
    /// The type of `value`.
    pub fn of(value: &serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => Self::Null,
            serde_json::Value::Bool(_) => Self::Bool,
            serde_json::Value::Number(_) => Self::Number,
            serde_json::Value::String(_) => Self::String,
            serde_json::Value::Array(_) => Self::Array,
            serde_json::Value::Object(_) => Self::Object,
        }
    }
}

impl fmt::Display for JsonType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Null => "null",
            Self::Bool => "a boolean",
            Self::Number => "a number",
            Self::String => "a string",
            Self::Array => "an array",
            Self::Object => "an object",
        })
    }
}

/// The rule a value breaks. Match on it to react to a specific problem; its `Display` is the human
/// explanation (without the path, which [`Violation`] adds).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// A required field is missing.
    Required,
    /// A required string is empty.
    Empty,
    /// A string has more characters (Unicode scalar values) than allowed.
    TooLong {
        /// The limit, in characters.
        max: usize,
        /// The value's length, in characters.
        actual: usize,
    },
    /// A string has fewer characters than allowed.
    TooShort {
        /// The minimum, in characters.
        min: usize,
        /// The value's length, in characters.
        actual: usize,
    },
    /// A JSON object (or a request) is larger, serialized, than allowed.
    TooLarge {
        /// The limit, in bytes of compact JSON.
        max_bytes: usize,
        /// The serialized size, in bytes.
        actual: usize,
    },
    /// A character outside the allowed set (a pattern made of one character class, like `[-_A-Za-z0-9]+`).
    InvalidChar {
        /// The offending character.
        found: char,
        /// Its position, counted in characters from 1.
        position: usize,
        /// The allowed characters, as the pattern's character class.
        allowed: &'static str,
    },
    /// The value does not have the required form (described by `expected`).
    Pattern {
        /// What a valid value looks like, e.g. `12 digits`.
        expected: &'static str,
    },
    /// Not a channel ARN of the form `arn:<partition>:cloudtrail:<region>:<account-id>:channel/<channel-id>`.
    InvalidArn {
        /// Which part is wrong.
        reason: &'static str,
    },
    /// `sourceIPAddress` is not an IPv4 or IPv6 address.
    InvalidIp,
    /// `eventTime` is not a UTC time of the form `yyyy-MM-ddTHH:mm:ssZ`.
    InvalidTime(EventTimeError),
    /// `recipientAccountId` is not the account that owns the channel.
    RecipientMismatch {
        /// The event's `recipientAccountId`.
        recipient: AccountId,
        /// The account in the channel ARN.
        channel_account: AccountId,
    },
    /// A field the schema does not have.
    UnknownField {
        /// The fields the object may have.
        expected: &'static [&'static str],
    },
    /// A field given more than once in the same object.
    DuplicateField,
    /// A value that must be a JSON object is something else.
    NotAnObject {
        /// What was found instead.
        found: JsonType,
    },
    /// A value has the wrong JSON type.
    WrongType {
        /// The type the schema requires.
        expected: JsonType,
        /// The type found.
        found: JsonType,
    },
    /// The value at the path is not valid JSON: the `eventData` string of a `PutAuditEvents` record that does
    /// not hold JSON, or a value serde_json cannot represent (a number out of `f64` range, nesting deeper than
    /// 128). Line and column count from 1 at the start of that value (of the string's content, for a string).
    InvalidJson {
        /// Line of the error inside the value.
        line: usize,
        /// Column of the error inside the value.
        column: usize,
        /// What the JSON parser expected or found.
        message: String,
    },
    /// The provided `eventDataChecksum` is not base64(SHA-256) of the `eventData` string.
    ChecksumMismatch {
        /// The checksum the input carried.
        provided: String,
        /// The checksum of the `eventData` bytes.
        computed: String,
    },
}

/// Formats a byte limit the way the AWS documentation writes it: `100 kB`, `1 MB`, or plain bytes.
pub(crate) struct ByteLimit(pub(crate) usize);

impl fmt::Display for ByteLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        if n >= 1_000_000 && n.is_multiple_of(1_000_000) {
            write!(f, "{} MB", n / 1_000_000)
        } else if n >= 1000 && n.is_multiple_of(1000) {
            write!(f, "{} kB", n / 1000)
        } else {
            write!(f, "{n}-byte")
        }
    }
}

fn characters(n: usize) -> &'static str {
    if n == 1 { "character" } else { "characters" }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Required => f.write_str("required field is missing"),
            Self::Empty => f.write_str("must not be empty"),
            Self::TooLong { max, actual } => {
                write!(
                    f,
                    "{actual} {}, over the {max}-character limit",
                    characters(*actual)
                )
            }
            Self::TooShort { min, actual } => {
                write!(
                    f,
                    "{actual} {}, under the {min}-character minimum",
                    characters(*actual)
                )
            }
            Self::TooLarge { max_bytes, actual } => {
                write!(f, "{actual} bytes, over the {} limit", ByteLimit(*max_bytes))
            }
            Self::InvalidChar {
                found,
                position,
                allowed,
            } => {
                write!(
                    f,
                    "character {position} ({found:?}) is not allowed; allowed: {allowed}"
                )
            }
            Self::Pattern { expected } => write!(f, "must be {expected}"),
            Self::InvalidArn { reason } => write!(
                f,
                "not a channel ARN (arn:<partition>:cloudtrail:<region>:<account-id>:channel/<channel-id>): {reason}"
            ),
            Self::InvalidIp => f.write_str("not a valid IPv4 or IPv6 address"),
            Self::InvalidTime(err) => write!(f, "{err}"),
            Self::RecipientMismatch {
                recipient,
                channel_account,
            } => write!(
                f,
                "{recipient} is not the channel owner's account {channel_account}; \
                 recipientAccountId must be the account that owns the channel"
            ),
            Self::UnknownField { expected } => {
                write!(f, "unknown field; expected one of: {}", expected.join(", "))
            }
            Self::DuplicateField => f.write_str("field appears more than once"),
            Self::NotAnObject { found } => write!(f, "must be a JSON object, found {found}"),
            Self::WrongType { expected, found } => write!(f, "must be {expected}, found {found}"),
            Self::InvalidJson {
                line,
                column,
                message,
            } => {
                write!(f, "not valid JSON at line {line}, column {column}: {message}")
            }
            Self::ChecksumMismatch { provided, computed } => write!(
                f,
                "{provided:?} does not match base64(SHA-256(eventData)) = {computed:?}"
            ),
        }
    }
}

/// One broken rule at one place in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    path: Cow<'static, str>,
    rule: Rule,
}

impl Violation {
    /// A violation of `rule` at `path` (a JSON path such as `eventData.userIdentity.type` or `id`).
    pub fn new(path: impl Into<Cow<'static, str>>, rule: Rule) -> Self {
        Self {
            path: path.into(),
            rule,
        }
    }

    /// The JSON path of the offending value: `eventData.requestParameters`, `eventData.userIdentity.type`,
    /// `id`, `eventDataChecksum`, …
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The rule broken.
    pub fn rule(&self) -> &Rule {
        &self.rule
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.rule)
    }
}

impl std::error::Error for Violation {}

/// Every violation found in one event (never empty when returned as an error).
///
/// `Display` lists them all, separated by `; `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violations(Vec<Violation>);

impl Violations {
    /// Wraps a list of violations.
    pub fn new(violations: Vec<Violation>) -> Self {
        Self(violations)
    }

    /// `Ok(())` when `violations` is empty, else the list as an error.
    pub fn check(violations: Vec<Violation>) -> Result<(), Self> {
        if violations.is_empty() {
            Ok(())
        } else {
            Err(Self(violations))
        }
    }

    /// The violations, in the order the fields appear in the schema (or in the input, for parsed input).
    pub fn as_slice(&self) -> &[Violation] {
        &self.0
    }

    /// Iterates over the violations.
    pub fn iter(&self) -> std::slice::Iter<'_, Violation> {
        self.0.iter()
    }

    /// How many violations there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The violation at `path`, if any.
    pub fn at(&self, path: &str) -> Option<&Violation> {
        self.0.iter().find(|v| v.path() == path)
    }

    /// The list.
    pub fn into_vec(self) -> Vec<Violation> {
        self.0
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, violation) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{violation}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Violations {}

impl IntoIterator for Violations {
    type Item = Violation;
    type IntoIter = std::vec::IntoIter<Violation>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Violations {
    type Item = &'a Violation;
    type IntoIter = std::slice::Iter<'a, Violation>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_limits_read_like_the_documentation() {
        assert_eq!(ByteLimit(100_000).to_string(), "100 kB");
        assert_eq!(ByteLimit(1_000_000).to_string(), "1 MB");
        assert_eq!(ByteLimit(1500).to_string(), "1500-byte");
    }

    #[test]
    fn too_large_reads_like_the_issue_example() {
        let v = Violation::new(
            "eventData.requestParameters",
            Rule::TooLarge {
                max_bytes: 100_000,
                actual: 104_857,
            },
        );
        assert_eq!(
            v.to_string(),
            "eventData.requestParameters: 104857 bytes, over the 100 kB limit"
        );
    }

    #[test]
    fn violations_list_every_entry() {
        let all = Violations::new(vec![
            Violation::new("eventData.version", Rule::Required),
            Violation::new("id", Rule::Empty),
        ]);
        assert_eq!(
            all.to_string(),
            "eventData.version: required field is missing; id: must not be empty"
        );
        assert_eq!(all.len(), 2);
        assert_eq!(all.at("id").map(Violation::rule), Some(&Rule::Empty));
        assert!(Violations::check(Vec::new()).is_ok());
    }

    #[test]
    fn json_types_name_themselves() {
        assert_eq!(JsonType::of(&serde_json::json!([])), JsonType::Array);
        assert_eq!(
            Rule::WrongType {
                expected: JsonType::String,
                found: JsonType::Number
            }
            .to_string(),
            "must be a string, found a number"
        );
    }
}
