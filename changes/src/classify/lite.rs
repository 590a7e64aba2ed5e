//! The classifier's fields read straight from a record's JSON text, skipping everything else.
//!
//! Most CloudTrail records are not changes. Reading the dozen fields the default rule needs — and skipping the
//! rest without building it — is several times faster than parsing the whole record into a `serde_json::Value`,
//! so the pipeline decides skips from this view and parses only the records it keeps (or that filter-pattern
//! rules must see). Every field follows exactly the semantics of the `Value`-based extraction in `record.rs`
//! (checked by tests over every fixture record).

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::decision::ActorKind;
use super::record::Fields;

/// The fields of a record the classifier reads.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Lite<'a> {
    #[serde(rename = "eventName", borrow, default)]
    event_name: Str<'a>,
    #[serde(rename = "eventSource", borrow, default)]
    event_source: Str<'a>,
    #[serde(rename = "eventTime", borrow, default)]
    event_time: Str<'a>,
    #[serde(rename = "eventID", borrow, default)]
    event_id: Str<'a>,
    #[serde(rename = "eventType", borrow, default)]
    event_type: Str<'a>,
    #[serde(rename = "eventCategory", borrow, default)]
    event_category: Str<'a>,
    #[serde(rename = "readOnly", borrow, default)]
    read_only: Str<'a>,
    #[serde(rename = "managementEvent", borrow, default)]
    management_event: Str<'a>,
    #[serde(rename = "errorCode", default)]
    error_code: Presence,
    #[serde(rename = "errorMessage", default)]
    error_message: Presence,
    #[serde(rename = "responseElements", borrow, default)]
    response_elements: Object<ResponseElements<'a>>,
    #[serde(rename = "userIdentity", borrow, default)]
    user_identity: Object<Identity<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct ResponseElements<'a> {
    #[serde(rename = "ConsoleLogin", borrow, default)]
    console_login: Str<'a>,
}

#[derive(Debug, Default, Deserialize)]
struct Identity<'a> {
    #[serde(rename = "type", borrow, default)]
    r#type: Str<'a>,
    #[serde(rename = "invokedBy", default)]
    invoked_by: Presence,
    #[serde(borrow, default)]
    arn: Str<'a>,
    #[serde(rename = "sessionContext", borrow, default)]
    session_context: Object<SessionContext<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct SessionContext<'a> {
    #[serde(rename = "sessionIssuer", borrow, default)]
    session_issuer: Object<SessionIssuer<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct SessionIssuer<'a> {
    #[serde(borrow, default)]
    arn: Str<'a>,
}

impl<'a> Lite<'a> {
    /// Reads the fields; `None` when the text is not a JSON object (or has duplicate keys): use the full parse.
    pub(crate) fn parse(json: &'a [u8]) -> Option<Self> {
        serde_json::from_slice(json).ok()
    }

    /// Whether this is a CloudTrail Insights event.
    pub(crate) fn is_insight(&self) -> bool {
        self.event_type.get() == Some("AwsCloudTrailInsight") || self.event_category.get() == Some("Insight")
    }

    /// The classifier's fields; `None` when a required field is missing, empty or not a string (the full parse
    /// then says which).
    pub(crate) fn fields(&self) -> Option<Fields<'_>> {
        let required = |s: &Str<'_>| !s.get().unwrap_or("").is_empty();
        if !(required(&self.event_name)
            && required(&self.event_source)
            && required(&self.event_time)
            && required(&self.event_id))
        {
            return None;
        }
        Some(Fields {
            event_name: self.event_name.get()?,
            event_source: self.event_source.get()?,
            event_type: self.event_type.get(),
            event_category: self.event_category.get(),
            read_only: self.read_only.flag(),
            management_event: self.management_event.flag(),
            failed: self.error_code.0
                || self.error_message.0
                || self
                    .response_elements
                    .0
                    .as_ref()
                    .and_then(|r| r.console_login.get())
                    == Some("Failure"),
            actor: self.actor(),
        })
    }

    /// Same rules as `record::actor`.
    fn actor(&self) -> ActorKind {
        let Some(identity) = &self.user_identity.0 else {
            return ActorKind::Service;
        };
        let identity_type = identity.r#type.get();
        if matches!(identity_type, None | Some("AWSService")) || identity.invoked_by.0 {
            return ActorKind::Service;
        }
        if identity_type == Some("AssumedRole") {
            let session = identity
                .arn
                .get()
                .and_then(|arn| arn.rsplit('/').next())
                .unwrap_or("");
            let issuer_arn = identity
                .session_context
                .0
                .as_ref()
                .and_then(|c| c.session_issuer.0.as_ref())
                .and_then(|i| i.arn.get())
                .unwrap_or("");
            if session.starts_with("i-") || issuer_arn.contains(":role/aws-service-role/") {
                return ActorKind::Service;
            }
        }
        ActorKind::Human
    }
}

/// A field read as text when it is a string, or as a boolean flag; anything else is skipped.
#[derive(Debug, Default)]
struct Str<'a> {
    text: Option<Cow<'a, str>>,
    boolean: Option<bool>,
}

impl Str<'_> {
    fn get(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// `true`/`false`, also written as a string in any case (as `record::flag`).
    fn flag(&self) -> Option<bool> {
        self.boolean.or_else(|| match self.text.as_deref() {
            Some(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Some(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        })
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'a>, E> {
                Ok(Str {
                    text: Some(Cow::Borrowed(v)),
                    boolean: None,
                })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'a>, E> {
                Ok(Str {
                    text: Some(Cow::Owned(v.to_owned())),
                    boolean: None,
                })
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'a>, E> {
                Ok(Str {
                    text: Some(Cow::Owned(v)),
                    boolean: None,
                })
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Str<'a>, E> {
                Ok(Str {
                    text: None,
                    boolean: Some(v),
                })
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Str<'a>, E> {
                Ok(Str::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Str<'a>, E> {
                Ok(Str::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Str<'a>, E> {
                Ok(Str::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Str<'a>, E> {
                Ok(Str::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Str<'a>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Str::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Str<'a>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Str::default())
            }
        }
        deserializer.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Present = exists, not null, not an empty string (as `record::present`).
#[derive(Debug, Default)]
struct Presence(bool);

impl<'de> Deserialize<'de> for Presence {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Presence;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Presence, E> {
                Ok(Presence(!v.is_empty()))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Presence, E> {
                Ok(Presence(true))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Presence, E> {
                Ok(Presence(true))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Presence, E> {
                Ok(Presence(true))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Presence, E> {
                Ok(Presence(true))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Presence, E> {
                Ok(Presence(false))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Presence, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Presence(true))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Presence, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Presence(true))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A field that is used only when it is a JSON object; any other value counts as absent.
#[derive(Debug)]
struct Object<T>(Option<T>);

impl<T> Default for Object<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Object<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Object<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Object(Some(t)))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Object<T>, E> {
                Ok(Object(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Object<T>, E> {
                Ok(Object(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Object<T>, E> {
                Ok(Object(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Object<T>, E> {
                Ok(Object(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Object<T>, E> {
                Ok(Object(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Object<T>, E> {
                Ok(Object(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Object<T>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Object(None))
            }
        }
        deserializer.deserialize_any(V(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::classify::{Classifier, ClassifierConfig, Decision};

    /// Every fixture record, plus variants with odd field types.
    fn records() -> Vec<Value> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cloudtrail");
        let mut records = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let Ok(reader) = crate::read::open_file(&path) else {
                continue;
            };
            let _ = crate::read::read_records(reader, &crate::read::ObjectRef::File(path), |r| {
                records.push(r.parse().unwrap());
                crate::read::Flow::Continue
            });
        }
        assert_eq!(records.len(), 247, "every fixture record");
        let base = records[0].clone();
        let variants = [
            json!({"readOnly": "FALSE"}),
            json!({"readOnly": "true"}),
            json!({"readOnly": null}),
            json!({"readOnly": 0}),
            json!({"managementEvent": "false"}),
            json!({"errorCode": ""}),
            json!({"errorCode": null}),
            json!({"errorCode": 0}),
            json!({"errorMessage": {"a": 1}}),
            json!({"responseElements": "x"}),
            json!({"responseElements": {"ConsoleLogin": "Failure"}}),
            json!({"responseElements": {"ConsoleLogin": ["Failure"]}}),
            json!({"userIdentity": null}),
            json!({"userIdentity": "root"}),
            json!({"userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/r/i-0abc"}}),
            json!({"userIdentity": {"type": "AssumedRole", "arn": 5, "sessionContext": "x"}}),
            json!({"userIdentity": {"type": "AssumedRole", "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::1:role/aws-service-role/x/y"}}}}),
            json!({"userIdentity": {"type": "IAMUser", "invokedBy": ""}}),
            json!({"eventType": 5}),
            json!({"eventCategory": "Data"}),
            json!({"eventCategory": "Insight"}),
            json!({"eventName": ""}),
            json!({"eventName": null}),
            json!({"eventID": 7}),
            json!({"eventName": "Describe\u{e9}Things", "readOnly": null}),
        ];
        for variant in variants {
            let mut record = base.clone();
            for (k, v) in variant.as_object().unwrap() {
                record[k] = v.clone();
            }
            records.push(record);
        }
        records
    }

    #[test]
    fn prefilter_agrees_with_the_full_classifier() {
        let configs = [
            ClassifierConfig::default(),
            ClassifierConfig::from_toml_str(
                "data-events = true\nsign-in-events = true\nread-only = \"keep\"\nmissing-read-only = \"write\"\n\
                 [[exclude]]\nevent-source = \"s3.*\"\n",
                "t",
            )
            .unwrap(),
            ClassifierConfig::from_toml_str("service-actors = \"drop\"\n[[include]]\nevent-source = \"ec2.*\"\n", "t").unwrap(),
            ClassifierConfig::from_toml_str("rule-sets = [\"cis\"]", "t").unwrap(),
        ];
        let records = records();
        for config in &configs {
            let classifier = Classifier::new(config).unwrap();
            let mut decided = 0;
            for record in &records {
                let text = serde_json::to_vec(record).unwrap();
                let full = classifier.classify(record);
                match classifier.prefilter(&text) {
                    Some(reason) => {
                        decided += 1;
                        assert_eq!(full, Decision::Skip(reason), "{record}");
                    }
                    // Without filter-pattern rules, every skip but these is decided on the fast path.
                    None if config.rule_sets.is_empty() => assert!(
                        matches!(
                            full,
                            Decision::Keep(_)
                                | Decision::Skip(crate::classify::SkipReason::Malformed(_))
                                | Decision::Skip(crate::classify::SkipReason::ServiceActor)
                        ),
                        "{full:?} {record}"
                    ),
                    None => {}
                }
            }
            if config.rule_sets.is_empty() {
                assert!(decided > 0);
            } else {
                // Keep rules must see every record; only the Insights variant is skipped before them.
                assert_eq!(decided, 1);
            }
        }
    }
}
