//! Writing an output table in the format its path (or `--format`) asks for.

use std::fmt;
use std::path::Path;

use crate::error::{Error, Result};
use crate::io::table::OutputTable;

/// The file formats an [`OutputTable`] with geometries can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// GeoJSON FeatureCollection (`.geojson`), streamed.
    GeoJson,
    /// FlatGeobuf (`.fgb`), MultiPolygons in table order.
    FlatGeobuf,
    /// GeoParquet 1.1 (`.parquet`), WKB geometry, `parquet` feature.
    GeoParquet,
}

impl TableFormat {
    /// The format named by a file extension (case-insensitive): `geojson`, `fgb`,
    /// `parquet`; `None` for any other.
    pub fn from_extension(path: &Path) -> Option<TableFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        TableFormat::from_name(&ext)
    }

    /// The format of a `--format` value: `geojson`, `fgb`/`flatgeobuf`, `parquet`/
    /// `geoparquet`; `None` for any other.
    pub fn from_name(name: &str) -> Option<TableFormat> {
        match name.to_ascii_lowercase().as_str() {
            "geojson" => Some(TableFormat::GeoJson),
            "fgb" | "flatgeobuf" => Some(TableFormat::FlatGeobuf),
            "parquet" | "geoparquet" => Some(TableFormat::GeoParquet),
            _ => None,
        }
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::GeoJson => "geojson",
            TableFormat::FlatGeobuf => "fgb",
            TableFormat::GeoParquet => "parquet",
        }
    }

    /// Whether this build can write the format (GeoParquet needs the `parquet` feature).
    pub fn available(self) -> bool {
        self != TableFormat::GeoParquet || cfg!(feature = "parquet")
    }
}

impl fmt::Display for TableFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TableFormat::GeoJson => "GeoJSON",
            TableFormat::FlatGeobuf => "FlatGeobuf",
            TableFormat::GeoParquet => "GeoParquet",
        })
    }
}

/// Writes a table to `path` in `format`, atomically (every writer replaces the file in one
/// rename). GeoParquet without the `parquet` feature is a usage error.
pub fn write_table(path: &Path, table: &OutputTable<'_>, format: TableFormat) -> Result<()> {
    match format {
        TableFormat::GeoJson => super::write_table_geojson(path, table),
        TableFormat::FlatGeobuf => crate::io::fgb::write_table_fgb(path, table),
        TableFormat::GeoParquet => write_parquet(path, table),
    }
}

#[cfg(feature = "parquet")]
fn write_parquet(path: &Path, table: &OutputTable<'_>) -> Result<()> {
    crate::io::parquet::write_table_parquet(path, table)
}

#[cfg(not(feature = "parquet"))]
fn write_parquet(path: &Path, _table: &OutputTable<'_>) -> Result<()> {
    Err(Error::Usage(format!(
        "{}: writing GeoParquet needs a build with the `parquet` feature (on by default)",
        path.display()
    )))
}

/// Reads a `--format` value for a table output: a usage error naming the formats for an
/// unknown one, or for GeoParquet in a build without it.
pub fn parse_table_format(name: &str) -> Result<TableFormat> {
    let format = TableFormat::from_name(name).ok_or_else(|| {
        Error::Usage(format!(
            "--format {name}: unknown table format; use geojson, fgb or parquet"
        ))
    })?;
    if !format.available() {
        return Err(Error::Usage(format!(
            "--format {name}: this build was made without the `parquet` feature"
        )));
    }
    Ok(format)
}
