//! Streaming GeoJSON: the FeatureCollection writer, whole layers and tables.

use std::io::Write;
use std::path::{Path, PathBuf};

use geo::{LineString, MultiPolygon, Polygon};

use super::write_atomic;
use crate::error::{Error, Result};
use crate::io::crs::Crs;
use crate::io::table::OutputTable;
use crate::io::wkb::first_non_finite;
use crate::model::{Layer, Value};

/// How coordinates are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CoordFormat {
    /// Rust's shortest representation that reads back to the same `f64` (lossless).
    #[default]
    Shortest,
    /// A fixed number of decimals (3 = millimetres in a metric CRS).
    Decimals(u8),
}

/// The legacy GeoJSON `crs` member value for a CRS: `urn:ogc:def:crs:EPSG::{code}` when the
/// CRS has an EPSG code, `None` otherwise (RFC 7946 files carry no `crs` member).
pub fn geojson_crs_name(crs: &Crs) -> Option<String> {
    crs.epsg.map(|code| format!("urn:ogc:def:crs:EPSG::{code}"))
}

/// A streaming GeoJSON FeatureCollection writer: [`begin`](Self::begin), any number of
/// [`write_feature`](Self::write_feature), then [`finish`](Self::finish).
///
/// Features are written one per line; properties in the order given; a single-part
/// MultiPolygon is written as a `Polygon`, an empty one as a `null` geometry.
pub struct GeoJsonFeatureWriter<W: Write> {
    out: W,
    /// Only used to name the file in errors.
    path: PathBuf,
    coords: CoordFormat,
    count: usize,
    /// Reused encoding buffer.
    buf: Vec<u8>,
}

impl<W: Write> GeoJsonFeatureWriter<W> {
    /// Writes the collection header. `name` becomes the `name` member (as GDAL writes it);
    /// `crs_name`, e.g. `urn:ogc:def:crs:EPSG::4547`, the legacy `crs` member.
    pub fn begin(
        mut out: W,
        path: &Path,
        name: &str,
        crs_name: Option<&str>,
        coords: CoordFormat,
    ) -> Result<Self> {
        let io = |e| Error::io(path, e);
        out.write_all(b"{\"type\":\"FeatureCollection\",\"name\":")
            .map_err(io)?;
        write_json_string(&mut out, name).map_err(io)?;
        if let Some(crs) = crs_name {
            out.write_all(b",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":")
                .map_err(io)?;
            write_json_string(&mut out, crs).map_err(io)?;
            out.write_all(b"}}").map_err(io)?;
        }
        out.write_all(b",\"features\":[\n").map_err(io)?;
        Ok(GeoJsonFeatureWriter {
            out,
            path: path.to_path_buf(),
            coords,
            count: 0,
            buf: Vec::new(),
        })
    }

    /// Writes one feature. Non-finite coordinates are an error (GeoJSON cannot hold them);
    /// non-finite float properties are written as `null`.
    pub fn write_feature<'a, I>(
        &mut self,
        geometry: &MultiPolygon<f64>,
        properties: I,
    ) -> Result<()>
    where
        I: IntoIterator<Item = (&'a str, &'a Value)>,
    {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let encoded = encode_geojson_feature(&mut buf, geometry, properties, self.coords);
        let result = match encoded {
            Ok(()) => self.write_encoded(&buf),
            Err(message) => Err(Error::Feature {
                path: self.path.clone(),
                feature: format!("#{}", self.count),
                message,
            }),
        };
        self.buf = buf;
        result
    }

    /// Writes one feature already encoded by [`encode_geojson_feature`] (lets callers
    /// encode features in parallel and write them in order).
    pub fn write_encoded(&mut self, feature_json: &[u8]) -> Result<()> {
        let io = |e: std::io::Error| Error::io(&self.path, e);
        if self.count > 0 {
            self.out.write_all(b",\n").map_err(io)?;
        }
        self.out.write_all(feature_json).map_err(io)?;
        self.count += 1;
        Ok(())
    }

    /// Number of features written so far.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Closes the collection and returns the underlying writer (not flushed by this call).
    pub fn finish(mut self) -> Result<W> {
        self.out
            .write_all(b"\n]}\n")
            .map_err(|e| Error::io(&self.path, e))?;
        Ok(self.out)
    }
}

/// Writes a whole layer as a GeoJSON FeatureCollection, atomically, streaming the features.
/// `crs_name` overrides the `crs` member; by default it is derived from the layer's EPSG
/// code (see [`geojson_crs_name`]). Coordinates use [`CoordFormat::Shortest`].
pub fn write_geojson_layer(path: &Path, layer: &Layer, crs_name: Option<&str>) -> Result<()> {
    write_geojson_layer_with(path, layer, crs_name, CoordFormat::Shortest)
}

/// [`write_geojson_layer`] with an explicit coordinate format.
pub fn write_geojson_layer_with(
    path: &Path,
    layer: &Layer,
    crs_name: Option<&str>,
    coords: CoordFormat,
) -> Result<()> {
    let derived = layer.crs.as_ref().and_then(geojson_crs_name);
    let crs_name = crs_name.or(derived.as_deref());
    write_atomic(path, |w| {
        let mut fw = GeoJsonFeatureWriter::begin(w, path, &layer.name, crs_name, coords)?;
        for feature in &layer.features {
            let props = layer
                .schema
                .iter()
                .zip(&feature.attributes)
                .map(|(f, v)| (f.name.as_str(), v));
            fw.write_feature(&feature.geometry, props)?;
        }
        fw.finish()?;
        Ok(())
    })
}

/// Writes a spatial [`OutputTable`] as a GeoJSON FeatureCollection, atomically. A row
/// without a geometry is written with a `null` geometry (never dropped).
pub fn write_table_geojson(path: &Path, table: &OutputTable) -> Result<()> {
    let crs = table.crs.as_ref().and_then(geojson_crs_name);
    let empty = MultiPolygon::new(vec![]);
    write_atomic(path, |w| {
        let mut fw = GeoJsonFeatureWriter::begin(
            w,
            path,
            &table.name,
            crs.as_deref(),
            CoordFormat::Shortest,
        )?;
        for row in &table.rows {
            let props = table
                .fields
                .iter()
                .zip(&row.values)
                .map(|(f, v)| (f.name.as_str(), v));
            fw.write_feature(row.geometry.unwrap_or(&empty), props)?;
        }
        fw.finish()?;
        Ok(())
    })
}

/// Appends one GeoJSON feature object (`{"type":"Feature",...}`, no separator) to `buf`:
/// properties in the order given, then the geometry. Errors (with a message) on a
/// non-finite coordinate, leaving `buf` unchanged.
pub fn encode_geojson_feature<'a, I>(
    buf: &mut Vec<u8>,
    geometry: &MultiPolygon<f64>,
    properties: I,
    coords: CoordFormat,
) -> std::result::Result<(), String>
where
    I: IntoIterator<Item = (&'a str, &'a Value)>,
{
    if let Some((x, y)) = first_non_finite(geometry) {
        return Err(format!(
            "non-finite coordinate ({x}, {y}) cannot be written"
        ));
    }
    let start = buf.len();
    let encode = || -> std::io::Result<()> {
        buf.extend_from_slice(b"{\"type\":\"Feature\",\"properties\":{");
        for (i, (name, value)) in properties.into_iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            write_json_string(buf, name)?;
            buf.push(b':');
            write_value(buf, value)?;
        }
        buf.extend_from_slice(b"},\"geometry\":");
        write_geometry(buf, geometry, coords)?;
        buf.push(b'}');
        Ok(())
    };
    encode().map_err(|e| {
        buf.truncate(start);
        e.to_string()
    })
}

fn write_json_string<W: Write>(out: &mut W, s: &str) -> std::io::Result<()> {
    serde_json::to_writer(out, s).map_err(std::io::Error::other)
}

fn write_value<W: Write>(out: &mut W, value: &Value) -> std::io::Result<()> {
    match value {
        Value::Null => out.write_all(b"null"),
        Value::Bool(true) => out.write_all(b"true"),
        Value::Bool(false) => out.write_all(b"false"),
        Value::Int(i) => write!(out, "{i}"),
        // serde_json writes floats so that they read back as floats ("1.0", not "1"), and
        // non-finite values as null.
        Value::Float(f) => serde_json::to_writer(out, f).map_err(std::io::Error::other),
        Value::Date(d) => write!(out, "\"{}\"", d.format("%Y-%m-%d")),
        Value::Str(s) => write_json_string(out, s),
    }
}

fn write_geometry<W: Write>(
    out: &mut W,
    geometry: &MultiPolygon<f64>,
    coords: CoordFormat,
) -> std::io::Result<()> {
    match geometry.0.as_slice() {
        [] => out.write_all(b"null"),
        [polygon] => {
            out.write_all(b"{\"type\":\"Polygon\",\"coordinates\":")?;
            write_polygon(out, polygon, coords)?;
            out.write_all(b"}")
        }
        polygons => {
            out.write_all(b"{\"type\":\"MultiPolygon\",\"coordinates\":[")?;
            for (i, p) in polygons.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                write_polygon(out, p, coords)?;
            }
            out.write_all(b"]}")
        }
    }
}

fn write_polygon<W: Write>(
    out: &mut W,
    polygon: &Polygon<f64>,
    coords: CoordFormat,
) -> std::io::Result<()> {
    out.write_all(b"[")?;
    write_ring(out, polygon.exterior(), coords)?;
    for ring in polygon.interiors() {
        out.write_all(b",")?;
        write_ring(out, ring, coords)?;
    }
    out.write_all(b"]")
}

fn write_ring<W: Write>(
    out: &mut W,
    ring: &LineString<f64>,
    coords: CoordFormat,
) -> std::io::Result<()> {
    out.write_all(b"[")?;
    for (i, c) in ring.0.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"[")?;
        write_number(out, c.x, coords)?;
        out.write_all(b",")?;
        write_number(out, c.y, coords)?;
        out.write_all(b"]")?;
    }
    out.write_all(b"]")
}

fn write_number<W: Write>(out: &mut W, v: f64, coords: CoordFormat) -> std::io::Result<()> {
    // `+ 0.0` turns -0.0 into 0.0 so that "-0" never appears.
    let v = v + 0.0;
    match coords {
        CoordFormat::Shortest => write!(out, "{v}"),
        CoordFormat::Decimals(d) => {
            let s = format!("{v:.prec$}", prec = usize::from(d));
            // Values that round to zero would print as "-0.000".
            match s.strip_prefix('-') {
                Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => {
                    out.write_all(rest.as_bytes())
                }
                _ => out.write_all(s.as_bytes()),
            }
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::model::{Feature, Field, FieldKind};
    use geo::{Coord, polygon};

    pub(crate) fn square_layer() -> Layer {
        let p: Polygon<f64> =
            polygon![(x: 0.0, y: 0.0), (x: 10.5, y: 0.0), (x: 10.5, y: 10.0), (x: 0.0, y: 10.0)];
        Layer {
            source: "mem".into(),
            name: "squares".into(),
            crs: Some(Crs {
                name: "EPSG:4547".into(),
                epsg: Some(4547),
                proj4: None,
                kind: crate::io::crs::CrsKind::Projected,
                unit: Some(crate::io::crs::LinearUnit::metre()),
            }),
            schema: vec![
                Field {
                    name: "id".into(),
                    kind: FieldKind::String,
                },
                Field {
                    name: "a".into(),
                    kind: FieldKind::Float,
                },
            ],
            features: vec![Feature {
                index: 0,
                key: None,
                geometry: MultiPolygon(vec![p]),
                attributes: vec![Value::Str("q\"1".into()), Value::Float(1.0)],
            }],
        }
    }

    #[test]
    fn geojson_layer_is_valid_json_with_crs_and_exact_coordinates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sq.geojson");
        write_geojson_layer(&path, &square_layer(), None).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            json["crs"]["properties"]["name"],
            "urn:ogc:def:crs:EPSG::4547"
        );
        assert_eq!(json["features"][0]["properties"]["id"], "q\"1");
        assert!(text.contains("\"a\":1.0"));
        assert!(text.contains("[10.5,10]"));
        let parsed: geojson::GeoJson = text.parse().unwrap();
        assert!(
            matches!(parsed, geojson::GeoJson::FeatureCollection(ref fc) if fc.features.len() == 1)
        );
    }

    #[test]
    fn multipolygons_holes_and_empty_geometries_are_written() {
        let outer: Polygon<f64> = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 9.0, y: 0.0), (x: 9.0, y: 9.0), (x: 0.0, y: 9.0)],
            interiors: [[(x: 3.0, y: 3.0), (x: 3.0, y: 6.0), (x: 6.0, y: 6.0), (x: 6.0, y: 3.0)]],
        );
        let other: Polygon<f64> = polygon![(x: 20.0, y: 0.0), (x: 21.0, y: 0.0), (x: 21.0, y: 1.0)];
        let mut buf = Vec::new();
        let props = [("n", &Value::Int(1)), ("d", &Value::Null)];
        let mp = MultiPolygon(vec![outer, other]);
        encode_geojson_feature(&mut buf, &mp, props, CoordFormat::Decimals(1)).unwrap();
        encode_geojson_feature(&mut buf, &MultiPolygon(vec![]), [], CoordFormat::Shortest).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(text.starts_with(
            "{\"type\":\"Feature\",\"properties\":{\"n\":1,\"d\":null},\"geometry\":{\"type\":\"MultiPolygon\""
        ));
        assert!(text.contains("[[3.0,3.0],[3.0,6.0]"), "{text}");
        assert!(text.ends_with("{\"type\":\"Feature\",\"properties\":{},\"geometry\":null}"));
    }

    #[test]
    fn fixed_decimals_never_print_negative_zero() {
        let mut out = Vec::new();
        write_number(&mut out, -0.0001, CoordFormat::Decimals(3)).unwrap();
        write_number(&mut out, -0.0, CoordFormat::Shortest).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "0.0000");
    }

    #[test]
    fn non_finite_coordinate_is_an_error_naming_the_feature() {
        let mut layer = square_layer();
        layer.features[0].geometry.0[0].exterior_mut(|r| {
            r.0[1] = Coord {
                x: f64::NAN,
                y: 0.0,
            }
        });
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.geojson");
        let err = write_geojson_layer(&path, &layer, None).unwrap_err();
        assert!(err.to_string().contains("feature #0"), "{err}");
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    proptest::proptest! {
        /// Shortest formatting is lossless: every coordinate reads back bit for bit with
        /// Rust's correctly rounded parser (serde_json needs its `float_roundtrip` feature
        /// for the same guarantee), and the feature is valid JSON.
        #[test]
        fn shortest_coordinates_round_trip_exactly(
            pts in proptest::collection::vec((-1e7f64..1e7, -1e7f64..1e7), 3..20)
        ) {
            for &(x, y) in &pts {
                for v in [x, y, x * 1e-9, y * 1e12] {
                    let mut out = Vec::new();
                    write_number(&mut out, v, CoordFormat::Shortest).unwrap();
                    let back: f64 = std::str::from_utf8(&out).unwrap().parse().unwrap();
                    proptest::prop_assert_eq!(back.to_bits(), (v + 0.0).to_bits());
                }
            }
            let mut ring: Vec<Coord> = pts.iter().map(|&(x, y)| Coord { x, y }).collect();
            ring.push(ring[0]);
            let mp = MultiPolygon(vec![Polygon::new(LineString(ring), vec![])]);
            let mut buf = Vec::new();
            encode_geojson_feature(&mut buf, &mp, [], CoordFormat::Shortest).unwrap();
            let json: serde_json::Value = serde_json::from_slice(&buf).unwrap();
            proptest::prop_assert_eq!(
                json["geometry"]["coordinates"][0].as_array().unwrap().len(),
                pts.len() + 1
            );
        }
    }
}
