//! The published journal: the `UID` (the CloudTrail `eventID`) of every change Lake accepted, one per line, next
//! to the checkpoint (`CHECKPOINT.published`).
//!
//! The library's checkpoint records whole objects; an object whose reading was cut short (Ctrl-C, SIGTERM, a
//! kill, a failure) is read again by the next run. Changes of that object that Lake already accepted are in this
//! journal, so the next run completes them without sending them again: a restarted run neither loses nor
//! duplicates a change. An entry is appended (and handed to the operating system) after Lake's answer and before
//! the change's object can be checkpointed. The only window left is a kill between Lake's answer and that
//! append, which can send the few events of that answer a second time.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use crate::exit::{CliError, CliResult};

/// Accepted change `UID`s, loaded from and appended to a file.
#[derive(Debug)]
pub(crate) struct Journal {
    path: PathBuf,
    published: HashSet<String>,
    file: File,
}

impl Journal {
    /// The journal that goes with `checkpoint`.
    pub(crate) fn path_for(checkpoint: &Path) -> PathBuf {
        let mut name = checkpoint.as_os_str().to_owned();
        name.push(".published");
        PathBuf::from(name)
    }

    /// Opens (creating it when missing) and loads the journal; a last line cut short by a crash is dropped.
    ///
    /// # Errors
    /// 255 when the file cannot be read or written.
    pub(crate) fn open(path: &Path) -> CliResult<Self> {
        let fail = |e: io::Error| CliError::other(format!("{}: published journal: {e}", path.display()));
        let mut raw = match std::fs::read(path) {
            Ok(raw) => raw,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(fail(e)),
        };
        let complete = raw.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let cut_short = complete < raw.len();
        raw.truncate(complete);
        let published = String::from_utf8_lossy(&raw)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(fail)?;
        if cut_short {
            file.set_len(complete as u64).map_err(fail)?;
        }
        Ok(Self {
            path: path.to_path_buf(),
            published,
            file,
        })
    }

    /// Whether Lake accepted the change with this `UID` in an earlier run (or this one).
    pub(crate) fn contains(&self, uid: &str) -> bool {
        self.published.contains(uid)
    }

    /// Records an accepted change.
    ///
    /// # Errors
    /// 255 when the file cannot be written.
    pub(crate) fn record(&mut self, uid: &str) -> CliResult<()> {
        if !self.published.insert(uid.to_owned()) {
            return Ok(());
        }
        self.file
            .write_all(format!("{uid}\n").as_bytes())
            .map_err(|e| CliError::other(format!("cannot write {}: {e}", self.path.display())))
    }

    /// Changes recorded.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.published.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_a_reopen_and_a_cut_short_line_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = Journal::path_for(&dir.path().join("cp"));
        assert_eq!(path, dir.path().join("cp.published"));
        let mut journal = Journal::open(&path).unwrap();
        assert!(!journal.contains("a"));
        journal.record("a").unwrap();
        journal.record("b").unwrap();
        journal.record("a").unwrap();
        assert_eq!(journal.len(), 2);
        drop(journal);
        // A crash in the middle of an append.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"c-cut").unwrap();
        drop(f);
        let mut journal = Journal::open(&path).unwrap();
        assert!(journal.contains("a") && journal.contains("b") && !journal.contains("c-cut"));
        journal.record("d").unwrap();
        drop(journal);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a\nb\nd\n");
    }
}
