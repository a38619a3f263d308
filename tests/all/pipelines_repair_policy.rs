//! One repair policy for every command (issue 12): `overlay`, `inspect --repair` and
//! `assess` repair the 70 real self-intersecting Flemish polygons
//! (tests/data/flanders-geofileops-parcels-zones) with the same MakeValid and report the
//! same areas; `--no-repair` refuses them with an error naming the file and the feature.
//! Also the regression for `overlay`, which used to measure invalid rings as they were,
//! silently (a bow tie's signed area cancels to 0).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{Value, json};
use tempfile::TempDir;

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");
const INVALID: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/flanders-geofileops-parcels-zones/polygon-invalid_2100_gbg_filter_epsg31370.geojson"
);
const BOWTIE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/io/self_intersecting.geojson"
);
/// Repair is deterministic; the commands only differ in how they print the figures.
const TOLERANCE_M2: f64 = 1e-6;

fn landpool() -> Command {
    Command::cargo_bin("landpool").unwrap()
}

fn stderr_of(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A rectangle feature around every coordinate of the Flanders file (EPSG:31370).
fn cover(properties: Value) -> Value {
    json!({"type": "Feature", "properties": properties, "geometry": {"type": "Polygon",
        "coordinates": [[[30000.0, 159000.0], [242000.0, 159000.0], [242000.0, 227000.0],
                         [30000.0, 227000.0], [30000.0, 159000.0]]]}})
}

fn write_json(path: &Path, v: &Value) {
    std::fs::write(path, serde_json::to_string(v).unwrap()).unwrap();
}

fn flanders() -> Value {
    serde_json::from_str(&std::fs::read_to_string(INVALID).unwrap()).unwrap()
}

/// OIDN of each feature, by 0-based index.
fn oidns() -> Vec<String> {
    flanders()["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["OIDN"].to_string())
        .collect()
}

/// `overlay` of the Flanders polygons with one zone covering them all: the pieces' areas by
/// OIDN, and the `<stem>.repairs.csv` rows (feature index → area_after).
fn overlay_areas(dir: &TempDir) -> (BTreeMap<String, f64>, BTreeMap<usize, f64>) {
    let target = dir.path().join("cover.geojson");
    write_json(
        &target,
        &json!({"type": "FeatureCollection", "features": [cover(json!({"zone": "all"}))]}),
    );
    let out = dir.path().join("pieces.csv");
    let o = landpool()
        .args(["overlay", "--crs", "EPSG:31370", "--source-id", "OIDN"])
        .arg("--source")
        .arg(INVALID)
        .arg("--target")
        .arg(&target)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = stderr_of(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("repaired 70 invalid feature(s), 0 unusable"),
        "overlay must say what it repaired: {stderr}"
    );
    let mut pieces = BTreeMap::new();
    for r in csv::Reader::from_path(&out).unwrap().records() {
        let r = r.unwrap();
        pieces.insert(r[0].to_string(), r[2].parse::<f64>().unwrap());
    }
    let mut repairs = BTreeMap::new();
    let repairs_csv = dir.path().join("pieces.repairs.csv");
    for r in csv::Reader::from_path(&repairs_csv).unwrap().records() {
        let r = r.unwrap();
        assert_eq!((&r[0], &r[2]), ("source", "repaired"), "{r:?}");
        repairs.insert(feature_index(&r[1]), r[5].parse::<f64>().unwrap());
    }
    (pieces, repairs)
}

/// The index in a feature reference `<source>#<index> (<key>)`.
fn feature_index(reference: &str) -> usize {
    let after = &reference[reference.rfind('#').unwrap() + 1..];
    after.split(' ').next().unwrap().parse().unwrap()
}

/// `inspect --repair --json`: area_after of each repair, by feature index.
fn inspect_areas() -> BTreeMap<usize, f64> {
    let o = landpool()
        .args([
            "inspect",
            INVALID,
            "--crs",
            "EPSG:31370",
            "--id-field",
            "OIDN",
        ])
        .args(["--repair", "--json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr_of(&o));
    let j: Value = serde_json::from_slice(&o.stdout).unwrap();
    repaired_areas(&j["repairs"])
}

fn repaired_areas(repairs: &Value) -> BTreeMap<usize, f64> {
    repairs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let index = r["feature"]["index"].as_u64().unwrap() as usize;
            (index, r["area_after"].as_f64().unwrap())
        })
        .collect()
}

/// A project (worked example A's rules and plan) whose parcels are the Flanders polygons,
/// inside one boundary and one density zone, in EPSG:31370.
fn flanders_project(dir: &TempDir) -> PathBuf {
    let mut parcels = flanders();
    for f in parcels["features"].as_array_mut().unwrap() {
        let oidn = f["properties"]["OIDN"].to_string();
        f["properties"] = json!({"parcel_id": format!("F{oidn}"), "tenure_code": "FNGS",
            "land_use": "commercial", "grant_date": null, "term_years": null,
            "legal_area": null, "major_project": false});
    }
    write_json(&dir.path().join("parcels.geojson"), &parcels);
    let boundary = cover(
        json!({"project_id": "FL-1", "name": "Flanders", "entered_plan_date":
        "2026-03-01", "plan_approved": false, "major_project": false}),
    );
    let zone = cover(json!({"zone_id": "Z3", "density_zone": 3, "metro_500m": false}));
    for (name, feature) in [("boundary", boundary), ("density_zones", zone)] {
        let layer = json!({"type": "FeatureCollection", "features": [feature]});
        write_json(&dir.path().join(format!("{name}.geojson")), &layer);
    }
    let example = Path::new(MANIFEST).join("tests/fixtures/example_a/project.toml");
    let toml = std::fs::read_to_string(example)
        .unwrap()
        .replace(
            "\"../../../data/rules/",
            &format!("\"{MANIFEST}/data/rules/"),
        )
        .replace("id = \"EX-A\"", "id = \"FL-1\"")
        .replace("[layers]", "[input]\ncrs = \"EPSG:31370\"\n\n[layers]");
    let toml: String = toml
        .lines()
        .filter(|l| {
            !["buildings", "retained_sites", "land_prices"]
                .iter()
                .any(|k| l.starts_with(k))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let path = dir.path().join("project.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

fn assess(project: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    landpool()
        .args(["assess", "--quiet"])
        .arg(project)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

/// `assess`: the repairs of the parcels layer (index → area_after) and each parcel's
/// counted area by parcel id.
fn assess_areas(dir: &TempDir) -> (BTreeMap<usize, f64>, BTreeMap<String, f64>) {
    let project = flanders_project(dir);
    let out = dir.path().join("out");
    let o = assess(&project, &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr_of(&o));
    let text = std::fs::read_to_string(out.join("report.json")).unwrap();
    let r: Value = serde_json::from_str(&text).unwrap();
    let parcels = r["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["role"] == "parcels")
        .unwrap();
    let repairs = repaired_areas(&parcels["repairs"]["repaired"]);
    let inside = r["parcels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let id = p["parcel_id"].as_str().unwrap().trim_start_matches('F');
            (id.to_string(), p["area_inside_m2"].as_f64().unwrap())
        })
        .collect();
    (repairs, inside)
}

fn assert_close(what: &str, a: f64, b: f64) {
    assert!((a - b).abs() <= TOLERANCE_M2, "{what}: {a} vs {b}");
}

#[test]
fn overlay_inspect_and_assess_report_the_same_repaired_areas() {
    let dir = tempfile::tempdir().unwrap();
    let (pieces, overlay_repairs) = overlay_areas(&dir);
    let inspect_repairs = inspect_areas();
    let (assess_repairs, assess_inside) = assess_areas(&dir);
    let ids = oidns();
    assert_eq!(overlay_repairs.len(), 70);
    assert_eq!(inspect_repairs.len(), 70);
    assert_eq!(assess_repairs.len(), 70);
    for (index, oidn) in ids.iter().enumerate() {
        let repaired = inspect_repairs[&index];
        let what = |cmd: &str| format!("feature {index} (OIDN {oidn}), {cmd}");
        assert_close(
            &what("overlay repairs.csv"),
            overlay_repairs[&index],
            repaired,
        );
        assert_close(
            &what("assess report.json"),
            assess_repairs[&index],
            repaired,
        );
        // What is measured is the repaired geometry: the overlay piece (the zone covers the
        // polygon) and the parcel's counted area in assess.
        assert_close(&what("overlay piece"), pieces[oidn], repaired);
        assert_close(
            &what("assess area_inside_m2"),
            assess_inside[oidn],
            repaired,
        );
    }
    let total: f64 = pieces.values().sum();
    let repaired_total: f64 = inspect_repairs.values().sum();
    assert_close("total", total, repaired_total);
}

#[test]
fn no_repair_refuses_the_invalid_polygons_in_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("cover.geojson");
    write_json(
        &target,
        &json!({"type": "FeatureCollection", "features": [cover(json!({"zone": "all"}))]}),
    );
    let out = dir.path().join("pieces.csv");
    let overlay = landpool()
        .args([
            "overlay",
            "--crs",
            "EPSG:31370",
            "--source-id",
            "OIDN",
            "--no-repair",
        ])
        .arg("--source")
        .arg(INVALID)
        .arg("--target")
        .arg(&target)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let inspect = landpool()
        .args([
            "inspect",
            INVALID,
            "--crs",
            "EPSG:31370",
            "--id-field",
            "OIDN",
        ])
        .arg("--no-repair")
        .output()
        .unwrap();
    let project = flanders_project(&dir);
    let assessed = assess(&project, &dir.path().join("out"), &["--no-repair"]);
    let oidn = &oidns()[0];
    let first = format!("polygon-invalid_2100_gbg_filter_epsg31370.geojson#0 ({oidn})");
    // The project's parcels are a copy of the file, with parcel_id = F<OIDN>.
    let first_parcel = format!("parcels.geojson#0 (F{oidn})");
    for (cmd, o, feature) in [
        ("overlay", &overlay, &first),
        ("inspect", &inspect, &first),
        ("assess", &assessed, &first_parcel),
    ] {
        let stderr = stderr_of(o);
        assert_eq!(o.status.code(), Some(1), "{cmd}: {stderr}");
        assert!(
            stderr.contains(feature.as_str()),
            "{cmd} must name the feature: {stderr}"
        );
        assert!(stderr.contains("--no-repair"), "{cmd}: {stderr}");
        assert!(stderr.contains("ring self-intersection"), "{cmd}: {stderr}");
    }
    assert!(!out.exists(), "overlay --no-repair wrote {}", out.display());
    assert!(!dir.path().join("out/report.json").exists());
}

/// Regression: `landpool overlay` measured invalid rings as they were, with signed winding
/// and no warning; a bow tie of 5,000 m² counted 0 m². It now repairs, as `assess` does,
/// and lists the repair.
#[test]
fn overlay_of_a_bow_tie_counts_its_repaired_area() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pieces.json");
    let o = landpool()
        .args(["overlay", "--source", BOWTIE, "--target", BOWTIE])
        .args(["--source-id", "parcel", "--target-id", "parcel"])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = stderr_of(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("#1 (P-002-bowtie): area 0.000 → 5000.000"),
        "{stderr}"
    );
    let j: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let bowtie = j["pieces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["source"] == "P-002-bowtie" && p["target"] == "P-002-bowtie")
        .unwrap_or_else(|| panic!("no bow-tie piece: {j}"));
    assert_close("bow tie", bowtie["area"].as_f64().unwrap(), 5000.0);
    let repaired = &j["meta"]["repairs"]["source"]["repaired"];
    assert_eq!(repaired[0]["area_after"], json!(5000.0), "{}", j["meta"]);
    let refused = landpool()
        .args([
            "overlay",
            "--source",
            BOWTIE,
            "--target",
            BOWTIE,
            "--no-repair",
        ])
        .args(["--source-id", "parcel"])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = stderr_of(&refused);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("self_intersecting.geojson"), "{stderr}");
    assert!(stderr.contains("#1 (P-002-bowtie)"), "{stderr}");
}
