//! The generated code (`src/generated/`) and docs (`<source>/README.md`, `README.md`) are what the generators
//! make of the catalog today. When they are not, the test fails and says how to regenerate them; with
//! `CTLAKE_UPDATE_GENERATED=1` it rewrites them instead.

use std::fs;
use std::path::Path;

use ctlake::catalog::{GeneratedFile, codegen, docs};

use super::{catalog, catalog_dir, workspace_dir};

/// rustfmt's `max_width` of the workspace (`rustfmt.toml`), which the generated code is laid out for.
fn max_width() -> usize {
    let config = fs::read_to_string(workspace_dir().join("rustfmt.toml")).unwrap_or_default();
    config
        .lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == "max_width")
        .map_or(100, |(_, v)| v.trim().parse().unwrap())
}

/// Whether to rewrite stale files instead of failing (`CTLAKE_UPDATE_GENERATED=1`).
fn update() -> bool {
    std::env::var_os("CTLAKE_UPDATE_GENERATED").is_some_and(|v| v == "1")
}

/// Compares (or, when `update`, writes) the files under `dir`; panics with the command to run when some are
/// stale.
fn ensure_current(dir: &Path, files: &[GeneratedFile], command: &str, update: bool) {
    let mut stale = Vec::new();
    for file in files {
        if update {
            file.write(dir).unwrap();
        } else if !file.is_current(dir) {
            stale.push(dir.join(file.path()).display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "generated files are stale:\n  {}\nregenerate them (from the workspace root) with\n  {command}\nor\n  \
         CTLAKE_UPDATE_GENERATED=1 cargo test -p ctlake-event-sources --test it stale\nand commit the result",
        stale.join("\n  ")
    );
}

#[test]
fn generated_code_is_current() {
    let files = codegen::files(&catalog(), &codegen::Options::new().max_width(max_width()));
    let out = catalog_dir().join("src/generated");
    ensure_current(
        &out,
        &files,
        "cargo run -p ctlake-cli -- catalog codegen --catalog event-sources --out event-sources/src/generated",
        update(),
    );
    // No file is left over from a source that is gone.
    let expected: Vec<_> = files.iter().map(|f| f.path().to_owned()).collect();
    for entry in fs::read_dir(&out).unwrap() {
        let name = entry.unwrap().file_name();
        assert!(
            expected.iter().any(|p| p.as_os_str() == name),
            "{} is not generated from the catalog any more; delete it",
            out.join(name).display()
        );
    }
}

#[test]
fn generated_docs_are_current() {
    ensure_current(
        &catalog_dir(),
        &docs::files(&catalog()),
        "cargo run -p ctlake-cli -- catalog docs --catalog event-sources",
        update(),
    );
}

#[test]
fn a_changed_file_is_reported_stale() {
    let dir = tempfile::tempdir().unwrap();
    let files = docs::files(&catalog());
    for file in &files {
        file.write(dir.path()).unwrap();
    }
    let victim = dir.path().join("klarity/README.md");
    fs::write(
        &victim,
        fs::read_to_string(&victim)
            .unwrap()
            .replace("Accelerator", "Accelerater"),
    )
    .unwrap();
    let err =
        std::panic::catch_unwind(|| ensure_current(dir.path(), &files, "the command", false)).unwrap_err();
    let message = err.downcast_ref::<String>().unwrap();
    assert!(message.contains(&victim.display().to_string()), "{message}");
    assert!(
        message.contains("regenerate them (from the workspace root) with\n  the command"),
        "{message}"
    );
}
