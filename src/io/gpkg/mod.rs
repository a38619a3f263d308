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
//! * Features are numbered 0, 1, ... in primary-key order; `Layer::source` is
//!   `file.gpkg:layer`, so feature references name the layer.
//! * CRS from `gpkg_spatial_ref_sys`: organisation EPSG → `Crs::from_epsg` (falling back
//!   to the WKT definition), else the WKT definition; srs_id 0 and -1 (undefined) give no
//!   CRS. `ReadOptions::assume_crs` overrides all of these.
//!
//! Writing ([`write_gpkg`]): a GeoPackage 1.3 file with one table per `OutputTable`
//! (spatial → `features` with a MULTIPOLYGON `geom` column and an R-tree index, otherwise
//! `attributes`), in one transaction, atomically, byte-identical for the same input.

use std::fmt;
use std::path::Path;

use rusqlite::ErrorCode;

use crate::error::Error;

pub(crate) mod blob;
mod read;
mod srs;
mod write;

pub use read::{list_layers, read_gpkg};
pub use write::write_gpkg;

/// `PRAGMA application_id` of a GeoPackage: "GPKG" in ASCII.
pub const APPLICATION_ID: i32 = 0x4750_4B47;
/// `PRAGMA user_version` of the GeoPackage version written: 1.3.0.
pub const USER_VERSION: i32 = 10300;
/// Name of the geometry column written.
pub(crate) const GEOMETRY_COLUMN: &str = "geom";
/// Name of the primary-key column written.
pub(crate) const FID_COLUMN: &str = "fid";

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

/// An SQLite error as a parse error on `path`, explaining the codes that mean "this is not
/// a (healthy) GeoPackage".
pub(crate) fn sqlite_error(path: &Path, context: &str, e: &rusqlite::Error) -> Error {
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

/// `name` as an SQL identifier: in double quotes, inner double quotes doubled.
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_with_doubled_quotes() {
        assert_eq!(quote_identifier("parcels"), "\"parcels\"");
        assert_eq!(quote_identifier("a\"b c"), "\"a\"\"b c\"");
    }
}
