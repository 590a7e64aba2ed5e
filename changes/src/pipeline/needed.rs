//! A kept record parsed into a `Value` holding only the fields the default rule and the normalizer read.
//!
//! Most of a write call's record is never looked at (`responseElements`, `tlsDetails`, most of
//! `additionalEventData`…); building it into a `serde_json::Value` is the largest cost of a kept record. Here the
//! other fields are still parsed and checked exactly as the full parse checks them (strings, escapes, UTF-8,
//! numbers, nesting depth), but not stored. Any error hands the record back to the full parse, so a record's
//! outcome and its error message are always the full parse's; a successful parse here implies the full parse
//! succeeds with the same values for every field kept.
//!
//! Filter-pattern rules can read any field: with those, the pipeline parses the whole record instead.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Top-level fields kept whole: every field the classifier (`classify/record.rs`), the normalizer
/// (`normalize/`) and the de-duplication read.
const WHOLE: &[&str] = &[
    "eventName",
    "eventSource",
    "eventTime",
    "eventID",
    "eventType",
    "eventCategory",
    "readOnly",
    "managementEvent",
    "errorCode",
    "errorMessage",
    "userIdentity",
    "sourceIPAddress",
    "userAgent",
    "requestParameters",
    "awsRegion",
    "recipientAccountId",
    "requestID",
    "resources",
];

/// Top-level objects of which only some fields are read.
const PARTS: &[(&str, &[&str])] = &[
    ("responseElements", &["ConsoleLogin"]),
    ("additionalEventData", &["UserName"]),
];

/// The key by which `serde_json`'s `Value` parser recognizes an embedded raw value (first key of an object); such
/// an object is left to the full parse.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// The record with only the needed fields, or `None` when it is not a JSON object or not valid JSON (the full
/// parse then says what it is).
pub(crate) fn parse_needed(json: &[u8]) -> Option<Value> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let map = (&mut de).deserialize_map(Fields(None)).ok()?;
    de.end().ok()?;
    Some(Value::Object(map))
}

/// An object's fields: all of `WHOLE`/`PARTS` at the top level (`None`), or only these names.
#[derive(Clone, Copy)]
struct Fields(Option<&'static [&'static str]>);

impl<'de> Visitor<'de> for Fields {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Map::new();
        let mut first = true;
        while let Some(key) = map.next_key::<String>()? {
            if std::mem::take(&mut first) && key == RAW_VALUE_TOKEN {
                return Err(de::Error::custom("a raw value: left to the full parse"));
            }
            match self.0 {
                Some(names) if names.contains(&key.as_str()) => {
                    let value = map.next_value::<Value>()?;
                    out.insert(key, value);
                }
                Some(_) => {
                    map.next_value::<Checked>()?;
                }
                None => {
                    if WHOLE.contains(&key.as_str()) {
                        let value = map.next_value::<Value>()?;
                        out.insert(key, value);
                    } else if let Some((_, names)) = PARTS.iter().find(|(name, _)| *name == key) {
                        let value = map.next_value_seed(Part(names))?;
                        out.insert(key, value);
                    } else {
                        map.next_value::<Checked>()?;
                    }
                }
            }
        }
        Ok(out)
    }
}

/// A value of which, when it is an object, only these fields are kept. Anything else becomes `null` (only an
/// object's fields are read from it).
struct Part(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for Part {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Part {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        Fields(Some(self.0)).visit_map(map).map(Value::Object)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Value, A::Error> {
        Checked.visit_seq(seq).map(|_| Value::Null)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

/// Any JSON value, parsed and checked as `Value` parses it (`deserialize_any`: strings decoded and their UTF-8
/// checked, numbers converted), but not stored.
#[derive(Clone, Copy)]
struct Checked;

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Checked)
    }
}

impl<'de> Visitor<'de> for Checked {
    type Value = Checked;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
        let mut first = true;
        while let Some(key) = map.next_key::<Key>()? {
            if std::mem::take(&mut first) && key.0 {
                return Err(de::Error::custom("a raw value: left to the full parse"));
            }
            map.next_value::<Checked>()?;
        }
        Ok(Checked)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Checked, E> {
        Ok(Checked)
    }
}

/// An object key, decoded and checked like a `Value`'s key: whether it is [`RAW_VALUE_TOKEN`].
struct Key(bool);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v == RAW_VALUE_TOKEN))
            }
        }
        deserializer.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ctlake::AccountId;
    use serde_json::json;

    use super::*;
    use crate::classify::{ActorKind, Classifier, Kept};
    use crate::normalize::Normalizer;

    /// Every fixture record's text, plus variants with odd field types and values.
    fn records() -> Vec<Vec<u8>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cloudtrail");
        let mut records = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let Ok(reader) = crate::read::open_file(&path) else {
                continue;
            };
            let _ = crate::read::read_records(reader, &crate::read::ObjectRef::File(path), |r| {
                records.push(r.json.to_vec());
                crate::read::Flow::Continue
            });
        }
        assert_eq!(records.len(), 247, "every fixture record");
        let base: Value = serde_json::from_slice(&records[0]).unwrap();
        let variants = [
            json!({"responseElements": "x"}),
            json!({"responseElements": [1, {"ConsoleLogin": "Failure"}]}),
            json!({"responseElements": {"ConsoleLogin": "Failure", "x": {"y": [1.5, -2, null]}}}),
            json!({"additionalEventData": {"UserName": "u", "MFAUsed": "No"}}),
            json!({"additionalEventData": 5}),
            json!({"userIdentity": {"type": "IdentityCenterUser", "onBehalfOf": {"userId": ""}}}),
            json!({"requestParameters": "raw"}),
            json!({"requestParameters": null, "resources": [{"ARN": "a", "type": "t"}, 7]}),
            json!({"tlsDetails": {"tlsVersion": "TLSv1.3", "n": 1e300}}),
            json!({"eventID": 7}),
        ];
        for variant in variants {
            let mut record = base.clone();
            for (k, v) in variant.as_object().unwrap() {
                record[k] = v.clone();
            }
            records.push(serde_json::to_vec(&record).unwrap());
        }
        records
    }

    #[test]
    fn needed_fields_classify_and_normalize_as_the_whole_record() {
        let classifier = Classifier::default();
        let normalizer = Normalizer::new(AccountId::try_from("111122223333").unwrap());
        let kept = Kept {
            rules: vec![Arc::from("default")],
            actor: ActorKind::Human,
        };
        let mut normalized = 0;
        for text in records() {
            let full: Value = serde_json::from_slice(&text).unwrap();
            let needed = parse_needed(&text).unwrap();
            let shown = String::from_utf8_lossy(&text);
            let decision = classifier.classify(&full);
            assert_eq!(classifier.classify(&needed), decision, "{shown}");
            // Normalize every record, kept or not, to compare every field the normalizer reads.
            let by_full = normalizer.normalize(&full, &kept);
            assert_eq!(
                normalizer.normalize(&needed, &kept).ok(),
                by_full.as_ref().ok().cloned(),
                "{shown}"
            );
            normalized += usize::from(by_full.is_ok());
        }
        assert!(normalized > 200);
    }

    #[test]
    fn whatever_the_full_parse_refuses_is_left_to_it() {
        let cases: [&[u8]; 11] = [
            br#"{"eventName":"a","x":"\ud800"}"#,
            b"{\"eventName\":\"a\",\"x\":\"\xff\"}",
            b"{\"eventName\":\"a\",\"x\xfe\":1}",
            br#"{"eventName":"a","x":1e400}"#,
            br#"{"eventName":"a","x":{"$serde_json::private::RawValue":"1"}}"#,
            br#"{"$serde_json::private::RawValue":"{}"}"#,
            br#"{"eventName":"a","responseElements":{"$serde_json::private::RawValue":"1"}}"#,
            br#"{"eventName":"a","x":[tru]}"#,
            br#"{"eventName":"a"} x"#,
            br#"["eventName"]"#,
            br#"{"eventName":"a","x":"#,
        ];
        for case in cases {
            assert_eq!(parse_needed(case), None, "{}", String::from_utf8_lossy(case));
        }
        let deep = format!("{{\"x\":{}1{}}}", "[".repeat(200), "]".repeat(200));
        assert!(serde_json::from_str::<Value>(&deep).is_err());
        assert_eq!(parse_needed(deep.as_bytes()), None);
        // Duplicate keys: the last one wins, as in the full parse.
        let text = br#"{"eventName":"a","eventName":"b","responseElements":{"ConsoleLogin":"x"},"responseElements":{}}"#;
        assert_eq!(
            parse_needed(text),
            Some(json!({"eventName": "b", "responseElements": {}}))
        );
    }
}
