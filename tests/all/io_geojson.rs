//! GeoJSON reader: CRS member, schema inference, feature errors, parse errors, real data.

use std::path::Path;

use landpool::geom::validity::{ProblemKind, unsigned_area, validate_layer};
use landpool::io::crs::{Crs, prepare_for_areas, reproject_layer};
use landpool::io::{ReadOptions, read_layer};
use landpool::{Error, FieldKind, Value};

const FLANDERS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/flanders-geofileops-parcels-zones"
);
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/io");
const DATAV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/shenzhen-districts/datav_gcj02/440300_full.json"
);

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(FIXTURES).join(name)
}

#[test]
fn flanders_parcels_oppervl_matches_planar_area() {
    let path = Path::new(FLANDERS).join("polygon-parcel_parcels_epsg31370.geojson");
    let layer = read_layer(&path, &ReadOptions::default()).unwrap();
    let crs = layer.crs.clone().unwrap();
    assert_eq!(crs.epsg, Some(31370));
    assert!(crs.is_projected());
    assert_eq!(layer.features.len(), 48);
    let oppervl = layer.field_index("OPPERVL").unwrap();
    assert_eq!(layer.schema[oppervl].kind, FieldKind::Float);
    assert_eq!(
        layer.schema[layer.field_index("OIDN").unwrap()].kind,
        FieldKind::Int
    );
    let mut max_diff: f64 = 0.0;
    let mut total = 0.0;
    for f in &layer.features {
        let expected = f.attributes[oppervl].as_f64().unwrap();
        let area = unsigned_area(&f.geometry);
        total += area;
        max_diff = max_diff.max((area - expected).abs());
    }
    assert!(max_diff <= 0.09, "max |OPPERVL - area| = {max_diff}");
    // stats.json: area_sum 252370.87622999732 (GEOS).
    assert!((total - 252_370.876_23).abs() < 1e-3, "total {total}");
    // DATUM (an ISO datetime text) stays a string.
    let datum = layer.field_index("DATUM").unwrap();
    assert_eq!(layer.schema[datum].kind, FieldKind::String);
    assert_eq!(
        layer.features[0].attributes[datum],
        Value::Str("2020-05-01 00:00:00.000+00:00".into())
    );
    // GEOS calls all 48 valid, but feature 46 (OIDN 829598, OPPERVL 0) has an empty
    // MultiPolygon: we report it rather than let it pass silently.
    let problems = validate_layer(&layer);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].feature.index, 46);
    assert_eq!(problems[0].kind, ProblemKind::Empty);
}

#[test]
fn malformed_json_reports_line_and_column() {
    let err = read_layer(&fixture("malformed.geojson"), &ReadOptions::default()).unwrap_err();
    match &err {
        Error::Parse {
            line, column, path, ..
        } => {
            assert_eq!(*line, Some(4));
            assert_eq!(*column, Some(46));
            assert!(path.ends_with("malformed.geojson"));
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
    assert!(err.to_string().contains("malformed.geojson:4:46"), "{err}");
}

#[test]
fn non_area_geometry_names_the_feature_and_type() {
    let opts = ReadOptions {
        key_field: Some("code".into()),
        ..Default::default()
    };
    let err = read_layer(&fixture("point.geojson"), &opts).unwrap_err();
    match &err {
        Error::Feature {
            feature, message, ..
        } => {
            assert_eq!(feature, "#1 (B)");
            assert!(message.contains("Point"), "{message}");
        }
        other => panic!("expected a feature error, got {other:?}"),
    }
}

#[test]
fn null_geometry_is_kept_empty_and_reported_and_schema_is_inferred() {
    let layer = read_layer(&fixture("null_and_mixed.geojson"), &ReadOptions::default()).unwrap();
    assert_eq!(layer.features.len(), 2);
    assert_eq!(layer.crs.as_ref().unwrap().epsg, Some(31370));
    let kind = |n: &str| layer.schema[layer.field_index(n).unwrap()].kind;
    assert_eq!(kind("n"), FieldKind::Float); // 1 and 2.5
    assert_eq!(kind("v"), FieldKind::Mixed); // 1 and "x"
    assert_eq!(kind("flag"), FieldKind::Bool);
    assert_eq!(kind("when"), FieldKind::String);
    assert_eq!(kind("extra"), FieldKind::Int);
    assert_eq!(kind("tags"), FieldKind::String);
    let f0 = &layer.features[0];
    assert_eq!(layer.attr(f0, "extra"), Some(&Value::Null));
    assert_eq!(
        layer.attr(f0, "when").and_then(Value::as_date),
        chrono::NaiveDate::from_ymd_opt(2024, 5, 1)
    );
    assert!((unsigned_area(&f0.geometry) - 96.0).abs() < 1e-12);
    let problems = validate_layer(&layer);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].feature.index, 1);
    assert_eq!(problems[0].kind, ProblemKind::Empty);
}

#[test]
fn no_crs_member_means_wgs84_and_areas_are_refused_without_target() {
    let mut layer = read_layer(&fixture("lonlat.geojson"), &ReadOptions::default()).unwrap();
    let crs = layer.crs.clone().unwrap();
    assert_eq!(crs.epsg, Some(4326));
    assert!(crs.is_geographic());
    let err = prepare_for_areas(&mut layer, None).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("--to-crs") && msg.contains("EPSG:4547"),
        "{msg}"
    );
    // With a target it reprojects: a 0.01° square at 22.5° N is ≈ 1027 m × 1109 m.
    let to = Crs::parse("EPSG:4547").unwrap();
    let done = prepare_for_areas(&mut layer, Some(&to)).unwrap().unwrap();
    assert_eq!(done.to.epsg, Some(4547));
    let a = unsigned_area(&layer.features[0].geometry);
    assert!((a - 1.139e6).abs() < 0.01e6, "area {a}");
}

#[test]
fn projected_coordinates_without_crs_member_are_not_taken_for_lonlat() {
    let path = Path::new(FLANDERS).join("polygon-invalid_2100_gbg_filter_epsg31370.geojson");
    let mut layer = read_layer(&path, &ReadOptions::default()).unwrap();
    assert_eq!(layer.crs, None);
    let msg = prepare_for_areas(&mut layer, None).unwrap_err().to_string();
    assert!(msg.contains("--crs"), "{msg}");
    let assumed = ReadOptions {
        assume_crs: Some(Crs::parse("EPSG:31370").unwrap()),
        ..Default::default()
    };
    let layer = read_layer(&path, &assumed).unwrap();
    assert_eq!(layer.crs.unwrap().epsg, Some(31370));
}

/// Without the `gdal` feature, formats only GDAL reads are refused with the list of formats
/// (with it, GDAL is asked and gives its own error).
#[cfg(not(feature = "gdal"))]
#[test]
fn unsupported_extension_lists_formats() {
    let err = read_layer(Path::new("parcels.kml"), &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::UnsupportedFormat { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("GeoJSON") && msg.contains("GeoPackage") && msg.contains("gdal"),
        "{msg}"
    );
}

/// DataV 光明区 in GCJ-02 → WGS84 → EPSG:4547. Measured: 155.92 km² (SOURCE.md: ≈ 155.93 km²
/// in an Albers equal-area projection; the local-CRS shapefile has 155.31 km²).
#[test]
fn datav_guangming_area_after_gcj02_conversion() {
    let opts = ReadOptions {
        assume_crs: Some(Crs::parse("gcj02").unwrap()),
        key_field: Some("name".into()),
        ..Default::default()
    };
    let mut layer = read_layer(Path::new(DATAV), &opts).unwrap();
    assert_eq!(layer.features.len(), 9);
    reproject_layer(&mut layer, &Crs::parse("EPSG:4547").unwrap()).unwrap();
    let gm = layer
        .features
        .iter()
        .find(|f| f.key.as_deref() == Some("光明区"))
        .unwrap();
    let area_km2 = unsigned_area(&gm.geometry) / 1e6;
    eprintln!("光明区 area in EPSG:4547 after GCJ-02 → WGS84: {area_km2:.4} km²");
    assert!((155.0..157.0).contains(&area_km2), "{area_km2}");
    assert!(validate_layer(&layer).is_empty());
}
