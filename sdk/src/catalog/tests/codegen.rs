//! The Rust generator: snapshots of its output, and rustfmt finding nothing to change in it at several
//! widths, including for names long enough to make rustfmt break lines.

use std::io::Write;
use std::process::{Command, Stdio};

use super::*;
use crate::catalog::codegen::{self, Options};

/// rustfmt's output for `code` with `max_width` (rustfmt must be installed; it is part of every Rust
/// toolchain install with the `rustfmt` component, which CI uses for `cargo fmt --check`).
fn rustfmt(code: &str, max_width: usize) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".into()))
        .args(["--edition", "2024", "--config", &format!("max_width={max_width}")])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rustfmt must be installed to check the generator's layout (rustup component add rustfmt)");
    child.stdin.take().unwrap().write_all(code.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "rustfmt failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[track_caller]
fn assert_rustfmt_stable(code: &str, max_width: usize) {
    let formatted = rustfmt(code, max_width);
    if formatted != code {
        let first = code
            .lines()
            .zip(formatted.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "rustfmt (max_width {max_width}) changes the generated code from line {}:\n--- generated\n{}\n--- rustfmt\n{}",
            first + 1,
            code.lines().skip(first).take(8).collect::<Vec<_>>().join("\n"),
            formatted
                .lines()
                .skip(first)
                .take(8)
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
}

/// Names long enough to make rustfmt break signatures, calls, chains, struct literals and match arms.
const LONG: &str = r#"
[source]
event_source = "com.example.long-names"
product = "Long Names"
owner = "Example Corp"
description = "Stress test of the layout."

[[event]]
name = "someRatherLongResourceName.somethingHappenedToIt"
version = "v1"
description = "Many required fields, some with long names."
request_parameters = [
    { name = "a", type = "string", required = true, description = "Short." },
    { name = "b", type = "integer", required = true, description = "Short." },
    { name = "c", type = "boolean", required = true, description = "Short." },
    { name = "d", type = "number", required = true, description = "Short." },
    { name = "theFirstFieldWithAQuiteLongDescriptiveName", type = "string", required = true, description = "Long." },
    { name = "theSecondFieldWithAQuiteLongDescriptiveName", type = "timestamp", required = true, description = "Long." },
    { name = "aThirdFieldWithAnEvenLongerAndMoreDescriptiveName", type = "any", required = true, description = "Long." },
    { name = "anOptionalObjectFieldWithALongName", type = "object", description = "Long." },
    { name = "anOptionalArrayOfObjectsWithALongName", type = "array", items = "object", description = "Long." },
    { name = "x", type = "enum", values = ["A_VALUE_THAT_IS_VERY_LONG_INDEED_SO_THAT_THE_MATCH_ARM_DOES_NOT_FIT_ON_ONE_LINE_AT_ALL_REALLY"], description = "Long value." },
]
additional_event_data = [
    { name = "aPatternFieldWithAVeryLongPrefixThatKeepsGoing_*", type = "any", description = "Long pattern." },
    { name = "p_*", type = "string", description = "Short pattern." },
]

[[event.example]]
request_parameters = { a = "a", b = 1, c = true, d = 1.5, theFirstFieldWithAQuiteLongDescriptiveName = "x", theSecondFieldWithAQuiteLongDescriptiveName = "2024-01-01T00:00:00Z", aThirdFieldWithAnEvenLongerAndMoreDescriptiveName = 1 }

[[event]]
name = "tiny.one"
version = "v1"
description = "One short required field."
request_parameters = [{ name = "a", type = "string", required = true, description = "Short." }]

[[event.example]]
request_parameters = { a = "a" }

[[event]]
name = "tiny.two"
version = "v1"
description = "Two short fields: a struct literal that fits on one line at some widths."
request_parameters = [
    { name = "a", type = "integer", required = true, description = "Short." },
    { name = "bc", type = "integer", description = "Short." },
]

[[event.example]]
request_parameters = { a = 1 }

[[event]]
name = "tiny.none"
version = "v1"
description = "No fields at all."

[[event.example]]
"#;

#[test]
fn generated_code_is_rustfmt_stable_at_every_width() {
    let full = load_as("full", FULL).unwrap();
    let long = load_as("long-names", LONG).unwrap();
    let demo = load(DEMO).unwrap();
    for max_width in [80, 100, 110, 120] {
        let options = Options::new().max_width(max_width);
        for catalog in [&full, &demo] {
            for file in codegen::files(catalog, &options) {
                assert_rustfmt_stable(file.contents(), max_width);
            }
        }
    }
    // At 80 columns, a single parameter of the longest names no longer fits a line and rustfmt breaks
    // inside its type; the generator does not go that far.
    for max_width in [100, 110, 120] {
        for file in codegen::files(&long, &Options::new().max_width(max_width)) {
            assert_rustfmt_stable(file.contents(), max_width);
        }
    }
}

#[test]
fn generated_code_snapshot() {
    let catalog = load_as("full", FULL).unwrap();
    insta::assert_snapshot!("full_rs", codegen::rust(&catalog.sources()[0], &Options::new()));
    insta::assert_snapshot!(
        "long_names_rs",
        codegen::rust(
            &load_as("long-names", LONG).unwrap().sources()[0],
            &Options::new()
        )
    );
}

#[test]
fn module_index_lists_every_source() {
    let catalog = Catalog::from_files([
        SourceFile::new("full", "full/source.toml", FULL),
        SourceFile::new("my-demo", "my-demo/source.toml", DEMO),
    ])
    .unwrap();
    let files = codegen::files(&catalog, &Options::new());
    assert_eq!(
        files
            .iter()
            .map(|f| f.path().to_str().unwrap())
            .collect::<Vec<_>>(),
        ["mod.rs", "full.rs", "my_demo.rs"]
    );
    assert_eq!(
        files[0].contents(),
        "//! Typed events of the catalog's event sources, one module per source.\n//!\n//! Generated by \
         `ctlake catalog codegen`; do not edit, regenerate with `ctlake catalog codegen`.\n\n\
         pub mod full;\npub mod my_demo;\n"
    );
    assert!(files[2].contents().contains("Source: `my-demo/source.toml`."));
}

#[test]
fn a_reserved_source_has_only_its_event_source() {
    let reserved = format!(
        "{}status = \"reserved\"\n",
        &DEMO[..DEMO.find("[[event]]").unwrap()]
    );
    let catalog = load(&reserved).unwrap();
    let code = codegen::rust(&catalog.sources()[0], &Options::new());
    assert_eq!(
        code,
        "//! Demo: typed events of the reserved event source `com.example.demo`.\n//!\n//! A demo product.\n\
         //!\n//! Generated by `ctlake catalog codegen`; do not edit, regenerate with `ctlake catalog codegen`. \
         Source: `demo/source.toml`.\n\n/// The reserved `eventSource` of Demo.\n\
         pub const EVENT_SOURCE: &str = \"com.example.demo\";\n"
    );
}
