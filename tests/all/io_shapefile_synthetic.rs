//! Shapefile reader on a hand-built file: dBase types (C, N, L, D), UTF-8 text without .cpg,
//! and ESRI ring grouping when a hole follows a different shell.

use std::path::Path;

use chrono::NaiveDate;
use landpool::geom::validity::{unsigned_area, validate_layer};
use landpool::io::{ReadOptions, read_layer};
use landpool::{FieldKind, Value};
use shapefile::{Point, Polygon, PolygonRing};

fn square(x0: f64, y0: f64, s: f64) -> Vec<Point> {
    vec![
        Point::new(x0, y0),
        Point::new(x0, y0 + s),
        Point::new(x0 + s, y0 + s),
        Point::new(x0 + s, y0),
        Point::new(x0, y0),
    ]
}

/// A dBase III table: (name, type, length, decimals) fields, records as raw text cells.
fn write_dbf(path: &Path, fields: &[(&str, u8, u8, u8)], records: &[Vec<&[u8]>]) {
    let record_len: usize = 1 + fields.iter().map(|f| usize::from(f.2)).sum::<usize>();
    let header_len = 32 + 32 * fields.len() + 1;
    let mut b = vec![0x03, 126, 1, 1];
    b.extend((records.len() as u32).to_le_bytes());
    b.extend((header_len as u16).to_le_bytes());
    b.extend((record_len as u16).to_le_bytes());
    b.resize(32, 0);
    for (name, kind, len, dec) in fields {
        let mut d = [0u8; 32];
        d[..name.len()].copy_from_slice(name.as_bytes());
        d[11] = *kind;
        d[16] = *len;
        d[17] = *dec;
        b.extend(d);
    }
    b.push(0x0D);
    for rec in records {
        b.push(b' ');
        for ((_, _, len, _), cell) in fields.iter().zip(rec) {
            let mut c = cell.to_vec();
            c.resize(usize::from(*len), b' ');
            b.extend(c);
        }
    }
    b.push(0x1A);
    std::fs::write(path, b).unwrap();
}

#[test]
fn dbase_types_utf8_text_and_hole_assignment() {
    let dir = tempfile::tempdir().unwrap();
    let shp = dir.path().join("parcels.shp");
    // Shell A, shell B, then a hole that lies in A: it must go to A, not to the last shell.
    let p1 = Polygon::with_rings(vec![
        PolygonRing::Outer(square(0.0, 0.0, 10.0)),
        PolygonRing::Outer(square(100.0, 0.0, 10.0)),
        PolygonRing::Inner(square(2.0, 2.0, 3.0)),
    ]);
    let p2 = Polygon::new(PolygonRing::Outer(square(50.0, 50.0, 4.0)));
    let w = shapefile::ShapeWriter::from_path(&shp).unwrap();
    w.write_shapes(&[p1, p2]).unwrap();
    write_dbf(
        &dir.path().join("parcels.dbf"),
        &[
            ("NAME", b'C', 20, 0),
            ("CODE", b'N', 6, 0),
            ("AREA", b'N', 12, 3),
            ("FLAG", b'L', 1, 0),
            ("SINCE", b'D', 8, 0),
        ],
        &[
            vec![
                "Zoë".as_bytes(),
                b"   101",
                b"     191.000",
                b"T",
                b"20190315",
            ],
            vec![b"", b"", b"      16.000", b"?", b"        "],
        ],
    );
    let layer = read_layer(&shp, &ReadOptions::default()).unwrap();
    assert_eq!(layer.crs, None);
    let kinds: Vec<FieldKind> = layer.schema.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [
            FieldKind::String,
            FieldKind::Int,
            FieldKind::Float,
            FieldKind::Bool,
            FieldKind::Date
        ]
    );
    let f0 = &layer.features[0];
    assert_eq!(
        f0.attributes,
        vec![
            Value::Str("Zoë".into()),
            Value::Int(101),
            Value::Float(191.0),
            Value::Bool(true),
            Value::Date(NaiveDate::from_ymd_opt(2019, 3, 15).unwrap()),
        ]
    );
    let f1 = &layer.features[1];
    assert_eq!(
        f1.attributes,
        vec![
            Value::Null,
            Value::Null,
            Value::Float(16.0),
            Value::Null,
            Value::Null
        ]
    );
    // Hole assigned to the first shell: 100 - 9 + 100 = 191 m², and the geometry is valid.
    assert_eq!(f0.geometry.0.len(), 2);
    assert_eq!(f0.geometry.0[0].interiors().len(), 1);
    for f in &layer.features {
        let recorded = layer.attr(f, "AREA").and_then(Value::as_f64).unwrap();
        assert!((unsigned_area(&f.geometry) - recorded).abs() < 1e-9);
    }
    assert!(validate_layer(&layer).is_empty());
}

#[test]
fn record_count_mismatch_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let shp = dir.path().join("x.shp");
    let w = shapefile::ShapeWriter::from_path(&shp).unwrap();
    w.write_shapes(&[Polygon::new(PolygonRing::Outer(square(0.0, 0.0, 1.0)))])
        .unwrap();
    write_dbf(
        &dir.path().join("x.dbf"),
        &[("A", b'C', 4, 0)],
        &[vec![b"a"], vec![b"b"]],
    );
    let err = read_layer(&shp, &ReadOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("2 records but the .shp has 1"),
        "{err}"
    );
}
