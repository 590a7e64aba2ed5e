//! [`GeneratedFile`]: a file the code or docs generator produces, and comparing it with or writing it to
//! the disk.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// One generated file: its path relative to an output directory, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    path: PathBuf,
    contents: String,
}

/// What writing a generated file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// The file on disk already had the contents.
    Unchanged,
    /// The file was written (it was missing or different).
    Written,
}

impl GeneratedFile {
    /// A file at `path` (relative to the output directory) with `contents`.
    pub fn new(path: impl Into<PathBuf>, contents: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            contents: contents.into(),
        }
    }

    /// The path, relative to the output directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The text.
    pub fn contents(&self) -> &str {
        &self.contents
    }

    /// Whether the file under `dir` exists with these contents (line endings aside, so a checkout with
    /// CRLF line endings is not stale).
    pub fn is_current(&self, dir: &Path) -> bool {
        fs::read_to_string(dir.join(&self.path))
            .is_ok_and(|on_disk| on_disk.replace("\r\n", "\n") == self.contents)
    }

    /// Writes the file under `dir` (creating folders) unless it is current.
    ///
    /// # Errors
    ///
    /// The I/O error of creating a folder or writing the file.
    pub fn write(&self, dir: &Path) -> io::Result<WriteOutcome> {
        if self.is_current(dir) {
            return Ok(WriteOutcome::Unchanged);
        }
        let path = dir.join(&self.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&path, &self.contents)?;
        Ok(WriteOutcome::Written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_creates_folders_and_skips_current_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = GeneratedFile::new("a/b.rs", "fn x() {}\n");
        assert!(!file.is_current(dir.path()));
        assert_eq!(file.write(dir.path()).unwrap(), WriteOutcome::Written);
        assert!(file.is_current(dir.path()));
        assert_eq!(file.write(dir.path()).unwrap(), WriteOutcome::Unchanged);
        fs::write(dir.path().join("a/b.rs"), "fn x() {}\r\n").unwrap();
        assert!(
            file.is_current(dir.path()),
            "CRLF line endings are not a difference"
        );
        fs::write(dir.path().join("a/b.rs"), "fn y() {}\n").unwrap();
        assert!(!file.is_current(dir.path()));
        assert_eq!(file.write(dir.path()).unwrap(), WriteOutcome::Written);
        assert_eq!(
            fs::read_to_string(dir.path().join("a/b.rs")).unwrap(),
            "fn x() {}\n"
        );
    }
}
