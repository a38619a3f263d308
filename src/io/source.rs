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

/// Extensions of files (or folders, for FileGDB) that may hold several layers, so that a
/// `:layer` suffix after them names one.
const MULTI_LAYER_EXTENSIONS: &[&str] = &["gpkg", "gdb", "sqlite", "db", "fgb", "gml", "kml"];

/// A layer source, parsed from what the user wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayerSource {
    /// A file or folder, and the layer inside it when it holds several.
    File {
        path: PathBuf,
        layer: Option<String>,
    },
    /// A GDAL connection string such as `PG:dbname=… host=…` (needs the `gdal` feature), with
    /// the layer (table) to read, or an SQL statement whose result is the layer.
    Connection {
        dsn: String,
        layer: Option<String>,
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
}

impl fmt::Display for LayerSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayerSource::File { path, layer } => {
                write!(f, "{}", path.display())?;
                if let Some(l) = layer {
                    write!(f, ":{l}")?;
                }
                Ok(())
            }
            LayerSource::Connection { dsn, layer, sql } => {
                f.write_str(&redact_password(dsn))?;
                if let Some(l) = layer {
                    write!(f, " layer {l}")?;
                }
                if let Some(s) = sql {
                    write!(f, " sql `{s}`")?;
                }
                Ok(())
            }
        }
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

/// A connection string with any `password=…` value replaced by `***`, for messages.
pub fn redact_password(dsn: &str) -> String {
    let lower = dsn.to_ascii_lowercase();
    let Some(start) = lower.find("password=") else {
        return dsn.to_string();
    };
    let value_start = start + "password=".len();
    let rest = &dsn[value_start..];
    let value_len = if let Some(q) = rest.strip_prefix('\'') {
        q.find('\'').map_or(rest.len(), |i| i + 2)
    } else {
        rest.find(char::is_whitespace).unwrap_or(rest.len())
    };
    format!("{}***{}", &dsn[..value_start], &rest[value_len..])
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
        assert_eq!(
            redact_password("PG:dbname=x password=secret host=h"),
            "PG:dbname=x password=*** host=h"
        );
        assert_eq!(
            redact_password("PG:password='a b' dbname=x"),
            "PG:password=*** dbname=x"
        );
        let s = LayerSource::parse("PG:dbname=x password=s3").with_layer(Some("t".into()));
        assert_eq!(s.to_string(), "PG:dbname=x password=*** layer t");
    }
}
