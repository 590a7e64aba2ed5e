//! Tests of the catalog as a whole: loading and every rule of the format, checking events, and the
//! generated code and docs.

mod check;
mod codegen;
mod docs;
mod robust;
mod rules;

use super::{Catalog, LoadError, SourceFile};

/// The demo catalog of the doc examples.
const DEMO: &str = include_str!("../../../tests/fixtures/catalog/demo/source.toml");

/// A richer catalog using every field type, patterns, enums and several examples.
const FULL: &str = include_str!("../../../tests/fixtures/catalog/full/source.toml");

/// Loads one source from a text, as `<folder>/source.toml`.
fn load_as(folder: &str, text: &str) -> Result<Catalog, LoadError> {
    Catalog::from_files([SourceFile::new(folder, format!("{folder}/source.toml"), text)])
}

/// Loads one source from a text, as `demo/source.toml`.
fn load(text: &str) -> Result<Catalog, LoadError> {
    load_as("demo", text)
}

/// The diagnostics of a catalog that must fail to load, one per line.
fn errors(text: &str) -> Vec<String> {
    load(text)
        .expect_err("the catalog should not load")
        .diagnostics()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn the_fixtures_load() {
    load(DEMO).unwrap();
    load_as("full", FULL).unwrap();
}
