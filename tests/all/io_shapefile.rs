//! Shapefile reader: GBK attributes without .cpg, .cpg handling, .prj, AREA check.

use std::path::{Path, PathBuf};

use landpool::geom::validity::{unsigned_area, validate_layer};
use landpool::io::crs::Crs;
use landpool::io::{ReadOptions, read_layer};
use landpool::{Error, FieldKind, Value};

const QU_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/shenzhen-districts/local_crs_shp"
);

fn qu() -> PathBuf {
    Path::new(QU_DIR).join("qu.shp")
}

fn gbk_local() -> ReadOptions {
    ReadOptions {
        encoding: Some("gbk".into()),
        assume_crs: Some(Crs::local_planar()),
        key_field: Some("JDNAME".into()),
    }
}

#[test]
fn gbk_names_decode_and_area_attribute_matches_planar_area() {
    let layer = read_layer(&qu(), &gbk_local()).unwrap();
    assert_eq!(layer.features.len(), 10);
    assert!(layer.crs.as_ref().unwrap().is_projected());
    let names: Vec<&str> = layer
        .features
        .iter()
        .filter_map(|f| f.key.as_deref())
        .collect();
    for expected in ["南山", "光明新区", "福田", "罗湖", "大鹏新区", "坪山新区"] {
        assert!(names.contains(&expected), "{expected} not in {names:?}");
    }
    let area_i = layer.field_index("AREA").unwrap();
    assert_eq!(layer.schema[area_i].kind, FieldKind::Float);
    assert_eq!(
        layer.schema[layer.field_index("JDCODE").unwrap()].kind,
        FieldKind::String
    );
    let mut total = 0.0;
    for f in &layer.features {
        let expected = f.attributes[area_i].as_f64().unwrap();
        let area = unsigned_area(&f.geometry);
        total += area;
        assert!(
            (area - expected).abs() < 1e-3,
            "{:?}: computed {area} vs AREA {expected}",
            f.key
        );
    }
    assert!((total / 1e6 - 1949.04).abs() < 0.01, "total {total}");
    let gm = layer
        .features
        .iter()
        .find(|f| f.key.as_deref() == Some("光明新区"))
        .unwrap();
    assert!((unsigned_area(&gm.geometry) / 1e6 - 155.309).abs() < 0.001);
    assert!(matches!(layer.attr(gm, "JDCODE"), Some(Value::Str(code)) if code.starts_with("4403")));
    assert!(validate_layer(&layer).is_empty());
}

#[test]
fn without_encoding_gbk_text_is_an_encoding_error_with_advice() {
    let err = read_layer(&qu(), &ReadOptions::default()).unwrap_err();
    match &err {
        Error::Encoding { path, message } => {
            assert!(path.ends_with("qu.dbf"), "{path:?}");
            assert!(message.contains("--encoding gbk"), "{message}");
            assert!(message.contains("JDNAME"), "{message}");
        }
        other => panic!("expected an encoding error, got {other:?}"),
    }
}

fn copy_qu_to(dir: &Path) -> PathBuf {
    for ext in ["shp", "shx", "dbf"] {
        std::fs::copy(
            Path::new(QU_DIR).join(format!("qu.{ext}")),
            dir.join(format!("qu.{ext}")),
        )
        .unwrap();
    }
    dir.join("qu.shp")
}

#[test]
fn cpg_file_names_the_encoding_and_prj_gives_the_crs() {
    let dir = tempfile::tempdir().unwrap();
    let shp = copy_qu_to(dir.path());
    std::fs::write(dir.path().join("qu.cpg"), "GBK\n").unwrap();
    std::fs::write(dir.path().join("qu.prj"), crs_definitions::EPSG_4547.wkt).unwrap();
    let opts = ReadOptions {
        key_field: Some("JDNAME".into()),
        ..Default::default()
    };
    let layer = read_layer(&shp, &opts).unwrap();
    assert!(
        layer
            .features
            .iter()
            .any(|f| f.key.as_deref() == Some("光明新区"))
    );
    let crs = layer.crs.unwrap();
    assert_eq!(crs.epsg, Some(4547));
    assert!(crs.is_projected());
}

#[test]
fn no_prj_means_no_crs() {
    let opts = ReadOptions {
        encoding: Some("gbk".into()),
        ..Default::default()
    };
    let layer = read_layer(&qu(), &opts).unwrap();
    assert_eq!(layer.crs, None);
}

#[test]
fn wrong_cpg_encoding_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let shp = copy_qu_to(dir.path());
    std::fs::write(dir.path().join("qu.cpg"), "UTF-8").unwrap();
    let err = read_layer(&shp, &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::Encoding { .. }), "{err:?}");
}

#[test]
fn unknown_encoding_option_is_a_usage_error() {
    let opts = ReadOptions {
        encoding: Some("klingon".into()),
        ..Default::default()
    };
    assert!(matches!(
        read_layer(&qu(), &opts).unwrap_err(),
        Error::Usage(_)
    ));
}
