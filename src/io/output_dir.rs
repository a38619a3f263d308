//! Output folders that are complete or untouched.
//!
//! Each file landpool writes is replaced atomically ([`write_atomic`](crate::io::write)), but
//! a run writes several files, and a run killed between two of them would leave a folder
//! that mixes two runs (a new report.json beside an old results.gpkg). A [`StagedDir`]
//! writes the whole run into a temporary sibling folder and swaps it in at the end: on
//! Linux with one `renameat2(RENAME_EXCHANGE)` (atomic: a reader sees the old folder or the
//! new one, never neither), elsewhere with two renames (a moment without the folder, never
//! a mixed one). A run that fails or is killed leaves the old folder as it was; its staging
//! folder is removed on failure, or by the next run when the process that made it is gone.
//!
//! Because the folder is replaced as a whole, landpool refuses to replace a folder it did
//! not write: the folder must be new, empty, marked with [`MARKER`] (every output folder
//! is), or hold only names landpool writes.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::error::{Error, Result};

/// The file every output folder carries, so that the next run knows it may replace it.
pub const MARKER: &str = ".landpool-output";

/// The names landpool writes into an output folder (for folders written before the
/// marker existed).
const OUTPUT_NAMES: &[&str] = &[
    MARKER,
    "report.json",
    "parcels.csv",
    "parcels.geojson",
    "sites.geojson",
    "results.gpkg",
    "projects",
    "projects.csv",
    "findings.csv",
    "inputs.json",
    "siting.json",
];

/// Temporary names start with this (files of `write_atomic`, staging folders here).
pub(crate) const TEMP_PREFIX: &str = ".landpool-";
/// Temporary names end with this.
pub(crate) const TEMP_SUFFIX: &str = ".tmp";
/// A temporary entry without a process id (written by landpool before 0.2) is stale when
/// it is older than this.
const LEGACY_TEMP_AGE: Duration = Duration::from_secs(3600);

/// The prefix of this process's temporary names: `.landpool-<pid>-`, so that a later run
/// can tell whether the process that made one is still alive.
pub(crate) fn temp_prefix() -> String {
    format!("{TEMP_PREFIX}{}-", std::process::id())
}

/// An output folder being written: files go into [`path`](Self::path); [`commit`](Self::commit)
/// swaps the folder in. Dropped without a commit, the staging folder is removed and the
/// target is left untouched.
#[derive(Debug)]
pub struct StagedDir {
    target: PathBuf,
    staging: Option<tempfile::TempDir>,
}

impl StagedDir {
    /// Starts writing the output folder `dir` (created at commit if missing). Fails, before
    /// anything is written, when `dir` is a file or a folder landpool may not replace.
    pub fn begin(dir: &Path) -> Result<StagedDir> {
        let target = resolve_symlink(dir)?;
        check_replaceable(dir, &target)?;
        let parent = parent_of(&target);
        fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        remove_stale_temporaries(&parent);
        if target.is_dir() {
            remove_stale_temporaries(&target);
        }
        let staging = tempfile::Builder::new()
            .prefix(&temp_prefix())
            .suffix(TEMP_SUFFIX)
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?;
        Ok(StagedDir {
            target,
            staging: Some(staging),
        })
    }

    /// Where the run writes its files.
    pub fn path(&self) -> &Path {
        match &self.staging {
            Some(dir) => dir.path(),
            None => &self.target,
        }
    }

    /// The folder the run replaces (a symlink given by the user is resolved).
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Marks the staged folder and swaps it in for the target.
    pub fn commit(mut self) -> Result<()> {
        let Some(staging) = self.staging.take() else {
            return Ok(());
        };
        let marker = staging.path().join(MARKER);
        fs::write(
            &marker,
            "landpool output folder: the next run into it replaces it as a whole\n",
        )
        .map_err(|e| Error::io(&marker, e))?;
        sync_dir(staging.path());
        let staged = staging.keep();
        let swapped = swap_in(&staged, &self.target);
        if swapped.is_err() {
            let _ = fs::remove_dir_all(&staged);
        }
        swapped?;
        sync_dir(&parent_of(&self.target));
        Ok(())
    }
}

/// Puts the folder `staged` at `target`; a folder there before is removed.
fn swap_in(staged: &Path, target: &Path) -> Result<()> {
    if !target.exists() {
        return fs::rename(staged, target).map_err(|e| Error::io(target, e));
    }
    if exchange(staged, target) {
        // `staged` now holds the old folder.
        let _ = fs::remove_dir_all(staged);
        return Ok(());
    }
    let old = staged.with_extension("old.tmp");
    fs::rename(target, &old).map_err(|e| Error::io(target, e))?;
    if let Err(e) = fs::rename(staged, target) {
        let _ = fs::rename(&old, target);
        return Err(Error::io(target, e));
    }
    let _ = fs::remove_dir_all(&old);
    Ok(())
}

/// Swaps two paths atomically; false where the system or file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).is_ok()
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> bool {
    false
}

/// The folder a symlink points to (the link itself stays); other paths unchanged.
fn resolve_symlink(dir: &Path) -> Result<PathBuf> {
    match fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_symlink() => {
            let link = fs::read_link(dir).map_err(|e| Error::io(dir, e))?;
            Ok(parent_of(dir).join(link))
        }
        _ => Ok(dir.to_path_buf()),
    }
}

/// Refuses a target that is a file, or a folder holding what landpool did not write.
fn check_replaceable(given: &Path, target: &Path) -> Result<()> {
    let meta = match fs::metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(given, e)),
    };
    if !meta.is_dir() {
        return Err(Error::Usage(format!(
            "--out {}: that is an existing file, not a folder; give a folder (it is created \
             if missing) or remove the file",
            given.display()
        )));
    }
    let entries = fs::read_dir(target).map_err(|e| Error::io(given, e))?;
    let mut foreign = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == MARKER {
            return Ok(());
        }
        let temporary = name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX);
        if !temporary && !OUTPUT_NAMES.contains(&name.as_str()) {
            foreign.push(name);
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    Err(Error::Usage(format!(
        "--out {}: the folder holds files landpool did not write ({}{}); landpool replaces \
         its output folder as a whole, so give a new or empty folder, or one it wrote before",
        given.display(),
        foreign
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
        if foreign.len() > 5 { ", …" } else { "" }
    )))
}

/// Removes temporary files and folders left in `dir` by killed runs: those whose process
/// is gone, and those without a process id older than an hour. Errors are ignored (a
/// temporary entry that cannot be removed harms nothing).
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_stale(&name, &entry) {
            let path = entry.path();
            if path.is_dir() {
                let _ = fs::remove_dir_all(&path);
            } else {
                let _ = fs::remove_file(&path);
            }
        }
    }
}

fn is_stale(name: &str, entry: &fs::DirEntry) -> bool {
    let Some(rest) = name
        .strip_prefix(TEMP_PREFIX)
        .filter(|_| name.ends_with(TEMP_SUFFIX))
    else {
        return false;
    };
    let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
    match pid {
        Some(pid) if rest.contains('-') => pid != std::process::id() && !process_alive(pid),
        _ => entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age > LEGACY_TEMP_AGE),
    }
}

/// Whether a process with this id runs (Linux: /proc; elsewhere assumed alive, so that
/// nothing in use is removed).
fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Makes renames in `dir` durable; not every platform can fsync a directory.
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_committed_folder_replaces_the_old_one_as_a_whole() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let first = StagedDir::begin(&out).unwrap();
        fs::write(first.path().join("report.json"), "1").unwrap();
        fs::write(first.path().join("sites.geojson"), "1").unwrap();
        first.commit().unwrap();
        let second = StagedDir::begin(&out).unwrap();
        fs::write(second.path().join("report.json"), "2").unwrap();
        // Not committed yet: the old folder is intact.
        assert_eq!(fs::read_to_string(out.join("report.json")).unwrap(), "1");
        second.commit().unwrap();
        assert_eq!(files(&out), vec![MARKER, "report.json"]);
        assert_eq!(fs::read_to_string(out.join("report.json")).unwrap(), "2");
        assert_eq!(files(root.path()), vec!["out"], "no staging folder left");
    }

    #[test]
    fn a_failed_run_leaves_the_old_folder_and_no_staging_folder() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("report.json"), "old").unwrap();
        {
            let staged = StagedDir::begin(&out).unwrap();
            fs::write(staged.path().join("report.json"), "new").unwrap();
        }
        assert_eq!(fs::read_to_string(out.join("report.json")).unwrap(), "old");
        assert_eq!(files(root.path()), vec!["out"]);
    }

    #[test]
    fn out_naming_a_regular_file_is_a_usage_error_naming_it() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("results");
        fs::write(&file, "x").unwrap();
        let e = StagedDir::begin(&file).unwrap_err();
        assert!(matches!(e, Error::Usage(_)), "{e}");
        assert!(e.to_string().contains("existing file, not a folder"), "{e}");
        assert_eq!(fs::read_to_string(&file).unwrap(), "x");
    }

    #[test]
    fn a_folder_with_foreign_files_is_refused_and_untouched() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("thesis.docx"), "precious").unwrap();
        let e = StagedDir::begin(&out).unwrap_err().to_string();
        assert!(
            e.contains("thesis.docx") && e.contains("did not write"),
            "{e}"
        );
        assert_eq!(files(&out), vec!["thesis.docx"]);
    }

    #[test]
    fn stale_temporaries_of_dead_processes_are_removed_live_ones_kept() {
        let root = tempfile::tempdir().unwrap();
        // pid 4294967 does not exist on Linux (pid_max is at most 4194304).
        let dead = root.path().join(".landpool-4294967-abc.tmp");
        let mine = root.path().join(format!("{}x.tmp", temp_prefix()));
        fs::create_dir(&dead).unwrap();
        fs::write(&mine, "").unwrap();
        let out = root.path().join("out");
        StagedDir::begin(&out).unwrap().commit().unwrap();
        assert!(!dead.exists());
        assert!(mine.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_out_stays_a_symlink_and_its_target_is_replaced() {
        let root = tempfile::tempdir().unwrap();
        let real = root.path().join("real");
        fs::create_dir(&real).unwrap();
        let link = root.path().join("link");
        std::os::unix::fs::symlink("real", &link).unwrap();
        let staged = StagedDir::begin(&link).unwrap();
        fs::write(staged.path().join("report.json"), "n").unwrap();
        staged.commit().unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(real.join("report.json")).unwrap(), "n");
    }
}
