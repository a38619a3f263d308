//! Writers: atomic file replacement, streaming GeoJSON, CSV and JSON helpers, and the
//! table writers by format ([`TableFormat`]: GeoJSON, FlatGeobuf, GeoParquet).
//!
//! Every writer here goes through [`write_atomic`]: the output is written to a temporary
//! file in the target's directory, flushed, fsynced and renamed over the target, so a
//! reader never sees a half-written file and a failed write leaves the old file intact.
//!
//! GeoJSON output ([`geojson`](self) module `geojson`) is streamed feature by feature (one
//! feature per line) with a fixed, deterministic coordinate formatting, so a million
//! features need no more memory than one, and the same layer always gives byte-identical
//! files.

mod csv;
mod geojson;
mod table_format;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub use self::csv::{csv_cell, write_csv, write_layer_attributes_csv};
pub use self::geojson::{
    CoordFormat, GeoJsonFeatureWriter, encode_geojson_feature, geojson_crs_name,
    write_geojson_layer, write_geojson_layer_with, write_table_geojson,
};
pub use self::table_format::{TableFormat, parse_table_format, write_table};

/// Buffer size of the writers (large buffers matter for million-feature layers).
const BUFFER_BYTES: usize = 1 << 20;

/// Writes `path` atomically: `write` fills a buffered temporary file in the same directory,
/// which is then flushed, fsynced and renamed over `path`.
///
/// On any error (from `write` or from the file system) the temporary file is removed and
/// an existing file at `path` is left untouched. The new file gets mode 0644 (or the mode
/// of the file it replaces) instead of the temporary file's 0600.
pub fn write_atomic<F>(path: &Path, write: F) -> Result<()>
where
    F: FnOnce(&mut BufWriter<File>) -> Result<()>,
{
    write_atomic_path(path, |temp| {
        let file = File::create(temp).map_err(|e| Error::io(path, e))?;
        let mut writer = BufWriter::with_capacity(BUFFER_BYTES, file);
        write(&mut writer)?;
        // Flushes; the file is closed here, then fsynced and renamed by write_atomic_path.
        writer
            .into_inner()
            .map_err(|e| Error::io(path, e.into_error()))?;
        Ok(())
    })
}

/// [`write_atomic`] for writers that need a file name rather than a stream (SQLite):
/// `write` fills the temporary file at the path it is given (in the same directory as
/// `path`, initially empty) and must have closed it when it returns. The file is then
/// fsynced and renamed over `path`; on any error it is removed and `path` is left untouched.
pub fn write_atomic_path<F>(path: &Path, write: F) -> Result<()>
where
    F: FnOnce(&Path) -> Result<()>,
{
    // A symlink stays a symlink: the file it points to is replaced.
    let resolved = symlink_target(path);
    let path = resolved.as_deref().unwrap_or(path);
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let temp = tempfile::Builder::new()
        .prefix(&crate::io::output_dir::temp_prefix())
        .suffix(crate::io::output_dir::TEMP_SUFFIX)
        .tempfile_in(&dir)
        .map_err(|e| Error::io(path, e))?;
    // Only the path is kept: `TempPath` deletes the file when dropped, i.e. on every early
    // return; the writer opens the file itself.
    let temp_path = temp.into_temp_path();
    write(&temp_path)?;
    let file = File::options()
        .read(true)
        .write(true)
        .open(&temp_path)
        .map_err(|e| Error::io(path, e))?;
    set_final_permissions(&file, path)?;
    file.sync_all().map_err(|e| Error::io(path, e))?;
    drop(file);
    temp_path
        .persist(path)
        .map_err(|e| Error::io(path, e.error))?;
    // Make the rename itself durable; not every platform can fsync a directory.
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The path a symlink points to (relative links resolved against its folder); `None` when
/// `path` is not a symlink.
fn symlink_target(path: &Path) -> Option<PathBuf> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_symlink() {
        return None;
    }
    let link = std::fs::read_link(path).ok()?;
    Some(match path.parent() {
        Some(parent) => parent.join(link),
        None => link,
    })
}

#[cfg(unix)]
fn set_final_permissions(file: &File, path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o7777)
        .unwrap_or(0o644);
    file.set_permissions(std::fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io(path, e))
}

#[cfg(not(unix))]
fn set_final_permissions(_file: &File, _path: &Path) -> Result<()> {
    Ok(())
}

/// Writes any serialisable value as pretty-printed JSON (with a final newline), atomically.
pub fn write_json_pretty<T: serde::Serialize + ?Sized>(path: &Path, value: &T) -> Result<()> {
    write_atomic(path, |w| {
        serde_json::to_writer_pretty(&mut *w, value)
            .map_err(|e| Error::io(path, std::io::Error::other(e)))?;
        w.write_all(b"\n").map_err(|e| Error::io(path, e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_atomic_write_keeps_old_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old").unwrap();
        let err = write_atomic(&path, |w| {
            w.write_all(b"partial").unwrap();
            Err(Error::Usage("boom".into()))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        write_atomic(&path, |w| {
            w.write_all(b"new").map_err(|e| Error::io("x", e))
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }
}
