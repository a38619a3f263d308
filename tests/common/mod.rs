//! Helpers shared by the peer suites: data paths, layers read with
//! `landpool::io::read_layer`, tolerant comparison.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use geo::MultiPolygon;
use landpool::Layer;
use landpool::io::{ReadOptions, read_layer};

/// Path of a file in the shared, read-only data directory.
pub fn data(rel: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data")).join(rel)
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
        .unwrap_or_else(|| panic!("{}: attribute {field} missing", layer.source.display()));
    layer
        .features
        .iter()
        .map(|f| {
            f.attributes
                .get(i)
                .and_then(|v| v.as_f64())
                .unwrap_or_else(|| {
                    panic!(
                        "{}: #{} {field} not a number",
                        layer.source.display(),
                        f.index
                    )
                })
        })
        .collect()
}

/// |a − b| ≤ rel·max(|a|, |b|) + abs.
pub fn close(a: f64, b: f64, rel: f64, abs: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()) + abs
}
