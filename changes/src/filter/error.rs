//! Errors of the filter-pattern parser.

use std::fmt;

/// A filter pattern that could not be parsed.
///
/// Names the position (byte offset and 1-based character column in the pattern text) and what the parser
/// expected there, so a rule in a configuration file can be fixed without guessing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {kind}")]
pub struct FilterParseError {
    offset: usize,
    column: usize,
    kind: ParseErrorKind,
}

impl FilterParseError {
    /// Builds an error at byte `offset` of `text`.
    pub(crate) fn new(text: &str, offset: usize, kind: ParseErrorKind) -> Self {
        let offset = offset.min(text.len());
        let column = text
            .get(..offset)
            .map_or(offset, |before| before.chars().count())
            .saturating_add(1);
        Self { offset, column, kind }
    }

    /// Byte offset in the pattern text where the problem starts.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// 1-based character column in the pattern text where the problem starts.
    pub fn column(&self) -> usize {
        self.column
    }

    /// What went wrong.
    pub fn kind(&self) -> &ParseErrorKind {
        &self.kind
    }
}

/// What went wrong while parsing a filter pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The parser expected one thing and found another.
    Expected {
        /// What would have been valid here, in words (e.g. "`&&`, `||` or `}`").
        expected: &'static str,
        /// What was found instead.
        found: Found,
    },
    /// The pattern is longer than [`MAX_PATTERN_LEN`](super::MAX_PATTERN_LEN) characters.
    TooLong {
        /// Length of the pattern, in characters.
        len: usize,
    },
    /// The pattern is not a JSON pattern (`{ … }`): text and space-delimited patterns are not supported.
    NotJsonPattern,
    /// A numeric operator (`<`, `<=`, `>`, `>=`) has a value that is not a number.
    NumberRequired {
        /// The operator.
        operator: &'static str,
    },
    /// An array index does not fit in a machine word.
    IndexTooLarge,
    /// A regular expression uses a character CloudWatch Logs does not allow.
    RegexCharacter {
        /// The offending character.
        character: char,
    },
    /// More than [`MAX_REGEX_PER_PATTERN`](super::MAX_REGEX_PER_PATTERN) regular expressions in one pattern.
    TooManyRegexes,
    /// A regular expression that does not compile.
    InvalidRegex {
        /// The regex engine's explanation.
        message: String,
    },
    /// A quoted string or regular expression is not closed.
    Unterminated {
        /// `"string"` or `"regular expression"`.
        what: &'static str,
    },
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Expected { expected, found } => write!(f, "expected {expected}, found {found}"),
            Self::TooLong { len } => write!(
                f,
                "pattern is {len} characters long; CloudWatch Logs allows at most {}",
                super::MAX_PATTERN_LEN
            ),
            Self::NotJsonPattern => f.write_str(
                "not a JSON filter pattern: it must be enclosed in `{ … }` \
                 (text and space-delimited patterns are not supported)",
            ),
            Self::NumberRequired { operator } => {
                write!(f, "`{operator}` compares numbers, but the value is not a number")
            }
            Self::IndexTooLarge => f.write_str("array index is too large"),
            Self::RegexCharacter { character } => write!(
                f,
                "character {character:?} is not allowed in a CloudWatch Logs regular expression"
            ),
            Self::TooManyRegexes => write!(
                f,
                "a pattern may contain at most {} regular expressions",
                super::MAX_REGEX_PER_PATTERN
            ),
            Self::InvalidRegex { message } => write!(f, "invalid regular expression: {message}"),
            Self::Unterminated { what } => write!(f, "unterminated {what}"),
        }
    }
}

/// What the parser found where it expected something else.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Found {
    /// The end of the pattern.
    End,
    /// A word or symbol (at most a few characters of it).
    Text(String),
}

impl Found {
    /// Describes the text starting at `rest` (the remainder of the pattern).
    pub(crate) fn at(rest: &str) -> Self {
        let Some(first) = rest.chars().next() else {
            return Self::End;
        };
        let word: String = if is_word_char(first) {
            rest.chars().take_while(|&c| is_word_char(c)).take(24).collect()
        } else {
            rest.chars().take(2).filter(|c| !c.is_whitespace()).collect()
        };
        Self::Text(word)
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '*' | '$' | '[' | ']' | ':' | '/' | '@' | '+')
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::End => f.write_str("the end of the pattern"),
            Self::Text(text) => write!(f, "`{text}`"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_counts_characters_not_bytes() {
        let err = FilterParseError::new("{ é x", 5, ParseErrorKind::TooManyRegexes);
        assert_eq!(err.offset(), 5);
        assert_eq!(err.column(), 5);
    }

    #[test]
    fn found_takes_a_word_or_a_symbol() {
        assert_eq!(Found::at(""), Found::End);
        assert_eq!(Found::at("is null"), Found::Text("is".into()));
        assert_eq!(Found::at("&& x"), Found::Text("&&".into()));
        assert_eq!(Found::at("}"), Found::Text("}".into()));
    }
}
