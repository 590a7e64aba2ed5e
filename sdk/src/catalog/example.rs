//! Examples: each `[[event.example]]` becomes a complete `eventData` — the declared sections, the envelope
//! (the example's, else the source's `[example_envelope]`, else the defaults below) — that must pass the
//! SDK's validation and its own event type's checks without a single finding.

use std::collections::HashMap;
use std::ops::Range;

use serde_json::{Map, Number, Value};
use toml::Spanned;

use super::check::{Parts, check_event_type};
use super::error::CatalogRule;
use super::model::{EventName, EventType, Example, Section};
use super::raw::{RawEnvelope, RawEvent, RawExample, RawIdentity, RawValues};
use super::report::{CheckReport, Severity};
use super::resolve::FileContext;
use crate::typed::glob;
use crate::{EventData, UserIdentity};

/// `userIdentity.type` of an example that sets none (the value AWS's own examples use).
pub const DEFAULT_USER_IDENTITY_TYPE: &str = "CustomUserIdentity";
/// `userIdentity.principalId` of an example that sets none.
pub const DEFAULT_PRINCIPAL_ID: &str = "user@example.com";
/// `eventTime` of an example that sets none.
pub const DEFAULT_EVENT_TIME: &str = "2024-01-01T12:00:00Z";
/// `recipientAccountId` of an example that sets none (the account ID AWS documentation uses).
pub const DEFAULT_RECIPIENT_ACCOUNT_ID: &str = "123456789012";

/// Builds and checks the examples of one event type, reporting every problem; an event type without
/// examples is reported too.
pub(crate) fn build(
    event_source: &str,
    event: &EventType,
    raw: &Spanned<RawEvent>,
    defaults: Option<&Spanned<RawEnvelope>>,
    validate: bool,
    cx: &mut FileContext<'_>,
) -> Vec<Example> {
    if raw.get_ref().example.is_empty() {
        cx.report(
            &raw.span(),
            CatalogRule::ExampleMissing,
            format!(
                "event type {:?} has no example; add an [[event.example]] table",
                event.name.as_str()
            ),
        );
    }
    if !validate {
        return Vec::new();
    }
    raw.get_ref()
        .example
        .iter()
        .enumerate()
        .filter_map(|(i, example)| one(event_source, event, i + 1, example, defaults, cx))
        .collect()
}

/// JSON paths of the example's values, mapped to where they are written, to place findings.
type Places = HashMap<String, Range<usize>>;

fn one(
    event_source: &str,
    event: &EventType,
    number: usize,
    spanned: &Spanned<RawExample>,
    defaults: Option<&Spanned<RawEnvelope>>,
    cx: &mut FileContext<'_>,
) -> Option<Example> {
    let example = spanned.get_ref();
    let mut places = Places::new();
    let name = match (&event.name, &example.event_name) {
        (EventName::Exact(name), None) => name.clone(),
        (EventName::Exact(_), Some(given)) => {
            cx.report(
                &given.span(),
                CatalogRule::ExampleInvalid,
                "event_name is only for examples of name_pattern event types; this one has a fixed name",
            );
            return None;
        }
        (EventName::Pattern(pattern), Some(given)) => {
            if !glob::matches(pattern, given.get_ref()) {
                cx.report(
                    &given.span(),
                    CatalogRule::ExampleInvalid,
                    format!(
                        "event_name {:?} does not match the event type's name_pattern {pattern:?}",
                        given.get_ref()
                    ),
                );
                return None;
            }
            places.insert("eventData.eventName".to_owned(), given.span());
            given.get_ref().clone()
        }
        (EventName::Pattern(_), None) => {
            cx.report(
                &spanned.span(),
                CatalogRule::ExampleInvalid,
                "an example of a name_pattern event type needs event_name, the eventName it shows",
            );
            return None;
        }
    };

    let envelope = Envelope {
        example: example.envelope.as_ref().map(Spanned::get_ref),
        source: defaults.map(Spanned::get_ref),
    };
    let mut builder = EventData::builder()
        .version(event.version.clone())
        .event_source(event_source)
        .event_name(name);

    let identity = envelope.pick(|e| e.user_identity.as_ref());
    let mut identity_builder = UserIdentity::builder()
        .r#type(DEFAULT_USER_IDENTITY_TYPE)
        .principal_id(DEFAULT_PRINCIPAL_ID);
    let mut ok = true;
    if let Some(identity) = identity {
        places.insert("eventData.userIdentity".to_owned(), identity.span());
        let RawIdentity {
            ty,
            principal_id,
            details,
        } = identity.get_ref();
        identity_builder = identity_builder.r#type(ty).principal_id(principal_id);
        if let Some(details) = details {
            let object = object(details, "eventData.userIdentity.details", &mut places, cx);
            ok &= object.is_some();
            identity_builder = identity_builder.set_details(object);
        }
    }
    match identity_builder.build() {
        Ok(identity) => builder = builder.user_identity(identity),
        Err(e) => {
            for v in e.violations() {
                let span = places
                    .get("eventData.userIdentity")
                    .cloned()
                    .unwrap_or(spanned.span());
                cx.report(&span, CatalogRule::ExampleInvalid, v.to_string());
            }
            return None;
        }
    }

    let text = |pick: fn(&RawEnvelope) -> Option<&Spanned<String>>, path: &str, places: &mut Places| {
        envelope.pick(pick).map(|value| {
            places.insert(path.to_owned(), value.span());
            value.get_ref().clone()
        })
    };
    builder = builder
        .set_uid(Some(
            text(|e| e.uid.as_ref(), "eventData.UID", &mut places)
                .unwrap_or_else(|| format!("example-{number}")),
        ))
        .set_recipient_account_id(Some(
            text(
                |e| e.recipient_account_id.as_ref(),
                "eventData.recipientAccountId",
                &mut places,
            )
            .unwrap_or_else(|| DEFAULT_RECIPIENT_ACCOUNT_ID.to_owned()),
        ))
        .set_user_agent(text(
            |e| e.user_agent.as_ref(),
            "eventData.userAgent",
            &mut places,
        ))
        .set_source_ip_address(text(
            |e| e.source_ip_address.as_ref(),
            "eventData.sourceIPAddress",
            &mut places,
        ))
        .set_error_code(text(
            |e| e.error_code.as_ref(),
            "eventData.errorCode",
            &mut places,
        ))
        .set_error_message(text(
            |e| e.error_message.as_ref(),
            "eventData.errorMessage",
            &mut places,
        ));
    let time = text(|e| e.event_time.as_ref(), "eventData.eventTime", &mut places)
        .unwrap_or_else(|| DEFAULT_EVENT_TIME.to_owned());
    match crate::EventTime::parse(&time) {
        Ok(time) => builder = builder.event_time(time),
        Err(e) => {
            let span = places
                .get("eventData.eventTime")
                .cloned()
                .unwrap_or(spanned.span());
            cx.report(
                &span,
                CatalogRule::ExampleInvalid,
                format!("eventData.eventTime: {e}"),
            );
            return None;
        }
    }

    for section in Section::ALL {
        let values = match section {
            Section::RequestParameters => &example.request_parameters,
            Section::ResponseElements => &example.response_elements,
            Section::AdditionalEventData => &example.additional_event_data,
        };
        let Some(values) = values else {
            continue;
        };
        let object = object(values, &format!("eventData.{section}"), &mut places, cx);
        ok &= object.is_some();
        builder = match section {
            Section::RequestParameters => builder.set_request_parameters(object),
            Section::ResponseElements => builder.set_response_elements(object),
            Section::AdditionalEventData => builder.set_additional_event_data(object),
        };
    }
    if !ok {
        return None;
    }

    let event_data = match builder.build() {
        Ok(event_data) => event_data,
        Err(e) => {
            for v in e.violations() {
                let span = place(&places, v.path()).unwrap_or(spanned.span());
                cx.report(&span, CatalogRule::ExampleInvalid, v.to_string());
            }
            return None;
        }
    };
    if let Err(violations) = event_data.validate() {
        for v in &violations {
            let span = place(&places, v.path()).unwrap_or(spanned.span());
            cx.report(&span, CatalogRule::ExampleInvalid, v.to_string());
        }
        return None;
    }
    let mut report = CheckReport::default();
    check_event_type(event, &Parts::of_event(&event_data), &mut report);
    if !report.is_clean() {
        for finding in report.findings() {
            let span = place(&places, finding.path()).unwrap_or(spanned.span());
            let message = match finding.severity() {
                Severity::Error => finding.to_string(),
                Severity::Warning => format!("{finding} (a warning; an example must have none)"),
            };
            cx.report(&span, CatalogRule::ExampleInvalid, message);
        }
        return None;
    }
    Some(Example {
        description: example.description.as_ref().map(|d| d.trim().to_owned()),
        event_data,
        location: cx.location(&spanned.span()),
    })
}

/// The example's envelope, then the source's.
struct Envelope<'a> {
    example: Option<&'a RawEnvelope>,
    source: Option<&'a RawEnvelope>,
}

impl<'a> Envelope<'a> {
    fn pick<T>(&self, get: impl Fn(&'a RawEnvelope) -> Option<&'a T>) -> Option<&'a T> {
        self.example.and_then(&get).or_else(|| self.source.and_then(&get))
    }
}

/// Where a JSON path is written: the path itself, else its closest parent (an array item's array, a
/// field's section).
fn place(places: &Places, path: &str) -> Option<Range<usize>> {
    let mut path = path;
    loop {
        if let Some(span) = places.get(path) {
            return Some(span.clone());
        }
        let cut = path.rfind(['.', '['])?;
        path = &path[..cut];
    }
}

/// A section's values as a JSON object, recording where each key is written; `None` (after reporting)
/// when a value has no JSON form.
fn object(
    values: &Spanned<RawValues>,
    path: &str,
    places: &mut Places,
    cx: &mut FileContext<'_>,
) -> Option<Map<String, Value>> {
    places.insert(path.to_owned(), values.span());
    let mut object = Map::new();
    let mut ok = true;
    for (key, value) in values.get_ref() {
        places.insert(format!("{path}.{}", key.get_ref()), key.span());
        match json(value.get_ref()) {
            Ok(json) => {
                object.insert(key.get_ref().clone(), json);
            }
            Err(why) => {
                cx.report(
                    &value.span(),
                    CatalogRule::ExampleValue,
                    format!("{path}.{}: {why}", key.get_ref()),
                );
                ok = false;
            }
        }
    }
    ok.then_some(object)
}

/// The JSON form of a TOML value.
fn json(value: &toml::Value) -> Result<Value, String> {
    Ok(match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => {
            Value::Number(Number::from_f64(*f).ok_or_else(|| format!("{f} is not a number JSON can hold"))?)
        }
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => {
            return Err(format!(
                "{d} is a TOML date-time, which JSON does not have; write it as a string, like \"{}\"",
                DEFAULT_EVENT_TIME
            ));
        }
        toml::Value::Array(items) => Value::Array(items.iter().map(json).collect::<Result<_, _>>()?),
        toml::Value::Table(table) => Value::Object(
            table
                .iter()
                .map(|(k, v)| Ok((k.clone(), json(v)?)))
                .collect::<Result<_, String>>()?,
        ),
    })
}
