//! Results on standard output in the chosen format.
//!
//! A command's result is a [`Report`]: JSON (serde), a table for people, and one tab-separated line of its
//! main values for shell scripts (as the AWS CLI's `text`). Tabular results (query rows, validation errors)
//! stream through [`rows`].

pub(crate) mod rows;
pub(crate) mod table;

use std::io::Write as _;

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::exit::{CliError, CliResult};

/// A result that can be printed in every format but csv.
pub(crate) trait Report: Serialize {
    /// The human form: one or more tables.
    fn table(&self) -> String;
    /// The values scripts read, in a documented order, tab-separated on one line.
    fn text(&self) -> Vec<String>;
}

/// Prints `report` on standard output in `format`.
///
/// # Errors
/// 252 for csv (query results only), 255 when standard output cannot be written.
pub(crate) fn print<R: Report>(format: OutputFormat, command: &str, report: &R) -> CliResult<()> {
    let text = match format {
        OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(report).map_err(CliError::other)?;
            s.push('\n');
            s
        }
        OutputFormat::Table => format!("{}\n", report.table()),
        OutputFormat::Text => format!("{}\n", report.text().join("\t")),
        OutputFormat::Csv => {
            return Err(CliError::usage(format!(
                "--output csv applies to query results; {command} prints json, table or text"
            )));
        }
    };
    write_stdout(text.as_bytes())
}

/// Writes to standard output; a closed pipe (`| head`) is not an error.
pub(crate) fn write_stdout(bytes: &[u8]) -> CliResult<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::other(format!("cannot write to standard output: {e}"))),
    }
}
