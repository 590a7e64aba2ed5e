//! Tests of the shipped catalog: the committed generated code and docs are current, the seed repository's
//! published examples are rejected for exactly their defects, and the typed events build the catalog's
//! examples.

// Test helpers unwrap: a panic in a test is a failure with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod changes;
mod seed;
mod stale;
mod typed;

use std::path::{Path, PathBuf};

use ctlake::catalog::Catalog;

/// The catalog directory, `event-sources/`.
fn catalog_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped catalog.
fn catalog() -> Catalog {
    Catalog::load(catalog_dir()).unwrap_or_else(|e| panic!("{e}"))
}

/// The workspace root.
fn workspace_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}
