//! Streaming tabular output: rows are written as they arrive (json, text, csv) or collected into a table.
//!
//! - json: an array of objects, one per row, keys in column order (a repeated column name gets `_2`, `_3`…),
//!   SQL NULL as `null`;
//! - text: tab-separated values, one row per line, no header; tabs, newlines and backslashes escaped as
//!   `\t`, `\n`, `\\`;
//! - csv: RFC 4180, with a header row;
//! - text, csv and table print SQL NULL as an empty value;
//! - table: one table with a header.

use std::io::{BufWriter, Stdout, Write};

use comfy_table::Table;

use crate::cli::OutputFormat;
use crate::exit::{CliError, CliResult};

/// Writes rows in one format.
#[derive(Debug)]
pub(crate) struct RowWriter {
    format: OutputFormat,
    keys: Vec<String>,
    table: Option<Table>,
    rows: usize,
    out: BufWriter<Stdout>,
    closed: bool,
}

impl RowWriter {
    /// Starts the output with `columns`.
    ///
    /// # Errors
    /// When standard output cannot be written.
    pub(crate) fn new(format: OutputFormat, columns: &[String]) -> CliResult<Self> {
        let mut writer = Self {
            format,
            keys: unique_keys(columns),
            table: None,
            rows: 0,
            out: BufWriter::with_capacity(64 * 1024, std::io::stdout()),
            closed: false,
        };
        match format {
            OutputFormat::Json => writer.write(b"[")?,
            OutputFormat::Csv => {
                let line = csv_line(columns);
                writer.write(line.as_bytes())?;
            }
            OutputFormat::Table => writer.table = Some(super::table::new(columns.iter().cloned())),
            OutputFormat::Text => {}
        }
        Ok(writer)
    }

    /// Writes one row (values in column order, `None` for SQL NULL).
    ///
    /// # Errors
    /// When standard output cannot be written.
    pub(crate) fn row(&mut self, cells: &[Option<String>]) -> CliResult<()> {
        self.rows += 1;
        if self.format == OutputFormat::Json {
            let mut s = String::from(if self.rows == 1 { "\n  {" } else { ",\n  {" });
            for (i, (k, v)) in self.keys.iter().zip(cells).enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                s.push_str(&json_string(k));
                s.push_str(": ");
                match v {
                    Some(v) => s.push_str(&json_string(v)),
                    None => s.push_str("null"),
                }
            }
            s.push('}');
            return self.write(s.as_bytes());
        }
        let values: Vec<String> = cells.iter().map(|v| v.clone().unwrap_or_default()).collect();
        match self.format {
            OutputFormat::Json => Ok(()),
            OutputFormat::Csv => {
                let line = csv_line(&values);
                self.write(line.as_bytes())
            }
            OutputFormat::Text => {
                let mut line = values
                    .iter()
                    .map(|v| tsv_escape(v))
                    .collect::<Vec<_>>()
                    .join("\t");
                line.push('\n');
                self.write(line.as_bytes())
            }
            OutputFormat::Table => {
                if let Some(table) = &mut self.table {
                    table.add_row(values);
                }
                Ok(())
            }
        }
    }

    /// The number of rows written.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// Ends the output.
    ///
    /// # Errors
    /// When standard output cannot be written.
    pub(crate) fn finish(mut self) -> CliResult<()> {
        match self.format {
            OutputFormat::Json => {
                let end: &[u8] = if self.rows == 0 { b"]\n" } else { b"\n]\n" };
                self.write(end)?;
            }
            OutputFormat::Table => {
                if let Some(table) = self.table.take() {
                    let text = format!("{table}\n");
                    self.write(text.as_bytes())?;
                }
            }
            OutputFormat::Csv | OutputFormat::Text => {}
        }
        self.flush()
    }

    fn write(&mut self, bytes: &[u8]) -> CliResult<()> {
        if self.closed {
            return Ok(());
        }
        match self.out.write_all(bytes) {
            Ok(()) => Ok(()),
            Err(e) => self.io_error(e),
        }
    }

    fn flush(&mut self) -> CliResult<()> {
        if self.closed {
            return Ok(());
        }
        match self.out.flush() {
            Ok(()) => Ok(()),
            Err(e) => self.io_error(e),
        }
    }

    fn io_error(&mut self, e: std::io::Error) -> CliResult<()> {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            // The reader went away (`| head`): stop writing, quietly.
            self.closed = true;
            Ok(())
        } else {
            Err(CliError::other(format!("cannot write to standard output: {e}")))
        }
    }
}

/// Column names made unique for JSON object keys.
fn unique_keys(columns: &[String]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::with_capacity(columns.len());
    for c in columns {
        let mut key = c.clone();
        let mut n = 1;
        while keys.contains(&key) {
            n += 1;
            key = format!("{c}_{n}");
        }
        keys.push(key);
    }
    keys
}

fn json_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// One CSV record with its line end (RFC 4180: quote fields holding `,`, `"`, CR or LF; double the quotes).
pub(crate) fn csv_line(values: &[String]) -> String {
    let mut line = String::new();
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        if v.contains([',', '"', '\n', '\r']) {
            line.push('"');
            line.push_str(&v.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(v);
        }
    }
    line.push_str("\r\n");
    line
}

/// A value for tab-separated output.
pub(crate) fn tsv_escape(v: &str) -> String {
    if !v.contains(['\t', '\n', '\r', '\\']) {
        return v.to_owned();
    }
    v.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_what_needs_it() {
        let line = csv_line(&["a".into(), "b,c".into(), "say \"hi\"".into(), "x\ny".into()]);
        assert_eq!(line, "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\"\r\n");
    }

    #[test]
    fn tsv_escapes_separators() {
        assert_eq!(tsv_escape("plain"), "plain");
        assert_eq!(tsv_escape("a\tb\nc\\d"), "a\\tb\\nc\\\\d");
    }

    #[test]
    fn repeated_column_names_get_suffixes() {
        let keys = unique_keys(&["n".into(), "n".into(), "m".into(), "n".into()]);
        assert_eq!(keys, ["n", "n_2", "m", "n_3"]);
    }
}
