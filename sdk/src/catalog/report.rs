//! [`CheckReport`]: what checking an event against a catalog found.

use std::fmt;

use super::model::Location;
use crate::JsonType;

/// How bad a [`Finding`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The event breaks the catalog: it is not what the source promises.
    Error,
    /// The event has something the catalog does not declare.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Error => "error",
            Self::Warning => "warning",
        })
    }
}

/// What is wrong with an event, as far as the catalog is concerned. Match on it to react to one kind of
/// problem; [`severity`](Self::severity) says whether it is an error or a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// Error: no source of the catalog has this `eventSource`.
    UnknownSource {
        /// The event's `eventSource`.
        event_source: String,
        /// The catalog's source with the closest name, when one is close.
        did_you_mean: Option<String>,
    },
    /// Error: the source declares no event type with this `eventName`.
    UndeclaredEvent {
        /// The event's `eventName`.
        event_name: String,
        /// The event names and patterns the source declares (none for a source that is only reserved).
        declared: Vec<String>,
    },
    /// Error: a required field is missing (or `null`).
    MissingField {
        /// The event type requiring it.
        event_type: String,
        /// Where the field is declared.
        declared_at: Location,
    },
    /// Error: a field's value has the wrong JSON type.
    WrongType {
        /// The declared type, as the docs write it.
        expected: String,
        /// The JSON type found.
        found: JsonType,
    },
    /// Error: an enum field's string is not one of its values.
    NotAllowed {
        /// The value found.
        value: String,
        /// The values allowed.
        allowed: Vec<String>,
    },
    /// Error: a timestamp field's string is not a UTC time `yyyy-MM-ddTHH:mm:ssZ`.
    InvalidTimestamp {
        /// The value found.
        value: String,
    },
    /// Error: `requestParameters`, `responseElements` or `additionalEventData` is not a JSON object.
    NotAnObject {
        /// The JSON type found.
        found: JsonType,
    },
    /// Warning: the event has a field its event type does not declare.
    UndeclaredField {
        /// The event type.
        event_type: String,
    },
    /// Warning: `version` is not the one the event type declares.
    VersionMismatch {
        /// The declared version.
        declared: String,
        /// The event's version.
        found: String,
    },
}

impl Problem {
    /// Whether the problem is an error or a warning.
    pub fn severity(&self) -> Severity {
        match self {
            Self::UnknownSource { .. }
            | Self::UndeclaredEvent { .. }
            | Self::MissingField { .. }
            | Self::WrongType { .. }
            | Self::NotAllowed { .. }
            | Self::InvalidTimestamp { .. }
            | Self::NotAnObject { .. } => Severity::Error,
            Self::UndeclaredField { .. } | Self::VersionMismatch { .. } => Severity::Warning,
        }
    }
}

fn quoted(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("{v:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownSource {
                event_source,
                did_you_mean,
            } => {
                write!(f, "{event_source:?} is not an event source of the catalog")?;
                match did_you_mean {
                    Some(name) => write!(f, " (did you mean {name:?}?)"),
                    None => Ok(()),
                }
            }
            Self::UndeclaredEvent { event_name, declared } => {
                if declared.is_empty() {
                    write!(
                        f,
                        "{event_name:?} is not declared: the source is reserved but declares no event types yet"
                    )
                } else {
                    write!(
                        f,
                        "{event_name:?} is not an event type of the source; declared: {}",
                        quoted(declared)
                    )
                }
            }
            Self::MissingField {
                event_type,
                declared_at,
            } => write!(
                f,
                "required field is missing (required by {event_type}, declared at {declared_at})"
            ),
            Self::WrongType { expected, found } => write!(f, "must be {expected}, found {found}"),
            Self::NotAllowed { value, allowed } => {
                write!(
                    f,
                    "{value:?} is not one of the allowed values {}",
                    quoted(allowed)
                )
            }
            Self::InvalidTimestamp { value } => {
                write!(
                    f,
                    "{value:?} is not a UTC timestamp of the form yyyy-MM-ddTHH:mm:ssZ"
                )
            }
            Self::NotAnObject { found } => write!(f, "must be a JSON object, found {found}"),
            Self::UndeclaredField { event_type } => {
                write!(f, "field is not declared by {event_type}")
            }
            Self::VersionMismatch { declared, found } => {
                write!(f, "{found:?} is not the declared version {declared:?}")
            }
        }
    }
}

/// One problem at one place of the event: `eventData.requestParameters.ruleId: required field is missing …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub(crate) path: String,
    pub(crate) problem: Problem,
}

impl Finding {
    /// The JSON path of the value (`eventData.requestParameters.ruleId`, `…metrics[2]`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// Whether it is an error or a warning.
    pub fn severity(&self) -> Severity {
        self.problem.severity()
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.problem)
    }
}

/// The result of checking one event against a catalog: its errors and warnings, in the event's order.
///
/// `Display` prints one finding per line, prefixed with `error: ` or `warning: `.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    pub(crate) findings: Vec<Finding>,
}

impl CheckReport {
    /// Every finding.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity() == Severity::Error)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity() == Severity::Warning)
    }

    /// Whether the event has no errors (it may have warnings).
    pub fn is_ok(&self) -> bool {
        self.errors().next().is_none()
    }

    /// Whether the event has neither errors nor warnings.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// The finding at a JSON path.
    pub fn at(&self, path: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.path == path)
    }

    pub(crate) fn push(&mut self, path: impl Into<String>, problem: Problem) {
        self.findings.push(Finding {
            path: path.into(),
            problem,
        });
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, finding) in self.findings.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{}: {finding}", finding.severity())?;
        }
        Ok(())
    }
}
