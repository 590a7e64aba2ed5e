//! Event-source catalogs: the reserved `eventSource` values a vendor publishes, their event types and
//! fields, declared as data (one `source.toml` per source; the format is `event-sources/FORMAT.md`).
//!
//! - [`Catalog::load`] reads and checks a catalog directory; a broken catalog gets a [`LoadError`] whose
//!   [`Diagnostic`]s name the file, line, column and [`CatalogRule`].
//! - [`Catalog::check`] (typed events) and [`Catalog::check_json`] (untrusted JSON) check an event against
//!   the catalog: a [`CheckReport`] of errors (unknown source, undeclared event name, missing required
//!   field, wrong field type) and warnings (undeclared field, other version).
//! - [`codegen::rust`] writes typed Rust for a source (structs implementing [`TypedEvent`](crate::TypedEvent)
//!   whose required fields are constructor arguments), [`docs::markdown`] a Markdown page.
//!
//! The SDK does not need a catalog: events of custom integrations are built and published free-form.
//!
//! ```
//! use ctlake::catalog::{Catalog, SourceFile};
//!
//! let catalog = Catalog::from_files([SourceFile::new(
//!     "demo",
//!     "demo/source.toml",
//!     include_str!("../../tests/fixtures/catalog/demo/source.toml"),
//! )])?;
//! let source = catalog.source("com.example.demo").unwrap();
//! assert_eq!(source.events()[0].name().as_str(), "widget.created");
//!
//! // Every example in the catalog passed the SDK's validation and the catalog's own checks.
//! let example = source.events()[0].examples()[0].event_data();
//! assert!(catalog.check(example).is_clean());
//!
//! let broken = Catalog::from_files([SourceFile::new(
//!     "demo",
//!     "demo/source.toml",
//!     "[source]\nevent_source = \"Demo\"\nproduct = \"Demo\"\nowner = \"Example\"\ndescription = \"…\"\nstatus = \"reserved\"\n",
//! )])
//! .unwrap_err();
//! assert_eq!(
//!     broken.diagnostics()[0].to_string(),
//!     "demo/source.toml:2:16: error[event-source]: event_source \"Demo\" is not a lower-case dotted name \
//!      like \"com.example.product\" (labels of a-z, 0-9 and inner '-', at least two)"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod check;
pub mod codegen;
pub mod docs;
mod error;
mod example;
mod generated;
mod json;
mod load;
mod model;
mod names;
mod position;
mod raw;
mod report;
mod resolve;

pub use error::{CatalogRule, Diagnostic, LoadError};
pub use example::{
    DEFAULT_EVENT_TIME, DEFAULT_PRINCIPAL_ID, DEFAULT_RECIPIENT_ACCOUNT_ID, DEFAULT_USER_IDENTITY_TYPE,
};
pub use generated::{GeneratedFile, WriteOutcome};
pub use load::{SOURCE_FILE, SourceFile};
pub use model::{
    Catalog, EventName, EventType, Example, Field, FieldName, FieldType, Location, Section, Source,
    SourceStatus,
};
pub use position::Position;
pub use report::{CheckReport, Finding, Problem, Severity};

#[cfg(test)]
mod tests;
