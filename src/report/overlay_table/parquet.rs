//! The piece geometries with both sides' attributes, as GeoParquet (`parquet` feature).

use std::path::Path;

use geo::MultiPolygon;
use rayon::prelude::*;

use super::geojson::{PIECE_FIELDS, PieceSides};
use super::piece_property_names;
use crate::error::Result;
use crate::geom::{OverlayTable, Piece};
use crate::io::parquet::GeoParquetWriter;
use crate::io::table::OutputRow;
use crate::io::write::write_atomic;
use crate::model::layer::{Field, FieldKind, Layer, Value};

/// Pieces computed and written per batch, so memory stays proportional to the batch.
const BATCH: usize = 8_192;

/// Writes the pieces as GeoParquet: the same columns as the GeoJSON pieces
/// ([`super::write_pieces_geojson`]) in the same order, typed (source and target columns
/// keep their layers' kinds), with the source layer's CRS. Geometries are computed in
/// parallel per batch and written in table order, so the file does not depend on the
/// number of threads.
pub fn write_pieces_parquet(
    path: &Path,
    source: &Layer,
    source_geoms: &[MultiPolygon<f64>],
    target: &Layer,
    target_geoms: &[MultiPolygon<f64>],
    table: &OverlayTable,
) -> Result<()> {
    let (src_names, tgt_names) = piece_property_names(source, target);
    let own_kinds = [
        FieldKind::String,
        FieldKind::String,
        FieldKind::Float,
        FieldKind::Float,
        FieldKind::Bool,
    ];
    let renamed = |names: &[String], layer: &Layer| -> Vec<Field> {
        names
            .iter()
            .zip(&layer.schema)
            .map(|(name, f)| Field {
                name: name.clone(),
                kind: f.kind,
            })
            .collect()
    };
    let fields: Vec<Field> = PIECE_FIELDS
        .iter()
        .zip(own_kinds)
        .map(|(name, kind)| Field {
            name: (*name).to_string(),
            kind,
        })
        .chain(renamed(&src_names, source))
        .chain(renamed(&tgt_names, target))
        .collect();
    let sides = PieceSides {
        source,
        source_geoms,
        target,
        target_geoms,
        table,
    };
    let row = |p: &Piece| -> Result<(MultiPolygon<f64>, Vec<Value>)> {
        let (geometry, own, sf, tf) = sides.piece(p)?;
        let mut values = own.to_vec();
        values.extend(sf.attributes.iter().cloned());
        values.extend(tf.attributes.iter().cloned());
        Ok((geometry, values))
    };
    write_atomic(path, |w| {
        let mut writer = GeoParquetWriter::begin(w, path, source.crs.as_ref(), &fields, true)?;
        for batch in table.pieces.chunks(BATCH) {
            let computed: Vec<(MultiPolygon<f64>, Vec<Value>)> =
                batch.par_iter().map(row).collect::<Result<_>>()?;
            let (geometries, values): (Vec<_>, Vec<_>) = computed.into_iter().unzip();
            let rows: Vec<OutputRow<'_>> = geometries
                .iter()
                .zip(values)
                .map(|(g, values)| OutputRow {
                    geometry: Some(g),
                    values,
                })
                .collect();
            writer.write_rows(&rows)?;
        }
        writer.finish()?;
        Ok(())
    })
}
