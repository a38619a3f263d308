//! District batch: equal to `assess` project by project, deterministic across thread
//! counts, fault-isolated, and loud about overlapping projects.

use std::path::{Path, PathBuf};

use landpool::batch::{BatchOptions, DistrictFile, ProjectStatus, run_batch};
use landpool::project::{ProjectReport, RuleSets, assess_loaded, assess_project, load_layers};
use landpool::report::diff::{DiffOptions, diff_json};
use landpool::synth::{SynthOptions, write_synthetic_district};

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/rules")
}

/// A synthetic district with a district.toml beside it.
fn district(dir: &Path, opts: SynthOptions, extra: &str) -> PathBuf {
    write_synthetic_district(dir, &opts).expect("synth");
    let sample = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample/district.toml"),
    )
    .unwrap();
    let text = sample.replace("\"../rules/", &format!("\"{}/", rules_dir().display()));
    let path = dir.join("district.toml");
    std::fs::write(&path, format!("{extra}\n{text}")).unwrap();
    path
}

/// The parts of a report that must not depend on how the project was run. (The parcel
/// table and the input summaries differ on purpose: a batch project lists the district
/// parcels near it, a lone project every parcel of the layer.)
fn comparable(report: &serde_json::Value) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for key in [
        "project",
        "not_official_values",
        "rule_selection",
        "measurement",
        "computation",
        "siting",
        "findings",
        "warnings",
    ] {
        out.insert(key.into(), report[key].clone());
    }
    serde_json::Value::Object(out)
}

/// 200 projects: each batch result equals the lone-project pipeline run on the whole,
/// unsliced district layers (what `landpool assess` does after reading them), to 1e-9.
/// The batch's report of a project has the figures of the lone run, to 1e-9 relative.
fn assert_same_figures(id: &str, alone: &ProjectReport, batch: &serde_json::Value) {
    let alone = serde_json::to_value(alone).unwrap();
    let changes = diff_json(
        &comparable(&alone),
        &comparable(batch),
        &DiffOptions {
            rel_tol: 1e-9,
            abs_tol: 1e-9,
        },
    );
    assert!(
        changes.is_empty(),
        "{id}: batch differs from assess:\n{}",
        changes
            .iter()
            .take(10)
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn batch_of_200_projects_equals_assess_on_whole_layers() {
    let dir = tempfile::tempdir().unwrap();
    let path = district(
        dir.path(),
        SynthOptions {
            parcels: 20_000,
            projects: 200,
            seed: 17,
            ..SynthOptions::default()
        },
        "",
    );
    let d = DistrictFile::load(&path).unwrap();
    let run = run_batch(&d, &BatchOptions::default()).unwrap();
    assert_eq!(run.projects.len(), 200);
    let base = d.project_file("(district)", None);
    let rules = RuleSets::load(&base).unwrap();
    let layers = load_layers(&base).unwrap();
    for p in &run.projects {
        assert_ne!(p.status, ProjectStatus::Failed, "{:?}", p.error);
        let batch = serde_json::to_value(p.report.as_ref().unwrap()).unwrap();
        let alone = assess_loaded(
            d.project_file(&p.project_id, p.name.clone()),
            layers.clone(),
            &rules,
        )
        .unwrap_or_else(|e| panic!("assess {}: {e}", p.project_id));
        assert_same_figures(&p.project_id, &alone.report, &batch);
    }
}

/// A smaller district through the full `assess` path (reading the files per project).
#[test]
fn batch_equals_assess_project_by_project() {
    let dir = tempfile::tempdir().unwrap();
    let path = district(
        dir.path(),
        SynthOptions {
            parcels: 5000,
            projects: 12,
            seed: 11,
            ..SynthOptions::default()
        },
        "",
    );
    let d = DistrictFile::load(&path).unwrap();
    let run = run_batch(&d, &BatchOptions::default()).unwrap();
    assert_eq!(run.projects.len(), 12);
    let mut kinds = std::collections::BTreeSet::new();
    for p in &run.projects {
        assert_ne!(p.status, ProjectStatus::Failed, "{:?}", p.error);
        let batch = serde_json::to_value(p.report.as_ref().unwrap()).unwrap();
        kinds.insert(batch["computation"]["rules"].as_str().unwrap().to_string());
        let alone = assess_project(d.project_file(&p.project_id, p.name.clone()))
            .unwrap_or_else(|e| panic!("assess {}: {e}", p.project_id));
        assert_same_figures(&p.project_id, &alone.report, &batch);
    }
    // The synthetic district has both kinds of project.
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    // Every district parcel is in the table, and the counted ones carry their project.
    assert_eq!(run.parcels.len(), run.parcels_layer.features.len());
    let in_projects = run
        .parcels
        .iter()
        .filter(|p| !p.project_ids.is_empty())
        .count();
    let inside: usize = run.projects.iter().map(|p| p.inside_parcels.len()).sum();
    assert_eq!(in_projects, inside);
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn outputs_are_byte_identical_for_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let path = district(
        dir.path(),
        SynthOptions {
            parcels: 3000,
            projects: 6,
            seed: 5,
            ..SynthOptions::default()
        },
        "",
    );
    let outs: Vec<PathBuf> = ["1", "2"]
        .iter()
        .map(|t| {
            let out = dir.path().join(format!("out{t}"));
            assert_cmd::Command::cargo_bin("landpool")
                .unwrap()
                .args(["batch", "--quiet", "--threads", t])
                .arg(&path)
                .arg("--out")
                .arg(&out)
                .assert()
                .success();
            out
        })
        .collect();
    let a = files(&outs[0]);
    assert_eq!(a, files(&outs[1]));
    assert!(a.iter().any(|p| p.ends_with("report.json")));
    for f in &a {
        assert_eq!(
            std::fs::read(outs[0].join(f)).unwrap(),
            std::fs::read(outs[1].join(f)).unwrap(),
            "{} differs between --threads 1 and 2",
            f.display()
        );
    }
}

#[test]
fn a_broken_project_fails_alone_and_strict_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = district(
        dir.path(),
        SynthOptions {
            parcels: 3000,
            projects: 4,
            seed: 3,
            ..SynthOptions::default()
        },
        "project_parameters = \"params.csv\"",
    );
    // GM-002 gets a parameter that is not a number.
    std::fs::write(
        dir.path().join("params.csv"),
        "project_id,planned_far\nGM-002,abc\nGM-003,4.0\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = |strict: bool| {
        let mut cmd = assert_cmd::Command::cargo_bin("landpool").unwrap();
        cmd.args(["batch", "--quiet"])
            .arg(&path)
            .arg("--out")
            .arg(&out);
        if strict {
            cmd.arg("--strict");
        }
        cmd.assert()
    };
    run(false).success();
    run(true).code(1);
    let csv = std::fs::read_to_string(out.join("projects.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 4);
    let gm2 = rows.iter().find(|r| r.starts_with("GM-002,")).unwrap();
    assert!(gm2.contains(",failed,"), "{gm2}");
    assert!(gm2.contains("planned_far"), "{gm2}");
    assert!(
        rows.iter()
            .filter(|r| !r.starts_with("GM-002,"))
            .all(|r| !r.contains(",failed,")),
        "{csv}"
    );
    let findings = std::fs::read_to_string(out.join("findings.csv")).unwrap();
    assert!(findings.contains("GM-002,project_failed"), "{findings}");
}

#[test]
fn overlapping_projects_are_a_finding_with_the_shared_parcels() {
    let dir = tempfile::tempdir().unwrap();
    let path = district(
        dir.path(),
        SynthOptions {
            parcels: 3000,
            projects: 3,
            seed: 9,
            overlapping_projects: true,
            ..SynthOptions::default()
        },
        "",
    );
    let d = DistrictFile::load(&path).unwrap();
    let run = run_batch(&d, &BatchOptions::default()).unwrap();
    assert_eq!(run.overlaps.len(), 1, "{:?}", run.overlaps);
    let o = &run.overlaps[0];
    assert_eq!(
        (o.project_a.as_str(), o.project_b.as_str()),
        ("GM-001", "GM-002")
    );
    assert!(o.overlap_m2 > 0.0);
    assert!(!o.parcels_in_both.is_empty());
    let shared = &o.parcels_in_both[0];
    let p = run.parcels.iter().find(|p| &p.parcel_id == shared).unwrap();
    assert_eq!(
        p.project_ids,
        vec!["GM-001".to_string(), "GM-002".to_string()]
    );
}
