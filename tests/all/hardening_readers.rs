//! Hardening of the readers (issues 12 and 13): each test is named after the defect it
//! guards against. The last test is the CI-sized run of the mutation fuzzer
//! (`examples/fuzz_mutate`); its case count is `LANDPOOL_FUZZ_CASES` per reader.

#[allow(dead_code)]
#[path = "../../examples/fuzz_mutate/engine.rs"]
mod engine;
#[allow(dead_code)]
#[path = "../../examples/fuzz_mutate/mutate.rs"]
mod mutate;
#[allow(dead_code)]
#[path = "../../examples/fuzz_mutate/shpgen.rs"]
mod shpgen;

use std::path::{Path, PathBuf};
use std::time::Duration;

use landpool::geom::validity::{unsigned_area, validate_layer};
use landpool::io::crs::Crs;
use landpool::io::shp::read_shapefile_report;
use landpool::io::{ReadOptions, read_layer};
use landpool::{Error, Value};
use shpgen::{DbfField, square};

const NAME_FIELD: [DbfField<'static>; 1] = [DbfField {
    name: "NAME",
    kind: b'C',
    width: 12,
    decimals: 0,
}];

/// Writes `stem.shp/.shx/.dbf` in `dir`; returns the .shp path.
fn write_set(dir: &Path, shapes: &[Vec<Vec<(f64, f64)>>], dbf: &[u8]) -> PathBuf {
    let (shp, shx) = shpgen::polygon_shp(shapes);
    let path = dir.join("t.shp");
    std::fs::write(&path, shp).unwrap();
    std::fs::write(dir.join("t.shx"), shx).unwrap();
    std::fs::write(dir.join("t.dbf"), dbf).unwrap();
    path
}

fn local() -> ReadOptions {
    ReadOptions {
        assume_crs: Some(Crs::local_planar()),
        ..ReadOptions::default()
    }
}

fn three_squares() -> Vec<Vec<Vec<(f64, f64)>>> {
    vec![
        vec![square(0.0, 0.0, 10.0, true)],
        vec![square(100.0, 0.0, 20.0, true)],
        vec![square(200.0, 0.0, 30.0, true)],
    ]
}

#[test]
fn dbf_header_claiming_0x7fffffff_records_is_an_error_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    let mut dbf = shpgen::dbf(&NAME_FIELD, &[(false, vec![b"a".as_slice()])]);
    dbf[4..8].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
    let shp = write_set(dir.path(), &three_squares()[..1], &dbf);
    let err = read_layer(&shp, &local()).unwrap_err();
    assert!(matches!(err, Error::Parse { .. }), "{err}");
    assert!(err.to_string().contains("2147483647 records"), "{err}");
}

#[test]
fn dbf_header_with_zero_record_length_and_huge_count_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut dbf = shpgen::dbf(&NAME_FIELD, &[(false, vec![b"a".as_slice()])]);
    dbf[4..8].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
    dbf[10..12].copy_from_slice(&0u16.to_le_bytes());
    let shp = write_set(dir.path(), &three_squares()[..1], &dbf);
    assert!(read_layer(&shp, &local()).is_err());
}

#[test]
fn shp_record_claiming_2_pow_31_points_is_an_error_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    let dbf = shpgen::dbf(&NAME_FIELD, &[(false, vec![b"a".as_slice()])]);
    let shp = write_set(dir.path(), &three_squares()[..1], &dbf);
    let mut bytes = std::fs::read(&shp).unwrap();
    // Record header (8) + shape type (4) + bbox (32) + parts (4): the point count.
    bytes[100 + 48..100 + 52].copy_from_slice(&0x7fff_ffffi32.to_le_bytes());
    std::fs::write(&shp, bytes).unwrap();
    let err = read_layer(&shp, &local()).unwrap_err();
    assert!(err.to_string().contains("do not fit"), "{err}");
}

#[test]
fn shx_claiming_more_bytes_than_it_has_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let dbf = shpgen::dbf(&NAME_FIELD, &[(false, vec![b"a".as_slice()])]);
    let shp = write_set(dir.path(), &three_squares()[..1], &dbf);
    let shx = dir.path().join("t.shx");
    let mut bytes = std::fs::read(&shx).unwrap();
    bytes[24..28].copy_from_slice(&0x7fff_ffffi32.to_be_bytes());
    std::fs::write(&shx, bytes).unwrap();
    let err = read_layer(&shp, &local()).unwrap_err();
    assert!(err.to_string().contains(".shx"), "{err}");
}

#[test]
fn deleted_dbf_records_are_skipped_with_their_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let dbf = shpgen::dbf(
        &NAME_FIELD,
        &[
            (false, vec![b"first".as_slice()]),
            (true, vec![b"deleted".as_slice()]),
            (false, vec![b"third".as_slice()]),
        ],
    );
    let shp = write_set(dir.path(), &three_squares(), &dbf);
    let read = read_shapefile_report(&shp, &local()).unwrap();
    assert_eq!(read.deleted_records, 1);
    let layer = &read.layer;
    assert_eq!(layer.features.len(), 2);
    // Indexes stay the record numbers, and each record keeps its own shape.
    let got: Vec<(usize, Value, f64)> = layer
        .features
        .iter()
        .map(|f| (f.index, f.attributes[0].clone(), unsigned_area(&f.geometry)))
        .collect();
    assert_eq!(
        got,
        vec![
            (0, Value::Str("first".into()), 100.0),
            (2, Value::Str("third".into()), 900.0),
        ]
    );
    let warnings = read.warnings();
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].contains("skipped 1 record(s) flagged deleted"),
        "{warnings:?}"
    );
    // The count check uses all records, deleted ones included.
    let short = shpgen::dbf(&NAME_FIELD, &[(true, vec![b"x".as_slice()])]);
    let shp = write_set(dir.path(), &three_squares(), &short);
    assert!(read_layer(&shp, &local()).is_err());
}

#[test]
fn utf8_dbf_value_cut_mid_character_at_field_width_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    // "光明新" is 9 bytes; a 7-byte field holds "光明" and the first byte of "新".
    let field = [DbfField {
        name: "NAME",
        kind: b'C',
        width: 7,
        decimals: 0,
    }];
    let cut = &"光明新".as_bytes()[..7];
    let dbf = shpgen::dbf(
        &field,
        &[(false, vec![cut]), (false, vec!["南山".as_bytes()])],
    );
    let shp = write_set(dir.path(), &three_squares()[..2], &dbf);
    for cpg in [None, Some("UTF-8")] {
        if let Some(label) = cpg {
            std::fs::write(dir.path().join("t.cpg"), label).unwrap();
        }
        let read = read_shapefile_report(&shp, &local()).unwrap();
        let values: Vec<&Value> = read
            .layer
            .features
            .iter()
            .map(|f| &f.attributes[0])
            .collect();
        assert_eq!(
            values,
            [
                &Value::Str("光明\u{FFFD}".into()),
                &Value::Str("南山".into())
            ]
        );
        assert_eq!(read.repaired_text, ["record #0, field NAME"]);
        assert!(read.warnings()[0].contains("U+FFFD"));
    }
}

#[test]
fn gbk_dbf_value_cut_mid_character_is_kept_too() {
    let dir = tempfile::tempdir().unwrap();
    let (gbk, _, _) = encoding_rs::GBK.encode("福田区");
    let cut = &gbk[..5];
    let field = [DbfField {
        name: "NAME",
        kind: b'C',
        width: 5,
        decimals: 0,
    }];
    let dbf = shpgen::dbf(&field, &[(false, vec![cut])]);
    let shp = write_set(dir.path(), &three_squares()[..1], &dbf);
    let opts = ReadOptions {
        encoding: Some("gbk".into()),
        ..local()
    };
    let layer = read_layer(&shp, &opts).unwrap();
    assert_eq!(
        layer.features[0].attributes[0],
        Value::Str("福田\u{FFFD}".into())
    );
}

#[test]
fn invalid_utf8_inside_a_dbf_value_is_still_an_encoding_error() {
    let dir = tempfile::tempdir().unwrap();
    let dbf = shpgen::dbf(&NAME_FIELD, &[(false, vec![b"ab\xFFcd".as_slice()])]);
    let shp = write_set(dir.path(), &three_squares()[..1], &dbf);
    let err = read_layer(&shp, &local()).unwrap_err();
    assert!(matches!(err, Error::Encoding { .. }), "{err}");
}

#[test]
fn tiny_counter_clockwise_hole_at_x_6_17e6_is_a_hole_and_the_polygon_valid() {
    let dir = tempfile::tempdir().unwrap();
    let (x0, y0) = (6_170_000.25, 2_530_000.75);
    let shell = square(x0, y0, 10.0, true);
    let hole = square(x0 + 3.0, y0 + 3.0, 1e-3, false);
    let dbf = shpgen::dbf(&NAME_FIELD, &[(false, vec![b"p".as_slice()])]);
    let shp = write_set(dir.path(), &[vec![shell, hole]], &dbf);
    let layer = read_layer(&shp, &local()).unwrap();
    let mp = &layer.features[0].geometry;
    assert_eq!(mp.0.len(), 1, "the hole was taken for a shell");
    assert_eq!(mp.0[0].interiors().len(), 1);
    assert!(validate_layer(&layer).is_empty());
    assert!((unsigned_area(mp) - (100.0 - 1e-6)).abs() < 1e-6);
}

#[test]
fn geojson_with_utf8_bom_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bom.geojson");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(
        br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a"},
        "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}"#,
    );
    std::fs::write(&path, bytes).unwrap();
    let layer = read_layer(&path, &ReadOptions::default()).unwrap();
    assert_eq!(layer.features.len(), 1);
    assert_eq!(layer.features[0].attributes[0], Value::Str("a".into()));
    // A half BOM is not a BOM: still malformed.
    std::fs::write(
        &path,
        b"\xEF\xBB{\"type\":\"FeatureCollection\",\"features\":[]}",
    )
    .unwrap();
    assert!(read_layer(&path, &ReadOptions::default()).is_err());
}

/// The mutation fuzzer, CI-sized: `LANDPOOL_FUZZ_CASES` cases per reader (default 500, as in CI),
/// seed `LANDPOOL_FUZZ_SEED` (default 1); failing cases go to `LANDPOOL_FUZZ_OUT` (default a
/// `fuzz-findings` under Cargo's test temp folder).
#[test]
fn mutation_fuzz_ci_sized_finds_no_panic_abort_or_timeout() {
    let env_num = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let out = std::env::var_os("LANDPOOL_FUZZ_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-findings"));
    let config = engine::Config {
        bin: PathBuf::from(env!("CARGO_BIN_EXE_landpool")),
        root: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        out,
        seed: env_num("LANDPOOL_FUZZ_SEED", 1),
        cases_per_reader: env_num("LANDPOOL_FUZZ_CASES", 500) as usize,
        time_limit: Duration::from_secs(30),
        memory_mib: 2048,
        readers: Vec::new(),
    };
    let results = engine::run(&config).unwrap();
    let summary = engine::summary(&results);
    println!("{summary}");
    let failures: usize = results.iter().map(|(_, c)| c.failures()).sum();
    assert_eq!(failures, 0, "mutation fuzzing found failures:\n{summary}");
}
