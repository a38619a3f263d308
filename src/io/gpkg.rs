//! GeoPackage reader and writer in pure Rust: SQLite through `rusqlite` (the system
//! library, or a bundled copy with the `sqlite-bundled` feature), geometry blobs through
//! `geozero`.
//!
//! Reading ([`read_gpkg`], [`list_layers`]):
//! * Layer choice: the named table of `gpkg_contents`, or, without a name, the only
//!   `features` table; otherwise a usage error that lists the layers with their types.
//!   An `attributes` table has no geometry column and cannot be an area layer.
//! * Geometry: GeoPackageBinary blobs (header `GP`, version 0, flags, srs_id, optional
//!   envelope) holding ISO WKB Polygon or MultiPolygon, with or without Z/M (dropped: areas
//!   are planar). As in the GeoJSON and Shapefile readers, a NULL or empty geometry becomes
//!   an empty MultiPolygon (reported by validation, never dropped), and any other geometry
//!   type (points, lines, collections, curves) is an [`Error::Feature`] naming the feature.
//!   The deprecated ExtendedGeoPackageBinary encoding (flag X) is refused.
//! * Attributes by declared column type: INTEGER/INT/MEDIUMINT/SMALLINT/TINYINT/BIGINT →
//!   `Int`, BOOLEAN → `Bool`, REAL/DOUBLE/FLOAT → `Float`, TEXT → `String`, DATE → `Date`,
//!   DATETIME → `String` (the ISO text), other declared types → `Mixed` (by storage class).
//!   BLOB columns (and geometry-typed columns other than the layer's geometry) are skipped:
//!   the layer model has no binary values. SQLite is dynamically typed, so a value whose
//!   storage class disagrees with its column's type is converted when that is lossless
//!   (`'12'` in an INTEGER column is 12) and is otherwise an [`Error::Feature`] naming the
//!   fid and the column; a DATE that is not `YYYY-MM-DD` is kept as text, as in the
//!   Shapefile reader. The fid (primary key) and geometry columns are not attributes.
//! * Features are numbered 0, 1, ... in primary-key order; [`Layer::source`] is
//!   `file.gpkg:layer`, so feature references name the layer.
//! * CRS from `gpkg_spatial_ref_sys`: organisation EPSG → [`Crs::from_epsg`] (falling back
//!   to the WKT definition), else the WKT definition; srs_id 0 and -1 (undefined) give no
//!   CRS. [`ReadOptions::assume_crs`] overrides all of these.
//!
//! Writing ([`write_gpkg`]): a GeoPackage 1.3 file with one table per [`OutputTable`]
//! (spatial → `features` with a MULTIPOLYGON `geom` column and an R-tree index, otherwise
//! `attributes`), in one transaction, atomically, byte-identical for the same input.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use geo::{BoundingRect, Coord, LineString, MultiPolygon, Polygon, Rect};
use geozero::error::Result as GeozeroResult;
use geozero::wkb::{GpkgWkb, WkbDialect, WkbWriter};
use geozero::{CoordDimensions, GeomProcessor, GeozeroGeometry};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, ErrorCode, OpenFlags, params};

use crate::error::{Error, Result};
use crate::io::ReadOptions;
use crate::io::crs::{Crs, GCJ02_NAME, LOCAL_PLANAR_NAME};
use crate::io::table::OutputTable;
use crate::io::write::write_atomic_path;
use crate::layer::{Feature, Field, FieldKind, Layer, Value};

/// `PRAGMA application_id` of a GeoPackage: "GPKG" in ASCII.
pub const APPLICATION_ID: i32 = 0x4750_4B47;
/// `PRAGMA user_version` of the GeoPackage version written: 1.3.0.
pub const USER_VERSION: i32 = 10300;
/// First srs_id given to CRSs without an EPSG code (local planar, GCJ-02, proj4 strings).
const FIRST_CUSTOM_SRS_ID: i64 = 100_000;
/// Name of the geometry column written.
const GEOMETRY_COLUMN: &str = "geom";
/// Name of the primary-key column written.
const FID_COLUMN: &str = "fid";

/// One table of a GeoPackage, as listed in `gpkg_contents`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpkgLayerInfo {
    /// Table name.
    pub name: String,
    /// `gpkg_contents.data_type`: `features`, `attributes`, `tiles`, ...
    pub data_type: String,
    /// The geometry column (`gpkg_geometry_columns`), `None` for attribute tables.
    pub geometry_column: Option<String>,
    /// The declared geometry type, e.g. `MULTIPOLYGON`, `POLYGON`, `GEOMETRY`.
    pub geometry_type: Option<String>,
    /// The geometry column's srs_id (or, without one, `gpkg_contents.srs_id`).
    pub srs_id: Option<i64>,
    /// Number of rows of the table.
    pub feature_count: u64,
}

impl GpkgLayerInfo {
    /// True for a `features` table with a geometry column: one that can be an area layer.
    pub fn is_features(&self) -> bool {
        self.data_type.eq_ignore_ascii_case("features") && self.geometry_column.is_some()
    }
}

impl fmt::Display for GpkgLayerInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}", self.name, self.data_type)?;
        if let Some(t) = &self.geometry_type {
            write!(f, ", {t}")?;
        }
        write!(f, ", {} rows)", self.feature_count)
    }
}

// ---------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------

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
    let label = PathBuf::from(format!("{}:{}", path.display(), info.name));
    let Some(geometry_column) = info.geometry_column.as_deref() else {
        return Err(no_geometry_error(path, info));
    };
    let crs = match &opts.assume_crs {
        Some(c) => Some(c.clone()),
        None => crs_of_srs_id(&conn, &label, info.srs_id)?,
    };

    let columns = table_columns(&conn, path, &info.name)?;
    // The fid: the single INTEGER PRIMARY KEY column GeoPackage requires; tables without
    // one (not conforming, but readable) are ordered by rowid.
    let pk_columns: Vec<&TableColumn> = columns.iter().filter(|c| c.pk > 0).collect();
    let fid_column = match pk_columns.as_slice() {
        [c] if c.declared.eq_ignore_ascii_case("INTEGER") => Some(c.name.as_str()),
        _ => None,
    };
    let attributes: Vec<(&TableColumn, ColumnKind)> = columns
        .iter()
        .filter(|c| Some(c.name.as_str()) != fid_column)
        .filter(|c| !c.name.eq_ignore_ascii_case(geometry_column))
        .filter_map(|c| column_kind(&c.declared).map(|k| (c, k)))
        .collect();
    let schema: Vec<Field> = attributes
        .iter()
        .map(|(c, k)| Field {
            name: c.name.clone(),
            kind: k.field_kind(),
        })
        .collect();

    let fid_sql = fid_column.map_or_else(|| "rowid".to_string(), quote_identifier);
    let mut select = format!("SELECT {fid_sql}, {}", quote_identifier(geometry_column));
    for (c, _) in &attributes {
        select.push_str(", ");
        select.push_str(&quote_identifier(&c.name));
    }
    select.push_str(&format!(
        " FROM {} ORDER BY {fid_sql}",
        quote_identifier(&info.name)
    ));
    let table_error = |e: rusqlite::Error| sqlite_error(&label, &format!("reading table: {e}"), &e);
    let mut stmt = conn.prepare(&select).map_err(table_error)?;
    let mut rows = stmt.query([]).map_err(table_error)?;
    let mut features = Vec::with_capacity(usize::try_from(info.feature_count).unwrap_or(0));
    loop {
        let index = features.len();
        let row = match rows.next() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => {
                return Err(sqlite_error(
                    &label,
                    &format!("reading feature #{index}: {e}"),
                    &e,
                ));
            }
        };
        let fid = row.get_ref(0).map_err(table_error)?;
        let feature = match fid {
            ValueRef::Integer(i) => format!("#{index} (fid {i})"),
            _ => format!("#{index}"),
        };
        let feature_error = |message: String| Error::Feature {
            path: label.clone(),
            feature: feature.clone(),
            message,
        };
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
        let mut values = Vec::with_capacity(attributes.len());
        for (i, (column, kind)) in attributes.iter().enumerate() {
            let raw = row.get_ref(i + 2).map_err(table_error)?;
            let value = convert_value(*kind, raw)
                .map_err(|m| feature_error(format!("column `{}`: {m}", column.name)))?;
            values.push(value);
        }
        features.push(Feature {
            index,
            key: None,
            geometry,
            attributes: values,
        });
    }
    Ok(Layer {
        source: label,
        name: info.name.clone(),
        crs,
        schema,
        features,
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

/// An SQLite error as a parse error on `path`, explaining the codes that mean "this is not
/// a (healthy) GeoPackage".
fn sqlite_error(path: &Path, context: &str, e: &rusqlite::Error) -> Error {
    let message = match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            "not a GeoPackage: the file is not an SQLite database".to_string()
        }
        Some(ErrorCode::DatabaseCorrupt) => {
            format!("the GeoPackage is damaged or truncated ({context})")
        }
        _ => context.to_string(),
    };
    Error::Parse {
        path: path.to_path_buf(),
        line: None,
        column: None,
        message,
    }
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

/// The CRS of a srs_id of `gpkg_spatial_ref_sys`.
fn crs_of_srs_id(conn: &Connection, label: &Path, srs_id: Option<i64>) -> Result<Option<Crs>> {
    let Some(srs_id) = srs_id else {
        return Ok(None);
    };
    // 0 and -1 are the undefined geographic and Cartesian systems every GeoPackage has.
    if srs_id == 0 || srs_id == -1 {
        return Ok(None);
    }
    let row = conn.query_row(
        "SELECT srs_name, organization, organization_coordsys_id, definition, description \
         FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
        [srs_id],
        |r| {
            Ok((
                r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                r.get::<_, Option<String>>(4)?,
            ))
        },
    );
    let (srs_name, organization, coordsys_id, definition, description) = match row {
        Ok(r) => r,
        Err(rusqlite::Error::QueryReturnedNoRows) => {
            return Err(Error::Crs {
                path: label.to_path_buf(),
                message: format!(
                    "srs_id {srs_id} of the geometry column is not in gpkg_spatial_ref_sys; \
                     give the CRS with --crs"
                ),
            });
        }
        Err(e) => {
            return Err(sqlite_error(
                label,
                &format!("reading gpkg_spatial_ref_sys: {e}"),
                &e,
            ));
        }
    };
    if organization.eq_ignore_ascii_case("EPSG")
        && let Some(crs) = coordsys_id
            .and_then(|c| u32::try_from(c).ok())
            .and_then(|c| Crs::from_epsg(c).ok())
    {
        return Ok(Some(crs));
    }
    // The pseudo-CRSs that write_gpkg stores without an EPSG code.
    if srs_name == LOCAL_PLANAR_NAME {
        return Ok(Some(Crs::local_planar()));
    }
    if srs_name == GCJ02_NAME {
        return Ok(Some(Crs::gcj02()));
    }
    let definition = definition.trim();
    if definition.is_empty() || definition.eq_ignore_ascii_case("undefined") {
        // write_gpkg keeps a proj4 definition (which has no WKT here) in the description.
        if let Some(crs) = description
            .as_deref()
            .map(str::trim)
            .filter(|d| d.starts_with("+proj="))
            .and_then(|d| Crs::from_proj4(d).ok())
        {
            return Ok(Some(crs));
        }
        return Ok(Some(Crs {
            name: if srs_name.is_empty() {
                format!("srs_id {srs_id}")
            } else {
                srs_name
            },
            epsg: None,
            proj4: None,
            kind: crate::io::crs::CrsKind::Unknown,
        }));
    }
    Ok(Some(Crs::from_wkt(definition)))
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

/// ISO WKB geometry type names by code (the code modulo 1000; +1000 Z, +2000 M, +3000 ZM).
fn wkb_type_name(base: u32) -> Option<&'static str> {
    Some(match base {
        0 => "Geometry",
        1 => "Point",
        2 => "LineString",
        3 => "Polygon",
        4 => "MultiPoint",
        5 => "MultiLineString",
        6 => "MultiPolygon",
        7 => "GeometryCollection",
        8 => "CircularString",
        9 => "CompoundCurve",
        10 => "CurvePolygon",
        11 => "MultiCurve",
        12 => "MultiSurface",
        13 => "Curve",
        14 => "Surface",
        15 => "PolyhedralSurface",
        16 => "TIN",
        17 => "Triangle",
        _ => return None,
    })
}

/// Decodes a GeoPackageBinary geometry blob into a MultiPolygon; an error message
/// otherwise. The header is checked here (geozero does not look at the empty and extended
/// flags, nor at the envelope indicator's range); the WKB body is decoded by geozero.
pub(crate) fn decode_geometry(blob: &[u8]) -> std::result::Result<MultiPolygon<f64>, String> {
    if blob.len() < 8 {
        return Err(format!(
            "a geometry blob of {} bytes is too short for a GeoPackage geometry header (8 bytes)",
            blob.len()
        ));
    }
    if &blob[0..2] != b"GP" {
        return Err(format!(
            "not a GeoPackage geometry blob: it starts with bytes {:02X} {:02X} instead of the \
             `GP` magic (a SpatiaLite or plain WKB geometry?)",
            blob[0], blob[1]
        ));
    }
    if blob[2] != 0 {
        return Err(format!(
            "unsupported GeoPackageBinary version {} (version 0 is GeoPackage 1.x)",
            blob[2]
        ));
    }
    let flags = blob[3];
    if flags & 0b0010_0000 != 0 {
        return Err(
            "the geometry uses the ExtendedGeoPackageBinary encoding (a user-defined \
                    geometry type), which cannot be read as an area"
                .into(),
        );
    }
    let empty = flags & 0b0001_0000 != 0;
    let envelope_values = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 4,
        2 | 3 => 6,
        4 => 8,
        n => {
            return Err(format!(
                "invalid envelope contents indicator {n} in the GeoPackage geometry header"
            ));
        }
    };
    let header_len = 8 + 8 * envelope_values;
    if blob.len() < header_len {
        return Err(format!(
            "truncated geometry blob: the header announces a {header_len}-byte header but \
             the blob has {} bytes",
            blob.len()
        ));
    }
    let body = &blob[header_len..];
    if body.is_empty() && empty {
        return Ok(MultiPolygon::new(vec![]));
    }
    if body.len() < 5 {
        return Err(format!(
            "truncated geometry blob: {} bytes of WKB after the header",
            body.len()
        ));
    }
    let type_code = match body[0] {
        0 => u32::from_be_bytes([body[1], body[2], body[3], body[4]]),
        1 => u32::from_le_bytes([body[1], body[2], body[3], body[4]]),
        b => return Err(format!("invalid WKB byte order {b}")),
    };
    let base = type_code % 1000;
    if type_code >= 4000 || wkb_type_name(base).is_none() {
        return Err(format!("unknown WKB geometry type code {type_code}"));
    }
    if base != 3 && base != 6 {
        let name = wkb_type_name(base).unwrap_or("unknown");
        let curved = matches!(base, 8..=12);
        return Err(format!(
            "geometry type {name} is not an area; only Polygon and MultiPolygon features can \
             be read (filter or convert the layer first{})",
            if curved {
                ", e.g. `ogr2ogr -nlt MULTIPOLYGON`, which linearises curves"
            } else {
                ""
            }
        ));
    }
    let mut builder = AreaBuilder::new(blob.len());
    GpkgWkb(blob)
        .process_geom(&mut builder)
        .map_err(|e| format!("malformed WKB geometry: {e}"))?;
    Ok(MultiPolygon::new(builder.polygons))
}

/// A geozero processor that collects the polygons of a Polygon or MultiPolygon, ignoring
/// Z and M. Capacities announced by the blob are capped by the blob's size, so that a
/// corrupt count cannot make it allocate gigabytes.
struct AreaBuilder {
    max_items: usize,
    polygons: Vec<Polygon<f64>>,
    rings: Vec<LineString<f64>>,
    coords: Vec<Coord<f64>>,
}

impl AreaBuilder {
    fn new(blob_len: usize) -> Self {
        AreaBuilder {
            // A coordinate takes at least 16 bytes, a ring or polygon at least 4.
            max_items: blob_len / 4,
            polygons: Vec::new(),
            rings: Vec::new(),
            coords: Vec::new(),
        }
    }
}

impl GeomProcessor for AreaBuilder {
    fn xy(&mut self, x: f64, y: f64, _idx: usize) -> GeozeroResult<()> {
        self.coords.push(Coord { x, y });
        Ok(())
    }

    fn linestring_begin(&mut self, _tagged: bool, size: usize, _idx: usize) -> GeozeroResult<()> {
        self.coords = Vec::with_capacity(size.min(self.max_items / 4));
        Ok(())
    }

    fn linestring_end(&mut self, _tagged: bool, _idx: usize) -> GeozeroResult<()> {
        let coords = std::mem::take(&mut self.coords);
        self.rings.push(LineString::new(coords));
        Ok(())
    }

    fn polygon_begin(&mut self, _tagged: bool, size: usize, _idx: usize) -> GeozeroResult<()> {
        self.rings = Vec::with_capacity(size.min(self.max_items));
        Ok(())
    }

    fn polygon_end(&mut self, _tagged: bool, _idx: usize) -> GeozeroResult<()> {
        let mut rings = std::mem::take(&mut self.rings).into_iter();
        // A polygon without rings is an empty polygon: nothing to keep.
        if let Some(shell) = rings.next() {
            self.polygons.push(Polygon::new(shell, rings.collect()));
        }
        Ok(())
    }

    fn multipolygon_begin(&mut self, size: usize, _idx: usize) -> GeozeroResult<()> {
        self.polygons = Vec::with_capacity(size.min(self.max_items));
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------

/// WKT 1 definitions (as GDAL 3.6 writes them) of the EPSG codes landpool commonly uses;
/// other EPSG codes are written with the definition `undefined`, which GDAL and QGIS
/// resolve from the organisation and code.
const EPSG_WKT: &[(u32, &str)] = &[
    (
        4326,
        r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#,
    ),
    (
        4490,
        r#"GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4490"]]"#,
    ),
    (
        4547,
        r#"PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 114E",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",114],PARAMETER["scale_factor",1],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Northing",NORTH],AXIS["Easting",EAST],AUTHORITY["EPSG","4547"]]"#,
    ),
    (
        4526,
        r#"PROJCS["CGCS2000 / 3-degree Gauss-Kruger zone 38",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",114],PARAMETER["scale_factor",1],PARAMETER["false_easting",38500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Northing",NORTH],AXIS["Easting",EAST],AUTHORITY["EPSG","4526"]]"#,
    ),
    (
        28992,
        r#"PROJCS["Amersfoort / RD New",GEOGCS["Amersfoort",DATUM["Amersfoort",SPHEROID["Bessel 1841",6377397.155,299.1528128,AUTHORITY["EPSG","7004"]],AUTHORITY["EPSG","6289"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4289"]],PROJECTION["Oblique_Stereographic"],PARAMETER["latitude_of_origin",52.1561605555556],PARAMETER["central_meridian",5.38763888888889],PARAMETER["scale_factor",0.9999079],PARAMETER["false_easting",155000],PARAMETER["false_northing",463000],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","28992"]]"#,
    ),
    (
        31370,
        r#"PROJCS["BD72 / Belgian Lambert 72",GEOGCS["BD72",DATUM["Reseau_National_Belge_1972",SPHEROID["International 1924",6378388,297,AUTHORITY["EPSG","7022"]],AUTHORITY["EPSG","6313"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4313"]],PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["latitude_of_origin",90],PARAMETER["central_meridian",4.36748666666667],PARAMETER["standard_parallel_1",51.1666672333333],PARAMETER["standard_parallel_2",49.8333339],PARAMETER["false_easting",150000.013],PARAMETER["false_northing",5400088.438],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","31370"]]"#,
    ),
    (
        3857,
        r#"PROJCS["WGS 84 / Pseudo-Mercator",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]],PROJECTION["Mercator_1SP"],PARAMETER["central_meridian",0],PARAMETER["scale_factor",1],PARAMETER["false_easting",0],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],EXTENSION["PROJ4","+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs"],AUTHORITY["EPSG","3857"]]"#,
    ),
];

/// Engineering (local) CRS definition written for [`Crs::local_planar`].
const LOCAL_PLANAR_WKT: &str = r#"LOCAL_CS["local planar (metres, no EPSG)",LOCAL_DATUM["unknown",32767],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH]]"#;

/// The tables every GeoPackage has (DDL of the GeoPackage 1.3 specification, as GDAL
/// writes it), and the extensions table for the R-tree index.
const CORE_DDL: &str = "
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL,srs_id INTEGER NOT NULL PRIMARY KEY,organization TEXT NOT NULL,organization_coordsys_id INTEGER NOT NULL,definition  TEXT NOT NULL,description TEXT);
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY,data_type TEXT NOT NULL,identifier TEXT UNIQUE,description TEXT DEFAULT '',last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),min_x DOUBLE, min_y DOUBLE,max_x DOUBLE, max_y DOUBLE,srs_id INTEGER,CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL,column_name TEXT NOT NULL,geometry_type_name TEXT NOT NULL,srs_id INTEGER NOT NULL,z TINYINT NOT NULL,m TINYINT NOT NULL,CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),CONSTRAINT uk_gc_table_name UNIQUE (table_name),CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE gpkg_extensions (table_name TEXT,column_name TEXT,extension_name TEXT NOT NULL,definition TEXT NOT NULL,scope TEXT NOT NULL,CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
";

/// `gpkg_contents.last_change` (GeoPackage format `%Y-%m-%dT%H:%M:%fZ`). Output must be
/// byte-identical for the same input, so this is not the current time: it is
/// `SOURCE_DATE_EPOCH` (seconds, the reproducible-builds convention) when set, else the
/// Unix epoch.
fn last_change() -> String {
    last_change_from(std::env::var("SOURCE_DATE_EPOCH").ok().as_deref())
}

fn last_change_from(source_date_epoch: Option<&str>) -> String {
    let seconds = source_date_epoch
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or(0);
    chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// A row of `gpkg_spatial_ref_sys`.
struct SrsRow {
    srs_id: i64,
    name: String,
    organization: &'static str,
    coordsys_id: i64,
    definition: String,
    description: Option<String>,
}

/// The srs_ids of the CRSs of the tables: EPSG codes where known, custom ids from
/// [`FIRST_CUSTOM_SRS_ID`] on in order of first use otherwise.
#[derive(Default)]
struct SrsRegistry {
    rows: Vec<SrsRow>,
    custom: Vec<(Crs, i64)>,
}

impl SrsRegistry {
    fn srs_id(&mut self, crs: Option<&Crs>) -> i64 {
        let Some(crs) = crs else {
            // "Undefined Cartesian SRS".
            return -1;
        };
        if let Some(code) = crs.epsg {
            let id = i64::from(code);
            if id != 4326 && !self.rows.iter().any(|r| r.srs_id == id) {
                let wkt = EPSG_WKT.iter().find(|(c, _)| *c == code).map(|(_, w)| *w);
                let name = wkt
                    .and_then(|w| w.split('"').nth(1))
                    .map_or_else(|| format!("EPSG:{code}"), str::to_string);
                self.rows.push(SrsRow {
                    srs_id: id,
                    name,
                    organization: "EPSG",
                    coordsys_id: id,
                    definition: wkt.unwrap_or("undefined").to_string(),
                    description: None,
                });
            }
            return id;
        }
        if let Some((_, id)) = self.custom.iter().find(|(c, _)| c == crs) {
            return *id;
        }
        let id = FIRST_CUSTOM_SRS_ID + self.custom.len() as i64;
        let (definition, description) = if crs.name == LOCAL_PLANAR_NAME {
            (
                LOCAL_PLANAR_WKT.to_string(),
                Some("planar metres without an EPSG code".to_string()),
            )
        } else if crs.is_gcj02() {
            (
                "undefined".to_string(),
                Some("GCJ-02 longitude/latitude (WGS 84 with the Chinese offset)".to_string()),
            )
        } else {
            // Without a WKT to write, a proj4 definition is kept in the description.
            ("undefined".to_string(), crs.proj4.clone())
        };
        self.rows.push(SrsRow {
            srs_id: id,
            name: crs.name.clone(),
            organization: "NONE",
            coordsys_id: id,
            definition,
            description,
        });
        self.custom.push((crs.clone(), id));
        id
    }
}

/// `name` as an SQL identifier: in double quotes, inner double quotes doubled.
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The SQL column type of a field kind.
fn sql_type(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Bool => "BOOLEAN",
        FieldKind::Int => "INTEGER",
        FieldKind::Float => "REAL",
        FieldKind::Date => "DATE",
        FieldKind::String | FieldKind::Mixed => "TEXT",
    }
}

/// The SQL value of an attribute in a column of the given kind; an error message when the
/// value does not fit the column.
fn sql_value(kind: FieldKind, value: &Value) -> std::result::Result<SqlValue, String> {
    let misfit = || format!("value {value:?} does not fit a {kind:?} column");
    Ok(match (kind, value) {
        (_, Value::Null) => SqlValue::Null,
        // NaN would be stored as NULL by SQLite anyway; make that explicit.
        (FieldKind::Float | FieldKind::Mixed, Value::Float(f)) if f.is_nan() => SqlValue::Null,
        (FieldKind::Bool, Value::Bool(b)) => SqlValue::Integer(i64::from(*b)),
        (FieldKind::Bool, Value::Int(i @ (0 | 1))) => SqlValue::Integer(*i),
        (FieldKind::Int, Value::Int(i)) => SqlValue::Integer(*i),
        (FieldKind::Int, Value::Float(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
            SqlValue::Integer(*f as i64)
        }
        (FieldKind::Float, Value::Float(f)) => SqlValue::Real(*f),
        (FieldKind::Float, Value::Int(i)) => SqlValue::Real(*i as f64),
        (FieldKind::Date, Value::Date(d)) => SqlValue::Text(d.format("%Y-%m-%d").to_string()),
        // A text in a date column (e.g. a malformed dBase date) is kept as text.
        (FieldKind::Date, Value::Str(s)) => SqlValue::Text(s.clone()),
        // TEXT columns: the text of any value (SQLite's TEXT affinity would do the same).
        (FieldKind::String | FieldKind::Mixed, v) => {
            v.as_text().map_or(SqlValue::Null, SqlValue::Text)
        }
        _ => return Err(misfit()),
    })
}

/// Appends the GeoPackageBinary blob of a MultiPolygon to `buf` (cleared first): header
/// with srs_id and XY envelope, then little-endian ISO WKB. An empty geometry gets the
/// empty flag and no envelope. Returns the envelope.
fn encode_geometry(
    buf: &mut Vec<u8>,
    geometry: &MultiPolygon<f64>,
    srs_id: i32,
) -> std::result::Result<Option<Rect<f64>>, String> {
    buf.clear();
    if let Some(c) = geometry
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|r| r.0.iter())
        .find(|c| !(c.x.is_finite() && c.y.is_finite()))
    {
        return Err(format!(
            "non-finite coordinate ({}, {}) cannot be written",
            c.x, c.y
        ));
    }
    let envelope = geometry.bounding_rect();
    let geozero_error = |e: geozero::error::GeozeroError| format!("encoding WKB: {e}");
    let mut writer = match envelope {
        Some(r) => WkbWriter::with_opts(
            &mut *buf,
            WkbDialect::Geopackage,
            CoordDimensions::xy(),
            Some(srs_id),
            vec![r.min().x, r.max().x, r.min().y, r.max().y],
        ),
        None => {
            // geozero cannot set the empty flag: header by hand (magic, version 0, flags
            // empty + little endian, srs_id), then plain WKB.
            buf.extend_from_slice(b"GP\0");
            buf.push(0b0001_0001);
            buf.extend_from_slice(&srs_id.to_le_bytes());
            WkbWriter::new(&mut *buf, WkbDialect::Wkb)
        }
    };
    writer
        .multipolygon_begin(geometry.0.len(), 0)
        .map_err(geozero_error)?;
    for (i, polygon) in geometry.iter().enumerate() {
        writer
            .polygon_begin(false, 1 + polygon.interiors().len(), i)
            .map_err(geozero_error)?;
        for (j, ring) in std::iter::once(polygon.exterior())
            .chain(polygon.interiors())
            .enumerate()
        {
            writer
                .linestring_begin(false, ring.0.len(), j)
                .map_err(geozero_error)?;
            for (k, c) in ring.0.iter().enumerate() {
                writer.xy(c.x, c.y, k).map_err(geozero_error)?;
            }
            writer.linestring_end(false, j).map_err(geozero_error)?;
        }
        writer.polygon_end(false, i).map_err(geozero_error)?;
    }
    writer.multipolygon_end(0).map_err(geozero_error)?;
    Ok(envelope)
}

/// Checks names before anything is written: table names unique (SQLite compares them
/// case-insensitively) and not reserved, column names unique and not `fid`/`geom`, rows
/// as wide as the columns.
fn check_tables(path: &Path, tables: &[OutputTable<'_>]) -> Result<()> {
    let mut seen: HashMap<String, &str> = HashMap::new();
    for t in tables {
        let lower = t.name.to_lowercase();
        if t.name.is_empty() {
            return Err(Error::Usage(format!(
                "{}: a table without a name cannot be written",
                path.display()
            )));
        }
        if ["gpkg_", "rtree_", "sqlite_"]
            .iter()
            .any(|p| lower.starts_with(p))
        {
            return Err(Error::Usage(format!(
                "{}: table name `{}` is reserved (gpkg_, rtree_ and sqlite_ prefixes)",
                path.display(),
                t.name
            )));
        }
        if let Some(other) = seen.insert(lower, &t.name) {
            return Err(Error::Usage(format!(
                "{}: tables `{other}` and `{}` have the same name (SQLite table names are \
                 case-insensitive)",
                path.display(),
                t.name
            )));
        }
        let mut columns: HashMap<String, &str> = HashMap::new();
        columns.insert(FID_COLUMN.into(), FID_COLUMN);
        if t.spatial {
            columns.insert(GEOMETRY_COLUMN.into(), GEOMETRY_COLUMN);
        }
        for f in &t.fields {
            if f.name.is_empty() {
                return Err(Error::Usage(format!(
                    "{}: table `{}` has a column without a name",
                    path.display(),
                    t.name
                )));
            }
            if let Some(other) = columns.insert(f.name.to_lowercase(), &f.name) {
                return Err(Error::Usage(format!(
                    "{}: table `{}`: column `{}` clashes with column `{other}` (column names \
                     are case-insensitive; `{FID_COLUMN}` and `{GEOMETRY_COLUMN}` are taken)",
                    path.display(),
                    t.name,
                    f.name
                )));
            }
        }
        for (i, row) in t.rows.iter().enumerate() {
            if row.values.len() != t.fields.len() {
                return Err(Error::Feature {
                    path: PathBuf::from(format!("{}:{}", path.display(), t.name)),
                    feature: format!("row {i}"),
                    message: format!("{} values for {} columns", row.values.len(), t.fields.len()),
                });
            }
        }
    }
    Ok(())
}

/// Writes tables to a new GeoPackage 1.3 file at `path`, replacing it atomically.
///
/// Spatial tables become `features` tables: `fid INTEGER PRIMARY KEY AUTOINCREMENT`
/// (1, 2, ... in row order), a MULTIPOLYGON column `geom` (GeoPackageBinary with an XY
/// envelope; an empty geometry is written with the empty flag; a row without geometry gets
/// NULL), the fields, an R-tree spatial index `rtree_<table>_geom` (when SQLite has the
/// R-tree module) with the triggers of the GeoPackage specification, and their extent in
/// `gpkg_contents`. Other tables become `attributes` tables. Fields are typed BOOLEAN,
/// INTEGER, REAL, DATE (`YYYY-MM-DD`) or TEXT (strings and mixed values). CRSs with an
/// EPSG code get that srs_id; others get srs_ids from 100000 on; no CRS gives srs_id -1.
pub fn write_gpkg(path: &Path, tables: &[OutputTable<'_>]) -> Result<()> {
    check_tables(path, tables)?;
    write_atomic_path(path, |temp| {
        let mut conn = Connection::open(temp)
            .map_err(|e| sqlite_error(path, &format!("cannot create: {e}"), &e))?;
        write_tables(&mut conn, path, tables)?;
        conn.close()
            .map_err(|(_, e)| sqlite_error(path, &format!("closing: {e}"), &e))
    })
}

fn write_tables(conn: &mut Connection, path: &Path, tables: &[OutputTable<'_>]) -> Result<()> {
    let sql_err = |e: rusqlite::Error| sqlite_error(path, &format!("writing: {e}"), &e);
    // The file is a temporary one that is renamed only when complete (and fsynced then):
    // no rollback journal and no syncs are needed while it is written.
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; \
         PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {USER_VERSION};"
    ))
    .map_err(sql_err)?;
    let tx = conn.transaction().map_err(sql_err)?;
    tx.execute_batch(CORE_DDL).map_err(sql_err)?;

    let mut srs = SrsRegistry::default();
    let table_srs: Vec<Option<i64>> = tables
        .iter()
        .map(|t| t.spatial.then(|| srs.srs_id(t.crs.as_ref())))
        .collect();
    {
        let mut insert_srs = tx
            .prepare(
                "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, \
                 organization_coordsys_id, definition, description) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(sql_err)?;
        let wgs84 = EPSG_WKT[0].1;
        let required = [
            (
                "Undefined Cartesian SRS",
                -1,
                "NONE",
                -1,
                "undefined",
                "undefined Cartesian coordinate reference system",
            ),
            (
                "Undefined geographic SRS",
                0,
                "NONE",
                0,
                "undefined",
                "undefined geographic coordinate reference system",
            ),
            (
                "WGS 84 geodetic",
                4326,
                "EPSG",
                4326,
                wgs84,
                "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
            ),
        ];
        for (name, id, org, code, def, desc) in required {
            insert_srs
                .execute(params![name, id, org, code, def, desc])
                .map_err(sql_err)?;
        }
        for r in &srs.rows {
            insert_srs
                .execute(params![
                    r.name,
                    r.srs_id,
                    r.organization,
                    r.coordsys_id,
                    r.definition,
                    r.description
                ])
                .map_err(sql_err)?;
        }
    }

    let has_rtree = rtree_available(&tx).map_err(sql_err)?;
    let timestamp = last_change();
    let mut blob = Vec::new();
    let mut triggers = Vec::new();
    for (table, srs_id) in tables.iter().zip(table_srs) {
        let label = PathBuf::from(format!("{}:{}", path.display(), table.name));
        let t = quote_identifier(&table.name);
        let geom = quote_identifier(GEOMETRY_COLUMN);
        let fid = quote_identifier(FID_COLUMN);
        let mut ddl = format!("CREATE TABLE {t} ({fid} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL");
        if table.spatial {
            ddl.push_str(&format!(", {geom} MULTIPOLYGON"));
        }
        for f in &table.fields {
            ddl.push_str(&format!(
                ", {} {}",
                quote_identifier(&f.name),
                sql_type(f.kind)
            ));
        }
        ddl.push(')');
        tx.execute_batch(&ddl).map_err(sql_err)?;

        let rtree = quote_identifier(&format!("rtree_{}_{}", table.name, GEOMETRY_COLUMN));
        let indexed = table.spatial && has_rtree;
        if indexed {
            tx.execute_batch(&format!(
                "CREATE VIRTUAL TABLE {rtree} USING rtree(id, minx, maxx, miny, maxy)"
            ))
            .map_err(sql_err)?;
        }

        let mut columns = vec![fid.clone()];
        if table.spatial {
            columns.push(geom.clone());
        }
        columns.extend(table.fields.iter().map(|f| quote_identifier(&f.name)));
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let mut insert = tx
            .prepare(&format!(
                "INSERT INTO {t} ({}) VALUES ({})",
                columns.join(", "),
                placeholders.join(", ")
            ))
            .map_err(sql_err)?;
        let mut insert_rtree = if indexed {
            Some(
                tx.prepare(&format!("INSERT INTO {rtree} VALUES (?1, ?2, ?3, ?4, ?5)"))
                    .map_err(sql_err)?,
            )
        } else {
            None
        };
        let srs_i32 = srs_id.and_then(|s| i32::try_from(s).ok()).unwrap_or(-1);
        let mut extent: Option<Rect<f64>> = None;
        let mut values: Vec<SqlValue> = Vec::with_capacity(columns.len());
        for (i, row) in table.rows.iter().enumerate() {
            let fid_value = i as i64 + 1;
            let row_error = |message: String| Error::Feature {
                path: label.clone(),
                feature: format!("row {i}"),
                message,
            };
            values.clear();
            values.push(SqlValue::Integer(fid_value));
            let mut envelope = None;
            if table.spatial {
                match row.geometry {
                    Some(g) => {
                        envelope = encode_geometry(&mut blob, g, srs_i32).map_err(row_error)?;
                        values.push(SqlValue::Blob(blob.clone()));
                    }
                    None => values.push(SqlValue::Null),
                }
            }
            for (field, value) in table.fields.iter().zip(&row.values) {
                values.push(
                    sql_value(field.kind, value)
                        .map_err(|m| row_error(format!("column `{}`: {m}", field.name)))?,
                );
            }
            insert
                .execute(rusqlite::params_from_iter(values.iter()))
                .map_err(sql_err)?;
            if let Some(r) = envelope {
                extent = Some(match extent {
                    None => r,
                    Some(e) => Rect::new(
                        Coord {
                            x: e.min().x.min(r.min().x),
                            y: e.min().y.min(r.min().y),
                        },
                        Coord {
                            x: e.max().x.max(r.max().x),
                            y: e.max().y.max(r.max().y),
                        },
                    ),
                });
                if let Some(stmt) = insert_rtree.as_mut() {
                    stmt.execute(params![
                        fid_value,
                        r.min().x,
                        r.max().x,
                        r.min().y,
                        r.max().y
                    ])
                    .map_err(sql_err)?;
                }
            }
        }
        drop(insert);
        drop(insert_rtree);

        let data_type = if table.spatial {
            "features"
        } else {
            "attributes"
        };
        tx.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, \
             last_change, min_x, min_y, max_x, max_y, srs_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                table.name,
                data_type,
                table.name,
                table.description,
                timestamp,
                extent.map(|e| e.min().x),
                extent.map(|e| e.min().y),
                extent.map(|e| e.max().x),
                extent.map(|e| e.max().y),
                srs_id
            ],
        )
        .map_err(sql_err)?;
        if let Some(srs_id) = srs_id {
            tx.execute(
                "INSERT INTO gpkg_geometry_columns (table_name, column_name, \
                 geometry_type_name, srs_id, z, m) VALUES (?1, ?2, 'MULTIPOLYGON', ?3, 0, 0)",
                params![table.name, GEOMETRY_COLUMN, srs_id],
            )
            .map_err(sql_err)?;
        }
        if indexed {
            tx.execute(
                "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, \
                 definition, scope) VALUES (?1, ?2, 'gpkg_rtree_index', \
                 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
                params![table.name, GEOMETRY_COLUMN],
            )
            .map_err(sql_err)?;
            triggers.push(rtree_triggers(&table.name, GEOMETRY_COLUMN, FID_COLUMN));
        }
    }
    // The triggers keep the index in step with later edits (in QGIS or GDAL, which provide
    // the ST_* functions they call). They are created last: this connection has no ST_*
    // functions, and the index was filled directly above.
    for sql in triggers {
        tx.execute_batch(&sql).map_err(sql_err)?;
    }
    tx.commit().map_err(sql_err)?;
    Ok(())
}

/// Whether SQLite has the R-tree module (Debian's and the bundled one do).
fn rtree_available(conn: &Connection) -> rusqlite::Result<bool> {
    match conn.execute_batch(
        "CREATE VIRTUAL TABLE temp.landpool_rtree_probe USING rtree(id, minx, maxx); \
         DROP TABLE temp.landpool_rtree_probe;",
    ) {
        Ok(()) => Ok(true),
        Err(e) if e.to_string().contains("no such module") => Ok(false),
        Err(e) => Err(e),
    }
}

/// The R-tree triggers of the GeoPackage 1.3 specification (F.3, as GDAL 3.6 writes them).
fn rtree_triggers(table: &str, geometry: &str, fid: &str) -> String {
    let t = quote_identifier(table);
    let g = quote_identifier(geometry);
    let i = quote_identifier(fid);
    let name = |suffix: &str| quote_identifier(&format!("rtree_{table}_{geometry}_{suffix}"));
    let r = quote_identifier(&format!("rtree_{table}_{geometry}"));
    let values = format!(
        "(NEW.{i}, ST_MinX(NEW.{g}), ST_MaxX(NEW.{g}), ST_MinY(NEW.{g}), ST_MaxY(NEW.{g}))"
    );
    format!(
        "CREATE TRIGGER {insert} AFTER INSERT ON {t} WHEN (new.{g} NOT NULL AND NOT ST_IsEmpty(NEW.{g})) \
         BEGIN INSERT OR REPLACE INTO {r} VALUES {values}; END;
CREATE TRIGGER {update1} AFTER UPDATE OF {g} ON {t} WHEN OLD.{i} = NEW.{i} AND (NEW.{g} NOTNULL AND NOT ST_IsEmpty(NEW.{g})) \
         BEGIN INSERT OR REPLACE INTO {r} VALUES {values}; END;
CREATE TRIGGER {update2} AFTER UPDATE OF {g} ON {t} WHEN OLD.{i} = NEW.{i} AND (NEW.{g} ISNULL OR ST_IsEmpty(NEW.{g})) \
         BEGIN DELETE FROM {r} WHERE id = OLD.{i}; END;
CREATE TRIGGER {update3} AFTER UPDATE ON {t} WHEN OLD.{i} != NEW.{i} AND (NEW.{g} NOTNULL AND NOT ST_IsEmpty(NEW.{g})) \
         BEGIN DELETE FROM {r} WHERE id = OLD.{i}; INSERT OR REPLACE INTO {r} VALUES {values}; END;
CREATE TRIGGER {update4} AFTER UPDATE ON {t} WHEN OLD.{i} != NEW.{i} AND (NEW.{g} ISNULL OR ST_IsEmpty(NEW.{g})) \
         BEGIN DELETE FROM {r} WHERE id IN (OLD.{i}, NEW.{i}); END;
CREATE TRIGGER {delete} AFTER DELETE ON {t} WHEN old.{g} NOT NULL \
         BEGIN DELETE FROM {r} WHERE id = OLD.{i}; END;",
        insert = name("insert"),
        update1 = name("update1"),
        update2 = name("update2"),
        update3 = name("update3"),
        update4 = name("update4"),
        delete = name("delete"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn identifiers_are_quoted_with_doubled_quotes() {
        assert_eq!(quote_identifier("parcels"), "\"parcels\"");
        assert_eq!(quote_identifier("a\"b c"), "\"a\"\"b c\"");
    }

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

    fn square() -> MultiPolygon<f64> {
        MultiPolygon::new(vec![polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)],
            interiors: [[(x: 1.0, y: 1.0), (x: 1.0, y: 2.0), (x: 2.0, y: 2.0), (x: 2.0, y: 1.0)]],
        )])
    }

    #[test]
    fn blobs_round_trip_with_envelope_header() {
        let mut buf = Vec::new();
        let env = encode_geometry(&mut buf, &square(), 4547).unwrap().unwrap();
        assert_eq!(&buf[0..4], &[b'G', b'P', 0, 0b0000_0011]);
        assert_eq!(i32::from_le_bytes(buf[4..8].try_into().unwrap()), 4547);
        let minx = f64::from_le_bytes(buf[8..16].try_into().unwrap());
        let maxx = f64::from_le_bytes(buf[16..24].try_into().unwrap());
        assert_eq!((minx, maxx), (0.0, 4.0));
        assert_eq!(env.max().y, 4.0);
        // WKB: little endian MultiPolygon (6) of 1 polygon.
        assert_eq!(&buf[40..45], &[1, 6, 0, 0, 0]);
        assert_eq!(decode_geometry(&buf).unwrap(), square());

        encode_geometry(&mut buf, &MultiPolygon::new(vec![]), 4547).unwrap();
        assert_eq!(buf[3], 0b0001_0001);
        assert_eq!(buf.len(), 8 + 9);
        assert!(decode_geometry(&buf).unwrap().0.is_empty());
    }

    #[test]
    fn z_and_m_are_dropped_and_polygons_become_multipolygons() {
        // GP header without envelope, then a little-endian Polygon ZM (3003) of one ring.
        let mut blob = b"GP\0\x01".to_vec();
        blob.extend_from_slice(&0i32.to_le_bytes());
        blob.push(1);
        blob.extend_from_slice(&3003u32.to_le_bytes());
        blob.extend_from_slice(&1u32.to_le_bytes());
        let ring = [(0.0, 0.0), (2.0, 0.0), (2.0, 3.0), (0.0, 0.0)];
        blob.extend_from_slice(&(ring.len() as u32).to_le_bytes());
        for (x, y) in ring {
            for v in [x, y, 99.0, -5.0] {
                blob.extend_from_slice(&f64::to_le_bytes(v));
            }
        }
        let mp = decode_geometry(&blob).unwrap();
        assert_eq!(mp.0.len(), 1);
        assert_eq!(mp.0[0].exterior().0.len(), 4);
        assert_eq!(mp.0[0].exterior().0[2], Coord { x: 2.0, y: 3.0 });
    }

    #[test]
    fn bad_blobs_are_explained() {
        let msg = |b: &[u8]| decode_geometry(b).unwrap_err();
        assert!(msg(b"GP").contains("too short"));
        assert!(msg(b"XX\0\x01\0\0\0\0\x01\x03\0\0\0").contains("magic"));
        assert!(msg(b"GP\x01\x01\0\0\0\0\x01\x03\0\0\0").contains("version"));
        assert!(msg(b"GP\0\x21\0\0\0\0\x01\x03\0\0\0").contains("Extended"));
        assert!(msg(b"GP\0\x0b\0\0\0\0\x01\x03\0\0\0").contains("indicator 5"));
        assert!(msg(b"GP\0\x03\0\0\0\0\x01\x03\0\0\0").contains("truncated"));
        assert!(msg(b"GP\0\x01\0\0\0\0\x01\x01\0\0\0").contains("Point is not an area"));
        assert!(msg(b"GP\0\x01\0\0\0\0\x01\x0a\0\0\0").contains("linearises"));
        // A polygon announcing 2^32-1 rings in a 13-byte blob: an error, no huge allocation.
        assert!(msg(b"GP\0\x01\0\0\0\0\x01\x03\0\0\0\xff\xff\xff\xff").contains("malformed"));
    }

    #[test]
    fn values_must_fit_their_columns() {
        assert_eq!(
            sql_value(FieldKind::Int, &Value::Float(4.0)),
            Ok(SqlValue::Integer(4))
        );
        assert!(sql_value(FieldKind::Int, &Value::Float(4.5)).is_err());
        assert!(sql_value(FieldKind::Int, &Value::Str("4".into())).is_err());
        assert_eq!(
            sql_value(FieldKind::Mixed, &Value::Int(4)),
            Ok(SqlValue::Text("4".into()))
        );
        assert_eq!(
            sql_value(FieldKind::Bool, &Value::Bool(true)),
            Ok(SqlValue::Integer(1))
        );
    }

    #[test]
    fn last_change_is_source_date_epoch_or_the_unix_epoch() {
        assert_eq!(last_change_from(None), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            last_change_from(Some("garbage")),
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(
            last_change_from(Some("1700000000")),
            "2023-11-14T22:13:20.000Z"
        );
    }
}
