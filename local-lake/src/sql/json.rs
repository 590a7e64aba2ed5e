//! JSON helpers with Trino's semantics: the legacy JSON path of `json_extract_scalar` and the ordered,
//! text-preserving reading of JSON objects that map and row values are rendered from.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// Splits a Trino `json_extract_scalar` path into its segments (Trino's `JsonPathTokenizer`): `$` followed by
/// `.name` (letters, digits, `_`, `:`), `[name]` (letters, digits, `_`) or `["quoted name"]` (`\"` and `\\`
/// escapes) segments.
pub(crate) fn parse_path(path: &str) -> Result<Vec<String>, String> {
    let invalid = || format!("Invalid JSON path: '{path}'");
    let mut chars = path.chars().peekable();
    if chars.next() != Some('$') {
        return Err(invalid());
    }
    let unquoted = |c: char| c == '_' || c.is_alphanumeric();
    let mut segments = Vec::new();
    while let Some(c) = chars.next() {
        let mut token = String::new();
        match c {
            '.' => {
                while let Some(&c) = chars.peek() {
                    if !(unquoted(c) || c == ':') {
                        break;
                    }
                    token.push(c);
                    chars.next();
                }
                if token.is_empty() {
                    return Err(invalid());
                }
            }
            '[' => {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    loop {
                        match chars.next() {
                            Some('"') => break,
                            Some('\\') => match chars.next() {
                                Some(e @ ('"' | '\\')) => token.push(e),
                                _ => return Err(invalid()),
                            },
                            Some(c) => token.push(c),
                            None => return Err(invalid()),
                        }
                    }
                } else {
                    while let Some(&c) = chars.peek() {
                        if !unquoted(c) {
                            break;
                        }
                        token.push(c);
                        chars.next();
                    }
                    if token.is_empty() {
                        return Err(invalid());
                    }
                }
                if chars.next() != Some(']') {
                    return Err(invalid());
                }
            }
            _ => return Err(invalid()),
        }
        segments.push(token);
    }
    Ok(segments)
}

/// Trino's `json_extract_scalar(json, path)` on a varchar: the scalar at `path` as text (strings unquoted,
/// numbers as written, `true`/`false`), or `None` for JSON `null`, an object, an array, a missing path or text
/// that is not JSON. A segment selects an object's member by name or an array's element by index.
pub(crate) fn extract_scalar(json: &str, segments: &[String]) -> Option<String> {
    let mut current: Box<RawValue> = serde_json::from_str(json).ok()?;
    for segment in segments {
        let text = current.get().trim_start();
        let next: Box<RawValue> = if text.starts_with('{') {
            object_entries(current.get())
                .ok()?
                .into_iter()
                .find(|(k, _)| k == segment)
                .map(|(_, v)| v)?
        } else if text.starts_with('[') {
            let index: usize = segment.parse().ok()?;
            let mut items: Vec<Box<RawValue>> = serde_json::from_str(current.get()).ok()?;
            if index >= items.len() {
                return None;
            }
            items.swap_remove(index)
        } else {
            return None;
        };
        current = next;
    }
    scalar_text(&current)
}

/// The text of a JSON scalar as Trino renders it in a varchar, or `None` for `null`, objects and arrays.
pub(crate) fn scalar_text(value: &RawValue) -> Option<String> {
    let text = value.get().trim();
    match text.chars().next()? {
        '"' => serde_json::from_str::<String>(text).ok(),
        '{' | '[' => None,
        'n' => None,
        _ => Some(text.to_owned()),
    }
}

/// The members of a JSON object in document order, each value kept as its JSON text (so numbers keep the digits
/// they were written with). The first occurrence wins when a key repeats, as in Trino's streaming parser.
pub(crate) fn object_entries(json: &str) -> Result<Vec<(String, Box<RawValue>)>, serde_json::Error> {
    struct Entries;
    impl<'de> Visitor<'de> for Entries {
        type Value = Vec<(String, Box<RawValue>)>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut entries: Vec<(String, Box<RawValue>)> = Vec::new();
            while let Some((key, value)) = map.next_entry::<String, Box<RawValue>>()? {
                if !entries.iter().any(|(k, _)| *k == key) {
                    entries.push((key, value));
                }
            }
            Ok(entries)
        }
    }
    let mut de = serde_json::Deserializer::from_str(json);
    let entries = (&mut de).deserialize_map(Entries)?;
    de.end()?;
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> Vec<String> {
        parse_path(p).unwrap()
    }

    #[test]
    fn parses_trino_paths() {
        assert_eq!(path("$"), Vec::<String>::new());
        assert_eq!(path("$.a.b_1"), ["a", "b_1"]);
        assert_eq!(path("$.a[0]"), ["a", "0"]);
        assert_eq!(path("$[\"x.y\"][\"q\\\"\"]"), ["x.y", "q\""]);
        assert_eq!(path("$.ns:key"), ["ns:key"]);
        for bad in [
            "",
            "a",
            "$.",
            "$..a",
            "$[",
            "$[\"a\"",
            "$[a",
            "$.a b",
            "$[\"\\n\"]",
            "$.*",
        ] {
            assert!(parse_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn extracts_scalars_like_trino() {
        let doc =
            r#"{"a":{"b":[10,"x",true,null,{"c":1}]},"n":1.50,"s":"\u00e9\"","o":{},"0":"zero","a2":1}"#;
        let get = |p: &str| extract_scalar(doc, &path(p));
        assert_eq!(get("$.a.b[0]").as_deref(), Some("10"));
        assert_eq!(get("$.a.b.1").as_deref(), Some("x"));
        assert_eq!(get("$.a.b[2]").as_deref(), Some("true"));
        assert_eq!(get("$.a.b[3]"), None);
        assert_eq!(get("$.a.b[4]"), None);
        assert_eq!(get("$.a.b[4].c").as_deref(), Some("1"));
        assert_eq!(get("$.a.b[9]"), None);
        assert_eq!(get("$.n").as_deref(), Some("1.50"));
        assert_eq!(get("$.s").as_deref(), Some("é\""));
        assert_eq!(get("$.o"), None);
        assert_eq!(get("$[0]").as_deref(), Some("zero"));
        assert_eq!(get("$.missing"), None);
        assert_eq!(extract_scalar("not json", &path("$.a")), None);
        assert_eq!(extract_scalar("\"plain\"", &path("$")).as_deref(), Some("plain"));
    }

    #[test]
    fn object_entries_keep_order_text_and_first_duplicate() {
        let entries = object_entries(r#"{"z":1.0,"a":{"k": [1]},"z":2}"#).unwrap();
        let flat: Vec<(&str, &str)> = entries.iter().map(|(k, v)| (k.as_str(), v.get())).collect();
        assert_eq!(flat, [("z", "1.0"), ("a", "{\"k\": [1]}")]);
        assert!(object_entries("[1]").is_err());
        assert!(object_entries("{} x").is_err());
    }
}
