//! `ctlake catalog check|codegen|docs`: an event-source catalog (a directory of `<source>/source.toml`, the
//! format of `event-sources/FORMAT.md`) checked, turned into typed Rust, turned into Markdown docs.
//!
//! The work is the SDK's (`ctlake::catalog`); this module reads the options, writes the files and reports.
//! `codegen` and `docs` with `--check` write nothing and exit 1 when a file is stale, for CI.

use std::fs;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use ctlake::catalog::{
    Catalog, CatalogRule, GeneratedFile, LoadError, SourceStatus, WriteOutcome, codegen, docs,
};
use serde::Serialize;

use crate::context::Context;
use crate::exit::{CliError, CliResult, Outcome};
use crate::output::{self, Report};

/// `ctlake catalog …`.
#[derive(Debug, Subcommand)]
pub(crate) enum CatalogCommand {
    /// Check an event-source catalog: every rule of the format, and every example against CloudTrail Lake's
    /// schema and its own event type.
    ///
    /// Each problem is reported as FILE:LINE:COLUMN with the rule it breaks (event-sources/FORMAT.md lists
    /// them). The exit code is 1 when the catalog has problems.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),

    /// Generate typed Rust for a catalog: mod.rs and one module per source.
    ///
    /// Each event type becomes a struct whose required fields are the arguments of `new` (leaving one out does
    /// not compile) and which converts into a ctlake::EventData with eventSource, eventName and version from
    /// the catalog. The code uses the crates ctlake and serde_json, and is laid out as rustfmt lays it out
    /// for --max-width, so it passes `cargo fmt --check` as written. Files that are already current are not
    /// touched.
    #[command(after_help = CODEGEN_EXAMPLES)]
    Codegen(CodegenArgs),

    /// Generate the Markdown docs of a catalog: one README.md per source folder and an index.
    ///
    /// Each page lists the source's event types, their fields (type, required, description) and their
    /// examples as eventData JSON.
    #[command(after_help = DOCS_EXAMPLES)]
    Docs(DocsArgs),
}

/// The catalog directory option shared by every `catalog` command.
#[derive(Debug, Clone, Args)]
pub(crate) struct CatalogDir {
    /// The catalog: a directory whose subfolders hold a source.toml each (or one source's folder).
    #[arg(long, value_name = "DIR", default_value = "event-sources")]
    pub(crate) catalog: PathBuf,
}

/// `ctlake catalog check`.
#[derive(Debug, Clone, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub(crate) dir: CatalogDir,
}

/// `ctlake catalog codegen`.
#[derive(Debug, Clone, Args)]
pub(crate) struct CodegenArgs {
    #[command(flatten)]
    pub(crate) dir: CatalogDir,

    /// The directory to write mod.rs and the source modules into (for example a crate's src/generated).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,

    /// The rustfmt max_width the code is laid out for. Default: max_width of the rustfmt.toml (or
    /// .rustfmt.toml) nearest to --out, else rustfmt's default, 100.
    #[arg(long, value_name = "COLUMNS", value_parser = clap::value_parser!(u16).range(40..=1000))]
    pub(crate) max_width: Option<u16>,

    /// Write nothing; exit 1 when a file is missing or differs (for CI).
    #[arg(long)]
    pub(crate) check: bool,
}

/// `ctlake catalog docs`.
#[derive(Debug, Clone, Args)]
pub(crate) struct DocsArgs {
    #[command(flatten)]
    pub(crate) dir: CatalogDir,

    /// The directory to write the pages into (each source's page in its folder). Default: the catalog
    /// directory, next to the source.toml files.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,

    /// Write nothing; exit 1 when a page is missing or differs (for CI).
    #[arg(long)]
    pub(crate) check: bool,
}

const CHECK_EXAMPLES: &str = "\
Examples:
  ctlake catalog check
  ctlake catalog check --catalog my-sources/ --output table";

const CODEGEN_EXAMPLES: &str = "\
Examples:
  ctlake catalog codegen --catalog event-sources --out event-sources/src/generated
  ctlake catalog codegen --catalog my-sources --out src/events --max-width 120
  ctlake catalog codegen --catalog event-sources --out event-sources/src/generated --check";

const DOCS_EXAMPLES: &str = "\
Examples:
  ctlake catalog docs --catalog event-sources
  ctlake catalog docs --catalog my-sources --out docs/event-sources --check";

/// Runs a `catalog` command.
pub(crate) async fn run(command: CatalogCommand, ctx: &Context) -> CliResult {
    match command {
        CatalogCommand::Check(args) => {
            let report = check(&args.dir.catalog)?;
            output::print(ctx.output, "catalog check", &report)?;
            Ok(if report.valid {
                Outcome::Success
            } else {
                Outcome::Partial
            })
        }
        CatalogCommand::Codegen(args) => {
            let catalog = load(&args.dir.catalog)?;
            let max_width = match args.max_width {
                Some(width) => usize::from(width),
                None => rustfmt_max_width(&args.out).unwrap_or(100),
            };
            ctx.ui.note(format!(
                "laying out the code for rustfmt's max_width = {max_width}"
            ));
            let files = codegen::files(&catalog, &codegen::Options::new().max_width(max_width));
            finish(ctx, "catalog codegen", &args.out, &files, args.check)
        }
        CatalogCommand::Docs(args) => {
            let catalog = load(&args.dir.catalog)?;
            let out = args.out.unwrap_or_else(|| args.dir.catalog.clone());
            finish(ctx, "catalog docs", &out, &docs::files(&catalog), args.check)
        }
    }
}

/// Loads a catalog for generating: any problem stops the command (252, with every problem listed).
fn load(dir: &Path) -> CliResult<Catalog> {
    Catalog::load(dir).map_err(|e| CliError::usage(format!("{}: {e}", dir.display())))
}

/// Writes (or with `check` compares) the files and reports them.
fn finish(ctx: &Context, command: &str, out: &Path, files: &[GeneratedFile], check: bool) -> CliResult {
    let report = generate(out, files, check)
        .map_err(|e| CliError::other(format!("cannot write into {}: {e}", out.display())))?;
    let stale = report
        .files
        .iter()
        .filter(|f| f.status == FileStatus::Stale)
        .count();
    if stale > 0 {
        ctx.ui.warn(format!(
            "{stale} generated file{} under {} {} stale; run `ctlake {command}` without --check and commit the result",
            if stale == 1 { "" } else { "s" },
            out.display(),
            if stale == 1 { "is" } else { "are" },
        ));
    }
    output::print(ctx.output, command, &report)?;
    Ok(if stale == 0 {
        Outcome::Success
    } else {
        Outcome::Partial
    })
}

/// What happened to one generated file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum FileStatus {
    /// Written: it was missing or different.
    Written,
    /// Already current, not touched.
    Unchanged,
    /// `--check`: current.
    Current,
    /// `--check`: missing or different.
    Stale,
}

impl FileStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Written => "written",
            Self::Unchanged => "unchanged",
            Self::Current => "current",
            Self::Stale => "stale",
        }
    }
}

/// One generated file in the report.
#[derive(Debug, Serialize)]
struct FileReport {
    path: String,
    status: FileStatus,
}

/// The result of `codegen` or `docs`.
#[derive(Debug, Serialize)]
struct GenerateReport {
    out: String,
    check: bool,
    files: Vec<FileReport>,
}

impl Report for GenerateReport {
    fn table(&self) -> String {
        let mut table = output::table::new(["File", "Status"]);
        for file in &self.files {
            table.add_row([file.path.clone(), file.status.as_str().to_owned()]);
        }
        table.to_string()
    }

    /// Number of files, then how many were written (or, with --check, are stale).
    fn text(&self) -> Vec<String> {
        let changed = self
            .files
            .iter()
            .filter(|f| matches!(f.status, FileStatus::Written | FileStatus::Stale))
            .count();
        vec![self.files.len().to_string(), changed.to_string()]
    }
}

/// Writes every file under `out` that is not current (or, with `check`, only compares).
fn generate(out: &Path, files: &[GeneratedFile], check: bool) -> std::io::Result<GenerateReport> {
    let mut report = GenerateReport {
        out: out.display().to_string(),
        check,
        files: Vec::new(),
    };
    for file in files {
        let status = match (check, file.is_current(out)) {
            (true, true) => FileStatus::Current,
            (true, false) => FileStatus::Stale,
            (false, _) => match file.write(out)? {
                WriteOutcome::Written => FileStatus::Written,
                WriteOutcome::Unchanged => FileStatus::Unchanged,
            },
        };
        report.files.push(FileReport {
            path: out.join(file.path()).display().to_string(),
            status,
        });
    }
    Ok(report)
}

/// One problem of a catalog.
#[derive(Debug, Serialize)]
struct ProblemReport {
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    rule: &'static str,
    message: String,
}

/// One source of a valid catalog.
#[derive(Debug, Serialize)]
struct SourceReport {
    event_source: String,
    folder: String,
    product: String,
    status: &'static str,
    event_types: usize,
}

/// The result of `catalog check`.
#[derive(Debug, Serialize)]
struct CheckReport {
    catalog: String,
    valid: bool,
    sources: Vec<SourceReport>,
    problems: Vec<ProblemReport>,
}

impl Report for CheckReport {
    fn table(&self) -> String {
        if self.valid {
            let mut table = output::table::new(["eventSource", "Folder", "Product", "Event types"]);
            for s in &self.sources {
                let types = match s.status {
                    "reserved" => "reserved, none yet".to_owned(),
                    _ => s.event_types.to_string(),
                };
                table.add_row([s.event_source.clone(), s.folder.clone(), s.product.clone(), types]);
            }
            table.to_string()
        } else {
            let mut table = output::table::new(["Where", "Rule", "Problem"]);
            for p in &self.problems {
                let place = match (p.line, p.column) {
                    (Some(line), Some(column)) => format!("{}:{line}:{column}", p.file),
                    _ => p.file.clone(),
                };
                table.add_row([place, p.rule.to_owned(), p.message.clone()]);
            }
            table.to_string()
        }
    }

    /// `valid` or `invalid`, then the number of sources and of problems.
    fn text(&self) -> Vec<String> {
        vec![
            if self.valid { "valid" } else { "invalid" }.to_owned(),
            self.sources.len().to_string(),
            self.problems.len().to_string(),
        ]
    }
}

/// Loads the catalog and reports its sources or its problems. A directory that cannot be read, or holds no
/// source, is a usage error (252) rather than a report.
fn check(dir: &Path) -> CliResult<CheckReport> {
    let mut report = CheckReport {
        catalog: dir.display().to_string(),
        valid: true,
        sources: Vec::new(),
        problems: Vec::new(),
    };
    match Catalog::load(dir) {
        Ok(catalog) => {
            report.sources = catalog
                .sources()
                .iter()
                .map(|s| SourceReport {
                    event_source: s.event_source().to_owned(),
                    folder: s.folder().to_owned(),
                    product: s.product().to_owned(),
                    status: match s.status() {
                        SourceStatus::Reserved => "reserved",
                        _ => "active",
                    },
                    event_types: s.events().len(),
                })
                .collect();
        }
        Err(e) if unreadable(&e) => {
            return Err(CliError::usage(format!("{}: {e}", dir.display())));
        }
        Err(e) => {
            report.valid = false;
            report.problems = e
                .diagnostics()
                .iter()
                .map(|d| ProblemReport {
                    file: d.file().display().to_string(),
                    line: d.position().map(|p| p.line),
                    column: d.position().map(|p| p.column),
                    rule: d.rule().code(),
                    message: d.message().to_owned(),
                })
                .collect();
        }
    }
    Ok(report)
}

/// Whether loading failed because there is nothing to read, rather than because of what was read.
fn unreadable(e: &LoadError) -> bool {
    e.diagnostics()
        .iter()
        .all(|d| matches!(d.rule(), CatalogRule::Io | CatalogRule::NoSources))
}

/// `max_width` of the rustfmt configuration that applies to `dir`: the nearest `rustfmt.toml` or
/// `.rustfmt.toml` in `dir` (or, when it does not exist yet, its nearest existing ancestor) and above.
fn rustfmt_max_width(dir: &Path) -> Option<usize> {
    let start = dir
        .canonicalize()
        .ok()
        .or_else(|| dir.ancestors().skip(1).find_map(|a| a.canonicalize().ok()))?;
    for folder in start.ancestors() {
        for name in ["rustfmt.toml", ".rustfmt.toml"] {
            if let Ok(text) = fs::read_to_string(folder.join(name)) {
                // The nearest file decides, whether or not it sets max_width.
                return text
                    .lines()
                    .filter_map(|line| line.split_once('='))
                    .find(|(key, _)| key.trim() == "max_width")
                    .and_then(|(_, value)| value.split('#').next()?.trim().parse().ok());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "[source]\nevent_source = \"com.example.demo\"\nproduct = \"Demo\"\nowner = \"Example\"\n\
                          description = \"A demo.\"\n\n[[event]]\nname = \"widget.created\"\nversion = \"v1\"\n\
                          description = \"Created.\"\nrequest_parameters = [{ name = \"widgetId\", type = \
                          \"string\", required = true, description = \"Its ID.\" }]\n\n[[event.example]]\n\
                          request_parameters = { widgetId = \"w-1\" }\n";

    fn catalog_dir(text: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("demo")).unwrap();
        fs::write(dir.path().join("demo/source.toml"), text).unwrap();
        dir
    }

    #[test]
    fn check_lists_the_sources_of_a_valid_catalog() {
        let dir = catalog_dir(SOURCE);
        let report = check(dir.path()).unwrap();
        assert!(report.valid);
        assert_eq!(report.sources.len(), 1);
        assert_eq!(report.sources[0].event_source, "com.example.demo");
        assert_eq!(report.sources[0].event_types, 1);
        assert_eq!(report.text(), ["valid", "1", "0"]);
        assert!(report.table().contains("com.example.demo"));
    }

    #[test]
    fn check_reports_each_problem_with_its_place_and_rule() {
        let dir = catalog_dir(&SOURCE.replace("widget.created", "Widget"));
        let report = check(dir.path()).unwrap();
        assert!(!report.valid);
        let p = &report.problems[0];
        assert_eq!((p.line, p.column, p.rule), (Some(8), Some(8), "event-name"));
        assert_eq!(p.file, dir.path().join("demo/source.toml").display().to_string());
        assert!(
            p.message
                .starts_with("event name \"Widget\" is not `resource.verb`"),
            "{}",
            p.message
        );
        assert_eq!(report.text(), ["invalid", "0", "1"]);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["problems"][0]["rule"], "event-name");
        assert_eq!(json["problems"][0]["line"], 8);
    }

    #[test]
    fn an_unreadable_catalog_is_a_usage_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = check(&dir.path().join("missing")).unwrap_err();
        assert_eq!(err.code(), 252);
        let err = check(dir.path()).unwrap_err();
        assert_eq!(err.code(), 252);
        assert!(err.to_string().contains("no-sources"), "{err}");
    }

    #[test]
    fn generate_writes_then_leaves_current_files_and_check_finds_stale_ones() {
        let dir = catalog_dir(SOURCE);
        let catalog = Catalog::load(dir.path()).unwrap();
        let out = dir.path().join("generated");
        let files = codegen::files(&catalog, &codegen::Options::new());

        let report = generate(&out, &files, true).unwrap();
        assert!(report.files.iter().all(|f| f.status == FileStatus::Stale));
        assert!(!out.exists(), "--check writes nothing");

        let report = generate(&out, &files, false).unwrap();
        assert!(report.files.iter().all(|f| f.status == FileStatus::Written));
        assert_eq!(
            fs::read_to_string(out.join("demo.rs")).unwrap(),
            files[1].contents()
        );
        assert_eq!(report.text(), ["2", "2"]);

        let report = generate(&out, &files, false).unwrap();
        assert!(report.files.iter().all(|f| f.status == FileStatus::Unchanged));
        let report = generate(&out, &files, true).unwrap();
        assert!(report.files.iter().all(|f| f.status == FileStatus::Current));

        fs::write(out.join("mod.rs"), "// edited\n").unwrap();
        let report = generate(&out, &files, true).unwrap();
        let stale: Vec<_> = report
            .files
            .iter()
            .filter(|f| f.status == FileStatus::Stale)
            .collect();
        assert_eq!(stale.len(), 1);
        assert!(stale[0].path.ends_with("mod.rs"));
        assert_eq!(report.text(), ["2", "1"]);
    }

    #[test]
    fn max_width_comes_from_the_nearest_rustfmt_config() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("crate/src/generated");
        assert_eq!(rustfmt_max_width(&nested), None);
        fs::write(dir.path().join("rustfmt.toml"), "max_width = 110\n").unwrap();
        // The output folder does not exist yet: its nearest existing ancestor decides.
        assert_eq!(rustfmt_max_width(&nested), Some(110));
        fs::create_dir_all(&nested).unwrap();
        fs::write(dir.path().join("crate/.rustfmt.toml"), "edition = \"2024\"\n").unwrap();
        assert_eq!(rustfmt_max_width(&nested), None, "the nearest file decides");
        fs::write(dir.path().join("crate/.rustfmt.toml"), "max_width = 90\n").unwrap();
        assert_eq!(rustfmt_max_width(&nested), Some(90));
    }
}
