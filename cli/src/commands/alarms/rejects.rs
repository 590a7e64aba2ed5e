//! The reject file of `ingest-alarms` and `serve-sns`: one JSON line per event Lake refused for good,
//! `{"delivery", "kind", "id", "code", "message", "eventData"}`, and per message that carries no event
//! because it cannot be read or is not an alarm notification, `{"delivery", "kind": "message", "id", "code",
//! "message", "eventData": null, "body"}`.
//!
//! `delivery` is the SQS message id (`ingest-alarms`) or the SNS `MessageId` (`serve-sns`) that carried the
//! event, `kind` is `alarm`, `change` or `message`, `eventData` the event as it was (or would have been) sent,
//! `body` the message as received. The file is appended to, so runs from cron and restarts of a service keep
//! what earlier ones wrote.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::Path;

use serde::Serialize;
use serde_json::value::RawValue;

use crate::exit::{CliError, CliResult};

/// Reject-file code of a message that cannot be read: not JSON, or a broken SNS envelope or alarm.
pub(crate) const MALFORMED: &str = "MalformedMessage";

/// Reject-file code of a readable message that is neither an alarm notification nor, for `serve-sns`, a
/// CloudTrail log-delivery notification (plain text, say).
pub(crate) const NOT_AN_ALARM: &str = "NotAnAlarm";

/// One refused event.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rejected<'a> {
    /// The delivery that carried it.
    pub(crate) delivery: &'a str,
    /// `alarm` or `change`.
    pub(crate) kind: &'a str,
    /// Its entry id.
    pub(crate) id: &'a str,
    /// The code.
    pub(crate) code: &'a str,
    /// Why.
    pub(crate) message: &'a str,
    /// The `eventData` JSON text.
    pub(crate) event_data: &'a str,
    /// The message as received, for a rejected message (`kind` `message`).
    pub(crate) body: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Line<'a> {
    delivery: &'a str,
    kind: &'a str,
    id: &'a str,
    code: &'a str,
    message: &'a str,
    event_data: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<&'a str>,
}

/// An open reject file; every line is written through at once (a service may be killed at any time).
#[derive(Debug)]
pub(crate) struct RejectFile {
    file: File,
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
            file,
            name: path.display().to_string(),
        })
    }

    /// Appends one line.
    ///
    /// # Errors
    /// 255 when the file cannot be written.
    pub(crate) fn write(&mut self, r: &Rejected<'_>) -> CliResult<()> {
        let line = Line {
            delivery: r.delivery,
            kind: r.kind,
            id: r.id,
            code: r.code,
            message: r.message,
            event_data: serde_json::from_str(r.event_data).ok(),
            body: r.body,
        };
        let mut json = serde_json::to_string(&line).map_err(CliError::other)?;
        json.push('\n');
        self.file
            .write_all(json.as_bytes())
            .map_err(|e| CliError::other(format!("cannot write {}: {e}", self.name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_appended_with_the_event_embedded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rejects.jsonl");
        let line = Rejected {
            delivery: "m-1",
            kind: "alarm",
            id: "id-1",
            code: "InvalidData",
            message: "bad",
            event_data: r#"{"UID":"u"}"#,
            body: None,
        };
        RejectFile::open(&path).unwrap().write(&line).unwrap();
        RejectFile::open(&path)
            .unwrap()
            .write(&Rejected {
                event_data: "not json",
                ..line
            })
            .unwrap();
        RejectFile::open(&path)
            .unwrap()
            .write(&Rejected {
                kind: "message",
                code: "NotAnAlarm",
                event_data: "",
                body: Some("hello"),
                ..line
            })
            .unwrap();
        let lines: Vec<serde_json::Value> = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            lines[0],
            serde_json::json!({"delivery":"m-1","kind":"alarm","id":"id-1","code":"InvalidData",
                               "message":"bad","eventData":{"UID":"u"}})
        );
        assert_eq!(lines[1]["eventData"], serde_json::Value::Null);
        assert!(lines[1].get("body").is_none(), "{}", lines[1]);
        assert_eq!(lines[2]["kind"], "message");
        assert_eq!(lines[2]["eventData"], serde_json::Value::Null);
        assert_eq!(lines[2]["body"], "hello");
    }
}
