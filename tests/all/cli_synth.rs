//! Runs the `landpool synth` binary.

use assert_cmd::Command;
use predicates::prelude::*;

const FILES: [&str; 7] = [
    "parcels.geojson",
    "buildings.geojson",
    "density_zones.geojson",
    "projects.geojson",
    "retained_sites.geojson",
    "land_prices.geojson",
    "manifest.json",
];

fn synth(out: &std::path::Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    synth_with_threads(out, extra, None)
}

fn synth_with_threads(
    out: &std::path::Path,
    extra: &[&str],
    threads: Option<&str>,
) -> assert_cmd::assert::Assert {
    let mut cmd = Command::cargo_bin("landpool").unwrap();
    if let Some(t) = threads {
        cmd.env("RAYON_NUM_THREADS", t);
    }
    cmd.args(["synth", "--out"])
        .arg(out)
        .args(["--parcels", "3000", "--projects", "1", "--seed", "7"])
        .args(extra)
        .assert()
}

#[test]
fn synth_writes_all_layers_reproducibly_for_any_thread_count() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let out_a = a.path().join("district");
    synth(&out_a, &[])
        .success()
        .stdout(predicate::str::contains("parcels.geojson"))
        .stdout(predicate::str::contains("manifest.json"))
        .stdout(predicate::str::contains("done in"));
    // Same bytes whatever the thread count.
    synth_with_threads(b.path(), &[], Some("1")).success();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_a.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["options"]["seed"], 7);
    let parcels = manifest["layers"][0]["features"].as_u64().unwrap();
    assert!((2800..=3200).contains(&parcels), "{parcels}");
    for f in FILES {
        let x = std::fs::read(out_a.join(f)).unwrap();
        let y = std::fs::read(b.path().join(f)).unwrap();
        assert!(x == y, "{f} differs between two runs");
    }
    // No temporary files are left behind.
    assert_eq!(std::fs::read_dir(&out_a).unwrap().count(), FILES.len());
}

#[test]
fn synth_lists_defects_and_overlap_options() {
    let dir = tempfile::tempdir().unwrap();
    synth(
        dir.path(),
        &[
            "--defects",
            "3",
            "--uncovered-zone-fraction",
            "0.05",
            "--overlapping-projects",
        ],
    )
    .success()
    .stdout(predicate::str::contains("3 deliberate defects"))
    .stdout(predicate::str::contains("bow-tie"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["defects"].as_array().unwrap().len(), 3);
    assert_eq!(manifest["options"]["uncovered_zone_fraction"], 0.05);
}

#[test]
fn synth_help_has_an_example_and_bad_options_exit_2() {
    Command::cargo_bin("landpool")
        .unwrap()
        .args(["synth", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("landpool synth --out data/sample"));
    let dir = tempfile::tempdir().unwrap();
    synth(dir.path(), &["--uncovered-zone-fraction", "1.5"])
        .code(2)
        .stderr(predicate::str::contains("--uncovered-zone-fraction"));
    Command::cargo_bin("landpool")
        .unwrap()
        .args(["synth", "--parcels", "10"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--out"));
}
