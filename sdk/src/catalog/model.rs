//! The catalog model: [`Catalog`] → [`Source`] → [`EventType`] → [`Field`], as loaded and checked from
//! the TOML files.

use std::fmt;
use std::path::{Path, PathBuf};

use super::position::Position;
use crate::EventData;
use crate::typed::glob;

/// An event-source catalog: the reserved sources a vendor publishes and their event types.
///
/// Load one with [`Catalog::load`] (a directory) or [`Catalog::from_files`] (texts); check events against it
/// with [`Catalog::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    pub(crate) sources: Vec<Source>,
}

impl Catalog {
    /// The sources, ordered by folder name.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// The source declaring `event_source`.
    pub fn source(&self, event_source: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.event_source == event_source)
    }
}

/// Whether a source declares event types yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SourceStatus {
    /// The source declares its event types (at least one).
    Active,
    /// The `eventSource` is reserved, but no event types are declared yet: every event is undeclared.
    Reserved,
}

/// One reserved `eventSource` and its event types: one `source.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub(crate) folder: String,
    pub(crate) path: PathBuf,
    pub(crate) event_source: String,
    pub(crate) product: String,
    pub(crate) owner: String,
    pub(crate) description: String,
    pub(crate) docs_url: Option<String>,
    pub(crate) status: SourceStatus,
    pub(crate) module: String,
    pub(crate) events: Vec<EventType>,
    pub(crate) location: Location,
}

impl Source {
    /// Where the source's `event_source` is declared.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The folder the source is declared in (`klarity`), which names its Rust module and docs page.
    pub fn folder(&self) -> &str {
        &self.folder
    }

    /// The `source.toml` file, as it was given to the loader.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file relative to the catalog directory (`klarity/source.toml`), as generated files cite it.
    pub fn relative_path(&self) -> String {
        format!("{}/source.toml", self.folder)
    }

    /// The reserved `eventSource` string (`com.nordcloudapp.klarity`).
    pub fn event_source(&self) -> &str {
        &self.event_source
    }

    /// The product publishing the events.
    pub fn product(&self) -> &str {
        &self.product
    }

    /// Who owns the reservation.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// What the source is (Markdown).
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Where the vendor documents the source.
    pub fn docs_url(&self) -> Option<&str> {
        self.docs_url.as_deref()
    }

    /// Whether the source declares event types yet.
    pub fn status(&self) -> SourceStatus {
        self.status
    }

    /// The Rust module name of the generated code (the folder name with `-` as `_`).
    pub fn module(&self) -> &str {
        &self.module
    }

    /// The event types, in declaration order.
    pub fn events(&self) -> &[EventType] {
        &self.events
    }

    /// The event type an `eventName` belongs to: the one declaring exactly that name, else the first whose
    /// pattern matches.
    pub fn event(&self, event_name: &str) -> Option<&EventType> {
        self.events
            .iter()
            .find(|e| matches!(&e.name, EventName::Exact(n) if n == event_name))
            .or_else(|| {
                self.events
                    .iter()
                    .find(|e| matches!(&e.name, EventName::Pattern(p) if glob::matches(p, event_name)))
            })
    }
}

/// The `eventName` an event type stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EventName {
    /// One name, `resource.verb` in lowerCamel (`discoveryRule.created`).
    Exact(String),
    /// Every name matching a pattern, where `*` stands for one or more characters (`*`: any name).
    Pattern(String),
}

impl EventName {
    /// The name or pattern, as declared.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Exact(s) | Self::Pattern(s) => s,
        }
    }
}

impl fmt::Display for EventName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in a catalog file: the file as given to the loader, and the line and column.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    pub(crate) file: PathBuf,
    pub(crate) position: Position,
}

impl Location {
    /// The file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The line and column.
    pub fn position(&self) -> Position {
        self.position
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.position)
    }
}

/// One event type of a source.
#[derive(Debug, Clone, PartialEq)]
pub struct EventType {
    pub(crate) name: EventName,
    pub(crate) rust_name: String,
    pub(crate) version: String,
    pub(crate) description: String,
    pub(crate) fields: Vec<Field>,
    pub(crate) examples: Vec<Example>,
    pub(crate) location: Location,
}

impl EventType {
    /// The `eventName` (or pattern) it stands for.
    pub fn name(&self) -> &EventName {
        &self.name
    }

    /// The name of the generated Rust struct (`DiscoveryRuleCreated`).
    pub fn rust_name(&self) -> &str {
        &self.rust_name
    }

    /// The `eventData.version` its events carry.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// What the event means (Markdown).
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The fields of all three sections, in declaration order per section (`requestParameters` first).
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The fields of one section, in declaration order.
    pub fn section_fields(&self, section: Section) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(move |f| f.section == section)
    }

    /// The examples (at least one), each a complete `eventData` that passed every check.
    pub fn examples(&self) -> &[Example] {
        &self.examples
    }

    /// Where the event type is declared.
    pub fn location(&self) -> &Location {
        &self.location
    }
}

/// The three `eventData` objects a catalog declares fields in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    /// `requestParameters`.
    RequestParameters,
    /// `responseElements`.
    ResponseElements,
    /// `additionalEventData`.
    AdditionalEventData,
}

impl Section {
    /// Every section, in `eventData` order.
    pub const ALL: [Section; 3] = [
        Section::RequestParameters,
        Section::ResponseElements,
        Section::AdditionalEventData,
    ];

    /// The JSON name (`requestParameters`).
    pub fn json_name(self) -> &'static str {
        match self {
            Self::RequestParameters => "requestParameters",
            Self::ResponseElements => "responseElements",
            Self::AdditionalEventData => "additionalEventData",
        }
    }

    /// The TOML key that declares it (`request_parameters`).
    pub fn toml_key(self) -> &'static str {
        match self {
            Self::RequestParameters => "request_parameters",
            Self::ResponseElements => "response_elements",
            Self::AdditionalEventData => "additional_event_data",
        }
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.json_name())
    }
}

/// A field's name: one key, or every key matching a pattern with one `*` (`rp_*`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FieldName {
    /// One key.
    Exact(String),
    /// Every key matching the pattern; `*` stands for one or more characters.
    Pattern(String),
}

impl FieldName {
    /// The key or pattern, as declared.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Exact(s) | Self::Pattern(s) => s,
        }
    }

    /// Whether `key` is this field's key.
    pub fn matches(&self, key: &str) -> bool {
        match self {
            Self::Exact(s) => s == key,
            Self::Pattern(p) => glob::matches(p, key),
        }
    }
}

/// One declared field of an event type.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub(crate) section: Section,
    pub(crate) name: FieldName,
    pub(crate) rust_name: String,
    pub(crate) ty: FieldType,
    pub(crate) required: bool,
    pub(crate) description: String,
    pub(crate) location: Location,
}

impl Field {
    /// The section it is in.
    pub fn section(&self) -> Section {
        self.section
    }

    /// Its key or pattern.
    pub fn name(&self) -> &FieldName {
        &self.name
    }

    /// The Rust field name of the generated struct (`rule_name`, `r#type`).
    pub fn rust_name(&self) -> &str {
        &self.rust_name
    }

    /// Its type.
    pub fn ty(&self) -> &FieldType {
        &self.ty
    }

    /// Whether every event of the type must have it (never true for a pattern).
    pub fn required(&self) -> bool {
        self.required
    }

    /// What it holds (Markdown).
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Where it is declared.
    pub fn location(&self) -> &Location {
        &self.location
    }
}

/// The type of a field's value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldType {
    /// A JSON string.
    String,
    /// A JSON number without a fraction (as `i64` in Rust).
    Integer,
    /// Any JSON number (as `f64` in Rust).
    Number,
    /// `true` or `false`.
    Boolean,
    /// A string in `eventTime`'s form, `yyyy-MM-ddTHH:mm:ssZ`.
    Timestamp,
    /// One string of a fixed set.
    Enum {
        /// The Rust enum's name (`AlarmState`).
        rust_name: String,
        /// The allowed strings, in declaration order.
        values: Vec<String>,
    },
    /// Any JSON object.
    Object,
    /// A JSON array; its items have the given type, or any type when `None`.
    Array(Option<Box<FieldType>>),
    /// Any JSON value.
    Any,
}

impl fmt::Display for FieldType {
    /// The type as the docs write it: `string`, `enum (OK, ALARM)`, `array of string`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::String => f.write_str("string"),
            Self::Integer => f.write_str("integer"),
            Self::Number => f.write_str("number"),
            Self::Boolean => f.write_str("boolean"),
            Self::Timestamp => f.write_str("timestamp"),
            Self::Enum { values, .. } => write!(f, "enum ({})", values.join(", ")),
            Self::Object => f.write_str("object"),
            Self::Array(None) => f.write_str("array"),
            Self::Array(Some(items)) => write!(f, "array of {items}"),
            Self::Any => f.write_str("any"),
        }
    }
}

/// An example of an event type: a complete `eventData` built from the declared example (and the defaults
/// of its envelope), which passed the SDK's validation and the catalog's checks when loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub(crate) description: Option<String>,
    pub(crate) event_data: EventData,
    pub(crate) location: Location,
}

impl Example {
    /// What the example shows.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The example's `eventData`.
    pub fn event_data(&self) -> &EventData {
        &self.event_data
    }

    /// Where it is declared.
    pub fn location(&self) -> &Location {
        &self.location
    }
}
