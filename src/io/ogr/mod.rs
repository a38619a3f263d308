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

mod fields;
mod messages;
mod read;
mod write;

use fields::*;
use messages::*;

pub use messages::route_gdal_messages;
pub use read::read_ogr;
pub use write::write_tables;

/// Seconds a PostgreSQL connection attempt may take before it fails, unless the connection
/// string sets `connect_timeout` itself (libpq's default is to wait for ever).
pub const DEFAULT_CONNECT_TIMEOUT_S: u32 = 10;

/// One layer of an OGR source, for listings and error messages.
#[derive(Debug, Clone, PartialEq)]
pub struct OgrLayerInfo {
    /// Layer name.
    pub name: String,
    /// OGR geometry type name (`Multi Polygon`, `None` for a table without geometry).
    pub geometry_type: String,
    /// Feature count, when the driver knows it cheaply.
    pub features: Option<u64>,
}

/// The string GDAL opens: the path, or the connection string with a connect timeout.
pub(super) fn open_target(source: &LayerSource) -> String {
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

pub(super) fn open_error(source: &LayerSource, e: gdal::errors::GdalError) -> Error {
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

/// Opens a source read-only, as a vector dataset.
pub(super) fn open(source: &LayerSource, update: bool) -> Result<Dataset> {
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

pub(super) fn layer_info<L: LayerAccess>(layer: &L) -> OgrLayerInfo {
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

pub(super) fn describe_layers(layers: &[OgrLayerInfo]) -> String {
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
pub(super) fn wrong_layer(source: &LayerSource, message: String) -> Error {
    Error::Usage(format!("{source}: {message}"))
}

/// A problem reading the layer's data (an SQL statement that fails, a driver error).
pub(super) fn layer_problem(source: &LayerSource, message: String) -> Error {
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
