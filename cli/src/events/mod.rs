//! Event files: streaming input ([`input`]), the per-record check ([`check`]), and opening FILE or `-`.

pub(crate) mod check;
pub(crate) mod input;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::exit::{CliError, CliResult};

/// Read buffer size: large enough for sequential reads of multi-GB files.
const READ_BUFFER_BYTES: usize = 1 << 20;

/// An opened input.
pub(crate) struct Opened {
    /// The bytes.
    pub(crate) reader: Box<dyn BufRead + Send>,
    /// The size in bytes, for a regular file.
    pub(crate) len: Option<u64>,
    /// How to name the input in messages.
    pub(crate) name: String,
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened")
            .field("len", &self.len)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Loads an event-source catalog directory (`--catalog`).
///
/// # Errors
/// 252 with every problem (file, line, rule) when the catalog is broken or missing.
pub(crate) fn load_catalog(dir: &Path) -> CliResult<ctlake::catalog::Catalog> {
    ctlake::catalog::Catalog::load(dir).map_err(|e| {
        let problems: Vec<String> = e.diagnostics().iter().map(ToString::to_string).collect();
        CliError::usage(format!("--catalog {}: {}", dir.display(), problems.join("\n")))
    })
}

/// Whether `path` means standard input.
pub(crate) fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Opens FILE, or standard input for `-`.
///
/// # Errors
/// 252 when the file cannot be opened.
pub(crate) fn open(path: &Path) -> CliResult<Opened> {
    if is_stdin(path) {
        return Ok(Opened {
            reader: Box::new(BufReader::with_capacity(READ_BUFFER_BYTES, std::io::stdin())),
            len: None,
            name: "<stdin>".to_owned(),
        });
    }
    let file =
        File::open(path).map_err(|e| CliError::usage(format!("cannot open {}: {e}", path.display())))?;
    let len = file
        .metadata()
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len());
    Ok(Opened {
        reader: Box::new(BufReader::with_capacity(READ_BUFFER_BYTES, file)),
        len,
        name: path.display().to_string(),
    })
}
