//! Where a layer comes from: a file (with the layer inside it when it holds several) or a
//! database connection.
//!
//! Written by users as one string, on the command line or in a project file:
//! - `parcels.geojson`, `parcels.shp` — a single-layer file;
//! - `district.gpkg:parcels`, `district.gdb:parcels` — a layer of a multi-layer file
//!   (without `:layer`, the file must hold exactly one layer);
//! - `PG:dbname=landpool host=127.0.0.1 tables=parcels` — a GDAL connection string
//!   (`gdal` feature); the layer may also be named separately, or replaced by SQL.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::model::source_label::SourceLabel;
pub use crate::model::source_label::redact_password;

/// Extensions of files (or folders, for FileGDB) that may hold several layers, so that a
/// `:layer` suffix after them names one.
/// (FlatGeobuf and GeoParquet files hold one layer: they are listed so that a `:layer` after
/// them is refused with a clear message rather than taken as part of the file name.)
const MULTI_LAYER_EXTENSIONS: &[&str] = &[
    "gpkg", "gdb", "sqlite", "db", "fgb", "parquet", "gml", "kml",
];

/// A layer source, parsed from what the user wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayerSource {
    /// A file or folder, and the layer inside it when it holds several.
    File {
        /// The file or folder.
        path: PathBuf,
        /// The layer inside it, when named.
        layer: Option<String>,
    },
    /// A GDAL connection string such as `PG:dbname=… host=…` (needs the `gdal` feature), with
    /// the layer (table) to read, or an SQL statement whose result is the layer.
    Connection {
        /// The connection string as given (it may hold a password: never print it).
        dsn: String,
        /// The layer (table) to read, when named.
        layer: Option<String>,
        /// An SQL statement whose result is the layer.
        sql: Option<String>,
    },
}

impl LayerSource {
    /// Parses `path`, `path.gpkg:layer` or a connection string `DRIVER:…`.
    pub fn parse(text: &str) -> LayerSource {
        if is_connection_string(text) {
            return LayerSource::Connection {
                dsn: text.to_string(),
                layer: None,
                sql: None,
            };
        }
        if let Some((file, layer)) = text.rsplit_once(':') {
            let ext = Path::new(file)
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase)
                .unwrap_or_default();
            if !layer.is_empty()
                && !layer.contains('/')
                && MULTI_LAYER_EXTENSIONS.contains(&ext.as_str())
            {
                return LayerSource::File {
                    path: PathBuf::from(file),
                    layer: Some(layer.to_string()),
                };
            }
        }
        LayerSource::File {
            path: PathBuf::from(text),
            layer: None,
        }
    }

    /// A file source.
    pub fn file(path: impl Into<PathBuf>) -> LayerSource {
        LayerSource::File {
            path: path.into(),
            layer: None,
        }
    }

    /// Sets the layer (table) name.
    pub fn with_layer(mut self, name: Option<String>) -> LayerSource {
        if name.is_some() {
            match &mut self {
                LayerSource::File { layer, .. } | LayerSource::Connection { layer, .. } => {
                    *layer = name
                }
            }
        }
        self
    }

    /// Relative file paths are taken relative to `base` (the project file's folder).
    pub fn resolve(self, base: &Path) -> LayerSource {
        match self {
            LayerSource::File { path, layer } if path.is_relative() => LayerSource::File {
                path: base.join(path),
                layer,
            },
            other => other,
        }
    }

    /// The file path, for file sources.
    pub fn path(&self) -> Option<&Path> {
        match self {
            LayerSource::File { path, .. } => Some(path),
            LayerSource::Connection { .. } => None,
        }
    }

    /// The layer name asked for, if any.
    pub fn layer(&self) -> Option<&str> {
        match self {
            LayerSource::File { layer, .. } | LayerSource::Connection { layer, .. } => {
                layer.as_deref()
            }
        }
    }

    /// The lower-case extension of a file source (`""` for connections and bare names).
    pub fn extension(&self) -> String {
        self.path()
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default()
    }

    /// How the source is named in messages and in feature references: the path (with
    /// `:layer`), or the connection string without its password.
    pub fn label(&self) -> String {
        self.to_string()
    }

    /// The typed label of the layer read from this source (see [`SourceLabel`]).
    pub fn source_label(&self) -> SourceLabel {
        match self {
            LayerSource::File { path, layer } => SourceLabel::file(path, layer.as_deref()),
            LayerSource::Connection { dsn, layer, sql } => {
                SourceLabel::database(dsn, layer.as_deref(), sql.as_deref())
            }
        }
    }
}

impl fmt::Display for LayerSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.source_label().fmt(f)
    }
}

/// GDAL connection-string prefixes (`PG:dbname=…`) of the database and web-service drivers.
const CONNECTION_PREFIXES: &[&str] = &[
    "PG",
    "MYSQL",
    "MSSQL",
    "OCI",
    "ODBC",
    "DB2ODBC",
    "HANA",
    "SDE",
    "WFS",
    "OAPIF",
    "ES",
    "MONGODBV3",
    "COUCHDB",
    "CARTO",
    "NGW",
    "EEDA",
    "PLSCENES",
    "AMIGOCLOUD",
];

/// `DRIVER:…` with a known GDAL driver prefix (`PG:`, `MySQL:`, `MSSQL:`, `OCI:`, `ODBC:`,
/// `WFS:`, …), and not an existing file; anything else is a path.
fn is_connection_string(text: &str) -> bool {
    let Some((prefix, _)) = text.split_once(':') else {
        return false;
    };
    CONNECTION_PREFIXES
        .iter()
        .any(|p| p.eq_ignore_ascii_case(prefix))
        && !Path::new(text).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_files_layers_and_connections() {
        assert_eq!(
            LayerSource::parse("data/parcels.geojson"),
            LayerSource::file("data/parcels.geojson")
        );
        assert_eq!(
            LayerSource::parse("district.gpkg:parcels"),
            LayerSource::File {
                path: "district.gpkg".into(),
                layer: Some("parcels".into())
            }
        );
        assert_eq!(
            LayerSource::parse("a/b.GDB:land_parcels"),
            LayerSource::File {
                path: "a/b.GDB".into(),
                layer: Some("land_parcels".into())
            }
        );
        // A colon in a single-layer file name is part of the name; an unknown prefix is no
        // connection.
        assert_eq!(
            LayerSource::parse("odd:name.geojson"),
            LayerSource::file("odd:name.geojson")
        );
        assert_eq!(
            LayerSource::parse("PG:dbname=x host=127.0.0.1"),
            LayerSource::Connection {
                dsn: "PG:dbname=x host=127.0.0.1".into(),
                layer: None,
                sql: None
            }
        );
    }

    #[test]
    fn passwords_are_not_shown() {
        let s = LayerSource::parse("PG:dbname=x password=s3").with_layer(Some("t".into()));
        assert_eq!(s.to_string(), "PG:dbname=x password=*** layer t");
    }

    /// Issue 13: `password = secret2` (libpq allows spaces around `=`) and the URI form
    /// were printed whole, e.g. in the default build's "unsupported format" error.
    #[test]
    fn passwords_with_spaces_or_in_uris_were_printed() {
        for (text, secret) in [
            ("PG:dbname=x password = secret2", "secret2"),
            ("PG:postgresql://u:secret3@host/db", "secret3"),
        ] {
            let source = LayerSource::parse(text);
            assert!(matches!(source, LayerSource::Connection { .. }), "{text}");
            for shown in [
                source.to_string(),
                source.label(),
                source.source_label().to_string(),
            ] {
                assert!(!shown.contains(secret), "{shown}");
            }
        }
    }
}
