//! Recursive-descent parser for the JSON filter-pattern grammar of
//! `shared/reference/change-detection.md` §3.1.
//!
//! ```text
//! pattern    := ws ( "{" ws expr ws "}" )? ws          (empty pattern = match everything)
//! expr       := and_expr ( "||" and_expr )*
//! and_expr   := unary ( "&&" unary )*
//! unary      := "(" expr ")" | comparison
//! comparison := selector op value | selector "IS" ("NULL"|"TRUE"|"FALSE") | selector "NOT" "EXISTS"
//! selector   := "$" ( "." name | "[" digits "]" )+
//! value      := number | "quoted" | bare | %regex%
//! ```

use regex_lite::Regex;

use super::ast::{Comparison, Expr, Number, Ordering, Selector, Step, Test, TextMatch, Value};
use super::error::{FilterParseError, Found, ParseErrorKind};
use super::{MAX_PATTERN_LEN, MAX_REGEX_PER_PATTERN};

/// Parses a whole pattern; `None` is the empty pattern.
pub(crate) fn parse(text: &str) -> Result<Option<Expr>, FilterParseError> {
    let len = text.chars().count();
    if len > MAX_PATTERN_LEN {
        return Err(FilterParseError::new(text, 0, ParseErrorKind::TooLong { len }));
    }
    let mut parser = Parser {
        text,
        pos: 0,
        regexes: 0,
    };
    parser.skip_ws();
    if parser.at_end() {
        return Ok(None);
    }
    if !parser.eat("{") {
        return Err(parser.error(ParseErrorKind::NotJsonPattern));
    }
    let expr = parser.expr()?;
    parser.skip_ws();
    if !parser.eat("}") {
        return Err(parser.expected("`&&`, `||` or `}`"));
    }
    parser.skip_ws();
    if !parser.at_end() {
        return Err(parser.expected("the end of the pattern after `}`"));
    }
    Ok(Some(expr))
}

/// Characters that end a bare (unquoted) value or keyword.
fn ends_bare(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '{' | '}' | '|' | '&' | '"' | '=' | '!' | '<' | '>')
}

/// Characters allowed in a CloudWatch Logs regular expression besides ASCII alphanumerics
/// (`change-detection.md` §3.2: symbols `: _ # = @ / ; , -`, operators `^ $ ? [ ] { } | \ * + .`;
/// we also allow the space character).
fn allowed_in_regex(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            ':' | '_'
                | '#'
                | '='
                | '@'
                | '/'
                | ';'
                | ','
                | '-'
                | '^'
                | '$'
                | '?'
                | '['
                | ']'
                | '{'
                | '}'
                | '|'
                | '\\'
                | '*'
                | '+'
                | '.'
                | ' '
        )
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    regexes: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        let trimmed = rest.trim_start();
        self.pos += rest.len() - trimmed.len();
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn error(&self, kind: ParseErrorKind) -> FilterParseError {
        FilterParseError::new(self.text, self.pos, kind)
    }

    fn error_at(&self, pos: usize, kind: ParseErrorKind) -> FilterParseError {
        FilterParseError::new(self.text, pos, kind)
    }

    fn expected(&self, expected: &'static str) -> FilterParseError {
        self.error(ParseErrorKind::Expected {
            expected,
            found: Found::at(self.rest()),
        })
    }

    fn expr(&mut self) -> Result<Expr, FilterParseError> {
        let mut operands = vec![self.and_expr()?];
        loop {
            self.skip_ws();
            if !self.eat("||") {
                break;
            }
            operands.push(self.and_expr()?);
        }
        Ok(if operands.len() == 1 {
            operands.remove(0)
        } else {
            Expr::Or(operands)
        })
    }

    fn and_expr(&mut self) -> Result<Expr, FilterParseError> {
        let mut operands = vec![self.unary()?];
        loop {
            self.skip_ws();
            if !self.eat("&&") {
                break;
            }
            operands.push(self.unary()?);
        }
        Ok(if operands.len() == 1 {
            operands.remove(0)
        } else {
            Expr::And(operands)
        })
    }

    fn unary(&mut self) -> Result<Expr, FilterParseError> {
        self.skip_ws();
        if self.eat("(") {
            let inner = self.expr()?;
            self.skip_ws();
            if !self.eat(")") {
                return Err(self.expected("`&&`, `||` or `)`"));
            }
            return Ok(inner);
        }
        if self.peek() == Some('$') {
            return Ok(Expr::Test(Box::new(self.comparison()?)));
        }
        Err(self.expected("`(` or a selector starting with `$`"))
    }

    fn comparison(&mut self) -> Result<Comparison, FilterParseError> {
        let selector = self.selector()?;
        self.skip_ws();
        let test = if self.eat("!=") {
            Test::NotEqual(self.value()?)
        } else if self.eat("<=") {
            Test::Order(Ordering::LessOrEqual, self.number("<=")?)
        } else if self.eat(">=") {
            Test::Order(Ordering::GreaterOrEqual, self.number(">=")?)
        } else if self.eat("<") {
            Test::Order(Ordering::Less, self.number("<")?)
        } else if self.eat(">") {
            Test::Order(Ordering::Greater, self.number(">")?)
        } else if self.eat("=") {
            Test::Equal(self.value()?)
        } else if self.keyword("IS") {
            self.skip_ws();
            if self.keyword("NULL") {
                Test::IsNull
            } else if self.keyword("TRUE") {
                Test::IsTrue
            } else if self.keyword("FALSE") {
                Test::IsFalse
            } else {
                return Err(self.expected("`NULL`, `TRUE` or `FALSE` after `IS`"));
            }
        } else if self.keyword("NOT") {
            self.skip_ws();
            if !self.keyword("EXISTS") {
                return Err(self.expected("`EXISTS` after `NOT`"));
            }
            Test::NotExists
        } else {
            return Err(self
                .expected("a comparison operator (`=`, `!=`, `<`, `<=`, `>`, `>=`), `IS` or `NOT EXISTS`"));
        };
        Ok(Comparison { selector, test })
    }

    /// Consumes `word` when it is a whole bare word at the cursor.
    fn keyword(&mut self, word: &str) -> bool {
        let rest = self.rest();
        if rest.starts_with(word) && rest[word.len()..].chars().next().is_none_or(ends_bare) {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    fn selector(&mut self) -> Result<Selector, FilterParseError> {
        // The caller saw `$`.
        self.pos += 1;
        let mut steps = Vec::new();
        loop {
            if self.eat(".") {
                let rest = self.rest();
                let len = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                    .unwrap_or(rest.len());
                if len == 0 {
                    return Err(self.expected("a field name (letters, digits, `_`, `-`) after `.`"));
                }
                steps.push(Step::Field(rest[..len].to_owned()));
                self.pos += len;
            } else if self.eat("[") {
                let start = self.pos;
                let rest = self.rest();
                let len = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
                if len == 0 {
                    return Err(self.expected("an array index (digits) after `[`"));
                }
                let index = rest[..len]
                    .parse::<usize>()
                    .map_err(|_| self.error_at(start, ParseErrorKind::IndexTooLarge))?;
                self.pos += len;
                if !self.eat("]") {
                    return Err(self.expected("`]` after the array index"));
                }
                steps.push(Step::Index(index));
            } else if steps.is_empty() {
                return Err(self.expected("`.` or `[` after `$`"));
            } else {
                break;
            }
        }
        Ok(Selector { steps })
    }

    fn number(&mut self, operator: &'static str) -> Result<Number, FilterParseError> {
        self.skip_ws();
        let start = self.pos;
        if matches!(self.peek(), Some('"' | '%')) {
            return Err(self.error(ParseErrorKind::NumberRequired { operator }));
        }
        let word = self.bare_word();
        if word.is_empty() {
            return Err(self.expected("a number"));
        }
        parse_number(word).ok_or_else(|| self.error_at(start, ParseErrorKind::NumberRequired { operator }))
    }

    fn value(&mut self) -> Result<Value, FilterParseError> {
        self.skip_ws();
        match self.peek() {
            Some('"') => Ok(Value::Text(TextMatch::new(&self.quoted()?))),
            Some('%') => Ok(Value::Regex(self.regex()?)),
            _ => {
                let word = self.bare_word();
                if word.is_empty() {
                    return Err(self.expected("a value (number, string or %regex%)"));
                }
                Ok(match parse_number(word) {
                    Some(number) => Value::Number(number),
                    None => Value::Text(TextMatch::new(word)),
                })
            }
        }
    }

    fn bare_word(&mut self) -> &'a str {
        let rest = self.rest();
        let len = rest.find(ends_bare).unwrap_or(rest.len());
        self.pos += len;
        &rest[..len]
    }

    /// A double-quoted string; `\"` and `\\` are escapes, any other backslash is kept literally.
    fn quoted(&mut self) -> Result<String, FilterParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, escaped @ ('"' | '\\'))) => out.push(escaped),
                    Some((_, other)) => {
                        out.push('\\');
                        out.push(other);
                    }
                    None => break,
                },
                other => out.push(other),
            }
        }
        Err(self.error_at(start, ParseErrorKind::Unterminated { what: "string" }))
    }

    /// `%regex%`, validated against CloudWatch Logs' character set and compiled.
    fn regex(&mut self) -> Result<Regex, FilterParseError> {
        let start = self.pos;
        self.regexes += 1;
        if self.regexes > MAX_REGEX_PER_PATTERN {
            return Err(self.error(ParseErrorKind::TooManyRegexes));
        }
        self.pos += 1;
        let rest = self.rest();
        let Some(len) = rest.find('%') else {
            return Err(self.error_at(
                start,
                ParseErrorKind::Unterminated {
                    what: "regular expression",
                },
            ));
        };
        let body = &rest[..len];
        if let Some((i, character)) = body.char_indices().find(|&(_, c)| !allowed_in_regex(c)) {
            return Err(self.error_at(self.pos + i, ParseErrorKind::RegexCharacter { character }));
        }
        let regex = Regex::new(body).map_err(|e| {
            self.error_at(
                start,
                ParseErrorKind::InvalidRegex {
                    message: e.to_string(),
                },
            )
        })?;
        self.pos += len + 1;
        Ok(regex)
    }
}

/// `[+-]? digits ( "." digits )? ( [eE] [+-]? digits )?` as a number, else `None`.
fn parse_number(word: &str) -> Option<Number> {
    let bytes = word.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < bytes.len() && bytes[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if !digits(&mut i) {
        return None;
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return None;
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return None;
        }
    }
    if i != bytes.len() {
        return None;
    }
    let value = word.parse::<f64>().ok()?;
    Some(Number {
        value,
        text: word.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> FilterParseError {
        match parse(text) {
            Ok(_) => panic!("{text:?} parsed"),
            Err(e) => e,
        }
    }

    #[test]
    fn numbers() {
        for ok in ["1", "+1000", "-5", "55.5", "10e3", "10e-3", "1E+2"] {
            assert!(parse_number(ok).is_some(), "{ok}");
        }
        for not in ["", "+", "1.", ".5", "1e", "1.2.3", "123.123.*", "0x10", "1e3x"] {
            assert!(parse_number(not).is_none(), "{not}");
        }
        assert_eq!(parse_number("10e-3").map(|n| n.value), Some(0.01));
    }

    #[test]
    fn empty_pattern_is_none() {
        assert!(matches!(parse(""), Ok(None)));
        assert!(matches!(parse("   "), Ok(None)));
    }

    #[test]
    fn whitespace_is_optional_around_operators() {
        assert!(parse("{($.eventName=DeleteGroupPolicy)||($.eventName=PutGroupPolicy)}").is_ok());
        assert!(parse("  {  $.a  =  1  &&  $.b != x  }  ").is_ok());
    }

    #[test]
    fn errors_name_position_and_expectation() {
        let e = err("{ $.a is null }");
        assert_eq!(e.column(), 7);
        assert_eq!(
            e.to_string(),
            "column 7: expected a comparison operator (`=`, `!=`, `<`, `<=`, `>`, `>=`), `IS` or \
             `NOT EXISTS`, found `is`"
        );
        let e = err("{ $.a = 1 ");
        assert_eq!(
            e.to_string(),
            "column 11: expected `&&`, `||` or `}`, found the end of the pattern"
        );
        let e = err("{ ($.a = 1 }");
        assert_eq!(e.to_string(), "column 12: expected `&&`, `||` or `)`, found `}`");
        let e = err("{ $.a = 1 } x");
        assert_eq!(e.column(), 13);
        let e = err("{ $. = 1 }");
        assert_eq!(e.column(), 5);
        assert!(e.to_string().contains("field name"), "{e}");
        let e = err("{ $ = 1 }");
        assert!(e.to_string().contains("`.` or `[` after `$`"), "{e}");
        let e = err("{ $.a[x] = 1 }");
        assert!(e.to_string().contains("array index"), "{e}");
        let e = err("{ $.a[1 = 1 }");
        assert!(e.to_string().contains("`]`"), "{e}");
        let e = err("{ $.a < abc }");
        assert_eq!(e.column(), 9);
        assert_eq!(*e.kind(), ParseErrorKind::NumberRequired { operator: "<" });
        let e = err("{ $.a < \"1\" }");
        assert_eq!(*e.kind(), ParseErrorKind::NumberRequired { operator: "<" });
        let e = err("{ $.a = \"abc }");
        assert_eq!(e.column(), 9);
        assert_eq!(*e.kind(), ParseErrorKind::Unterminated { what: "string" });
        let e = err("{ $.a IS MAYBE }");
        assert!(e.to_string().contains("`NULL`, `TRUE` or `FALSE`"), "{e}");
        let e = err("{ $.a NOT THERE }");
        assert!(e.to_string().contains("`EXISTS`"), "{e}");
        let e = err("{ && }");
        assert!(e.to_string().contains("selector"), "{e}");
        let e = err("{ $.a = }");
        assert!(e.to_string().contains("a value"), "{e}");
        let e = err("{ $.a[99999999999999999999999] = 1 }");
        assert_eq!(*e.kind(), ParseErrorKind::IndexTooLarge);
    }

    #[test]
    fn text_patterns_are_rejected_clearly() {
        for text in ["ERROR", "[ip, user, ...]", "\"exact phrase\"", "%ERR.*%"] {
            assert_eq!(*err(text).kind(), ParseErrorKind::NotJsonPattern, "{text}");
        }
    }

    #[test]
    fn length_limit() {
        let long = format!("{{ $.a = {} }}", "x".repeat(MAX_PATTERN_LEN));
        assert!(matches!(err(&long).kind(), ParseErrorKind::TooLong { .. }));
        let fits = format!("{{ $.a = {} }}", "x".repeat(MAX_PATTERN_LEN - 12));
        assert!(parse(&fits).is_ok());
    }

    #[test]
    fn regex_rules() {
        assert!(parse("{ $.a = %^abc[0-9]+$% }").is_ok());
        let e = err("{ $.a = %(a|b)% }");
        assert_eq!(e.column(), 10);
        assert_eq!(*e.kind(), ParseErrorKind::RegexCharacter { character: '(' });
        let e = err("{ $.a = %abc }");
        assert_eq!(
            *e.kind(),
            ParseErrorKind::Unterminated {
                what: "regular expression"
            }
        );
        let e = err("{ $.a = %a% || $.b = %b% || $.c = %c% }");
        assert_eq!(*e.kind(), ParseErrorKind::TooManyRegexes);
        assert_eq!(e.column(), 35);
        let e = err("{ $.a = %a{2% }");
        assert!(matches!(e.kind(), ParseErrorKind::InvalidRegex { .. }), "{e}");
    }

    #[test]
    fn keywords_are_upper_case_whole_words() {
        assert!(parse("{ $.a IS NULL }").is_ok());
        assert!(parse("{ $.a NOT EXISTS }").is_ok());
        assert!(parse("{ $.a IS NULLX }").is_err());
        assert!(parse("{ $.a IS null }").is_err());
    }
}
