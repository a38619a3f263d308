//! A format-neutral table to write: a name, typed columns, and rows that carry a
//! MultiPolygon or (for attribute-only tables such as a project summary) none.
//!
//! Reports build [`OutputTable`]s once; the GeoPackage and PostGIS writers turn them into
//! layers, so every format gets the same columns in the same order.

use geo::MultiPolygon;

use crate::io::crs::Crs;
use crate::model::{Field, FieldKind, Layer, Value};

/// One table (layer) to write.
#[derive(Debug, Clone)]
pub struct OutputTable<'g> {
    /// Layer / table name (lower-case ASCII letters, digits and `_` travel best).
    pub name: String,
    /// A one-line description (GeoPackage `gpkg_contents.description`, PostgreSQL comment).
    pub description: String,
    /// CRS of the geometries; `None` for attribute-only tables or unknown CRS.
    pub crs: Option<Crs>,
    /// Whether rows carry geometries (a spatial layer) or not (an attribute table).
    pub spatial: bool,
    /// The attribute columns, in order.
    pub fields: Vec<Field>,
    /// The rows, in output order.
    pub rows: Vec<OutputRow<'g>>,
}

/// One row: its geometry (borrowed from the layer it describes) and one value per field.
#[derive(Debug, Clone)]
pub struct OutputRow<'g> {
    /// The row's geometry; `None` in attribute tables.
    pub geometry: Option<&'g MultiPolygon<f64>>,
    /// One value per field of the table.
    pub values: Vec<Value>,
}

impl<'g> OutputTable<'g> {
    /// An empty table with the given columns.
    pub fn new(
        name: impl Into<String>,
        description: impl Into<String>,
        crs: Option<Crs>,
        spatial: bool,
        fields: &[(&str, FieldKind)],
    ) -> OutputTable<'g> {
        OutputTable {
            name: name.into(),
            description: description.into(),
            crs,
            spatial,
            fields: fields
                .iter()
                .map(|(n, k)| Field {
                    name: (*n).to_string(),
                    kind: *k,
                })
                .collect(),
            rows: Vec::new(),
        }
    }

    /// A whole layer as a table: every feature with all its attributes, in layer order.
    pub fn from_layer(layer: &'g Layer) -> OutputTable<'g> {
        OutputTable {
            name: layer.name.clone(),
            description: format!("copied by landpool from {}", layer.source),
            crs: layer.crs.clone(),
            spatial: true,
            fields: layer.schema.clone(),
            rows: layer
                .features
                .iter()
                .map(|f| OutputRow {
                    geometry: Some(&f.geometry),
                    values: f.attributes.clone(),
                })
                .collect(),
        }
    }

    /// Appends a row; `values` must follow [`OutputTable::fields`].
    pub fn push(&mut self, geometry: Option<&'g MultiPolygon<f64>>, values: Vec<Value>) {
        debug_assert_eq!(
            values.len(),
            self.fields.len(),
            "row width of {}",
            self.name
        );
        self.rows.push(OutputRow { geometry, values });
    }
}
