//! The checkpoint file: objects whose every change reached a final outcome, so a re-run skips them.
//!
//! One JSON object per line, appended and synced as objects complete:
//!
//! ```text
//! {"object":"s3://logs/AWSLogs/…/x.json.gz","version":"9b2cf535f27731c974343645a3985328","records":812,"changes":14,"completed":"2024-05-01T10:00:00Z"}
//! ```
//!
//! An object matches an entry when its name is equal and the versions (S3 ETag, file modification time) are equal
//! or one of them is unknown (CloudTrail's delivery notifications carry no ETag). A rewritten object is read again.
//! A last line cut short by a crash is ignored; any other unreadable line is an error naming the file and line.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::read::{LogObject, ObjectRef};

/// Processed objects, loaded from and appended to a file.
#[derive(Debug)]
pub struct Checkpoint {
    path: PathBuf,
    entries: HashMap<String, Option<String>>,
    file: File,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    object: String,
    version: Option<String>,
    records: usize,
    changes: usize,
    completed: String,
}

/// A checkpoint file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The file cannot be opened, read or written.
    #[error("{}: checkpoint file", path.display())]
    Io {
        /// The checkpoint file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A line (not the last) is not a checkpoint entry.
    #[error("{}:{line}: not a checkpoint entry: {message}", path.display())]
    Corrupt {
        /// The checkpoint file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// The parser's explanation.
        message: String,
    },
}

impl Checkpoint {
    /// Opens (creating it when missing) and loads the checkpoint file at `path`.
    ///
    /// # Errors
    ///
    /// [`CheckpointError`] when the file cannot be opened or a line other than a cut-short last one is invalid.
    pub fn open(path: &Path) -> Result<Self, CheckpointError> {
        let io_error = |source| CheckpointError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut entries = HashMap::new();
        let mut raw = match std::fs::read(path) {
            Ok(raw) => raw,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io_error(e)),
        };
        // A crash while appending leaves a cut-short last line: that object was not recorded. Drop the piece.
        let complete = raw.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let cut_short = complete < raw.len();
        raw.truncate(complete);
        for (i, line) in raw.split(|&b| b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let entry = serde_json::from_slice::<Entry>(line).map_err(|e| CheckpointError::Corrupt {
                path: path.to_path_buf(),
                line: i + 1,
                message: e.to_string(),
            })?;
            entries.insert(entry.object, entry.version);
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(io_error)?;
        if cut_short {
            file.set_len(complete as u64).map_err(io_error)?;
        }
        Ok(Self {
            path: path.to_path_buf(),
            entries,
            file,
        })
    }

    /// The checkpoint file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of objects recorded.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether `object` (this version of it) was processed.
    pub fn contains(&self, object: &LogObject) -> bool {
        match self.entries.get(&key(&object.id)) {
            None => false,
            Some(recorded) => match (recorded, &object.version) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            },
        }
    }

    /// Records `object` as processed (appends a line and syncs it to disk).
    ///
    /// # Errors
    ///
    /// [`CheckpointError::Io`] when the line cannot be written.
    pub fn record(
        &mut self,
        object: &LogObject,
        records: usize,
        changes: usize,
    ) -> Result<(), CheckpointError> {
        let entry = Entry {
            object: key(&object.id),
            version: object.version.clone(),
            records,
            changes,
            completed: ctlake::EventTime::now().to_string(),
        };
        let mut line = serde_json::to_string(&entry).map_err(|e| CheckpointError::Io {
            path: self.path.clone(),
            source: io::Error::other(e),
        })?;
        line.push('\n');
        let io_error = |source| CheckpointError::Io {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(line.as_bytes()).map_err(io_error)?;
        self.file.sync_data().map_err(io_error)?;
        self.entries.insert(entry.object, entry.version);
        Ok(())
    }
}

/// The name an object is recorded under: `s3://bucket/key`, or a file's canonical path (so a re-run from
/// another directory still matches).
fn key(object: &ObjectRef) -> String {
    match object {
        ObjectRef::File(path) => std::fs::canonicalize(path)
            .unwrap_or_else(|_| path.clone())
            .display()
            .to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3(key: &str, version: Option<&str>) -> LogObject {
        LogObject {
            id: ObjectRef::s3("b", key),
            size: None,
            version: version.map(str::to_owned),
        }
    }

    #[test]
    fn records_survive_reopening_and_versions_matter() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint.jsonl");
        let mut checkpoint = Checkpoint::open(&path).unwrap();
        assert!(checkpoint.is_empty());
        checkpoint.record(&s3("a.json.gz", Some("etag1")), 10, 2).unwrap();
        checkpoint.record(&s3("b.json.gz", None), 5, 0).unwrap();
        drop(checkpoint);
        let checkpoint = Checkpoint::open(&path).unwrap();
        assert_eq!(checkpoint.len(), 2);
        assert!(checkpoint.contains(&s3("a.json.gz", Some("etag1"))));
        assert!(checkpoint.contains(&s3("a.json.gz", None)));
        assert!(!checkpoint.contains(&s3("a.json.gz", Some("etag2"))));
        assert!(checkpoint.contains(&s3("b.json.gz", Some("any"))));
        assert!(!checkpoint.contains(&s3("c.json.gz", None)));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(
            r#"{"object":"s3://b/a.json.gz","version":"etag1","records":10,"changes":2,"completed":""#
        ));
    }

    #[test]
    fn files_match_by_canonical_path() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("x.json");
        std::fs::write(&log, "[]").unwrap();
        let mut checkpoint = Checkpoint::open(&dir.path().join("cp")).unwrap();
        checkpoint
            .record(&LogObject::new(ObjectRef::File(log.clone())), 0, 0)
            .unwrap();
        let roundabout = dir.path().join(".").join("x.json");
        assert!(checkpoint.contains(&LogObject::new(ObjectRef::File(roundabout))));
    }

    #[test]
    fn a_cut_short_last_line_is_ignored_other_garbage_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp");
        std::fs::write(
            &path,
            "{\"object\":\"s3://b/a\",\"version\":null,\"records\":1,\"changes\":0,\"completed\":\"x\"}\n{\"object\":\"s3://b/c",
        )
        .unwrap();
        let mut checkpoint = Checkpoint::open(&path).unwrap();
        assert_eq!(checkpoint.len(), 1);
        checkpoint.record(&s3("d", None), 1, 1).unwrap();
        drop(checkpoint);
        // The piece was dropped: the file reopens cleanly, again and again.
        for _ in 0..2 {
            let checkpoint = Checkpoint::open(&path).unwrap();
            assert_eq!(checkpoint.len(), 2);
            assert!(checkpoint.contains(&s3("d", None)) && !checkpoint.contains(&s3("c", None)));
        }

        std::fs::write(&path, "garbage\n{}\n").unwrap();
        let err = Checkpoint::open(&path).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("cp:1: not a checkpoint entry: expected value at line 1 column 1"),
            "{err}"
        );
    }
}
