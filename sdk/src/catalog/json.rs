//! Pretty JSON of an example `eventData` for the docs, with keys in a reading order that does not depend
//! on how `serde_json` orders maps: the schema's order at the top, declaration order inside the sections,
//! alphabetical elsewhere.

use serde_json::{Map, Value};

use super::model::{EventType, FieldName, Section};
use crate::EventData;

/// The `eventData` fields in the schema's order.
const SCHEMA_ORDER: &[&str] = &[
    "version",
    "userIdentity",
    "userAgent",
    "eventSource",
    "eventName",
    "eventTime",
    "UID",
    "requestParameters",
    "responseElements",
    "errorCode",
    "errorMessage",
    "sourceIPAddress",
    "recipientAccountId",
    "additionalEventData",
];

/// The `userIdentity` fields in the schema's order.
const IDENTITY_ORDER: &[&str] = &["type", "principalId", "details"];

/// The example as pretty JSON, indented by two spaces.
pub(crate) fn pretty_example(event: &EventData, event_type: &EventType) -> String {
    let value = serde_json::to_value(event).unwrap_or(Value::Null);
    let mut out = String::new();
    write(&mut out, &value, 0, "eventData", event_type);
    out
}

/// The keys of `object` at `path`, in reading order.
fn ordered<'a>(object: &'a Map<String, Value>, path: &str, event_type: &EventType) -> Vec<&'a String> {
    let mut keys: Vec<&String> = object.keys().collect();
    let fixed = |order: &[&str], key: &str| order.iter().position(|k| *k == key).unwrap_or(order.len());
    match path {
        "eventData" => keys.sort_by_key(|k| (fixed(SCHEMA_ORDER, k), k.as_str())),
        "eventData.userIdentity" => keys.sort_by_key(|k| (fixed(IDENTITY_ORDER, k), k.as_str())),
        _ => match Section::ALL
            .into_iter()
            .find(|s| path == format!("eventData.{s}"))
        {
            Some(section) => {
                let fields: Vec<&FieldName> = event_type.section_fields(section).map(|f| &f.name).collect();
                let rank = |key: &str| {
                    fields
                        .iter()
                        .position(|f| matches!(f, FieldName::Exact(n) if n == key))
                        .or_else(|| fields.iter().position(|f| f.matches(key)))
                        .unwrap_or(fields.len())
                };
                keys.sort_by_key(|k| (rank(k), k.as_str()));
            }
            None => keys.sort(),
        },
    }
    keys
}

fn write(out: &mut String, value: &Value, indent: usize, path: &str, event_type: &EventType) {
    match value {
        Value::Object(object) if !object.is_empty() => {
            out.push_str("{\n");
            let keys = ordered(object, path, event_type);
            for (i, key) in keys.iter().enumerate() {
                push_indent(out, indent + 1);
                out.push_str(&Value::String((*key).clone()).to_string());
                out.push_str(": ");
                write(
                    out,
                    &object[key.as_str()],
                    indent + 1,
                    &format!("{path}.{key}"),
                    event_type,
                );
                if i + 1 < keys.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            push_indent(out, indent);
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                push_indent(out, indent + 1);
                write(out, item, indent + 1, &format!("{path}[]"), event_type);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            push_indent(out, indent);
            out.push(']');
        }
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
        scalar => out.push_str(&scalar.to_string()),
    }
}

fn push_indent(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push_str("  ");
    }
}
