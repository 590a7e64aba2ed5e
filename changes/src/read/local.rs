//! Local files and folders.

use std::fs::{self, File};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::keys::skip_reason;
use super::{Listing, LogObject, ObjectRef, ReadError, decode};

/// The log files at `path`: the file itself (read whatever its name), or every `.json` / `.json.gz` file in the
/// folder tree, sorted by path, without digest and Insights folders or other services' `AWSLogs` folders.
///
/// Returns the objects to read and the files skipped with the reason.
///
/// # Errors
///
/// [`ReadError::List`] when the path or a folder in it cannot be read.
pub fn list_local(path: &Path) -> Result<Listing, ReadError> {
    let list_error = |source: std::io::Error| ReadError::List {
        location: path.display().to_string(),
        source: Box::new(source),
    };
    let metadata = fs::metadata(path).map_err(list_error)?;
    if metadata.is_file() {
        return Ok(Listing {
            objects: vec![file_object(path.to_path_buf(), &metadata)],
            skipped: Vec::new(),
        });
    }
    let mut files = Vec::new();
    let mut folders = vec![path.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).map_err(list_error)? {
            let entry = entry.map_err(list_error)?;
            let file_type = entry.file_type().map_err(list_error)?;
            if file_type.is_dir() {
                folders.push(entry.path());
            } else if file_type.is_file() || file_type.is_symlink() {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    let mut objects = Vec::new();
    let mut skipped = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(path)
            .unwrap_or(&file)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if let Some(reason) = skip_reason(&relative) {
            skipped.push((ObjectRef::File(file), reason));
            continue;
        }
        let metadata = fs::metadata(&file).map_err(list_error)?;
        objects.push(file_object(file, &metadata));
    }
    Ok(Listing { objects, skipped })
}

fn file_object(path: PathBuf, metadata: &fs::Metadata) -> LogObject {
    let version = metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos().to_string());
    LogObject {
        id: ObjectRef::File(path),
        size: Some(metadata.len()),
        version,
    }
}

/// Opens a local file for [`read_records`](super::read_records), decompressing gzip data.
///
/// # Errors
///
/// [`ReadError::Io`] when the file cannot be opened or its first bytes read.
pub fn open_file(path: &Path) -> Result<Box<dyn BufRead + Send>, ReadError> {
    let io_error = |source| ReadError::Io {
        object: ObjectRef::File(path.to_path_buf()),
        source,
    };
    let file = File::open(path).map_err(io_error)?;
    decode(file).map_err(io_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::ObjectSkip;

    #[test]
    fn folder_listing_filters_and_sorts() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |rel: &str| {
            let path = root.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, b"[]").unwrap();
        };
        write("b.json");
        write("a/z.json.gz");
        write("a/notes.txt");
        write("AWSLogs/123456789012/CloudTrail-Digest/us-east-1/d.json.gz");
        write("AWSLogs/123456789012/CloudTrail/us-east-1/c.json.gz");
        let Listing { objects, skipped } = list_local(root).unwrap();
        let names: Vec<_> = objects
            .iter()
            .map(|o| match &o.id {
                ObjectRef::File(p) => p.strip_prefix(root).unwrap().to_string_lossy().into_owned(),
                other => panic!("{other}"),
            })
            .collect();
        assert_eq!(
            names,
            [
                "AWSLogs/123456789012/CloudTrail/us-east-1/c.json.gz",
                "a/z.json.gz",
                "b.json"
            ]
        );
        assert!(objects.iter().all(|o| o.size == Some(2) && o.version.is_some()));
        let reasons: Vec<_> = skipped.iter().map(|(_, r)| r.clone()).collect();
        assert_eq!(reasons, [ObjectSkip::Digest, ObjectSkip::NotJson]);
    }

    #[test]
    fn a_single_file_is_read_whatever_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        fs::write(&path, b"[]").unwrap();
        let Listing { objects, skipped } = list_local(&path).unwrap();
        assert_eq!(objects.len(), 1);
        assert!(skipped.is_empty());
    }

    #[test]
    fn missing_paths_are_list_errors() {
        let err = list_local(Path::new("/definitely/not/here")).unwrap_err();
        assert_eq!(err.to_string(), "cannot list /definitely/not/here");
        let err = open_file(Path::new("/definitely/not/here.json")).err().unwrap();
        assert!(matches!(err, ReadError::Io { .. }));
    }
}
