//! Reading untrusted JSON without losing anything: objects as ordered `(key, raw value)` lists (duplicates
//! kept, so they can be reported), the JSON type of a raw value, and a minifier that only drops whitespace.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::validate::JsonType;

/// A JSON object's members in input order, each value as its exact text.
pub(crate) struct Members<'a>(pub(crate) Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;

        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(entry);
                }
                Ok(Members(members))
            }
        }

        deserializer.deserialize_map(MembersVisitor)
    }
}

/// The JSON type of a raw value, from its first byte (serde_json keeps no leading whitespace in a
/// `RawValue`).
pub(crate) fn type_of(raw: &RawValue) -> JsonType {
    match raw.get().trim_start().as_bytes().first() {
        Some(b'{') => JsonType::Object,
        Some(b'[') => JsonType::Array,
        Some(b'"') => JsonType::String,
        Some(b't' | b'f') => JsonType::Bool,
        Some(b'n') => JsonType::Null,
        _ => JsonType::Number,
    }
}

/// Removes the whitespace between tokens of valid JSON text, keeping every token — strings, numbers,
/// key order — byte for byte. The result is the compact form of exactly the given document.
pub(crate) fn minify(json: &str) -> String {
    let mut out = Vec::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for &b in json.as_bytes() {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            in_string = b == b'"';
            out.push(b);
        }
    }
    // Only ASCII whitespace was removed, so the bytes are still UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn members_keep_order_duplicates_and_raw_text() {
        let m: Members<'_> = serde_json::from_str(r#"{"b": 1.50, "a": [1, 2], "b": "x"}"#).unwrap();
        let got: Vec<(&str, &str)> = m.0.iter().map(|(k, v)| (k.as_str(), v.get())).collect();
        assert_eq!(got, [("b", "1.50"), ("a", "[1, 2]"), ("b", "\"x\"")]);
        assert!(serde_json::from_str::<Members<'_>>("[1]").is_err());
    }

    #[test]
    fn types_of_raw_values() {
        let m: Members<'_> =
            serde_json::from_str(r#"{"o":{},"a":[],"s":"","t":true,"f":false,"n":null,"i":-1}"#).unwrap();
        let types: Vec<JsonType> = m.0.iter().map(|(_, v)| type_of(v)).collect();
        use JsonType::*;
        assert_eq!(types, [Object, Array, String, Bool, Bool, Null, Number]);
    }

    #[test]
    fn minify_keeps_tokens_exactly() {
        let pretty = "{\n  \"a b\" : 12345678901234567890123,\n  \"c\\\" \\\\\" : [ 1.10 , \"x \\n y\" ]\n}";
        assert_eq!(
            minify(pretty),
            r#"{"a b":12345678901234567890123,"c\" \\":[1.10,"x \n y"]}"#
        );
    }

    proptest! {
        #[test]
        fn minify_is_serde_compact_for_serde_pretty(v in json_value()) {
            let pretty = serde_json::to_string_pretty(&v).unwrap();
            prop_assert_eq!(minify(&pretty), serde_json::to_string(&v).unwrap());
        }
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(serde_json::Value::from),
            any::<String>().prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
                prop::collection::btree_map(any::<String>(), inner, 0..6)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
