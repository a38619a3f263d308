//! `landpool assess` with GeoPackage in and out, in the default (pure-Rust) build: a project
//! whose layers all live in one GeoPackage gives the same figures as the GeoJSON sample, and
//! the results GeoPackage holds every parcel and site with its status, the summary and the
//! unofficial values — byte-identical from run to run.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin;
use common::read;
use landpool::io::gpkg::{list_layers, read_gpkg, write_gpkg};
use landpool::io::table::OutputTable;
use landpool::io::{ReadOptions, read_layer};

const LAYERS: &[&str] = &[
    "parcels",
    "projects",
    "density_zones",
    "buildings",
    "retained_sites",
    "land_prices",
];

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/sample")
        .join(name)
}

/// All six sample layers in one GeoPackage, and a copy of the sample project file that
/// reads them from it (`district.gpkg:parcels`, ...).
fn gpkg_project(dir: &Path) -> PathBuf {
    gpkg_copy(dir, "project.toml")
}

/// All six sample layers in `dir/district.gpkg`, and a copy of the sample's `file` (project
/// or district file) reading them from it.
fn gpkg_copy(dir: &Path, file: &str) -> PathBuf {
    let layers: Vec<landpool::Layer> = LAYERS
        .iter()
        .map(|name| read(&sample(&format!("{name}.geojson"))))
        .collect();
    let tables: Vec<OutputTable> = layers.iter().map(OutputTable::from_layer).collect();
    write_gpkg(&dir.join("district.gpkg"), &tables).unwrap();

    let text = std::fs::read_to_string(sample(file)).unwrap();
    let rules = sample("").join("../rules");
    let mut out = String::new();
    for line in text.lines() {
        let mut line = line.to_string();
        for name in LAYERS {
            line = line.replace(
                &format!("\"{name}.geojson\""),
                &format!("\"district.gpkg:{name}\""),
            );
        }
        line = line.replace("\"../rules/", &format!("\"{}/", rules.display()));
        out.push_str(&line);
        out.push('\n');
    }
    assert!(out.contains("parcels = \"district.gpkg:parcels\""));
    let path = dir.join(file);
    std::fs::write(&path, out).unwrap();
    path
}

fn assess(project: &Path, out: &Path) {
    let status = Command::new(cargo_bin("landpool"))
        .args(["assess", "--quiet"])
        .arg(project)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

fn report(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

#[test]
fn project_with_all_layers_in_one_geopackage_gives_the_sample_figures() {
    let dir = tempfile::tempdir().unwrap();
    let project = gpkg_project(dir.path());
    let from_gpkg = dir.path().join("from_gpkg");
    let from_geojson = dir.path().join("from_geojson");
    assess(&project, &from_gpkg);
    assess(&sample("project.toml"), &from_geojson);
    let (a, b) = (report(&from_gpkg), report(&from_geojson));
    for section in ["computation", "siting", "findings", "not_official_values"] {
        assert_eq!(a[section], b[section], "{section}");
    }
    assert_eq!(a["parcels"], b["parcels"]);
    // The inputs name the GeoPackage layers.
    let inputs = a["inputs"].to_string();
    assert!(inputs.contains("district.gpkg:parcels"), "{inputs}");
}

#[test]
fn results_geopackage_holds_every_table_and_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let out_a = dir.path().join("a");
    let out_b = dir.path().join("b");
    assess(&sample("project.toml"), &out_a);
    assess(&sample("project.toml"), &out_b);
    let gpkg = out_a.join("results.gpkg");
    assert_eq!(
        std::fs::read(&gpkg).unwrap(),
        std::fs::read(out_b.join("results.gpkg")).unwrap(),
        "results.gpkg differs between two runs"
    );

    let names: Vec<String> = list_layers(&gpkg)
        .unwrap()
        .into_iter()
        .map(|l| l.name)
        .collect();
    // Listed by name.
    assert_eq!(
        names,
        ["not_official_values", "parcels", "project_summary", "sites"]
    );
    let opts = ReadOptions::default();
    let parcels = read_gpkg(&gpkg, Some("parcels"), &opts).unwrap();
    let input = read(&sample("parcels.geojson"));
    assert_eq!(parcels.features.len(), input.features.len());
    assert_eq!(parcels.crs.as_ref().and_then(|c| c.epsg), Some(4547));
    // The GeoJSON written beside it carries the same rows.
    let geojson = read_layer(&out_a.join("parcels.geojson"), &opts).unwrap();
    common::assert_same_layer(&geojson, &parcels, 0.0);
    // Regression: parcels without buildings had floor_area_m2 = -0.0 (the sum of no
    // values), printed as "-0" in parcels.csv and lost as 0 in the GeoPackage.
    let csv = std::fs::read_to_string(out_a.join("parcels.csv")).unwrap();
    assert!(
        !csv.lines().any(|l| l.split(',').any(|c| c == "-0")),
        "parcels.csv holds -0"
    );
    let sites = read_gpkg(&gpkg, Some("sites"), &opts).unwrap();
    assert!(!sites.features.is_empty());

    // The summary table carries the report's headline figures; the unofficial values are
    // all listed.
    let report = report(&out_a);
    let db = rusqlite::Connection::open(&gpkg).unwrap();
    let (id, rights, unofficial): (String, f64, i64) = db
        .query_row(
            "SELECT project_id, rights_floor_area_m2, not_official_values FROM project_summary",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(id, "GM-001");
    assert_eq!(
        rights,
        report["computation"]["rights_floor_area_m2"]
            .as_f64()
            .unwrap()
    );
    let listed = report["not_official_values"].as_array().unwrap().len();
    assert_eq!(unofficial as usize, listed);
    let rows: i64 = db
        .query_row("SELECT count(*) FROM not_official_values", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows as usize, listed);

    // An explicit .gpkg target holds the same tables.
    let single = dir.path().join("GM-001.gpkg");
    assess(&sample("project.toml"), &single);
    assert!(single.is_file());
    let names2: Vec<String> = list_layers(&single)
        .unwrap()
        .into_iter()
        .map(|l| l.name)
        .collect();
    assert_eq!(names, names2);
}

/// A project file that names a layer the GeoPackage does not hold is a project-file error
/// (exit 1) naming the key and listing the layers, not a usage error.
#[test]
fn wrong_layer_in_the_project_file_names_the_key_and_the_layers() {
    let dir = tempfile::tempdir().unwrap();
    let project = gpkg_project(dir.path());
    let text = std::fs::read_to_string(&project)
        .unwrap()
        .replace("district.gpkg:parcels", "district.gpkg:parcel");
    std::fs::write(&project, text).unwrap();
    let out = Command::new(cargo_bin("landpool"))
        .args(["assess", "--quiet"])
        .arg(&project)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("layers.parcels"), "{err}");
    assert!(err.contains("parcel"), "{err}");
    assert!(err.contains("density_zones"), "{err}");
}

/// The district batch reads its layers from the GeoPackage as well: the same projects.csv.
#[test]
fn batch_reads_a_district_from_one_geopackage() {
    let dir = tempfile::tempdir().unwrap();
    let district = gpkg_copy(dir.path(), "district.toml");
    let run = |file: &Path, out: &Path| {
        let o = Command::new(cargo_bin("landpool"))
            .args(["batch", "--quiet"])
            .arg(file)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read_to_string(out.join("projects.csv")).unwrap()
    };
    let from_gpkg = run(&district, &dir.path().join("b_gpkg"));
    let from_geojson = run(&sample("district.toml"), &dir.path().join("b_geojson"));
    assert!(from_gpkg.lines().count() > 1);
    assert_eq!(from_gpkg, from_geojson);
}
