//! Test-data loaders shared by the peer suites.
//!
//! TEMPORARY: these read GeoJSON (geojson crate) and shapefiles (shapefile crate) directly,
//! because the layer reader is being built on another branch. The integrator will switch
//! them to `landpool::io::read_layer`.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use geo::MultiPolygon;

/// Path of a file in the shared, read-only data directory.
pub fn data(rel: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data")).join(rel)
}

/// A feature read for tests: geometry and numeric/text attributes.
pub struct TestFeature {
    pub geometry: MultiPolygon<f64>,
    pub numbers: BTreeMap<String, f64>,
    pub texts: BTreeMap<String, String>,
}

/// Reads every feature of a GeoJSON FeatureCollection of (Multi)Polygons.
pub fn read_geojson(path: &Path) -> Vec<TestFeature> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let gj: geojson::GeoJson = text
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        panic!("{}: not a FeatureCollection", path.display());
    };
    fc.features
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let mut numbers = BTreeMap::new();
            let mut texts = BTreeMap::new();
            for (k, v) in f.properties.clone().unwrap_or_default() {
                if let Some(x) = v.as_f64() {
                    numbers.insert(k.clone(), x);
                }
                if let Some(s) = v.as_str() {
                    texts.insert(k, s.to_string());
                }
            }
            let g = f
                .geometry
                .unwrap_or_else(|| panic!("{}: feature {i} has no geometry", path.display()));
            let geom: geo::Geometry<f64> = g
                .try_into()
                .unwrap_or_else(|e| panic!("{}: feature {i}: {e}", path.display()));
            let geometry = match geom {
                geo::Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
                geo::Geometry::MultiPolygon(m) => m,
                other => panic!("{}: feature {i}: not polygonal: {other:?}", path.display()),
            };
            TestFeature {
                geometry,
                numbers,
                texts,
            }
        })
        .collect()
}

/// Reads every feature of a polygon shapefile with its .dbf attributes.
pub fn read_shapefile(path: &Path) -> Vec<TestFeature> {
    let rows = shapefile::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    rows.into_iter()
        .enumerate()
        .map(|(i, (shape, record))| {
            let geometry = match shape {
                shapefile::Shape::Polygon(p) => MultiPolygon::<f64>::try_from(p)
                    .unwrap_or_else(|e| panic!("{}: feature {i}: {e:?}", path.display())),
                other => panic!("{}: feature {i}: not a polygon: {other}", path.display()),
            };
            let mut numbers = BTreeMap::new();
            let mut texts = BTreeMap::new();
            for (name, value) in record {
                match value {
                    shapefile::dbase::FieldValue::Numeric(Some(x)) => {
                        numbers.insert(name, x);
                    }
                    shapefile::dbase::FieldValue::Float(Some(x)) => {
                        numbers.insert(name, f64::from(x));
                    }
                    shapefile::dbase::FieldValue::Double(x) => {
                        numbers.insert(name, x);
                    }
                    shapefile::dbase::FieldValue::Integer(x) => {
                        numbers.insert(name, f64::from(x));
                    }
                    shapefile::dbase::FieldValue::Character(Some(s)) => {
                        texts.insert(name, s);
                    }
                    _ => {}
                }
            }
            TestFeature {
                geometry,
                numbers,
                texts,
            }
        })
        .collect()
}

/// |a − b| ≤ rel·max(|a|, |b|) + abs.
pub fn close(a: f64, b: f64, rel: f64, abs: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()) + abs
}
