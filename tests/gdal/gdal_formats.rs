//! The `gdal` feature's readers against GDAL's own writers (ogr2ogr from gdal-bin), and
//! landpool's pure-Rust GeoPackage writer against GDAL's reader and `ogrinfo`.
//!
//! Every comparison is on the bundled sample (3,024 parcels, 23 density zones): feature
//! count, attributes and areas to 1e-9 relative.
#![cfg(feature = "gdal")]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{area, assert_same_layer, read};
use landpool::io::gpkg::{read_gpkg, write_gpkg};
use landpool::io::ogr::{list_layers, read_ogr};
use landpool::io::table::OutputTable;
use landpool::io::{LayerSource, ReadOptions, read_source};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/sample")
        .join(name)
}

/// Runs a gdal-bin tool, panicking with its output on failure.
fn gdal_tool(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} not runnable ({e}): apt-get install gdal-bin"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn ogr(path: &Path, layer: Option<&str>) -> landpool::Layer {
    let source = LayerSource::file(path).with_layer(layer.map(str::to_string));
    read_ogr(&source, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn gpkg_written_by_landpool_reads_the_same_through_gdal_and_ogrinfo() {
    let dir = tempfile::tempdir().unwrap();
    let parcels = read(&sample("parcels.geojson"));
    let zones = read(&sample("density_zones.geojson"));
    let path = dir.path().join("sample.gpkg");
    write_gpkg(
        &path,
        &[
            OutputTable::from_layer(&parcels),
            OutputTable::from_layer(&zones),
        ],
    )
    .unwrap();

    let via_gdal = ogr(&path, Some("parcels"));
    assert_same_layer(&parcels, &via_gdal, 1e-9);
    assert_eq!(via_gdal.crs.as_ref().and_then(|c| c.epsg), Some(4547));
    let zones_via_gdal = ogr(&path, Some("density_zones"));
    assert_same_layer(&zones, &zones_via_gdal, 1e-9);

    // The pure-Rust reader and GDAL agree feature by feature on the same file.
    let via_rust = read_gpkg(&path, Some("parcels"), &ReadOptions::default()).unwrap();
    assert_same_layer(&via_rust, &via_gdal, 1e-12);

    let layers = list_layers(&LayerSource::file(&path)).unwrap();
    let names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["parcels", "density_zones"]);
    assert_eq!(layers[0].features, Some(3024));

    // ogrinfo (GDAL's own validation on open) sees both layers with their SRS and counts.
    let info = gdal_tool("ogrinfo", &["-so", "-al", path.to_str().unwrap()]);
    assert!(info.contains("Layer name: parcels"), "{info}");
    assert!(info.contains("Feature Count: 3024"), "{info}");
    assert!(info.contains("Layer name: density_zones"), "{info}");
    assert!(info.contains("Geometry: Multi Polygon"), "{info}");
    assert!(info.contains("4547"), "{info}");
    assert!(!info.contains("ERROR"), "{info}");
}

#[test]
fn gpkg_written_by_gdal_reads_the_same_on_both_paths() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ogr2ogr.gpkg");
    let p = path.to_str().unwrap();
    gdal_tool(
        "ogr2ogr",
        &[
            "-f",
            "GPKG",
            p,
            sample("parcels.geojson").to_str().unwrap(),
            "-nln",
            "parcels",
        ],
    );
    gdal_tool(
        "ogr2ogr",
        &[
            "-f",
            "GPKG",
            "-update",
            p,
            sample("density_zones.geojson").to_str().unwrap(),
            "-nln",
            "zones",
        ],
    );
    let geojson = read(&sample("parcels.geojson"));
    let rust = read_source(
        &LayerSource::parse(&format!("{p}:parcels")),
        &Default::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let gdal = ogr(&path, Some("parcels"));
    assert_same_layer(&geojson, &rust, 1e-9);
    assert_same_layer(&geojson, &gdal, 1e-9);
    assert_same_layer(&rust, &gdal, 0.0);
    // GDAL's GeoJSON driver recognised grant_date as a date; both GeoPackage readers keep it.
    let i = rust.field_index("grant_date").unwrap();
    assert!(matches!(
        rust.features[0].attributes[i],
        landpool::Value::Date(_)
    ));
    assert_eq!(
        rust.schema[i].kind,
        gdal.schema[gdal.field_index("grant_date").unwrap()].kind
    );
}

#[test]
fn filegdb_and_flatgeobuf_from_ogr2ogr() {
    let dir = tempfile::tempdir().unwrap();
    let geojson = read(&sample("parcels.geojson"));
    let src = sample("parcels.geojson");
    let gdb = dir.path().join("district.gdb");
    gdal_tool(
        "ogr2ogr",
        &[
            "-f",
            "OpenFileGDB",
            gdb.to_str().unwrap(),
            src.to_str().unwrap(),
            "-nln",
            "parcels",
        ],
    );
    // FileGDB has no boolean type: GDAL writes booleans as integers 0/1 (which tenure and
    // project flags accept); compare with the GeoJSON booleans as such integers.
    let mut geojson_int_bools = geojson.clone();
    for f in &mut geojson_int_bools.features {
        for v in &mut f.attributes {
            if let landpool::Value::Bool(b) = v {
                *v = landpool::Value::Int(i64::from(*b));
            }
        }
    }
    let from_gdb = read_source(
        &LayerSource::parse(&format!("{}:parcels", gdb.display())),
        &Default::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // FileGDB snaps coordinates to its XY grid (GDAL's default resolution in a projected CRS:
    // 0.1 mm), which moves areas by up to ~1e-8 relative; the other formats keep the doubles.
    assert_same_layer(&geojson_int_bools, &from_gdb, 1e-7);
    assert_eq!(from_gdb.crs.as_ref().and_then(|c| c.epsg), Some(4547));

    let fgb = dir.path().join("parcels.fgb");
    gdal_tool(
        "ogr2ogr",
        &[
            "-f",
            "FlatGeobuf",
            fgb.to_str().unwrap(),
            src.to_str().unwrap(),
            // With its spatial index FlatGeobuf stores features in Hilbert order, and that
            // order is then the file's; without it, the GeoJSON order is kept.
            "-lco",
            "SPATIAL_INDEX=NO",
        ],
    );
    let from_fgb = read_source(&LayerSource::file(&fgb), &Default::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_same_layer(&geojson, &from_fgb, 1e-9);
}

#[test]
fn curve_polygons_are_linearised_and_points_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("shapes.csv");
    // A half-disc of radius 10 closed by its diameter: area 50π ≈ 157.08 m².
    std::fs::write(
        &csv,
        "id,WKT\n1,\"CURVEPOLYGON(COMPOUNDCURVE(CIRCULARSTRING(0 0,10 10,20 0),(20 0,0 0)))\"\n",
    )
    .unwrap();
    let gpkg = dir.path().join("curves.gpkg");
    gdal_tool(
        "ogr2ogr",
        &[
            "-f",
            "GPKG",
            gpkg.to_str().unwrap(),
            csv.to_str().unwrap(),
            "-nln",
            "curves",
            "-a_srs",
            "EPSG:4547",
        ],
    );
    let layer = ogr(&gpkg, Some("curves"));
    let a = area(&layer.features[0].geometry);
    let half_disc = 50.0 * std::f64::consts::PI;
    assert!(
        (a - half_disc).abs() / half_disc < 1e-3,
        "linearised half-disc area {a}, expected about {half_disc}"
    );

    let points = dir.path().join("points.csv");
    std::fs::write(&points, "id,WKT\n7,\"POINT(1 2)\"\n").unwrap();
    let pgpkg = dir.path().join("points.gpkg");
    gdal_tool(
        "ogr2ogr",
        &[
            "-f",
            "GPKG",
            pgpkg.to_str().unwrap(),
            points.to_str().unwrap(),
            "-nln",
            "pts",
        ],
    );
    let err = read_ogr(
        &LayerSource::file(&pgpkg).with_layer(Some("pts".into())),
        &ReadOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("not an area") && err.contains("#0"), "{err}");
}

#[test]
fn wrong_layer_and_attribute_table_errors_name_the_layers() {
    let dir = tempfile::tempdir().unwrap();
    let parcels = read(&sample("parcels.geojson"));
    let path = dir.path().join("two.gpkg");
    let mut summary = OutputTable::new(
        "summary",
        "an attribute table",
        None,
        false,
        &[("k", landpool::FieldKind::String)],
    );
    summary.push(None, vec![landpool::Value::Str("v".into())]);
    write_gpkg(&path, &[OutputTable::from_layer(&parcels), summary]).unwrap();

    let err = read_ogr(
        &LayerSource::file(&path).with_layer(Some("parcel".into())),
        &ReadOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("no layer named `parcel`"), "{err}");
    assert!(
        err.contains("parcels (Multi Polygon, 3024 features)"),
        "{err}"
    );

    let err = read_ogr(
        &LayerSource::file(&path).with_layer(Some("summary".into())),
        &ReadOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("no geometry column"), "{err}");

    let missing = dir.path().join("missing.fgb");
    let err = read_source(&LayerSource::file(&missing), &Default::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing.fgb"), "{err}");
}
