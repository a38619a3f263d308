//! I/O: layer readers and writers, CRS handling. Nothing here knows about policy.
//!
//! [`read_layer`] picks the reader from the file extension: `.geojson`/`.json` → GeoJSON
//! ([`geojson`]), `.shp` → ESRI Shapefile ([`shp`]), `.gpkg` → GeoPackage ([`gpkg`]),
//! `.fgb` → FlatGeobuf ([`fgb`]), `.parquet` → GeoParquet (module `parquet`, `parquet`
//! cargo feature, on by default). Other formats (FileGDB, PostGIS, ...) go through GDAL/OGR
//! (module `ogr`, `gdal` cargo feature).

pub mod crs;
pub mod fgb;
pub mod gcj02;
pub mod geojson;
pub mod gpkg;
#[cfg(feature = "gdal")]
pub mod ogr;
pub mod output_dir;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod shp;
pub mod source;
pub mod table;
pub(crate) mod wkb;
pub mod write;

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Result};
pub use crate::io::source::LayerSource;
use crate::model::crs::Crs;
use crate::model::layer::{Field, FieldKind, Layer, Value};

/// How to read a layer.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Text encoding of Shapefile attributes when there is no `.cpg` file, e.g. `"gbk"`,
    /// `"gb18030"`, `"utf-8"`, `"latin1"`. Without either, attributes must be valid UTF-8.
    pub encoding: Option<String>,
    /// The CRS the coordinates are in. Overrides whatever the file declares (a GeoJSON `crs`
    /// member, a `.prj`); needed for files that declare none (e.g. `Crs::local_planar()`),
    /// or for GCJ-02 data (`Crs::gcj02()`), which no file format can declare.
    pub assume_crs: Option<Crs>,
    /// Attribute whose value becomes each feature's key (stable id part 2).
    pub key_field: Option<String>,
}

/// Formats this build can read, for error messages.
pub const SUPPORTED_FORMATS: &str = if cfg!(feature = "gdal") {
    "GeoJSON (.geojson, .json), ESRI Shapefile (.shp), GeoPackage (`file.gpkg:layer`), \
     FlatGeobuf (.fgb), GeoParquet (.parquet, `parquet` feature), and every vector format of \
     GDAL/OGR (FileGDB `folder.gdb:layer`, PostGIS `PG:dbname=… host=…`, ...)"
} else {
    "GeoJSON (.geojson, .json), ESRI Shapefile (.shp), GeoPackage (`file.gpkg:layer`), \
     FlatGeobuf (.fgb), GeoParquet (.parquet, `parquet` feature); FileGDB, PostGIS and other \
     GDAL formats need a build with the `gdal` feature (`cargo build --release --features \
     gdal`), or convert them first, e.g. `ogr2ogr -f GPKG out.gpkg in.gdb`"
};

/// Reads an area layer from a path as the user wrote it (`parcels.shp`,
/// `district.gpkg:parcels`, a `PG:` connection string): see [`LayerSource::parse`].
pub fn read_layer(path: &Path, opts: &ReadOptions) -> Result<Layer> {
    read_source(&LayerSource::parse(&path.to_string_lossy()), opts)
}

/// Reads an area layer from a source, choosing the reader by extension. GeoJSON and
/// Shapefile always use landpool's own readers (GBK attributes, line/column errors); other
/// sources need GDAL.
pub fn read_source(source: &LayerSource, opts: &ReadOptions) -> Result<Layer> {
    let mut layer = match source {
        LayerSource::File { path, layer } => match source.extension().as_str() {
            "geojson" | "json" | "shp" | "fgb" | "parquet" if layer.is_some() => {
                return Err(Error::Usage(format!(
                    "{source}: a {} file holds one layer; drop the `:{}` suffix",
                    source.extension(),
                    layer.as_deref().unwrap_or_default()
                )));
            }
            "geojson" | "json" => geojson::read_geojson(path, opts)?,
            "shp" => shp::read_shapefile(path, opts)?,
            "gpkg" => gpkg::read_gpkg(path, layer.as_deref(), opts)?,
            "fgb" => fgb::read_fgb(path, opts)?,
            "parquet" | "geoparquet" => read_geoparquet(path, opts)?,
            _ => read_with_gdal(source, opts)?,
        },
        LayerSource::Connection { .. } => read_with_gdal(source, opts)?,
    };
    if let Some(key) = &opts.key_field {
        layer.set_key_field(key)?;
    }
    Ok(layer)
}

#[cfg(feature = "parquet")]
fn read_geoparquet(path: &Path, opts: &ReadOptions) -> Result<Layer> {
    parquet::read_parquet(path, opts)
}

#[cfg(not(feature = "parquet"))]
fn read_geoparquet(path: &Path, _opts: &ReadOptions) -> Result<Layer> {
    Err(Error::UnsupportedFormat {
        path: path.to_path_buf(),
        supported: format!(
            "{SUPPORTED_FORMATS}; this build was made without the `parquet` feature \
             (rebuild with default features)"
        ),
    })
}

#[cfg(feature = "gdal")]
fn read_with_gdal(source: &LayerSource, opts: &ReadOptions) -> Result<Layer> {
    ogr::read_ogr(source, opts)
}

#[cfg(not(feature = "gdal"))]
fn read_with_gdal(source: &LayerSource, _opts: &ReadOptions) -> Result<Layer> {
    // The label, not the text given: a connection string's password is not repeated.
    Err(Error::UnsupportedFormat {
        path: source.source_label().to_path_buf(),
        supported: SUPPORTED_FORMATS.into(),
    })
}

/// The layer name used for a file: its stem.
pub(crate) fn layer_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Builds a schema while reading features whose attribute sets may differ (GeoJSON):
/// fields are ordered by first appearance, and each field's kind is the common kind of its
/// non-null values (`Int` and `Float` combine to `Float`, other mixes give `Mixed`).
#[derive(Debug, Default)]
pub(crate) struct SchemaBuilder {
    names: Vec<String>,
    kinds: Vec<Option<FieldKind>>,
    index: HashMap<String, usize>,
}

impl SchemaBuilder {
    /// Position of a field, adding it if new.
    pub(crate) fn slot(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len();
        self.names.push(name.to_string());
        self.kinds.push(None);
        self.index.insert(name.to_string(), i);
        i
    }

    /// Records a value seen in field `i`.
    pub(crate) fn observe(&mut self, i: usize, value: &Value) {
        let kind = match value {
            Value::Null => return,
            Value::Bool(_) => FieldKind::Bool,
            Value::Int(_) => FieldKind::Int,
            Value::Float(_) => FieldKind::Float,
            Value::Date(_) => FieldKind::Date,
            Value::Str(_) => FieldKind::String,
        };
        if let Some(slot) = self.kinds.get_mut(i) {
            *slot = Some(match *slot {
                None => kind,
                Some(k) if k == kind => k,
                Some(FieldKind::Int) if kind == FieldKind::Float => FieldKind::Float,
                Some(FieldKind::Float) if kind == FieldKind::Int => FieldKind::Float,
                Some(_) => FieldKind::Mixed,
            });
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// The schema; fields that were always null are `String`.
    pub(crate) fn finish(self) -> Vec<Field> {
        self.names
            .into_iter()
            .zip(self.kinds)
            .map(|(name, kind)| Field {
                name,
                kind: kind.unwrap_or(FieldKind::String),
            })
            .collect()
    }
}
