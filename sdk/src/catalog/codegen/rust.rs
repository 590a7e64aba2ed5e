//! The Rust code of one source: the `EVENT_SOURCE` constant, one enum per enum type, one struct per event
//! type with its constructor, setters and [`TypedEvent`](crate::TypedEvent) implementation.

use std::collections::BTreeSet;

use super::layout::Writer;
use super::{GENERATED_NOTICE, Options};
use crate::catalog::model::{EventName, EventType, Field, FieldName, FieldType, Section, Source};
use crate::catalog::names;

pub(crate) fn source(source: &Source, options: &Options) -> String {
    let mut w = Writer::new(options.max_width);
    w.comment(
        0,
        "//!",
        &format!(
            "{}: typed events of the reserved event source `{}`.\n\n{}\n\n{GENERATED_NOTICE} Source: `{}`.",
            source.product(),
            source.event_source(),
            source.description(),
            source.relative_path()
        ),
    );
    w.line(0, "");
    let uses = imports(source);
    if !uses.is_empty() {
        for import in uses {
            w.line(0, &import);
        }
        w.line(0, "");
    }
    w.doc(0, &format!("The reserved `eventSource` of {}.", source.product()));
    w.assign(0, "pub const EVENT_SOURCE: &str", &literal(source.event_source()));

    let mut enums_done = BTreeSet::new();
    for event in source.events() {
        for field in event.fields() {
            if let Some((rust_name, values)) = enum_of(&field.ty)
                && enums_done.insert(rust_name.to_owned())
            {
                enum_type(&mut w, rust_name, values);
            }
        }
        event_type(&mut w, event);
    }
    w.finish()
}

/// The `use` items the code needs, in rustfmt's order: `serde_json`'s `Map` and `Value`, `BTreeMap`.
fn imports(source: &Source) -> Vec<String> {
    fn uses(ty: &FieldType, map: &mut bool, value: &mut bool) {
        match ty {
            FieldType::Object => {
                *map = true;
                *value = true;
            }
            FieldType::Any | FieldType::Array(None) | FieldType::Enum { .. } => *value = true,
            FieldType::Array(Some(items)) => uses(items, map, value),
            _ => {}
        }
    }
    let (mut map, mut value, mut btree) = (false, false, false);
    for field in source.events().iter().flat_map(EventType::fields) {
        uses(&field.ty, &mut map, &mut value);
        btree |= matches!(field.name, FieldName::Pattern(_));
    }
    let mut out = Vec::new();
    match (map, value) {
        (true, _) => out.push("use serde_json::{Map, Value};".to_owned()),
        (false, true) => out.push("use serde_json::Value;".to_owned()),
        _ => {}
    }
    if btree {
        out.push("use std::collections::BTreeMap;".to_owned());
    }
    out
}

/// The enum a field's type holds.
fn enum_of(ty: &FieldType) -> Option<(&str, &[String])> {
    match ty {
        FieldType::Enum { rust_name, values } => Some((rust_name, values)),
        FieldType::Array(Some(items)) => enum_of(items),
        _ => None,
    }
}

/// A Rust string literal.
fn literal(s: &str) -> String {
    format!("{s:?}")
}

fn enum_type(w: &mut Writer, rust_name: &str, values: &[String]) {
    w.line(0, "");
    let listed: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    w.doc(0, &format!("One of the strings {}.", listed.join(", ")));
    w.line(0, "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]");
    w.line(0, &format!("pub enum {rust_name} {{"));
    for value in values {
        w.doc(1, &format!("`{value}`."));
        w.line(1, &format!("{},", names::variant(value)));
    }
    w.line(0, "}");
    w.line(0, "");
    w.line(0, &format!("impl {rust_name} {{"));
    w.doc(1, "The value as `eventData` holds it.");
    w.line(1, "pub fn as_str(self) -> &'static str {");
    w.line(2, "match self {");
    for value in values {
        w.arm(3, &format!("Self::{}", names::variant(value)), &literal(value));
    }
    w.line(2, "}");
    w.line(1, "}");
    w.line(0, "}");
    w.line(0, "");
    w.line(0, &format!("impl std::fmt::Display for {rust_name} {{"));
    w.line(
        1,
        "fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {",
    );
    w.line(2, "f.write_str(self.as_str())");
    w.line(1, "}");
    w.line(0, "}");
    w.line(0, "");
    w.line(0, &format!("impl ctlake::FieldValue for {rust_name} {{"));
    w.line(1, "fn into_field_value(self) -> Option<Value> {");
    w.line(2, "Some(Value::from(self.as_str()))");
    w.line(1, "}");
    w.line(0, "}");
}

/// The Rust type of a value of `ty`.
fn value_type(ty: &FieldType) -> String {
    match ty {
        FieldType::String => "String".to_owned(),
        FieldType::Integer => "i64".to_owned(),
        FieldType::Number => "f64".to_owned(),
        FieldType::Boolean => "bool".to_owned(),
        FieldType::Timestamp => "ctlake::EventTime".to_owned(),
        FieldType::Enum { rust_name, .. } => rust_name.clone(),
        FieldType::Object => "Map<String, Value>".to_owned(),
        FieldType::Array(Some(items)) => format!("Vec<{}>", value_type(items)),
        FieldType::Array(None) => "Vec<Value>".to_owned(),
        FieldType::Any => "Value".to_owned(),
    }
}

/// The struct field's type: required as is, optional in an `Option`, a pattern as a map keyed by what the
/// `*` stands for.
fn field_type(field: &Field) -> String {
    let value = value_type(&field.ty);
    match (&field.name, field.required) {
        (FieldName::Pattern(_), _) => format!("BTreeMap<String, {value}>"),
        (_, true) => value,
        (_, false) => format!("Option<{value}>"),
    }
}

/// How a value of `ty` is taken as an argument, and how the argument becomes the value.
fn argument(ty: &FieldType, name: &str) -> (String, String) {
    match ty {
        FieldType::String => ("impl Into<String>".to_owned(), format!("{name}.into()")),
        FieldType::Timestamp => (
            "impl Into<ctlake::EventTime>".to_owned(),
            format!("{name}.into()"),
        ),
        FieldType::Any => ("impl Into<Value>".to_owned(), format!("{name}.into()")),
        other => (value_type(other), name.to_owned()),
    }
}

fn field_doc(field: &Field) -> String {
    let place = format!("`{}.{}`", field.section.json_name(), field.name.as_str());
    let what = match (&field.name, field.required) {
        (FieldName::Pattern(_), _) => {
            format!("{place}: every field whose name matches the pattern, keyed by what the `*` stands for.")
        }
        (_, true) => format!("{place} (required)."),
        (_, false) => format!("{place} (optional)."),
    };
    format!("{what}\n\n{}", field.description)
}

fn event_type(w: &mut Writer, event: &EventType) {
    let name = &event.rust_name;
    let pattern = matches!(event.name, EventName::Pattern(_));
    let required: Vec<&Field> = event
        .fields
        .iter()
        .filter(|f| f.required && matches!(f.name, FieldName::Exact(_)))
        .collect();
    let title = match &event.name {
        EventName::Exact(n) => format!("`{n}`"),
        EventName::Pattern(p) => format!("Every `eventName` matching `{p}` (`*`: one or more characters)"),
    };

    w.line(0, "");
    w.doc(
        0,
        &format!(
            "{title}, version `{}`: {}\n\nThe required fields are the arguments of [`{name}::new`]; the optional \
             ones are set with the `with_` methods. Convert with [`{name}::into_event_data`].",
            event.version, event.description
        ),
    );
    let default = required.is_empty() && !pattern;
    w.line(
        0,
        if default {
            "#[derive(Debug, Clone, Default, PartialEq)]"
        } else {
            "#[derive(Debug, Clone, PartialEq)]"
        },
    );
    if event.fields.is_empty() && !pattern {
        w.line(0, &format!("pub struct {name} {{}}"));
    } else {
        struct_fields(w, event, pattern);
    }
    w.line(0, "");

    w.line(0, &format!("impl {name} {{"));
    if let EventName::Exact(event_name) = &event.name {
        w.doc(1, "The event type's `eventName`.");
        w.assign(1, "pub const EVENT_NAME: &str", &literal(event_name));
        w.line(0, "");
    }
    constructor(w, event, pattern, &required);
    for field in event
        .fields
        .iter()
        .filter(|f| !f.required || matches!(f.name, FieldName::Pattern(_)))
    {
        w.line(0, "");
        setter(w, field);
    }
    w.line(0, "");
    w.doc(
        1,
        &format!(
            "The `eventData`: the envelope's fields, `eventSource`, `eventName` and `version`, and this event's \
             fields.\n\n# Errors\n\nA [`ctlake::BuildError`] when a value breaks a rule of CloudTrail Lake's \
             schema{} (see [`ctlake::TypedEvent::into_event_data`]).",
            if pattern {
                ", or when `event_name` does not match the event type's pattern"
            } else {
                ""
            }
        ),
    );
    w.signature(
        1,
        "pub fn into_event_data",
        &["self".to_owned(), "envelope: ctlake::Envelope".to_owned()],
        " -> Result<ctlake::EventData, ctlake::BuildError> {",
    );
    w.line(2, "ctlake::TypedEvent::into_event_data(self, envelope)");
    w.line(1, "}");
    w.line(0, "}");
    w.line(0, "");

    typed_event(w, event, pattern);
}

fn struct_fields(w: &mut Writer, event: &EventType, pattern: bool) {
    w.line(0, &format!("pub struct {} {{", event.rust_name));
    if pattern {
        w.doc(
            1,
            "The event's `eventName`: any name matching the event type's pattern.",
        );
        w.line(1, "pub event_name: String,");
    }
    for field in &event.fields {
        w.doc(1, &field_doc(field));
        w.field(1, &format!("pub {}", field.rust_name), &field_type(field));
    }
    w.line(0, "}");
}

fn constructor(w: &mut Writer, event: &EventType, pattern: bool, required: &[&Field]) {
    let mut params = Vec::new();
    let mut inits = Vec::new();
    if pattern {
        params.push("event_name: impl Into<String>".to_owned());
        inits.push("event_name: event_name.into()".to_owned());
    }
    for field in &event.fields {
        let ident = &field.rust_name;
        if field.required && matches!(field.name, FieldName::Exact(_)) {
            let (ty, value) = argument(&field.ty, ident);
            params.push(format!("{ident}: {ty}"));
            inits.push(if &value == ident {
                ident.clone()
            } else {
                format!("{ident}: {value}")
            });
        } else if matches!(field.name, FieldName::Pattern(_)) {
            inits.push(format!("{ident}: BTreeMap::new()"));
        } else {
            inits.push(format!("{ident}: None"));
        }
    }
    let doc = if required.is_empty() && !pattern {
        "An event without fields set; every field of this event type is optional."
    } else {
        "An event with the required fields; the optional ones start unset."
    };
    w.doc(1, doc);
    if params.len() > 7 {
        // Each required field is an argument, so that leaving one out does not compile.
        w.line(1, "#[allow(clippy::too_many_arguments)]");
    }
    w.signature(1, "pub fn new", &params, " -> Self {");
    w.struct_literal(2, "Self", &inits, "");
    w.line(1, "}");
}

fn setter(w: &mut Writer, field: &Field) {
    let ident = &field.rust_name;
    let setter = format!("pub fn with_{}", names::unraw(ident));
    let place = format!("`{}.{}`", field.section.json_name(), field.name.as_str());
    match &field.name {
        FieldName::Pattern(pattern) => {
            w.doc(
                1,
                &format!("Adds one field of {place}: `key` stands for the `*` of `{pattern}`."),
            );
            let (ty, value) = argument(&field.ty, "value");
            w.signature(
                1,
                &setter,
                &[
                    "mut self".to_owned(),
                    "key: impl Into<String>".to_owned(),
                    format!("value: {ty}"),
                ],
                " -> Self {",
            );
            w.field_method_call(
                2,
                &format!("self.{ident}"),
                "insert",
                &["key.into()".to_owned(), value],
            );
        }
        FieldName::Exact(_) => {
            w.doc(1, &format!("Sets {place}."));
            let (ty, value) = argument(&field.ty, ident);
            w.signature(
                1,
                &setter,
                &["mut self".to_owned(), format!("{ident}: {ty}")],
                " -> Self {",
            );
            w.assign(2, &format!("self.{ident}"), &format!("Some({value})"));
        }
    }
    w.line(2, "self");
    w.line(1, "}");
}

fn typed_event(w: &mut Writer, event: &EventType, pattern: bool) {
    w.line(0, &format!("impl ctlake::TypedEvent for {} {{", event.rust_name));
    w.line(1, "const EVENT_SOURCE: &'static str = EVENT_SOURCE;");
    w.assign(1, "const VERSION: &'static str", &literal(&event.version));
    if let EventName::Pattern(p) = &event.name {
        w.assign(
            1,
            "const EVENT_NAME_PATTERN: Option<&'static str>",
            &format!("Some({})", literal(p)),
        );
    }
    w.line(0, "");
    w.line(1, "fn event_name(&self) -> &str {");
    w.line(
        2,
        if pattern {
            "&self.event_name"
        } else {
            "Self::EVENT_NAME"
        },
    );
    w.line(1, "}");
    w.line(0, "");
    if event.fields.is_empty() {
        w.line(1, "fn write_fields(self, _fields: &mut ctlake::EventFields) {}");
    } else {
        w.line(1, "fn write_fields(self, fields: &mut ctlake::EventFields) {");
        for field in &event.fields {
            let (method, key) = match (&field.name, field.section) {
                (FieldName::Exact(n), Section::RequestParameters) => ("request", n),
                (FieldName::Exact(n), Section::ResponseElements) => ("response", n),
                (FieldName::Exact(n), Section::AdditionalEventData) => ("additional", n),
                (FieldName::Pattern(p), Section::RequestParameters) => ("request_each", p),
                (FieldName::Pattern(p), Section::ResponseElements) => ("response_each", p),
                (FieldName::Pattern(p), Section::AdditionalEventData) => ("additional_each", p),
            };
            w.method_call(
                2,
                "fields",
                method,
                &[literal(key), format!("self.{}", field.rust_name)],
            );
        }
        w.line(1, "}");
    }
    w.line(0, "}");
}
