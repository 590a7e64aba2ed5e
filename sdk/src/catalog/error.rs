//! What loading a catalog reports: every [`Diagnostic`] found, each naming the file, the position and the
//! [`CatalogRule`] broken.

use std::fmt;
use std::path::{Path, PathBuf};

use super::position::Position;

/// A rule of the catalog format (`event-sources/FORMAT.md` explains each). Match on it to react to a
/// specific problem; [`code`](Self::code) is the short name printed in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CatalogRule {
    /// A file or directory could not be read.
    Io,
    /// The file is not valid TOML.
    TomlSyntax,
    /// A key is unknown, missing or has the wrong TOML type.
    Schema,
    /// The directory holds no `source.toml`.
    NoSources,
    /// A source folder's name cannot be a Rust module name, or two folders give the same one.
    FolderName,
    /// `eventSource` is not a lower-case dotted name of 1–1024 characters.
    EventSource,
    /// Two sources declare the same `eventSource`.
    DuplicateSource,
    /// `status` is unknown, or does not agree with the event types declared.
    SourceStatus,
    /// An event type's name is not `resource.verb` in lowerCamel, or its name pattern is invalid.
    EventName,
    /// Two event types of a source have the same name or pattern.
    DuplicateEvent,
    /// An event type's `version` is empty or longer than `eventData.version` allows.
    Version,
    /// A field name is not a valid name or pattern.
    FieldName,
    /// A field is declared twice in the same section.
    DuplicateField,
    /// A field's `type` is unknown, or `values` / `enum_name` / `items` do not fit its type.
    FieldType,
    /// A pattern field is marked required.
    RequiredPattern,
    /// An enum's values are empty, repeated, or give no distinct Rust variant names.
    EnumValues,
    /// Two enum fields share an `enum_name` but not their values.
    EnumConflict,
    /// A Rust name (given or derived) is not an identifier, or two items would get the same one.
    RustName,
    /// An event type has no example.
    ExampleMissing,
    /// An example holds a value JSON cannot represent (a TOML date-time, a non-finite float).
    ExampleValue,
    /// An example breaks the schema of CloudTrail Lake or of its own event type.
    ExampleInvalid,
}

impl CatalogRule {
    /// The rule's short name, as printed in messages (`event-name`, `duplicate-field`, …).
    pub fn code(self) -> &'static str {
        match self {
            Self::Io => "io",
            Self::TomlSyntax => "toml-syntax",
            Self::Schema => "schema",
            Self::NoSources => "no-sources",
            Self::FolderName => "folder-name",
            Self::EventSource => "event-source",
            Self::DuplicateSource => "duplicate-source",
            Self::SourceStatus => "source-status",
            Self::EventName => "event-name",
            Self::DuplicateEvent => "duplicate-event",
            Self::Version => "version",
            Self::FieldName => "field-name",
            Self::DuplicateField => "duplicate-field",
            Self::FieldType => "field-type",
            Self::RequiredPattern => "required-pattern",
            Self::EnumValues => "enum-values",
            Self::EnumConflict => "enum-conflict",
            Self::RustName => "rust-name",
            Self::ExampleMissing => "example-missing",
            Self::ExampleValue => "example-value",
            Self::ExampleInvalid => "example-invalid",
        }
    }
}

impl fmt::Display for CatalogRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One problem in a catalog: where (file, and line and column when the problem has a place), which rule,
/// and what is wrong. `Display` reads `klarity/source.toml:12:8: error[event-name]: …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    file: PathBuf,
    position: Option<Position>,
    rule: CatalogRule,
    message: String,
}

impl Diagnostic {
    pub(crate) fn new(
        file: impl Into<PathBuf>,
        position: Option<Position>,
        rule: CatalogRule,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.into(),
            position,
            rule,
            message: message.into(),
        }
    }

    /// The file (or directory) the problem is in.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Where in the file, when the problem has a place.
    pub fn position(&self) -> Option<Position> {
        self.position
    }

    /// The rule broken.
    pub fn rule(&self) -> CatalogRule {
        self.rule
    }

    /// What is wrong, without the place and rule.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(position) = self.position {
            write!(f, ":{position}")?;
        }
        write!(f, ": error[{}]: {}", self.rule, self.message)
    }
}

/// Loading a catalog failed: every problem found, in file order.
///
/// `Display` prints one [`Diagnostic`] per line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    diagnostics: Vec<Diagnostic>,
}

impl LoadError {
    pub(crate) fn new(diagnostics: Vec<Diagnostic>) -> Self {
        Self { diagnostics }
    }

    /// Every problem found (at least one).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.diagnostics.len();
        write!(
            f,
            "invalid event-source catalog: {n} problem{}",
            if n == 1 { "" } else { "s" }
        )?;
        for d in &self.diagnostics {
            write!(f, "\n{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_print_file_position_and_rule() {
        let d = Diagnostic::new(
            "klarity/source.toml",
            Some(Position { line: 12, column: 8 }),
            CatalogRule::EventName,
            "bad name",
        );
        assert_eq!(
            d.to_string(),
            "klarity/source.toml:12:8: error[event-name]: bad name"
        );
        let io = Diagnostic::new("missing", None, CatalogRule::Io, "not found");
        assert_eq!(io.to_string(), "missing: error[io]: not found");
        let err = LoadError::new(vec![d, io]);
        assert_eq!(
            err.to_string(),
            "invalid event-source catalog: 2 problems\n\
             klarity/source.toml:12:8: error[event-name]: bad name\n\
             missing: error[io]: not found"
        );
    }
}
