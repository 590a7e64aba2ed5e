//! Quotes the bare event data store ids that Lake SQL allows after `FROM`/`JOIN`, before `sqlparser` sees them.
//!
//! Lake writes the table as the bare id, hyphens and leading digits included
//! (`FROM 8a9cd1e2-1234-4f7e-a06a-43969abcdef0`), which no SQL parser accepts. This pass scans the statement
//! with a small lexer that knows string literals, quoted identifiers and comments, and wraps such an id in
//! double quotes when it directly follows the keyword `FROM` or `JOIN`. It never changes anything else, so the
//! parser still sees (and rejects) everything the user wrote.
//!
//! The `FROM` of `IS [NOT] DISTINCT FROM` and a `FROM` inside a function call's parentheses
//! (`substring(x FROM 2)`) are not table positions and are left alone.

/// Keywords that may precede `(` without making it a function call's parenthesis.
const NON_CALL_WORDS: &[&str] = &[
    "ALL",
    "AND",
    "AS",
    "BY",
    "DISTINCT",
    "ELSE",
    "EXCEPT",
    "EXISTS",
    "FROM",
    "HAVING",
    "IN",
    "INTERSECT",
    "JOIN",
    "NOT",
    "ON",
    "OR",
    "SELECT",
    "THEN",
    "UNION",
    "WHEN",
    "WHERE",
];

/// Words that end a `FROM` list (after which a comma no longer separates tables).
const FROM_LIST_ENDS: &[&str] = &[
    "WHERE",
    "GROUP",
    "HAVING",
    "ORDER",
    "LIMIT",
    "OFFSET",
    "FETCH",
    "UNION",
    "INTERSECT",
    "EXCEPT",
    "ON",
    "JOIN",
    "SELECT",
    "WINDOW",
];

/// What the lexer saw last, outside whitespace and comments.
#[derive(Debug, PartialEq)]
enum Prev {
    Nothing,
    /// A bare word, upper-cased.
    Word(String),
    Other,
}

/// Returns `statement` with every bare table id after `FROM`/`JOIN` double-quoted.
pub(crate) fn quote_table_ids(statement: &str) -> String {
    let chars: Vec<(usize, char)> = statement.char_indices().collect();
    let mut out = String::with_capacity(statement.len() + 8);
    // One entry per open parenthesis: whether it is a function call's.
    let mut parens: Vec<bool> = Vec::new();
    let mut prev = Prev::Nothing;
    // Inside a FROM list (at this parenthesis depth), where a comma is followed by another table.
    let mut from_list: Option<usize> = None;
    let mut i = 0;
    while i < chars.len() {
        let (_, c) = chars[i];
        let next = chars.get(i + 1).map(|&(_, c)| c);
        if c == '\'' || c == '"' {
            let end = skip_quoted(&chars, i, c);
            out.push_str(slice(statement, &chars, i, end));
            i = end;
            prev = Prev::Other;
        } else if c == '-' && next == Some('-') {
            let end = chars[i..]
                .iter()
                .position(|&(_, c)| c == '\n')
                .map_or(chars.len(), |p| i + p);
            out.push_str(slice(statement, &chars, i, end));
            i = end;
        } else if c == '/' && next == Some('*') {
            let end = skip_block_comment(&chars, i);
            out.push_str(slice(statement, &chars, i, end));
            i = end;
        } else if c.is_alphabetic() || c == '_' {
            let mut end = i;
            while end < chars.len() && (chars[end].1.is_alphanumeric() || chars[end].1 == '_') {
                end += 1;
            }
            let word = slice(statement, &chars, i, end);
            out.push_str(word);
            i = end;
            let upper = word.to_ascii_uppercase();
            let in_call = parens.last().copied().unwrap_or(false);
            let is_table_keyword =
                (upper == "FROM" && prev_is_not_distinct(&prev) && !in_call) || upper == "JOIN";
            if upper == "FROM" && is_table_keyword {
                from_list = Some(parens.len());
            } else if FROM_LIST_ENDS.contains(&upper.as_str()) {
                from_list = None;
            }
            prev = Prev::Word(upper);
            if is_table_keyword {
                i = quote_following_id(statement, &chars, i, &mut out);
            }
        } else {
            if c == '(' {
                let is_call = matches!(&prev, Prev::Word(w) if !NON_CALL_WORDS.contains(&w.as_str()));
                parens.push(is_call);
            } else if c == ')' {
                parens.pop();
                if from_list.is_some_and(|depth| parens.len() < depth) {
                    from_list = None;
                }
            } else if c == ';' {
                from_list = None;
            }
            out.push(c);
            i += 1;
            if c == ',' && from_list == Some(parens.len()) {
                prev = Prev::Other;
                i = quote_following_id(statement, &chars, i, &mut out);
                continue;
            }
            if !c.is_whitespace() {
                prev = Prev::Other;
            }
        }
    }
    out
}

/// `FROM` right after `DISTINCT` is the `IS [NOT] DISTINCT FROM` operator, not a table position.
fn prev_is_not_distinct(prev: &Prev) -> bool {
    !matches!(prev, Prev::Word(w) if w == "DISTINCT")
}

/// After `FROM`/`JOIN` at `chars[i]`: copies whitespace and comments, then the table id, quoted when it
/// contains a hyphen or starts with a digit. Returns the index after what was copied.
fn quote_following_id(statement: &str, chars: &[(usize, char)], mut i: usize, out: &mut String) -> usize {
    loop {
        match chars.get(i) {
            Some(&(_, c)) if c.is_whitespace() => {
                out.push(c);
                i += 1;
            }
            Some(&(_, '-')) if chars.get(i + 1).map(|&(_, c)| c) == Some('-') => {
                let end = chars[i..]
                    .iter()
                    .position(|&(_, c)| c == '\n')
                    .map_or(chars.len(), |p| i + p);
                out.push_str(slice(statement, chars, i, end));
                i = end;
            }
            Some(&(_, '/')) if chars.get(i + 1).map(|&(_, c)| c) == Some('*') => {
                let end = skip_block_comment(chars, i);
                out.push_str(slice(statement, chars, i, end));
                i = end;
            }
            _ => break,
        }
    }
    let is_id_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut end = i;
    while end < chars.len() && is_id_char(chars[end].1) {
        // `--` starts a comment, never part of an id.
        if chars[end].1 == '-' && chars.get(end + 1).map(|&(_, c)| c) == Some('-') {
            break;
        }
        end += 1;
    }
    if end == i {
        return i;
    }
    let id = slice(statement, chars, i, end);
    let follows = chars.get(end).map(|&(_, c)| c);
    let needs_quotes = (id.contains('-') || id.starts_with(|c: char| c.is_ascii_digit()))
        && !matches!(follows, Some('.' | '(' | '"'))
        && !id.ends_with('-');
    if needs_quotes {
        out.push('"');
        out.push_str(id);
        out.push('"');
        end
    } else {
        // Not an id to quote: leave it to the main loop, which lexes words and operators itself.
        i
    }
}

/// Index after the quoted token (string or identifier) opened by `quote` at `chars[start]`; a doubled quote is
/// an escaped one. An unterminated token runs to the end (the parser reports it).
fn skip_quoted(chars: &[(usize, char)], start: usize, quote: char) -> usize {
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i].1 == quote {
            if chars.get(i + 1).map(|&(_, c)| c) == Some(quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    chars.len()
}

/// Index after the block comment that starts at `chars[start]` (`/*`).
fn skip_block_comment(chars: &[(usize, char)], start: usize) -> usize {
    let mut i = start + 2;
    while i + 1 < chars.len() {
        if chars[i].1 == '*' && chars[i + 1].1 == '/' {
            return i + 2;
        }
        i += 1;
    }
    chars.len()
}

/// The text of `chars[from..to]` as a slice of `statement`.
fn slice<'a>(statement: &'a str, chars: &[(usize, char)], from: usize, to: usize) -> &'a str {
    let start = chars.get(from).map_or(statement.len(), |&(b, _)| b);
    let end = chars.get(to).map_or(statement.len(), |&(b, _)| b);
    statement.get(start..end).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_uuid_ids_after_from_and_join() {
        assert_eq!(
            quote_table_ids("SELECT * FROM 8a9cd1e2-1234-4f7e-a06a-43969abcdef0 WHERE x = 1"),
            "SELECT * FROM \"8a9cd1e2-1234-4f7e-a06a-43969abcdef0\" WHERE x = 1"
        );
        assert_eq!(
            quote_table_ids("select a.x from eds-1 a join\n  eds-2 b on a.x = b.x"),
            "select a.x from \"eds-1\" a join\n  \"eds-2\" b on a.x = b.x"
        );
        assert_eq!(
            quote_table_ids("SELECT 1 FROM /* c */ 1abc"),
            "SELECT 1 FROM /* c */ \"1abc\""
        );
    }

    #[test]
    fn quotes_each_table_of_a_from_list() {
        assert_eq!(
            quote_table_ids("SELECT f(a, b-c) FROM eds-1 x, eds-2 y WHERE g(x, 1-2) = 1"),
            "SELECT f(a, b-c) FROM \"eds-1\" x, \"eds-2\" y WHERE g(x, 1-2) = 1"
        );
        assert_eq!(
            quote_table_ids("SELECT 1 FROM a-1 JOIN b-2 ON f(x, 1-2) = 1"),
            "SELECT 1 FROM \"a-1\" JOIN \"b-2\" ON f(x, 1-2) = 1"
        );
    }

    #[test]
    fn leaves_plain_and_quoted_ids_alone() {
        for s in [
            "SELECT * FROM plain",
            "SELECT * FROM \"a-b\"",
            "SELECT * FROM t WHERE x IS DISTINCT FROM 1-2",
            "SELECT substring(x FROM 1-2) FROM t",
            "SELECT '-- FROM a-b' FROM t -- FROM c-d",
            "SELECT \"FROM a-b\" FROM t",
            "SELECT * FROM a--b",
        ] {
            assert_eq!(quote_table_ids(s), s);
        }
    }

    #[test]
    fn survives_unterminated_tokens_and_multibyte_text() {
        assert_eq!(quote_table_ids("SELECT 'é FROM a-b"), "SELECT 'é FROM a-b");
        assert_eq!(quote_table_ids("SELECT é FROM a-é"), "SELECT é FROM a-é");
        assert_eq!(quote_table_ids("/* FROM a-b"), "/* FROM a-b");
        assert_eq!(quote_table_ids("FROM"), "FROM");
    }
}
