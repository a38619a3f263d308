//! GeoJSON reader.
//!
//! The file is streamed: a serde visitor walks the top-level object and converts each element
//! of `features` into a [`Feature`] as soon as it is parsed, so memory holds the layer model
//! only, never a generic JSON tree of the whole file. Parse errors carry the file's line and
//! column.
//!
//! Decisions:
//! * Only Polygon and MultiPolygon geometries are accepted; any other type is an
//!   [`Error::Feature`] naming the feature and the type.
//! * A `null` geometry (or an empty Polygon/MultiPolygon) is kept as an *empty* MultiPolygon,
//!   which validation reports as [`crate::geom::validity::ProblemKind::Empty`] and repair lists as
//!   unusable: it is never dropped silently.
//! * CRS: a legacy `crs` member (`urn:ogc:def:crs:EPSG::4547`, `EPSG:4547`, CRS84) is honoured;
//!   without one, RFC 7946 says WGS84, so the layer is EPSG:4326 — unless its coordinates lie
//!   outside ±180°/±90°, in which case they are evidently not lon/lat and the CRS is left
//!   unknown (`None`) so that areas are refused until the user says `--crs`.
//!   [`ReadOptions::assume_crs`] overrides both.
//! * Attributes: JSON booleans, integers, floats and strings map to the matching [`Value`];
//!   strings that look like ISO dates stay strings (see [`Value::as_date`]); nested arrays
//!   and objects are kept as their compact JSON text.

use std::cell::RefCell;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::{Error, Result};
use crate::io::crs::Crs;
use crate::io::{ReadOptions, SchemaBuilder, layer_name};
use crate::model::{Feature, Layer, Value};

/// Reads a GeoJSON FeatureCollection of (Multi)Polygons.
pub fn read_geojson(path: &Path, opts: &ReadOptions) -> Result<Layer> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    skip_utf8_bom(&mut reader).map_err(|e| Error::io(path, e))?;
    let state = RefCell::new(ReadState {
        path,
        key_field: opts.key_field.as_deref(),
        schema: SchemaBuilder::default(),
        features: Vec::new(),
        feature_error: None,
        extent_is_lonlat: true,
    });
    let mut de = serde_json::Deserializer::from_reader(reader);
    let top = TopLevelSeed { state: &state }.deserialize(&mut de);
    let top = match top.and_then(|t| de.end().map(|()| t)) {
        Ok(t) => t,
        Err(e) => {
            let mut st = state.into_inner();
            if let Some(fe) = st.feature_error.take() {
                return Err(fe);
            }
            return Err(parse_error(path, &e));
        }
    };
    let st = state.into_inner();
    if let Some(t) = top.kind.as_deref().filter(|t| *t != "FeatureCollection") {
        return Err(Error::Parse {
            path: path.to_path_buf(),
            line: None,
            column: None,
            message: format!("expected a GeoJSON FeatureCollection, found type `{t}`"),
        });
    }
    if !top.saw_features {
        return Err(Error::Parse {
            path: path.to_path_buf(),
            line: None,
            column: None,
            message: "not a GeoJSON FeatureCollection: no `features` array".into(),
        });
    }
    let crs = match &opts.assume_crs {
        Some(c) => Some(c.clone()),
        None => match &top.crs {
            Some(member) => Some(crs_from_member(path, member)?),
            None if st.extent_is_lonlat => Some(Crs::wgs84()),
            None => None,
        },
    };
    let n_fields = st.schema.len();
    let mut features = st.features;
    for f in &mut features {
        f.attributes.resize(n_fields, Value::Null);
    }
    Ok(Layer {
        source: crate::model::SourceLabel::File(path.to_path_buf()),
        name: layer_name(path),
        crs,
        schema: st.schema.finish(),
        features,
    })
}

/// Skips a UTF-8 byte-order mark: RFC 8259 forbids writing one but lets parsers ignore it,
/// and Windows tools write it (GDAL's reader accepts it too).
fn skip_utf8_bom<R: BufRead>(reader: &mut R) -> std::io::Result<()> {
    // A fresh buffered file reader fills with the first 64 KiB (or the whole file) at once.
    if reader.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    Ok(())
}

fn parse_error(path: &Path, e: &serde_json::Error) -> Error {
    let (line, column) = if e.line() > 0 {
        (Some(e.line()), Some(e.column()))
    } else {
        (None, None)
    };
    // serde_json appends " at line L column C" to its message; we report them separately.
    let msg = e.to_string();
    let message = match msg.rfind(" at line ") {
        Some(p) => msg[..p].to_string(),
        None => msg,
    };
    Error::Parse {
        path: path.to_path_buf(),
        line,
        column,
        message: format!("malformed GeoJSON: {message}"),
    }
}

/// The legacy `crs` member: `{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4547"}}`
/// or `{"type":"EPSG","properties":{"code":4547}}`.
fn crs_from_member(path: &Path, member: &serde_json::Value) -> Result<Crs> {
    let props = member.get("properties");
    let name = props
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_string)
        .or_else(|| {
            props
                .and_then(|p| p.get("code"))
                .and_then(|c| c.as_u64())
                .map(|c| format!("EPSG:{c}"))
        });
    let Some(name) = name else {
        return Err(Error::Crs {
            path: path.to_path_buf(),
            message: format!(
                "unrecognised `crs` member {member}; give the CRS with --crs (e.g. --crs EPSG:4547)"
            ),
        });
    };
    Crs::parse(&name).map_err(|e| Error::Crs {
        path: path.to_path_buf(),
        message: format!("`crs` member `{name}`: {e}; give the CRS with --crs"),
    })
}

struct ReadState<'a> {
    path: &'a Path,
    key_field: Option<&'a str>,
    schema: SchemaBuilder,
    features: Vec<Feature>,
    /// A feature-level error that aborted parsing (reported instead of the serde error).
    feature_error: Option<Error>,
    /// False once a coordinate outside ±180/±90 is seen.
    extent_is_lonlat: bool,
}

impl ReadState<'_> {
    fn push(&mut self, raw: RawFeature) -> Result<()> {
        let index = self.features.len();
        let key = self.key_field.and_then(|k| {
            raw.properties
                .as_ref()
                .and_then(|p| p.get(k))
                .and_then(|v| json_to_value(v).as_text())
        });
        let geometry = match raw.geometry {
            None => MultiPolygon::new(vec![]),
            Some(g) => match to_multipolygon(g) {
                Ok(mp) => mp,
                Err(message) => {
                    let feature = match &key {
                        Some(k) => format!("#{index} ({k})"),
                        None => format!("#{index}"),
                    };
                    return Err(Error::Feature {
                        path: self.path.to_path_buf(),
                        feature,
                        message,
                    });
                }
            },
        };
        if self.extent_is_lonlat {
            let outside = geometry
                .iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .flat_map(|r| r.0.iter())
                .any(|c| c.x.abs() > 180.0 || c.y.abs() > 90.0);
            if outside {
                self.extent_is_lonlat = false;
            }
        }
        let mut attributes = vec![Value::Null; self.schema.len()];
        if let Some(props) = raw.properties {
            for (name, v) in props {
                let i = self.schema.slot(&name);
                let value = json_to_value(&v);
                self.schema.observe(i, &value);
                if attributes.len() <= i {
                    attributes.resize(i + 1, Value::Null);
                }
                if let Some(slot) = attributes.get_mut(i) {
                    *slot = value;
                }
            }
        }
        self.features.push(Feature {
            index,
            key,
            geometry,
            attributes,
        });
        Ok(())
    }
}

fn json_to_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i)
            } else {
                n.as_f64().map_or(Value::Null, Value::Float)
            }
        }
        serde_json::Value::String(s) => Value::Str(s.clone()),
        other => Value::Str(other.to_string()),
    }
}

fn to_multipolygon(g: RawGeometry) -> std::result::Result<MultiPolygon<f64>, String> {
    let not_area = |t: &str| {
        format!(
            "geometry type {t} is not an area; only Polygon and MultiPolygon features can be \
             read (filter or convert the layer first)"
        )
    };
    match (g.kind.as_str(), g.coordinates) {
        ("Polygon", None | Some(Coords::Empty)) => Ok(MultiPolygon::new(vec![])),
        ("Polygon", Some(Coords::Depth2(rings))) => Ok(MultiPolygon::new(
            polygon_from_rings(rings).into_iter().collect(),
        )),
        ("MultiPolygon", None | Some(Coords::Empty)) => Ok(MultiPolygon::new(vec![])),
        ("MultiPolygon", Some(Coords::Depth3(polys))) => Ok(MultiPolygon::new(
            polys.into_iter().filter_map(polygon_from_rings).collect(),
        )),
        ("Polygon" | "MultiPolygon", Some(c)) => Err(format!(
            "{} coordinates are nested {} deep; expected {}",
            g.kind,
            c.depth(),
            if g.kind == "Polygon" { 3 } else { 4 }
        )),
        (t, _) => Err(not_area(t)),
    }
}

/// A polygon from GeoJSON rings (first = shell); `None` when there are no rings.
/// geo closes unclosed rings on construction.
fn polygon_from_rings(mut rings: Vec<Vec<Coord>>) -> Option<Polygon<f64>> {
    if rings.is_empty() {
        return None;
    }
    let shell = rings.remove(0);
    Some(Polygon::new(
        LineString::new(shell),
        rings.into_iter().map(LineString::new).collect(),
    ))
}

#[derive(Deserialize)]
struct RawFeature {
    #[serde(default)]
    geometry: Option<RawGeometry>,
    #[serde(default)]
    properties: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Deserialize)]
struct RawGeometry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    coordinates: Option<Coords>,
}

/// Coordinates of unknown nesting depth (the `type` key may come after `coordinates`).
enum Coords {
    Empty,
    Position(Coord),
    Depth1(Vec<Coord>),
    Depth2(Vec<Vec<Coord>>),
    Depth3(Vec<Vec<Vec<Coord>>>),
}

impl Coords {
    fn depth(&self) -> usize {
        match self {
            Coords::Empty => 1,
            Coords::Position(_) => 1,
            Coords::Depth1(_) => 2,
            Coords::Depth2(_) => 3,
            Coords::Depth3(_) => 4,
        }
    }
}

/// One position `[x, y, (z, ...)]`; extra ordinates are ignored.
struct Position(Coord);

impl<'de> Deserialize<'de> for Position {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Position;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a position [x, y]")
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                seq: A,
            ) -> std::result::Result<Position, A::Error> {
                finish_position(None, seq).map(Position)
            }
        }
        d.deserialize_seq(V)
    }
}

fn finish_position<'de, A: SeqAccess<'de>>(
    first: Option<f64>,
    mut seq: A,
) -> std::result::Result<Coord, A::Error> {
    let x = match first {
        Some(x) => x,
        None => seq
            .next_element::<f64>()?
            .ok_or_else(|| de::Error::custom("a position needs at least 2 numbers, got 0"))?,
    };
    let y = seq
        .next_element::<f64>()?
        .ok_or_else(|| de::Error::custom("a position needs at least 2 numbers, got 1"))?;
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(Coord { x, y })
}

impl<'de> Deserialize<'de> for Coords {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        enum Elem {
            Num(f64),
            Nested(Coords),
        }
        impl<'de> Deserialize<'de> for Elem {
            fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                struct EV;
                impl<'de> Visitor<'de> for EV {
                    type Value = Elem;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("a number or an array of coordinates")
                    }
                    fn visit_f64<E>(self, v: f64) -> std::result::Result<Elem, E> {
                        Ok(Elem::Num(v))
                    }
                    fn visit_i64<E>(self, v: i64) -> std::result::Result<Elem, E> {
                        Ok(Elem::Num(v as f64))
                    }
                    fn visit_u64<E>(self, v: u64) -> std::result::Result<Elem, E> {
                        Ok(Elem::Num(v as f64))
                    }
                    fn visit_seq<A: SeqAccess<'de>>(
                        self,
                        seq: A,
                    ) -> std::result::Result<Elem, A::Error> {
                        CoordsVisitor.visit_seq(seq).map(Elem::Nested)
                    }
                }
                d.deserialize_any(EV)
            }
        }

        struct CoordsVisitor;
        impl<'de> Visitor<'de> for CoordsVisitor {
            type Value = Coords;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("GeoJSON coordinates (nested arrays of numbers)")
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Coords, A::Error> {
                Ok(match seq.next_element::<Elem>()? {
                    None => Coords::Empty,
                    Some(Elem::Num(x)) => Coords::Position(finish_position(Some(x), seq)?),
                    Some(Elem::Nested(Coords::Position(c))) => {
                        let mut v = vec![c];
                        while let Some(Position(c)) = seq.next_element()? {
                            v.push(c);
                        }
                        Coords::Depth1(v)
                    }
                    Some(Elem::Nested(Coords::Depth1(first))) => {
                        let mut v = vec![first];
                        while let Some(ring) = seq.next_element::<Vec<Position>>()? {
                            v.push(ring.into_iter().map(|p| p.0).collect());
                        }
                        Coords::Depth2(v)
                    }
                    Some(Elem::Nested(Coords::Empty)) => {
                        // `[[], ...]`: an empty ring; the rest must be rings too.
                        let mut v = vec![Vec::new()];
                        while let Some(ring) = seq.next_element::<Vec<Position>>()? {
                            v.push(ring.into_iter().map(|p| p.0).collect());
                        }
                        Coords::Depth2(v)
                    }
                    Some(Elem::Nested(Coords::Depth2(first))) => {
                        let mut v = vec![first];
                        while let Some(poly) = seq.next_element::<Vec<Vec<Position>>>()? {
                            v.push(
                                poly.into_iter()
                                    .map(|r| r.into_iter().map(|p| p.0).collect())
                                    .collect(),
                            );
                        }
                        Coords::Depth3(v)
                    }
                    Some(Elem::Nested(Coords::Depth3(_))) => {
                        return Err(de::Error::custom("coordinates nested too deep"));
                    }
                })
            }
        }
        d.deserialize_seq(CoordsVisitor)
    }
}

struct TopLevel {
    kind: Option<String>,
    crs: Option<serde_json::Value>,
    saw_features: bool,
}

struct TopLevelSeed<'s, 'a> {
    state: &'s RefCell<ReadState<'a>>,
}

impl<'de> DeserializeSeed<'de> for TopLevelSeed<'_, '_> {
    type Value = TopLevel;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<TopLevel, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopLevelSeed<'_, '_> {
    type Value = TopLevel;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON FeatureCollection object")
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> std::result::Result<TopLevel, M::Error> {
        let mut top = TopLevel {
            kind: None,
            crs: None,
            saw_features: false,
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => top.kind = Some(map.next_value::<String>()?),
                "crs" => top.crs = Some(map.next_value::<serde_json::Value>()?),
                "features" => {
                    top.saw_features = true;
                    map.next_value_seed(FeaturesSeed { state: self.state })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(top)
    }
}

struct FeaturesSeed<'s, 'a> {
    state: &'s RefCell<ReadState<'a>>,
}

impl<'de> DeserializeSeed<'de> for FeaturesSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for FeaturesSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of GeoJSON features")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<RawFeature>()? {
            let mut st = self.state.borrow_mut();
            if let Err(e) = st.push(raw) {
                st.feature_error = Some(e);
                return Err(de::Error::custom("feature error"));
            }
        }
        Ok(())
    }
}
