//! Checking an event against a catalog: [`Catalog::check`] for a typed [`EventData`],
//! [`Catalog::check_json`] for untrusted JSON.
//!
//! Errors: an unknown `eventSource`, an `eventName` the source does not declare, a missing required field,
//! a field of the wrong type (an enum value outside its set, a timestamp of the wrong form). Warnings: a
//! field the event type does not declare, a `version` other than the declared one. Everything else about
//! the event (required envelope fields, lengths, sizes, `eventTime`) is the SDK's validation, not the
//! catalog's.

use serde_json::{Map, Value};

use super::model::{Catalog, EventName, EventType, Field, FieldName, FieldType, Section, Source};
use super::report::{CheckReport, Problem};
use crate::{EventData, EventTime, JsonType};

/// A section of the event as found: an object, or something else.
#[derive(Clone, Copy)]
pub(crate) enum SectionValue<'a> {
    Object(&'a Map<String, Value>),
    Other(JsonType),
}

/// The parts of an event the catalog looks at.
pub(crate) struct Parts<'a> {
    pub(crate) event_source: Option<&'a str>,
    pub(crate) event_name: Option<&'a str>,
    pub(crate) version: Option<&'a str>,
    pub(crate) sections: [Option<SectionValue<'a>>; 3],
}

impl<'a> Parts<'a> {
    pub(crate) fn of_event(event: &'a EventData) -> Self {
        let object = |m: Option<&'a Map<String, Value>>| m.map(SectionValue::Object);
        Self {
            event_source: Some(event.event_source().as_str()),
            event_name: Some(event.event_name().as_str()),
            version: Some(event.version()),
            sections: [
                object(event.request_parameters()),
                object(event.response_elements()),
                object(event.additional_event_data()),
            ],
        }
    }

    fn of_json(event: &'a Map<String, Value>) -> Self {
        let section = |s: Section| {
            event.get(s.json_name()).map(|v| match v {
                Value::Object(m) => SectionValue::Object(m),
                other => SectionValue::Other(JsonType::of(other)),
            })
        };
        Self {
            event_source: event.get("eventSource").and_then(Value::as_str),
            event_name: event.get("eventName").and_then(Value::as_str),
            version: event.get("version").and_then(Value::as_str),
            sections: Section::ALL.map(section),
        }
    }
}

impl Catalog {
    /// Checks a typed event against the catalog.
    ///
    /// ```
    /// # let catalog = ctlake::catalog::Catalog::from_files([ctlake::catalog::SourceFile::new(
    /// #     "demo", "demo/source.toml", include_str!("../../tests/fixtures/catalog/demo/source.toml"))])?;
    /// use ctlake::{EventData, EventTime, UserIdentity};
    /// let event = EventData::builder()
    ///     .version("v1")
    ///     .user_identity(UserIdentity::builder().r#type("USER").principal_id("jane@example.com").build()?)
    ///     .event_source("com.example.demo")
    ///     .event_name("widget.created")
    ///     .event_time(EventTime::parse("2024-01-01T00:00:00Z")?)
    ///     .uid("u-1")
    ///     .recipient_account_id("123456789012")
    ///     .request_parameter("widgetId", 42)
    ///     .build()?;
    /// let report = catalog.check(&event);
    /// assert!(!report.is_ok());
    /// assert_eq!(
    ///     report.to_string(),
    ///     "error: eventData.requestParameters.widgetId: must be string, found a number"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check(&self, event: &EventData) -> CheckReport {
        check_parts(self, &Parts::of_event(event))
    }

    /// Checks untrusted JSON against the catalog: a bare `eventData` object, or a `PutAuditEvents` record
    /// whose `eventData` is a JSON string or object. Only the catalog's rules are checked, so this works on
    /// input the SDK rejects (a bad `eventTime`, a missing `recipientAccountId`) and reports the catalog's
    /// problems next to the SDK's; parts the catalog needs but cannot read (no `eventSource` string, an
    /// `eventData` string that is not JSON) are left to the SDK's validation.
    pub fn check_json(&self, input: &Value) -> CheckReport {
        let parsed;
        let event = match input.get("eventData") {
            Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
                Ok(value) => {
                    parsed = value;
                    &parsed
                }
                Err(_) => return CheckReport::default(),
            },
            Some(inner) => inner,
            None => input,
        };
        match event {
            Value::Object(event) => check_parts(self, &Parts::of_json(event)),
            _ => CheckReport::default(),
        }
    }
}

fn check_parts(catalog: &Catalog, parts: &Parts<'_>) -> CheckReport {
    let mut report = CheckReport::default();
    let Some(event_source) = parts.event_source else {
        return report;
    };
    let Some(source) = catalog.source(event_source) else {
        report.push(
            "eventData.eventSource",
            Problem::UnknownSource {
                event_source: event_source.to_owned(),
                did_you_mean: closest(event_source, catalog.sources().iter().map(Source::event_source)),
            },
        );
        return report;
    };
    let Some(event_name) = parts.event_name else {
        return report;
    };
    match source.event(event_name) {
        Some(event_type) => check_event_type(event_type, parts, &mut report),
        None => report.push(
            "eventData.eventName",
            Problem::UndeclaredEvent {
                event_name: event_name.to_owned(),
                declared: source.events().iter().map(|e| e.name().to_string()).collect(),
            },
        ),
    }
    report
}

/// Checks the version and fields of an event known to be of `event_type`.
pub(crate) fn check_event_type(event_type: &EventType, parts: &Parts<'_>, report: &mut CheckReport) {
    if let Some(version) = parts.version
        && version != event_type.version
    {
        report.push(
            "eventData.version",
            Problem::VersionMismatch {
                declared: event_type.version.clone(),
                found: version.to_owned(),
            },
        );
    }
    for (section, value) in Section::ALL.into_iter().zip(parts.sections) {
        let path = format!("eventData.{section}");
        let object = match value {
            Some(SectionValue::Object(object)) => Some(object),
            Some(SectionValue::Other(found)) => {
                report.push(path, Problem::NotAnObject { found });
                continue;
            }
            None => None,
        };
        check_section(event_type, section, &path, object, report);
    }
}

fn check_section(
    event_type: &EventType,
    section: Section,
    path: &str,
    object: Option<&Map<String, Value>>,
    report: &mut CheckReport,
) {
    let fields: Vec<&Field> = event_type.section_fields(section).collect();
    // Declared exact fields first: presence and type.
    for field in &fields {
        let FieldName::Exact(name) = &field.name else {
            continue;
        };
        match object.and_then(|o| o.get(name)).filter(|v| !v.is_null()) {
            Some(value) => check_value(&field.ty, value, &format!("{path}.{name}"), report),
            None if field.required => report.push(
                format!("{path}.{name}"),
                Problem::MissingField {
                    event_type: event_type.name.to_string(),
                    declared_at: field.location.clone(),
                },
            ),
            None => {}
        }
    }
    // Then every key the declared fields do not name: a pattern's, or undeclared.
    for (key, value) in object.into_iter().flatten() {
        if fields
            .iter()
            .any(|f| matches!(&f.name, FieldName::Exact(n) if n == key))
        {
            continue;
        }
        let key_path = format!("{path}.{key}");
        let pattern = fields
            .iter()
            .find(|f| matches!(f.name, FieldName::Pattern(_)) && f.name.matches(key));
        match pattern {
            Some(field) if !value.is_null() => check_value(&field.ty, value, &key_path, report),
            Some(_) => {}
            None => report.push(
                key_path,
                Problem::UndeclaredField {
                    event_type: event_type.name.to_string(),
                },
            ),
        }
    }
}

fn check_value(ty: &FieldType, value: &Value, path: &str, report: &mut CheckReport) {
    let wrong = |report: &mut CheckReport| {
        report.push(
            path,
            Problem::WrongType {
                expected: ty.to_string(),
                found: JsonType::of(value),
            },
        );
    };
    match (ty, value) {
        (FieldType::String, Value::String(_))
        | (FieldType::Number, Value::Number(_))
        | (FieldType::Boolean, Value::Bool(_))
        | (FieldType::Object, Value::Object(_))
        | (FieldType::Any, _) => {}
        (FieldType::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => {}
        (FieldType::Timestamp, Value::String(s)) => {
            if EventTime::parse(s).is_err() {
                report.push(path, Problem::InvalidTimestamp { value: s.clone() });
            }
        }
        (FieldType::Enum { values, .. }, Value::String(s)) => {
            if !values.contains(s) {
                report.push(
                    path,
                    Problem::NotAllowed {
                        value: s.clone(),
                        allowed: values.clone(),
                    },
                );
            }
        }
        (FieldType::Array(items), Value::Array(array)) => {
            if let Some(items) = items {
                for (i, item) in array.iter().enumerate() {
                    check_value(items, item, &format!("{path}[{i}]"), report);
                }
            }
        }
        _ => wrong(report),
    }
}

/// The candidate closest to `name` by edit distance, if it is close enough to be a likely typo: at most a
/// third of the longer name's characters differ.
fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    candidates
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, c)| *d <= name.chars().count().max(c.chars().count()) / 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_owned())
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

impl EventType {
    /// Whether the event type stands for `event_name`.
    pub fn matches(&self, event_name: &str) -> bool {
        match &self.name {
            EventName::Exact(n) => n == event_name,
            EventName::Pattern(p) => crate::typed::glob::matches(p, event_name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{closest, edit_distance};

    #[test]
    fn edit_distance_counts_character_edits() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("abc", "abd"), 1);
        assert_eq!(
            edit_distance("com.nordcloudapp.com.klarity", "com.nordcloudapp.klarity"),
            4
        );
        assert_eq!(edit_distance("é", "e"), 1);
    }

    #[test]
    fn only_close_names_are_suggested() {
        let names = ["com.nordcloudapp.klarity", "com.nordcloudapp.autobackup"];
        assert_eq!(
            closest("com.nordcloudapp.com.klarity", names.into_iter()).as_deref(),
            Some("com.nordcloudapp.klarity")
        );
        assert_eq!(closest("app.example.com", names.into_iter()), None);
    }
}
