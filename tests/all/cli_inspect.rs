//! `landpool inspect` end to end: runs the binary on real and fixture layers.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value as Json;

const QU: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/shenzhen-districts/local_crs_shp/qu.shp"
);
const DATAV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/shenzhen-districts/datav_gcj02/440300_full.json"
);
const INVALID: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/flanders-geofileops-parcels-zones/polygon-invalid_2100_gbg_filter_epsg31370.geojson"
);
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/io");

fn landpool() -> Command {
    Command::cargo_bin("landpool").unwrap()
}

fn json_of(out: &std::process::Output) -> Json {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn gbk_shapefile_in_local_crs() {
    let out = landpool()
        .args([
            "inspect",
            QU,
            "--encoding",
            "gbk",
            "--crs",
            "local",
            "--id-field",
            "JDNAME",
        ])
        .args(["--features", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j = json_of(&out);
    assert_eq!(j["feature_count"], 10);
    assert_eq!(j["problems"].as_array().unwrap().len(), 0);
    let features = j["features"].as_array().unwrap();
    let mut saw_guangming = false;
    for f in features {
        let area = f["area_m2"].as_f64().unwrap();
        let recorded = f["attributes"]["AREA"].as_f64().unwrap();
        assert!(
            (area - recorded).abs() < 1e-3,
            "{}: {area} vs {recorded}",
            f["ref"]
        );
        if f["key"] == "光明新区" {
            saw_guangming = true;
            assert_eq!(f["attributes"]["JDNAME"], "光明新区");
        }
    }
    assert!(saw_guangming);
    let total = j["total_area_m2"].as_f64().unwrap();
    assert!((total / 1e6 - 1949.04).abs() < 0.01, "{total}");
}

#[test]
fn gbk_shapefile_without_encoding_fails_with_advice() {
    landpool()
        .args(["inspect", QU, "--crs", "local"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--encoding gbk"));
}

#[test]
fn gbk_shapefile_text_report_shows_chinese_names_and_area() {
    landpool()
        .args([
            "inspect",
            QU,
            "--encoding",
            "gbk",
            "--crs",
            "local",
            "--id-field",
            "JDNAME",
        ])
        .arg("--features")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("光明新区"))
        .stdout(predicate::str::contains("area:     1949"))
        .stdout(predicate::str::contains("JDNAME"));
}

/// 光明区 from DataV (GCJ-02) → WGS84 → EPSG:4547: measured 155.92 km².
#[test]
fn datav_gcj02_projected_to_epsg4547() {
    let out = landpool()
        .args([
            "inspect",
            DATAV,
            "--crs",
            "gcj02",
            "--to-crs",
            "EPSG:4547",
            "--id-field",
            "name",
        ])
        .args(["--features", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j = json_of(&out);
    assert_eq!(j["crs"]["epsg"], 4547);
    assert_eq!(j["declared_crs"]["name"], "GCJ02");
    let gm = j["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "光明区")
        .unwrap();
    let km2 = gm["area_m2"].as_f64().unwrap() / 1e6;
    assert!((155.0..157.0).contains(&km2), "{km2}");
}

#[test]
fn geographic_layer_gets_no_area_and_says_why() {
    landpool()
        .args(["inspect", &format!("{FIXTURES}/lonlat.geojson")])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("EPSG:4326"))
        .stdout(predicate::str::contains("area:     not computed"))
        .stdout(predicate::str::contains("--to-crs"));
    let out = landpool()
        .args(["inspect", &format!("{FIXTURES}/lonlat.geojson"), "--json"])
        .output()
        .unwrap();
    let j = json_of(&out);
    assert!(j["total_area_m2"].is_null());
    assert!(
        j["area_not_computed_because"]
            .as_str()
            .unwrap()
            .contains("geographic")
    );
}

#[test]
fn malformed_geojson_reports_line_and_column() {
    landpool()
        .args(["inspect", &format!("{FIXTURES}/malformed.geojson")])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("malformed.geojson:4:46"));
}

#[test]
fn self_intersection_reported_then_repaired() {
    let path = format!("{FIXTURES}/self_intersecting.geojson");
    // Repair is the default (issue 12); --no-repair refuses, naming the feature.
    landpool()
        .args(["inspect", &path, "--id-field", "parcel", "--no-repair"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("#1 (P-002-bowtie)"))
        .stdout(predicate::str::contains("self-intersection"))
        .stderr(predicate::str::contains("#1 (P-002-bowtie)"))
        .stderr(predicate::str::contains("--no-repair"));
    let out = landpool()
        .args([
            "inspect",
            &path,
            "--id-field",
            "parcel",
            "--repair",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j = json_of(&out);
    let repairs = j["repairs"].as_array().unwrap();
    assert_eq!(repairs.len(), 1);
    assert_eq!(repairs[0]["feature"]["key"], "P-002-bowtie");
    // Bowtie: the shoelace area of the crossing ring cancels to 0; the repaired
    // geometry is two triangles of 2,500 m² each.
    assert!(repairs[0]["area_before"].as_f64().unwrap().abs() < 1e-6);
    assert!((repairs[0]["area_after"].as_f64().unwrap() - 5000.0).abs() < 1e-6);
    // Total area after repair: 10,000 + 5,000 m².
    assert!((j["total_area_m2"].as_f64().unwrap() - 15_000.0).abs() < 1e-6);
}

#[test]
fn flanders_invalid_buildings_all_repaired() {
    let out = landpool()
        .args([
            "inspect",
            INVALID,
            "--crs",
            "EPSG:31370",
            "--id-field",
            "OIDN",
            "--repair",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j = json_of(&out);
    assert_eq!(j["feature_count"], 70);
    assert_eq!(j["repairs"].as_array().unwrap().len(), 70);
    assert_eq!(j["unusable"].as_array().unwrap().len(), 0);
    // stats.json: GEOS area_sum of the (invalid) polygons is 31488.502 m².
    let total = j["total_area_m2"].as_f64().unwrap();
    assert!((total - 31_488.502).abs() < 1.0, "{total}");
}

#[test]
fn json_output_is_deterministic() {
    let run = || {
        landpool()
            .args([
                "inspect",
                INVALID,
                "--crs",
                "EPSG:31370",
                "--repair",
                "--json",
            ])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run(), run());
}

#[test]
fn usage_errors_exit_2() {
    landpool()
        .args(["inspect", QU, "--crs", "not-a-crs"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("EPSG:"));
    landpool().args(["inspect"]).assert().code(2);
}

#[test]
fn unsupported_format_exits_1_and_lists_formats() {
    let dir = tempfile::tempdir().unwrap();
    // KML: read through GDAL, so a format this build cannot read without `gdal`.
    let p = dir.path().join("x.kml");
    std::fs::write(&p, b"not really").unwrap();
    let assert = landpool()
        .args(["inspect", p.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("x.kml"));
    if !cfg!(feature = "gdal") {
        assert.stderr(predicate::str::contains("GeoJSON").and(predicate::str::contains("gdal")));
    }
}

#[test]
fn help_has_examples_and_exit_codes() {
    landpool()
        .args(["inspect", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Examples:"))
        .stdout(predicate::str::contains("--crs gcj02 --to-crs EPSG:4547"))
        .stdout(predicate::str::contains("Exit codes:"));
}

/// A layer of a GDAL-written GeoPackage (tests/fixtures/io/README.md): the 40 parcels
/// P0000001–P0000040 of data/sample, whose areas must match the GeoJSON source.
#[test]
fn geopackage_layer_by_name() {
    let gpkg = format!("{FIXTURES}/gdal_layers.gpkg");
    let out = landpool()
        .args([
            "inspect",
            &format!("{gpkg}:parcels"),
            "--id-field",
            "parcel_id",
        ])
        .args(["--features", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j = json_of(&out);
    assert_eq!(j["name"], "parcels");
    assert_eq!(j["feature_count"], 40);
    assert_eq!(j["crs"]["epsg"], 4547);
    assert_eq!(j["problems"].as_array().unwrap().len(), 0);
    let first = &j["features"][0];
    assert_eq!(first["ref"], format!("{gpkg}:parcels#0 (P0000001)"));
    assert_eq!(first["key"], "P0000001");
    assert_eq!(first["attributes"]["tenure_name"], "国有已出让用地");
    assert_eq!(first["attributes"]["grant_date"], "2017-03-10");
    let kinds: Vec<(&str, &str)> = j["schema"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap(), f["kind"].as_str().unwrap()))
        .collect();
    assert!(kinds.contains(&("grant_date", "date")), "{kinds:?}");
    assert!(kinds.contains(&("term_years", "int")), "{kinds:?}");

    let sample = landpool::io::read_layer(
        std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/sample/parcels.geojson"
        )),
        &landpool::io::ReadOptions::default(),
    )
    .unwrap();
    let expected: f64 = sample
        .features
        .iter()
        .filter(|f| {
            sample
                .attr(f, "parcel_id")
                .and_then(|v| v.as_text())
                .is_some_and(|id| id.as_str() < "P0000041")
        })
        .map(|f| geo::Area::unsigned_area(&f.geometry))
        .sum();
    let total = j["total_area_m2"].as_f64().unwrap();
    assert!(
        ((total - expected) / expected).abs() < 1e-9,
        "{total} vs {expected}"
    );
}

#[test]
fn geopackage_without_or_with_a_wrong_layer_lists_the_layers() {
    let gpkg = format!("{FIXTURES}/gdal_layers.gpkg");
    for arg in [gpkg.clone(), format!("{gpkg}:nope")] {
        landpool()
            .args(["inspect", &arg])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "parcels (features, MULTIPOLYGON, 40 rows)",
            ))
            .stderr(predicate::str::contains(
                "district_summary (attributes, 3 rows)",
            ));
    }
    landpool()
        .args(["inspect", &format!("{gpkg}:district_summary")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no geometry column"));
}

#[test]
fn file_named_gpkg_that_is_not_one_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.gpkg");
    std::fs::write(&p, b"not really").unwrap();
    landpool()
        .args(["inspect", p.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("x.gpkg"))
        .stderr(predicate::str::contains("not an SQLite database"));
}
