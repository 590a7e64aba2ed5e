//! The reject file of ingest-changes: one JSON line per record or object that did not become a stored change,
//! `{"object", "record", "uid", "code", "message", "source"}`.
//!
//! * `source: "input"`: a malformed record (`code: MalformedRecord`, `record` = its 0-based index in the object)
//!   or an object that could not be read to the end (`code: UnreadableObject`, the message names the record and,
//!   for broken JSON, the line and column);
//! * `source: "lake"`: a change CloudTrail Lake refused for good (Lake's per-entry code, or `ValidationFailed`
//!   for a change that breaks a documented limit), with the change's `uid` (the CloudTrail `eventID`).

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write as _};
use std::path::Path;

use serde::Serialize;

use crate::exit::{CliError, CliResult};

/// Where a rejection came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Source {
    /// The log input (a record or an object).
    Input,
    /// CloudTrail Lake (or the publisher's validation before sending).
    Lake,
}

/// One line of the reject file.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Rejected<'a> {
    /// The object (`s3://bucket/key`, a path, an SQS message).
    pub(crate) object: &'a str,
    /// The record's 0-based index in the object, when the rejection is about one record.
    pub(crate) record: Option<usize>,
    /// The change's `UID` (the CloudTrail `eventID`), for Lake rejections.
    pub(crate) uid: Option<&'a str>,
    /// The code.
    pub(crate) code: &'a str,
    /// Why.
    pub(crate) message: &'a str,
    /// Where the rejection came from.
    pub(crate) source: Source,
}

/// An open reject file (appended to: rejects of earlier runs stay).
#[derive(Debug)]
pub(crate) struct RejectFile {
    out: BufWriter<File>,
    name: String,
}

impl RejectFile {
    /// Opens `path` for appending, creating it when missing.
    ///
    /// # Errors
    /// 252 when it cannot be opened.
    pub(crate) fn open(path: &Path) -> CliResult<Self> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| CliError::usage(format!("--reject-file {}: {e}", path.display())))?;
        Ok(Self {
            out: BufWriter::new(file),
            name: path.display().to_string(),
        })
    }

    /// Writes one line and flushes it, so the line is there before the change counts as settled.
    ///
    /// # Errors
    /// 255 when the file cannot be written.
    pub(crate) fn write(&mut self, rejected: &Rejected<'_>) -> CliResult<()> {
        let mut json = serde_json::to_string(rejected).map_err(CliError::other)?;
        json.push('\n');
        self.out
            .write_all(json.as_bytes())
            .and_then(|()| self.out.flush())
            .map_err(|e| CliError::other(format!("cannot write {}: {e}", self.name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_name_the_object_record_and_reason_and_are_appended() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rejects.jsonl");
        let mut file = RejectFile::open(&path).unwrap();
        file.write(&Rejected {
            object: "logs/a.json",
            record: Some(3),
            uid: None,
            code: "MalformedRecord",
            message: "eventTime: missing",
            source: Source::Input,
        })
        .unwrap();
        drop(file);
        let mut file = RejectFile::open(&path).unwrap();
        file.write(&Rejected {
            object: "s3://b/k.json.gz",
            record: Some(0),
            uid: Some("e-1"),
            code: "InvalidChecksum",
            message: "bad",
            source: Source::Lake,
        })
        .unwrap();
        let lines: Vec<serde_json::Value> = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            lines,
            [
                serde_json::json!({"object":"logs/a.json","record":3,"uid":null,"code":"MalformedRecord",
                    "message":"eventTime: missing","source":"input"}),
                serde_json::json!({"object":"s3://b/k.json.gz","record":0,"uid":"e-1","code":"InvalidChecksum",
                    "message":"bad","source":"lake"}),
            ]
        );
    }
}
