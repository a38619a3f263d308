//! GDAL/OGR: reading any OGR vector source, and writing result tables to a database
//! (`gdal` cargo feature; links Debian's GDAL 3.6).
//!
//! Reading: GeoPackage, FileGDB (OpenFileGDB, read-only), FlatGeobuf, Shapefile, GeoJSON and
//! PostgreSQL/PostGIS (`PG:dbname=… host=…`), with a layer name or an SQL statement. The CRS
//! comes from the data. Decisions, as in landpool's own readers:
//! * Polygon, MultiPolygon and their curve forms (CurvePolygon, MultiSurface, as FileGDB
//!   stores arcs) are read, curves linearised by GDAL's defaults, Z/M dropped; any other
//!   geometry type is an [`Error::Feature`] naming the feature.
//! * A NULL or empty geometry becomes an empty MultiPolygon, which validation reports: never
//!   dropped silently.
//! * Features are ordered by FID when the source has FIDs (a database returns rows in no
//!   particular order; FID order makes the layer, and every output, reproducible).
//! * Attribute types: Integer (Boolean subtype → Bool), Integer64 → Int, Real → Float,
//!   String → Str, Date → Date; DateTime → its ISO 8601 text (`2017-03-10T00:00:00+00:00`,
//!   which [`Value::as_date`] reads as a date: FileGDB has no date-only type); Time, lists
//!   and other types are kept as GDAL's text form. Binary columns are left out.
//!
//! Writing ([`write_tables`]): each [`OutputTable`] becomes a table, created or replaced,
//! all in one database transaction: if anything fails, the transaction is rolled back and the
//! old tables stay as they were.
//!
//! `gdal::Dataset` is `Send` but not `Sync`: a dataset is opened, read and closed on the
//! calling thread; the returned [`Layer`] is plain data.

use std::path::PathBuf;

use gdal::spatial_ref::SpatialRef;
use gdal::vector::{
    FieldValue, Geometry, LayerAccess, LayerOptions, OGRFieldType, OGRwkbGeometryType, ToGdal,
    geometry_type_flatten, geometry_type_to_name,
};
use gdal::{Dataset, DatasetOptions, GdalOpenFlags};
use geo::MultiPolygon;

use crate::error::{Error, Result};
use crate::io::ReadOptions;
use crate::io::source::{LayerSource, redact_password};
use crate::io::table::OutputTable;
use crate::model::crs::Crs;
use crate::model::layer::{Feature, Field, FieldKind, Layer, Value};
use crate::model::source_label::SourceLabel;

/// Seconds a PostgreSQL connection attempt may take before it fails, unless the connection
/// string sets `connect_timeout` itself (libpq's default is to wait for ever).
pub const DEFAULT_CONNECT_TIMEOUT_S: u32 = 10;

/// Routes GDAL's own messages: failures are not printed (landpool reports them itself, with
/// the file and layer, from GDAL's last error message); warnings go to stderr prefixed
/// `GDAL warning:`, passwords removed. GDAL's default handler would print both, raw.
/// For programs (the CLI); a library user may prefer their own handler.
pub fn route_gdal_messages() {
    gdal::config::set_error_handler(|class, _code, message| match class {
        gdal::errors::CplErrType::Warning => {
            eprintln!("GDAL warning: {}", redact_password(message.trim()));
        }
        gdal::errors::CplErrType::Failure | gdal::errors::CplErrType::Fatal => {
            RECENT_FAILURES.with(|f| {
                let mut f = f.borrow_mut();
                if f.len() < 8 {
                    f.push(redact_password(message.trim()));
                }
            });
        }
        _ => {}
    });
}

thread_local! {
    /// GDAL failures raised on this thread since [`take_first_failure`] last cleared them
    /// (filled only when [`route_gdal_messages`] is in force). GDAL's "last error" is often a
    /// consequence (`current transaction is aborted`); the first one is the cause.
    static RECENT_FAILURES: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The first GDAL failure recorded on this thread since the last call, and clears the record.
fn take_first_failure() -> Option<String> {
    RECENT_FAILURES.with(|f| {
        let mut f = f.borrow_mut();
        let first = f.first().cloned();
        f.clear();
        first
    })
}

/// One layer of an OGR source, for listings and error messages.
#[derive(Debug, Clone, PartialEq)]
pub struct OgrLayerInfo {
    pub name: String,
    /// OGR geometry type name (`Multi Polygon`, `None` for a table without geometry).
    pub geometry_type: String,
    /// Feature count, when the driver knows it cheaply.
    pub features: Option<u64>,
}

/// The string GDAL opens: the path, or the connection string with a connect timeout.
fn open_target(source: &LayerSource) -> String {
    match source {
        LayerSource::File { path, .. } => path.to_string_lossy().into_owned(),
        LayerSource::Connection { dsn, .. } => with_connect_timeout(dsn),
    }
}

/// Adds `connect_timeout=…` to a PostgreSQL connection string that has none, so that an
/// unreachable server gives an error instead of a hang.
pub fn with_connect_timeout(dsn: &str) -> String {
    let is_pg = dsn.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("pg:"));
    if is_pg && !dsn.to_ascii_lowercase().contains("connect_timeout") {
        format!("{dsn} connect_timeout={DEFAULT_CONNECT_TIMEOUT_S}")
    } else {
        dsn.to_string()
    }
}

fn open_error(source: &LayerSource, e: gdal::errors::GdalError) -> Error {
    let message = format!("GDAL could not open it: {}", gdal_message(&e));
    match source {
        LayerSource::File { path, .. } if !path.exists() => Error::Io {
            path: path.clone(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
        },
        LayerSource::File { path, .. } => Error::Parse {
            path: path.clone(),
            line: None,
            column: None,
            message,
        },
        LayerSource::Connection { .. } => Error::Database {
            source_name: source.label(),
            message,
        },
    }
}

/// GDAL's own message, without passwords it may echo back. Errors that carry only an OGR
/// code (`returned error: '6'`) get GDAL's last error message, which says what went wrong.
fn gdal_message(e: &gdal::errors::GdalError) -> String {
    let own = redact_password(e.to_string().trim());
    if matches!(e, gdal::errors::GdalError::OgrError { .. }) {
        let last = last_gdal_error();
        if !last.is_empty() && !own.contains(&last) {
            return format!("{own}: {last}");
        }
    }
    own
}

/// Opens a source read-only, as a vector dataset.
fn open(source: &LayerSource, update: bool) -> Result<Dataset> {
    let mut flags = GdalOpenFlags::GDAL_OF_VECTOR;
    if update {
        flags |= GdalOpenFlags::GDAL_OF_UPDATE;
    }
    Dataset::open_ex(
        open_target(source),
        DatasetOptions {
            open_flags: flags,
            ..Default::default()
        },
    )
    .map_err(|e| open_error(source, e))
}

fn layer_info<L: LayerAccess>(layer: &L) -> OgrLayerInfo {
    OgrLayerInfo {
        name: layer.name(),
        geometry_type: geometry_type_to_name(layer.defn().geometry_type()),
        features: layer.try_feature_count(),
    }
}

/// The layers of a source, in the order the driver lists them.
pub fn list_layers(source: &LayerSource) -> Result<Vec<OgrLayerInfo>> {
    let ds = open(source, false)?;
    Ok(ds.layers().map(|l| layer_info(&l)).collect())
}

fn describe_layers(layers: &[OgrLayerInfo]) -> String {
    if layers.is_empty() {
        return "it holds no layers".into();
    }
    let list = layers
        .iter()
        .map(|l| match l.features {
            Some(n) => format!("{} ({}, {n} features)", l.name, l.geometry_type),
            None => format!("{} ({})", l.name, l.geometry_type),
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!("available layers: {list}")
}

/// A problem with the layer asked for (missing, several to choose from, no geometry): the
/// caller named the wrong thing, a usage error as in the GeoPackage reader.
fn wrong_layer(source: &LayerSource, message: String) -> Error {
    Error::Usage(format!("{source}: {message}"))
}

/// A problem reading the layer's data (an SQL statement that fails, a driver error).
fn layer_problem(source: &LayerSource, message: String) -> Error {
    match source {
        LayerSource::File { path, .. } => Error::Feature {
            path: path.clone(),
            feature: "(layer)".into(),
            message,
        },
        LayerSource::Connection { .. } => Error::Database {
            source_name: source.label(),
            message,
        },
    }
}

/// Reads one area layer of an OGR source into a [`Layer`].
pub fn read_ogr(source: &LayerSource, opts: &ReadOptions) -> Result<Layer> {
    let ds = open(source, false)?;
    let all: Vec<OgrLayerInfo> = ds.layers().map(|l| layer_info(&l)).collect();
    let sql = match source {
        LayerSource::Connection { sql, .. } => sql.clone(),
        LayerSource::File { .. } => None,
    };
    if let Some(sql) = sql {
        let result = ds
            .execute_sql(&sql, None, gdal::vector::sql::Dialect::DEFAULT)
            .map_err(|e| {
                layer_problem(
                    source,
                    format!("the SQL statement failed: {}", gdal_message(&e)),
                )
            })?;
        let Some(mut layer) = result else {
            return Err(layer_problem(
                source,
                "the SQL statement returned no rows set (use a SELECT)".into(),
            ));
        };
        return convert_layer(source, &mut *layer, opts);
    }
    match source.layer() {
        Some(name) => {
            let mut layer = ds.layer_by_name(name).map_err(|_| {
                wrong_layer(
                    source,
                    format!("no layer named `{name}`; {}", describe_layers(&all)),
                )
            })?;
            convert_layer(source, &mut layer, opts)
        }
        None if all.len() == 1 => {
            let mut layer = ds
                .layer(0)
                .map_err(|e| layer_problem(source, gdal_message(&e)))?;
            convert_layer(source, &mut layer, opts)
        }
        None => Err(wrong_layer(
            source,
            format!(
                "the source holds {} layers: name one (`file:layer`, or `layer = …` in the \
                 project file); {}",
                all.len(),
                describe_layers(&all)
            ),
        )),
    }
}

/// The CRS an OGR layer declares: its EPSG code when it has (or GDAL can identify) one, else
/// its WKT.
fn layer_crs(srs: &SpatialRef) -> Option<Crs> {
    let epsg = |s: &SpatialRef| -> Option<u32> {
        let auth = s.auth_name()?;
        if !auth.eq_ignore_ascii_case("EPSG") {
            return None;
        }
        s.auth_code().ok().and_then(|c| u32::try_from(c).ok())
    };
    let code = epsg(srs).or_else(|| {
        let mut copy = srs.clone();
        copy.auto_identify_epsg().ok()?;
        epsg(&copy)
    });
    if let Some(code) = code
        && let Ok(crs) = Crs::from_epsg(code)
    {
        return Some(crs);
    }
    srs.to_wkt().ok().map(|wkt| Crs::from_wkt(&wkt))
}

/// What landpool keeps of an OGR field.
#[derive(Debug, Clone, Copy)]
enum FieldMapping {
    Bool,
    Int,
    Float,
    Date,
    DateTime,
    Text,
    Skip,
}

fn field_mappings<L: LayerAccess>(layer: &L) -> Vec<(String, FieldMapping)> {
    let defn_handle = unsafe { gdal_sys::OGR_L_GetLayerDefn(layer.c_layer()) };
    layer
        .defn()
        .fields()
        .enumerate()
        .map(|(i, f)| {
            let subtype = i32::try_from(i)
                .ok()
                .map(|i| unsafe {
                    let fd = gdal_sys::OGR_FD_GetFieldDefn(defn_handle, i);
                    if fd.is_null() {
                        gdal_sys::OGRFieldSubType::OFSTNone
                    } else {
                        gdal_sys::OGR_Fld_GetSubType(fd)
                    }
                })
                .unwrap_or(gdal_sys::OGRFieldSubType::OFSTNone);
            let mapping = match f.field_type() {
                OGRFieldType::OFTInteger if subtype == gdal_sys::OGRFieldSubType::OFSTBoolean => {
                    FieldMapping::Bool
                }
                OGRFieldType::OFTInteger | OGRFieldType::OFTInteger64 => FieldMapping::Int,
                OGRFieldType::OFTReal => FieldMapping::Float,
                OGRFieldType::OFTDate => FieldMapping::Date,
                OGRFieldType::OFTDateTime => FieldMapping::DateTime,
                OGRFieldType::OFTBinary => FieldMapping::Skip,
                _ => FieldMapping::Text,
            };
            (f.name(), mapping)
        })
        .collect()
}

fn read_value(
    feature: &gdal::vector::Feature,
    i: usize,
    mapping: FieldMapping,
) -> std::result::Result<Value, String> {
    let err = |e: gdal::errors::GdalError| gdal_message(&e);
    // OGR tells "unset" (FlatGeobuf, GeoJSON: the property is absent) apart from NULL; the
    // safe API tests only NULL and reads an unset integer as 0. Both are no value here.
    let idx = i32::try_from(i).map_err(|_| format!("field index {i} out of range"))?;
    // SAFETY: the handle belongs to `feature`, alive for this call; `idx` is a field of it.
    if unsafe { gdal_sys::OGR_F_IsFieldSetAndNotNull(feature.c_feature(), idx) } == 0 {
        return Ok(Value::Null);
    }
    Ok(match mapping {
        FieldMapping::Skip => Value::Null,
        FieldMapping::Bool => match feature.field(i).map_err(err)? {
            None => Value::Null,
            Some(v) => Value::Bool(v.into_int64().unwrap_or(0) != 0),
        },
        FieldMapping::Int => match feature.field(i).map_err(err)? {
            None => Value::Null,
            Some(v) => v.into_int64().map_or(Value::Null, Value::Int),
        },
        FieldMapping::Float => match feature.field(i).map_err(err)? {
            None => Value::Null,
            Some(FieldValue::RealValue(x)) => Value::Float(x),
            Some(other) => other.into_real().map_or(Value::Null, Value::Float),
        },
        FieldMapping::Date => match feature.field(i).map_err(err)? {
            None => Value::Null,
            Some(v) => v.into_date().map_or(Value::Null, Value::Date),
        },
        // Some drivers (FlatGeobuf) hold text GDAL cannot split into a date and time: then
        // the text itself (empty text: no value).
        FieldMapping::DateTime => match feature.field(i) {
            Ok(None) => Value::Null,
            Ok(Some(v)) => v
                .into_datetime()
                .map_or(Value::Null, |t| Value::Str(t.to_rfc3339())),
            Err(_) => match feature.field_as_string(i).map_err(err)? {
                Some(text) if !text.trim().is_empty() => Value::Str(text),
                _ => Value::Null,
            },
        },
        FieldMapping::Text => match feature.field_as_string(i).map_err(err)? {
            None => Value::Null,
            Some(s) => Value::Str(s),
        },
    })
}

fn convert_layer<L: LayerAccess>(
    source: &LayerSource,
    layer: &mut L,
    opts: &ReadOptions,
) -> Result<Layer> {
    let name = layer.name();
    let source_label = match source {
        LayerSource::File { path, layer: None } => SourceLabel::file(path, Some(&name)),
        _ => source.source_label(),
    };
    let feature_path = source_label.to_path_buf();
    let geometry_fields = layer.defn().geom_fields().count();
    if geometry_fields == 0 || layer.defn().geometry_type() == OGRwkbGeometryType::wkbNone {
        return Err(wrong_layer(
            source,
            format!(
                "layer `{name}` has no geometry column: it is an attribute table, not an area \
                 layer"
            ),
        ));
    }
    let crs = match &opts.assume_crs {
        Some(c) => Some(c.clone()),
        None => layer.spatial_ref().and_then(|s| layer_crs(&s)),
    };
    let mappings = field_mappings(layer);
    let schema: Vec<Field> = mappings
        .iter()
        .filter(|(_, m)| !matches!(m, FieldMapping::Skip))
        .map(|(n, m)| Field {
            name: n.clone(),
            kind: match m {
                FieldMapping::Bool => FieldKind::Bool,
                FieldMapping::Int => FieldKind::Int,
                FieldMapping::Float => FieldKind::Float,
                FieldMapping::Date => FieldKind::Date,
                FieldMapping::DateTime | FieldMapping::Text | FieldMapping::Skip => {
                    FieldKind::String
                }
            },
        })
        .collect();

    let mut rows: Vec<(Option<u64>, MultiPolygon<f64>, Vec<Value>)> = Vec::new();
    for (n, feature) in layer.features().enumerate() {
        let fid = feature.fid();
        let feature_label = || match fid {
            Some(fid) => format!("#{n} (fid {fid})"),
            None => format!("#{n}"),
        };
        let geometry = match feature.geometry() {
            None => MultiPolygon::new(vec![]),
            Some(g) => to_multipolygon(g).map_err(|message| Error::Feature {
                path: feature_path.clone(),
                feature: feature_label(),
                message,
            })?,
        };
        let mut attributes = Vec::with_capacity(schema.len());
        for (i, (field, mapping)) in mappings.iter().enumerate() {
            if matches!(mapping, FieldMapping::Skip) {
                continue;
            }
            let value = read_value(&feature, i, *mapping).map_err(|message| Error::Feature {
                path: feature_path.clone(),
                feature: feature_label(),
                message: format!("attribute `{field}`: {message}"),
            })?;
            attributes.push(value);
        }
        rows.push((fid, geometry, attributes));
    }
    // A stable sort keeps the driver's order where FIDs are missing or tie.
    if rows.iter().all(|(fid, _, _)| fid.is_some()) {
        rows.sort_by_key(|(fid, _, _)| *fid);
    }
    let features = rows
        .into_iter()
        .enumerate()
        .map(|(index, (_, geometry, attributes))| Feature {
            index,
            key: None,
            geometry,
            attributes,
        })
        .collect();
    Ok(Layer {
        source: source_label,
        name,
        crs,
        schema,
        features,
    })
}

/// An OGR area geometry as a 2-D MultiPolygon; curves are linearised.
fn to_multipolygon(g: &Geometry) -> std::result::Result<MultiPolygon<f64>, String> {
    use OGRwkbGeometryType as T;
    if g.is_empty() {
        return Ok(MultiPolygon::new(vec![]));
    }
    let ty = g.geometry_type();
    let flat = geometry_type_flatten(ty);
    let plain = match ty {
        T::wkbPolygon | T::wkbMultiPolygon => g.clone(),
        _ if matches!(
            flat,
            T::wkbPolygon | T::wkbMultiPolygon | T::wkbCurvePolygon | T::wkbMultiSurface
        ) =>
        {
            linear_2d(g)?
        }
        _ => {
            return Err(format!(
                "geometry type {} is not an area; only (Multi)Polygon and (Multi)Surface \
                 features can be read (filter or convert the layer first)",
                geometry_type_to_name(ty)
            ));
        }
    };
    match plain.to_geo().map_err(|e| gdal_message(&e))? {
        geo::Geometry::Polygon(p) => Ok(MultiPolygon::new(vec![p])),
        geo::Geometry::MultiPolygon(mp) => Ok(mp),
        other => Err(format!(
            "geometry converted to an unexpected {:?} type",
            std::mem::discriminant(&other)
        )),
    }
}

/// A linear, 2-D MultiPolygon copy of a curve or Z/M area geometry, through GDAL.
fn linear_2d(g: &Geometry) -> std::result::Result<Geometry, String> {
    // SAFETY: every handle made here is owned by this function and destroyed before it
    // returns; `g`'s handle is only read.
    unsafe {
        let linear = gdal_sys::OGR_G_GetLinearGeometry(g.c_geometry(), 0.0, std::ptr::null_mut());
        if linear.is_null() {
            return Err("GDAL could not linearise the curve geometry".into());
        }
        // Takes ownership of `linear` and returns the (possibly new) geometry.
        let multi = gdal_sys::OGR_G_ForceToMultiPolygon(linear);
        if multi.is_null() {
            return Err("GDAL could not make a MultiPolygon of the geometry".into());
        }
        gdal_sys::OGR_G_FlattenTo2D(multi);
        let size = gdal_sys::OGR_G_WkbSize(multi);
        let mut wkb = vec![0u8; usize::try_from(size).unwrap_or(0)];
        let err =
            gdal_sys::OGR_G_ExportToWkb(multi, gdal_sys::OGRwkbByteOrder::wkbNDR, wkb.as_mut_ptr());
        gdal_sys::OGR_G_DestroyGeometry(multi);
        if err != gdal_sys::OGRErr::OGRERR_NONE {
            return Err("GDAL could not export the linearised geometry".into());
        }
        Geometry::from_wkb(&wkb).map_err(|e| gdal_message(&e))
    }
}

/// The spatial reference GDAL is given for a landpool CRS.
fn spatial_ref(crs: &Crs) -> Result<SpatialRef> {
    let made = match (crs.epsg, &crs.proj4) {
        (Some(code), _) => SpatialRef::from_epsg(code),
        (None, Some(p4)) => SpatialRef::from_proj4(p4),
        (None, None) => {
            return Err(Error::Crs {
                path: PathBuf::from(&crs.name),
                message: "this CRS has neither an EPSG code nor a proj4 definition to write".into(),
            });
        }
    };
    let mut srs = made.map_err(|e| Error::Crs {
        path: PathBuf::from(&crs.name),
        message: gdal_message(&e),
    })?;
    // Coordinates are (x = easting/longitude, y = northing/latitude), whatever the
    // authority's axis order.
    srs.set_axis_mapping_strategy(gdal::spatial_ref::AxisMappingStrategy::TraditionalGisOrder);
    Ok(srs)
}

/// Adds a column; booleans get OGR's Boolean subtype (PostgreSQL `boolean`), which the
/// safe API cannot set.
fn add_field<L: LayerAccess>(layer: &L, field: &Field) -> std::result::Result<(), String> {
    let name = std::ffi::CString::new(field.name.as_str())
        .map_err(|_| "the name holds a NUL character".to_string())?;
    // SAFETY: the field definition is created, used and destroyed here; OGR_L_CreateField
    // copies it.
    unsafe {
        let defn = gdal_sys::OGR_Fld_Create(name.as_ptr(), ogr_field_type(field.kind));
        if defn.is_null() {
            return Err("GDAL could not make the field definition".into());
        }
        if field.kind == FieldKind::Bool {
            gdal_sys::OGR_Fld_SetSubType(defn, gdal_sys::OGRFieldSubType::OFSTBoolean);
        }
        let err = gdal_sys::OGR_L_CreateField(layer.c_layer(), defn, 1);
        gdal_sys::OGR_Fld_Destroy(defn);
        if err != gdal_sys::OGRErr::OGRERR_NONE {
            return Err(last_gdal_error());
        }
    }
    Ok(())
}

/// GDAL's last error message (for calls made through gdal-sys).
fn last_gdal_error() -> String {
    // SAFETY: CPLGetLastErrorMsg returns a pointer to a thread-local, NUL-terminated string.
    let msg = unsafe { std::ffi::CStr::from_ptr(gdal_sys::CPLGetLastErrorMsg()) };
    redact_password(msg.to_string_lossy().trim())
}

fn ogr_field_type(kind: FieldKind) -> OGRFieldType::Type {
    match kind {
        FieldKind::Bool => OGRFieldType::OFTInteger,
        FieldKind::Int => OGRFieldType::OFTInteger64,
        FieldKind::Float => OGRFieldType::OFTReal,
        FieldKind::Date => OGRFieldType::OFTDate,
        FieldKind::String | FieldKind::Mixed => OGRFieldType::OFTString,
    }
}

/// Writes tables to a database (or any OGR data source that supports transactions),
/// creating or replacing each table `prefix + table.name`, all in one transaction: on any
/// failure nothing is changed.
pub fn write_tables(dsn: &str, tables: &[OutputTable], prefix: &str) -> Result<()> {
    let source = LayerSource::Connection {
        dsn: dsn.to_string(),
        layer: None,
        sql: None,
    };
    let db_error = |message: String| Error::Database {
        source_name: source.label(),
        message,
    };
    let mut ds = open(&source, true)?;
    take_first_failure();
    let mut txn = ds.start_transaction().map_err(|e| {
        db_error(format!(
            "cannot start a transaction ({}); landpool writes only where a failure can be \
             rolled back",
            gdal_message(&e)
        ))
    })?;
    for table in tables {
        let name = format!("{prefix}{}", table.name);
        write_one_table(&mut txn, &name, table).map_err(|e| match e {
            Error::Database { message, .. } => {
                let cause = take_first_failure()
                    .filter(|c| !message.contains(c.as_str()))
                    .map_or(String::new(), |c| format!("; first GDAL error: {c}"));
                db_error(format!(
                    "table {name}: {message}{cause} (rolled back: no table was changed)"
                ))
            }
            other => other,
        })?;
    }
    // Dropping an uncommitted transaction rolls it back; commit only when all went well.
    txn.commit()
        .map_err(|e| db_error(format!("commit failed: {}", gdal_message(&e))))
}

fn write_one_table(ds: &mut Dataset, name: &str, table: &OutputTable) -> Result<()> {
    let db = |message: String| Error::Database {
        source_name: String::new(),
        message,
    };
    // Asking for the table by name first makes drivers that list only spatial tables (PG)
    // know an attribute table too, so that it can be dropped like the others.
    let known = ds.layer_by_name(name).is_ok();
    let existing = known
        .then(|| ds.layers().position(|l| l.name() == name))
        .flatten();
    if let Some(i) = existing {
        ds.delete_layer(i)
            .map_err(|e| db(format!("cannot drop the old table: {}", gdal_message(&e))))?;
    }
    let srs = match (&table.crs, table.spatial) {
        (Some(crs), true) => Some(spatial_ref(crs)?),
        _ => None,
    };
    let description = format!("DESCRIPTION={}", table.description);
    let layer_options: Vec<&str> = if table.spatial {
        vec!["GEOMETRY_NAME=geom", "FID=fid", "LAUNDER=NO", &description]
    } else {
        vec!["FID=fid", "LAUNDER=NO", &description]
    };
    let layer = ds
        .create_layer(LayerOptions {
            name,
            srs: srs.as_ref(),
            ty: if table.spatial {
                OGRwkbGeometryType::wkbMultiPolygon
            } else {
                OGRwkbGeometryType::wkbNone
            },
            options: Some(&layer_options),
        })
        .map_err(|e| db(format!("cannot create it: {}", gdal_message(&e))))?;
    for field in &table.fields {
        add_field(&layer, field)
            .map_err(|message| db(format!("cannot add column {}: {message}", field.name)))?;
    }
    let defn = layer.defn();
    for (n, row) in table.rows.iter().enumerate() {
        let row_error = |what: String| db(format!("row {n}: {what}"));
        let mut feature =
            gdal::vector::Feature::new(defn).map_err(|e| row_error(gdal_message(&e)))?;
        for (i, value) in row.values.iter().enumerate() {
            let set = match value {
                Value::Null => feature.set_field_null(i),
                Value::Bool(b) => feature.set_field_integer(i, i32::from(*b)),
                Value::Int(x) => feature.set_field_integer64(i, *x),
                Value::Float(x) if x.is_finite() => feature.set_field_double(i, *x),
                Value::Float(_) => feature.set_field_null(i),
                Value::Date(d) => {
                    let midnight = d
                        .and_hms_opt(0, 0, 0)
                        .map(|t| t.and_utc().fixed_offset())
                        .ok_or_else(|| row_error(format!("bad date {d}")))?;
                    feature.set_field_datetime(i, midnight)
                }
                Value::Str(s) => {
                    if s.contains('\0') {
                        return Err(row_error(format!(
                            "column {} holds a NUL character",
                            table.fields[i].name
                        )));
                    }
                    feature.set_field_string(i, s)
                }
            };
            set.map_err(|e| row_error(gdal_message(&e)))?;
        }
        if table.spatial
            && let Some(g) = row.geometry
            && !g.0.is_empty()
        {
            let geometry = g.to_gdal().map_err(|e| row_error(gdal_message(&e)))?;
            feature
                .set_geometry(geometry)
                .map_err(|e| row_error(gdal_message(&e)))?;
        }
        feature
            .create(&layer)
            .map_err(|e| row_error(gdal_message(&e)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_strings_get_a_connect_timeout_unless_they_have_one() {
        assert_eq!(
            with_connect_timeout("PG:dbname=x"),
            format!("PG:dbname=x connect_timeout={DEFAULT_CONNECT_TIMEOUT_S}")
        );
        assert_eq!(
            with_connect_timeout("pg:dbname=x connect_timeout=3"),
            "pg:dbname=x connect_timeout=3"
        );
        assert_eq!(with_connect_timeout("MySQL:db"), "MySQL:db");
        // Not a char boundary at byte 3: no panic.
        assert_eq!(with_connect_timeout("P中x"), "P中x");
    }
}
