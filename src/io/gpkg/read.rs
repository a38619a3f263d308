//! Reading GeoPackage tables as area layers (see the module documentation of
//! [`super`] for the decisions).

use std::path::Path;

use chrono::NaiveDate;
use geo::MultiPolygon;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};
use crate::io::ReadOptions;
use crate::model::layer::{Feature, Field, FieldKind, Layer, Value};
use crate::model::source_label::SourceLabel;

use super::blob::decode_geometry;
use super::srs::crs_of_srs_id;
use super::{GpkgLayerInfo, quote_identifier, sqlite_error};

/// Lists the tables of a GeoPackage (features, attributes and any others), by name.
pub fn list_layers(path: &Path) -> Result<Vec<GpkgLayerInfo>> {
    let conn = open_read(path)?;
    layers_of(&conn, path)
}

/// Reads a features table of a GeoPackage as an area layer: `layer` names the table; without
/// it the file must hold exactly one features table.
pub fn read_gpkg(path: &Path, layer: Option<&str>, opts: &ReadOptions) -> Result<Layer> {
    let conn = open_read(path)?;
    let layers = layers_of(&conn, path)?;
    let info = choose_layer(path, &layers, layer)?;
    let source = SourceLabel::file(path, Some(&info.name));
    let label = source.to_path_buf();
    let Some(geometry_column) = info.geometry_column.as_deref() else {
        return Err(no_geometry_error(path, info));
    };
    let crs = match &opts.assume_crs {
        Some(c) => Some(c.clone()),
        None => crs_of_srs_id(&conn, &label, info.srs_id)?,
    };
    let columns = table_columns(&conn, path, &info.name)?;
    let plan = ReadPlan::new(&columns, geometry_column);
    let features = read_features(&conn, &label, info, &plan)?;
    Ok(Layer {
        source,
        name: info.name.clone(),
        crs,
        schema: plan.schema(),
        features,
    })
}

/// Which columns of a features table are read, and how.
struct ReadPlan<'c> {
    /// The fid: the single INTEGER PRIMARY KEY column GeoPackage requires; `None` for
    /// tables without one (not conforming, but readable), which are ordered by rowid.
    fid_column: Option<&'c str>,
    geometry_column: &'c str,
    /// The attribute columns, in table order (not the fid, the geometry or binary columns).
    attributes: Vec<(&'c TableColumn, ColumnKind)>,
}

impl<'c> ReadPlan<'c> {
    fn new(columns: &'c [TableColumn], geometry_column: &'c str) -> ReadPlan<'c> {
        let pk_columns: Vec<&TableColumn> = columns.iter().filter(|c| c.pk > 0).collect();
        let fid_column = match pk_columns.as_slice() {
            [c] if c.declared.eq_ignore_ascii_case("INTEGER") => Some(c.name.as_str()),
            _ => None,
        };
        let attributes = columns
            .iter()
            .filter(|c| Some(c.name.as_str()) != fid_column)
            .filter(|c| !c.name.eq_ignore_ascii_case(geometry_column))
            .filter_map(|c| column_kind(&c.declared).map(|k| (c, k)))
            .collect();
        ReadPlan {
            fid_column,
            geometry_column,
            attributes,
        }
    }

    fn schema(&self) -> Vec<Field> {
        self.attributes
            .iter()
            .map(|(c, k)| Field {
                name: c.name.clone(),
                kind: k.field_kind(),
            })
            .collect()
    }

    /// `SELECT fid, geometry, attributes... FROM table ORDER BY fid`.
    fn select(&self, table: &str) -> String {
        let fid_sql = self
            .fid_column
            .map_or_else(|| "rowid".to_string(), quote_identifier);
        let mut select = format!(
            "SELECT {fid_sql}, {}",
            quote_identifier(self.geometry_column)
        );
        for (c, _) in &self.attributes {
            select.push_str(", ");
            select.push_str(&quote_identifier(&c.name));
        }
        select.push_str(&format!(
            " FROM {} ORDER BY {fid_sql}",
            quote_identifier(table)
        ));
        select
    }
}

/// Reads every row of the table, numbered 0, 1, ... in fid order.
fn read_features(
    conn: &Connection,
    label: &Path,
    info: &GpkgLayerInfo,
    plan: &ReadPlan<'_>,
) -> Result<Vec<Feature>> {
    let table_error = |e: rusqlite::Error| sqlite_error(label, &format!("reading table: {e}"), &e);
    let mut stmt = conn
        .prepare(&plan.select(&info.name))
        .map_err(table_error)?;
    let mut rows = stmt.query([]).map_err(table_error)?;
    let mut features = Vec::with_capacity(usize::try_from(info.feature_count).unwrap_or(0));
    loop {
        let index = features.len();
        let row = match rows.next() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => {
                return Err(sqlite_error(
                    label,
                    &format!("reading feature #{index}: {e}"),
                    &e,
                ));
            }
        };
        features.push(read_feature(row, index, label, plan)?);
    }
    Ok(features)
}

/// One row as a feature: column 0 is the fid, 1 the geometry, then the attributes.
fn read_feature(
    row: &rusqlite::Row<'_>,
    index: usize,
    label: &Path,
    plan: &ReadPlan<'_>,
) -> Result<Feature> {
    let table_error = |e: rusqlite::Error| sqlite_error(label, &format!("reading table: {e}"), &e);
    let feature = match row.get_ref(0).map_err(table_error)? {
        ValueRef::Integer(i) => format!("#{index} (fid {i})"),
        _ => format!("#{index}"),
    };
    let feature_error = |message: String| Error::Feature {
        path: label.to_path_buf(),
        feature: feature.clone(),
        message,
    };
    let geometry_column = plan.geometry_column;
    let geometry = match row.get_ref(1).map_err(table_error)? {
        ValueRef::Null => MultiPolygon::new(vec![]),
        ValueRef::Blob(blob) => decode_geometry(blob)
            .map_err(|m| feature_error(format!("geometry column `{geometry_column}`: {m}")))?,
        other => {
            return Err(feature_error(format!(
                "geometry column `{geometry_column}` holds {} instead of a GeoPackage \
                 geometry blob",
                storage_class(&other)
            )));
        }
    };
    let mut values = Vec::with_capacity(plan.attributes.len());
    for (i, (column, kind)) in plan.attributes.iter().enumerate() {
        let raw = row.get_ref(i + 2).map_err(table_error)?;
        let value = convert_value(*kind, raw)
            .map_err(|m| feature_error(format!("column `{}`: {m}", column.name)))?;
        values.push(value);
    }
    Ok(Feature {
        index,
        key: None,
        geometry,
        attributes: values,
    })
}

/// Opens a GeoPackage read-only and checks that it is one (an SQLite database with a
/// `gpkg_contents` table).
fn open_read(path: &Path) -> Result<Connection> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            return Err(Error::Parse {
                path: path.to_path_buf(),
                line: None,
                column: None,
                message: "is a directory, not a GeoPackage file".into(),
            });
        }
        Ok(_) => {}
        Err(e) => return Err(Error::io(path, e)),
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| sqlite_error(path, &format!("cannot open: {e}"), &e))?;
    // The first read of the schema is where a non-SQLite or damaged file shows.
    let has_contents: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') \
             AND name = 'gpkg_contents'",
            [],
            |r| r.get(0),
        )
        .map_err(|e| sqlite_error(path, &e.to_string(), &e))?;
    if has_contents == 0 {
        return Err(Error::Parse {
            path: path.to_path_buf(),
            line: None,
            column: None,
            message: "not a GeoPackage: an SQLite database without a gpkg_contents table".into(),
        });
    }
    Ok(conn)
}

fn table_exists(conn: &Connection, path: &Path, name: &str) -> Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?1",
        [name],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
    .map_err(|e| sqlite_error(path, &e.to_string(), &e))
}

fn layers_of(conn: &Connection, path: &Path) -> Result<Vec<GpkgLayerInfo>> {
    let sql = if table_exists(conn, path, "gpkg_geometry_columns")? {
        "SELECT c.table_name, c.data_type, g.column_name, g.geometry_type_name, \
         COALESCE(g.srs_id, c.srs_id) FROM gpkg_contents c LEFT JOIN gpkg_geometry_columns g \
         ON lower(g.table_name) = lower(c.table_name) ORDER BY c.table_name"
    } else {
        "SELECT table_name, data_type, NULL, NULL, srs_id FROM gpkg_contents ORDER BY table_name"
    };
    let contents_error =
        |e: rusqlite::Error| sqlite_error(path, &format!("reading gpkg_contents: {e}"), &e);
    let mut stmt = conn.prepare(sql).map_err(contents_error)?;
    let mut layers = stmt
        .query_map([], |r| {
            Ok(GpkgLayerInfo {
                name: r.get(0)?,
                data_type: r.get(1)?,
                geometry_column: r.get(2)?,
                geometry_type: r.get(3)?,
                srs_id: r.get(4)?,
                feature_count: 0,
            })
        })
        .map_err(contents_error)?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(contents_error)?;
    for layer in &mut layers {
        let sql = format!("SELECT count(*) FROM {}", quote_identifier(&layer.name));
        let n: i64 = conn.query_row(&sql, [], |r| r.get(0)).map_err(|e| {
            sqlite_error(
                path,
                &format!("table `{}` of gpkg_contents: {e}", layer.name),
                &e,
            )
        })?;
        layer.feature_count = u64::try_from(n).unwrap_or(0);
    }
    Ok(layers)
}

fn layer_list(layers: &[GpkgLayerInfo]) -> String {
    if layers.is_empty() {
        return "none".into();
    }
    layers
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn no_geometry_error(path: &Path, info: &GpkgLayerInfo) -> Error {
    Error::Usage(format!(
        "{}:{}: table `{}` is {} table with no geometry column, so it cannot be read as an \
         area layer",
        path.display(),
        info.name,
        info.name,
        if info.data_type.eq_ignore_ascii_case("attributes") {
            "an attributes".to_string()
        } else {
            format!("a `{}`", info.data_type)
        }
    ))
}

fn choose_layer<'a>(
    path: &Path,
    layers: &'a [GpkgLayerInfo],
    name: Option<&str>,
) -> Result<&'a GpkgLayerInfo> {
    let Some(name) = name else {
        let features: Vec<&GpkgLayerInfo> = layers.iter().filter(|l| l.is_features()).collect();
        return match features.as_slice() {
            [one] => Ok(one),
            [] => Err(Error::Parse {
                path: path.to_path_buf(),
                line: None,
                column: None,
                message: format!(
                    "the GeoPackage holds no features table; its tables: {}",
                    layer_list(layers)
                ),
            }),
            several => Err(Error::Usage(format!(
                "{}: the GeoPackage holds {} features tables; name one as `{}:LAYER`; its \
                 tables: {}",
                path.display(),
                several.len(),
                path.display(),
                layer_list(layers)
            ))),
        };
    };
    // SQLite table names are case-insensitive: an exact match first, then a unique
    // case-insensitive one.
    let found = layers.iter().find(|l| l.name == name).or_else(|| {
        let mut ci = layers.iter().filter(|l| l.name.eq_ignore_ascii_case(name));
        match (ci.next(), ci.next()) {
            (Some(l), None) => Some(l),
            _ => None,
        }
    });
    match found {
        Some(info) if info.is_features() => Ok(info),
        Some(info) => Err(no_geometry_error(path, info)),
        None => Err(Error::Usage(format!(
            "{}: no layer `{name}` in this GeoPackage; its tables: {}",
            path.display(),
            layer_list(layers)
        ))),
    }
}

struct TableColumn {
    name: String,
    declared: String,
    pk: i64,
}

fn table_columns(conn: &Connection, path: &Path, table: &str) -> Result<Vec<TableColumn>> {
    let err = |e: rusqlite::Error| {
        sqlite_error(path, &format!("reading the columns of `{table}`: {e}"), &e)
    };
    let mut stmt = conn
        .prepare("SELECT name, type, pk FROM pragma_table_info(?1) ORDER BY cid")
        .map_err(err)?;
    let columns = stmt
        .query_map([table], |r| {
            Ok(TableColumn {
                name: r.get(0)?,
                declared: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                pk: r.get(2)?,
            })
        })
        .map_err(err)?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(err)?;
    Ok(columns)
}

/// How a column's values are read, from its declared type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnKind {
    Int,
    Bool,
    Float,
    Date,
    Text,
    /// DATETIME: kept as its ISO text.
    DateTime,
    /// A type GeoPackage does not define: values keep their storage class.
    Other,
}

impl ColumnKind {
    fn field_kind(self) -> FieldKind {
        match self {
            ColumnKind::Int => FieldKind::Int,
            ColumnKind::Bool => FieldKind::Bool,
            ColumnKind::Float => FieldKind::Float,
            ColumnKind::Date => FieldKind::Date,
            ColumnKind::Text | ColumnKind::DateTime => FieldKind::String,
            ColumnKind::Other => FieldKind::Mixed,
        }
    }
}

/// Geometry type names a GeoPackage column may be declared as (such columns hold blobs).
const GEOMETRY_TYPE_NAMES: &[&str] = &[
    "GEOMETRY",
    "POINT",
    "LINESTRING",
    "POLYGON",
    "MULTIPOINT",
    "MULTILINESTRING",
    "MULTIPOLYGON",
    "GEOMETRYCOLLECTION",
    "CIRCULARSTRING",
    "COMPOUNDCURVE",
    "CURVEPOLYGON",
    "MULTICURVE",
    "MULTISURFACE",
    "CURVE",
    "SURFACE",
];

/// The kind of a declared column type; `None` for binary columns, which are skipped.
fn column_kind(declared: &str) -> Option<ColumnKind> {
    let upper = declared.trim().to_ascii_uppercase();
    // TEXT(20), BLOB(1000): the size does not matter here.
    let base = upper.split('(').next().unwrap_or_default().trim();
    let kind = match base {
        "INTEGER" | "INT" | "MEDIUMINT" | "SMALLINT" | "TINYINT" | "BIGINT" => ColumnKind::Int,
        "BOOLEAN" => ColumnKind::Bool,
        "REAL" | "DOUBLE" | "FLOAT" => ColumnKind::Float,
        "TEXT" | "VARCHAR" | "CHAR" => ColumnKind::Text,
        "DATE" => ColumnKind::Date,
        "DATETIME" => ColumnKind::DateTime,
        "BLOB" => return None,
        b if GEOMETRY_TYPE_NAMES.contains(&b) => return None,
        _ => ColumnKind::Other,
    };
    Some(kind)
}

fn storage_class(v: &ValueRef<'_>) -> &'static str {
    match v {
        ValueRef::Null => "NULL",
        ValueRef::Integer(_) => "an integer",
        ValueRef::Real(_) => "a real number",
        ValueRef::Text(_) => "text",
        ValueRef::Blob(_) => "a blob",
    }
}

/// Converts a stored value to the column's kind; an error message when that would lose or
/// invent information.
fn convert_value(kind: ColumnKind, raw: ValueRef<'_>) -> std::result::Result<Value, String> {
    let text = |bytes: &[u8]| -> std::result::Result<String, String> {
        String::from_utf8(bytes.to_vec()).map_err(|_| "text is not valid UTF-8".to_string())
    };
    let mismatch = |what: &str| -> String {
        format!(
            "{} cannot be read as {what} (the column's declared type)",
            describe_value(&raw)
        )
    };
    if let ValueRef::Null = raw {
        return Ok(Value::Null);
    }
    Ok(match kind {
        ColumnKind::Int => match raw {
            ValueRef::Integer(i) => Value::Int(i),
            ValueRef::Real(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::Int(f as i64),
            ValueRef::Text(t) => text(t)?
                .trim()
                .parse::<i64>()
                .map(Value::Int)
                .map_err(|_| mismatch("an integer"))?,
            _ => return Err(mismatch("an integer")),
        },
        ColumnKind::Float => match raw {
            ValueRef::Real(f) => Value::Float(f),
            ValueRef::Integer(i) => Value::Float(i as f64),
            ValueRef::Text(t) => text(t)?
                .trim()
                .parse::<f64>()
                .map(Value::Float)
                .map_err(|_| mismatch("a number"))?,
            _ => return Err(mismatch("a number")),
        },
        ColumnKind::Bool => match raw {
            ValueRef::Integer(0) => Value::Bool(false),
            ValueRef::Integer(1) => Value::Bool(true),
            ValueRef::Text(t) => match text(t)?.trim().to_ascii_lowercase().as_str() {
                "0" | "false" => Value::Bool(false),
                "1" | "true" => Value::Bool(true),
                _ => return Err(mismatch("a boolean (0 or 1)")),
            },
            _ => return Err(mismatch("a boolean (0 or 1)")),
        },
        ColumnKind::Date => match raw {
            ValueRef::Text(t) => {
                let s = text(t)?;
                // Not a date: kept as text rather than lost (as the Shapefile reader does).
                match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
                    Ok(d) => Value::Date(d),
                    Err(_) => Value::Str(s),
                }
            }
            _ => return Err(mismatch("a date (YYYY-MM-DD text)")),
        },
        ColumnKind::Text | ColumnKind::DateTime => match raw {
            ValueRef::Text(t) => Value::Str(text(t)?),
            ValueRef::Integer(i) => Value::Str(i.to_string()),
            ValueRef::Real(f) => Value::Str(f.to_string()),
            _ => return Err(mismatch("text")),
        },
        ColumnKind::Other => match raw {
            ValueRef::Integer(i) => Value::Int(i),
            ValueRef::Real(f) => Value::Float(f),
            ValueRef::Text(t) => Value::Str(text(t)?),
            _ => return Err("a blob cannot be read as an attribute value".into()),
        },
    })
}

fn describe_value(v: &ValueRef<'_>) -> String {
    match v {
        ValueRef::Null => "NULL".into(),
        ValueRef::Integer(i) => format!("the integer {i}"),
        ValueRef::Real(f) => format!("the real number {f}"),
        ValueRef::Text(t) => format!("the text `{}`", String::from_utf8_lossy(t)),
        ValueRef::Blob(b) => format!("a blob of {} bytes", b.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types_map_to_kinds() {
        assert_eq!(column_kind("MEDIUMINT"), Some(ColumnKind::Int));
        assert_eq!(column_kind("text(20)"), Some(ColumnKind::Text));
        assert_eq!(column_kind("BOOLEAN"), Some(ColumnKind::Bool));
        assert_eq!(column_kind("DOUBLE"), Some(ColumnKind::Float));
        assert_eq!(column_kind("DATETIME"), Some(ColumnKind::DateTime));
        assert_eq!(column_kind("BLOB"), None);
        assert_eq!(column_kind("POINT"), None);
        assert_eq!(column_kind("NUMERIC"), Some(ColumnKind::Other));
    }

    #[test]
    fn mismatched_storage_classes_convert_or_explain() {
        assert_eq!(
            convert_value(ColumnKind::Int, ValueRef::Text(b" 12 ")),
            Ok(Value::Int(12))
        );
        assert_eq!(
            convert_value(ColumnKind::Int, ValueRef::Real(3.0)),
            Ok(Value::Int(3))
        );
        let e = convert_value(ColumnKind::Int, ValueRef::Real(3.5)).unwrap_err();
        assert!(e.contains("3.5") && e.contains("integer"), "{e}");
        assert_eq!(
            convert_value(ColumnKind::Float, ValueRef::Integer(7)),
            Ok(Value::Float(7.0))
        );
        assert_eq!(
            convert_value(ColumnKind::Bool, ValueRef::Integer(1)),
            Ok(Value::Bool(true))
        );
        assert!(convert_value(ColumnKind::Bool, ValueRef::Integer(2)).is_err());
        assert_eq!(
            convert_value(ColumnKind::Date, ValueRef::Text(b"2017-03-10")),
            Ok(Value::Date(NaiveDate::from_ymd_opt(2017, 3, 10).unwrap()))
        );
        assert_eq!(
            convert_value(ColumnKind::Date, ValueRef::Text(b"soon")),
            Ok(Value::Str("soon".into()))
        );
        assert!(convert_value(ColumnKind::Date, ValueRef::Integer(20170310)).is_err());
        assert_eq!(
            convert_value(ColumnKind::Text, ValueRef::Integer(5)),
            Ok(Value::Str("5".into()))
        );
        assert!(convert_value(ColumnKind::Text, ValueRef::Text(&[0xff, 0xfe])).is_err());
        assert!(convert_value(ColumnKind::Text, ValueRef::Blob(b"x")).is_err());
    }
}
