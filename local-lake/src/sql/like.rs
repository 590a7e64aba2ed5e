//! `LIKE` → SQLite `GLOB`.
//!
//! Trino's `LIKE` is case-sensitive; SQLite's is not (for ASCII), so a literal `LIKE` pattern is rewritten to the
//! equivalent `GLOB` pattern, which is case-sensitive and, like Trino, matches `?`/`*` per character.

/// Rewrites a Trino `LIKE` pattern (with an optional one-character escape) into a SQLite `GLOB` pattern.
///
/// `%` becomes `*`, `_` becomes `?`, and the GLOB metacharacters `*`, `?` and `[` become one-character classes.
/// As in Trino, the escape character may only precede `%`, `_` or itself.
pub(crate) fn like_to_glob(pattern: &str, escape: Option<char>) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if Some(c) == escape {
            match chars.next() {
                Some(e) if e == '%' || e == '_' || Some(e) == escape => push_literal(&mut out, e),
                _ => {
                    return Err(format!(
                        "Escape character must be followed by '%', '_' or the escape character (LIKE pattern '{pattern}')"
                    ));
                }
            }
        } else {
            match c {
                '%' => out.push('*'),
                '_' => out.push('?'),
                c => push_literal(&mut out, c),
            }
        }
    }
    Ok(out)
}

fn push_literal(out: &mut String, c: char) {
    match c {
        '*' => out.push_str("[*]"),
        '?' => out.push_str("[?]"),
        '[' => out.push_str("[[]"),
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_wildcards_and_escapes_glob_metacharacters() {
        assert_eq!(like_to_glob("Get%", None).unwrap(), "Get*");
        assert_eq!(like_to_glob("a_c", None).unwrap(), "a?c");
        assert_eq!(like_to_glob("*?[]", None).unwrap(), "[*][?][[]]");
        assert_eq!(like_to_glob("100\\%", Some('\\')).unwrap(), "100%");
        assert_eq!(like_to_glob("a!_b!!", Some('!')).unwrap(), "a_b!");
        assert!(like_to_glob("a!b", Some('!')).is_err());
        assert!(like_to_glob("a!", Some('!')).is_err());
    }

    #[test]
    fn glob_matches_like_trino_does() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let matches = |value: &str, pattern: &str| -> bool {
            let glob = like_to_glob(pattern, Some('\\')).unwrap();
            conn.query_row("SELECT ?1 GLOB ?2", [value, &glob], |r| r.get(0))
                .unwrap()
        };
        assert!(matches("GetObject", "Get%"));
        assert!(!matches("getObject", "Get%"));
        assert!(matches("a*b", "a*b"));
        assert!(!matches("axb", "a*b"));
        assert!(matches("é", "_"));
        assert!(matches("line1\nline2", "line1%"));
        assert!(matches("50%", "50\\%"));
        assert!(!matches("500", "50\\%"));
        assert!(matches("[x]", "[x]"));
    }
}
