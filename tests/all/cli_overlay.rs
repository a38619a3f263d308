//! Runs the `landpool overlay` binary on the sample district and on tobler's Sacramento
//! peer suite.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use geo::Area;
use landpool::io::{ReadOptions, read_layer};
use predicates::prelude::*;

fn sample(file: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample")).join(file)
}

const SAC: &str = "tobler-sacramento-area-interpolation";

fn overlay(args: &[&str], source: &Path, target: &Path, out: &Path) -> assert_cmd::assert::Assert {
    Command::cargo_bin("landpool")
        .unwrap()
        .arg("overlay")
        .arg("--source")
        .arg(source)
        .arg("--target")
        .arg(target)
        .arg("--out")
        .arg(out)
        .args(args)
        .assert()
}

/// CSV as (header, rows).
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let header = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let rows = rdr
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s}"))
}

#[test]
fn sample_pieces_of_each_parcel_add_up_to_its_area() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pieces.csv");
    // Floor 0: slivers are real area and must be counted for conservation.
    overlay(
        &["--source-id", "parcel_id", "--sliver-floor", "0"],
        &sample("parcels.geojson"),
        &sample("density_zones.geojson"),
        &out,
    )
    .success();
    let key = ReadOptions {
        key_field: Some("parcel_id".into()),
        ..ReadOptions::default()
    };
    let parcels = read_layer(&sample("parcels.geojson"), &key).unwrap();
    let zones = read_layer(&sample("density_zones.geojson"), &ReadOptions::default()).unwrap();
    // The sample's parcels are tiled by its zones: both cover the same 3,150 m × 2,400 m
    // district exactly.
    let parcel_total: f64 = parcels
        .features
        .iter()
        .map(|f| f.geometry.unsigned_area())
        .sum();
    let zone_total: f64 = zones
        .features
        .iter()
        .map(|f| f.geometry.unsigned_area())
        .sum();
    assert!(
        common::close(parcel_total, 7_560_000.0, 1e-9, 0.0),
        "{parcel_total}"
    );
    assert!(
        common::close(zone_total, 7_560_000.0, 1e-9, 0.0),
        "{zone_total}"
    );

    let (header, rows) = read_csv(&out);
    assert_eq!(
        header,
        ["source", "target", "area", "source_share", "covered"]
    );
    let mut sums: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for r in &rows {
        let e = sums.entry(r[0].clone()).or_default();
        e.0 += num(&r[2]);
        e.1 += num(&r[3]);
    }
    assert_eq!(
        sums.len(),
        parcels.features.len(),
        "every parcel has pieces"
    );
    for f in &parcels.features {
        let id = f.key.clone().unwrap();
        let (area, share) = sums[&id];
        let a = f.geometry.unsigned_area();
        assert!(
            common::close(area, a, 1e-9, 1e-6),
            "{id}: pieces {area} vs parcel {a}"
        );
        assert!(
            common::close(share, 1.0, 1e-9, 1e-9),
            "{id}: shares add to {share}"
        );
    }
    // A covered piece is the whole parcel.
    for r in rows.iter().filter(|r| r[4] == "true") {
        assert_eq!(num(&r[3]), 1.0, "{r:?}");
    }
    assert!(rows.iter().any(|r| r[4] == "true"));
    assert!(
        rows.iter().any(|r| num(&r[3]) < 0.5),
        "some parcels cross zone edges"
    );
}

#[test]
fn output_is_byte_identical_for_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["csv", "json", "geojson"] {
        let mut files = Vec::new();
        for threads in ["1", "2"] {
            // Same file name (it becomes the GeoJSON collection name), different directories.
            let sub = dir.path().join(format!("threads{threads}"));
            std::fs::create_dir_all(&sub).unwrap();
            let out = sub.join(format!("pieces.{ext}"));
            overlay(
                &[
                    "--threads",
                    threads,
                    "--source-id",
                    "parcel_id",
                    "--categorical",
                    "land_use",
                    "--extensive",
                    "term_years",
                ],
                &sample("parcels.geojson"),
                &sample("density_zones.geojson"),
                &out,
            )
            .success();
            let targets = sub.join("pieces.targets.csv");
            files.push((
                std::fs::read(&out).unwrap(),
                std::fs::read(&targets).unwrap(),
            ));
        }
        assert!(!files[0].0.is_empty());
        assert!(
            files[0].0 == files[1].0,
            ".{ext} differs between 1 and 2 threads"
        );
        assert!(files[0].1 == files[1].1, "targets.csv differs ({ext})");
    }
}

#[test]
fn by_attribute_groups_pieces_and_categorical_shares_fill_each_group() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.csv");
    let by = dir.path().join("by.csv");
    overlay(
        &["--source-id", "parcel_id"],
        &sample("parcels.geojson"),
        &sample("density_zones.geojson"),
        &plain,
    )
    .success();
    overlay(
        &[
            "--source-id",
            "parcel_id",
            "--by",
            "density_zone",
            "--categorical",
            "land_use",
        ],
        &sample("parcels.geojson"),
        &sample("density_zones.geojson"),
        &by,
    )
    .success();
    let per_source = |rows: &[Vec<String>]| {
        let mut m: BTreeMap<String, f64> = BTreeMap::new();
        for r in rows {
            *m.entry(r[0].clone()).or_default() += num(&r[2]);
        }
        m
    };
    let (_, plain_rows) = read_csv(&plain);
    let (header, by_rows) = read_csv(&by);
    assert_eq!(header[1], "density_zone");
    assert!(by_rows.len() < plain_rows.len(), "grouping merges pieces");
    // (source, group) pairs are unique.
    let mut pairs: Vec<(&str, &str)> = by_rows
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    let n = pairs.len();
    pairs.dedup();
    assert_eq!(pairs.len(), n);
    let (a, b) = (per_source(&plain_rows), per_source(&by_rows));
    assert_eq!(a.len(), b.len());
    for (k, v) in &a {
        assert!(common::close(*v, b[k], 1e-12, 1e-9), "{k}");
    }
    // Parcels tile the zones, so each class's land-use shares add up to 1.
    let (th, trows) = read_csv(&dir.path().join("by.targets.csv"));
    assert_eq!(th[0], "density_zone");
    let cats: Vec<usize> = (0..th.len())
        .filter(|&i| th[i].starts_with("land_use_"))
        .collect();
    assert_eq!(cats.len(), 3, "{th:?}");
    assert_eq!(trows.len(), 5, "five density classes in the sample");
    for r in &trows {
        let s: f64 = cats.iter().map(|&i| num(&r[i])).sum();
        assert!(common::close(s, 1.0, 1e-6, 0.0), "{r:?}: shares add to {s}");
        assert!(common::close(num(&r[1]), num(&r[2]), 1e-6, 0.0), "{r:?}");
    }
}

#[test]
fn geojson_pieces_carry_both_sides_attributes_and_their_area() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("self.geojson");
    // Zones × zones: every attribute name clashes, so both sides get prefixes.
    overlay(
        &["--source-id", "zone_id", "--target-id", "zone_id"],
        &sample("density_zones.geojson"),
        &sample("density_zones.geojson"),
        &out,
    )
    .success();
    let pieces = read_layer(&out, &ReadOptions::default()).unwrap();
    let names: Vec<&str> = pieces.schema.iter().map(|f| f.name.as_str()).collect();
    for n in [
        "source_id",
        "target_id",
        "area",
        "src_zone_id",
        "tgt_zone_id",
        "src_density_zone",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    assert_eq!(pieces.crs.as_ref().and_then(|c| c.epsg), Some(4547));
    let mut diagonal = 0;
    for f in &pieces.features {
        let area = pieces.attr(f, "area").and_then(|v| v.as_f64()).unwrap();
        let g = f.geometry.unsigned_area();
        // The written geometry (BooleanOps) has the engine's area.
        assert!(
            common::close(g, area, 1e-6, 1e-3),
            "#{}: {g} vs {area}",
            f.index
        );
        let s = pieces.attr(f, "src_zone_id").unwrap();
        let t = pieces.attr(f, "tgt_zone_id").unwrap();
        if s == t {
            diagonal += 1;
        }
    }
    assert_eq!(diagonal, 63, "each zone meets itself once");
}

#[test]
fn tobler_sacramento_through_the_cli_with_planar_degrees() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sac.csv");
    overlay(
        &[
            "--crs",
            "EPSG:4326",
            "--planar-degrees",
            "--extensive",
            "TOT_POP",
            "--allocate-total",
        ],
        &common::data(&format!(
            "{SAC}/source_tracts_sacramentot2/sacramentot2.shp"
        )),
        &common::data(&format!(
            "{SAC}/target_zips_SacramentoMSA2/SacramentoMSA2.shp"
        )),
        &out,
    )
    .success()
    .stderr(predicate::str::contains("--planar-degrees"));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::data(&format!("{SAC}/expected_values.json"))).unwrap(),
    )
    .unwrap();
    let exp = &json["reproduced_here_with_tobler_0.13.0_geopandas_1.2.0_shapely_2.2.0_geos_3.14.1"];
    let e = |k: &str| exp[k].as_f64().unwrap();

    let (_, pieces) = read_csv(&out);
    let table_sum: f64 = pieces.iter().map(|r| num(&r[2])).sum();
    assert!(
        common::close(table_sum, e("area_table_sum"), 1e-6, 0.0),
        "{table_sum}"
    );
    let row5 = pieces.iter().filter(|r| r[0] == "5").count();
    assert_eq!(row5 as f64, e("area_table_row5_nonzero"));

    let (th, targets) = read_csv(&dir.path().join("sac.targets.csv"));
    assert_eq!(th, ["target", "target_area", "intersected_area", "TOT_POP"]);
    assert_eq!(targets.len(), 125);
    let pop: f64 = targets.iter().map(|r| num(&r[3])).sum();
    assert!(common::close(pop, e("sum_TOT_POP"), 1e-6, 0.0), "{pop}");
    // Per target, against tobler's own output (9 significant digits).
    let (_, theirs) = read_csv(&common::data(&format!(
        "{SAC}/tobler_0.13.0_output_per_target.csv"
    )));
    assert_eq!(theirs.len(), 125);
    for (ours, t) in targets.iter().zip(&theirs) {
        assert_eq!(ours[0], t[0]);
        assert!(
            common::close(num(&ours[3]), num(&t[1]), 1e-6, 1e-6),
            "target {}: {} vs {}",
            t[0],
            ours[3],
            t[1]
        );
    }
}

#[test]
fn geographic_layer_is_refused_without_to_crs_or_planar_degrees() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sac.csv");
    overlay(
        &["--crs", "EPSG:4326"],
        &common::data(&format!(
            "{SAC}/source_tracts_sacramentot2/sacramentot2.shp"
        )),
        &common::data(&format!(
            "{SAC}/target_zips_SacramentoMSA2/SacramentoMSA2.shp"
        )),
        &out,
    )
    .code(1)
    .stderr(
        predicate::str::contains("sacramentot2.shp")
            .and(predicate::str::contains("geographic coordinates"))
            .and(predicate::str::contains("--to-crs")),
    );
    assert!(!out.exists(), "nothing is written on error");
}

#[test]
fn layers_in_different_crs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    overlay(
        &["--target-crs", "EPSG:4526"],
        &sample("parcels.geojson"),
        &sample("density_zones.geojson"),
        &out,
    )
    .code(1)
    .stderr(
        predicate::str::contains("different CRSs")
            .and(predicate::str::contains("EPSG:4547"))
            .and(predicate::str::contains("EPSG:4526")),
    );
    assert!(!out.exists());
}

#[test]
fn missing_attribute_and_bad_output_name_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    overlay(
        &["--extensive", "no_such_field"],
        &sample("parcels.geojson"),
        &sample("density_zones.geojson"),
        &dir.path().join("x.csv"),
    )
    .code(1)
    .stderr(
        predicate::str::contains("parcels.geojson").and(predicate::str::contains("no_such_field")),
    );
    assert!(!dir.path().join("x.csv").exists());
    overlay(
        &[],
        &sample("parcels.geojson"),
        &sample("density_zones.geojson"),
        &dir.path().join("x.txt"),
    )
    .code(2)
    .stderr(predicate::str::contains(
        ".csv, .json, .geojson or .parquet",
    ));
}
