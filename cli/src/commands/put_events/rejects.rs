//! The reject file: one JSON line per rejected record,
//! `{"line", "index", "id", "code", "message", "source", "record"}`.
//!
//! `source` is `validation` (checked locally, never sent) or `lake` (refused by CloudTrail Lake). `record` is
//! the record as it was in the input: embedded as JSON when it is JSON, as a string otherwise.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write as _};
use std::path::Path;

use serde::Serialize;
use serde_json::value::RawValue;

use crate::exit::{CliError, CliResult};

/// Where a rejection came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Source {
    /// Checked locally, never sent.
    Validation,
    /// Refused by Lake.
    Lake,
}

#[derive(Serialize)]
struct Line<'a> {
    line: u64,
    index: u64,
    id: Option<&'a str>,
    code: &'a str,
    message: &'a str,
    source: Source,
    record: Record<'a>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Record<'a> {
    Json(&'a RawValue),
    Text(std::borrow::Cow<'a, str>),
}

/// One rejected record to write.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rejected<'a> {
    /// 1-based line where the record starts.
    pub(crate) line: u64,
    /// 1-based record number.
    pub(crate) index: u64,
    /// The entry id, when the record got that far.
    pub(crate) id: Option<&'a str>,
    /// The code.
    pub(crate) code: &'a str,
    /// Why.
    pub(crate) message: &'a str,
    /// Where the rejection came from.
    pub(crate) source: Source,
    /// The record's bytes.
    pub(crate) record: &'a [u8],
}

/// An open reject file.
#[derive(Debug)]
pub(crate) struct RejectFile {
    out: BufWriter<File>,
    name: String,
}

impl RejectFile {
    /// Creates (or, when resuming, appends to) the reject file.
    ///
    /// # Errors
    /// 252 when it cannot be opened.
    pub(crate) fn open(path: &Path, append: bool) -> CliResult<Self> {
        let file = if append {
            OpenOptions::new().create(true).append(true).open(path)
        } else {
            File::create(path)
        }
        .map_err(|e| CliError::usage(format!("--reject-file {}: {e}", path.display())))?;
        Ok(Self {
            out: BufWriter::new(file),
            name: path.display().to_string(),
        })
    }

    /// Writes one rejected record.
    ///
    /// # Errors
    /// 255 when the file cannot be written.
    pub(crate) fn write(&mut self, r: &Rejected<'_>) -> CliResult<()> {
        let text = String::from_utf8_lossy(r.record);
        let trimmed = text.trim();
        let raw: Option<&RawValue> = serde_json::from_str(trimmed).ok();
        let record = match raw {
            Some(raw) => Record::Json(raw),
            None => Record::Text(std::borrow::Cow::Borrowed(trimmed)),
        };
        let line = Line {
            line: r.line,
            index: r.index,
            id: r.id,
            code: r.code,
            message: r.message,
            source: r.source,
            record,
        };
        let mut json = serde_json::to_string(&line).map_err(CliError::other)?;
        json.push('\n');
        self.out
            .write_all(json.as_bytes())
            .map_err(|e| CliError::other(format!("cannot write {}: {e}", self.name)))
    }

    /// Flushes to disk (called before the journal records the rejections).
    ///
    /// # Errors
    /// 255 when the file cannot be written.
    pub(crate) fn flush(&mut self) -> CliResult<()> {
        self.out
            .flush()
            .map_err(|e| CliError::other(format!("cannot write {}: {e}", self.name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_embedded_as_json_or_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rejects.jsonl");
        let mut f = RejectFile::open(&path, false).unwrap();
        let base = Rejected {
            line: 3,
            index: 2,
            id: Some("id-1"),
            code: "InvalidData",
            message: "eventData.version: required field is missing",
            source: Source::Validation,
            record: br#"{"a": 1}"#,
        };
        f.write(&base).unwrap();
        f.write(&Rejected {
            record: b"{not json",
            id: None,
            code: "InvalidJson",
            source: Source::Lake,
            ..base
        })
        .unwrap();
        f.flush().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(
            lines[0],
            serde_json::json!({"line":3,"index":2,"id":"id-1","code":"InvalidData",
                "message":"eventData.version: required field is missing","source":"validation","record":{"a":1}})
        );
        assert_eq!(lines[1]["record"], "{not json");
        assert_eq!(lines[1]["id"], serde_json::Value::Null);
        assert_eq!(lines[1]["source"], "lake");
    }
}
