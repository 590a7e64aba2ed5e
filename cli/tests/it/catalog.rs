//! `ctlake catalog check|codegen|docs` as a user runs them: on the shipped catalog (whose committed code and
//! docs they must find current) and on catalogs written into a temporary directory.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Runs `ctlake` with `args` in `dir`, without AWS settings from the environment mattering.
fn ctlake(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ctlake"))
        .args(args)
        .current_dir(dir)
        .env_remove("AWS_DEFAULT_OUTPUT")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

const SOURCE: &str = r#"[source]
event_source = "com.example.demo"
product = "Demo"
owner = "Example"
description = "A demo."

[[event]]
name = "widget.created"
version = "v1"
description = "Created."
request_parameters = [{ name = "widgetId", type = "string", required = true, description = "Its ID." }]

[[event.example]]
request_parameters = { widgetId = "w-1" }
"#;

/// A temporary catalog with one source, `demo`.
fn catalog(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("demo")).unwrap();
    fs::write(dir.path().join("demo/source.toml"), text).unwrap();
    dir
}

#[test]
fn the_shipped_catalog_is_valid_and_its_generated_files_are_current() {
    let ws = workspace();
    let out = ctlake(&ws, &["catalog", "check", "--output", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["valid"], true);
    assert_eq!(report["sources"].as_array().unwrap().len(), 7);

    // The CLI generates exactly what is committed (laid out for the workspace's rustfmt.toml).
    let out = ctlake(
        &ws,
        &[
            "catalog",
            "codegen",
            "--out",
            "event-sources/src/generated",
            "--check",
            "--output",
            "text",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(stdout(&out), "8\t0\n");
    let out = ctlake(&ws, &["catalog", "docs", "--check", "--output", "text"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(stdout(&out), "8\t0\n");
}

#[test]
fn a_broken_catalog_is_reported_with_file_line_and_rule() {
    let dir = catalog(&SOURCE.replace("widget.created", "Widget"));
    let out = ctlake(
        dir.path(),
        &["catalog", "check", "--catalog", ".", "--output", "json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["valid"], false);
    let problem = &report["problems"][0];
    assert_eq!(problem["file"], "./demo/source.toml");
    assert_eq!(
        (problem["line"].as_u64(), problem["column"].as_u64()),
        (Some(8), Some(8))
    );
    assert_eq!(problem["rule"], "event-name");

    // Generating from it stops with every problem, as an invalid input (252).
    let out = ctlake(
        dir.path(),
        &["catalog", "codegen", "--catalog", ".", "--out", "gen"],
    );
    assert_eq!(out.status.code(), Some(252));
    assert!(
        stderr(&out).contains("./demo/source.toml:8:8: error[event-name]: event name \"Widget\""),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("gen").exists());

    let out = ctlake(dir.path(), &["catalog", "check", "--catalog", "missing"]);
    assert_eq!(out.status.code(), Some(252));
}

#[test]
fn codegen_and_docs_write_then_check() {
    let dir = catalog(SOURCE);
    let run = |args: &[&str]| ctlake(dir.path(), args);

    let out = run(&[
        "catalog",
        "codegen",
        "--catalog",
        ".",
        "--out",
        "gen",
        "--check",
        "--output",
        "text",
    ]);
    assert_eq!(out.status.code(), Some(1), "missing files are stale");
    assert_eq!(stdout(&out), "2\t2\n");
    assert!(
        stderr(&out).contains("2 generated files under gen are stale"),
        "{}",
        stderr(&out)
    );

    let out = run(&[
        "catalog",
        "codegen",
        "--catalog",
        ".",
        "--out",
        "gen",
        "--output",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["files"][1]["path"], "gen/demo.rs");
    assert_eq!(report["files"][1]["status"], "written");
    let code = fs::read_to_string(dir.path().join("gen/demo.rs")).unwrap();
    assert!(code.contains("pub struct WidgetCreated {"), "{code}");

    let out = run(&[
        "catalog",
        "codegen",
        "--catalog",
        ".",
        "--out",
        "gen",
        "--check",
        "--output",
        "text",
    ]);
    assert_eq!(out.status.code(), Some(0));

    // Another width lays the code out differently, so the committed files are stale for it.
    let long = "pub fn into_event_data(self, envelope: ctlake::Envelope) -> Result<ctlake::EventData, ctlake::BuildError> {";
    assert!(!code.contains(long));
    let out = run(&[
        "catalog",
        "codegen",
        "--catalog",
        ".",
        "--out",
        "gen",
        "--max-width",
        "120",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        fs::read_to_string(dir.path().join("gen/demo.rs"))
            .unwrap()
            .contains(long)
    );

    let out = run(&["catalog", "docs", "--catalog", ".", "--output", "table"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("written"), "{}", stdout(&out));
    let page = fs::read_to_string(dir.path().join("demo/README.md")).unwrap();
    assert!(page.contains("## `widget.created`"), "{page}");
    fs::write(dir.path().join("demo/README.md"), "edited\n").unwrap();
    let out = run(&["catalog", "docs", "--catalog", ".", "--check", "--output", "text"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "2\t1\n");
}

#[test]
fn catalog_help_is_stable_and_has_examples() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in [
        ("catalog_help", &["catalog", "--help"][..]),
        ("catalog_check_help", &["catalog", "check", "--help"][..]),
        ("catalog_codegen_help", &["catalog", "codegen", "--help"][..]),
        ("catalog_docs_help", &["catalog", "docs", "--help"][..]),
    ] {
        let out = ctlake(dir.path(), args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let help = stdout(&out);
        if args.len() == 3 {
            assert!(help.contains("Examples:"), "{name}: {help}");
        }
        insta::assert_snapshot!(name, help);
    }
}
