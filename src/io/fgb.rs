//! FlatGeobuf (`.fgb`): reading area layers and writing output tables, pure Rust
//! (the `flatgeobuf` crate).
//!
//! Reading: the header's columns give the schema (integers → `Int`, floats → `Float`,
//! `Bool`, strings and JSON → `String`, DateTime → `String` holding its ISO text, as the
//! GeoPackage reader keeps DATETIME; binary columns are skipped); the header's CRS (an
//! EPSG code, else its WKT) gives the layer's CRS. The file is read into memory and its
//! feature size prefixes are checked before decoding, so that a truncated or corrupt file is
//! an error naming it, never a huge allocation or a panic.
//!
//! Writing: MultiPolygon features in table order (no spatial index: the index would reorder
//! the features), the CRS as its EPSG code, nothing time-dependent, so the same table gives
//! byte-identical files.

use std::path::Path;

use flatgeobuf::{ColumnType, FallibleStreamingIterator, FgbReader, FgbWriter, GeometryType};
use geo::MultiPolygon;
use geozero::{ColumnValue, FeatureProperties, PropertyProcessor, ToGeo};

use crate::error::{Error, Result};
use crate::io::ReadOptions;
use crate::io::crs::wkt_to_crs;
use crate::io::table::OutputTable;
use crate::io::wkb::{AreaGeometry, first_non_finite};
use crate::io::write::write_atomic;
use crate::model::crs::Crs;
use crate::model::layer::{Feature, Field, FieldKind, Layer, Value};
use crate::model::source_label::SourceLabel;

/// Magic bytes (8) and header size prefix (4) before the header.
const PREAMBLE_BYTES: usize = 12;

/// Reads a FlatGeobuf file as an area layer.
pub fn read_fgb(path: &Path, opts: &ReadOptions) -> Result<Layer> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    // The crate asserts on some header values; a panic on any input would be a bug here.
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        decode_fgb(path, &bytes, opts)
    }));
    decoded.unwrap_or_else(|_| Err(parse_error(path, "malformed FlatGeobuf file".into())))
}

fn parse_error(path: &Path, message: String) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line: None,
        column: None,
        message,
    }
}

/// The schema read from the header: a slot in the layer schema per FlatGeobuf column
/// (`None` for skipped binary columns).
struct ColumnPlan {
    fields: Vec<Field>,
    slots: Vec<Option<usize>>,
}

fn column_plan(header: &flatgeobuf::Header<'_>) -> ColumnPlan {
    let mut plan = ColumnPlan {
        fields: Vec::new(),
        slots: Vec::new(),
    };
    for column in header.columns().iter().flatten() {
        let kind = match column.type_() {
            ColumnType::Bool => Some(FieldKind::Bool),
            ColumnType::Byte
            | ColumnType::UByte
            | ColumnType::Short
            | ColumnType::UShort
            | ColumnType::Int
            | ColumnType::UInt
            | ColumnType::Long
            | ColumnType::ULong => Some(FieldKind::Int),
            ColumnType::Float | ColumnType::Double => Some(FieldKind::Float),
            ColumnType::Binary => None,
            _ => Some(FieldKind::String),
        };
        plan.slots.push(kind.map(|kind| {
            plan.fields.push(Field {
                name: column.name().to_string(),
                kind,
            });
            plan.fields.len() - 1
        }));
    }
    plan
}

fn decode_fgb(path: &Path, bytes: &[u8], opts: &ReadOptions) -> Result<Layer> {
    let fgb_error = |e: flatgeobuf::Error| parse_error(path, format!("not a FlatGeobuf file: {e}"));
    let reader = FgbReader::open(std::io::Cursor::new(bytes)).map_err(fgb_error)?;
    let header = reader.header();
    let declared = header.features_count();
    let plan = column_plan(&header);
    let crs = match &opts.assume_crs {
        Some(c) => Some(c.clone()),
        None => header_crs(path, &header)?,
    };
    let features_start =
        PREAMBLE_BYTES + header_len(bytes) + index_len(path, declared, header.index_node_size())?;
    let found = check_feature_sizes(path, bytes, features_start)?;
    if declared > 0 && found as u64 != declared {
        return Err(parse_error(
            path,
            format!("truncated: the header announces {declared} features, the file holds {found}"),
        ));
    }
    let mut iter = reader.select_all_seq().map_err(fgb_error)?;
    let mut features = Vec::with_capacity(found);
    while let Some(fgb_feature) = iter
        .next()
        .map_err(|e| parse_error(path, format!("feature #{}: {e}", features.len())))?
    {
        let index = features.len();
        let feature_error = |message: String| Error::Feature {
            path: path.to_path_buf(),
            feature: format!("#{index}"),
            message,
        };
        let geometry = match fgb_feature.geometry() {
            // No geometry, or an empty one (no coordinates, no parts): written for rows
            // without a geometry, and by GDAL for empty geometries.
            None => MultiPolygon::new(vec![]),
            Some(g)
                if g.xy().is_none_or(|xy| xy.is_empty())
                    && g.parts().is_none_or(|p| p.is_empty()) =>
            {
                MultiPolygon::new(vec![])
            }
            Some(_) => area_of(fgb_feature.to_geo()).map_err(feature_error)?,
        };
        let mut values = AttributeValues::new(&plan);
        fgb_feature
            .process_properties(&mut values)
            .map_err(|e| feature_error(format!("attributes: {e}")))?;
        if let Some(message) = values.error {
            return Err(feature_error(message));
        }
        features.push(Feature {
            index,
            key: None,
            geometry,
            attributes: values.values,
        });
    }
    Ok(Layer {
        source: SourceLabel::file(path, None),
        name: crate::io::layer_name(path),
        crs,
        schema: plan.fields,
        features,
    })
}

/// The header's length after its size prefix (checked by `FgbReader::open`).
fn header_len(bytes: &[u8]) -> usize {
    match bytes.get(8..12) {
        Some(b) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize,
        None => 0,
    }
}

/// The byte length of the spatial index that precedes the features.
fn index_len(path: &Path, features: u64, node_size: u16) -> Result<usize> {
    if node_size == 0 || features == 0 {
        return Ok(0);
    }
    if node_size < 2 {
        return Err(parse_error(
            path,
            format!("invalid index node size {node_size} in the header"),
        ));
    }
    let count = usize::try_from(features)
        .ok()
        .filter(|&n| n < 1 << 40)
        .ok_or_else(|| parse_error(path, format!("implausible feature count {features}")))?;
    Ok(flatgeobuf::packed_r_tree::PackedRTree::index_size(
        count, node_size,
    ))
}

/// Walks the features' size prefixes; returns how many there are, or an error naming the
/// first feature that does not fit in the file.
fn check_feature_sizes(path: &Path, bytes: &[u8], start: usize) -> Result<usize> {
    if start > bytes.len() {
        return Err(parse_error(
            path,
            "truncated: the file ends inside the header or the spatial index".into(),
        ));
    }
    let mut position = start;
    let mut count = 0;
    while position < bytes.len() {
        let size = match bytes.get(position..position + 4) {
            Some(b) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize,
            None => usize::MAX,
        };
        match position.checked_add(4).and_then(|p| p.checked_add(size)) {
            Some(end) if end <= bytes.len() => position = end,
            _ => {
                return Err(parse_error(
                    path,
                    format!("truncated: feature #{count} does not fit in the file"),
                ));
            }
        }
        count += 1;
    }
    Ok(count)
}

/// The area geometry of a decoded feature geometry; a message naming the type otherwise.
fn area_of(
    geometry: geozero::error::Result<geo::Geometry<f64>>,
) -> std::result::Result<MultiPolygon<f64>, String> {
    match geometry.map_err(|e| format!("malformed geometry: {e}"))? {
        geo::Geometry::Polygon(p) => Ok(MultiPolygon::new(vec![p])),
        geo::Geometry::MultiPolygon(mp) => Ok(mp),
        other => Err(format!(
            "geometry type {} is not an area; only Polygon and MultiPolygon features can be \
             read (filter or convert the layer first)",
            geometry_type_name(&other)
        )),
    }
}

fn geometry_type_name(g: &geo::Geometry<f64>) -> &'static str {
    match g {
        geo::Geometry::Point(_) => "Point",
        geo::Geometry::Line(_) | geo::Geometry::LineString(_) => "LineString",
        geo::Geometry::MultiPoint(_) => "MultiPoint",
        geo::Geometry::MultiLineString(_) => "MultiLineString",
        geo::Geometry::GeometryCollection(_) => "GeometryCollection",
        geo::Geometry::Rect(_) | geo::Geometry::Triangle(_) => "Polygon",
        geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_) => "Polygon",
    }
}

/// The CRS of the header: its EPSG code, else its WKT; `None` when it declares none.
fn header_crs(path: &Path, header: &flatgeobuf::Header<'_>) -> Result<Option<Crs>> {
    let Some(crs) = header.crs() else {
        return Ok(None);
    };
    let epsg_org = crs.org().is_none_or(|o| o.eq_ignore_ascii_case("EPSG"));
    if epsg_org && crs.code() > 0 {
        return Crs::from_epsg(crs.code().unsigned_abs())
            .map(Some)
            .map_err(|e| Error::Crs {
                path: path.to_path_buf(),
                message: format!("header CRS EPSG:{}: {e}", crs.code()),
            });
    }
    match crs.wkt().map(str::trim).filter(|w| !w.is_empty()) {
        Some(wkt) => wkt_to_crs(wkt).map(Some).map_err(|message| Error::Crs {
            path: path.to_path_buf(),
            message: format!("header CRS WKT: {message}"),
        }),
        None => Ok(None),
    }
}

/// Collects one feature's properties into schema order (absent ones stay null).
struct AttributeValues<'p> {
    plan: &'p ColumnPlan,
    values: Vec<Value>,
    error: Option<String>,
}

impl<'p> AttributeValues<'p> {
    fn new(plan: &'p ColumnPlan) -> Self {
        AttributeValues {
            plan,
            values: vec![Value::Null; plan.fields.len()],
            error: None,
        }
    }
}

impl PropertyProcessor for AttributeValues<'_> {
    fn property(
        &mut self,
        i: usize,
        name: &str,
        value: &ColumnValue,
    ) -> geozero::error::Result<bool> {
        let Some(Some(slot)) = self.plan.slots.get(i).copied() else {
            return Ok(false);
        };
        let converted = match *value {
            ColumnValue::Byte(v) => Value::Int(v.into()),
            ColumnValue::UByte(v) => Value::Int(v.into()),
            ColumnValue::Bool(v) => Value::Bool(v),
            ColumnValue::Short(v) => Value::Int(v.into()),
            ColumnValue::UShort(v) => Value::Int(v.into()),
            ColumnValue::Int(v) => Value::Int(v.into()),
            ColumnValue::UInt(v) => Value::Int(v.into()),
            ColumnValue::Long(v) => Value::Int(v),
            ColumnValue::ULong(v) => match i64::try_from(v) {
                Ok(v) => Value::Int(v),
                Err(_) => {
                    self.error = Some(format!("column `{name}`: {v} does not fit an integer"));
                    return Ok(true);
                }
            },
            ColumnValue::Float(v) => Value::Float(v.into()),
            ColumnValue::Double(v) => Value::Float(v),
            ColumnValue::String(s) | ColumnValue::Json(s) | ColumnValue::DateTime(s) => {
                Value::Str(s.to_string())
            }
            ColumnValue::Binary(_) => return Ok(false),
        };
        if let Some(v) = self.values.get_mut(slot) {
            *v = converted;
        }
        Ok(false)
    }
}

/// Writes a spatial [`OutputTable`] as FlatGeobuf, atomically: MultiPolygons (a row without
/// geometry gets an empty one), columns typed from the table's fields (`Date` as DateTime
/// text `YYYY-MM-DD`, `Mixed` as text), the CRS's EPSG code in the header.
pub fn write_table_fgb(path: &Path, table: &OutputTable<'_>) -> Result<()> {
    let fgb_error = |e: flatgeobuf::Error| Error::io(path, std::io::Error::other(e.to_string()));
    let options = flatgeobuf::FgbWriterOptions {
        write_index: false,
        crs: flatgeobuf::FgbCrs {
            code: table
                .crs
                .as_ref()
                .and_then(|c| c.epsg)
                .and_then(|c| i32::try_from(c).ok())
                .unwrap_or(0),
            name: table.crs.as_ref().map(|c| c.name.as_str()),
            ..Default::default()
        },
        ..Default::default()
    };
    let mut fgb = FgbWriter::create_with_options(&table.name, GeometryType::MultiPolygon, options)
        .map_err(fgb_error)?;
    for field in &table.fields {
        fgb.add_column(&field.name, column_type(field.kind), |_, _| {});
    }
    let empty = MultiPolygon::new(vec![]);
    for (n, row) in table.rows.iter().enumerate() {
        let geometry = row.geometry.unwrap_or(&empty);
        let feature_error = |message: String| Error::Feature {
            path: path.to_path_buf(),
            feature: format!("#{n}"),
            message,
        };
        if let Some((x, y)) = first_non_finite(geometry) {
            return Err(feature_error(format!(
                "non-finite coordinate ({x}, {y}) cannot be written"
            )));
        }
        let mut failure = None;
        fgb.add_feature_geom(AreaGeometry(geometry), |writer| {
            failure = write_properties(writer, table, &row.values).err();
        })
        .map_err(|e| feature_error(e.to_string()))?;
        if let Some(e) = failure {
            return Err(feature_error(e));
        }
    }
    write_atomic(path, |w| fgb.write(w).map_err(fgb_error))
}

fn column_type(kind: FieldKind) -> ColumnType {
    match kind {
        FieldKind::Bool => ColumnType::Bool,
        FieldKind::Int => ColumnType::Long,
        FieldKind::Float => ColumnType::Double,
        FieldKind::Date => ColumnType::DateTime,
        FieldKind::String | FieldKind::Mixed => ColumnType::String,
    }
}

fn write_properties<P: PropertyProcessor>(
    writer: &mut P,
    table: &OutputTable<'_>,
    values: &[Value],
) -> std::result::Result<(), String> {
    for (i, (field, value)) in table.fields.iter().zip(values).enumerate() {
        let text;
        let column_value = match (field.kind, value) {
            (_, Value::Null) => continue,
            (FieldKind::Bool, Value::Bool(b)) => ColumnValue::Bool(*b),
            (FieldKind::Int, Value::Int(v)) => ColumnValue::Long(*v),
            (FieldKind::Float, Value::Int(_) | Value::Float(_)) => match value.as_f64() {
                Some(f) => ColumnValue::Double(f),
                None => continue,
            },
            (FieldKind::Date, v) => {
                text = v.as_text().unwrap_or_default();
                ColumnValue::DateTime(&text)
            }
            (FieldKind::String | FieldKind::Mixed, v) => {
                text = v.as_text().unwrap_or_default();
                ColumnValue::String(&text)
            }
            (kind, v) => {
                return Err(format!(
                    "column `{}` ({kind:?}) cannot hold the value {v}",
                    field.name
                ));
            }
        };
        writer
            .property(i, &field.name, &column_value)
            .map_err(|e| format!("column `{}`: {e}", field.name))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, polygon};

    fn table(geometry: &MultiPolygon<f64>) -> OutputTable<'_> {
        let mut t = OutputTable::new(
            "t",
            "",
            Crs::from_epsg(4547).ok(),
            true,
            &[
                ("id", FieldKind::String),
                ("n", FieldKind::Int),
                ("x", FieldKind::Float),
                ("ok", FieldKind::Bool),
                ("d", FieldKind::Date),
            ],
        );
        let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).map_or(Value::Null, Value::Date);
        t.push(
            Some(geometry),
            vec![
                Value::Str("甲-1".into()),
                Value::Int(-7),
                Value::Float(0.25),
                Value::Bool(true),
                date,
            ],
        );
        t.push(None, vec![Value::Null; 5]);
        t
    }

    #[test]
    fn table_round_trips_with_crs_attributes_and_order() {
        let mp = MultiPolygon(vec![
            polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 5.0), (x: 0.0, y: 5.0)],
        ]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.fgb");
        write_table_fgb(&path, &table(&mp)).unwrap();
        let first = std::fs::read(&path).unwrap();
        write_table_fgb(&path, &table(&mp)).unwrap();
        assert_eq!(first, std::fs::read(&path).unwrap());
        let layer = read_fgb(&path, &ReadOptions::default()).unwrap();
        assert_eq!(layer.crs.as_ref().and_then(|c| c.epsg), Some(4547));
        assert_eq!(layer.features.len(), 2);
        assert_eq!(layer.features[0].geometry.unsigned_area(), 50.0);
        assert!(layer.features[1].geometry.0.is_empty());
        let kinds: Vec<FieldKind> = layer.schema.iter().map(|f| f.kind).collect();
        use FieldKind::*;
        assert_eq!(kinds, [String, Int, Float, Bool, String]);
        let texts: Vec<_> = layer.features[0]
            .attributes
            .iter()
            .map(Value::as_text)
            .collect();
        let want = ["甲-1", "-7", "0.25", "true", "2026-03-01"];
        assert_eq!(texts, want.map(|s| Some(s.to_string())));
        assert!(layer.features[1].attributes.iter().all(Value::is_null));
    }

    #[test]
    fn truncated_and_garbage_files_are_errors_naming_them() {
        let mp = MultiPolygon(vec![
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0)],
        ]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.fgb");
        write_table_fgb(&path, &table(&mp)).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        for len in [0, 5, 12, 40, bytes.len() / 2, bytes.len() - 3] {
            std::fs::write(&path, &bytes[..len]).unwrap();
            let err = read_fgb(&path, &ReadOptions::default()).unwrap_err();
            assert!(err.to_string().contains("t.fgb"), "{len}: {err}");
        }
        let mut garbage = bytes.clone();
        for (i, b) in garbage.iter_mut().enumerate().skip(12) {
            *b ^= (i * 31) as u8;
        }
        std::fs::write(&path, &garbage).unwrap();
        assert!(read_fgb(&path, &ReadOptions::default()).is_err());
    }
}
