//! One `source.toml` from its TOML form to the model, checking every rule of the format that concerns a
//! single file and reporting each broken one with its line and column.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;

use toml::Spanned;

use super::error::{CatalogRule, Diagnostic};
use super::example;
use super::model::{
    EventName, EventType, Field, FieldName, FieldType, Location, Section, Source, SourceStatus,
};
use super::names;
use super::position::Position;
use super::raw::{RawEvent, RawField, RawFile};
use crate::EventSource;
use crate::validate::limits;

/// Where diagnostics of one file go, with what is needed to place them.
pub(crate) struct FileContext<'a> {
    pub(crate) path: &'a Path,
    pub(crate) text: &'a str,
    pub(crate) diagnostics: &'a mut Vec<Diagnostic>,
}

impl FileContext<'_> {
    pub(crate) fn position(&self, span: &Range<usize>) -> Position {
        Position::of(self.text, span.start)
    }

    pub(crate) fn location(&self, span: &Range<usize>) -> Location {
        Location {
            file: self.path.to_path_buf(),
            position: self.position(span),
        }
    }

    pub(crate) fn report(&mut self, span: &Range<usize>, rule: CatalogRule, message: impl Into<String>) {
        let position = Some(self.position(span));
        self.diagnostics
            .push(Diagnostic::new(self.path, position, rule, message));
    }
}

/// Reads and checks one `source.toml`. `None` when the file is not TOML or does not have the format's
/// shape (nothing further can be checked); otherwise the source, which is only usable when no diagnostic
/// was added.
pub(crate) fn source(folder: &str, cx: &mut FileContext<'_>) -> Option<Source> {
    if let Err(e) = cx.text.parse::<toml::Table>() {
        let span = e.span().unwrap_or(0..0);
        cx.report(&span, CatalogRule::TomlSyntax, e.message().trim_end());
        return None;
    }
    let raw: RawFile = match toml::from_str(cx.text) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            cx.report(&span, CatalogRule::Schema, e.message().trim_end());
            return None;
        }
    };

    let before = cx.diagnostics.len();
    let src = raw.source.get_ref();
    let event_source = src.event_source.get_ref();
    let shown = shorten(event_source);
    if let Err(e) = EventSource::try_from(event_source.as_str()) {
        cx.report(
            &src.event_source.span(),
            CatalogRule::EventSource,
            format!("event_source {shown:?}: {}", e.rule()),
        );
    } else if !is_dotted_name(event_source) {
        cx.report(
            &src.event_source.span(),
            CatalogRule::EventSource,
            format!(
                "event_source {shown:?} is not a lower-case dotted name like \
                 \"com.example.product\" (labels of a-z, 0-9 and inner '-', at least two)"
            ),
        );
    }

    let status = match src.status.as_ref().map(|s| (s.get_ref().as_str(), s.span())) {
        None | Some(("active", _)) => SourceStatus::Active,
        Some(("reserved", _)) => SourceStatus::Reserved,
        Some((other, span)) => {
            cx.report(
                &span,
                CatalogRule::SourceStatus,
                format!("status {other:?} is unknown; expected \"active\" or \"reserved\""),
            );
            SourceStatus::Active
        }
    };
    match (status, raw.event.is_empty()) {
        (SourceStatus::Active, true) => cx.report(
            &raw.source.span(),
            CatalogRule::SourceStatus,
            "the source declares no event types: add [[event]] tables, or set status = \"reserved\" \
             for a reserved source without event types yet",
        ),
        (SourceStatus::Reserved, false) => cx.report(
            &raw.event[0].span(),
            CatalogRule::SourceStatus,
            "a source with status = \"reserved\" declares no event types; remove the [[event]] tables \
             or the status",
        ),
        _ => {}
    }

    // Examples are only checked against what resolved cleanly: a broken declaration would make every
    // example fail for the same reason.
    let source_ok = cx.diagnostics.len() == before;
    let mut events = Vec::new();
    let mut seen_names: HashMap<String, Position> = HashMap::new();
    let mut rust_types: HashMap<String, Position> = HashMap::new();
    let mut enums: BTreeMap<String, (Vec<String>, Position)> = BTreeMap::new();
    for raw_event in &raw.event {
        let event_before = cx.diagnostics.len();
        let Some(mut event) = event_type(raw_event, cx) else {
            continue;
        };
        let valid = source_ok && cx.diagnostics.len() == event_before;
        let defaults = raw.example_envelope.as_ref();
        event.examples = example::build(event_source, &event, raw_event, defaults, valid, cx);
        let pos = event.location.position;
        if let Some(first) = seen_names.get(event.name.as_str()) {
            cx.report(
                &raw_event.span(),
                CatalogRule::DuplicateEvent,
                format!(
                    "event type {:?} is declared twice (first at line {})",
                    event.name.as_str(),
                    first.line
                ),
            );
            continue;
        }
        seen_names.insert(event.name.as_str().to_owned(), pos);
        claim_type(&mut rust_types, &event.rust_name, &raw_event.span(), cx);
        for (field, raw_field) in event.fields.iter().zip(fields_of(raw_event.get_ref())) {
            if let FieldType::Enum { rust_name, values } = enum_type(&field.ty) {
                let span = raw_field
                    .get_ref()
                    .enum_name
                    .as_ref()
                    .map_or(raw_field.span(), |n| n.span());
                match enums.get(rust_name) {
                    Some((first, at)) if first != values => cx.report(
                        &span,
                        CatalogRule::EnumConflict,
                        format!(
                            "enum {rust_name} has other values at line {} ({}); fields sharing an \
                             enum_name must declare the same values",
                            at.line,
                            first.join(", ")
                        ),
                    ),
                    Some(_) => {}
                    None => {
                        claim_type(&mut rust_types, rust_name, &span, cx);
                        enums.insert(rust_name.clone(), (values.clone(), cx.position(&span)));
                    }
                }
            }
        }
        events.push(event);
    }

    Some(Source {
        folder: folder.to_owned(),
        path: cx.path.to_path_buf(),
        event_source: event_source.clone(),
        product: src.product.clone(),
        owner: src.owner.clone(),
        description: src.description.trim().to_owned(),
        docs_url: src.docs_url.clone(),
        status,
        module: folder.replace('-', "_"),
        events,
        location: cx.location(&src.event_source.span()),
    })
}

/// A value to quote in a message: the first 40 characters and `…` when it is longer.
fn shorten(value: &str) -> String {
    if value.chars().count() > 40 {
        format!("{}…", value.chars().take(40).collect::<String>())
    } else {
        value.to_owned()
    }
}

/// The enum a field's type holds, if any (also inside an array).
fn enum_type(ty: &FieldType) -> &FieldType {
    match ty {
        FieldType::Array(Some(items)) => enum_type(items),
        other => other,
    }
}

/// Records a generated type name, reporting a second item with the same name.
fn claim_type(
    taken: &mut HashMap<String, Position>,
    name: &str,
    span: &Range<usize>,
    cx: &mut FileContext<'_>,
) {
    match taken.get(name) {
        Some(first) => cx.report(
            span,
            CatalogRule::RustName,
            format!(
                "the Rust type name {name} is already used by the item at line {}; set rust_name (or \
                 enum_name) to tell them apart",
                first.line
            ),
        ),
        None => {
            taken.insert(name.to_owned(), cx.position(span));
        }
    }
}

/// The raw fields of an event, in the order [`event_type`] resolves them.
pub(crate) fn fields_of(raw: &RawEvent) -> impl Iterator<Item = &Spanned<RawField>> {
    raw.request_parameters
        .iter()
        .chain(&raw.response_elements)
        .chain(&raw.additional_event_data)
}

/// Whether `s` is a lower-case dotted name: at least two labels of `a-z`, `0-9` and inner `-`.
fn is_dotted_name(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

/// Whether `s` is `resource.verb`, both parts lowerCamel (`discoveryRule.created`).
fn is_resource_verb(s: &str) -> bool {
    let lower_camel = |part: &str| {
        part.starts_with(|c: char| c.is_ascii_lowercase()) && part.chars().all(|c| c.is_ascii_alphanumeric())
    };
    matches!(s.split('.').collect::<Vec<_>>()[..], [resource, verb] if lower_camel(resource) && lower_camel(verb))
}

fn event_type(spanned: &Spanned<RawEvent>, cx: &mut FileContext<'_>) -> Option<EventType> {
    let raw = spanned.get_ref();
    let name = match (&raw.name, &raw.name_pattern) {
        (Some(name), None) => {
            if !is_resource_verb(name.get_ref()) {
                cx.report(
                    &name.span(),
                    CatalogRule::EventName,
                    format!(
                        "event name {:?} is not `resource.verb` in lowerCamel (like \"discoveryRule.created\"); \
                         use name_pattern for names of another form",
                        name.get_ref()
                    ),
                );
            }
            EventName::Exact(name.get_ref().clone())
        }
        (None, Some(pattern)) => {
            let p = pattern.get_ref();
            let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':' | '*');
            if !p.contains('*') || !p.chars().all(allowed) {
                cx.report(
                    &pattern.span(),
                    CatalogRule::EventName,
                    format!(
                        "name_pattern {p:?} must contain '*' (one or more characters) and otherwise only \
                         letters, digits, '.', '_', '-' and ':'"
                    ),
                );
            }
            if raw.rust_name.is_none() {
                cx.report(
                    &pattern.span(),
                    CatalogRule::RustName,
                    "an event type declared by name_pattern needs rust_name, the name of its Rust type",
                );
            }
            EventName::Pattern(p.clone())
        }
        (Some(_), Some(pattern)) => {
            cx.report(
                &pattern.span(),
                CatalogRule::EventName,
                "an event type has either name or name_pattern, not both",
            );
            return None;
        }
        (None, None) => {
            cx.report(
                &spanned.span(),
                CatalogRule::EventName,
                "an event type needs name (or name_pattern)",
            );
            return None;
        }
    };

    let rust_name = match &raw.rust_name {
        Some(given) => {
            if let Err(why) = names::type_ident(given.get_ref()) {
                cx.report(
                    &given.span(),
                    CatalogRule::RustName,
                    format!("rust_name {:?} {why}", given.get_ref()),
                );
            }
            given.get_ref().clone()
        }
        None => names::pascal(name.as_str()),
    };

    let version = raw.version.get_ref();
    let version_chars = version.chars().count();
    if version.trim().is_empty() || version_chars > limits::MAX_VERSION_CHARS {
        cx.report(
            &raw.version.span(),
            CatalogRule::Version,
            format!(
                "version must have 1–{} characters and not be blank (it becomes eventData.version)",
                limits::MAX_VERSION_CHARS
            ),
        );
    }

    let mut fields = Vec::new();
    let mut seen: HashMap<(Section, &str), Position> = HashMap::new();
    let mut idents: HashMap<String, (Position, &str)> = HashMap::new();
    if matches!(name, EventName::Pattern(_)) {
        let at = cx.position(&spanned.span());
        idents.insert(
            "event_name".to_owned(),
            (at, "event name of this name_pattern event type"),
        );
    }
    for (section, list) in [
        (Section::RequestParameters, &raw.request_parameters),
        (Section::ResponseElements, &raw.response_elements),
        (Section::AdditionalEventData, &raw.additional_event_data),
    ] {
        for raw_field in list {
            let key = raw_field.get_ref().name.get_ref().as_str();
            if let Some(first) = seen.get(&(section, key)) {
                cx.report(
                    &raw_field.get_ref().name.span(),
                    CatalogRule::DuplicateField,
                    format!(
                        "field {key:?} is declared twice in {section} (first at line {})",
                        first.line
                    ),
                );
                continue;
            }
            seen.insert((section, key), cx.position(&raw_field.span()));
            let field = field(section, &rust_name, raw_field, cx);
            let span = raw_field
                .get_ref()
                .rust_name
                .as_ref()
                .map_or(raw_field.span(), |n| n.span());
            match idents.get(names::unraw(&field.rust_name)) {
                Some((first, what)) => cx.report(
                    &span,
                    CatalogRule::RustName,
                    format!(
                        "the Rust field name {} is already used by the {what} at line {}; set rust_name to \
                         tell them apart",
                        field.rust_name, first.line
                    ),
                ),
                None => {
                    let at = cx.position(&span);
                    idents.insert(names::unraw(&field.rust_name).to_owned(), (at, "field"));
                }
            }
            fields.push(field);
        }
    }

    Some(EventType {
        name,
        rust_name,
        version: version.clone(),
        description: raw.description.trim().to_owned(),
        fields,
        examples: Vec::new(),
        location: cx.location(&spanned.span()),
    })
}

/// The field types a `type` or `items` key names.
fn scalar_type(name: &str) -> Option<FieldType> {
    Some(match name {
        "string" => FieldType::String,
        "integer" => FieldType::Integer,
        "number" => FieldType::Number,
        "boolean" => FieldType::Boolean,
        "timestamp" => FieldType::Timestamp,
        "object" => FieldType::Object,
        "any" => FieldType::Any,
        _ => return None,
    })
}

const TYPES: &str = "string, integer, number, boolean, timestamp, enum, object, array, any";
const ITEM_TYPES: &str = "string, integer, number, boolean, timestamp, object, any";

fn field(
    section: Section,
    event_rust_name: &str,
    spanned: &Spanned<RawField>,
    cx: &mut FileContext<'_>,
) -> Field {
    let raw = spanned.get_ref();
    let key = raw.name.get_ref();
    let name_chars_ok = key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '*'));
    let stars = key.matches('*').count();
    let first_ok = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '*');
    let name_ok = !key.is_empty() && name_chars_ok && stars <= 1 && first_ok;
    if !name_ok {
        cx.report(
            &raw.name.span(),
            CatalogRule::FieldName,
            format!(
                "field name {key:?} must start with a letter or '_' and hold only letters, digits, '_', '-' \
                 and '.'; a pattern has exactly one '*' (\"rp_*\")"
            ),
        );
    }
    let name = if stars > 0 {
        FieldName::Pattern(key.clone())
    } else {
        FieldName::Exact(key.clone())
    };

    let required = raw.required.as_ref().is_some_and(|r| *r.get_ref());
    if required && matches!(name, FieldName::Pattern(_)) {
        let span = raw.required.as_ref().map_or(spanned.span(), |r| r.span());
        cx.report(
            &span,
            CatalogRule::RequiredPattern,
            format!(
                "pattern field {key:?} cannot be required: a pattern matches any number of keys, also none"
            ),
        );
    }

    let type_name = raw.ty.get_ref().as_str();
    let ty = match type_name {
        "enum" => enum_field(event_rust_name, raw, spanned, cx),
        "array" => {
            let items = raw
                .items
                .as_ref()
                .and_then(|items| match scalar_type(items.get_ref()) {
                    Some(t) => Some(Box::new(t)),
                    None => {
                        cx.report(
                            &items.span(),
                            CatalogRule::FieldType,
                            format!(
                                "items {:?} is unknown; expected one of: {ITEM_TYPES}",
                                items.get_ref()
                            ),
                        );
                        None
                    }
                });
            FieldType::Array(items)
        }
        other => scalar_type(other).unwrap_or_else(|| {
            cx.report(
                &raw.ty.span(),
                CatalogRule::FieldType,
                format!("type {other:?} is unknown; expected one of: {TYPES}"),
            );
            FieldType::Any
        }),
    };
    if type_name != "enum" {
        for (key, span) in [
            ("values", raw.values.as_ref().map(Spanned::span)),
            ("enum_name", raw.enum_name.as_ref().map(Spanned::span)),
        ] {
            if let Some(span) = span {
                cx.report(
                    &span,
                    CatalogRule::FieldType,
                    format!("{key} is only for type = \"enum\""),
                );
            }
        }
    }
    if let (Some(items), false) = (&raw.items, type_name == "array") {
        cx.report(
            &items.span(),
            CatalogRule::FieldType,
            "items is only for type = \"array\"",
        );
    }

    let rust_name = match &raw.rust_name {
        Some(given) => match names::field_ident(given.get_ref()) {
            Ok(ident) => ident,
            Err(why) => {
                cx.report(
                    &given.span(),
                    CatalogRule::RustName,
                    format!("rust_name {:?} {why}", given.get_ref()),
                );
                given.get_ref().clone()
            }
        },
        None => {
            let derived = names::snake(&key.replace('*', "_"));
            match names::field_ident(&derived) {
                Ok(ident) => ident,
                // An invalid name is reported already; its Rust name is a consequence.
                Err(_) if !name_ok => derived,
                Err(why) => {
                    cx.report(
                        &raw.name.span(),
                        CatalogRule::RustName,
                        format!("field {key:?} gives the Rust name {derived:?}, which {why}; set rust_name"),
                    );
                    derived
                }
            }
        }
    };

    Field {
        section,
        name,
        rust_name,
        ty,
        required,
        description: raw.description.trim().to_owned(),
        location: cx.location(&spanned.span()),
    }
}

fn enum_field(
    event_rust_name: &str,
    raw: &RawField,
    spanned: &Spanned<RawField>,
    cx: &mut FileContext<'_>,
) -> FieldType {
    let rust_name = match &raw.enum_name {
        Some(given) => {
            if let Err(why) = names::type_ident(given.get_ref()) {
                cx.report(
                    &given.span(),
                    CatalogRule::RustName,
                    format!("enum_name {:?} {why}", given.get_ref()),
                );
            }
            given.get_ref().clone()
        }
        None => format!(
            "{event_rust_name}{}",
            names::pascal(&raw.name.get_ref().replace('*', "_"))
        ),
    };
    let Some(values) = &raw.values else {
        cx.report(
            &spanned.span(),
            CatalogRule::FieldType,
            "an enum field needs values = [\"…\", …], the strings it allows",
        );
        return FieldType::Enum {
            rust_name,
            values: Vec::new(),
        };
    };
    if values.get_ref().is_empty() {
        cx.report(
            &values.span(),
            CatalogRule::EnumValues,
            "values must list at least one string",
        );
    }
    let mut seen: HashMap<&str, &str> = HashMap::new();
    let mut variants: HashMap<String, &str> = HashMap::new();
    for value in values.get_ref() {
        let v = value.get_ref().as_str();
        if seen.insert(v, v).is_some() {
            cx.report(
                &value.span(),
                CatalogRule::EnumValues,
                format!("value {v:?} is listed twice"),
            );
            continue;
        }
        let variant = names::variant(v);
        if variant.is_empty() {
            cx.report(
                &value.span(),
                CatalogRule::EnumValues,
                format!("value {v:?} has no letters or digits to name its Rust variant"),
            );
        } else if let Some(other) = variants.insert(variant.clone(), v) {
            cx.report(
                &value.span(),
                CatalogRule::EnumValues,
                format!("values {other:?} and {v:?} give the same Rust variant name {variant}"),
            );
        }
    }
    FieldType::Enum {
        rust_name,
        values: values.get_ref().iter().map(|v| v.get_ref().clone()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::{is_dotted_name, is_resource_verb};

    #[test]
    fn dotted_names() {
        assert!(is_dotted_name("com.nordcloudapp.klarity"));
        assert!(is_dotted_name("changes.ctlake.dev"));
        assert!(is_dotted_name("a-b.c9"));
        assert!(!is_dotted_name("klarity"));
        assert!(!is_dotted_name("Com.example"));
        assert!(!is_dotted_name("com..example"));
        assert!(!is_dotted_name("-com.example"));
        assert!(!is_dotted_name("com.example-"));
        assert!(!is_dotted_name("com.ex ample"));
    }

    #[test]
    fn resource_verb_names() {
        assert!(is_resource_verb("discoveryRule.created"));
        assert!(is_resource_verb("alarm.insufficientData"));
        assert!(is_resource_verb("image2.created"));
        assert!(!is_resource_verb("DiscoveryRule.created"));
        assert!(!is_resource_verb("discoveryRule"));
        assert!(!is_resource_verb("a.b.c"));
        assert!(!is_resource_verb("rule.created_now"));
        assert!(!is_resource_verb("rule."));
        assert!(!is_resource_verb("RunInstances"));
    }
}
