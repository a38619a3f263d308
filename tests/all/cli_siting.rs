//! `landpool siting` edge cases on copies of worked example A (boundary 400 × 250 m at
//! (490000, 2515000) in EPSG:4547): sites on the boundary edge, at one vertex, across, a
//! 1e-4 m² overshoot, a site in the hole of another; and the bad inputs: a site with an
//! empty or degenerate geometry, overlapping sites.

use std::path::Path;

use serde_json::{Value, json};
use tempfile::TempDir;

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");
const OX: f64 = 490_000.0;
const OY: f64 = 2_515_000.0;

fn example_a() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(MANIFEST).join("tests/fixtures/example_a");
    for entry in std::fs::read_dir(&src).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let path = dir.path().join("project.toml");
    let toml = std::fs::read_to_string(&path).unwrap().replace(
        "\"../../../data/rules/",
        &format!("\"{MANIFEST}/data/rules/"),
    );
    std::fs::write(&path, toml).unwrap();
    dir
}

fn edit_sites(dir: &TempDir, edit: impl FnOnce(&mut Vec<Value>)) {
    let path = dir.path().join("retained_sites.geojson");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(v["features"].as_array_mut().unwrap());
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

/// A ring of corners relative to the example's origin, closed.
fn ring(corners: &[(f64, f64)]) -> Value {
    let mut pts: Vec<Value> = corners
        .iter()
        .map(|(x, y)| json!([OX + x, OY + y]))
        .collect();
    pts.push(pts[0].clone());
    Value::Array(pts)
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Value {
    ring(&[(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
}

fn site(id: &str, rings: Vec<Value>) -> Value {
    json!({
        "type": "Feature",
        "properties": { "site_id": id, "project_id": "EX-A", "use": "residential" },
        "geometry": { "type": "Polygon", "coordinates": rings }
    })
}

fn siting(dir: &TempDir) -> std::process::Output {
    let o = assert_cmd::Command::cargo_bin("landpool")
        .unwrap()
        .args(["siting", "--json"])
        .arg(dir.path().join("project.toml"))
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
    o
}

fn fails_naming(o: &std::process::Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "stderr: {stderr}");
    for n in needles {
        assert!(stderr.contains(n), "stderr lacks {n:?}:\n{stderr}");
    }
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: got {a}, expected {b}");
}

#[test]
fn edge_vertex_across_overshoot_and_hole_placements() {
    let dir = example_a();
    edit_sites(&dir, |sites| {
        // S-OUT-HI becomes a ring (120 × 100) with a 40 × 40 hole holding S-HOLE.
        sites[1]["geometry"]["coordinates"] = json!([
            rect(600.0, 0.0, 720.0, 100.0),
            rect(640.0, 30.0, 680.0, 70.0)
        ]);
        sites.push(site("S-HOLE", vec![rect(640.0, 30.0, 680.0, 70.0)]));
        // On the top edge from inside.
        sites.push(site("S-EDGE", vec![rect(300.0, 200.0, 400.0, 250.0)]));
        // Outside, sharing only the north-east corner.
        sites.push(site("S-VERTEX", vec![rect(400.0, 250.0, 450.0, 300.0)]));
        // 1e-4 m² over the east edge: 1e-4 m wide, 1 m tall.
        sites.push(site("S-OVER", vec![rect(300.0, 100.0, 400.0001, 101.0)]));
        // Across the east edge: 50 × 10 m each side.
        sites.push(site("S-ACROSS", vec![rect(350.0, 150.0, 450.0, 160.0)]));
    });
    let o = siting(&dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    let row = |id: &str| {
        s["sites"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["site_id"] == id)
            .unwrap_or_else(|| panic!("{id}"))
            .clone()
    };
    let num = |r: &Value, k: &str| r[k].as_f64().unwrap();

    let ring_site = row("S-OUT-HI");
    assert_eq!(ring_site["placement"], "outside");
    close(
        num(&ring_site, "area_m2"),
        120.0 * 100.0 - 40.0 * 40.0,
        1e-6,
        "ring area",
    );
    let hole = row("S-HOLE");
    assert_eq!(hole["placement"], "outside");
    close(num(&hole, "area_m2"), 1600.0, 1e-6, "hole site area");

    let edge = row("S-EDGE");
    assert_eq!(edge["placement"], "inside");
    assert_eq!(edge["tolerance_used"], false);
    close(num(&edge, "inside_m2"), 5000.0, 1e-6, "edge site inside");
    close(num(&edge, "outside_m2"), 0.0, 0.0, "edge site outside");

    let vertex = row("S-VERTEX");
    assert_eq!(vertex["placement"], "outside");
    assert_eq!(vertex["tolerance_used"], false);
    close(num(&vertex, "inside_m2"), 0.0, 0.0, "vertex site inside");
    close(
        num(&vertex, "outside_m2"),
        2500.0,
        1e-6,
        "vertex site outside",
    );

    let over = row("S-OVER");
    assert_eq!(over["placement"], "inside");
    assert_eq!(over["tolerance_used"], true);
    close(num(&over, "inside_m2"), 100.0, 1e-6, "overshoot inside");
    assert!(
        s["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "siting_tolerance_used"
                && f["message"].as_str().unwrap().contains("S-OVER"))
    );

    let across = row("S-ACROSS");
    assert_eq!(across["placement"], "straddling");
    close(num(&across, "inside_m2"), 500.0, 1e-6, "across inside");
    close(num(&across, "outside_m2"), 500.0, 1e-6, "across outside");
    let straddle = s["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "site_straddles_boundary")
        .expect("straddling finding");
    assert_eq!(straddle["severity"], "violation");
    assert!(straddle["message"].as_str().unwrap().contains("S-ACROSS"));

    // The inside sites' areas make the fit: S-IN 20,000 + S-EDGE 5,000 + S-OVER 100
    // (its inside part) and nothing of the straddling site, which is not allowed; nor does
    // it take any of the shortfall off-site.
    close(
        s["fit"]["inside_m2"].as_f64().unwrap(),
        20_000.0 + 5_000.0 + 100.0,
        1e-6,
        "fit inside",
    );
    close(
        num(&across, "shortfall_taken_m2"),
        0.0,
        0.0,
        "across off-site",
    );
    let shortfall_disallowed = s["fit"]["shortfall_m2"].as_f64().unwrap();
    assert!(shortfall_disallowed > 500.0, "{shortfall_disallowed}");

    // Allowed, the straddling site's 500 m² inside count in the fit.
    let path = dir.path().join("project.toml");
    let toml = std::fs::read_to_string(&path).unwrap() + "\n[siting]\nallow_straddling = true\n";
    std::fs::write(&path, toml).unwrap();
    let o = siting(&dir);
    assert!(o.status.success());
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    close(
        s["fit"]["inside_m2"].as_f64().unwrap(),
        20_000.0 + 5_000.0 + 100.0 + 500.0,
        1e-6,
        "fit inside, straddling allowed",
    );
    close(
        s["fit"]["shortfall_m2"].as_f64().unwrap(),
        shortfall_disallowed - 500.0,
        1e-6,
        "shortfall, straddling allowed",
    );
    let finding = s["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "site_straddles_boundary")
        .unwrap()
        .clone();
    assert_eq!(finding["severity"], "warning");
}

#[test]
fn empty_or_degenerate_site_geometry_names_the_site() {
    let cases = [
        ("null geometry", json!(null)),
        (
            "empty polygon",
            json!({ "type": "Polygon", "coordinates": [] }),
        ),
        (
            "empty multipolygon",
            json!({ "type": "MultiPolygon", "coordinates": [] }),
        ),
        (
            "collinear ring",
            json!({ "type": "Polygon", "coordinates": [ring(&[(10.0, 10.0), (20.0, 10.0), (30.0, 10.0)])] }),
        ),
    ];
    for (what, geometry) in cases {
        let dir = example_a();
        edit_sites(&dir, |sites| sites[0]["geometry"] = geometry);
        let o = siting(&dir);
        let stderr = String::from_utf8_lossy(&o.stderr).to_string();
        assert_eq!(o.status.code(), Some(1), "{what}: {stderr}");
        for n in [
            "retained_sites.geojson",
            "#0 (S-IN)",
            "empty or has no area",
        ] {
            assert!(stderr.contains(n), "{what}: stderr lacks {n:?}:\n{stderr}");
        }
    }
}

#[test]
fn overlapping_sites_are_an_error_listing_every_pair() {
    let dir = example_a();
    edit_sites(&dir, |sites| {
        // S-OUT-LO moved onto the east 20 m of S-OUT-HI (20 × 100 = 2,000 m²).
        sites[2]["geometry"]["coordinates"] = json!([rect(700.0, 0.0, 920.0, 100.0)]);
        // A new site over the north-east corner of S-IN (10 × 10 = 100 m²).
        sites.push(site("S-X", vec![rect(190.0, 90.0, 210.0, 110.0)]));
    });
    fails_naming(
        &siting(&dir),
        &[
            "retained_sites.geojson",
            "2 pair(s)",
            "S-OUT-HI and S-OUT-LO by 2000.000 m²",
            "S-IN and S-X by 100.000 m²",
        ],
    );
}

#[test]
fn a_project_without_retained_sites_is_a_clear_error() {
    let dir = example_a();
    let path = dir.path().join("project.toml");
    let toml = std::fs::read_to_string(&path)
        .unwrap()
        .replace("retained_sites = \"retained_sites.geojson\"\n", "");
    std::fs::write(&path, toml).unwrap();
    fails_naming(
        &siting(&dir),
        &[
            "project.toml",
            "layers.retained_sites",
            "no retained_sites layer",
        ],
    );
}

#[test]
fn repeated_site_id_is_an_error() {
    let dir = example_a();
    edit_sites(&dir, |sites| {
        sites[2]["properties"]["site_id"] = json!("S-OUT-HI")
    });
    fails_naming(
        &siting(&dir),
        &[
            "retained_sites.geojson",
            "`site_id` must be unique",
            "S-OUT-HI (#1, #2)",
        ],
    );
}
