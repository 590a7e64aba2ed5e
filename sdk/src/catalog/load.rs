//! Loading a catalog: [`Catalog::load`] reads a directory, [`Catalog::from_files`] takes the texts; both
//! check every rule of the format and report all problems at once.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::error::{CatalogRule, Diagnostic, LoadError};
use super::model::{Catalog, Source};
use super::position::Position;
use super::resolve::{self, FileContext};

/// The name of the file that declares a source, in the source's folder.
pub const SOURCE_FILE: &str = "source.toml";

/// The text of one source's `source.toml`, with the folder it is in (which names the source's Rust module
/// and docs page) and the path diagnostics name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    folder: String,
    path: PathBuf,
    text: String,
}

impl SourceFile {
    /// A source file: its folder name (`klarity`), its path for messages (`event-sources/klarity/source.toml`)
    /// and its text.
    pub fn new(folder: impl Into<String>, path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        Self {
            folder: folder.into(),
            path: path.into(),
            text: text.into(),
        }
    }
}

impl Catalog {
    /// Loads the catalog in `dir`: every direct subfolder holding a `source.toml` is a source (other folders
    /// are ignored). When `dir` itself holds a `source.toml`, the catalog is that one source.
    ///
    /// # Errors
    ///
    /// A [`LoadError`] listing every problem: unreadable files ([`CatalogRule::Io`]), a directory without
    /// sources, and every broken rule of the format, each with its file, line and column.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, LoadError> {
        let dir = dir.as_ref();
        let io = |path: &Path, e: std::io::Error| {
            LoadError::new(vec![Diagnostic::new(
                path,
                None,
                CatalogRule::Io,
                format!("cannot read: {e}"),
            )])
        };
        let single = dir.join(SOURCE_FILE);
        let mut files = Vec::new();
        if single.is_file() {
            let folder = dir
                .canonicalize()
                .ok()
                .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_default();
            let text = fs::read_to_string(&single).map_err(|e| io(&single, e))?;
            files.push(SourceFile::new(folder, single, text));
        } else {
            let mut folders: Vec<(String, PathBuf)> = Vec::new();
            for entry in fs::read_dir(dir).map_err(|e| io(dir, e))? {
                let entry = entry.map_err(|e| io(dir, e))?;
                let path = entry.path().join(SOURCE_FILE);
                if path.is_file() {
                    folders.push((entry.file_name().to_string_lossy().into_owned(), path));
                }
            }
            folders.sort();
            for (folder, path) in folders {
                let text = fs::read_to_string(&path).map_err(|e| io(&path, e))?;
                files.push(SourceFile::new(folder, path, text));
            }
            if files.is_empty() {
                return Err(LoadError::new(vec![Diagnostic::new(
                    dir,
                    None,
                    CatalogRule::NoSources,
                    format!("no source: neither the directory nor a folder in it holds a {SOURCE_FILE}"),
                )]));
            }
        }
        Self::from_files(files)
    }

    /// A catalog from source texts (to embed a catalog with `include_str!`, or to check one in memory).
    /// Sources are ordered by folder name.
    ///
    /// # Errors
    ///
    /// A [`LoadError`] listing every broken rule, as for [`Catalog::load`].
    pub fn from_files(files: impl IntoIterator<Item = SourceFile>) -> Result<Self, LoadError> {
        let mut files: Vec<SourceFile> = files.into_iter().collect();
        files.sort_by(|a, b| a.folder.cmp(&b.folder));
        let mut diagnostics = Vec::new();
        if files.is_empty() {
            diagnostics.push(Diagnostic::new(
                "",
                None,
                CatalogRule::NoSources,
                "no source: the catalog is empty",
            ));
        }
        let mut sources: Vec<Source> = Vec::new();
        let mut modules: HashMap<String, PathBuf> = HashMap::new();
        let mut event_sources: HashMap<String, (PathBuf, Position)> = HashMap::new();
        for file in &files {
            let mut cx = FileContext {
                path: &file.path,
                text: &file.text,
                diagnostics: &mut diagnostics,
            };
            let module = file.folder.replace('-', "_");
            if !is_module_name(&file.folder) {
                cx.diagnostics.push(Diagnostic::new(
                    &file.path,
                    None,
                    CatalogRule::FolderName,
                    format!(
                        "folder {:?} cannot name a Rust module: use lower-case letters, digits, '_' and '-', \
                         starting with a letter",
                        file.folder
                    ),
                ));
            } else if let Some(first) = modules.get(&module) {
                cx.diagnostics.push(Diagnostic::new(
                    &file.path,
                    None,
                    CatalogRule::FolderName,
                    format!(
                        "folder {:?} gives the same Rust module name {module:?} as {}",
                        file.folder,
                        first.display()
                    ),
                ));
            } else {
                modules.insert(module, file.path.clone());
            }
            let Some(source) = resolve::source(&file.folder, &mut cx) else {
                continue;
            };
            let at = source.location.position;
            match event_sources.get(&source.event_source) {
                Some((first, first_at)) => cx.diagnostics.push(Diagnostic::new(
                    &file.path,
                    Some(at),
                    CatalogRule::DuplicateSource,
                    format!(
                        "event source {:?} is already declared by {}:{first_at}",
                        source.event_source,
                        first.display()
                    ),
                )),
                None => {
                    event_sources.insert(source.event_source.clone(), (file.path.clone(), at));
                }
            }
            sources.push(source);
        }
        if diagnostics.is_empty() {
            Ok(Catalog { sources })
        } else {
            Err(LoadError::new(diagnostics))
        }
    }
}

/// Whether a folder name can become a Rust module name (with `-` as `_`).
fn is_module_name(folder: &str) -> bool {
    folder.starts_with(|c: char| c.is_ascii_lowercase())
        && folder
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}
