//! Issue 15, part 4: constraints, enclaves and contiguity in `landpool batch`: the
//! projects.csv columns, findings.csv and the district.json roll-up, with hand-computed
//! figures (worked example A as a one-project district, tests/data/planning), and on a
//! synthetic district each project's planning section equal to the lone-project pipeline
//! on the whole layers (the constraint layers are dissolved once and sliced per project).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use landpool::batch::{BatchOptions, DistrictFile, ProjectStatus, run_batch};
use landpool::project::{RuleSets, assess_loaded, load_layers};
use landpool::report::diff::{DiffOptions, diff_json};
use landpool::synth::{SynthOptions, write_synthetic_district};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The CSV as rows of cells (no quoted commas in these files).
fn csv(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn example_a_district_columns_findings_and_roll_up() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("batch");
    Command::cargo_bin("landpool")
        .unwrap()
        .arg("batch")
        .arg(root().join("tests/data/planning/district.toml"))
        .arg("--out")
        .arg(&dir)
        .assert()
        .success();
    let rows = csv(&dir.join("projects.csv"));
    assert_eq!(rows.len(), 2, "{rows:?}");
    let cell = |name: &str| {
        let i = rows[0]
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", rows[0]));
        rows[1][i].parse::<f64>().unwrap_or(f64::NAN)
    };
    // The areas of tests/planning_constraints.rs: red line 10,000 m² of the boundary,
    // 12,500 m² outside the urban development boundary, 5,000 in the control line.
    assert_eq!(cell("生态保护红线_m2"), 10_000.0);
    assert_eq!(cell("城镇开发边界_m2"), 12_500.0);
    assert_eq!(cell("基本生态控制线_m2"), 5_000.0);
    assert_eq!(cell("永久基本农田_m2"), 0.0);
    // Three site violations (red line, farmland, outside the UDB), one warning; P4 is the
    // only enclave (a 10,000 m² notch); the counted land is one block.
    assert_eq!(cell("conflict_violations"), 3.0);
    assert_eq!(cell("conflict_warnings"), 1.0);
    assert_eq!(cell("enclaves"), 1.0);
    assert_eq!(cell("enclave_holes"), 0.0);
    assert_eq!(cell("enclaves_m2"), 10_000.0);
    assert_eq!(cell("consolidated_components"), 1.0);
    assert_eq!(cell("largest_component_share"), 1.0);
    let findings = std::fs::read_to_string(dir.join("findings.csv")).unwrap_or_default();
    for code in [
        "site_on_ecological_red_line",
        "site_on_permanent_basic_farmland",
        "site_outside_urban_development_boundary",
        "project_in_ecological_control_line",
        "enclave_notch",
    ] {
        assert!(
            findings.contains(&format!("EX-A,{code},")),
            "{code}: {findings}"
        );
    }
    let text = std::fs::read_to_string(dir.join("district.json")).unwrap_or_default();
    let d: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(d["projects"], 1);
    assert_eq!(d["conflict_violations"], 3);
    assert_eq!(d["projects_with_conflict_violations"], 1);
    assert_eq!(d["constraints"][0]["name"], "生态保护红线");
    assert_eq!(d["constraints"][0]["projects_touching"], 1);
    assert_eq!(d["constraints"][0]["boundary_part_m2"], 10_000.0);
    // 重大项目 lies away from the project.
    assert_eq!(d["constraints"][5]["projects_touching"], 0);
    assert_eq!(d["findings_by_code"]["site_on_ecological_red_line"], 1);
}

/// A rectangle as a GeoJSON feature.
fn rect(x1: f64, y1: f64, x2: f64, y2: f64) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":[[[{x1},{y1}],[{x2},{y1}],[{x2},{y2}],[{x1},{y2}],[{x1},{y1}]]]}}}}"#
    )
}

fn write_layer(path: &Path, features: &[String]) {
    let text = format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4547"}}}},"features":[{}]}}"#,
        features.join(",")
    );
    std::fs::write(path, text).unwrap();
}

/// The extent (min x, min y, max x, max y) of a GeoJSON layer's coordinates.
fn extent(path: &Path) -> [f64; 4] {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut e = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    fn walk(v: &serde_json::Value, e: &mut [f64; 4]) {
        match v.as_array() {
            Some(a) if a.len() >= 2 && a[0].is_f64() && a[1].is_f64() => {
                let (x, y) = (a[0].as_f64().unwrap(), a[1].as_f64().unwrap());
                *e = [e[0].min(x), e[1].min(y), e[2].max(x), e[3].max(y)];
            }
            Some(a) => a.iter().for_each(|c| walk(c, e)),
            None => {}
        }
    }
    for f in v["features"].as_array().unwrap() {
        walk(&f["geometry"]["coordinates"], &mut e);
    }
    e
}

/// A synthetic district with three constraint layers made of bands across its extent, so
/// that many projects straddle them.
fn synthetic_district(dir: &Path) -> PathBuf {
    let opts = SynthOptions {
        parcels: 4000,
        projects: 30,
        seed: 23,
        ..SynthOptions::default()
    };
    write_synthetic_district(dir, &opts).expect("synth");
    let [x0, y0, x1, y1] = extent(&dir.join("projects.geojson"));
    let (w, h) = (x1 - x0, y1 - y0);
    let band = |a: f64, b: f64| rect(x0 + a * w, y0 - 10.0, x0 + b * w, y1 + 10.0);
    write_layer(&dir.join("red.geojson"), &[band(0.1, 0.25), band(0.2, 0.3)]);
    write_layer(
        &dir.join("udb.geojson"),
        &[rect(x0 - 10.0, y0 - 10.0, x1 + 10.0, y0 + 0.6 * h)],
    );
    write_layer(&dir.join("ecl.geojson"), &[band(0.55, 0.7)]);
    let sample = std::fs::read_to_string(root().join("data/sample/district.toml")).unwrap();
    let rules = root().join("data/rules");
    let text = sample.replace("\"../rules/", &format!("\"{}/", rules.display()));
    let constraints = "\n[[constraints]]\nname = \"红线\"\nkind = \"ecological_red_line\"\n\
        layer = \"red.geojson\"\n\n[[constraints]]\nname = \"开发边界\"\n\
        kind = \"urban_development_boundary\"\nlayer = \"udb.geojson\"\n\n[[constraints]]\n\
        name = \"控制线\"\nkind = \"ecological_control_line\"\nlayer = \"ecl.geojson\"\n";
    let path = dir.join("district.toml");
    std::fs::write(&path, format!("{text}{constraints}")).unwrap();
    path
}

#[test]
fn batch_planning_equals_assess_on_whole_layers() {
    let dir = tempfile::tempdir().unwrap();
    let path = synthetic_district(dir.path());
    let d = DistrictFile::load(&path).unwrap();
    let run = run_batch(&d, &BatchOptions::default()).unwrap();
    let base = d.project_file("(district)", None);
    let rules = RuleSets::load(&base).unwrap();
    let layers = load_layers(&base).unwrap();
    let mut touching = [0usize; 3];
    for p in &run.projects {
        assert_ne!(p.status, ProjectStatus::Failed, "{:?}", p.error);
        let report = p.report.as_ref().unwrap();
        let batch = serde_json::to_value(&report.planning).unwrap();
        let alone = assess_loaded(
            d.project_file(&p.project_id, p.name.clone()),
            layers.clone(),
            &rules,
        )
        .unwrap_or_else(|e| panic!("assess {}: {e}", p.project_id));
        let alone = serde_json::to_value(&alone.report.planning).unwrap();
        assert!(!alone.is_null());
        let changes = diff_json(
            &alone,
            &batch,
            &DiffOptions {
                rel_tol: 1e-9,
                abs_tol: 1e-9,
            },
        );
        assert!(
            changes.is_empty(),
            "{}: {:?}",
            p.project_id,
            changes.first()
        );
        let s = p.planning.as_ref().unwrap();
        for (t, c) in touching.iter_mut().zip(&s.constraints) {
            *t += usize::from(c.boundary_part_m2 > 0.01);
        }
    }
    // The bands do reach projects (else the test would prove nothing), and the roll-up
    // counts them.
    let rollup = run.rollup.as_ref().unwrap();
    for (i, t) in touching.iter().enumerate() {
        assert!(*t > 0, "constraint {i} touches no project");
        assert_eq!(rollup.constraints[i].projects_touching, *t);
    }
    let holes: usize = run
        .projects
        .iter()
        .filter_map(|p| p.planning.as_ref())
        .map(|s| s.enclave_holes)
        .sum();
    assert_eq!(rollup.enclave_holes, holes);
    assert_eq!(rollup.projects, 30);
}
