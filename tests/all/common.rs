//! Helpers shared by the peer suites: data paths, layers read with
//! `landpool::io::read_layer`, tolerant comparison.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use geo::MultiPolygon;
use landpool::Layer;
use landpool::io::{ReadOptions, read_layer};

/// Path of a file in the vendored peer data, `tests/data` (each dataset has its SOURCE.md).
pub fn data(rel: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data")).join(rel)
}

/// Reads a layer with `landpool::io::read_layer` (default options), panicking with the
/// reader's message on failure.
pub fn read(path: &Path) -> Layer {
    read_layer(path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// The geometries of a layer, in file order.
pub fn geometries(layer: Layer) -> Vec<MultiPolygon<f64>> {
    layer.features.into_iter().map(|f| f.geometry).collect()
}

/// A numeric attribute column (panics if the field is missing or a value is not a number).
pub fn numbers(layer: &Layer, field: &str) -> Vec<f64> {
    let i = layer
        .field_index(field)
        .unwrap_or_else(|| panic!("{}: attribute {field} missing", layer.source));
    layer
        .features
        .iter()
        .map(|f| {
            f.attributes
                .get(i)
                .and_then(|v| v.as_f64())
                .unwrap_or_else(|| panic!("{}: #{} {field} not a number", layer.source, f.index))
        })
        .collect()
}

/// |a − b| ≤ rel·max(|a|, |b|) + abs.
pub fn close(a: f64, b: f64, rel: f64, abs: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()) + abs
}

/// Planar area of a MultiPolygon (unsigned).
pub fn area(g: &MultiPolygon<f64>) -> f64 {
    use geo::Area;
    g.unsigned_area()
}

/// An attribute value in a form two readers agree on: text for everything but numbers, so
/// that a date read as `Date` by one reader and as the string `2017-03-10` by another (GeoJSON
/// has no date type) or as a FileGDB datetime at midnight compare equal, and ints equal to
/// floats compare by value.
pub fn normalised(v: &landpool::Value) -> String {
    match v {
        landpool::Value::Null => "null".into(),
        landpool::Value::Int(i) => format!("num:{}", *i as f64),
        landpool::Value::Float(f) => format!("num:{f}"),
        other => match other.as_date() {
            Some(d) => format!("date:{d}"),
            None => other.as_text().unwrap_or_default(),
        },
    }
}

/// Asserts that two readings of the same data agree: feature count, every attribute present
/// in `expected` (by name, normalised), and each feature's area to `rel` relative.
pub fn assert_same_layer(expected: &Layer, actual: &Layer, rel: f64) {
    assert_eq!(
        expected.features.len(),
        actual.features.len(),
        "{} vs {}: feature count",
        expected.source,
        actual.source
    );
    for field in &expected.schema {
        let i = expected.field_index(&field.name).unwrap();
        let j = actual
            .field_index(&field.name)
            .unwrap_or_else(|| panic!("{}: attribute {} missing", actual.source, field.name));
        for (a, b) in expected.features.iter().zip(&actual.features) {
            assert_eq!(
                normalised(&a.attributes[i]),
                normalised(&b.attributes[j]),
                "feature #{} attribute {}",
                a.index,
                field.name
            );
        }
    }
    for (a, b) in expected.features.iter().zip(&actual.features) {
        let (x, y) = (area(&a.geometry), area(&b.geometry));
        assert!(
            close(x, y, rel, 0.0),
            "feature #{}: area {x} vs {y} (relative {:e})",
            a.index,
            (x - y).abs() / x.abs().max(y.abs())
        );
    }
}
