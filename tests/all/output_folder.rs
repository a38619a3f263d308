//! The output-folder guarantee (issue 13): a run killed at any moment leaves its `--out`
//! folder entirely old or entirely new, and later runs remove what killed runs left.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin;

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

/// Every file under `dir` (relative path → bytes); temporary files are reported too.
type Snapshot = BTreeMap<String, Vec<u8>>;

fn snapshot(dir: &Path) -> Snapshot {
    fn walk(root: &Path, dir: &Path, out: &mut Snapshot) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = Snapshot::new();
    walk(dir, dir, &mut out);
    out
}

/// The worked example A in `dir`, in two variants that differ in every output and in the
/// set of files: `a.toml` (with retained-land sites) and `b.toml` (without).
fn two_projects(dir: &Path) -> (PathBuf, PathBuf) {
    let src = Path::new(MANIFEST).join("tests/fixtures/example_a");
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
    }
    let rules = format!("\"{MANIFEST}/data/rules/");
    let a = std::fs::read_to_string(dir.join("project.toml"))
        .unwrap()
        .replace("\"../../../data/rules/", &rules);
    let b = a.replace("retained_sites = \"retained_sites.geojson\"\n", "");
    assert_ne!(a, b);
    std::fs::write(dir.join("a.toml"), &a).unwrap();
    std::fs::write(dir.join("b.toml"), &b).unwrap();
    (dir.join("a.toml"), dir.join("b.toml"))
}

fn assess(project: &Path, out: &Path) -> Command {
    let mut c = Command::new(cargo_bin("landpool"));
    c.args(["assess", "--quiet"])
        .arg(project)
        .arg("--out")
        .arg(out);
    c
}

fn run_to_end(mut c: Command) -> Duration {
    let t = Instant::now();
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    t.elapsed()
}

fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".landpool-") && n.ends_with(".tmp"))
        .collect()
}

/// Runs `command(variant, out)` to the end for both variants (references), then kills
/// runs alternating between them `kills` times at moments spread over a whole run; after
/// each kill `out` must be the previous run's or the killed run's, byte for byte.
fn kill_repeatedly(root: &Path, command: &dyn Fn(bool, &Path) -> Command, kills: usize) {
    let (ref_a, took) = {
        let dir = root.join("ref_a");
        let took = run_to_end(command(false, &dir));
        (snapshot(&dir), took)
    };
    let ref_b = {
        let dir = root.join("ref_b");
        run_to_end(command(true, &dir));
        snapshot(&dir)
    };
    assert_ne!(ref_a, ref_b, "the two variants must give different outputs");
    let out = root.join("out");
    run_to_end(command(false, &out));
    let mut current = ref_a.clone();
    let (mut saw_old, mut saw_new) = (0, 0);
    for i in 0..kills {
        let variant_b = i % 2 == 0;
        let expected_new = if variant_b { &ref_b } else { &ref_a };
        let mut child = command(variant_b, &out).spawn().unwrap();
        // Moments from the start to 1.2 runs, so that some kills come after the end.
        std::thread::sleep(took.mul_f64(1.2 * i as f64 / kills as f64));
        let _ = child.kill();
        let _ = child.wait();
        let now = snapshot(&out);
        if now == current {
            saw_old += 1;
        } else if &now == expected_new {
            saw_new += 1;
            current = now;
        } else {
            panic!(
                "kill {i}: the folder is neither the old run nor the new one: {:?}",
                now.keys().collect::<Vec<_>>()
            );
        }
    }
    // On a loaded machine a run may take far longer than the reference run did, so that
    // no kill came after a swap: kill later and later (still checking the guarantee) until
    // one does, so that the test always sees both outcomes.
    let mut delay = took.mul_f64(1.5);
    let mut tries = 0;
    while saw_new == 0 && tries < 12 {
        let variant_b = current == ref_a;
        let expected_new = if variant_b { &ref_b } else { &ref_a };
        let mut child = command(variant_b, &out).spawn().unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let now = snapshot(&out);
        if &now == expected_new {
            saw_new += 1;
            current = now;
        } else {
            assert!(now == current, "late kill {tries}: the folder is a mix");
        }
        delay = delay.mul_f64(2.0);
        tries += 1;
    }
    assert!(saw_old > 0 && saw_new > 0, "old {saw_old}, new {saw_new}");
    // A complete run removes what the killed ones left beside and inside the folder.
    run_to_end(command(false, &out));
    assert_eq!(snapshot(&out), ref_a);
    assert_eq!(temporaries(root), Vec::<String>::new());
    assert_eq!(temporaries(&out), Vec::<String>::new());
}

/// Kills `assess` 30 times at moments spread over a whole run: the folder is never a mix.
#[test]
fn killed_assess_leaves_the_folder_entirely_old_or_entirely_new() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = two_projects(root.path());
    let command = |variant_b: bool, out: &Path| assess(if variant_b { &b } else { &a }, out);
    kill_repeatedly(root.path(), &command, 30);
}

/// Kills `batch` 30 times at moments spread over a whole run: projects.csv, findings.csv
/// and the per-project reports are never from two runs.
#[test]
fn killed_batch_leaves_the_folder_entirely_old_or_entirely_new() {
    let root = tempfile::tempdir().unwrap();
    // The sample district and its rule sets, copied so that relative paths hold.
    for folder in ["sample", "rules"] {
        let (from, to) = (
            Path::new(MANIFEST).join("data").join(folder),
            root.path().join(folder),
        );
        std::fs::create_dir(&to).unwrap();
        for e in std::fs::read_dir(&from).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
    let a = std::fs::read_to_string(root.path().join("sample/district.toml")).unwrap();
    let b = a.replace("retained_sites = ", "# retained_sites = ");
    assert_ne!(a, b);
    let (pa, pb) = (
        root.path().join("sample/a.toml"),
        root.path().join("sample/b.toml"),
    );
    std::fs::write(&pa, a).unwrap();
    std::fs::write(&pb, b).unwrap();
    let command = |variant_b: bool, out: &Path| {
        let mut c = Command::new(cargo_bin("landpool"));
        c.args(["batch", "--quiet", "--threads", "2"])
            .arg(if variant_b { &pb } else { &pa })
            .arg("--out")
            .arg(out);
        c
    };
    kill_repeatedly(root.path(), &command, 30);
}

/// `--out` naming a regular file: a usage error (exit 2) that says what is allowed; the
/// file is untouched.
#[test]
fn out_naming_a_regular_file_says_what_is_allowed() {
    let root = tempfile::tempdir().unwrap();
    let (a, _) = two_projects(root.path());
    let file = root.path().join("results");
    std::fs::write(&file, "mine").unwrap();
    let o = assess(&a, &file).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("existing file, not a folder"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
}

/// A folder holding files landpool did not write is not replaced (it would lose them).
#[test]
fn out_folder_with_foreign_files_is_refused_and_kept() {
    let root = tempfile::tempdir().unwrap();
    let (a, _) = two_projects(root.path());
    let out = root.path().join("mine");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "keep me").unwrap();
    let o = assess(&a, &out).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("notes.txt"), "{stderr}");
    assert_eq!(snapshot(&out).len(), 1);
}

/// An `--out` folder given as a symlink stays a symlink; the folder it points to is replaced.
#[cfg(unix)]
#[test]
fn out_symlink_stays_a_symlink() {
    let root = tempfile::tempdir().unwrap();
    let (a, _) = two_projects(root.path());
    let real = root.path().join("real");
    run_to_end(assess(&a, &real));
    let link = root.path().join("link");
    std::os::unix::fs::symlink("real", &link).unwrap();
    run_to_end(assess(&a, &link));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(real.join("report.json").is_file());
}

/// A `.gpkg` `--out` given as a symlink stays a symlink (the file it points to is replaced).
#[cfg(unix)]
#[test]
fn out_gpkg_symlink_stays_a_symlink() {
    let root = tempfile::tempdir().unwrap();
    let (a, _) = two_projects(root.path());
    let real = root.path().join("real.gpkg");
    run_to_end(assess(&a, &real));
    let link = root.path().join("link.gpkg");
    std::os::unix::fs::symlink("real.gpkg", &link).unwrap();
    let before = std::fs::read(&real).unwrap();
    run_to_end(assess(&a, &link));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&real).unwrap(), before);
}
